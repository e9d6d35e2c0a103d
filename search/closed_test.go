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
