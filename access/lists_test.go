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

// The store's listings of a library (repository.Tiers, kept with each
// item) and the tier a principal reads (ListTier) must answer as Decide
// does: a principal without grants lists exactly what it may read, one
// with grants never more; and the tiers of an access made stricter by a
// unit's are those both allow, as the store folds them.
func TestListTiersAgreeWithDecide(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	grants := []Grant{{Kind: "item", ID: "x", Institution: "cmu", Until: now.Add(time.Hour)}, {Kind: "collection", ID: "fonds", Institution: "cmu", Until: now.Add(time.Hour)}}
	var accesses []repository.Access
	for _, level := range append(repository.Levels, "") {
		for _, embargo := range []string{"", "2025-06-01", "2027-06-01"} {
			for _, internal := range []bool{false, true} {
				for _, room := range []bool{false, true} {
					accesses = append(accesses, repository.Access{Level: level, Embargo: embargo, Internal: internal, ReadingRoom: room})
				}
			}
		}
	}
	checked := 0
	for _, role := range append([]Role{Anonymous}, Roles...) {
		for _, inst := range []string{"", "cmu", "tu"} {
			for _, scope := range []Scope{"", ScopeRead, ScopeUpload, ScopeWrite, "bogus"} {
				for _, g := range [][]Grant{nil, grants} {
					user := ""
					if role != Anonymous {
						user = "u1"
					}
					p := Principal{User: user, Role: role, Institution: inst, Scope: scope, Grants: g}
					tier := ListTier(p, "cmu")
					for _, a := range accesses {
						for _, withdrawn := range []bool{false, true} {
							for _, reveal := range []bool{false, true} {
								r := Resource{Kind: "item", ID: "x", Institution: "cmu", Within: []string{"fonds"}, Access: a, Withdrawn: withdrawn, Reveal: reveal}
								listed := slices.Contains(a.Tiers(withdrawn, now), tier)
								may := Decide(p, ReadMetadata, r, now) == nil
								if listed && !may || !listed && may && len(g) == 0 {
									t.Fatalf("%+v reading %+v (withdrawn %v): listed %v (tier %q), Decide says %v", p, a, withdrawn, listed, tier, may)
								}
								checked++
							}
						}
					}
				}
			}
		}
	}
	for _, a := range accesses {
		for _, b := range accesses {
			both := slices.DeleteFunc(a.Tiers(false, now), func(t string) bool { return !slices.Contains(b.Tiers(false, now), t) })
			if got := Stricter(a, b).Tiers(false, now); !slices.Equal(got, both) {
				t.Fatalf("%+v within %+v: tiers %v, want those both allow, %v", a, b, got, both)
			}
		}
	}
	if checked < 10_000 {
		t.Fatalf("only %d cases checked", checked)
	}
}

// listings is a store's listings by tier, which names what it was asked.
type listings struct{ asked []string }

func (l *listings) ListedItems(inst, tier string, at repository.At, limit int) ([]string, int, error) {
	l.asked = append(l.asked, "library "+inst+" "+tier)
	return []string{"kept"}, 1, nil
}

func (l *listings) ListedInUnit(unit, tier string, at repository.At, limit int) ([]string, int, error) {
	l.asked = append(l.asked, "unit "+unit+" "+tier)
	return []string{"kept"}, 1, nil
}

// A library's listing, and a unit's that holds only the items filed in it,
// come from the store's listings in the tier of the asker for the library
// that holds them; a curated collection and a unit whose members come
// first are decided here; a token that reads nothing lists nothing.
func TestLibrariesAndUnitsListFromTheStoreInTheAskersTier(t *testing.T) {
	f := &fakeStore{items: map[string]*repository.Item{}}
	f.put("i1", repository.Public)
	kept := &listings{}
	l := &Lists{Items: f, Feed: f, Libraries: kept}
	all := func() ([]string, error) { return slices.Clone(f.all), nil }
	now := time.Now()
	staff := Principal{User: "a", Institution: "tu", Role: Archivist}
	reader := Principal{User: "r", Institution: "cmu", Role: Reader}
	unit := &repository.Collection{ID: "tu-f", Institution: "tu", Level: repository.Fonds}
	ordered := &repository.Collection{ID: "tu-o", Institution: "tu", Level: repository.Fonds, Members: []string{"i1"}}
	curated := &repository.Collection{ID: "shared", Institution: "tu", Level: repository.Curated, Members: []string{"i1"}}
	l.Library(staff, "tu", repository.At{}, 10)
	l.Library(reader, "tu", repository.At{}, 10)
	l.Unit(staff, unit, all, repository.At{}, 10, now)
	l.Unit(reader, unit, all, repository.At{}, 10, now)
	for _, c := range []*repository.Collection{ordered, curated} {
		if ids, _, err := l.Unit(reader, c, all, repository.At{}, 10, now); err != nil || !slices.Equal(ids, []string{"i1"}) {
			t.Fatalf("%s lists %v (%v), want [i1] decided here", c.ID, ids, err)
		}
	}
	if ids, total, _ := l.Library(Principal{User: "x", Institution: "tu", Role: Archivist, Scope: "bogus"}, "tu", repository.At{}, 10); len(ids) != 0 || total != 0 {
		t.Fatalf("a token of no known scope lists %v of %d", ids, total)
	}
	want := []string{"library tu s", "library tu a", "unit tu-f s", "unit tu-f a"}
	if !slices.Equal(kept.asked, want) {
		t.Fatalf("the store was asked %v, want %v", kept.asked, want)
	}
}
