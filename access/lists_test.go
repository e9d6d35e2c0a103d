package access

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
)

// fakeItems is a store of items of library tu, which hides its restricted
// ones.
type fakeItems struct {
	items map[string]*repository.Item
	reads int
}

func (f *fakeItems) Item(id string) (*repository.Item, error) {
	f.reads++
	if it := f.items[id]; it != nil {
		return it, nil
	}
	return nil, fmt.Errorf("item %s: %w", id, repository.ErrNotFound)
}

func (f *fakeItems) Collection(id string) (*repository.Collection, error) {
	return nil, fmt.Errorf("collection %s: %w", id, repository.ErrNotFound)
}

func (f *fakeItems) Institution(id string) (*repository.Institution, error) {
	return &repository.Institution{ID: id}, nil
}

// Pages and counts hold what the principal may list; the decisions are
// kept (items new to the scope decided when met), and made again once the
// store has changed and Refresh has passed.
func TestListsPageAndCountWhatThePrincipalMayList(t *testing.T) {
	f := &fakeItems{items: map[string]*repository.Item{}}
	var all []string
	add := func(id string, lvl string) {
		f.items[id] = &repository.Item{ID: id, Institution: "tu", Access: repository.Access{Level: lvl}}
		all = append(all, id)
	}
	for i := range 10 {
		lvl := repository.Public
		if i%2 == 1 {
			lvl = repository.Restricted
		}
		add(fmt.Sprintf("i%02d", i), lvl)
	}
	gen := uint64(1)
	l := &Lists{Items: f, Generation: func() uint64 { return gen }, Refresh: time.Hour}
	now := time.Now()
	anon, reader := Principal{}, Principal{User: "u", Institution: "tu", Role: Reader}
	page, total, err := l.Page(anon, "tu", all, 2, 2, now)
	if err != nil || total != 5 || !slices.Equal(page, []string{"i04", "i06"}) {
		t.Fatalf("anonymous: page %v of %d (%v), want [i04 i06] of 5", page, total, err)
	}
	if _, total, _ := l.Page(reader, "tu", all, 0, 100, now); total != 10 {
		t.Fatalf("the library's reader may list %d, want 10", total)
	}
	reads := f.reads
	if _, total, _ = l.Page(anon, "tu", all, 0, 100, now); total != 5 || f.reads != reads {
		t.Fatalf("asked again: %d listed, %d items read again", total, f.reads-reads)
	}
	// A new restricted item is not counted, at once.
	add("i10", repository.Restricted)
	gen++
	if _, total, _ = l.Page(anon, "tu", all, 0, 100, now); total != 5 {
		t.Fatalf("a new hidden item counted: %d", total)
	}
	// An item closed is counted until the store's change is taken in.
	f.items["i00"].Access.Level = repository.Restricted
	gen++
	l.Refresh = time.Nanosecond
	page, total, _ = l.Page(anon, "tu", all, 0, 100, now)
	if total != 4 || slices.Contains(page, "i00") {
		t.Fatalf("after the refresh: %v of %d, want 4 without i00", page, total)
	}
}
