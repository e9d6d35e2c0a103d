package bolt

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage/local"
)

// listed checks what each tier of library tu lists, page by page.
func listed(t *testing.T, s *Store, when string, want map[string][]string) {
	t.Helper()
	listedBy(t, s.ListedItems, "tu", when, want)
}

// inUnit checks what each tier of unit tu-closed lists.
func inUnit(t *testing.T, s *Store, when string, want map[string][]string) {
	t.Helper()
	listedBy(t, s.ListedInUnit, "tu-closed", when, want)
}

func listedBy(t *testing.T, list func(string, string, repository.At, int) ([]string, int, error), scope, when string, want map[string][]string) {
	t.Helper()
	for tier, ids := range want {
		all, total, err := list(scope, tier, repository.At{}, 100)
		if err != nil || total != len(ids) || !slices.Equal(all, ids) {
			t.Fatalf("%s: tier %s lists %v of %d (%v), want %v", when, tier, all, total, err, ids)
		}
		for off := range ids {
			page, total, _ := list(scope, tier, repository.At{Offset: off}, 2)
			if total != len(ids) || !slices.Equal(page, ids[off:min(off+2, len(ids))]) {
				t.Fatalf("%s: tier %s from %d: %v of %d", when, tier, off, page, total)
			}
			if off > 0 { // the next link's page: after the last one shown
				if page, _, _ := list(scope, tier, repository.At{After: ids[off-1]}, 2); !slices.Equal(page, ids[off:min(off+2, len(ids))]) {
					t.Fatalf("%s: tier %s after %s: %v", when, tier, ids[off-1], page)
				}
			}
			if off+2 < len(ids) { // the previous link's: before the first one shown
				if page, _, _ := list(scope, tier, repository.At{Before: ids[off+2]}, 2); !slices.Equal(page, ids[off:off+2]) {
					t.Fatalf("%s: tier %s before %s: %v", when, tier, ids[off+2], page)
				}
			}
		}
	}
}

// A library's listings, and a unit's of the items filed in it, are kept by
// tier as items and units are saved: an item is listed by the tiers its
// access and every unit's above it allow, a unit opened or closed lists
// its items again, an item filed elsewhere moves, a withdrawn item leaves
// every tier; a store without the listings gets them on open, and a
// rebuild makes them the same.
func TestLibraryAndUnitListingsAreKeptByTierLiveOnOpenAndAfterRebuild(t *testing.T) {
	blobs := newBlobs(t)
	path := filepath.Join(t.TempDir(), "archive.db")
	s, err := Open(ctx, path, blobs)
	if err != nil {
		t.Fatal(err)
	}
	unit := &repository.Collection{ID: "tu-closed", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Closed papers"}, Access: repository.Access{Level: repository.Restricted}}
	if err := s.SaveCollection(ctx, unit, "tester"); err != nil {
		t.Fatal(err)
	}
	future := time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
	items := []repository.Item{
		{ID: "i1-public"},
		{ID: "i2-restricted", Access: repository.Access{Level: repository.Restricted}},
		{ID: "i3-internal", Access: repository.Access{Level: repository.Public, Internal: true}},
		{ID: "i4-embargoed", Access: repository.Access{Level: repository.Public, Embargo: future}},
		{ID: "i5-in-unit", Collection: unit.ID},
		{ID: "i6-withdrawn"},
		{ID: "i7-metadata", Access: repository.Access{Level: repository.MetadataOnly}},
	}
	for i := range items {
		it := &items[i]
		it.Institution, it.Title = "tu", repository.Text{"en": it.ID}
		if err := s.SaveItem(ctx, it, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Withdraw(ctx, "i6-withdrawn", "tester", "duplicate"); err != nil {
		t.Fatal(err)
	}
	open := []string{"i1-public", "i7-metadata"}
	members := []string{"i1-public", "i2-restricted", "i4-embargoed", "i5-in-unit", "i7-metadata"}
	staff := []string{"i1-public", "i2-restricted", "i3-internal", "i4-embargoed", "i5-in-unit", "i7-metadata"}
	listed(t, s, "saved", map[string][]string{repository.TierAnyone: open, repository.TierMembers: members, repository.TierStaff: staff})
	inUnit(t, s, "saved", map[string][]string{repository.TierAnyone: nil, repository.TierMembers: {"i5-in-unit"}, repository.TierStaff: {"i5-in-unit"}})
	if ids, total, _ := s.ListedItems("cmu", repository.TierStaff, repository.At{}, 10); total != 0 || len(ids) != 0 {
		t.Fatalf("another library lists %v of %d", ids, total)
	}

	// The unit opens: its item is listed to everyone; made internal, to
	// the staff alone.
	unit.Access = repository.Access{Level: repository.Public}
	if err := s.SaveCollection(ctx, unit, "tester"); err != nil {
		t.Fatal(err)
	}
	open = []string{"i1-public", "i5-in-unit", "i7-metadata"}
	listed(t, s, "the unit opened", map[string][]string{repository.TierAnyone: open, repository.TierMembers: members})
	inUnit(t, s, "the unit opened", map[string][]string{repository.TierAnyone: {"i5-in-unit"}})
	unit.Access.Internal = true
	if err := s.SaveCollection(ctx, unit, "tester"); err != nil {
		t.Fatal(err)
	}
	open, members = []string{"i1-public", "i7-metadata"}, slices.DeleteFunc(slices.Clone(members), func(id string) bool { return id == "i5-in-unit" })
	listed(t, s, "the unit made internal", map[string][]string{repository.TierAnyone: open, repository.TierMembers: members, repository.TierStaff: staff})
	inUnit(t, s, "the unit made internal", map[string][]string{repository.TierAnyone: nil, repository.TierMembers: nil, repository.TierStaff: {"i5-in-unit"}})
	// An item filed in the unit, and one taken out of it.
	for id, unit := range map[string]string{"i7-metadata": "tu-closed", "i5-in-unit": ""} {
		it, _ := s.Item(id)
		it.Collection = unit
		if err := s.SaveItem(ctx, it, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	open, members = []string{"i1-public", "i5-in-unit"}, []string{"i1-public", "i2-restricted", "i4-embargoed", "i5-in-unit"}
	listed(t, s, "one item filed, one taken out", map[string][]string{repository.TierAnyone: open, repository.TierMembers: members, repository.TierStaff: staff})
	inUnit(t, s, "one item filed, one taken out", map[string][]string{repository.TierAnyone: nil, repository.TierMembers: nil, repository.TierStaff: {"i7-metadata"}})
	// An item closed.
	it, _ := s.Item("i1-public")
	it.Access.Level = repository.Restricted
	if err := s.SaveItem(ctx, it, "tester"); err != nil {
		t.Fatal(err)
	}
	open, members = []string{"i5-in-unit"}, []string{"i1-public", "i2-restricted", "i4-embargoed", "i5-in-unit"}
	want := map[string][]string{repository.TierAnyone: open, repository.TierMembers: members, repository.TierStaff: staff}
	listed(t, s, "an item closed", want)
	before := dump(t, s)

	// A store of an older version, without the listings.
	if err := s.update(func(tx *bbolt.Tx) error { return dropListed(tx) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStore(t, path, blobs)
	listed(t, s, "opened without them", want)
	s.Close()

	os.Remove(path)
	if _, err := Rebuild(ctx, path, blobs, false); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, path, blobs)
	listed(t, s, "rebuilt", want)
	if dump(t, s) != before {
		t.Fatal("the rebuilt store differs")
	}
}

// fillLibrary makes a store whose library tu holds n items, every tenth
// restricted, all in one unit, written straight into the buckets (no
// records, no files) and listed as a rebuild lists them.
func fillLibrary(b *testing.B, n int) *Store {
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
	unit := &repository.Collection{ID: "tu-fonds", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Fonds"}}
	if err := s.SaveCollection(ctx, unit, "bench"); err != nil {
		b.Fatal(err)
	}
	for lo := 0; lo < n; lo += 10_000 {
		err := s.update(func(tx *bbolt.Tx) error {
			for i := lo; i < min(lo+10_000, n); i++ {
				it := &repository.Item{ID: fmt.Sprintf("it%07d", i), Institution: "tu", Collection: unit.ID, Title: repository.Text{"en": "item"}, Access: repository.Access{Level: repository.Public}}
				if i%10 == 0 {
					it.Access.Level = repository.Restricted
				}
				if err := putJSON(tx, bItems, it.ID, it); err != nil {
					return err
				}
				if err := indexItem(tx, nil, it); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkLibraryListing reads a library's first listing page (48 items
// and the count) for an anonymous visitor and for its staff, at two sizes
// of library, and the last page; and, apart, the save that changes the access of the unit
// holding every item (it lists them again), with the first page after it.
func BenchmarkLibraryListing(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		s := fillLibrary(b, n)
		b.Run(fmt.Sprintf("unit-access-change/%d", n), func(b *testing.B) {
			unit, err := s.Collection("tu-fonds")
			if err != nil {
				b.Fatal(err)
			}
			// How long the store's writer is held at a time: from the
			// save's start to the end of the relisting's first batch, and
			// each batch after it.
			var held []time.Duration
			mark := time.Now()
			s.RelistPause = func() bool {
				held = append(held, time.Since(mark))
				mark = time.Now()
				return true
			}
			defer func() {
				s.RelistPause = nil
				slices.Sort(held)
				if len(held) > 0 {
					b.ReportMetric(float64(held[len(held)/2].Microseconds())/1000, "ms-batch-p50")
					b.ReportMetric(float64(held[len(held)-1].Microseconds())/1000, "ms-batch-max")
				}
				if unit.Access.Level == repository.Restricted {
					unit.Access.Level = repository.Public
					if err := s.SaveCollection(ctx, unit, "bench"); err != nil {
						b.Fatal(err)
					}
				}
			}()
			for b.Loop() {
				mark = time.Now()
				if unit.Access.Level == repository.Restricted {
					unit.Access.Level = repository.Public
				} else {
					unit.Access.Level = repository.Restricted
				}
				if err := s.SaveCollection(ctx, unit, "bench"); err != nil {
					b.Fatal(err)
				}
				if ids, _, err := s.ListedItems("tu", repository.TierMembers, repository.At{}, 48); err != nil || len(ids) != 48 {
					b.Fatalf("%d listed (%v)", len(ids), err)
				}
			}
		})
		for _, tier := range []string{repository.TierAnyone, repository.TierStaff} {
			b.Run(fmt.Sprintf("first/%s/%d", tier, n), func(b *testing.B) {
				for b.Loop() {
					ids, total, err := s.ListedItems("tu", tier, repository.At{}, 48)
					if err != nil || len(ids) != 48 || total < n*9/10 {
						b.Fatalf("%d of %d (%v)", len(ids), total, err)
					}
				}
			})
		}
		// The last page reached by its number steps over the keys before
		// it; by the next link of the page before, it is a seek.
		b.Run(fmt.Sprintf("last/%d", n), func(b *testing.B) {
			for b.Loop() {
				ids, total, err := s.ListedItems("tu", repository.TierAnyone, repository.At{Offset: n*9/10 - 48}, 48)
				if err != nil || len(ids) != 48 || total != n*9/10 {
					b.Fatalf("%d of %d (%v)", len(ids), total, err)
				}
			}
		})
		b.Run(fmt.Sprintf("last-after/%d", n), func(b *testing.B) {
			before, _, err := s.ListedItems("tu", repository.TierAnyone, repository.At{Offset: n*9/10 - 96}, 48)
			if err != nil || len(before) != 48 {
				b.Fatalf("%d (%v)", len(before), err)
			}
			for b.Loop() {
				ids, total, err := s.ListedItems("tu", repository.TierAnyone, repository.At{After: before[47]}, 48)
				if err != nil || len(ids) != 48 || total != n*9/10 {
					b.Fatalf("%d of %d (%v)", len(ids), total, err)
				}
			}
		})
	}
}

// BenchmarkListAll lists every item of a library anew, as a rebuild does
// once all records are in, at two sizes of library.
func BenchmarkListAll(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		s := fillLibrary(b, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if err := s.update(listAll); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
