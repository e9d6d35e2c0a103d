package access

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// fakeStore holds items of library tu, which hides its restricted ones,
// and a change feed.
type fakeStore struct {
	reveal bool
	items  map[string]*repository.Item
	all    []string
	feed   []repository.FeedEntry
	reads  int
}

func (f *fakeStore) Item(id string) (*repository.Item, error) {
	f.reads++
	if it := f.items[id]; it != nil {
		return it, nil
	}
	return nil, fmt.Errorf("item %s: %w", id, fault.NotFound)
}

func (f *fakeStore) Collection(id string) (*repository.Collection, error) {
	return nil, fmt.Errorf("collection %s: %w", id, fault.NotFound)
}

func (f *fakeStore) Institution(id string) (*repository.Institution, error) {
	return &repository.Institution{ID: id, RevealRestricted: f.reveal}, nil
}

func (f *fakeStore) FeedEpoch() (string, uint64, error) { return "e", uint64(len(f.feed)), nil }

func (f *fakeStore) Feed(after uint64, limit int) ([]repository.FeedEntry, error) {
	return f.feed[after:min(int(after)+limit, len(f.feed))], nil
}

func (f *fakeStore) put(id, lvl string) {
	if f.items[id] == nil {
		f.all = append(f.all, id)
		slices.Sort(f.all)
	}
	f.items[id] = &repository.Item{ID: id, Institution: "tu", Access: repository.Access{Level: lvl}}
	f.feed = append(f.feed, repository.FeedEntry{Seq: uint64(len(f.feed) + 1), Kind: "item", ID: id})
}

// Pages and counts hold what the principal may list. The list is kept,
// brought up to date from the change feed (only the items changed are read
// again), and made anew when a collection changes.
func TestListsPageAndCountWhatThePrincipalMayList(t *testing.T) {
	f := &fakeStore{items: map[string]*repository.Item{}}
	for i := range 10 {
		lvl := repository.Public
		if i%2 == 1 {
			lvl = repository.Restricted
		}
		f.put(fmt.Sprintf("i%02d", i), lvl)
	}
	l := &Lists{Items: f, Feed: f, Refresh: time.Nanosecond}
	all := func() ([]string, error) { return slices.Clone(f.all), nil }
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
	// New items, one hidden, one open, and an item closed: only those are read.
	f.put("i03b", repository.Restricted)
	f.put("i05b", repository.Public)
	f.put("i00", repository.Restricted)
	page, total, _ = l.Page(anon, "tu", all, 0, 100, now)
	if want := []string{"i02", "i04", "i05b", "i06", "i08"}; total != 5 || !slices.Equal(page, want) {
		t.Fatalf("after three changes: %v of %d, want %v", page, total, want)
	}
	if f.reads != reads+3 {
		t.Errorf("%d items read to take in three changes", f.reads-reads)
	}
	// A collection that no decision read changes nothing; a change of the
	// library's setting has every item decided again (revealed restricted
	// items are still not listed).
	f.feed = append(f.feed, repository.FeedEntry{Seq: uint64(len(f.feed) + 1), Kind: "collection", ID: "tu-f"})
	reads = f.reads
	if _, total, _ = l.Page(anon, "tu", all, 0, 100, now); total != 5 || f.reads != reads {
		t.Errorf("after another collection's change: %d listed, %d items read again", total, f.reads-reads)
	}
	f.reveal = true
	f.feed = append(f.feed, repository.FeedEntry{Seq: uint64(len(f.feed) + 1), Kind: "institution", ID: "tu"})
	if _, total, _ = l.Page(anon, "tu", all, 0, 100, now); total != 5 || f.reads != reads+len(f.all) {
		t.Errorf("after the library's setting changed: %d listed, %d of %d items read again", total, f.reads-reads, len(f.all))
	}
}
