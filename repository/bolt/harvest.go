package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	bbolt "go.etcd.io/bbolt"
	"golang.org/x/sync/errgroup"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

var (
	// bSources: id → the source's newest version, tombstones too.
	bSources = []byte("sources")
	// bEntries: id → the harvested entry's newest version, tombstones too.
	bEntries = []byte("entries")
	// ixEntryKey: source \x00 record identifier → entry id, tombstones
	// too, so that a record the source brings back gets its id again.
	ixEntryKey = []byte("ix_entry_key")
	// ixInstEntries: library \x00 entry id, for the entries not deleted.
	ixInstEntries = []byte("ix_institution_entries")
)

// SaveSource creates (Version 0, a fresh id when it has none) or changes a
// source, storage first, then the index and the change feed. A change
// must carry the version it was read at (fault.Conflict otherwise).
func (s *Store) SaveSource(ctx context.Context, src *repository.Source) error {
	next := *src
	if next.ID == "" && next.Version == 0 {
		next.ID = s.freshID(bSources)
	}
	if err := next.Validate(); err != nil {
		return err
	}
	defer s.locks.lock(lockSet{mine: []string{"source/" + next.ID}})()
	old, err := s.Source(next.ID)
	switch {
	case err == nil && (old.Version != next.Version || old.Deleted):
		return fmt.Errorf("source %s was changed by someone else: %w", next.ID, fault.Conflict)
	case err != nil && next.Version != 0:
		return err
	case err != nil:
		old = nil
	}
	now := s.Now()
	next.Version++
	next.Modified = now
	if old == nil {
		next.Created = now
	}
	if err := s.putRecord(ctx, repository.RecordKey("sources", next.ID, next.Version), record{Kind: "source", Source: &next}); err != nil {
		return err
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		if err := putJSON(tx, bSources, next.ID, &next); err != nil {
			return err
		}
		return appendFeed(tx, repository.FeedEntry{Time: now, Kind: "source", ID: next.ID, Version: next.Version, Op: feedOp(old == nil, next.Deleted)})
	}); err != nil {
		return err
	}
	s.announce()
	*src = next
	return nil
}

// Source returns a source's newest version, a tombstone too.
func (s *Store) Source(id string) (*repository.Source, error) {
	var src repository.Source
	if err := s.view(func(tx *bbolt.Tx) error { return getJSON(tx, bSources, id, &src) }); err != nil {
		return nil, err
	}
	return &src, nil
}

// Sources returns every source not removed, in the order of their ids.
func (s *Store) Sources() ([]*repository.Source, error) {
	var out []*repository.Source
	err := s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket(bSources).ForEach(func(_, v []byte) error {
			var src repository.Source
			if err := json.Unmarshal(v, &src); err != nil {
				return err
			}
			if !src.Deleted {
				out = append(out, &src)
			}
			return nil
		})
	})
	return out, err
}

// SaveEntry stores e as the catalogue's entry for its source's record
// e.Identifier, unless the entry there already has e's digest and the
// same deletion: then it writes nothing and reports false. The entry's
// id, version and times are the store's; e gets them.
func (s *Store) SaveEntry(ctx context.Context, e *repository.Entry) (bool, error) {
	next := *e
	key := join(next.Source, next.Identifier)
	defer s.locks.lock(lockSet{mine: []string{entryLock(next.Source, next.Identifier)}})()
	var id string
	if err := s.view(func(tx *bbolt.Tx) error {
		id = string(tx.Bucket(ixEntryKey).Get(key))
		return nil
	}); err != nil {
		return false, err
	}
	if id == "" {
		if next.Deleted {
			return false, nil // never seen, nothing to remove
		}
		id = s.freshID(bEntries)
	}
	next.ID = id
	if err := next.Validate(); err != nil {
		return false, err
	}
	old, err := s.Entry(id)
	switch {
	case err == nil && old.Digest == next.Digest && old.Deleted == next.Deleted:
		*e = *old
		return false, nil
	case err == nil && next.Deleted && old.Deleted:
		return false, nil
	case err == nil:
		next.Version, next.Created = old.Version, old.Created
	case errors.Is(err, fault.NotFound):
		old = nil
	default:
		return false, err
	}
	now := s.Now()
	next.Version++
	next.Modified = now
	if old == nil {
		next.Created = now
	}
	if err := s.putRecord(ctx, repository.RecordKey("entries", next.ID, next.Version), record{Kind: "entry", Entry: &next}); err != nil {
		return false, err
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		if err := insertEntry(tx, old, &next); err != nil {
			return err
		}
		return appendFeed(tx, repository.FeedEntry{Time: now, Kind: "entry", ID: next.ID, Version: next.Version, Op: feedOp(old == nil, next.Deleted)})
	}); err != nil {
		return false, err
	}
	s.announce()
	*e = next
	return true, nil
}

// insertEntry stores e's newest version and indexes it in place of old's
// (nil: none).
func insertEntry(tx *bbolt.Tx, old, e *repository.Entry) error {
	if old != nil && !old.Deleted {
		if err := unindex(tx, ixInstEntries, join(old.Institution, old.ID)); err != nil {
			return err
		}
	}
	if err := putJSON(tx, bEntries, e.ID, e); err != nil {
		return err
	}
	if err := tx.Bucket(ixEntryKey).Put(join(e.Source, e.Identifier), []byte(e.ID)); err != nil {
		return err
	}
	if e.Deleted {
		return nil
	}
	return tx.Bucket(ixInstEntries).Put(join(e.Institution, e.ID), nil)
}

// Entry returns a harvested entry's newest version, a tombstone too.
func (s *Store) Entry(id string) (*repository.Entry, error) {
	var e repository.Entry
	if err := s.view(func(tx *bbolt.Tx) error { return getJSON(tx, bEntries, id, &e) }); err != nil {
		return nil, err
	}
	return &e, nil
}

// EntryOf returns the entry of source's record identifier, a tombstone too.
func (s *Store) EntryOf(source, identifier string) (*repository.Entry, error) {
	var e repository.Entry
	err := s.view(func(tx *bbolt.Tx) error {
		id := tx.Bucket(ixEntryKey).Get(join(source, identifier))
		if id == nil {
			return fmt.Errorf("no entry of record %q of source %s: %w", identifier, source, fault.NotFound)
		}
		return getJSON(tx, bEntries, string(id), &e)
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// EntryIdentifiers lists the record identifiers of source's entries not
// deleted, from the indexes, in the order of the identifiers.
func (s *Store) EntryIdentifiers(source string) ([]string, error) {
	var out []string
	prefix := join(source, "")
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(ixEntryKey).Cursor()
		for k, id := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, id = c.Next() {
			var e repository.Entry
			if err := getJSON(tx, bEntries, string(id), &e); err != nil {
				return err
			}
			if !e.Deleted {
				out = append(out, string(k[len(prefix):]))
			}
		}
		return nil
	})
	return out, err
}

// EntryIDsOf lists the ids of a library's entries not deleted.
func (s *Store) EntryIDsOf(institution string) ([]string, error) {
	var out []string
	prefix := join(institution, "")
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(ixInstEntries).Cursor()
		for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
			out = append(out, string(k[len(prefix):]))
		}
		return nil
	})
	return out, err
}

// SaveEntries is SaveEntry for a page of records, for a harvest's speed:
// the changed entries' records are written to storage (a few at once),
// then registered in one transaction. It reports, for each entry, whether
// it was written, or why it was refused (an entry that does not
// validate); its error is the store's. A record named twice is taken as
// its last.
func (s *Store) SaveEntries(ctx context.Context, es []*repository.Entry) ([]bool, []error, error) {
	wrote, refused := make([]bool, len(es)), make([]error, len(es))
	last := map[string]int{}
	var names []string
	for i, e := range es {
		if _, twice := last[string(join(e.Source, e.Identifier))]; !twice {
			names = append(names, entryLock(e.Source, e.Identifier))
		}
		last[string(join(e.Source, e.Identifier))] = i
	}
	// Locked from the first read to the transaction: storage never holds
	// a version the index then refuses.
	defer s.locks.lock(lockSet{mine: names})()
	ids := make([]string, len(es))
	olds := make([]*repository.Entry, len(es))
	if err := s.view(func(tx *bbolt.Tx) error {
		for i, e := range es {
			id := tx.Bucket(ixEntryKey).Get(join(e.Source, e.Identifier))
			if id == nil {
				continue
			}
			ids[i] = string(id)
			var old repository.Entry
			if err := getJSON(tx, bEntries, ids[i], &old); err != nil {
				return err
			}
			olds[i] = &old
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	var todo []int
	now := s.Now()
	for i, e := range es {
		old := olds[i]
		switch {
		case last[string(join(e.Source, e.Identifier))] != i:
			continue
		case old == nil && e.Deleted:
			continue // never seen, nothing to remove
		case old != nil && (old.Digest == e.Digest && old.Deleted == e.Deleted || old.Deleted && e.Deleted):
			*e = *old
			continue
		}
		next := *e
		if old == nil {
			next.ID, next.Version, next.Created = s.freshID(bEntries), 0, now
		} else {
			next.ID, next.Version, next.Created = old.ID, old.Version, old.Created
		}
		if err := next.Validate(); err != nil {
			refused[i] = err
			continue
		}
		next.Version++
		next.Modified = now
		*e = next
		todo = append(todo, i)
	}
	if len(todo) == 0 {
		return wrote, refused, nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, i := range todo {
		e := es[i]
		g.Go(func() error {
			return s.putRecord(gctx, repository.RecordKey("entries", e.ID, e.Version), record{Kind: "entry", Entry: e})
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		for _, i := range todo {
			e := es[i]
			if err := insertEntry(tx, olds[i], e); err != nil {
				return err
			}
			if err := appendFeed(tx, repository.FeedEntry{Time: now, Kind: "entry", ID: e.ID, Version: e.Version, Op: feedOp(olds[i] == nil, e.Deleted)}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	s.announce()
	for _, i := range todo {
		wrote[i] = true
	}
	return wrote, refused, nil
}

// entryLock names the lock of a source's record, taken before its entry
// is read: a new record has no id to lock yet.
func entryLock(source, identifier string) string { return "entry/" + source + "/" + identifier }
