package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	bbolt "go.etcd.io/bbolt"
	"golang.org/x/sync/errgroup"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

var (
	bContainers = []byte("containers")
	// ixInstContainers: institution \x00 container id.
	ixInstContainers = []byte("ix_institution_containers")
	// ixContainerBarcode: institution \x00 barcode → container id.
	ixContainerBarcode = []byte("ix_container_barcodes")
	// ixContainerUnits: container id \x00 unit id, from the units'
	// descriptions (indexCollection).
	ixContainerUnits = []byte("ix_container_units")
	// ixContainerCount: container id → how many units are in it (uint32),
	// kept with ixContainerUnits so that a listing of boxes does not count.
	ixContainerCount = []byte("ix_container_counts")
)

// AddContainers registers new top containers together: each record and its
// creation event are written to storage first, then all are indexed in one
// transaction, as AddCollections does; a failure registers none. A
// container without an id is given one. A barcode the library uses already
// is a conflict.
func (s *Store) AddContainers(ctx context.Context, cs []*repository.Container, agent string) error {
	set := lockSet{}
	codes := map[string]bool{}
	for _, c := range cs {
		if c.ID == "" {
			c.ID = s.freshID(bContainers)
		}
		if c.Version != 0 || !repository.ValidID(c.ID) {
			return fmt.Errorf("container %q: only new containers with a well-formed id are added: %w", c.ID, fault.Invalid)
		}
		if err := c.Validate(); err != nil {
			return err
		}
		if c.Barcode != "" {
			key := barcodeLock(c)
			if codes[key] {
				return fmt.Errorf("barcode %q is twice in one batch of %s: %w", c.Barcode, c.Institution, fault.Conflict)
			}
			codes[key] = true
			set.mine = append(set.mine, key)
		}
		set.mine = append(set.mine, "container/"+c.ID)
	}
	defer s.locks.lock(set)()
	// Checked under the barcodes' locks: two imports naming one new
	// barcode at once make one box, and the other is refused.
	for _, c := range cs {
		if _, err := s.ContainerByBarcode(c.Institution, c.Barcode); c.Barcode != "" && err == nil {
			return fmt.Errorf("barcode %q is already a container's in %s: %w", c.Barcode, c.Institution, fault.Conflict)
		}
	}
	now := s.Now()
	events := make([]repository.Event, len(cs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, c := range cs {
		if _, err := s.Container(c.ID); err == nil {
			return fmt.Errorf("container %s exists already: %w", c.ID, fault.Conflict)
		}
		c.Version, c.Created, c.Modified = 1, now, now
		events[i] = repository.Event{Time: now, ID: fmt.Sprintf("%016x-%s", now.UnixNano(), newID()[:6]), Type: "creation", Object: c.ID, Agent: agent, Outcome: "success", Detail: "container " + c.Name()}
		g.Go(func() error {
			if err := s.putRecord(gctx, repository.RecordKey("containers", c.ID, 1), record{Kind: "container", Container: c}); err != nil {
				return err
			}
			e := events[i]
			return s.putRecord(gctx, eventKey(&e), record{Kind: "events", Events: []repository.Event{e}})
		})
	}
	err := g.Wait()
	if err == nil {
		err = s.update(func(tx *bbolt.Tx) error {
			for i, c := range cs {
				if err := insertContainer(tx, nil, c); err != nil {
					return err
				}
				if err := putJSON(tx, bEvents, string(join(c.ID, events[i].ID)), &events[i]); err != nil {
					return err
				}
				if err := appendFeed(tx, repository.FeedEntry{Time: now, Kind: "container", ID: c.ID, Version: 1, Op: repository.OpCreate}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		for _, c := range cs {
			c.Version = 0
		}
		return err
	}
	s.announce()
	return nil
}

// SaveContainer stores the next version of a container (its version must be
// the stored one): storage first, then the index and the change feed, then
// the events, whose object is the container.
func (s *Store) SaveContainer(ctx context.Context, c *repository.Container, agent string, events ...repository.Event) error {
	next := *c
	if err := next.Validate(); err != nil {
		return err
	}
	set := lockSet{mine: []string{"container/" + next.ID}}
	if next.Barcode != "" {
		set.mine = append(set.mine, barcodeLock(&next))
	}
	defer s.locks.lock(set)()
	old, err := s.Container(next.ID)
	if err != nil {
		return err
	}
	if old.Version != next.Version {
		return fmt.Errorf("container %s was changed by someone else (now version %d, yours %d): %w", next.ID, old.Version, next.Version, fault.Conflict)
	}
	if old.Institution != next.Institution {
		return fmt.Errorf("container %s stays with its library %s: %w", next.ID, old.Institution, fault.Invalid)
	}
	if next.Barcode != "" && next.Barcode != old.Barcode {
		if _, err := s.ContainerByBarcode(next.Institution, next.Barcode); err == nil {
			return fmt.Errorf("barcode %q is already a container's in %s: %w", next.Barcode, next.Institution, fault.Conflict)
		}
	}
	next.Version++
	next.Modified = s.Now()
	if err := s.putRecord(ctx, repository.RecordKey("containers", next.ID, next.Version), record{Kind: "container", Container: &next}); err != nil {
		return err
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		if err := insertContainer(tx, old, &next); err != nil {
			return err
		}
		return appendFeed(tx, repository.FeedEntry{Time: next.Modified, Kind: "container", ID: next.ID, Version: next.Version, Op: repository.OpUpdate})
	}); err != nil {
		return err
	}
	s.announce()
	*c = next
	for i := range events {
		events[i].Object = next.ID
		if events[i].Agent == "" {
			events[i].Agent = agent
		}
	}
	return s.record(ctx, events...)
}

// barcodeLock names a library's barcode among the record locks, so that
// the saves that would give it to a container follow each other.
func barcodeLock(c *repository.Container) string {
	return "container-barcode/" + c.Institution + "/" + c.Barcode
}

func insertContainer(tx *bbolt.Tx, old, c *repository.Container) error {
	if old != nil && old.Barcode != "" {
		if err := unindex(tx, ixContainerBarcode, join(old.Institution, old.Barcode)); err != nil {
			return err
		}
	}
	if err := putJSON(tx, bContainers, c.ID, c); err != nil {
		return err
	}
	if c.Barcode != "" {
		if err := tx.Bucket(ixContainerBarcode).Put(join(c.Institution, c.Barcode), []byte(c.ID)); err != nil {
			return err
		}
	}
	return tx.Bucket(ixInstContainers).Put(join(c.Institution, c.ID), nil)
}

// Container returns one container.
func (s *Store) Container(id string) (*repository.Container, error) {
	var c repository.Container
	if err := s.view(func(tx *bbolt.Tx) error { return getJSON(tx, bContainers, id, &c) }); err != nil {
		return nil, err
	}
	return &c, nil
}

// ContainerByBarcode returns the library's container with a barcode.
func (s *Store) ContainerByBarcode(institution, barcode string) (*repository.Container, error) {
	var c repository.Container
	err := s.view(func(tx *bbolt.Tx) error {
		id := tx.Bucket(ixContainerBarcode).Get(join(institution, barcode))
		if id == nil {
			return fmt.Errorf("no container with barcode %q in %s: %w", barcode, institution, fault.NotFound)
		}
		return getJSON(tx, bContainers, string(id), &c)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// ContainersOf lists a library's containers with how many units are in
// each, in identifier order.
func (s *Store) ContainersOf(institution string) ([]repository.BoxCount, error) {
	var out []repository.BoxCount
	prefix := join(institution, "")
	err := s.view(func(tx *bbolt.Tx) error {
		counts := tx.Bucket(ixContainerCount)
		c := tx.Bucket(ixInstContainers).Cursor()
		for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
			var box repository.Container
			id := string(k[len(prefix):])
			if err := getJSON(tx, bContainers, id, &box); err != nil {
				return err
			}
			n := 0
			if v := counts.Get([]byte(id)); len(v) == 4 {
				n = int(binary.BigEndian.Uint32(v))
			}
			out = append(out, repository.BoxCount{Container: &box, Units: n})
		}
		return nil
	})
	return out, err
}

// UnitsIn lists the units whose description names a container, in no
// particular order.
func (s *Store) UnitsIn(container string) ([]*repository.Collection, error) {
	var out []*repository.Collection
	prefix := join(container, "")
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(ixContainerUnits).Cursor()
		for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
			var u repository.Collection
			if err := getJSON(tx, bCollections, string(k[len(prefix):]), &u); err != nil {
				return err
			}
			out = append(out, &u)
		}
		return nil
	})
	return out, err
}

// indexUnitContainers keeps ixContainerUnits and the counts beside it
// true to a unit's new state (nil old: a new unit; a deleted unit is in no
// container).
func indexUnitContainers(tx *bbolt.Tx, old, c *repository.Collection) error {
	was, now := topsOf(old), topsOf(c)
	if old != nil && old.Deleted {
		was = nil
	}
	if c.Deleted {
		now = nil
	}
	for top := range was {
		if !now[top] {
			if err := countUnit(tx, top, c.ID, -1); err != nil {
				return err
			}
		}
	}
	for top := range now {
		if !was[top] {
			if err := countUnit(tx, top, c.ID, +1); err != nil {
				return err
			}
		}
	}
	return nil
}

func countUnit(tx *bbolt.Tx, top, unit string, delta int) error {
	units, counts := tx.Bucket(ixContainerUnits), tx.Bucket(ixContainerCount)
	key := join(top, unit)
	if (units.Get(key) != nil) == (delta > 0) {
		return nil // already so (a rebuild reads each unit once, a replica may not)
	}
	n := 0
	if v := counts.Get([]byte(top)); len(v) == 4 {
		n = int(binary.BigEndian.Uint32(v))
	}
	n = max(n+delta, 0)
	var v [4]byte
	binary.BigEndian.PutUint32(v[:], uint32(n))
	if err := counts.Put([]byte(top), v[:]); err != nil {
		return err
	}
	if delta > 0 {
		return units.Put(key, nil)
	}
	return unindex(tx, ixContainerUnits, key)
}

func topsOf(c *repository.Collection) map[string]bool {
	if c == nil || c.Description == nil {
		return nil
	}
	tops := map[string]bool{}
	for _, r := range c.Description.Containers {
		if r.Top != "" {
			tops[r.Top] = true
		}
	}
	return tops
}
