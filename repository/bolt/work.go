package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/repository"
)

var (
	// ixEmbargo: day the embargo ends \x00 "c" or "i" \x00 collection or
	// item id, for what is under an embargo that can end; the release
	// reads only what is due.
	ixEmbargo = []byte("ix_embargo")
	// ixWork: kind of work (repository.WorkTranscode, WorkText) \x00 item
	// id, for the items waiting for background work (Item.Work).
	ixWork = []byte("ix_work")
)

// embargoKey is the key of a unit's or item's embargo in ixEmbargo, or nil
// when it has none that can end (none, not a date, or withdrawn).
func embargoKey(kind, id string, a repository.Access, deleted bool) []byte {
	until, err := time.Parse(time.DateOnly, a.Embargo)
	if deleted || err != nil {
		return nil
	}
	return []byte(until.Format(time.DateOnly) + "\x00" + kind + "\x00" + id)
}

// indexEmbargo moves a record's key in ixEmbargo from was to is.
func indexEmbargo(tx *bbolt.Tx, was, is []byte) error {
	if bytes.Equal(was, is) {
		return nil
	}
	if was != nil {
		if err := tx.Bucket(ixEmbargo).Delete(was); err != nil {
			return err
		}
	}
	if is == nil {
		return nil
	}
	return tx.Bucket(ixEmbargo).Put(is, nil)
}

func itemEmbargo(it *repository.Item) []byte {
	if it == nil {
		return nil
	}
	return embargoKey("i", it.ID, it.Access, it.Deleted)
}

func collectionEmbargo(c *repository.Collection) []byte {
	if c == nil {
		return nil
	}
	return embargoKey("c", c.ID, c.Access, c.Deleted)
}

// indexWork keeps an item's entries in ixEmbargo and ixWork, in the
// transaction that saves it.
func indexWork(tx *bbolt.Tx, old, it *repository.Item) error {
	if err := indexEmbargo(tx, itemEmbargo(old), itemEmbargo(it)); err != nil {
		return err
	}
	b := tx.Bucket(ixWork)
	for _, kind := range old.Work() {
		if err := b.Delete(join(kind, old.ID)); err != nil {
			return err
		}
	}
	for _, kind := range it.Work() {
		if err := b.Put(join(kind, it.ID), nil); err != nil {
			return err
		}
	}
	return nil
}

// indexBackground fills ixEmbargo and ixWork from the records, for a
// database made before they were kept.
func indexBackground(tx *bbolt.Tx) error {
	if err := tx.Bucket(bItems).ForEach(func(k, v []byte) error {
		var it repository.Item
		if err := json.Unmarshal(v, &it); err != nil {
			return fmt.Errorf("item %s: %w", k, err)
		}
		return indexWork(tx, nil, &it)
	}); err != nil {
		return err
	}
	return tx.Bucket(bCollections).ForEach(func(k, v []byte) error {
		var c repository.Collection
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("collection %s: %w", k, err)
		}
		return indexEmbargo(tx, nil, collectionEmbargo(&c))
	})
}

// dueEmbargoes returns the items and collections whose embargo ends on or
// before now's day (in UTC, as Access.EmbargoEnded reads it).
func (s *Store) dueEmbargoes(now time.Time) (items, collections []string, err error) {
	today := now.UTC().Format(time.DateOnly)
	err = s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(ixEmbargo).Cursor()
		for k, _ := c.First(); k != nil && string(k[:min(len(k), len(today))]) <= today; k, _ = c.Next() {
			parts := bytes.SplitN(k, []byte{0}, 3)
			if len(parts) != 3 {
				continue
			}
			if string(parts[1]) == "c" {
				collections = append(collections, string(parts[2]))
			} else {
				items = append(items, string(parts[2]))
			}
		}
		return nil
	})
	return items, collections, err
}

// Queued lists the items waiting for background work of a kind
// (repository.WorkTranscode, WorkText), in the order of their ids.
func (s *Store) Queued(kind string) ([]string, error) {
	var out []string
	prefix := join(kind, "")
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(ixWork).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			out = append(out, string(k[len(prefix):]))
		}
		return nil
	})
	return out, err
}

// FollowWork calls fn with every item waiting for work of a kind (see
// Queued), then with every item each later change touches, in order, until
// ctx ends (then it returns nil) or the store fails. A failure of the first
// look goes to scanned and does not stop the following. What changed while
// the service was stopped is in the queue, kept with the items: a start
// reads the queue, not every item.
func (s *Store) FollowWork(ctx context.Context, kind string, fn func(id string), scanned func(error)) error {
	_, last, err := s.FeedEpoch()
	if err != nil {
		return err
	}
	ids, err := s.Queued(kind)
	if err != nil {
		scanned(err)
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			return nil
		}
		fn(id)
	}
	for {
		if err := s.FeedWait(ctx, last); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		entries, err := s.Feed(last, 500)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.Kind == "item" {
				fn(e.ID)
			}
			last = e.Seq
		}
	}
}
