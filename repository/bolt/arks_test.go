package bolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/thaiarchives/archive/ark"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

func minter(t *testing.T) *ark.Minter {
	t.Helper()
	m, err := ark.NewMinter(ark.TestNAAN, map[string]string{"cmu": "c1", "tu": "t1"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Items saved at once each get an ARK of their own, which resolves to
// them, is kept through changes (another one given is ignored), answers
// after withdrawal, and comes back with a rebuild from storage alone.
func TestEveryRecordKeepsItsOwnARKThroughChangesWithdrawalAndRebuild(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	s := openStore(t, filepath.Join(dir, "a.db"), blobs)
	s.ARKs = minter(t)
	var mu sync.Mutex
	arks := map[string]string{} // ARK → item
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				it := &repository.Item{Institution: []string{"cmu", "tu"}[g%2], Title: repository.Text{"en": fmt.Sprintf("Letter %d-%d", g, i)}}
				if err := s.SaveItem(ctx, it, "test"); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if other, ok := arks[it.ARK]; ok || it.ARK == "" {
					t.Errorf("item %s got ARK %q, as %s did", it.ID, it.ARK, other)
				}
				arks[it.ARK] = it.ID
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(arks) != 200 {
		t.Fatalf("%d ARKs for 200 items", len(arks))
	}
	fonds := &repository.Collection{Institution: "tu", Level: repository.Fonds, Title: repository.Text{"th": "เอกสารส่วนบุคคล"}}
	if err := s.SaveCollection(ctx, fonds, "test"); err != nil || !strings.HasPrefix(fonds.ARK, "ark:/99999/t1"+fonds.ID) {
		t.Fatalf("the fonds's ARK: %q, %v", fonds.ARK, err)
	}
	var some *repository.Item
	for a, id := range arks {
		if _, err := ark.Parse(a); err != nil {
			t.Fatal(err)
		}
		if kind, got, err := s.ResolveARK(a); err != nil || kind != "item" || got != id {
			t.Fatalf("%s resolves to %s %s, %v; want item %s", a, kind, got, err, id)
		}
		some, _ = s.Item(id)
	}
	kept := some.ARK
	some.ARK = "ark:/99999/c1zzzzzzzzzz" + string(ark.Check("99999/c1zzzzzzzzzz"))
	some.Title = repository.Text{"en": "Changed"}
	if err := s.SaveItem(ctx, some, "test"); err != nil || some.ARK != kept {
		t.Fatalf("a change with another ARK: %q, %v; want %q kept", some.ARK, err, kept)
	}
	some.Deleted = true
	if err := s.SaveItem(ctx, some, "test"); err != nil {
		t.Fatal(err)
	}
	// A new record does not take the ARK it is given: it gets its own.
	other := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Another"}, ARK: kept}
	if err := s.SaveItem(ctx, other, "test"); err != nil || other.ARK == kept || !strings.HasPrefix(other.ARK, "ark:/99999/c1"+other.ID) {
		t.Fatalf("a new item given another's ARK: %q, %v", other.ARK, err)
	}
	// An ARK that names a record already is refused before anything is
	// written (a collection minted for an item's identifier).
	twin := &repository.Collection{ID: some.ID, Institution: some.Institution, Level: repository.Fonds, Title: repository.Text{"en": "Twin"}}
	if err := s.SaveCollection(ctx, twin, "test"); !errors.Is(err, fault.Conflict) {
		t.Fatalf("a collection whose ARK names an item: %v, want a conflict", err)
	}
	s.Close()
	if err := os.Remove(filepath.Join(dir, "a.db")); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, filepath.Join(dir, "a.db"), blobs)
	if kind, id, err := s.ResolveARK(kept); err != nil || kind != "item" || id != some.ID {
		t.Fatalf("after a rebuild the withdrawn item's ARK resolves to %s %s, %v", kind, id, err)
	}
	if kind, id, err := s.ResolveARK(fonds.ARK); err != nil || kind != "collection" || id != fonds.ID {
		t.Fatalf("after a rebuild the fonds's ARK resolves to %s %s, %v", kind, id, err)
	}
	if _, _, err := s.ResolveARK("ark:/99999/c1nothing"); !errors.Is(err, fault.NotFound) {
		t.Fatalf("an unknown ARK: %v", err)
	}
}

// Records saved before ARKs were minted get theirs from MintARKs, once.
func TestMintARKsGivesOlderRecordsTheirsOnce(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	var ids []string
	for i := range 3 {
		it := &repository.Item{Institution: "cmu", Title: repository.Text{"en": fmt.Sprint("Old ", i)}}
		if err := s.SaveItem(ctx, it, "test"); err != nil || it.ARK != "" {
			t.Fatalf("%+v %v", it, err)
		}
		ids = append(ids, it.ID)
	}
	c := &repository.Collection{Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Old fonds"}}
	if err := s.SaveCollection(ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MintARKs(ctx, "test", nil); err == nil {
		t.Fatal("minting without a minter")
	}
	s.ARKs = minter(t)
	n, err := s.MintARKs(ctx, "test", nil)
	if err != nil || n < 4 { // the seeded libraries' own collections too, if any
		t.Fatalf("minted %d, %v", n, err)
	}
	for _, id := range ids {
		it, _ := s.Item(id)
		if !strings.HasPrefix(it.ARK, "ark:/99999/c1"+id) || it.Version != 2 {
			t.Errorf("item %s after the migration: %q version %d", id, it.ARK, it.Version)
		}
	}
	if again, err := s.MintARKs(ctx, "test", nil); err != nil || again != 0 {
		t.Fatalf("a second run minted %d, %v", again, err)
	}
}
