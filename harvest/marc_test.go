package harvest

import (
	"slices"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

func TestAThaiThesisInMARCXMLMapsItsTitlesBuddhistEraDateLanguagesAndDOI(t *testing.T) {
	e := mapSample(t, "marcxml", "testdata/marcxml/thai-thesis.xml", 0)
	if e.Title["th"] != "การศึกษาประวัติศาสตร์ล้านนา : กรณีศึกษาเมืองเชียงใหม่" || e.Title["en"] != "A study of Lanna history : the case of Chiang Mai" {
		t.Errorf("title %v", e.Title)
	}
	if !slices.Equal(e.Creators, []string{"สมชาย ใจดี", "ประเสริฐ ณ นคร"}) {
		t.Errorf("creators %q", e.Creators)
	}
	if e.Date != "2007" || e.Type != "Text" || !slices.Equal(e.Language, []string{"th", "en"}) {
		t.Errorf("date %q (264 $c 2550, not the copyright 2551), type %q, languages %v", e.Date, e.Type, e.Language)
	}
	if e.Summary["th"] == "" || e.Summary["en"] != "This study traces the history of Chiang Mai." {
		t.Errorf("summary %v", e.Summary)
	}
	if len(e.Subjects) != 2 || e.Subjects[0]["th"] != "ประวัติศาสตร์ล้านนา" || e.Subjects[1]["en"] != "Chiang Mai (Thailand)" {
		t.Errorf("subjects %v", e.Subjects)
	}
	if e.Link != "https://doi.org/10.14457/CMU.the.2007.12" || e.Thumbnail != "http://cmuir.cmu.ac.th/bitstream/6653943832/12345/2/thumbnail" {
		t.Errorf("link %q (the DOI before the catalogue's page), thumbnail %q", e.Link, e.Thumbnail)
	}
}

func TestTheLibraryOfCongresssMARCXMLSamplesMap(t *testing.T) {
	jazz := mapSample(t, "marcxml", "testdata/marcxml/lc-batch.xml", 0)
	if jazz.Title["en"] != "The Great Ray Charles" || jazz.Date != "1957" || jazz.Type != "Sound" || !slices.Equal(jazz.Creators, []string{"Charles, Ray"}) || len(jazz.Subjects) != 2 {
		t.Errorf("the sound recording: %+v", jazz)
	}
	site := mapSample(t, "marcxml", "testdata/marcxml/lc-batch.xml", 1)
	if site.Title["en"] != "The White House" || site.Date != "1994" || !strings.HasPrefix(site.Summary["en"], "Features the White House.") || site.Link != "http://www.whitehouse.gov" || !slices.Equal(site.Language, []string{"en"}) {
		t.Errorf("the web site: %+v", site)
	}
	if len(site.Creators) != 4 || site.Creators[0] != "White House Web Team" || site.Creators[1] != "Annan, Kofi, 1938-" {
		t.Errorf("the web site's creators %q", site.Creators)
	}
	if len(site.Subjects) != 4 || site.Subjects[1]["en"] != "United States. Executive Office of the President" {
		t.Errorf("the web site's subjects %v", site.Subjects)
	}
}

func TestMARCDatesAreReadFromTheirPunctuationAndElseFromThe008(t *testing.T) {
	for _, c := range []struct{ fields, want string }{
		{`<datafield tag="260"><subfield code="c">[2545]</subfield></datafield>`, "2002"},
		{`<datafield tag="260"><subfield code="c">c2007.</subfield></datafield>`, "2007"},
		{`<datafield tag="264" ind2="1"><subfield code="c">พ.ศ. 2545.</subfield></datafield>`, "2002"},
		{`<controlfield tag="008">080115s2550    th                  tha d</controlfield><datafield tag="260"><subfield code="c">n.d.</subfield></datafield>`, "2007"},
	} {
		rec := &record{}
		rec.Header.Identifier = "oai:x:1"
		rec.Metadata.Root = parseNode(t, `<record xmlns="http://www.loc.gov/MARC21/slim"><datafield tag="245"><subfield code="a">t</subfield></datafield>`+c.fields+`</record>`)
		e, err := mapRecord(&repository.Source{ID: "s1", Format: "marcxml"}, rec)
		if err != nil || e.Date != c.want {
			t.Errorf("%s: %q, %v; want %q", c.fields, e.Date, err, c.want)
		}
	}
}

func TestAMARCRecordsThaiScriptIn880IsReadAsTheFieldItLinksTo(t *testing.T) {
	rec := &record{}
	rec.Header.Identifier = "oai:x:1"
	rec.Metadata.Root = parseNode(t, `<record xmlns="http://www.loc.gov/MARC21/slim">`+
		`<datafield tag="100" ind1="0" ind2=" "><subfield code="6">880-01</subfield><subfield code="a">Sombun Lannawong.</subfield></datafield>`+
		`<datafield tag="245" ind1="1" ind2="0"><subfield code="6">880-02</subfield><subfield code="a">Prawattisat Lanna /</subfield></datafield>`+
		`<datafield tag="880" ind1="0" ind2=" "><subfield code="6">100-01/Thai</subfield><subfield code="a">สมบูรณ์ ล้านนาวงศ์.</subfield></datafield>`+
		`<datafield tag="880" ind1="1" ind2="0"><subfield code="6">245-02/Thai</subfield><subfield code="a">ประวัติศาสตร์ล้านนา /</subfield></datafield></record>`)
	e, err := mapRecord(&repository.Source{ID: "s1", Format: "marcxml"}, rec)
	if err != nil || e.Title["en"] != "Prawattisat Lanna" || e.Title["th"] != "ประวัติศาสตร์ล้านนา" || !slices.Equal(e.Creators, []string{"Sombun Lannawong", "สมบูรณ์ ล้านนาวงศ์"}) {
		t.Fatalf("%+v, %v", e, err)
	}
}
