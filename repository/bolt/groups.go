package bolt

import (
	"context"
	"fmt"
	"slices"
	"strings"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

var (
	// bGroups: id → the group's newest version, tombstones too.
	bGroups = []byte("groups")
	// ixGroupUser: user \x00 group id, for the owner and each member of
	// the groups not deleted: a person's groups without reading them all.
	ixGroupUser = []byte("ix_groups_by_user")
)

// SaveGroup creates (Version 0, a fresh id when it has none) or changes a
// group, versioned like every record: storage first, then the index and
// the change feed. A change must carry the version it was read at
// (fault.Conflict otherwise).
func (s *Store) SaveGroup(ctx context.Context, g *repository.Group) error {
	next := *g
	next.Members = slices.Clone(g.Members)
	if next.ID == "" && next.Version == 0 {
		next.ID = s.freshID(bGroups)
	}
	if err := next.Validate(); err != nil {
		return err
	}
	defer s.locks.lock(lockSet{mine: []string{"group/" + next.ID}})()
	var old *repository.Group
	if o, err := s.Group(next.ID); err == nil {
		if o.Version != next.Version || o.Deleted {
			return fmt.Errorf("group %s was changed by someone else: %w", next.ID, fault.Conflict)
		}
		old = o
	} else if next.Version != 0 {
		return err
	}
	now := s.Now()
	next.Version++
	next.Modified = now
	if old == nil {
		next.Created = now
	}
	if err := s.putRecord(ctx, repository.RecordKey("groups", next.ID, next.Version), record{Kind: "group", Group: &next}); err != nil {
		return err
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		if err := insertGroup(tx, old, &next); err != nil {
			return err
		}
		return appendFeed(tx, repository.FeedEntry{Time: now, Kind: "group", ID: next.ID, Version: next.Version, Op: feedOp(old == nil, next.Deleted)})
	}); err != nil {
		return err
	}
	s.announce()
	*g = next
	return nil
}

// people are the owner and members of a group not deleted.
func people(g *repository.Group) []string {
	if g == nil || g.Deleted {
		return nil
	}
	return append([]string{g.Owner}, g.Members...)
}

// insertGroup stores g's newest version and indexes its people in place
// of old's (nil: none).
func insertGroup(tx *bbolt.Tx, old, g *repository.Group) error {
	for _, u := range people(old) {
		if err := unindex(tx, ixGroupUser, join(u, old.ID)); err != nil {
			return err
		}
	}
	if err := putJSON(tx, bGroups, g.ID, g); err != nil {
		return err
	}
	for _, u := range people(g) {
		if err := tx.Bucket(ixGroupUser).Put(join(u, g.ID), nil); err != nil {
			return err
		}
	}
	return nil
}

// Group returns a group's newest version, a tombstone too.
func (s *Store) Group(id string) (*repository.Group, error) {
	var g repository.Group
	if err := s.view(func(tx *bbolt.Tx) error { return getJSON(tx, bGroups, id, &g) }); err != nil {
		return nil, err
	}
	return &g, nil
}

// GroupIDsOf lists the ids of the groups user owns or is a member of,
// from the index alone: every request of a signed-in person reads it.
func (s *Store) GroupIDsOf(user string) ([]string, error) {
	var out []string
	prefix := join(user, "")
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(ixGroupUser).Cursor()
		for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
			out = append(out, string(k[len(prefix):]))
		}
		return nil
	})
	return out, err
}

// GroupsOf returns the groups user owns or is a member of, read in one
// transaction, in the order of their ids.
func (s *Store) GroupsOf(user string) ([]*repository.Group, error) {
	ids, err := s.GroupIDsOf(user)
	if err != nil {
		return nil, err
	}
	out := make([]*repository.Group, len(ids))
	err = s.view(func(tx *bbolt.Tx) error {
		for i, id := range ids {
			out[i] = new(repository.Group)
			if err := getJSON(tx, bGroups, id, out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
