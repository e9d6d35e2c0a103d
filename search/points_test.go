package search

import (
	"slices"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// TestAccessPointsAreAFacetByKindCountingOnlyWhatTheAskerMayRead: the
// access points an item names, and those of the unit it is in, are values
// of the "point" facet ("kind/id") that narrow results to them and find
// the item by their headings; a restricted item's points count for no
// visitor.
func TestAccessPointsAreAFacetByKindCountingOnlyWhatTheAskerMayRead(t *testing.T) {
	f := newFixture(t)
	place := &repository.Point{Kind: repository.PlacePoint, Heading: repository.Text{"th": "ลำพูน"}, Source: "local"}
	person := &repository.Point{Kind: repository.PersonPoint, Heading: repository.Text{"en": "Dara Rasami"}, Source: "local"}
	for _, p := range []*repository.Point{place, person} {
		if err := f.store.SavePoint(ctx, p, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	col := &repository.Collection{Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Court papers"},
		Description: &repository.Description{Points: []repository.PointRef{{Point: place.ID, Role: "subject", Element: "geogname", Heading: repository.Text{"th": "ลำพูน"}}}}}
	if err := f.store.SaveCollection(ctx, col, "tester"); err != nil {
		t.Fatal(err)
	}
	letter := f.save(t, &repository.Item{Title: repository.Text{"en": "Letter"}, Collection: col.ID,
		Points: []repository.PointRef{{Point: person.ID, Role: "origination", Element: "persname", Heading: repository.Text{"en": "Dara Rasami"}}}})
	photo := f.save(t, &repository.Item{Title: repository.Text{"en": "Photograph"}, Collection: col.ID})
	f.save(t, &repository.Item{Title: repository.Text{"en": "Secret letter"}, Access: repository.Access{Level: repository.Restricted},
		Points: []repository.PointRef{{Point: person.ID, Role: "origination", Element: "persname"}}})

	placeValue, personValue := "place/"+place.ID, "person/"+person.ID
	r := f.find(t, anonymous, Query{})
	if facet(r, "point", placeValue) != 2 || facet(r, "point", personValue) != 1 {
		t.Errorf("a visitor's point counts: %v, want the place twice and the person once", r.Facets["point"])
	}
	if r := f.find(t, cmuReader, Query{}); facet(r, "point", personValue) != 2 {
		t.Errorf("cmu's reader counts the person %d times, want 2", facet(r, "point", personValue))
	}
	if got := ids(f.find(t, anonymous, Query{Filters: map[string][]string{"point": {personValue}}})); !slices.Equal(got, []string{letter.ID}) {
		t.Errorf("narrowed to the person: %v, want [%s]", got, letter.ID)
	}
	want := []string{letter.ID, photo.ID}
	slices.Sort(want)
	if got := ids(f.find(t, anonymous, Query{Text: "ลำพูน"})); !slices.Equal(got, want) {
		t.Errorf("the place's heading finds %v, want %v", got, want)
	}
}
