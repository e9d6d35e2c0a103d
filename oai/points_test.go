package oai

import (
	"context"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// TestDublinCoreWritesAccessPoints: an item's creator is dc:creator, its
// place dc:coverage, its subject, genre and a person it is about
// dc:subject, each with the point's headings in every language, and a link
// whose point has no heading of its own with the heading as written.
func TestDublinCoreWritesAccessPoints(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	save := func(kind repository.PointKind, th, en string) string {
		p := &repository.Point{Kind: kind, Heading: repository.Text{"th": th, "en": en}, Source: "local"}
		if err := e.store.SavePoint(ctx, p, "tester"); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	creator := save(repository.PersonPoint, "เจ้าดารารัศมี", "Dara Rasami")
	place := save(repository.PlacePoint, "เชียงใหม่", "Chiang Mai")
	subject := save(repository.SubjectPoint, "การศึกษา", "Education")
	about := save(repository.PersonPoint, "พระเจ้าอินทวิชยานนท์", "Inthawichayanon")
	id := saveItem(t, e.store, &repository.Item{Institution: "cmu", Collection: "cmu-letters", Title: repository.Text{"en": "Letter"},
		Points: []repository.PointRef{{Point: creator, Role: "origination", Element: "persname"}, {Point: place, Role: "subject", Element: "geogname"},
			{Point: subject, Role: "subject", Element: "subject"}, {Point: about, Role: "subject", Element: "persname"},
			{Role: "subject", Element: "genreform", Heading: repository.Text{"en": "Letters (correspondence)"}}}})
	_, body := e.answer(t, "verb=GetRecord&metadataPrefix=oai_dc&identifier="+oaiID(id))
	var got struct {
		Creator  []langValue `xml:"GetRecord>record>metadata>dc>creator"`
		Subject  []langValue `xml:"GetRecord>record>metadata>dc>subject"`
		Coverage []langValue `xml:"GetRecord>record>metadata>dc>coverage"`
	}
	if err := xml.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what      string
		got, want []langValue
	}{
		{"creator", got.Creator, []langValue{{"en", "Dara Rasami"}, {"th", "เจ้าดารารัศมี"}}},
		{"coverage", got.Coverage, []langValue{{"en", "Chiang Mai"}, {"th", "เชียงใหม่"}}},
		{"subjects", got.Subject, []langValue{{"en", "Education"}, {"th", "การศึกษา"}, {"en", "Inthawichayanon"}, {"th", "พระเจ้าอินทวิชยานนท์"}, {"en", "Letters (correspondence)"}}},
	} {
		if fmt.Sprint(tc.got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, want %v", tc.what, tc.got, tc.want)
		}
	}
}

// TestEADRecordsWriteAccessPointsAsTheDeskLeftThem: a finding aid's
// access points in its ead record carry the source and identifier of the
// point as the desk last saved them, not only as the source gave them.
func TestEADRecordsWriteAccessPointsAsTheDeskLeftThem(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := &repository.Point{Kind: repository.PersonPoint, Heading: repository.Text{"en": "Dara Rasami"}, Source: "local"}
	if err := e.store.SavePoint(ctx, p, "tester"); err != nil {
		t.Fatal(err)
	}
	c := &repository.Collection{ID: "cmu-dara", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Dara Rasami papers"},
		Description: &repository.Description{Points: []repository.PointRef{{Point: p.ID, Role: "subject", Element: "persname",
			Heading: repository.Text{"en": "Dara Rasami"}, Attrs: map[string]string{"source": "local"}}}}}
	if err := e.store.SaveCollection(ctx, c, "tester"); err != nil {
		t.Fatal(err)
	}
	p.Source, p.Identifier = "viaf", "http://viaf.org/viaf/0000"
	if err := e.store.SavePoint(ctx, p, "tester"); err != nil {
		t.Fatal(err)
	}
	_, body := e.answer(t, "verb=GetRecord&metadataPrefix=ead&identifier="+FondsIdentifier("cmu-dara"))
	if !strings.Contains(body, `<persname source="viaf" identifier="http://viaf.org/viaf/0000">`) || !strings.Contains(body, "<part>Dara Rasami</part>") {
		t.Errorf("the ead record's access point:\n%s", body)
	}
}
