package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// --- collections ---

// SaveCollection creates (Version 0) or updates a collection. A new
// collection without an ID gets a fresh one.
func (s *Store) SaveCollection(ctx context.Context, c *repository.Collection, agent string) error {
	if err := s.saveCollection(ctx, c, agent, ""); err != nil {
		return err
	}
	return s.relist() // with the unit's lock let go: its items may be saved meanwhile
}

// saveCollection is SaveCollection with what the event says of the change.
func (s *Store) saveCollection(ctx context.Context, c *repository.Collection, agent, detail string) error {
	next := *c
	var old *repository.Collection
	if next.ID == "" {
		next.ID = s.freshID(bCollections)
	} else if !repository.ValidID(next.ID) {
		return fmt.Errorf("collection id %q: use 2–63 lower-case letters, digits and hyphens: %w", next.ID, fault.Invalid)
	}
	defer s.lockCollection(&next)()
	if o, err := s.Collection(next.ID); err == nil {
		if o.Version != next.Version {
			return fmt.Errorf("collection %s was changed by someone else (now version %d, yours %d): %w", next.ID, o.Version, next.Version, fault.Conflict)
		}
		old = o
	} else if next.Version != 0 {
		return fmt.Errorf("collection %s: %w", next.ID, fault.NotFound)
	}
	if err := s.checkCollection(&next); err != nil {
		return err
	}
	had := ""
	if old != nil {
		had = old.ARK
	}
	var err error
	if next.ARK, err = s.arkOf(had, next.Institution, next.ID, 'c'); err != nil {
		return err
	}
	now := s.Now()
	var was *exposure
	if old != nil {
		was = &exposure{old.Access, old.Deleted, old.Parent, old.Published, old.Modified}
	}
	if next.Published, err = firstPublished(was, exposure{next.Access, next.Deleted, next.Parent, time.Time{}, now}, now, s.Collection); err != nil {
		return err
	}
	next.Version++
	next.Modified = now
	if old == nil {
		next.Created = now
	}
	if err := s.putRecord(ctx, repository.RecordKey("collections", next.ID, next.Version), record{Kind: "collection", Collection: &next}); err != nil {
		return err
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		if err := putJSON(tx, bCollections, next.ID, &next); err != nil {
			return err
		}
		if err := indexCollection(tx, old, &next); err != nil {
			return err
		}
		return appendFeed(tx, repository.FeedEntry{Time: now, Kind: "collection", ID: next.ID, Version: next.Version, Op: feedOp(old == nil, next.Deleted)})
	}); err != nil {
		return err
	}
	s.gen.Add(1)
	s.announce()
	*c = next
	typ := "creation"
	if old != nil {
		typ = "modification"
	}
	if detail == "" {
		detail = fmt.Sprintf("collection version %d", next.Version)
	}
	return s.record(ctx, repository.Event{Type: typ, Object: next.ID, Agent: agent, Outcome: "success", Detail: detail})
}

// lockCollection locks collection c for its save, and shared every unit
// above its parent, which its checks walk (so that two units are never
// moved into each other at once). If a unit above moved while it waited,
// the walk is another: it locks again.
func (s *Store) lockCollection(c *repository.Collection) (unlock func()) {
	for {
		up := s.ancestors(c.Parent)
		unlock := s.locks.lock(lockSet{mine: []string{"collection/" + c.ID}, on: up})
		if slices.Equal(up, s.ancestors(c.Parent)) {
			return unlock
		}
		unlock()
	}
}

// ancestors names the locks of unit id and of the units above it.
func (s *Store) ancestors(id string) []string {
	var out []string
	for depth := 0; id != "" && depth < repository.MaxDepth; depth++ {
		out = append(out, "collection/"+id)
		c, err := s.Collection(id)
		if err != nil {
			break // the checks say why
		}
		id = c.Parent
	}
	return out
}

func (s *Store) checkCollection(c *repository.Collection) error {
	if problems := c.Access.Check(); len(problems) > 0 {
		return fmt.Errorf("collection %s: %s: %w", c.ID, strings.Join(problems, "; "), fault.Invalid)
	}
	if c.Title.Empty() {
		return fmt.Errorf("collection %s: a title is required: %w", c.ID, fault.Invalid)
	}
	if c.ID == "top" || slices.ContainsFunc(seed, func(in repository.Institution) bool { return in.ID == c.ID }) {
		return fmt.Errorf("collection id %q is taken by the archive itself: %w", c.ID, fault.Invalid)
	}
	if _, err := s.Institution(c.Institution); err != nil {
		return fmt.Errorf("collection %s: institution %q: %w", c.ID, c.Institution, fault.Invalid)
	}
	if err := c.CheckDescription(); err != nil {
		return err
	}
	for p := c.Parent; p != ""; {
		if p == c.ID {
			return fmt.Errorf("collection %s cannot be inside itself: %w", c.ID, fault.Invalid)
		}
		parent, err := s.Collection(p)
		if err != nil {
			return fmt.Errorf("collection %s: parent %q: %w", c.ID, p, fault.Invalid)
		}
		if parent.Institution != c.Institution {
			return fmt.Errorf("collection %s of %s cannot be inside %s, a collection of %s: %w", c.ID, c.Institution, parent.ID, parent.Institution, fault.Invalid)
		}
		p = parent.Parent
	}
	return nil
}

// indexCollection indexes c in place of old (nil: none), its ARK last.
func indexCollection(tx *bbolt.Tx, old, c *repository.Collection) error {
	if err := indexCollectionLists(tx, old, c); err != nil {
		return err
	}
	return indexARK(tx, 'c', c.ARK, c.ID)
}

func indexCollectionLists(tx *bbolt.Tx, old, c *repository.Collection) error {
	if err := indexEmbargo(tx, collectionEmbargo(old), collectionEmbargo(c)); err != nil {
		return err
	}
	if err := indexUnitContainers(tx, old, c); err != nil {
		return err
	}
	if err := indexPointLinks(tx, "c", c.ID, institutionOf(old), c.Institution, collectionPoints(old), collectionPoints(c)); err != nil {
		return err
	}
	if err := listTop(tx, old, c); err != nil {
		return err
	}
	if old != nil {
		if err := unindex(tx, ixInstColls, join(old.Institution, old.ID)); err != nil {
			return err
		}
		if err := unindex(tx, ixChildren, join(old.Parent, old.ID)); err != nil {
			return err
		}
		if old.Parent != c.Parent || c.Deleted != old.Deleted || old.Access != c.Access { // gone from its old place, or opened or closed
			if err := touchUp(tx, old.Parent, c.Modified); err != nil {
				return err
			}
		}
	}
	if old == nil || old.Parent != c.Parent { // new (in a rebuild, after its items) or moved
		if err := reindexUnitSets(tx, c.ID); err != nil {
			return err
		}
	}
	switch {
	case old == nil: // a new unit: what is below it (in a rebuild, or on a replica) is placed now
		if err := listBelow(tx, c.ID); err != nil {
			return err
		}
	case old.Parent != c.Parent || old.Access != c.Access: // the items below are listed otherwise: queued (relist.go)
		if err := queueRelist(tx, c.ID); err != nil {
			return err
		}
	}
	if c.Deleted {
		return nil
	}
	if err := tx.Bucket(ixInstColls).Put(join(c.Institution, c.ID), nil); err != nil {
		return err
	}
	return tx.Bucket(ixChildren).Put(join(c.Parent, c.ID), nil)
}

// Collection returns one collection.
func (s *Store) Collection(id string) (*repository.Collection, error) {
	var c repository.Collection
	if err := s.view(func(tx *bbolt.Tx) error { return getJSON(tx, bCollections, id, &c) }); err != nil {
		return nil, err
	}
	return &c, nil
}

// Collections returns the collections of an institution, or with parent
// "" and institution "" every top-level collection.
func (s *Store) Collections(institution string) ([]*repository.Collection, error) {
	return s.collectionsBy(ixInstColls, institution)
}

// Children returns the collections directly inside parent ("" for top
// level), in their order among siblings (Order, then identifier).
func (s *Store) Children(parent string) ([]*repository.Collection, error) {
	kids, err := s.collectionsBy(ixChildren, parent)
	sortSiblings(kids)
	return kids, err
}

func (s *Store) collectionsBy(index []byte, key string) ([]*repository.Collection, error) {
	var out []*repository.Collection
	err := s.view(func(tx *bbolt.Tx) error {
		prefix := join(key, "")
		c := tx.Bucket(index).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			var col repository.Collection
			if err := getJSON(tx, bCollections, string(k[len(prefix):]), &col); err != nil {
				return err
			}
			out = append(out, &col)
		}
		return nil
	})
	return out, err
}

// --- items ---

// SaveItem creates (ID "" or unknown, Version 0) or updates an item. An update
// must carry the version it was read at, or fails with fault.Conflict. The record
// goes to storage first, then the index, then the events: a crash in between
// leaves at worst a record the next rebuild picks up.
func (s *Store) SaveItem(ctx context.Context, it *repository.Item, agent string, events ...repository.Event) error {
	next := *it
	next.Files = slices.Clone(it.Files)
	if next.ID == "" {
		next.ID = s.freshID(bItems)
	}
	// The item's own lock orders its versions; its collection's (shared)
	// keeps what the checks found of it true until the save is done.
	set := lockSet{mine: []string{"item/" + next.ID}}
	if next.Collection != "" {
		set.on = []string{"collection/" + next.Collection}
	}
	unlock := s.locks.lock(set)
	old, err := s.checkItem(&next)
	if err != nil {
		unlock()
		return err
	}
	if next.ARK, err = s.arkOf(itemARK(old), next.Institution, next.ID, 'i'); err != nil {
		unlock()
		return err
	}
	now := s.Now()
	if old != nil && !now.After(old.Modified) {
		now = old.Modified.Add(time.Microsecond)
	}
	var was *exposure
	if old != nil {
		was = &exposure{old.Access, old.Deleted, old.Collection, old.Published, old.Modified}
	}
	if next.Published, err = firstPublished(was, exposure{next.Access, next.Deleted, next.Collection, time.Time{}, now}, now, s.Collection); err != nil {
		unlock()
		return err
	}
	next.Version++
	next.Modified = now
	if old == nil {
		next.Created = now
	}
	if err := s.putRecord(ctx, repository.RecordKey("items", next.ID, next.Version), record{Kind: "item", Item: &next}); err != nil {
		unlock()
		return err
	}
	err = s.update(func(tx *bbolt.Tx) error {
		if err := putJSON(tx, bItems, next.ID, &next); err != nil {
			return err
		}
		if err := indexItem(tx, old, &next); err != nil {
			return err
		}
		return appendFeed(tx, repository.FeedEntry{Time: now, Kind: "item", ID: next.ID, Version: next.Version, Op: feedOp(old == nil, next.Deleted)})
	})
	s.gen.Add(1)
	unlock()
	if err != nil {
		return err
	}
	s.announce()
	*it = next
	typ := "creation"
	switch {
	case next.Deleted:
		typ = "deletion"
	case old != nil:
		typ = "modification"
	}
	events = append([]repository.Event{{Type: typ, Agent: agent, Outcome: "success", Detail: fmt.Sprintf("metadata version %d", next.Version)}}, events...)
	for i := range events {
		events[i].Object = next.ID
		if events[i].Agent == "" {
			events[i].Agent = agent
		}
	}
	return s.record(ctx, events...)
}

// checkItem validates next against the store and returns the stored version.
func (s *Store) checkItem(next *repository.Item) (*repository.Item, error) {
	var old *repository.Item
	if !repository.ValidID(next.ID) {
		return nil, fmt.Errorf("item id %q: %w", next.ID, fault.Invalid)
	}
	if o, err := s.Item(next.ID); err == nil {
		if o.Version != next.Version {
			return nil, fmt.Errorf("item %s was changed by someone else (now version %d, yours %d): reload it and apply your change again: %w", next.ID, o.Version, next.Version, fault.Conflict)
		}
		old = o
	} else if next.Version != 0 {
		return nil, fmt.Errorf("item %s: %w", next.ID, fault.NotFound)
	}
	if next.Access.Level == "" {
		next.Access.Level = repository.Public
	}
	if err := next.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.Institution(next.Institution); err != nil {
		return nil, fmt.Errorf("item %s: institution %q: %w", next.ID, next.Institution, fault.Invalid)
	}
	if next.Collection != "" {
		c, err := s.Collection(next.Collection)
		if err != nil {
			return nil, fmt.Errorf("item %s: collection %q: %w", next.ID, next.Collection, fault.Invalid)
		}
		if c.Institution != next.Institution {
			return nil, fmt.Errorf("item %s: collection %s belongs to %s, not %s: %w", next.ID, c.ID, c.Institution, next.Institution, fault.Invalid)
		}
	}
	return old, nil
}

// indexItem indexes it in place of old (nil: none), its ARK last.
func indexItem(tx *bbolt.Tx, old, it *repository.Item) error {
	if err := indexItemLists(tx, old, it); err != nil {
		return err
	}
	return indexARK(tx, 'i', it.ARK, it.ID)
}

func indexItemLists(tx *bbolt.Tx, old, it *repository.Item) error {
	if err := indexWork(tx, old, it); err != nil {
		return err
	}
	if err := listItem(tx, old, it, map[string]unitTiers{}); err != nil {
		return err
	}
	if err := indexPointLinks(tx, "i", it.ID, itemInstitution(old), it.Institution, itemPoints(old), itemPoints(it)); err != nil {
		return err
	}
	// An item closed (or new) before its change and closed after changed
	// nothing a finding aid shows.
	wasClosed := old == nil || old.Deleted || old.Access.Closed()
	if !wasClosed || !it.Deleted && !it.Access.Closed() {
		if old != nil && old.Collection != it.Collection {
			if err := touchUp(tx, old.Collection, it.Modified); err != nil {
				return err
			}
		}
		if err := touchUp(tx, it.Collection, it.Modified); err != nil {
			return err
		}
	}
	if old != nil {
		if err := unindex(tx, ixCollItems, join(old.Collection, old.ID)); err != nil {
			return err
		}
		if err := unindex(tx, ixInstItems, join(old.Institution, old.ID)); err != nil {
			return err
		}
		if err := unindex(tx, ixModified, timeKey(old.Modified, old.ID)); err != nil {
			return err
		}
		for _, f := range old.Files {
			if err := unindex(tx, ixDigest, join(f.SHA256, old.ID)); err != nil {
				return err
			}
		}
	}
	// Tombstones stay in the change and set indexes only, for harvesters.
	if err := tx.Bucket(ixModified).Put(timeKey(it.Modified, it.ID), nil); err != nil {
		return err
	}
	if err := indexSets(tx, it); err != nil {
		return err
	}
	if it.Deleted {
		return nil
	}
	if it.Collection != "" {
		if err := tx.Bucket(ixCollItems).Put(join(it.Collection, it.ID), nil); err != nil {
			return err
		}
	}
	if err := tx.Bucket(ixInstItems).Put(join(it.Institution, it.ID), nil); err != nil {
		return err
	}
	for _, f := range it.Files {
		if err := tx.Bucket(ixDigest).Put(join(f.SHA256, it.ID), nil); err != nil {
			return err
		}
	}
	return nil
}

// touchUp records that something below unit id changed at t, for id and
// every unit above it up to a closed one (nothing above sees below it).
func touchUp(tx *bbolt.Tx, id string, t time.Time) error {
	b := tx.Bucket(ixTouched)
	v := binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano()))
	for depth := 0; id != "" && depth < repository.MaxDepth; depth++ {
		if old := b.Get([]byte(id)); bytes.Compare(old, v) < 0 {
			if err := b.Put([]byte(id), v); err != nil {
				return err
			}
		}
		var c repository.Collection
		if err := getJSON(tx, bCollections, id, &c); errors.Is(err, fault.NotFound) {
			return nil // not (yet, in a rebuild) known
		} else if err != nil {
			return err
		}
		if c.Access.Closed() {
			return nil
		}
		id = c.Parent
	}
	return nil
}

func (s *Store) freshID(bucket []byte) string {
	for {
		id := newID()
		exists := false
		s.view(func(tx *bbolt.Tx) error { exists = tx.Bucket(bucket).Get([]byte(id)) != nil; return nil })
		if !exists {
			return id
		}
	}
}

// Item returns one item, tombstones included.
func (s *Store) Item(id string) (*repository.Item, error) {
	var it repository.Item
	if err := s.view(func(tx *bbolt.Tx) error { return getJSON(tx, bItems, id, &it) }); err != nil {
		return nil, err
	}
	return &it, nil
}

// ItemVersion reads an earlier version of an item's record from storage.
func (s *Store) ItemVersion(ctx context.Context, id string, v int) (*repository.Item, error) {
	if !repository.ValidID(id) || v < 1 {
		return nil, fmt.Errorf("item %q version %d: %w", id, v, fault.Invalid)
	}
	r, err := s.readRecord(ctx, repository.RecordKey("items", id, v))
	if err != nil {
		return nil, err
	}
	if r.Item == nil {
		return nil, fmt.Errorf("record of item %s version %d holds no item: %w", id, v, fault.Invalid)
	}
	return r.Item, nil
}

// ItemsInCollection lists the items of a collection in identifier order,
// after the cursor, at most limit.
func (s *Store) ItemsInCollection(collection, after string, limit int) (repository.Page, error) {
	return s.scan(ixCollItems, collection, after, limit)
}

// ItemsOfInstitution lists an institution's items like ItemsInCollection.
func (s *Store) ItemsOfInstitution(institution, after string, limit int) (repository.Page, error) {
	return s.scan(ixInstItems, institution, after, limit)
}

// ItemsWithDigest returns the items that hold a file with this SHA-256.
func (s *Store) ItemsWithDigest(sha256 string) ([]string, error) {
	p, err := s.scan(ixDigest, sha256, "", 1000)
	return p.IDs, err
}

func (s *Store) scan(index []byte, key, after string, limit int) (repository.Page, error) {
	var p repository.Page
	err := s.view(func(tx *bbolt.Tx) error {
		prefix := join(key, "")
		c := tx.Bucket(index).Cursor()
		k, _ := c.Seek(join(key, after))
		if after != "" && k != nil && bytes.Equal(k, join(key, after)) {
			k, _ = c.Next()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(p.IDs) == limit {
				p.Next = p.IDs[len(p.IDs)-1]
				break
			}
			p.IDs = append(p.IDs, string(k[len(prefix):]))
		}
		return nil
	})
	return p, err
}

// Changes lists items by last modification, oldest first, from (inclusive)
// until (exclusive; zero: no end), after a cursor from a previous page.
func (s *Store) Changes(from, until time.Time, after string, limit int) ([]repository.Change, string, error) {
	return s.changes(ixModified, nil, from, until, after, limit)
}

// changes lists the entries of index under prefix whose keys go on with a
// time key, like Changes.
func (s *Store) changes(index, prefix []byte, from, until time.Time, after string, limit int) ([]repository.Change, string, error) {
	var out []repository.Change
	var next string
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(index).Cursor()
		var k []byte
		if after != "" {
			start := append(slices.Clip(prefix), after...)
			k, _ = c.Seek(start)
			if k != nil && bytes.Equal(k, start) {
				k, _ = c.Next()
			}
		} else if from.IsZero() {
			k, _ = c.Seek(prefix) // the zero time's nanoseconds overflow the key
		} else {
			k, _ = c.Seek(append(slices.Clip(prefix), timeKey(from, "")...))
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			k := k[len(prefix):]
			t := time.Unix(0, int64(beUint64(k))).UTC()
			if !until.IsZero() && !t.Before(until) {
				break
			}
			if len(out) == limit {
				next = string(timeKey(out[len(out)-1].Modified, out[len(out)-1].ID))
				break
			}
			out = append(out, repository.Change{Modified: t, ID: string(k[9:])})
		}
		return nil
	})
	return out, next, err
}

func beUint64(b []byte) uint64 {
	var v uint64
	for _, c := range b[:8] {
		v = v<<8 | uint64(c)
	}
	return v
}

// --- events ---

// Record appends events to the trail: each to storage, then to the index.
func (s *Store) Record(ctx context.Context, events ...repository.Event) error {
	return s.record(ctx, events...)
}

// record stores the events of one action as one record (one write), then
// indexes them in one transaction.
func (s *Store) record(ctx context.Context, events ...repository.Event) error {
	if len(events) == 0 {
		return nil
	}
	for i := range events {
		e := &events[i]
		if e.Time.IsZero() {
			e.Time = s.Now()
		}
		if e.ID == "" {
			e.ID = fmt.Sprintf("%016x-%s", e.Time.UnixNano(), newID()[:6])
		}
		if !repository.ValidID(e.Object) || e.Type == "" || e.Object != events[0].Object {
			return fmt.Errorf("events need one object and a type: %w", fault.Invalid)
		}
		// Agents are people (an e-mail address) or programs: a longer one
		// came from a visitor unchecked.
		if len(e.Type) > 64 || len(e.Agent) > 320 {
			return fmt.Errorf("an event's type or agent is too long: %w", fault.Invalid)
		}
	}
	key := eventKey(&events[0])
	if err := s.putRecord(ctx, key, record{Kind: "events", Events: events}); err != nil {
		return err
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		for i := range events {
			if err := putJSON(tx, bEvents, string(join(events[i].Object, events[i].ID)), &events[i]); err != nil {
				return err
			}
			if err := indexActivity(tx, &events[i]); err != nil {
				return err
			}
		}
		return logEvents(tx, key)
	}); err != nil {
		return err
	}
	s.announce()
	return nil
}

// ItemsInCollectionAt lists a collection's items from offset, at most limit,
// and their total.
func (s *Store) ItemsInCollectionAt(collection string, offset, limit int) ([]string, int, error) {
	return s.scanAt(ixCollItems, collection, offset, limit)
}

// ItemsOfInstitutionAt is ItemsInCollectionAt for a library.
func (s *Store) ItemsOfInstitutionAt(institution string, offset, limit int) ([]string, int, error) {
	return s.scanAt(ixInstItems, institution, offset, limit)
}

// ItemIDs lists every item the store holds, in identifier order, withdrawn
// and purged ones too.
func (s *Store) ItemIDs() ([]string, error) {
	var ids []string
	err := s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket(bItems).ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	return ids, err
}

// ItemIDsAfter lists at most limit items of the store in identifier order
// from the one after after ("": from the first), withdrawn and purged ones
// too: a seek, so a walk over every item holds a page at a time.
func (s *Store) ItemIDsAfter(after string, limit int) ([]string, error) {
	var ids []string
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bItems).Cursor()
		k, _ := c.Seek([]byte(after))
		if after != "" && k != nil && string(k) == after {
			k, _ = c.Next()
		}
		for ; k != nil && len(ids) < limit; k, _ = c.Next() {
			ids = append(ids, string(k))
		}
		return nil
	})
	return ids, err
}

func (s *Store) scanAt(index []byte, key string, offset, limit int) ([]string, int, error) {
	var ids []string
	total := 0
	err := s.view(func(tx *bbolt.Tx) error {
		prefix := join(key, "")
		c := tx.Bucket(index).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if total >= offset && len(ids) < limit {
				ids = append(ids, string(k[len(prefix):]))
			}
			total++
		}
		return nil
	})
	return ids, total, err
}

// Events returns the trail of one object, oldest first.
func (s *Store) Events(object string) ([]repository.Event, error) {
	var out []repository.Event
	err := s.view(func(tx *bbolt.Tx) error {
		prefix := join(object, "")
		c := tx.Bucket(bEvents).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var e repository.Event
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// ChangeCursor is the cursor that continues a Changes listing after c.
func ChangeCursor(c repository.Change) string { return string(timeKey(c.Modified, c.ID)) }

// ItemVersions lists the versions of an item's record kept in storage,
// oldest first.
func (s *Store) ItemVersions(ctx context.Context, id string) ([]int, error) {
	if !repository.ValidID(id) {
		return nil, fmt.Errorf("item %q: %w", id, fault.Invalid)
	}
	var vs []int
	err := s.blobs.List(ctx, "records/items/"+id+"/", func(i storage.Info) error {
		var v int
		if _, err := fmt.Sscanf(i.Key[strings.LastIndex(i.Key, "/")+1:], "v%d.json", &v); err == nil {
			vs = append(vs, v)
		}
		return nil
	})
	slices.Sort(vs)
	return vs, err
}

// Withdraw withdraws an item as archives do: it leaves every listing but
// stays as a tombstone that says when, why and by whom; its identifier is
// never given out again, and its files stay until Purge.
func (s *Store) Withdraw(ctx context.Context, id, by, reason string) error {
	it, err := s.Item(id)
	if err != nil {
		return err
	}
	if it.Deleted {
		return nil
	}
	it.Deleted = true
	it.Withdrawal = &repository.Withdrawal{Time: s.Now(), Reason: reason, By: by}
	return s.SaveItem(ctx, it, by, repository.Event{Type: "deaccession", Outcome: "success", Detail: reason})
}

// Purge removes the master files and derivatives of a withdrawn item that
// no other item holds, and records it; it returns how many blobs went.
func (s *Store) Purge(ctx context.Context, id, by string, blobs storage.Remover) (int, error) {
	it, err := s.Item(id)
	if err != nil {
		return 0, err
	}
	if !it.Deleted || it.Withdrawal == nil {
		return 0, fmt.Errorf("item %s is not withdrawn: withdraw it first, saying why: %w", id, fault.Invalid)
	}
	n := 0
	for _, f := range it.Files {
		if others, err := s.ItemsWithDigest(f.SHA256); err != nil {
			return n, err
		} else if len(others) > 0 {
			continue // another item holds the same file
		}
		keys := []string{storage.DigestKey(f.SHA256)}
		for _, k := range f.Derivatives {
			keys = append(keys, k)
		}
		for _, k := range keys {
			if err := blobs.Delete(ctx, k); err != nil {
				return n, err
			}
			n++
		}
	}
	it.Withdrawal.Purged = true
	return n, s.SaveItem(ctx, it, by, repository.Event{Type: "purge", Outcome: "success", Detail: fmt.Sprintf("%d blobs of the withdrawn item removed", n)})
}

// ReleaseEmbargoes ends the embargoes whose day has come: each item gets a
// new version (so harvesters see a new datestamp and Change Discovery an
// update), with an event. It returns how many were released. It reads the
// index of embargo dates up to now, and only the records that are due.
func (s *Store) ReleaseEmbargoes(ctx context.Context, now time.Time) (int, error) {
	items, collections, err := s.dueEmbargoes(now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range items {
		it, err := s.Item(id)
		if err != nil {
			return n, err
		}
		if it.Deleted || !it.Access.EmbargoEnded(now) {
			continue
		}
		was := it.Access.Embargo
		it.Access.Embargo = ""
		if err := s.SaveItem(ctx, it, "archive", repository.Event{Type: "access change", Outcome: "success", Detail: "embargo until " + was + " ended"}); err != nil {
			return n, err
		}
		n++
	}
	m, err := s.releaseCollections(ctx, now, collections)
	return n + m, err
}

// releaseCollections ends the collections' embargoes whose day has come,
// each as a new version (so followers of the change feed — the search
// index — hear that the items below are open).
func (s *Store) releaseCollections(ctx context.Context, now time.Time, due []string) (int, error) {
	n := 0
	for _, id := range due {
		c, err := s.Collection(id)
		if err != nil {
			return n, err
		}
		if c.Deleted || !c.Access.EmbargoEnded(now) {
			continue
		}
		c.Access.Embargo = ""
		if err := s.SaveCollection(ctx, c, "archive"); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// CollectionItems lists a collection's items from offset, at most limit,
// and their total: first its members in the order the archivist gave
// them, then (for an archival collection) the other items filed in it, in
// identifier order. A curated collection has its members only.
func (s *Store) CollectionItems(c *repository.Collection, offset, limit int) ([]string, int, error) {
	ids := c.Members
	if c.Level != repository.Curated {
		filed, _, err := s.ItemsInCollectionAt(c.ID, 0, 1<<30)
		if err != nil {
			return nil, 0, err
		}
		listed := make(map[string]bool, len(c.Members))
		for _, id := range c.Members {
			listed[id] = true
		}
		ids = slices.Clone(c.Members)
		for _, id := range filed {
			if !listed[id] {
				ids = append(ids, id)
			}
		}
	}
	total := len(ids)
	offset = min(max(offset, 0), total)
	return ids[offset:min(offset+limit, total)], total, nil
}

// exposure is a version of a record as far as anonymous visitors are
// concerned: its access, whether it is withdrawn, the collection it is
// filed under, when it was first published and when it was saved.
type exposure struct {
	access    repository.Access
	deleted   bool
	parent    string
	published time.Time
	saved     time.Time
}

// firstPublished is when a record was first readable by anonymous visitors (and
// so by harvesters), as a save at now decides it: the time the stored
// version old (nil if none) kept; else when old was saved, if it is
// readable (a record kept from before the time was recorded); else now, if
// next is readable; else never (zero).
func firstPublished(old *exposure, next exposure, now time.Time, get func(string) (*repository.Collection, error)) (time.Time, error) {
	if old != nil && !old.published.IsZero() {
		return old.published, nil
	}
	for _, e := range []*exposure{old, &next} {
		if e == nil {
			continue
		}
		open, err := e.open(now, get)
		if open || err != nil {
			return e.saved, err
		}
	}
	return time.Time{}, nil
}

// open reports whether anonymous visitors may read the record at now:
// it is not withdrawn, and neither it nor a collection above it is closed.
func (e *exposure) open(now time.Time, get func(string) (*repository.Collection, error)) (bool, error) {
	if e.deleted || !e.access.OpenAt(now) {
		return false, nil
	}
	for depth, parent := 0, e.parent; parent != ""; depth++ {
		if depth == repository.MaxDepth {
			return false, nil
		}
		c, err := get(parent)
		if errors.Is(err, fault.NotFound) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if !c.Access.OpenAt(now) {
			return false, nil
		}
		parent = c.Parent
	}
	return true, nil
}
