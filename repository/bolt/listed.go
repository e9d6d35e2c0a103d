package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// A library's listings, and a unit's of the items filed in it, kept by
// tier (repository.Tiers): the items each tier shows, in identifier
// order, and how many. An item is placed when it
// is saved, and the items below a unit again when the unit's access or
// place changes, in the same transaction; so a listing's first page and
// its count are a seek, whoever asks and however large the library.
var (
	ixListed      = []byte("ix_listed")       // library or unit scope \0 tier \0 item
	ixListedCount = []byte("ix_listed_count") // scope \0 tier → count (8 bytes)
	tiers         = []string{repository.TierAnyone, repository.TierMembers, repository.TierStaff}
)

// unitTiers is what listing the items below a unit reads of it: the tiers
// its access allows, and the unit above it.
type unitTiers struct {
	tiers  []string
	parent string
	found  bool
}

// itemTiers are the tiers that list it: those its own access and that of
// every unit above it share. An item below a unit the store does not have
// is listed by none (access finds it nowhere either). units keeps what was
// read of each unit, for the items of one pass.
func itemTiers(tx *bbolt.Tx, it *repository.Item, now time.Time, units map[string]unitTiers) ([]string, error) {
	out := it.Access.Tiers(it.Deleted, now)
	for depth, parent := 0, it.Collection; parent != "" && len(out) > 0; depth++ {
		if depth == 1024 { // access.inherit's bound: past it, closed to all but the library
			return slices.DeleteFunc(out, func(t string) bool { return t == repository.TierAnyone }), nil
		}
		u, ok := units[parent]
		if !ok {
			var c repository.Collection
			err := getJSON(tx, bCollections, parent, &c)
			if err != nil && !errors.Is(err, fault.NotFound) {
				return nil, err
			}
			u = unitTiers{c.Access.Tiers(false, now), c.Parent, err == nil}
			units[parent] = u
		}
		if !u.found {
			return nil, nil
		}
		out = slices.DeleteFunc(out, func(t string) bool { return !slices.Contains(u.tiers, t) })
		parent = u.parent
	}
	return out, nil
}

// listItem places it in its library's listings, after taking old (its
// stored version, or nil) out of those that no longer list it. Nothing is
// done while the listings are filled in bulk (listAll follows).
func listItem(tx *bbolt.Tx, old, it *repository.Item, units map[string]unitTiers) error {
	b := tx.Bucket(ixListed)
	if b == nil {
		return nil
	}
	in, err := itemTiers(tx, it, time.Now(), units)
	if err != nil {
		return err
	}
	if old != nil {
		keep := listScopes(it)
		for _, scope := range listScopes(old) {
			for _, t := range tiers {
				if old.ID == it.ID && slices.Contains(keep, scope) && slices.Contains(in, t) {
					continue
				}
				if err := countListed(tx, b, listedKey(scope, t, old.ID), false); err != nil {
					return err
				}
			}
		}
	}
	for _, scope := range listScopes(it) {
		for _, t := range in {
			if err := countListed(tx, b, listedKey(scope, t, it.ID), true); err != nil {
				return err
			}
		}
	}
	return nil
}

// listScopes are the listings an item is in: its library's, and the unit's
// it is filed in ("unit/" and the unit's identifier, which no library's
// can be).
func listScopes(it *repository.Item) []string {
	if it.Collection == "" {
		return []string{it.Institution}
	}
	return []string{it.Institution, listedUnit(it.Collection)}
}

func listedUnit(unit string) string { return "unit/" + unit }

func listedKey(inst, tier, id string) []byte { return []byte(inst + "\x00" + tier + "\x00" + id) }

// countListed is countKey in the items' listings.
func countListed(tx *bbolt.Tx, b *bbolt.Bucket, key []byte, put bool) error {
	return countKey(b, tx.Bucket(ixListedCount), key, put)
}

// countKey puts (or deletes) key in b and keeps its listing's count in
// counts (under the key up to its last \0), which changes only when the
// key comes or goes.
func countKey(b, counts *bbolt.Bucket, key []byte, put bool) error {
	if had := b.Get(key) != nil; had == put {
		return nil
	}
	var err error
	if put {
		err = b.Put(key, nil)
	} else {
		err = b.Delete(key)
	}
	if err != nil {
		return err
	}
	ck := key[:bytes.LastIndexByte(key, 0)]
	n := int64(0)
	if v := counts.Get(ck); v != nil {
		n = int64(binary.BigEndian.Uint64(v))
	}
	if put {
		n++
	} else {
		n--
	}
	if n <= 0 {
		return counts.Delete(ck)
	}
	return counts.Put(ck, binary.BigEndian.AppendUint64(nil, uint64(n)))
}

// listBelow places again every item in unit id and in the units below it,
// whose access or place changed.
func listBelow(tx *bbolt.Tx, id string) error {
	if tx.Bucket(ixListed) == nil {
		return nil
	}
	read := map[string]unitTiers{}
	units := []string{id}
	for depth := 0; len(units) > 0 && depth < 1024; depth++ {
		var next []string
		for _, u := range units {
			for _, k := range keysUnder(tx, ixCollItems, u) {
				var it repository.Item
				if err := getJSON(tx, bItems, k, &it); err != nil {
					return err
				}
				if err := listItem(tx, &it, &it, read); err != nil {
					return err
				}
			}
			next = append(next, keysUnder(tx, ixChildren, u)...)
		}
		units = next
	}
	return nil
}

// keysUnder lists what follows prefix\0 in an index's keys.
func keysUnder(tx *bbolt.Tx, index []byte, prefix string) []string {
	var out []string
	p := join(prefix, "")
	c := tx.Bucket(index).Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		out = append(out, string(k[len(p):]))
	}
	return out
}

// dropListed empties the listings before they are filled in bulk.
func dropListed(tx *bbolt.Tx) error {
	for _, b := range [][]byte{ixListed, ixListedCount} {
		if tx.Bucket(b) != nil {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// listAll fills the listings from every item (on opening a store without
// them, and after a rebuild has registered every record). Items come in
// identifier order, so each listing's items do too: they are gathered by
// listing and written one listing after another, in key order (bbolt
// splits its pages only at commit: keys put out of order into one
// transaction shift ever longer slices).
func listAll(tx *bbolt.Tx) error {
	if err := dropListed(tx); err != nil {
		return err
	}
	b, err := tx.CreateBucket(ixListed)
	if err != nil {
		return err
	}
	counts, err := tx.CreateBucket(ixListedCount)
	if err != nil {
		return err
	}
	read := map[string]unitTiers{}
	lists := map[string][]string{} // scope \0 tier → items
	if err := tx.Bucket(bItems).ForEach(func(k, v []byte) error {
		var it repository.Item
		if err := json.Unmarshal(v, &it); err != nil {
			return fmt.Errorf("item %s: %w", k, err)
		}
		in, err := itemTiers(tx, &it, time.Now(), read)
		if err != nil {
			return err
		}
		for _, scope := range listScopes(&it) {
			for _, t := range in {
				lists[scope+"\x00"+t] = append(lists[scope+"\x00"+t], it.ID)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	b.FillPercent, counts.FillPercent = 1, 1
	for _, l := range slices.Sorted(maps.Keys(lists)) {
		for _, id := range lists[l] {
			if err := b.Put([]byte(l+"\x00"+id), nil); err != nil {
				return err
			}
		}
		if err := counts.Put([]byte(l), binary.BigEndian.AppendUint64(nil, uint64(len(lists[l])))); err != nil {
			return err
		}
	}
	return nil
}

// ListedItems returns the items of a library that a listing tier shows,
// at most limit from at, in identifier order, and how many it shows.
func (s *Store) ListedItems(inst, tier string, at repository.At, limit int) ([]string, int, error) {
	return s.listed(inst, tier, at, limit)
}

// ListedInUnit is ListedItems for the items filed in a unit.
func (s *Store) ListedInUnit(unit, tier string, at repository.At, limit int) ([]string, int, error) {
	return s.listed(listedUnit(unit), tier, at, limit)
}

func (s *Store) listed(scope, tier string, at repository.At, limit int) ([]string, int, error) {
	var ids []string
	total := 0
	err := s.view(func(tx *bbolt.Tx) error {
		prefix := listedKey(scope, tier, "")
		if v := tx.Bucket(ixListedCount).Get(prefix[:len(prefix)-1]); v != nil {
			total = int(binary.BigEndian.Uint64(v))
		}
		if limit <= 0 {
			return nil
		}
		ids = seekPage(tx.Bucket(ixListed).Cursor(), prefix, at, total, limit)
		return nil
	})
	return ids, total, err
}

// seekPage reads at most limit entries under prefix from at: a seek to
// at.After or at.Before, or else a step over the at.Offset entries before
// the page.
func seekPage(c *bbolt.Cursor, prefix []byte, at repository.At, total, limit int) []string {
	var ids []string
	in := func(k []byte) bool { return k != nil && bytes.HasPrefix(k, prefix) }
	switch {
	case at.After != "":
		k, _ := c.Seek(append(slices.Clone(prefix), at.After...))
		if in(k) && string(k[len(prefix):]) == at.After {
			k, _ = c.Next()
		}
		for ; in(k) && len(ids) < limit; k, _ = c.Next() {
			ids = append(ids, string(k[len(prefix):]))
		}
	case at.Before != "":
		k, _ := c.Seek(append(slices.Clone(prefix), at.Before...))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; in(k) && len(ids) < limit; k, _ = c.Prev() {
			ids = append(ids, string(k[len(prefix):]))
		}
		slices.Reverse(ids)
	case at.Offset < total:
		k, _ := c.Seek(prefix)
		for range max(at.Offset, 0) {
			k, _ = c.Next()
		}
		for ; in(k) && len(ids) < limit; k, _ = c.Next() {
			ids = append(ids, string(k[len(prefix):]))
		}
	}
	return ids
}
