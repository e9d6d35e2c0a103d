package bolt

import (
	"context"
	"fmt"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// SaveUnit creates (Version 0) or changes unit c and files in it the items
// named in its Members that are elsewhere, as one change: the new versions
// of the unit and of every moved item are written to storage first, then
// registered in one transaction. A failure on the way registers nothing:
// the tree stays as it was, and the same save can be tried again. Items
// are moved at their current version (moving changes only where they are
// filed), and must be of the unit's library.
func (s *Store) SaveUnit(ctx context.Context, c *repository.Collection, agent string) error {
	if err := s.saveUnit(ctx, c, agent); err != nil {
		return err
	}
	return s.relist() // with the unit's locks let go (relist.go)
}

func (s *Store) saveUnit(ctx context.Context, c *repository.Collection, agent string) error {
	next := *c
	next.Members = slices.Clone(c.Members)
	if next.ID == "" {
		next.ID = s.freshID(bCollections)
	} else if !repository.ValidID(next.ID) {
		return fmt.Errorf("collection id %q: use 2–63 lower-case letters, digits and hyphens: %w", next.ID, fault.Invalid)
	}
	defer s.lockUnit(&next)()
	var old *repository.Collection
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
	now := s.Now()
	var was *exposure
	if old != nil {
		was = &exposure{old.Access, old.Deleted, old.Parent, old.Published, old.Modified}
	}
	var err error
	if next.Published, err = firstPublished(was, exposure{next.Access, next.Deleted, next.Parent, time.Time{}, now}, now, s.Collection); err != nil {
		return err
	}
	next.Version++
	next.Modified = now
	if old == nil {
		next.Created = now
	}
	moved, olds, err := s.unitMoves(&next, now)
	if err != nil {
		return err
	}
	if err := s.commitUnits(ctx, []unitChange{{old, &next, ""}}, moved, olds, agent); err != nil {
		return err
	}
	*c = next
	return nil
}

// unitChange is the next version of a unit, with the one it replaces (nil
// for a new unit) and what its event says ("": its version).
type unitChange struct {
	old, next *repository.Collection
	detail    string
}

// commitUnits writes the new records of units and items to storage, then
// registers them all in one transaction, then records their events. The
// versions are checked and the records locked by the caller.
func (s *Store) commitUnits(ctx context.Context, units []unitChange, moved, olds []*repository.Item, agent string) error {
	for _, u := range units {
		had := ""
		if u.old != nil {
			had = u.old.ARK
		}
		var err error
		if u.next.ARK, err = s.arkOf(had, u.next.Institution, u.next.ID, 'c'); err != nil {
			return err
		}
	}
	for _, it := range moved {
		var err error
		if it.ARK, err = s.arkOf(it.ARK, it.Institution, it.ID, 'i'); err != nil {
			return err
		}
	}
	for _, u := range units {
		if err := s.putRecord(ctx, repository.RecordKey("collections", u.next.ID, u.next.Version), record{Kind: "collection", Collection: u.next}); err != nil {
			return err
		}
	}
	for _, it := range moved {
		if err := s.putRecord(ctx, repository.RecordKey("items", it.ID, it.Version), record{Kind: "item", Item: it}); err != nil {
			return err
		}
	}
	err := s.update(func(tx *bbolt.Tx) error {
		for _, u := range units {
			if err := putJSON(tx, bCollections, u.next.ID, u.next); err != nil {
				return err
			}
			if err := indexCollection(tx, u.old, u.next); err != nil {
				return err
			}
			if err := appendFeed(tx, repository.FeedEntry{Time: u.next.Modified, Kind: "collection", ID: u.next.ID, Version: u.next.Version, Op: feedOp(u.old == nil, u.next.Deleted)}); err != nil {
				return err
			}
		}
		for i, it := range moved {
			if err := putJSON(tx, bItems, it.ID, it); err != nil {
				return err
			}
			if err := indexItem(tx, olds[i], it); err != nil {
				return err
			}
			if err := appendFeed(tx, repository.FeedEntry{Time: it.Modified, Kind: "item", ID: it.ID, Version: it.Version, Op: feedOp(false, false)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.gen.Add(1)
	s.announce()
	for _, u := range units {
		typ, detail := "creation", u.detail
		if u.old != nil {
			typ = "modification"
		}
		if detail == "" {
			detail = fmt.Sprintf("collection version %d", u.next.Version)
		}
		if err := s.record(ctx, repository.Event{Type: typ, Object: u.next.ID, Agent: agent, Outcome: "success", Detail: detail}); err != nil {
			return err
		}
	}
	for i, it := range moved {
		detail := fmt.Sprintf("metadata version %d, moved from %s to %s", it.Version, orTop(olds[i].Collection), it.Collection)
		if err := s.record(ctx, repository.Event{Type: "modification", Object: it.ID, Agent: agent, Outcome: "success", Detail: detail}); err != nil {
			return err
		}
	}
	return nil
}

// lockUnit locks unit c and the items it names for their save, and shared
// every unit above its parent, as lockCollection does.
func (s *Store) lockUnit(c *repository.Collection) (unlock func()) {
	mine := []string{"collection/" + c.ID}
	for _, id := range c.Members {
		mine = append(mine, "item/"+id)
	}
	for {
		up := s.ancestors(c.Parent)
		unlock := s.locks.lock(lockSet{mine: mine, on: up})
		if slices.Equal(up, s.ancestors(c.Parent)) {
			return unlock
		}
		unlock()
	}
}

// unitMoves reads the items unit c names and returns the next version of
// each that is filed elsewhere, with the version it replaces.
func (s *Store) unitMoves(c *repository.Collection, now time.Time) (moved, olds []*repository.Item, err error) {
	// The unit is not stored yet: its items' first publication asks this one.
	get := func(id string) (*repository.Collection, error) {
		if id == c.ID {
			return c, nil
		}
		return s.Collection(id)
	}
	seen := map[string]bool{}
	for _, id := range c.Members {
		if seen[id] {
			return nil, nil, fmt.Errorf("collection %s names item %s twice: %w", c.ID, id, fault.Invalid)
		}
		seen[id] = true
		old, err := s.Item(id)
		if err != nil || old.Deleted {
			return nil, nil, fmt.Errorf("collection %s: item %q: %w", c.ID, id, fault.Invalid)
		}
		if old.Institution != c.Institution {
			return nil, nil, fmt.Errorf("collection %s of %s cannot hold item %s of %s: %w", c.ID, c.Institution, id, old.Institution, fault.Invalid)
		}
		if old.Collection == c.ID {
			continue
		}
		it := *old
		it.Collection = c.ID
		it.Version++
		it.Modified = now
		if !now.After(old.Modified) {
			it.Modified = old.Modified.Add(time.Microsecond)
		}
		was := &exposure{old.Access, old.Deleted, old.Collection, old.Published, old.Modified}
		if it.Published, err = firstPublished(was, exposure{it.Access, it.Deleted, it.Collection, time.Time{}, it.Modified}, it.Modified, get); err != nil {
			return nil, nil, err
		}
		moved, olds = append(moved, &it), append(olds, old)
	}
	return moved, olds, nil
}
