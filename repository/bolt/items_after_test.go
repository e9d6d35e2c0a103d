package bolt

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// A walk over every item a page at a time meets each once, in identifier
// order, withdrawn ones too, and starts after any identifier, held or not.
func TestItemIDsAfterWalksEveryItemAPageAtATime(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	for range 7 {
		if err := s.SaveItem(ctx, &repository.Item{Institution: "cmu", Title: repository.Text{"en": "x"}}, "t"); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.ItemIDs()
	if err != nil || len(all) != 7 {
		t.Fatalf("%v, %v", all, err)
	}
	if err := s.Withdraw(ctx, all[2], "t", "withdrawn"); err != nil {
		t.Fatal(err)
	}
	var walked []string
	for after := ""; ; {
		page, err := s.ItemIDsAfter(after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		walked = append(walked, page...)
		after = page[len(page)-1]
	}
	if !slices.Equal(walked, all) {
		t.Fatalf("walked %v, want %v", walked, all)
	}
	// After an identifier no item has: from the next one that sorts after it.
	if page, _ := s.ItemIDsAfter(all[3]+"!", 10); !slices.Equal(page, all[4:]) {
		t.Fatalf("after %s!: %v, want %v", all[3], page, all[4:])
	}
}
