package bolt

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/repository"
)

// counts says how many items each tier lists in scope (a library, or
// "unit/" and a unit).
func counts(t *testing.T, s *Store, scope string) string {
	t.Helper()
	var out []string
	for _, tier := range tiers {
		_, n, err := s.listed(scope, tier, repository.At{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s:%d", tier, n))
	}
	return fmt.Sprint(out)
}

// Closing a unit that holds many items lists them again in transactions of
// a bounded size, the first of them right after the save; a stop midway
// (the store closed between two) leaves the rest queued, and the next open
// finishes it, down to the units below.
func TestARelistingStoppedMidwayIsFinishedOnTheNextOpen(t *testing.T) {
	blobs := newBlobs(t)
	path := filepath.Join(t.TempDir(), "archive.db")
	s := openStore(t, path, blobs)
	big := &repository.Collection{ID: "tu-big", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Big"}}
	below := &repository.Collection{ID: "tu-below", Institution: "tu", Level: repository.Series, Parent: "tu-big", Title: repository.Text{"en": "Below"}}
	for _, u := range []*repository.Collection{big, below} {
		if err := s.SaveCollection(ctx, u, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 45 {
		unit := big.ID
		if i%9 == 0 {
			unit = below.ID
		}
		saveTestItem(t, s, fmt.Sprintf("item-%02d", i), "tu", unit)
	}
	if got := counts(t, s, "tu"); got != "[a:45 m:45 s:45]" {
		t.Fatalf("before: %s", got)
	}
	s.RelistBatch = 10
	batches := 0
	s.RelistPause = func() bool { batches++; return batches < 2 }
	big.Access = repository.Access{Level: repository.Restricted}
	if err := s.SaveCollection(ctx, big, "tester"); err != nil {
		t.Fatal(err)
	}
	// Two batches of ten of the unit's own 40 are placed; the rest, and the
	// unit below, wait.
	if got := counts(t, s, "unit/tu-big"); got != "[a:20 m:40 s:40]" {
		t.Fatalf("stopped midway: the unit lists %s", got)
	}
	if got := counts(t, s, "unit/tu-below"); got != "[a:5 m:5 s:5]" {
		t.Fatalf("stopped midway: the unit below lists %s", got)
	}
	s.Close()
	s = openStore(t, path, blobs)
	for scope, want := range map[string]string{"tu": "[a:0 m:45 s:45]", "unit/tu-big": "[a:0 m:40 s:40]", "unit/tu-below": "[a:0 m:5 s:5]"} {
		if got := counts(t, s, scope); got != want {
			t.Errorf("reopened: %s lists %s, want %s", scope, got, want)
		}
	}
	if err := s.view(func(tx *bbolt.Tx) error {
		if k, _ := tx.Bucket(ixRelist).Cursor().First(); k != nil {
			return fmt.Errorf("%s still queued", k)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// While a unit's items are listed again, the store's writer and the unit's
// lock are free between two batches: an item of the unit is saved
// meanwhile, and ends in the tiers its unit's new access gives it.
func TestAnItemOfAUnitBeingListedAgainIsSavedBetweenBatches(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "archive.db"), newBlobs(t))
	unit := &repository.Collection{ID: "tu-big", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Big"}}
	if err := s.SaveCollection(ctx, unit, "tester"); err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		saveTestItem(t, s, fmt.Sprintf("item-%02d", i), "tu", unit.ID)
	}
	s.RelistBatch = 10
	saved := make(chan error, 1)
	s.RelistPause = func() bool {
		s.RelistPause = nil
		go func() {
			it, err := s.Item("item-29")
			if err == nil {
				it.Title = repository.Text{"en": "changed meanwhile"}
				err = s.SaveItem(ctx, it, "tester")
			}
			saved <- err
		}()
		select {
		case err := <-saved:
			if err != nil {
				t.Errorf("saving an item between two batches: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("an item of the unit could not be saved between two batches")
		}
		return true
	}
	unit.Access = repository.Access{Level: repository.Restricted}
	if err := s.SaveCollection(ctx, unit, "tester"); err != nil {
		t.Fatal(err)
	}
	if got := counts(t, s, "unit/tu-big"); got != "[a:0 m:30 s:30]" {
		t.Fatalf("after: the unit lists %s", got)
	}
}

// With nothing queued, working the queue (as every save of a unit and
// every open do) writes nothing.
func TestAnEmptyRelistingQueueIsReadNotWritten(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "archive.db"), newBlobs(t))
	writes := func() int64 { st := s.db.Stats(); return st.TxStats.GetWrite() }
	before := writes()
	if err := s.relist(); err != nil {
		t.Fatal(err)
	}
	if after := writes(); after != before {
		t.Fatalf("%d writes for an empty queue", after-before)
	}
}
