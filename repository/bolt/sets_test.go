package bolt

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/repository"
)

// setMembers lists the items the set index holds under a library (unit "")
// or a unit, in datestamp order, checking each against the item itself.
func setMembers(t *testing.T, s *Store, inst, unit string) []string {
	t.Helper()
	var out []string
	after := ""
	for {
		page, next, err := s.SetChanges(inst, unit, time.Time{}, time.Time{}, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			it, err := s.Item(c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !it.Modified.Equal(c.Modified) {
				t.Errorf("%s listed at %v, last saved at %v", c.ID, c.Modified, it.Modified)
			}
			out = append(out, c.ID)
		}
		if next == "" {
			return out
		}
		after = next
	}
}

func saveTestItem(t *testing.T, s *Store, id, inst, unit string) *repository.Item {
	t.Helper()
	it := &repository.Item{ID: id, Institution: inst, Collection: unit, Title: repository.Text{"en": id}}
	if err := s.SaveItem(ctx, it, "tester"); err != nil {
		t.Fatal(err)
	}
	return it
}

func TestSetIndexFollowsSavesWithdrawalsAndMovesAndSurvivesARebuild(t *testing.T) {
	dir := t.TempDir()
	blobs := newBlobs(t)
	s := openStore(t, filepath.Join(dir, "a.db"), blobs)
	for _, c := range []*repository.Collection{
		{ID: "fonds-a", Institution: "cmu", Level: repository.Fonds},
		{ID: "series-a", Institution: "cmu", Parent: "fonds-a", Level: repository.Series},
		{ID: "file-a", Institution: "cmu", Parent: "series-a", Level: repository.FileLevel},
		{ID: "fonds-b", Institution: "cmu", Level: repository.Fonds},
	} {
		c.Title = repository.Text{"en": c.ID}
		if err := s.SaveCollection(ctx, c, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	deep := saveTestItem(t, s, "deep", "cmu", "file-a")
	top := saveTestItem(t, s, "top", "cmu", "fonds-a")
	saveTestItem(t, s, "loose", "cmu", "")
	saveTestItem(t, s, "other", "tu", "")
	want := func(s *Store, inst, unit string, ids ...string) {
		t.Helper()
		if got := setMembers(t, s, inst, unit); !slices.Equal(got, ids) {
			t.Errorf("set %s:%s holds %v, want %v", inst, unit, got, ids)
		}
	}
	want(s, "cmu", "", "deep", "top", "loose")
	want(s, "cmu", "fonds-a", "deep", "top")
	want(s, "cmu", "series-a", "deep")
	want(s, "tu", "", "other")

	// A withdrawn item stays, at its new datestamp: harvesters see it deleted.
	if err := s.Withdraw(ctx, top.ID, "tester", "duplicate"); err != nil {
		t.Fatal(err)
	}
	want(s, "cmu", "fonds-a", "deep", "top")
	want(s, "cmu", "", "deep", "loose", "top")
	// An item moved to another unit leaves the units above its old one.
	deep, _ = s.Item(deep.ID)
	deep.Collection = "fonds-b"
	if err := s.SaveItem(ctx, deep, "tester"); err != nil {
		t.Fatal(err)
	}
	want(s, "cmu", "fonds-a", "top")
	want(s, "cmu", "series-a")
	want(s, "cmu", "fonds-b", "deep")
	// A unit moved takes the items below it, tombstones too, to its new place.
	saveTestItem(t, s, "filed", "cmu", "file-a")
	withdrawn := saveTestItem(t, s, "gone", "cmu", "file-a")
	if err := s.Withdraw(ctx, withdrawn.ID, "tester", "lost"); err != nil {
		t.Fatal(err)
	}
	series, _ := s.Collection("series-a")
	if err := s.MoveCollection(ctx, series.ID, series.Version, "fonds-b", 0, "tester"); err != nil {
		t.Fatal(err)
	}
	want(s, "cmu", "fonds-a", "top")
	want(s, "cmu", "fonds-b", "deep", "filed", "gone")
	want(s, "cmu", "series-a", "filed", "gone")

	var before, after []string
	for _, set := range [][2]string{{"cmu", ""}, {"cmu", "fonds-a"}, {"cmu", "fonds-b"}, {"cmu", "series-a"}, {"cmu", "file-a"}, {"tu", ""}} {
		before = append(before, fmt.Sprint(set, setMembers(t, s, set[0], set[1])))
	}
	s.Close()
	if _, err := Rebuild(ctx, filepath.Join(dir, "b.db"), blobs, false); err != nil {
		t.Fatal(err)
	}
	r := openStore(t, filepath.Join(dir, "b.db"), blobs)
	for _, set := range [][2]string{{"cmu", ""}, {"cmu", "fonds-a"}, {"cmu", "fonds-b"}, {"cmu", "series-a"}, {"cmu", "file-a"}, {"tu", ""}} {
		after = append(after, fmt.Sprint(set, setMembers(t, r, set[0], set[1])))
	}
	if !slices.Equal(before, after) {
		t.Errorf("after a rebuild the sets hold\n%v\nbefore\n%v", after, before)
	}
}

func TestSetIndexIsBuiltWhenAnOlderFileHasNone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.db")
	blobs := newBlobs(t)
	s := openStore(t, path, blobs)
	unit := &repository.Collection{ID: "fonds-a", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "A"}}
	if err := s.SaveCollection(ctx, unit, "tester"); err != nil {
		t.Fatal(err)
	}
	saveTestItem(t, s, "one", "cmu", "fonds-a")
	saveTestItem(t, s, "two", "cmu", "")
	saveTestItem(t, s, "three", "cmu", "fonds-a")
	want := fmt.Sprint(setMembers(t, s, "cmu", ""), setMembers(t, s, "cmu", "fonds-a"))
	s.Close()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{ixSetItems, ixItemSets} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s = openStore(t, path, blobs)
	if got := fmt.Sprint(setMembers(t, s, "cmu", ""), setMembers(t, s, "cmu", "fonds-a")); got != want {
		t.Errorf("an older file opened lists %v, want %v", got, want)
	}
	// and its next saves keep it: an item moved out leaves the unit.
	one, _ := s.Item("one")
	one.Collection = ""
	if err := s.SaveItem(ctx, one, "tester"); err != nil {
		t.Fatal(err)
	}
	if got := setMembers(t, s, "cmu", "fonds-a"); !slices.Equal(got, []string{"three"}) {
		t.Errorf("fonds-a holds %v after one moved out", got)
	}
}
