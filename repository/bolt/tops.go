package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/repository"
)

// A library's top-level units, kept by listing tier as its items are
// (listed.go): its archival units (scope: the library) and its curated
// collections (scope "curated/" and the library), so that a library's
// page and the home page read the units they show, and their count, with a
// seek, however many units the archive holds. A unit is placed when it is
// saved, in the same transaction; its tiers are its own access's (a
// top-level unit has none above it).
var (
	ixTops      = []byte("ix_tops")       // scope \0 tier \0 unit
	ixTopsCount = []byte("ix_tops_count") // scope \0 tier → count (8 bytes)
)

// topScope is the listing a unit is in: none below the top level.
func topScope(c *repository.Collection) string {
	switch {
	case c == nil || c.Parent != "":
		return ""
	case c.Level == repository.Curated:
		return "curated/" + c.Institution
	}
	return c.Institution
}

// listTop places c among the top-level units after taking old (its stored
// version, or nil) out of the listings that no longer hold it.
func listTop(tx *bbolt.Tx, old, c *repository.Collection) error {
	b, counts := tx.Bucket(ixTops), tx.Bucket(ixTopsCount)
	if b == nil {
		return nil
	}
	now := time.Now()
	scope := topScope(c)
	var in []string
	if scope != "" {
		in = c.Access.Tiers(c.Deleted, now)
	}
	if was := topScope(old); was != "" {
		for _, t := range tiers {
			if was == scope && old.ID == c.ID && slices.Contains(in, t) {
				continue
			}
			if err := countKey(b, counts, listedKey(was, t, old.ID), false); err != nil {
				return err
			}
		}
	}
	for _, t := range in {
		if err := countKey(b, counts, listedKey(scope, t, c.ID), true); err != nil {
			return err
		}
	}
	return nil
}

// listTops fills the top-level units' listings from the units at the top
// (on opening a store of an earlier version without them).
func listTops(tx *bbolt.Tx) error {
	prefix := join("", "")
	c := tx.Bucket(ixChildren).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		var col repository.Collection
		if err := getJSON(tx, bCollections, string(k[len(prefix):]), &col); err != nil {
			return err
		}
		if err := listTop(tx, nil, &col); err != nil {
			return err
		}
	}
	return nil
}

// TopUnits returns library inst's top-level units that a listing tier
// shows — its curated collections, or else its archival units — in
// identifier order from the one after after ("": from the first), at most
// limit, and how many the tier shows.
func (s *Store) TopUnits(inst, tier string, curated bool, after string, limit int) ([]*repository.Collection, int, error) {
	return s.topUnits(inst, tier, curated, after, 0, limit)
}

// TopUnitsAt is TopUnits from the offset-th unit the tier shows: a step
// over the keys before it, none decoded.
func (s *Store) TopUnitsAt(inst, tier string, curated bool, offset, limit int) ([]*repository.Collection, int, error) {
	return s.topUnits(inst, tier, curated, "", offset, limit)
}

func (s *Store) topUnits(inst, tier string, curated bool, after string, offset, limit int) ([]*repository.Collection, int, error) {
	scope := inst
	if curated {
		scope = "curated/" + inst
	}
	var out []*repository.Collection
	total := 0
	err := s.view(func(tx *bbolt.Tx) error {
		prefix := listedKey(scope, tier, "")
		if v := tx.Bucket(ixTopsCount).Get(prefix[:len(prefix)-1]); v != nil {
			total = int(binary.BigEndian.Uint64(v))
		}
		c := tx.Bucket(ixTops).Cursor()
		k, _ := c.Seek(append(slices.Clone(prefix), after...))
		if after != "" && k != nil && string(k[len(prefix):]) == after {
			k, _ = c.Next()
		}
		for range offset {
			k, _ = c.Next()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, _ = c.Next() {
			v := tx.Bucket(bCollections).Get(k[len(prefix):])
			if v == nil {
				return fmt.Errorf("top-level unit %s is listed but not stored", k[len(prefix):])
			}
			var col repository.Collection
			if err := json.Unmarshal(v, &col); err != nil {
				return err
			}
			out = append(out, &col)
		}
		return nil
	})
	return out, total, err
}
