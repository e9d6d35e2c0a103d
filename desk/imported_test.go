package desk

import (
	"context"
	"reflect"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// TestUnitsSaveKeepsTheFindingAidsDatesAndInternalTexts: the unit form
// carries neither the dates as the finding aid wrote them, nor its
// internal texts, nor texts in languages other than Thai and English;
// saving it keeps them, and the Thai and English texts as typed.
func TestUnitsSaveKeepsTheFindingAidsDatesAndInternalTexts(t *testing.T) {
	ctx := context.Background()
	u, _, _ := unitsFixture(t)
	c, err := u.Unit(ctx, unitsCMU, "cmu-f-b")
	if err != nil {
		t.Fatal(err)
	}
	dates := []repository.UnitDate{{Text: "ca. 1945", EDTF: "1945~"}, {Text: "Bulk, 1960-1970", Type: "bulk", EDTF: "1960/1970"}}
	internal := []repository.Aside{{Element: "processinfo", Text: repository.Text{"en": "Call the donor first."}}}
	c.Title = repository.Text{"en": "B", "he": "ארכיון", "und-Cyrl": "Листи"}
	c.Description = &repository.Description{Date: "1945~", Dates: dates, Internal: internal, Scope: repository.Text{"und-Latn": "Letters", "en": "Old"}}
	if err := u.Store.SaveCollection(ctx, c, "import"); err != nil {
		t.Fatal(err)
	}
	edited := &repository.Collection{ID: c.ID, Version: c.Version, Level: c.Level, Title: repository.Text{"en": "B, edited"},
		Description: &repository.Description{Date: "1944"}}
	if err := u.Save(ctx, unitsCMU, edited); err != nil {
		t.Fatal(err)
	}
	got, err := u.Unit(ctx, unitsCMU, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Description; d == nil || d.Date != "1944" || !reflect.DeepEqual(d.Dates, dates) || !reflect.DeepEqual(d.Internal, internal) ||
		!reflect.DeepEqual(d.Scope, repository.Text{"und-Latn": "Letters"}) {
		t.Fatalf("after a save at the desk: %+v", got.Description)
	}
	if want := (repository.Text{"en": "B, edited", "he": "ארכיון", "und-Cyrl": "Листи"}); !reflect.DeepEqual(got.Title, want) {
		t.Fatalf("title after a save at the desk: %v, want %v", got.Title, want)
	}
}

// TestUnitsSaveKeepsTheFindingAidsHeader: the unit form does not carry a
// fonds's finding aid's own header (title statement, identifiers,
// revisions); saving the fonds keeps it for the export.
func TestUnitsSaveKeepsTheFindingAidsHeader(t *testing.T) {
	ctx := context.Background()
	u, _, _ := unitsFixture(t)
	c, err := u.Unit(ctx, unitsCMU, "cmu-f-b")
	if err != nil {
		t.Fatal(err)
	}
	header := []repository.Markup{
		{Name: "otherrecordid", Attrs: []repository.Attr{{Name: "localtype", Value: "eadid"}}, Content: []repository.Markup{{Text: "CMUL-A-0042"}}},
		{Name: "filedesc", Content: []repository.Markup{{Name: "titlestmt", Content: []repository.Markup{
			{Name: "titleproper", Content: []repository.Markup{{Text: "Inventory"}}}}}}},
	}
	c.Description = &repository.Description{Header: header}
	if err := u.Store.SaveCollection(ctx, c, "import"); err != nil {
		t.Fatal(err)
	}
	edited := &repository.Collection{ID: c.ID, Version: c.Version, Level: c.Level, Title: repository.Text{"en": "B, edited"},
		Description: &repository.Description{Scope: repository.Text{"en": "Letters"}}}
	if err := u.Save(ctx, unitsCMU, edited); err != nil {
		t.Fatal(err)
	}
	got, err := u.Unit(ctx, unitsCMU, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Description; d == nil || !reflect.DeepEqual(d.Header, header) || d.Scope["en"] != "Letters" {
		t.Fatalf("after a save at the desk: %+v", got.Description)
	}
}
