package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// A harvested entry has a page of its own in Thai and English that leads
// to the original; search finds it beside local items with a source
// facet; it is never one of this archive's OAI-PMH records nor a IIIF
// manifest of ours; a record its source deleted is gone.
func TestAHarvestedEntryHasItsPageIsSearchedAndIsNeverOurRecord(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	src := &repository.Source{Institution: "cmu", OAI: "https://cmuir.cmu.ac.th/oai/request", Format: "oai_dc", Every: "24h"}
	if err := e.store.SaveSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	en := &repository.Entry{Source: src.ID, Institution: "cmu", Identifier: "oai:cmuir.cmu.ac.th:6653943832/1",
		Title: repository.Text{"th": "การศึกษาประวัติศาสตร์ล้านนาจากเอกสารใบลาน", "en": "Lanna history from palm-leaf manuscripts"}, Date: "2007",
		Creators: []string{"สมชาย ใจดี"}, Type: "Text", Language: []string{"th"}, Link: "https://hdl.handle.net/6653943832/1",
		Identifiers: []string{"https://hdl.handle.net/6653943832/1", "javascript:alert(1)"}, Thumbnail: "https://cmuir.cmu.ac.th/thumb/1.jpg", Digest: "d1"}
	if _, err := e.store.SaveEntry(ctx, en); err != nil {
		t.Fatal(err)
	}
	viewed := &repository.Entry{Source: src.ID, Institution: "cmu", Identifier: "https://iiif.example.ac.th/m/1", Manifest: "https://iiif.example.ac.th/m/1",
		Title: repository.Text{"th": "แผนที่เมืองน่าน"}, Link: "https://iiif.example.ac.th/items/1", Digest: "d2"}
	if _, err := e.store.SaveEntry(ctx, viewed); err != nil {
		t.Fatal(err)
	}
	v := e.do(t, "GET", "/entries/"+viewed.ID)
	if !strings.Contains(v.Body.String(), `data-manifest="https://iiif.example.ac.th/m/1"`) || !strings.Contains(v.Header().Get("Content-Security-Policy"), "connect-src 'self' https: https://iiif.example.ac.th") {
		t.Fatalf("an entry with a IIIF manifest does not open it in the viewer: %s\n%s", v.Header(), v.Body)
	}
	th := e.do(t, "GET", "/entries/"+en.ID+"?lang=th")
	body := th.Body.String()
	if th.Code != http.StatusOK || !strings.Contains(body, "การศึกษาประวัติศาสตร์ล้านนาจากเอกสารใบลาน") || !strings.Contains(body, `id="original" href="https://hdl.handle.net/6653943832/1"`) ||
		!strings.Contains(body, "อ่านต้นฉบับ") || !strings.Contains(body, "พ.ศ. 2550") || !strings.Contains(body, "cmuir.cmu.ac.th") || strings.Contains(body, `href="javascript:`) {
		t.Fatalf("the entry's page in Thai: %d %s", th.Code, body)
	}
	if csp := th.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: blob: https://cmuir.cmu.ac.th;") || strings.Contains(csp, "connect-src") {
		t.Errorf("the page's image policy does not let the source's thumbnail in: %s", csp)
	}
	if en := e.do(t, "GET", "/entries/"+en.ID+"?lang=en").Body.String(); !strings.Contains(en, "Read the original") || !strings.Contains(en, "Lanna history from palm-leaf manuscripts") {
		t.Fatalf("the entry's page in English: %s", en)
	}
	lib := e.do(t, "GET", "/libraries/cmu?lang=th").Body.String()
	if !strings.Contains(lib, "ในคลังอื่นของห้องสมุด") || !strings.Contains(lib, `href="/search?library=cmu&amp;source=`+src.ID+`">cmuir.cmu.ac.th</a>`) {
		t.Fatalf("the library's page does not lead to its harvested entries: %s", lib)
	}
	if lib := e.do(t, "GET", "/search?library=cmu&source="+src.ID).Body.String(); !strings.Contains(lib, `href="/entries/`+en.ID+`"`) {
		t.Fatalf("the library's entries of a source: %s", lib)
	}
	res := e.do(t, "GET", "/search?q=ใบลาน&lang=en").Body.String()
	if !strings.Contains(res, `href="/entries/`+en.ID+`"`) || !strings.Contains(res, "Harvested from") || !strings.Contains(res, "In the library&#39;s own repository") {
		t.Fatalf("the search page: %s", res)
	}
	api := e.do(t, "GET", "/api/v1/search?q=ใบลาน").Body.String()
	if !strings.Contains(api, `"url":"http://example.com/entries/`+en.ID+`"`) || !strings.Contains(api, `"original":"https://hdl.handle.net/6653943832/1"`) || !strings.Contains(api, `"source":[{"value":"`+src.ID+`","count":1}]`) {
		t.Fatalf("the search API: %s", api)
	}
	for path, notWant := range map[string]string{
		"/oai?verb=ListRecords&metadataPrefix=oai_dc":             "ใบลาน",
		"/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&set=cmu": en.ID,
	} {
		if w := e.do(t, "GET", path); strings.Contains(w.Body.String(), notWant) {
			t.Errorf("%s serves the harvested entry: %s", path, w.Body)
		}
	}
	if w := e.do(t, "GET", "/iiif/3/manifest/"+en.ID); w.Code != http.StatusNotFound {
		t.Errorf("a IIIF manifest of a harvested entry: %d", w.Code)
	}
	if _, err := e.store.SaveEntry(ctx, &repository.Entry{Source: src.ID, Institution: "cmu", Identifier: en.Identifier, Deleted: true}); err != nil {
		t.Fatal(err)
	}
	if w := e.do(t, "GET", "/entries/"+en.ID+"?lang=en"); w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "deleted at its source") {
		t.Fatalf("a deleted entry: %d %s", w.Code, w.Body)
	}
	if res := e.do(t, "GET", "/search?q=ใบลาน").Body.String(); strings.Contains(res, "/entries/"+en.ID) {
		t.Fatalf("a deleted entry is still found")
	}
	if w := e.do(t, "GET", "/entries/nosuchentry"); w.Code != http.StatusNotFound {
		t.Fatalf("an unknown entry: %d", w.Code)
	}
}

// A harvested record's creator and subject that the archive has as
// access points lead to them; a name it does not have leads nowhere.
func TestAHarvestedEntrysCreatorAndSubjectLeadToTheArchivesAccessPoints(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	person := &repository.Point{Kind: repository.PersonPoint, Heading: repository.Text{"th": "ปรีดี  พนมยงค์"}}
	subject := &repository.Point{Kind: repository.SubjectPoint, Heading: repository.Text{"th": "ประวัติศาสตร์ล้านนา"}}
	for _, p := range []*repository.Point{person, subject} {
		if err := e.store.SavePoint(ctx, p, "t"); err != nil {
			t.Fatal(err)
		}
	}
	src := &repository.Source{Institution: "tu", OAI: "https://digital.library.tu.ac.th/oai/request", Format: "oai_dc", Every: "24h"}
	if err := e.store.SaveSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	en := &repository.Entry{Source: src.ID, Institution: "tu", Identifier: "oai:tu:1", Title: repository.Text{"th": "บันทึกความทรงจำ"},
		Creators: []string{"ปรีดี พนมยงค์", "ผู้เขียนที่ไม่มีในคลัง"}, Subjects: []repository.Text{{"th": "ประวัติศาสตร์ล้านนา"}, {"en": "Unknown subject"}}, Digest: "d"}
	if _, err := e.store.SaveEntry(ctx, en); err != nil {
		t.Fatal(err)
	}
	body := e.do(t, "GET", "/entries/"+en.ID+"?lang=th").Body.String()
	for _, want := range []string{`href="/points/` + person.ID + `"`, `href="/points/` + subject.ID + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the entry's page lacks %s", want)
		}
	}
	if strings.Count(body, `href="/points/`) != 2 {
		t.Errorf("the entry's page links %d access points, want 2", strings.Count(body, `href="/points/`))
	}
}

// A harvested dataset is called one in Thai and English.
func TestAHarvestedDatasetIsNamedInBothLanguages(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	src := &repository.Source{Institution: "chula", OAI: "https://cuir.car.chula.ac.th/oai/request", Format: "oai_dc", Every: "24h"}
	if err := e.store.SaveSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	en := &repository.Entry{Source: src.ID, Institution: "chula", Identifier: "oai:cu:9", Title: repository.Text{"en": "Rainfall records"}, Type: "Dataset", Digest: "d"}
	if _, err := e.store.SaveEntry(ctx, en); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"th": "ชุดข้อมูล", "en": "Dataset"} {
		if body := e.do(t, "GET", "/entries/"+en.ID+"?lang="+lang).Body.String(); !strings.Contains(body, want) {
			t.Errorf("the entry's page (%s) does not call it %q", lang, want)
		}
	}
}
