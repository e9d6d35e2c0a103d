package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage/local"
)

// numbering checks that the activity index is numbered 0…n-1 in time order
// and returns n.
func numbering(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	err := s.view(func(tx *bbolt.Tx) error {
		at := tx.Bucket(ixActivityAt)
		if at == nil {
			return fmt.Errorf("no numbering of the activities")
		}
		places := at.Cursor()
		p, key := places.First()
		c := tx.Bucket(ixActivity).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if p == nil || binary.BigEndian.Uint64(p) != uint64(n) || !bytes.Equal(key, k) {
				return fmt.Errorf("place %d holds %x at %x, want the activity %x", n, key, p, k)
			}
			n++
			p, key = places.Next()
		}
		if p != nil {
			return fmt.Errorf("place %x beyond the %d activities", p, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// pagesAgree checks every page of Activities against one reading of all.
func pagesAgree(t *testing.T, s *Store, n int) {
	t.Helper()
	all, total, err := s.Activities(0, n+10)
	if err != nil || total != n || len(all) != n {
		t.Fatalf("all activities: %d of %d (%v), want %d", len(all), total, err, n)
	}
	for i := 1; i < n; i++ {
		if all[i].Time.Before(all[i-1].Time) {
			t.Fatalf("activity %d at %v comes after one at %v", i, all[i].Time, all[i-1].Time)
		}
	}
	for off := range n {
		page, total, err := s.Activities(off, 3)
		if err != nil || total != n || len(page) != min(3, n-off) || page[0] != all[off] {
			t.Fatalf("page at %d: %+v of %d (%v), want from %+v", off, page, total, err, all[off])
		}
	}
}

// Change Discovery's pages are found by their place: the activities are
// numbered in time order as they come, one that arrives late (a save whose
// clock was read before another's but committed after) takes its place and
// moves the later ones up; a store without the numbering gets it when
// opened, and a rebuild numbers them again the same.
func TestActivitiesAreNumberedInTimeOrderLiveOnOpenAndAfterRebuild(t *testing.T) {
	blobs := newBlobs(t)
	path := filepath.Join(t.TempDir(), "archive.db")
	s, err := Open(ctx, path, blobs)
	if err != nil {
		t.Fatal(err)
	}
	populate(t, s)
	items, err := s.ItemIDs()
	if err != nil {
		t.Fatal(err)
	}
	acts, _, _ := s.Activities(0, 100)
	// Late arrivals: before the first activity, between two, at the end.
	late := []time.Time{acts[0].Time.Add(-time.Second), acts[2].Time.Add(time.Nanosecond), acts[len(acts)-1].Time.Add(time.Second)}
	for i, at := range late {
		if err := s.Record(ctx, repository.Event{Type: "modification", Object: items[i], Time: at, Outcome: "success"}); err != nil {
			t.Fatal(err)
		}
	}
	n := numbering(t, s)
	if n != len(acts)+len(late) {
		t.Fatalf("%d activities numbered, want %d", n, len(acts)+len(late))
	}
	pagesAgree(t, s, n)
	before := dump(t, s)

	// A store of an older version, without the numbering.
	if err := s.update(func(tx *bbolt.Tx) error { return tx.DeleteBucket(ixActivityAt) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStore(t, path, blobs)
	if got := numbering(t, s); got != n {
		t.Fatalf("numbered %d on opening, want %d", got, n)
	}
	pagesAgree(t, s, n)
	s.Close()

	os.Remove(path)
	if _, err := Rebuild(ctx, path, blobs, false); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, path, blobs)
	if numbering(t, s) != n || dump(t, s) != before {
		t.Fatal("the rebuilt store numbers its activities otherwise")
	}
}

// fillActivities makes a store of n items with one creation each, written
// straight into the buckets (no records, no files), and indexed as a
// rebuild indexes them.
func fillActivities(b *testing.B, n int) *Store {
	b.Helper()
	blobs, err := local.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	s, err := Open(ctx, filepath.Join(b.TempDir(), "archive.db"), blobs)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for lo := 0; lo < n; lo += 10_000 {
		err := s.update(func(tx *bbolt.Tx) error {
			for i := lo; i < min(lo+10_000, n); i++ {
				id := fmt.Sprintf("it%07d", i)
				e := repository.Event{ID: fmt.Sprintf("e%07d", i), Type: "creation", Object: id, Time: start.Add(time.Duration(i) * time.Second)}
				if err := putJSON(tx, bItems, id, &repository.Item{ID: id, Institution: "cmu"}); err != nil {
					return err
				}
				if err := putJSON(tx, bEvents, string(join(id, e.ID)), &e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := s.update(indexActivities); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkActivities reads the first and the last page of Change Discovery
// (a hundred activities and the count) and the home page's recent ones, at
// two sizes of archive.
func BenchmarkActivities(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		s := fillActivities(b, n)
		pages := []struct {
			name          string
			offset, limit int
		}{{"first", 0, 100}, {"last", n - 100, 100}, {"home", n - 60, 60}}
		for _, pg := range pages {
			b.Run(fmt.Sprintf("%s/%d", pg.name, n), func(b *testing.B) {
				for b.Loop() {
					_, total, err := s.Activities(0, 0) // the count, as the pages ask it first
					if err != nil || total != n {
						b.Fatalf("%d activities (%v), want %d", total, err, n)
					}
					acts, _, err := s.Activities(pg.offset, pg.limit)
					if err != nil || len(acts) != pg.limit {
						b.Fatalf("%d activities (%v)", len(acts), err)
					}
				}
			})
		}
	}
}
