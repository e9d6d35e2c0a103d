package bolt

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage/local"
)

// tops says what each tier of library tu lists of its top-level units and
// of its curated collections, read whole and one unit at a time after the
// last one read.
func tops(t *testing.T, s *Store) string {
	t.Helper()
	var out []string
	for _, curated := range []bool{false, true} {
		for _, tier := range tiers {
			cols, total, err := s.TopUnits("tu", tier, curated, "", 100)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range cols {
				ids = append(ids, c.ID)
			}
			var stepped []string
			for after := ""; ; {
				page, n, err := s.TopUnits("tu", tier, curated, after, 1)
				if err != nil || n != total {
					t.Fatalf("tier %s after %q: %d of %d (%v)", tier, after, n, total, err)
				}
				if len(page) == 0 {
					break
				}
				after = page[0].ID
				stepped = append(stepped, after)
			}
			if total != len(ids) || !slices.Equal(stepped, ids) {
				t.Fatalf("tier %s (curated %v): %v of %d, one at a time %v", tier, curated, ids, total, stepped)
			}
			out = append(out, fmt.Sprintf("%v %s %v", curated, tier, ids))
		}
	}
	return fmt.Sprint(out)
}

// A library's top-level units and its curated collections are kept by
// tier as units are saved: a unit opened, closed, moved below another or
// withdrawn leaves the tiers that no longer show it; a store without the
// listings gets them on open, and a rebuild makes them the same.
func TestTopUnitsAreKeptByTierLiveOnOpenAndAfterRebuild(t *testing.T) {
	blobs := newBlobs(t)
	path := filepath.Join(t.TempDir(), "archive.db")
	s, err := Open(ctx, path, blobs)
	if err != nil {
		t.Fatal(err)
	}
	units := []*repository.Collection{
		{ID: "tu-a-open", Level: repository.Fonds},
		{ID: "tu-b-closed", Level: repository.Fonds, Access: repository.Access{Level: repository.Restricted}},
		{ID: "tu-c-internal", Level: repository.Fonds, Access: repository.Access{Level: repository.Public, Internal: true}},
		{ID: "tu-d-below", Level: repository.Series, Parent: "tu-a-open"},
		{ID: "tu-e-curated", Level: repository.Curated},
		{ID: "tu-f-curated", Level: repository.Curated, Access: repository.Access{Level: repository.Restricted}},
		{ID: "cmu-other", Level: repository.Fonds},
	}
	for _, u := range units {
		u.Institution, u.Title = u.ID[:strings.IndexByte(u.ID, '-')], repository.Text{"en": u.ID}
		if err := s.SaveCollection(ctx, u, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	want := "[false a [tu-a-open] false m [tu-a-open tu-b-closed] false s [tu-a-open tu-b-closed tu-c-internal] " +
		"true a [tu-e-curated] true m [tu-e-curated tu-f-curated] true s [tu-e-curated tu-f-curated]]"
	if got := tops(t, s); got != want {
		t.Fatalf("saved: %s\nwant %s", got, want)
	}
	// Opened, moved below another, withdrawn, closed.
	units[1].Access = repository.Access{Level: repository.Public}
	units[2].Parent = "tu-b-closed"
	units[4].Deleted = true
	units[0].Access = repository.Access{Level: repository.Restricted}
	for _, u := range units[:5] {
		if err := s.SaveCollection(ctx, u, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	want = "[false a [tu-b-closed] false m [tu-a-open tu-b-closed] false s [tu-a-open tu-b-closed] " +
		"true a [] true m [tu-f-curated] true s [tu-f-curated]]"
	if got := tops(t, s); got != want {
		t.Fatalf("changed: %s\nwant %s", got, want)
	}

	// A store of an earlier version, without the listings.
	if err := s.update(func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{ixTops, ixTopsCount} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStore(t, path, blobs)
	if got := tops(t, s); got != want {
		t.Fatalf("opened without them: %s\nwant %s", got, want)
	}
	s.Close()
	os.Remove(path)
	if _, err := Rebuild(ctx, path, blobs, false); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, path, blobs)
	if got := tops(t, s); got != want {
		t.Fatalf("rebuilt: %s\nwant %s", got, want)
	}
}

// fillUnits makes a store whose library tu holds n top-level units, every
// hundredth curated and every tenth restricted, written straight into the
// buckets as a rebuild registers them.
func fillUnits(b *testing.B, n int) *Store {
	b.Helper()
	blobs, err := local.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	s := openStore(b, filepath.Join(b.TempDir(), "archive.db"), blobs)
	for lo := 0; lo < n; lo += 10_000 {
		if err := s.update(func(tx *bbolt.Tx) error {
			for i := lo; i < min(lo+10_000, n); i++ {
				c := &repository.Collection{ID: fmt.Sprintf("tu-%07d", i), Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "unit"}}
				if i%100 == 0 {
					c.Level = repository.Curated
				}
				if i%10 == 1 {
					c.Access.Level = repository.Restricted
				}
				if err := putJSON(tx, bCollections, c.ID, c); err != nil {
					return err
				}
				if err := indexCollection(tx, nil, c); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkTopUnits reads what the home page shows of a library (its
// curated collections) and a library page's first 48 top-level units, at
// two sizes of library: from the units' listings by tier (tops), and as
// the pages read them before the listings (every top-level unit, or every
// unit of the library, decoded and filtered).
func BenchmarkTopUnits(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		s := fillUnits(b, n)
		b.Run(fmt.Sprintf("home/tops/%d", n), func(b *testing.B) {
			for b.Loop() {
				if cols, _, err := s.TopUnits("tu", repository.TierAnyone, true, "", 48); err != nil || len(cols) != 48 {
					b.Fatalf("%d (%v)", len(cols), err)
				}
			}
		})
		b.Run(fmt.Sprintf("home/children/%d", n), func(b *testing.B) {
			for b.Loop() {
				cols, err := s.Children("")
				kept := slices.DeleteFunc(cols, func(c *repository.Collection) bool { return c.Level != repository.Curated })
				if err != nil || len(kept) != n/100 {
					b.Fatalf("%d (%v)", len(kept), err)
				}
			}
		})
		b.Run(fmt.Sprintf("library/tops/%d", n), func(b *testing.B) {
			for b.Loop() {
				if cols, total, err := s.TopUnits("tu", repository.TierAnyone, false, "", 49); err != nil || len(cols) != 49 || total < n/2 {
					b.Fatalf("%d of %d (%v)", len(cols), total, err)
				}
			}
		})
		b.Run(fmt.Sprintf("library/collections/%d", n), func(b *testing.B) {
			for b.Loop() {
				cols, err := s.Collections("tu")
				kept := slices.DeleteFunc(cols, func(c *repository.Collection) bool { return c.Parent != "" || c.Level == repository.Curated })
				if err != nil || len(kept) < n/2 {
					b.Fatalf("%d (%v)", len(kept), err)
				}
			}
		})
	}
}
