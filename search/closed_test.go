package search

import (
	"slices"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/repository"
)

// TestOnlyRecordsSomeVisitorMayNotReadAreMarkedClosed: the access filter
// excludes the closed records a searcher may not read, so the mark must be
// on every record without the everyone audience and on no other.
func TestOnlyRecordsSomeVisitorMayNotReadAreMarkedClosed(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLookups(newFixture(t).store)
	for _, c := range []struct {
		name   string
		access repository.Access
		closed bool
	}{
		{"public", repository.Access{}, false},
		{"reduced", repository.Access{Level: repository.Reduced}, false},
		{"metadata only", repository.Access{Level: repository.MetadataOnly}, false},
		{"restricted", repository.Access{Level: repository.Restricted}, true},
		{"under embargo", repository.Access{Embargo: "2999-01-01"}, true},
		{"embargo over", repository.Access{Embargo: "2001-01-01"}, false},
		{"internal", repository.Access{Internal: true}, true},
	} {
		it := &repository.Item{ID: "i1", Institution: "cmu", Title: repository.Text{"en": c.name}, Access: c.access}
		d, err := newDocument(l, it, now)
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(d.Closed, closedMark); got != c.closed || got == slices.Contains(d.Audience, access.Everyone) {
			t.Errorf("%s: marked closed %v, audiences %v", c.name, got, d.Audience)
		}
	}
}

// TestInternalRecordsAreFoundByTheirLibrarysStaffAlone: an internal record
// is closed and its audience is the staff's, which a reader lacks.
func TestInternalRecordsAreFoundByTheirLibrarysStaffAlone(t *testing.T) {
	f := newFixture(t)
	f.save(t, &repository.Item{Title: repository.Text{"en": "Ledger open"}})
	internal := f.save(t, &repository.Item{Title: repository.Text{"en": "Ledger internal"}, Access: repository.Access{Internal: true}})
	staff := access.Principal{User: "a1", Email: "a@cmu", Institution: "cmu", Role: access.Archivist}
	for _, c := range []struct {
		name string
		p    access.Principal
		want uint64
	}{{"anonymous", anonymous, 1}, {"cmu reader", cmuReader, 1}, {"tu reader", tuReader, 1}, {"cmu archivist", staff, 2}} {
		r := f.find(t, c.p, Query{Text: "ledger"})
		if r.Total != c.want || facet(r, "library", "cmu") != int(c.want) || (c.want == 1) == slices.Contains(ids(r), internal.ID) {
			t.Errorf("%s: %d hits %v, facets %v", c.name, r.Total, ids(r), r.Facets)
		}
	}
}

// TestFacetCountsPastTheBoundAreEstimatesThatSaySo: past the
// bound the total stays exact and the counts are estimates, near the true
// ones, marked as such; restricted records are in no count an anonymous
// visitor sees; below the bound the counts are exact.
func TestFacetCountsPastTheBoundAreEstimatesThatSaySo(t *testing.T) {
	f := newFixtureWith(t, Options{FacetSample: 64})
	images := 0
	for i := range 400 {
		it := &repository.Item{Title: repository.Text{"en": "Survey report"}, Type: "Text"}
		if i < 50 {
			it.Title["en"] += " annex"
		}
		switch {
		case i%10 == 0:
			it.Type, it.Access.Level = "Sound", repository.Restricted
		case i%2 == 0:
			it.Type = "Image"
			images++
		}
		f.save(t, it)
	}
	r := f.find(t, anonymous, Query{Text: "survey"})
	if r.Total != 360 || !r.FacetsEstimated {
		t.Fatalf("%d hits (want 360), estimated %v", r.Total, r.FacetsEstimated)
	}
	if got := facet(r, "type", "Image"); got < images*6/10 || got > images*14/10 {
		t.Errorf("about %d images estimated; there are %d", got, images)
	}
	if facet(r, "type", "Sound") != 0 || facet(r, "access", repository.Restricted) != 0 {
		t.Errorf("an anonymous estimate counts restricted records: %v", r.Facets)
	}
	r = f.find(t, anonymous, Query{Text: "annex"})
	if r.FacetsEstimated || r.Total != 45 || facet(r, "type", "Image") != 20 || facet(r, "type", "Text") != 25 {
		t.Errorf("below the bound: %d hits, estimated %v, facets %v", r.Total, r.FacetsEstimated, r.Facets)
	}
}

// TestEstimatesKeepTwoFigures: a sample's count scaled up says no more
// than it knows.
func TestEstimatesKeepTwoFigures(t *testing.T) {
	for _, c := range []struct {
		n      int
		factor float64
		want   int
	}{{7, 1, 7}, {3, 4, 12}, {37, 16, 590}, {1234, 8, 9900}, {1, 0.4, 1}} {
		if got := scale(c.n, c.factor); got != c.want {
			t.Errorf("scale(%d, %g) = %d, want %d", c.n, c.factor, got, c.want)
		}
	}
}

// TestARebuildIndexesTheLibrariesTogether: facet estimates count the
// first hits in the index's order, so a rebuild must not index one library
// after another: estimated from the first 100 of 600 records, each of the
// three libraries' 200 is counted.
func TestARebuildIndexesTheLibrariesTogether(t *testing.T) {
	f := newFixtureWith(t, Options{FacetSample: 100})
	libs := []string{"cmu", "tu", "chula"}
	for _, id := range libs {
		if _, err := f.store.Institution(id); err != nil {
			t.Fatalf("library %s: %v", id, err)
		}
	}
	for i := range 600 {
		f.save(t, &repository.Item{Institution: libs[i/200], Title: repository.Text{"en": "Gazette"}})
	}
	if err := f.index.WaitFor(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := f.index.Rebuild(ctx); err != nil || n != 600 {
		t.Fatalf("rebuilt %d: %v", n, err)
	}
	r := f.find(t, anonymous, Query{Text: "gazette"})
	if r.Total != 600 || !r.FacetsEstimated {
		t.Fatalf("%d hits, estimated %v", r.Total, r.FacetsEstimated)
	}
	for _, id := range libs {
		if got := facet(r, "library", id); got < 100 || got > 300 {
			t.Errorf("library %s: about %d of 200 estimated (%v)", id, got, r.Facets["library"])
		}
	}
}

// TestATokenOfAnUnknownScopeFindsNothing: a principal who belongs to no
// audience, not even everyone's, finds neither open nor closed records.
func TestATokenOfAnUnknownScopeFindsNothing(t *testing.T) {
	f := newFixture(t)
	f.save(t, &repository.Item{Title: repository.Text{"en": "Atlas open"}})
	f.save(t, &repository.Item{Title: repository.Text{"en": "Atlas closed"}, Access: repository.Access{Level: repository.Restricted}})
	if r := f.find(t, anonymous, Query{Text: "atlas"}); r.Total != 1 {
		t.Fatalf("anonymous: %d hits", r.Total)
	}
	p := access.Principal{User: "u1", Institution: "cmu", Role: access.Reader, Scope: "admin"}
	if r := f.find(t, p, Query{Text: "atlas"}); r.Total != 0 || len(r.Facets) != 0 {
		t.Errorf("a token of scope admin: %d hits, facets %v", r.Total, r.Facets)
	}
}
