package harvest

import (
	"slices"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

func TestAThaiThesisInDSpacesMODSMapsWithItsAuthorFirstAndItsBuddhistEraIssuedDate(t *testing.T) {
	e := mapSample(t, "mods", "testdata/mods/thai-thesis.xml", 0)
	if e.Title["th"] != "ผ้าทอไทลื้อในจังหวัดน่าน" || e.Title["en"] != "Tai Lue textiles of Nan" {
		t.Errorf("title %v", e.Title)
	}
	if !slices.Equal(e.Creators, []string{"สมหญิง รักเรียน", "ประเสริฐ ณ นคร"}) {
		t.Errorf("creators %q: the author first, each Thai name whole", e.Creators)
	}
	if e.Date != "2007" {
		t.Errorf("date %q: dateIssued 2550 is the Buddhist Era, not the times the record was made available", e.Date)
	}
	if e.Summary["th"] != "งานวิจัยนี้ศึกษาลวดลายผ้าทอไทลื้อในจังหวัดน่าน" || e.Summary["en"] == "" {
		t.Errorf("summary %v", e.Summary)
	}
	want := []repository.Text{{"th": "ผ้าทอ"}, {"en": "Textile fabrics"}, {"th": "น่าน"}}
	if !slices.EqualFunc(e.Subjects, want, func(a, b repository.Text) bool { return len(a) == 1 && a.Get("") == b.Get("") && a[lang(b)] != "" }) {
		t.Errorf("subjects %v", e.Subjects)
	}
	if e.Type != "Text" || !slices.Equal(e.Language, []string{"th"}) || e.Link != "http://hdl.handle.net/123456789/4321" {
		t.Errorf("type %q, language %v, link %q", e.Type, e.Language, e.Link)
	}
}

// lang is the one language of a one-language text.
func lang(t repository.Text) string {
	for l := range t {
		return l
	}
	return ""
}

func TestAMODSRecordTakesItsKeyDateWholeTitlesCodedLanguagesAndItsObjectInContext(t *testing.T) {
	e := mapSample(t, "mods", "testdata/mods/map.xml", 0)
	if e.Title["en"] != "The Kingdom of Siam : a map of its provinces" || e.Title["th"] != "แผนที่ราชอาณาจักรสยาม" {
		t.Errorf("title %v", e.Title)
	}
	if !slices.Equal(e.Creators, []string{"McCarthy, James", "Royal Survey Department"}) {
		t.Errorf("creators %q", e.Creators)
	}
	if e.Date != "1888" {
		t.Errorf("date %q, not the keyDate", e.Date)
	}
	if e.Type != "Image" || !slices.Equal(e.Language, []string{"en", "fr"}) {
		t.Errorf("type %q, languages %v", e.Type, e.Language)
	}
	if len(e.Subjects) != 3 || e.Subjects[2]["en"] != "Chulalongkorn, King of Siam" {
		t.Errorf("subjects %v", e.Subjects)
	}
	if e.Link != "https://doi.org/10.5555/siam.1888" || e.Thumbnail != "https://maps.example.org/iiif/siam1888/full/150,/0/default.jpg" || !slices.Contains(e.Identifiers, "https://maps.example.org/items/siam1888") {
		t.Errorf("link %q, thumbnail %q, identifiers %q", e.Link, e.Thumbnail, e.Identifiers)
	}
}

func TestMODSDatesFallBackFromKeyDateToIssuedToCreated(t *testing.T) {
	for _, c := range []struct{ origin, want string }{
		{`<dateCreated>1950</dateCreated><dateIssued encoding="w3cdtf">1960-02</dateIssued>`, "1960-02"},
		{`<dateCreated encoding="iso8601">พ.ศ. 2500</dateCreated>`, "1957"},
		{`<dateIssued>not a date</dateIssued><dateCreated encoding="marc">1901</dateCreated>`, "1901"},
		{`<dateIssued>1970</dateIssued><dateCaptured keyDate="yes">2001-01-01</dateCaptured>`, "2001-01-01"},
	} {
		rec := &record{}
		rec.Header.Identifier = "oai:x:1"
		rec.Metadata.Root = parseNode(t, `<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>t</title></titleInfo><originInfo>`+c.origin+`</originInfo></mods>`)
		e, err := mapRecord(&repository.Source{ID: "s1", Format: "mods"}, rec)
		if err != nil || e.Date != c.want {
			t.Errorf("%s: %q, %v; want %q", c.origin, e.Date, err, c.want)
		}
	}
}
