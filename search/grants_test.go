package search

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/repository"
)

// testClock is a clock a test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// withGrants is p holding gs.
func withGrants(p access.Principal, gs ...access.Grant) access.Principal {
	p.Grants = gs
	return p
}

// countsAgree fails t unless every facet's counts add up to the hits (each
// hit has one library and one type) and the access counts to what the hits
// are.
func countsAgree(t *testing.T, who string, r *Result, restricted int) {
	t.Helper()
	for _, name := range []string{"library", "type", "access"} {
		sum := 0
		for _, v := range r.Facets[name] {
			sum += v.Count
		}
		if uint64(sum) != r.Total {
			t.Errorf("%s: the %s facet counts %d, the hits are %d (%v)", who, name, sum, r.Total, r.Facets)
		}
	}
	if got := facet(r, "access", repository.Restricted); got != restricted {
		t.Errorf("%s: %d restricted hits counted, want %d", who, got, restricted)
	}
}

func TestAGrantedReaderFindsARestrictedItemUntilTheGrantEnds(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	f := newFixtureWith(t, Options{Now: clock.Now})
	f.save(t, &repository.Item{Title: repository.Text{"en": "Lanna law, printed edition"}, Type: "Text"})
	closed := f.save(t, &repository.Item{Title: repository.Text{"th": "กฎหมายล้านนา ใบลาน", "en": "Lanna law on palm leaves"}, Type: "Image",
		Access: repository.Access{Level: repository.Restricted}})
	other := f.save(t, &repository.Item{Title: repository.Text{"en": "Lanna law, a second bundle"}, Type: "Image",
		Access: repository.Access{Level: repository.Restricted}})
	until := clock.Now().Add(48 * time.Hour)
	grant := access.Grant{Kind: "item", ID: closed.ID, Institution: "cmu", Until: until}
	grantee := withGrants(tuReader, grant)
	q := Query{Text: "lanna"}

	r := f.find(t, grantee, q)
	if got := ids(r); !slices.Contains(got, closed.ID) || slices.Contains(got, other.ID) || r.Total != 2 {
		t.Fatalf("the grantee finds %v (%d), want the granted item and the public one only", got, r.Total)
	}
	countsAgree(t, "the grantee", r, 1)
	if got := facet(r, "type", "Image"); got != 1 {
		t.Errorf("the grantee: %d images counted, want 1", got)
	}
	if got := ids(f.find(t, grantee, Query{Text: "ใบลาน"})); !slices.Equal(got, []string{closed.ID}) {
		t.Errorf("the grantee searching a Thai word of its title finds %v", got)
	}

	// Another reader of tu, and a grant that names something else, find
	// the public item alone.
	for _, p := range []access.Principal{
		{User: "u3", Email: "s@tu", Institution: "tu", Role: access.Reader},
		withGrants(tuReader, access.Grant{Kind: "item", ID: closed.ID, Institution: "tu", Until: until}),
		withGrants(tuReader, access.Grant{Kind: "collection", ID: closed.ID, Institution: "cmu", Until: until}),
		withGrants(anonymous, grant),
	} {
		r := f.find(t, p, q)
		if r.Total != 1 || slices.Contains(ids(r), closed.ID) {
			t.Errorf("%+v finds %v", p, ids(r))
		}
		countsAgree(t, "without the grant", r, 0)
	}

	// At the grant's end the same search (answered from the cache before)
	// no longer finds it.
	clock.Set(until)
	r = f.find(t, grantee, q)
	if r.Total != 1 || slices.Contains(ids(r), closed.ID) {
		t.Errorf("at the grant's end the grantee finds %v", ids(r))
	}
	countsAgree(t, "after the end", r, 0)

	// A withdrawn item is found by no grant.
	clock.Set(until.Add(-time.Hour))
	if err := f.store.Withdraw(ctx, closed.ID, "tester", "duplicate"); err != nil {
		t.Fatal(err)
	}
	if r := f.find(t, grantee, q); slices.Contains(ids(r), closed.ID) {
		t.Errorf("the grantee finds the withdrawn item")
	}
}

func TestACollectionGrantFindsEverythingWithinTheCollectionOnly(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	f := newFixtureWith(t, Options{Now: clock.Now})
	unit := func(title string, parent string) *repository.Collection {
		c := &repository.Collection{Institution: "cmu", Level: repository.Series, Parent: parent, Title: repository.Text{"en": title},
			Access: repository.Access{Level: repository.Restricted}}
		if parent == "" {
			c.Level = repository.Fonds
		}
		if err := f.store.SaveCollection(ctx, c, "tester"); err != nil {
			t.Fatal(err)
		}
		return c
	}
	fonds := unit("Papers of the rector", "")
	letters := unit("Correspondence", fonds.ID)
	diaries := unit("Diaries", fonds.ID)
	inside := f.save(t, &repository.Item{Title: repository.Text{"en": "Rector's letter to the council"}, Collection: letters.ID, Type: "Text"})
	deeper := unit("Letters abroad", letters.ID)
	below := f.save(t, &repository.Item{Title: repository.Text{"en": "Rector's letter from Paris"}, Collection: deeper.ID, Type: "Text"})
	sibling := f.save(t, &repository.Item{Title: repository.Text{"en": "Rector's diary"}, Collection: diaries.ID, Type: "Text"})
	until := clock.Now().Add(24 * time.Hour)
	q := Query{Text: "rector"}

	byLetters := withGrants(tuReader, access.Grant{Kind: "collection", ID: letters.ID, Institution: "cmu", Until: until})
	r := f.find(t, byLetters, q)
	if got, want := ids(r), []string{inside.ID, below.ID}; !slices.Equal(got, sorted(want)) {
		t.Errorf("a grant of the correspondence finds %v, want %v", got, sorted(want))
	}
	countsAgree(t, "the correspondence's grantee", r, 2)
	if got := facet(r, "collection", letters.ID); got != 2 {
		t.Errorf("the correspondence counted %d times, want 2", got)
	}
	if got := facet(r, "collection", diaries.ID); got != 0 {
		t.Errorf("the diaries counted %d times for a grant of the correspondence", got)
	}

	byFonds := withGrants(tuReader, access.Grant{Kind: "collection", ID: fonds.ID, Institution: "cmu", Until: until})
	r = f.find(t, byFonds, q)
	if got, want := ids(r), []string{inside.ID, below.ID, sibling.ID}; !slices.Equal(got, sorted(want)) {
		t.Errorf("a grant of the fonds finds %v, want %v", got, sorted(want))
	}
	countsAgree(t, "the fonds' grantee", r, 3)

	if r := f.find(t, tuReader, q); r.Total != 0 || len(r.Facets["library"]) != 0 {
		t.Errorf("a reader of tu without a grant finds %v, facets %v", ids(r), r.Facets)
	}
	clock.Set(until)
	if r := f.find(t, byFonds, q); r.Total != 0 {
		t.Errorf("at the fonds grant's end: %v", ids(r))
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
