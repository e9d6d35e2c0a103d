package bolt

import (
	"bytes"
	"encoding/binary"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/repository"
)

// ixActivityAt numbers the activity index: its place in time order (8
// bytes, from 0) → the activity's key in ixActivity. A page of Change
// Discovery is a seek to its first place, and the count is the last place
// plus one, so neither grows with the archive. An activity that arrives
// late (two saves committing out of their clocks' order) renumbers only the
// places after it.
var ixActivityAt = []byte("ix_activity_at")

func placeKey(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// activityCount is how many activities are numbered.
func activityCount(at *bbolt.Bucket) uint64 {
	k, _ := at.Cursor().Last()
	if k == nil {
		return 0
	}
	return binary.BigEndian.Uint64(k) + 1
}

// indexActivity adds an item's event to the activity index, and numbers it.
func indexActivity(tx *bbolt.Tx, e *repository.Event) error {
	typ, ok := activityTypes[e.Type]
	if !ok || tx.Bucket(bItems).Get([]byte(e.Object)) == nil {
		return nil
	}
	b, key := tx.Bucket(ixActivity), timeKey(e.Time, e.ID)
	known := b.Get(key) != nil
	if err := b.Put(key, []byte(typ+" "+e.Object)); err != nil || known {
		return err
	}
	at := tx.Bucket(ixActivityAt)
	if at == nil {
		return nil // a bulk fill: numberActivities follows
	}
	// The activities after this one (in a live archive, none or a few)
	// move up by one place.
	var after [][]byte
	c := b.Cursor()
	for k, _ := c.Last(); k != nil && bytes.Compare(k, key) > 0; k, _ = c.Prev() {
		after = append(after, bytes.Clone(k))
	}
	n := activityCount(at)
	if err := at.Put(placeKey(n-uint64(len(after))), key); err != nil {
		return err
	}
	for i, k := range after {
		if err := at.Put(placeKey(n-uint64(i)), k); err != nil {
			return err
		}
	}
	return nil
}

// numberActivities (on opening a store without the numbering, and after
// the activity index is filled in bulk) numbers every activity in one
// pass in time order.
func numberActivities(tx *bbolt.Tx) error {
	if tx.Bucket(ixActivityAt) != nil {
		if err := tx.DeleteBucket(ixActivityAt); err != nil {
			return err
		}
	}
	at, err := tx.CreateBucket(ixActivityAt)
	if err != nil {
		return err
	}
	at.FillPercent = 1 // appended in key order: pages are filled, not split in half
	n := uint64(0)
	c := tx.Bucket(ixActivity).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if err := at.Put(placeKey(n), k); err != nil {
			return err
		}
		n++
	}
	return nil
}

// Activities returns the activities from offset (0 the oldest), at most
// limit, and how many there are: a seek to the offset's place, then the
// page.
func (s *Store) Activities(offset, limit int) ([]repository.Activity, int, error) {
	var out []repository.Activity
	total := 0
	err := s.view(func(tx *bbolt.Tx) error {
		at, b := tx.Bucket(ixActivityAt), tx.Bucket(ixActivity)
		total = int(activityCount(at))
		c := at.Cursor()
		for k, key := c.Seek(placeKey(uint64(max(offset, 0)))); k != nil && len(out) < limit; k, key = c.Next() {
			typ, item, _ := strings.Cut(string(b.Get(key)), " ")
			out = append(out, repository.Activity{Time: time.Unix(0, int64(beUint64(key))).UTC(), Type: typ, Item: item})
		}
		return nil
	})
	return out, total, err
}
