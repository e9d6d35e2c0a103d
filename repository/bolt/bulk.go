package bolt

import (
	"context"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"
	"golang.org/x/sync/errgroup"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// AddCollections creates many new collections at once (an imported finding
// aid), in the order given: a parent comes before its children, and may be
// among them or already stored. Each gets an identifier if it has none. The
// records and their creation events are stored first, a few at a time,
// then all are registered in one transaction: the tree appears whole or
// not at all.
func (s *Store) AddCollections(ctx context.Context, cols []*repository.Collection, agent string) error {
	// Every new unit is locked, and shared the stored parents they go in.
	set := lockSet{}
	fresh := map[string]bool{}
	for _, c := range cols {
		if c.ID == "" {
			for c.ID = s.freshID(bCollections); fresh[c.ID]; c.ID = s.freshID(bCollections) {
			}
			fresh[c.ID] = true
		}
		set.mine = append(set.mine, "collection/"+c.ID)
		if c.Parent != "" {
			set.on = append(set.on, "collection/"+c.Parent)
		}
	}
	defer s.locks.lock(set)()
	now := s.Now()
	batch := map[string]*repository.Collection{}
	for _, c := range cols {
		if c.Version != 0 {
			return fmt.Errorf("collection %s: only new collections are added together: %w", c.ID, fault.Invalid)
		}
		if !repository.ValidID(c.ID) {
			return fmt.Errorf("collection id %q: use 2–63 lower-case letters, digits and hyphens: %w", c.ID, fault.Invalid)
		}
		if _, err := s.Collection(c.ID); err == nil || batch[c.ID] != nil {
			return fmt.Errorf("collection %s exists already: %w", c.ID, fault.Conflict)
		}
		if c.Parent != "" && batch[c.Parent] == nil {
			parent, err := s.Collection(c.Parent)
			if err != nil {
				return fmt.Errorf("collection %s: parent %q: %w", c.ID, c.Parent, fault.Invalid)
			}
			if parent.Institution != c.Institution {
				return fmt.Errorf("collection %s of %s cannot be inside %s, a collection of %s: %w", c.ID, c.Institution, parent.ID, parent.Institution, fault.Invalid)
			}
		} else if p := batch[c.Parent]; p != nil && p.Institution != c.Institution {
			return fmt.Errorf("collection %s of %s cannot be inside %s, a collection of %s: %w", c.ID, c.Institution, p.ID, p.Institution, fault.Invalid)
		}
		parent := c.Parent
		c.Parent = "" // checked above; checkCollection would look for it in the store
		err := s.checkCollection(c)
		c.Parent = parent
		if err != nil {
			return err
		}
		inBatch := func(id string) (*repository.Collection, error) {
			if b := batch[id]; b != nil {
				return b, nil
			}
			return s.Collection(id)
		}
		if c.Published, err = firstPublished(nil, exposure{c.Access, c.Deleted, c.Parent, time.Time{}, now}, now, inBatch); err != nil {
			return err
		}
		c.Version, c.Created, c.Modified = 1, now, now
		if c.ARK, err = s.arkOf(c.ARK, c.Institution, c.ID, 'c'); err != nil {
			return err
		}
		batch[c.ID] = c
	}
	events := make([]repository.Event, len(cols))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, c := range cols {
		events[i] = repository.Event{Time: now, ID: fmt.Sprintf("%016x-%s", now.UnixNano(), newID()[:6]), Type: "creation", Object: c.ID, Agent: agent, Outcome: "success", Detail: "collection version 1"}
		g.Go(func() error {
			if err := s.putRecord(gctx, repository.RecordKey("collections", c.ID, 1), record{Kind: "collection", Collection: c}); err != nil {
				return err
			}
			e := events[i]
			return s.putRecord(gctx, eventKey(&e), record{Kind: "events", Events: []repository.Event{e}})
		})
	}
	if err := g.Wait(); err != nil {
		for _, c := range cols {
			c.Version = 0
		}
		return err
	}
	err := s.update(func(tx *bbolt.Tx) error {
		for i, c := range cols {
			if err := putJSON(tx, bCollections, c.ID, c); err != nil {
				return err
			}
			if err := indexCollection(tx, nil, c); err != nil {
				return err
			}
			if err := putJSON(tx, bEvents, string(join(c.ID, events[i].ID)), &events[i]); err != nil {
				return err
			}
			if err := appendFeed(tx, repository.FeedEntry{Time: now, Kind: "collection", ID: c.ID, Version: 1, Op: feedOp(true, false)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for _, c := range cols {
			c.Version = 0
		}
		return err
	}
	s.gen.Add(1)
	s.announce()
	return nil
}
