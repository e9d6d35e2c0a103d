package bolt

import (
	"bytes"
	"slices"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/repository"
)

// A unit whose access or place changes has every item below it listed
// again (listed.go). A unit may hold a whole library, so the items are not
// placed in the transaction that saves the unit, which would hold the
// store's one writer for seconds: the save queues the unit in the same
// transaction, and the queue is worked in transactions of relistBatch
// items each, right after the save and on every open (so a crash midway
// is finished by the next start). Until its turn, an item stays in the
// tiers it was listed in: the listings are candidates, and every page is
// decided afresh by its reader (access.Listing), so an item the change
// closed is shown to no one meanwhile, and one it opened appears when
// placed.
var ixRelist = []byte("ix_relist") // unit → the last of its items placed again ("": none yet)

// relistBatch bounds the items one transaction of the queue places.
const relistBatch = 1000

// queueRelist queues unit id to have the items below it listed again,
// from its first.
func queueRelist(tx *bbolt.Tx, id string) error {
	if tx.Bucket(ixListed) == nil {
		return nil // filled in bulk later (listAll)
	}
	return tx.Bucket(ixRelist).Put([]byte(id), nil)
}

// relist works the queue until it is empty, one bounded transaction at a
// time, so that other writes go between them. An empty queue is read, not
// written (a save that queued nothing commits nothing more).
func (s *Store) relist() error {
	queued := false
	if err := s.view(func(tx *bbolt.Tx) error {
		k, _ := tx.Bucket(ixRelist).Cursor().First()
		queued = k != nil
		return nil
	}); err != nil || !queued {
		return err
	}
	for {
		var more bool
		if err := s.update(func(tx *bbolt.Tx) error {
			var err error
			more, err = relistStep(tx, s.relistBatch())
			return err
		}); err != nil || !more {
			return err
		}
		if s.RelistPause != nil && !s.RelistPause() {
			return nil
		}
	}
}

func (s *Store) relistBatch() int {
	if s.RelistBatch > 0 {
		return s.RelistBatch
	}
	return relistBatch
}

// relistStep places again at most n items of the first unit in the queue,
// from the one after its cursor; a unit whose items are all placed leaves
// the queue, and the units right below it join it. It reports whether the
// queue holds more.
func relistStep(tx *bbolt.Tx, n int) (bool, error) {
	q := tx.Bucket(ixRelist)
	unit, after := q.Cursor().First()
	if unit == nil {
		return false, nil
	}
	unit, after = slices.Clone(unit), slices.Clone(after)
	prefix := join(string(unit), "")
	c := tx.Bucket(ixCollItems).Cursor()
	k, _ := c.Seek(append(slices.Clone(prefix), after...))
	if len(after) > 0 && k != nil && bytes.Equal(k[len(prefix):], after) {
		k, _ = c.Next()
	}
	read := map[string]unitTiers{}
	var last []byte
	for done := 0; k != nil && bytes.HasPrefix(k, prefix) && done < n; done++ {
		last = slices.Clone(k[len(prefix):])
		var it repository.Item
		if err := getJSON(tx, bItems, string(last), &it); err != nil {
			return false, err
		}
		if err := listItem(tx, &it, &it, read); err != nil {
			return false, err
		}
		k, _ = c.Next()
	}
	if k != nil && bytes.HasPrefix(k, prefix) {
		return true, q.Put(unit, last)
	}
	if err := q.Delete(unit); err != nil {
		return false, err
	}
	for _, child := range keysUnder(tx, ixChildren, string(unit)) {
		if err := q.Put([]byte(child), nil); err != nil {
			return false, err
		}
	}
	next, _ := q.Cursor().First()
	return next != nil, nil
}
