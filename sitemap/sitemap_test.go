package sitemap

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// counting is a store that counts the records read.
type counting struct {
	*bolt.Store
	items, units int
}

func (c *counting) Item(id string) (*repository.Item, error) {
	c.items++
	return c.Store.Item(id)
}

func (c *counting) TopUnitsAt(inst, tier string, curated bool, offset, limit int) ([]*repository.Collection, int, error) {
	cols, n, err := c.Store.TopUnitsAt(inst, tier, curated, offset, limit)
	c.units += len(cols)
	return cols, n, err
}

func TestAPageReadsOnlyTheRecordsItHolds(t *testing.T) {
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	var cols []*repository.Collection
	for i := range 12 {
		cols = append(cols, &repository.Collection{ID: fmt.Sprintf("fonds-%02d", i), Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "F"}})
	}
	if err := store.AddCollections(ctx, cols, "t"); err != nil {
		t.Fatal(err)
	}
	for i := range 150 {
		it := &repository.Item{Institution: []string{"cmu", "tu", "chula"}[i%3], Title: repository.Text{"en": fmt.Sprint("item ", i)}}
		if err := store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	libs, err := store.Institutions()
	if err != nil {
		t.Fatal(err)
	}
	total := len(libs) + len(cols) + 150
	c := &counting{Store: store}
	s := &Service{Store: c, PerPage: 10}
	pages, err := s.Pages(ctx)
	if err != nil || pages != (total+9)/10 {
		t.Fatalf("%d pages (%v), want %d", pages, err, (total+9)/10)
	}
	seen := map[string]bool{}
	for n := 1; n <= pages; n++ {
		c.items, c.units = 0, 0
		urls, err := s.Page(ctx, "https://a.example", n)
		if err != nil {
			t.Fatal(err)
		}
		if len(urls) > 10 || n < pages && len(urls) != 10 {
			t.Errorf("page %d holds %d addresses", n, len(urls))
		}
		if c.items+c.units > 10 {
			t.Errorf("page %d read %d items and %d units for %d addresses", n, c.items, c.units, len(urls))
		}
		for _, u := range urls {
			if seen[u.Loc] {
				t.Errorf("%s on two pages", u.Loc)
			}
			seen[u.Loc] = true
		}
	}
	if len(seen) != total {
		t.Errorf("%d addresses in all, want %d", len(seen), total)
	}
	if _, err := s.Page(ctx, "https://a.example", pages+1); fault.KindOf(err) != fault.NotFound {
		t.Error("a page past the last is answered")
	}
}

func TestARebuiltStoreGivesTheSameSitemap(t *testing.T) {
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	fonds := &repository.Collection{ID: "open-fonds", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "F"}}
	closed := &repository.Collection{ID: "closed-fonds", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "C"}, Access: repository.Access{Level: repository.Restricted}}
	if err := store.AddCollections(ctx, []*repository.Collection{fonds, closed}, "t"); err != nil {
		t.Fatal(err)
	}
	its := []*repository.Item{
		{Institution: "tu", Collection: "open-fonds", Title: repository.Text{"en": "open"}},
		{Institution: "tu", Collection: "closed-fonds", Title: repository.Text{"en": "below a closed fonds"}},
		{Institution: "cmu", Title: repository.Text{"en": "restricted"}, Access: repository.Access{Level: repository.Restricted}},
		{Institution: "cmu", Title: repository.Text{"en": "withdrawn"}},
	}
	for _, it := range its {
		if err := store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Withdraw(ctx, its[3].ID, "t", "duplicate"); err != nil {
		t.Fatal(err)
	}
	before, err := (&Service{Store: store}).Page(ctx, "https://a.example", 1)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rebuilt.db")
	if _, err := bolt.Rebuild(ctx, path, blobs, false); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := bolt.Open(ctx, path, blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer rebuilt.Close()
	after, err := (&Service{Store: rebuilt}).Page(ctx, "https://a.example", 1)
	if err != nil {
		t.Fatal(err)
	}
	var locs []string
	for i, u := range before {
		locs = append(locs, u.Loc)
		if i >= len(after) || after[i].Loc != u.Loc || !after[i].Modified.Equal(u.Modified) {
			t.Errorf("after a rebuild: %v\nbefore: %v", after, before)
			break
		}
	}
	want := []string{"https://a.example/libraries/chula", "https://a.example/libraries/cmu", "https://a.example/libraries/tu",
		"https://a.example/fonds/open-fonds", "https://a.example/items/" + its[0].ID}
	if len(after) != len(before) || !slices.Equal(locs, want) {
		t.Errorf("sitemap %v, want %v", locs, want)
	}
}
