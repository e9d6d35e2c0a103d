package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ark"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// citeEnv is a server with a Thai letter in a public fonds of Thammasat,
// a restricted item and a curated collection.
type citeEnv struct {
	*fixture
	store                         *bolt.Store
	letter, closed, curated, long string
}

func newCiteEnv(t *testing.T) *citeEnv {
	t.Helper()
	store, blobs := emptyStore(t)
	store.ARKs, _ = ark.NewMinter(ark.TestNAAN, map[string]string{"tu": "b1"})
	ctx := context.Background()
	fonds := &repository.Collection{ID: "tu-pridi", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"th": "เอกสารปรีดี พนมยงค์", "en": "Pridi Banomyong Papers"},
		Description: &repository.Description{ReferenceCode: "TU-PB", Date: "1932/1983"}}
	curated := &repository.Collection{Institution: "tu", Level: repository.Curated, Title: repository.Text{"en": "Favourites"}}
	for _, c := range []*repository.Collection{fonds, curated} {
		if err := store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	letter := &repository.Item{Institution: "tu", Collection: fonds.ID, Type: "Text", Title: repository.Text{"th": "จดหมายถึงคณะราษฎร", "en": "Letter to the People's Party"},
		Creator: repository.Text{"th": "ปรีดี พนมยงค์", "en": "Banomyong, Pridi"}, Date: "1934-06-18", Language: []string{"th"}}
	closed := &repository.Item{Institution: "tu", Title: repository.Text{"en": "Closed"}, Access: repository.Access{Level: repository.Restricted}}
	// An item with an ARK and a call number too long for a phone's line.
	file := &repository.Collection{ID: "tu-pridi-letters", Institution: "tu", Parent: fonds.ID, Level: repository.FileLevel, Title: repository.Text{"en": "Letters"},
		Description: &repository.Description{ReferenceCode: "TU-PB/CORRESPONDENCE-1932-1983/PEOPLES-PARTY/BOX-0012/FOLDER-0007"}}
	if err := store.SaveCollection(ctx, file, "t"); err != nil {
		t.Fatal(err)
	}
	long := &repository.Item{ID: "letter1qz7x9k2m4n6p8r0t", Institution: "tu", Collection: file.ID, Title: repository.Text{"en": "Letter"}, Date: "1934"}
	for _, it := range []*repository.Item{letter, closed, long} {
		if err := store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	seedAdmin(t, store)
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts}))
	if err != nil {
		t.Fatal(err)
	}
	return &citeEnv{fixture: &fixture{srv: srv}, store: store, letter: letter.ID, closed: closed.ID, curated: curated.ID, long: long.ID}
}

func TestCitationDownloadsAreAttachmentsOfTheirMediaTypesNamingLibraryFondsAndAddress(t *testing.T) {
	e := newCiteEnv(t)
	letter, _ := e.store.Item(e.letter)
	for _, c := range []struct {
		query, ctype, file string
		has                []string
	}{
		{"", "application/vnd.citationstyles.csl+json", e.letter + ".json",
			[]string{`"type": "manuscript"`, `"title": "Letter to the People's Party"`, `"family": "Banomyong"`, `"archive": "Thammasat University"`, `"archive_location": "Pridi Banomyong Papers, TU-PB"`, `"URL": "http://example.com/` + letter.ARK + `"`}},
		{"?format=ris", "application/x-research-info-systems; charset=utf-8", e.letter + ".ris",
			[]string{"TY  - MANSCPT\r\n", "AU  - Banomyong, Pridi\r\n", "DB  - Thammasat University\r\n", "AN  - Pridi Banomyong Papers, TU-PB\r\n", "UR  - http://example.com/" + letter.ARK + "\r\n", "ER  - \r\n"}},
		{"?format=bibtex", "application/x-bibtex; charset=utf-8", e.letter + ".bib",
			[]string{"@misc{" + e.letter + ",", "title = {{Letter to the People's Party}}", "note = {Pridi Banomyong Papers, TU-PB. Thammasat University}"}},
		{"?format=ris&lang=th", "application/x-research-info-systems; charset=utf-8", e.letter + ".ris",
			[]string{"TI  - จดหมายถึงคณะราษฎร\r\n", "AU  - ปรีดี พนมยงค์\r\n", "DB  - มหาวิทยาลัยธรรมศาสตร์\r\n", "PY  - 1934\r\n"}},
	} {
		w := e.do(t, "GET", "/api/v1/items/"+e.letter+"/citation"+c.query, "Accept-Language", "en")
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", c.query, w.Code, w.Body)
		}
		h := w.Header()
		if h.Get("Content-Type") != c.ctype || h.Get("Content-Disposition") != `attachment; filename="`+c.file+`"` {
			t.Errorf("%s: type %q, disposition %q", c.query, h.Get("Content-Type"), h.Get("Content-Disposition"))
		}
		if h.Get("Cache-Control") != "public, max-age=300" || !strings.Contains(h.Get("Vary"), "Accept-Language") {
			t.Errorf("%s: a public item's citation is cached %q, varies by %q", c.query, h.Get("Cache-Control"), h.Get("Vary"))
		}
		for _, s := range c.has {
			if !strings.Contains(w.Body.String(), s) {
				t.Errorf("%s lacks %q:\n%s", c.query, s, w.Body)
			}
		}
	}
	var entries []map[string]any
	if err := json.Unmarshal(e.do(t, "GET", "/api/v1/items/"+e.letter+"/citation").Body.Bytes(), &entries); err != nil || len(entries) != 1 {
		t.Errorf("CSL-JSON is not a list of one item: %v %v", err, entries)
	}
}

func TestUnitCitationIsTheUnitsAndACuratedCollectionHasNone(t *testing.T) {
	e := newCiteEnv(t)
	fonds, _ := e.store.Collection("tu-pridi")
	w := e.do(t, "GET", "/api/v1/units/tu-pridi/citation?format=bibtex", "Accept-Language", "en")
	if w.Code != http.StatusOK || w.Header().Get("Content-Disposition") != `attachment; filename="tu-pridi.bib"` {
		t.Fatalf("unit: %d %q %s", w.Code, w.Header().Get("Content-Disposition"), w.Body)
	}
	for _, s := range []string{"@misc{tu-pridi,", "title = {{Pridi Banomyong Papers}}", "date = {1932/1983}", "url = {http://example.com/" + fonds.ARK + "}", "note = {TU-PB. Thammasat University}"} {
		if !strings.Contains(w.Body.String(), s) {
			t.Errorf("unit's BibTeX lacks %q:\n%s", s, w.Body)
		}
	}
	for _, id := range []string{e.curated, "no-such-unit"} {
		if w := e.do(t, "GET", "/api/v1/units/"+id+"/citation"); w.Code != http.StatusNotFound {
			t.Errorf("unit %s: %d", id, w.Code)
		}
	}
}

func TestCitationOfARestrictedItemAnswersAsTheItemsJSONDoes(t *testing.T) {
	e := newCiteEnv(t)
	other := tokenFor(t, e.store, "reader@cmu.example", "cmu", "reader", "read")
	own := tokenFor(t, e.store, "reader@tu.example", "tu", "reader", "read")
	for _, who := range []struct{ name, token string }{{"anonymous", ""}, {"another library's reader", other}, {"its library's reader", own}} {
		var hdr []string
		if who.token != "" {
			hdr = []string{"Authorization", "Bearer " + who.token}
		}
		item := e.do(t, "GET", "/api/v1/items/"+e.closed, hdr...)
		cite := e.do(t, "GET", "/api/v1/items/"+e.closed+"/citation?format=ris", hdr...)
		if cite.Code != item.Code {
			t.Errorf("%s: the citation answers %d, the item %d", who.name, cite.Code, item.Code)
		}
		if cite.Code == http.StatusOK {
			if cc := cite.Header().Get("Cache-Control"); !strings.Contains(cc, "private") {
				t.Errorf("%s: a restricted item's citation is cached %q", who.name, cc)
			}
		} else if strings.Contains(cite.Body.String(), "Closed") {
			t.Errorf("%s: a refusal names the item: %s", who.name, cite.Body)
		}
	}
	if w := e.do(t, "GET", "/api/v1/items/"+e.closed+"/citation", "Authorization", "Bearer "+own); w.Code != http.StatusOK {
		t.Errorf("its library's reader: %d", w.Code)
	}
	if w := e.do(t, "GET", "/api/v1/items/"+e.closed+"/citation"); w.Code != http.StatusNotFound {
		t.Errorf("anonymous, where the library does not reveal restricted items: %d", w.Code)
	}
}

func TestCitationInAnUnknownFormatIsRefusedSayingWhichAreOffered(t *testing.T) {
	e := newCiteEnv(t)
	for lang, want := range map[string]string{"en": "use format=csl-json (the default), format=ris or format=bibtex", "th": "format=ris หรือ format=bibtex"} {
		w := e.do(t, "GET", "/api/v1/items/"+e.letter+"/citation?format=endnote&lang="+lang)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %d %s", lang, w.Code, w.Body)
		}
	}
}

func TestItemAndUnitPagesOfferTheirCitationAndDownloadsWithoutScripts(t *testing.T) {
	e := newCiteEnv(t)
	letter, _ := e.store.Item(e.letter)
	fonds, _ := e.store.Collection("tu-pridi")
	for _, c := range []struct{ path, plain, api string }{
		{"/items/" + e.letter + "?lang=th", "ปรีดี พนมยงค์. จดหมายถึงคณะราษฎร. 18 มิถุนายน 2477. เอกสารปรีดี พนมยงค์, TU-PB. มหาวิทยาลัยธรรมศาสตร์. http://example.com/" + letter.ARK, "/api/v1/items/" + e.letter + "/citation"},
		{"/fonds/tu-pridi?lang=en", "Pridi Banomyong Papers. 1932 – 1983. TU-PB. Thammasat University. http://example.com/" + fonds.ARK, "/api/v1/units/tu-pridi/citation"},
	} {
		w := e.do(t, "GET", c.path)
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, `<output id="citation"`) || !strings.Contains(body, c.plain+"</output>") {
			t.Errorf("%s: %d, no plain citation %q", c.path, w.Code, c.plain)
		}
		for _, f := range []string{"ris", "bibtex", "csl-json"} {
			if !strings.Contains(body, `href="`+c.api+`?format=`+f+`" download`) {
				t.Errorf("%s does not link its %s", c.path, f)
			}
		}
		if !strings.Contains(body, `data-csl="`+c.api+`"`) || !strings.Contains(body, `<script src="/static/cite.js" defer>`) {
			t.Errorf("%s: the cite block has no script or address", c.path)
		}
	}
}
