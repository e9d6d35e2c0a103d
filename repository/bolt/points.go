package bolt

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"
	"golang.org/x/sync/errgroup"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

var (
	bPoints = []byte("points")
	// ixPointKey: a point's keys (repository.Point.Keys) → its id.
	ixPointKey = []byte("ix_point_keys")
	// ixPointLinks: point \x00 "c" or "i" \x00 unit or item that names it.
	ixPointLinks = []byte("ix_point_links")
	// ixLibraryPoints: library \x00 point \x00 "c" or "i" \x00 unit or item.
	ixLibraryPoints = []byte("ix_library_points")
)

// SavePoint creates (Version 0, ID "" for a fresh one) or updates an
// access point, versioned like every record: storage first, then the index
// and the change feed (so that replicas take it in).
// A point whose keys another point holds is refused as a conflict (merge
// them instead).
func (s *Store) SavePoint(ctx context.Context, p *repository.Point, agent string, events ...repository.Event) error {
	next := *p
	if next.ID == "" {
		next.ID = s.freshID(bPoints)
	} else if !repository.ValidID(next.ID) {
		return fmt.Errorf("access point id %q: %w", next.ID, fault.Invalid)
	}
	if err := next.Validate(); err != nil {
		return err
	}
	defer s.locks.lock(lockSet{mine: []string{"point/" + next.ID}, on: []string{"points"}})()
	var old *repository.Point
	if o, err := s.Point(next.ID); err == nil {
		if o.Version != next.Version {
			return fmt.Errorf("access point %s was changed by someone else: %w", next.ID, fault.Conflict)
		}
		old = o
	} else if next.Version != 0 {
		return err
	}
	if next.MergedInto == "" {
		for _, k := range next.Keys() {
			if id, err := s.pointByKey(k); err == nil && id != next.ID {
				return fmt.Errorf("access point %s is the same as %s (same identifier or heading): merge them: %w", next.ID, id, fault.Conflict)
			}
		}
	}
	now := s.Now()
	next.Version++
	next.Modified = now
	if old == nil {
		next.Created = now
	}
	if err := s.putRecord(ctx, repository.RecordKey("points", next.ID, next.Version), record{Kind: "point", Point: &next}); err != nil {
		return err
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		if err := insertPoint(tx, old, &next); err != nil {
			return err
		}
		return appendFeed(tx, repository.FeedEntry{Time: now, Kind: "point", ID: next.ID, Version: next.Version, Op: feedOp(old == nil, false)})
	}); err != nil {
		return err
	}
	s.announce()
	*p = next
	for i := range events {
		events[i].Object = next.ID
		if events[i].Agent == "" {
			events[i].Agent = agent
		}
	}
	return s.record(ctx, events...)
}

// insertPoint registers a point and its keys in place of old's; a merged
// point's keys name the point it was merged into.
func insertPoint(tx *bbolt.Tx, old, p *repository.Point) error {
	ix := tx.Bucket(ixPointKey)
	if old != nil {
		for _, k := range old.Keys() {
			if string(ix.Get([]byte(k))) == old.ID {
				if err := ix.Delete([]byte(k)); err != nil {
					return err
				}
			}
		}
	}
	target := p.ID
	if p.MergedInto != "" {
		target = p.MergedInto // its headings and identifier find the point it is now
	}
	for _, k := range p.Keys() {
		if cur := ix.Get([]byte(k)); cur == nil || string(cur) == p.ID {
			if err := ix.Put([]byte(k), []byte(target)); err != nil {
				return err
			}
		}
	}
	return putJSON(tx, bPoints, p.ID, p)
}

// Point returns one access point (merged ones too: see MergedInto).
func (s *Store) Point(id string) (*repository.Point, error) {
	var p repository.Point
	if err := s.view(func(tx *bbolt.Tx) error { return getJSON(tx, bPoints, id, &p) }); err != nil {
		return nil, err
	}
	return &p, nil
}

// SamePoint returns the point that is the same as p (by its identifier, or
// its normalized heading in the same source and kind).
func (s *Store) SamePoint(p *repository.Point) (*repository.Point, error) {
	for _, k := range p.Keys() {
		id, err := s.pointByKey(k)
		if err == nil {
			return s.Point(id)
		}
		if !errors.Is(err, fault.NotFound) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("no access point like %q: %w", p.Heading.Get(""), fault.NotFound)
}

func (s *Store) pointByKey(k string) (string, error) {
	var id string
	err := s.view(func(tx *bbolt.Tx) error {
		if v := tx.Bucket(ixPointKey).Get([]byte(k)); v != nil {
			id = string(v)
		}
		return nil
	})
	if err == nil && id == "" {
		err = fmt.Errorf("access point key: %w", fault.NotFound)
	}
	return id, err
}

// PointLinks lists the units and the items that name a point.
func (s *Store) PointLinks(id string) (units, items []string, err error) {
	prefix := id + "\x00"
	err = s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(ixPointLinks).Cursor()
		for k, _ := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, _ = c.Next() {
			kind, obj, _ := strings.Cut(string(k[len(prefix):]), "\x00")
			if kind == "c" {
				units = append(units, obj)
			} else {
				items = append(items, obj)
			}
		}
		return nil
	})
	return units, items, err
}

// indexPointLinks replaces the links a unit ("c") or item ("i") of a
// library had to access points by those it has now (none when deleted).
func indexPointLinks(tx *bbolt.Tx, kind, id, oldLib, lib string, old, now []repository.PointRef) error {
	b, l := tx.Bucket(ixPointLinks), tx.Bucket(ixLibraryPoints)
	for _, r := range old {
		if err := b.Delete([]byte(r.Point + "\x00" + kind + "\x00" + id)); err != nil {
			return err
		}
		if err := l.Delete([]byte(oldLib + "\x00" + r.Point + "\x00" + kind + "\x00" + id)); err != nil {
			return err
		}
	}
	for _, r := range now {
		if r.Point == "" {
			continue
		}
		if err := b.Put([]byte(r.Point+"\x00"+kind+"\x00"+id), nil); err != nil {
			return err
		}
		if err := l.Put([]byte(lib+"\x00"+r.Point+"\x00"+kind+"\x00"+id), nil); err != nil {
			return err
		}
	}
	return nil
}

// LibraryPoints lists the access points a library's units or items name.
func (s *Store) LibraryPoints(library string) ([]*repository.Point, error) {
	var out []*repository.Point
	prefix := library + "\x00"
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(ixLibraryPoints).Cursor()
		last := ""
		for k, _ := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, _ = c.Next() {
			id, _, _ := strings.Cut(string(k[len(prefix):]), "\x00")
			if id == last {
				continue
			}
			last = id
			var p repository.Point
			if err := getJSON(tx, bPoints, id, &p); errors.Is(err, fault.NotFound) {
				continue // named, but not (yet) made
			} else if err != nil {
				return err
			}
			out = append(out, &p)
		}
		return nil
	})
	return out, err
}

// collectionPoints are the points a unit names, none when it is deleted.
func collectionPoints(c *repository.Collection) []repository.PointRef {
	if c == nil || c.Deleted || c.Description == nil {
		return nil
	}
	return c.Description.Points
}

// itemPoints are the points an item names, none when it is deleted.
func itemPoints(it *repository.Item) []repository.PointRef {
	if it == nil || it.Deleted {
		return nil
	}
	return it.Points
}

// AddPoints creates many new access points at once (those an imported
// finding aid names): their records and creation events are stored first,
// a few at a time, then all are registered in one transaction. A point
// another one already is (by its keys) is refused as a conflict.
func (s *Store) AddPoints(ctx context.Context, pts []*repository.Point, agent string) error {
	set := lockSet{on: []string{"points"}}
	fresh := map[string]bool{}
	for _, p := range pts {
		for p.ID = s.freshID(bPoints); fresh[p.ID]; p.ID = s.freshID(bPoints) {
		}
		fresh[p.ID] = true
		set.mine = append(set.mine, "point/"+p.ID)
	}
	defer s.locks.lock(set)()
	// undo leaves the points as they were given when nothing is made.
	undo := func(err error) error {
		for _, p := range pts {
			p.ID, p.Version, p.Created, p.Modified = "", 0, time.Time{}, time.Time{}
		}
		return err
	}
	now := s.Now()
	taken := map[string]string{}
	for _, p := range pts {
		if err := p.Validate(); err != nil {
			return undo(err)
		}
		for _, k := range p.Keys() {
			id, err := s.pointByKey(k)
			if err == nil || taken[k] != "" {
				return undo(fmt.Errorf("access point %q is the same as %s: %w", p.Heading.Get(""), cmpOr(id, taken[k]), fault.Conflict))
			}
			if !errors.Is(err, fault.NotFound) {
				return undo(err)
			}
			taken[k] = p.ID
		}
		p.Version, p.Created, p.Modified = 1, now, now
	}
	events := make([]repository.Event, len(pts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, p := range pts {
		events[i] = repository.Event{Time: now, ID: fmt.Sprintf("%016x-%s", now.UnixNano(), newID()[:6]), Type: "creation", Object: p.ID, Agent: agent, Outcome: "success", Detail: "access point version 1"}
		g.Go(func() error {
			if err := s.putRecord(gctx, repository.RecordKey("points", p.ID, 1), record{Kind: "point", Point: p}); err != nil {
				return err
			}
			e := events[i]
			return s.putRecord(gctx, eventKey(&e), record{Kind: "events", Events: []repository.Event{e}})
		})
	}
	if err := g.Wait(); err != nil {
		return undo(err)
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		for i, p := range pts {
			if err := insertPoint(tx, nil, p); err != nil {
				return err
			}
			if err := putJSON(tx, bEvents, string(join(p.ID, events[i].ID)), &events[i]); err != nil {
				return err
			}
			if err := appendFeed(tx, repository.FeedEntry{Time: now, Kind: "point", ID: p.ID, Version: 1, Op: feedOp(true, false)}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return undo(err)
	}
	s.announce()
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func institutionOf(c *repository.Collection) string {
	if c == nil {
		return ""
	}
	return c.Institution
}

func itemInstitution(it *repository.Item) string {
	if it == nil {
		return ""
	}
	return it.Institution
}
