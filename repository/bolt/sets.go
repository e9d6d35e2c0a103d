package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// The set index lists items by last modification under their library and
// under every unit above them, tombstones too, so that a harvest of one
// library or unit walks that scope's items alone (OAI-PMH sets).
var (
	// ixSetItems: scope \x00 modified(8) \x00 item, nothing. A scope is
	// "i:" and a library, or "c:" and a unit.
	ixSetItems = []byte("ix_set_items")
	// ixItemSets: item → modified(8) and the scopes it is listed under,
	// separated by \x00: what its next save takes out.
	ixItemSets = []byte("ix_item_sets")
)

func libraryScope(id string) string { return "i:" + id }
func unitScope(id string) string    { return "c:" + id }

// scopes are the scopes of item it: its library, its unit and every unit
// above, as far as they are known (in a rebuild a unit may come after its
// items: its own indexing reaches them then).
func scopes(tx *bbolt.Tx, it *repository.Item) ([]string, error) {
	out := []string{libraryScope(it.Institution)}
	for id, depth := it.Collection, 0; id != "" && depth < repository.MaxDepth; depth++ {
		if slices.Contains(out, unitScope(id)) {
			break
		}
		out = append(out, unitScope(id))
		var c repository.Collection
		if err := getJSON(tx, bCollections, id, &c); errors.Is(err, fault.NotFound) {
			break
		} else if err != nil {
			return nil, err
		}
		id = c.Parent
	}
	return out, nil
}

// indexSets lists item it under its scopes, in place of where its last
// save listed it.
func indexSets(tx *bbolt.Tx, it *repository.Item) error {
	b, rev := tx.Bucket(ixSetItems), tx.Bucket(ixItemSets)
	if old := rev.Get([]byte(it.ID)); len(old) >= 8 {
		t := time.Unix(0, int64(binary.BigEndian.Uint64(old))).UTC()
		for _, sc := range bytes.Split(old[8:], []byte{0}) {
			if err := unindex(tx, ixSetItems, scopeKey(string(sc), t, it.ID)); err != nil {
				return err
			}
		}
	}
	scs, err := scopes(tx, it)
	if err != nil {
		return err
	}
	v := binary.BigEndian.AppendUint64(nil, uint64(it.Modified.UnixNano()))
	for i, sc := range scs {
		if err := b.Put(scopeKey(sc, it.Modified, it.ID), nil); err != nil {
			return err
		}
		if i > 0 {
			v = append(v, 0)
		}
		v = append(v, sc...)
	}
	return rev.Put([]byte(it.ID), v)
}

func scopeKey(scope string, t time.Time, id string) []byte {
	return append([]byte(scope+"\x00"), timeKey(t, id)...)
}

// reindexUnitSets lists again the items below unit id, which has moved or
// has just been registered (in a rebuild, after items below it).
func reindexUnitSets(tx *bbolt.Tx, id string) error {
	prefix := []byte(unitScope(id) + "\x00")
	var ids []string
	c := tx.Bucket(ixSetItems).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ids = append(ids, string(k[len(prefix)+9:]))
	}
	for _, item := range ids {
		var it repository.Item
		if err := getJSON(tx, bItems, item, &it); err != nil {
			return err
		}
		if err := indexSets(tx, &it); err != nil {
			return err
		}
	}
	return nil
}

// buildSetIndex fills a missing set index from the items (a file of an
// earlier version), writing in key order.
func buildSetIndex(tx *bbolt.Tx) error {
	type entry struct{ k, v []byte }
	var keys [][]byte
	var revs []entry
	err := tx.Bucket(bItems).ForEach(func(k, v []byte) error {
		var it repository.Item
		if err := json.Unmarshal(v, &it); err != nil {
			return fmt.Errorf("item %s: %w", k, err)
		}
		scs, err := scopes(tx, &it)
		if err != nil {
			return err
		}
		rev := binary.BigEndian.AppendUint64(nil, uint64(it.Modified.UnixNano()))
		for i, sc := range scs {
			keys = append(keys, scopeKey(sc, it.Modified, it.ID))
			if i > 0 {
				rev = append(rev, 0)
			}
			rev = append(rev, sc...)
		}
		revs = append(revs, entry{slices.Clone(k), rev})
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(keys, bytes.Compare)
	b := tx.Bucket(ixSetItems)
	for _, k := range keys {
		if err := b.Put(k, nil); err != nil {
			return err
		}
	}
	rev := tx.Bucket(ixItemSets)
	for _, e := range revs { // bItems is walked in key order
		if err := rev.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// SetChanges lists like Changes the items under a library (unit "") or
// under a unit of it, tombstones included, from the set index: what a
// harvest of that set walks.
func (s *Store) SetChanges(institution, unit string, from, until time.Time, after string, limit int) ([]repository.Change, string, error) {
	scope := libraryScope(institution)
	if unit != "" {
		scope = unitScope(unit)
	}
	return s.changes(ixSetItems, []byte(scope+"\x00"), from, until, after, limit)
}
