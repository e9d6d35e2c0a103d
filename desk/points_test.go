package desk

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// pointsEAD names a person by heading only and a subject with an
// identifier.
const pointsEAD = `<ead><archdesc level="fonds"><did><unittitle>%s</unittitle>
 <origination><persname source="local">%s</persname></origination></did>
 <controlaccess><subject source="lcsh" authfilenumber="sh85134441">Thailand -- History</subject></controlaccess>
</archdesc></ead>`

// importPoints imports a one-unit finding aid naming person at library
// inside parent and returns the unit and the links it has.
func importPoints(t *testing.T, u *Units, p access.Principal, parent, title, person string) (string, []repository.PointRef, ead.PointCount) {
	t.Helper()
	f, err := ead.Read(strings.NewReader(strings.Replace(strings.Replace(pointsEAD, "%s", title, 1), "%s", person, 1)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := u.ImportEAD(context.Background(), p, EADImport{Finding: f, Parent: parent})
	if err != nil {
		t.Fatal(err)
	}
	c, err := u.Store.Collection(r.Made[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID, c.Description.Points, r.Points
}

var (
	cmuArchivist = access.Principal{User: "a1", Email: "a@cmu", Institution: "cmu", Role: access.Archivist}
	tuArchivist  = access.Principal{User: "a2", Email: "a@tu", Institution: "tu", Role: access.Archivist}
	cmuReader    = access.Principal{User: "r1", Email: "r@cmu", Institution: "cmu", Role: access.Reader}
)

// TestAccessPointPageShowsOnlyUnitsTheReaderMayRead: a point named by a
// restricted tu unit and an open cmu unit shows a visitor the cmu unit
// alone (a page a shared cache may keep), tu's staff both (not shared);
// a point named only by the restricted unit answers a visitor as a
// missing one.
func TestAccessPointPageShowsOnlyUnitsTheReaderMayRead(t *testing.T) {
	u, _, _ := unitsFixture(t)
	ctx := context.Background()
	open, refs, n := importPoints(t, u, cmuArchivist, "cmu-f", "Open letters", "Kawilorot, Chao")
	if n.Links != 2 || n.Made != 2 || len(refs) != 2 || refs[0].Point == "" {
		t.Fatalf("import: %+v %+v", n, refs)
	}
	closed, refs2, n2 := importPoints(t, u, tuArchivist, "tu-closed", "Closed letters", "Secret, Person")
	if n2.Found != 1 || n2.Made != 1 || refs2[1].Point != refs[1].Point {
		t.Fatalf("the subject at tu is not cmu's: %+v %+v %+v", n2, refs, refs2)
	}
	s := &Points{Store: u.Store}
	page, err := s.Read(ctx, access.Principal{}, refs[1].Point)
	if err != nil || len(page.Units) != 1 || page.Units[0].ID != open || !page.Public {
		t.Fatalf("a visitor on the shared subject: %+v %v, want only %s, public", page, err, open)
	}
	page, err = s.Read(ctx, tuArchivist, refs[1].Point)
	if err != nil || len(page.Units) != 2 || page.Public {
		t.Fatalf("tu's archivist on the shared subject: %+v %v, want both units, not public", page, err)
	}
	if _, err := s.Read(ctx, access.Principal{}, refs2[0].Point); !errors.Is(err, fault.NotFound) {
		t.Errorf("a visitor on a person only the closed unit %s names: %v, want not found", closed, err)
	}
	if _, err := s.Read(ctx, access.Principal{}, "no-such-point"); !errors.Is(err, fault.NotFound) {
		t.Errorf("an unknown point: %v, want not found", err)
	}
}

// TestArchivistEditsAndMergesAccessPoints: the library's archivist edits a
// point's heading in Thai and English, source and identifier; a reader and
// another library's archivist are refused; merging two persons points every
// unit at the one kept, records a merge event, and the merged heading
// finds the kept point from then on.
func TestArchivistEditsAndMergesAccessPoints(t *testing.T) {
	u, _, _ := unitsFixture(t)
	ctx := context.Background()
	a, refsA, _ := importPoints(t, u, cmuArchivist, "cmu-f-a", "Letters A", "Kawilorot, Chao")
	b, refsB, _ := importPoints(t, u, cmuArchivist, "cmu-f-b", "Letters B", "Chao Kawilorot")
	s := &Points{Store: u.Store}
	from, into := refsB[0].Point, refsA[0].Point
	edit := PointEdit{Version: 1, Heading: repository.Text{"th": "เจ้ากาวิโลรส", "en": "Kawilorot, Chao"}, Source: "viaf", Identifier: "http://viaf.org/viaf/1"}
	for _, p := range []access.Principal{cmuReader, tuArchivist, {}} {
		if _, err := s.Edit(ctx, p, into, edit); !errors.Is(err, fault.Forbidden) && !errors.Is(err, fault.Unauthenticated) {
			t.Errorf("%q edits a cmu point: %v, want refused", p.Email, err)
		}
		if _, err := s.Merge(ctx, p, from, into); !errors.Is(err, fault.Forbidden) && !errors.Is(err, fault.Unauthenticated) {
			t.Errorf("%q merges cmu points: %v, want refused", p.Email, err)
		}
	}
	pt, err := s.Edit(ctx, cmuArchivist, into, edit)
	if err != nil || pt.Heading["th"] != "เจ้ากาวิโลรส" || pt.Identifier != "http://viaf.org/viaf/1" || pt.Version != 2 {
		t.Fatalf("edit: %+v %v", pt, err)
	}
	if _, err := s.Edit(ctx, cmuArchivist, into, edit); !errors.Is(err, fault.Conflict) {
		t.Errorf("an edit at an old version: %v, want a conflict", err)
	}
	if _, err := s.Merge(ctx, cmuArchivist, from, refsA[1].Point); !errors.Is(err, fault.Invalid) {
		t.Errorf("merging a person into a subject: %v, want invalid", err)
	}
	res, err := s.Merge(ctx, cmuArchivist, from, into)
	if err != nil || res.Units != 1 {
		t.Fatalf("merge: %+v %v", res, err)
	}
	c, err := u.Store.Collection(b)
	if err != nil || c.Description.Points[0].Point != into || c.Description.Points[0].Heading.Get("en") != "Chao Kawilorot" {
		t.Errorf("unit %s after the merge: %+v %v, want its person to be %s with its heading as written", b, c.Description.Points, err, into)
	}
	units, _, err := u.Store.PointLinks(into)
	if err != nil || len(units) != 2 || units[0] == units[1] || (units[0] != a && units[1] != a) {
		t.Errorf("units naming the kept point: %v %v", units, err)
	}
	same, err := u.Store.SamePoint(&repository.Point{Kind: repository.PersonPoint, Heading: repository.Text{"en": "chao kawilorot"}, Source: "local"})
	if err != nil || same.ID != into {
		t.Errorf("the merged heading finds %+v %v, want %s", same, err, into)
	}
	evs, err := u.Store.Events(from)
	if err != nil || len(evs) == 0 || evs[len(evs)-1].Type != "merge" {
		t.Errorf("events of the merged point: %+v %v", evs, err)
	}
	if _, err := s.Read(ctx, access.Principal{}, from); err != nil {
		t.Errorf("the merged point's page: %v, want the kept point's", err)
	}
	// A person tu's units name too is merged only by who may edit at tu.
	_, shared, _ := importPoints(t, u, cmuArchivist, "cmu-f-a", "More letters", "Kawilorot, Chao Noi")
	importPoints(t, u, tuArchivist, "tu-closed", "Tu letters", "Kawilorot, Chao Noi")
	if _, err := s.Merge(ctx, cmuArchivist, shared[0].Point, into); !errors.Is(err, fault.Forbidden) {
		t.Errorf("cmu's archivist merges a person tu's units name: %v, want forbidden", err)
	}
	admin := access.Principal{User: "s1", Email: "s@cmu", Institution: "cmu", Role: access.SystemAdmin}
	if res, err := s.Merge(ctx, admin, shared[0].Point, into); err != nil || res.Units != 2 {
		t.Errorf("the system administrator merges it: %+v %v, want both units saved again", res, err)
	}
}

// TestAnItemsSubjectsAndCreatorSavedAtTheDeskAreAccessPoints: the subjects
// and creator of items described at the desk are access points, one for
// the same heading written another way and across libraries, linked from
// each item; a subject taken off an item is no longer linked, and a link a
// finding aid made is kept.
func TestAnItemsSubjectsAndCreatorSavedAtTheDeskAreAccessPoints(t *testing.T) {
	items, st := itemsFixture(t)
	ctx := context.Background()
	a := itemsAdd(t, st, "a1", "cmu", repository.Public)
	b := itemsAdd(t, st, "b1", "tu", repository.Public)
	kept := repository.PointRef{Point: "from-ead", Role: "subject", Element: "geogname", Group: "1"}
	a.Points = []repository.PointRef{kept}
	if err := st.SaveItem(ctx, a, "tester"); err != nil {
		t.Fatal(err)
	}
	saved, _, err := items.Save(ctx, itemsArchivist, "a1", Edit{Version: a.Version, Via: "desk",
		Subjects: []repository.Text{{"th": "ประเพณี", "en": "Customs"}, {"en": "Weaving"}}, Creator: repository.Text{"th": "เจ้าดารารัศมี"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Points) != 4 || saved.Points[0].Point != kept.Point {
		t.Fatalf("the item's links: %+v", saved.Points)
	}
	weaving := saved.Points[2].Point
	if p, err := st.Point(weaving); err != nil || p.Kind != repository.SubjectPoint || p.Heading["en"] != "Weaving" || p.Source != "local" {
		t.Errorf("the subject Weaving: %+v %v", p, err)
	}
	if p, err := st.Point(saved.Points[3].Point); err != nil || p.Kind != repository.AgentPoint || saved.Points[3].Role != "origination" {
		t.Errorf("the creator: %+v %v %+v", p, err, saved.Points[3])
	}
	other, _, err := items.Save(ctx, itemsOtherArch, "b1", Edit{Version: b.Version, Via: "desk", Subjects: []repository.Text{{"en": "  weaving "}}})
	if err != nil || len(other.Points) != 1 || other.Points[0].Point != weaving {
		t.Fatalf("tu's item with the same subject written otherwise: %+v %v, want %s", other, err, weaving)
	}
	if _, got, _ := st.PointLinks(weaving); len(got) != 2 {
		t.Errorf("items naming Weaving: %v, want a1 and b1", got)
	}
	again, _, err := items.Save(ctx, itemsArchivist, "a1", Edit{Version: saved.Version, Via: "desk", Subjects: []repository.Text{{"en": "Customs"}}})
	if err != nil || len(again.Points) != 3 || again.Points[0].Point != kept.Point {
		t.Fatalf("after Weaving was taken off: %+v %v", again, err)
	}
	if _, got, _ := st.PointLinks(weaving); len(got) != 1 || got[0] != "b1" {
		t.Errorf("items naming Weaving after it was taken off a1: %v, want b1", got)
	}
}
