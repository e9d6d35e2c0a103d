package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ark"
	"github.com/thaiarchives/archive/repository"
)

// An ARK leads to its record's page on whatever address the archive is
// served from, in both of its forms and with hyphens; "?" describes the
// record briefly and "??" or "?info" adds the archive's promise; a wrong
// check character or an unknown ARK is not found; a restricted record is
// named but not described, and a withdrawn one leads to its tombstone.
func TestAnARKLeadsToItsRecordAndDescribesIt(t *testing.T) {
	e := newIIIFEnv(t)
	m, err := ark.NewMinter(ark.TestNAAN, map[string]string{"cmu": "c1"})
	if err != nil {
		t.Fatal(err)
	}
	e.store.ARKs = m
	it := textItem(t, e, misreadPages...)
	if !strings.HasPrefix(it.ARK, "ark:/99999/c1"+it.ID) {
		t.Fatalf("the new item's ARK: %q", it.ARK)
	}
	name := strings.TrimPrefix(it.ARK, "ark:/99999/")
	for _, path := range []string{"/" + it.ARK, "/ark:99999/" + name, "/ark:/99999/" + name[:4] + "-" + name[4:]} {
		w := e.do(t, "GET", path)
		if w.Code != http.StatusFound || w.Header().Get("Location") != "http://example.com/items/"+it.ID {
			t.Errorf("%s: %d %v", path, w.Code, w.Header())
		}
	}
	// The ARK is the identifier to cite wherever the item is described.
	arkURL := "http://example.com/" + it.ARK
	for path, want := range map[string]string{
		"/items/" + it.ID + "?lang=en": `href="` + arkURL + `" rel="cite-as"`,
		"/iiif/3/manifest/" + it.ID:    `"none":["` + arkURL + `"]`,
		"/api/v1/items/" + it.ID:       `"ark":"` + it.ARK + `"`,
		"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:archive:" + it.ID: "<dc:identifier>" + arkURL + "</dc:identifier>",
	} {
		if w := e.do(t, "GET", path); !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s lacks %s: %d %.2000s", path, want, w.Code, w.Body)
		}
	}
	// Served from another address, behind a proxy, the ARK is the same
	// and leads to the page there.
	moved, err := New(withServices(t, Config{Store: e.store, Blobs: e.blobs, BaseURL: "https://archives.example.ac.th"}))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/"+it.ARK, nil)
	r.Host = "archives.example.ac.th"
	rw := httptest.NewRecorder()
	moved.ServeHTTP(rw, r)
	if rw.Code != http.StatusFound || rw.Header().Get("Location") != "https://archives.example.ac.th/items/"+it.ID {
		t.Errorf("the ARK on the moved service: %d %v", rw.Code, rw.Header())
	}
	w := e.do(t, "GET", "/"+it.ARK+"?")
	body := w.Body.String()
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") || !strings.HasPrefix(body, "erc:\n") ||
		!strings.Contains(body, "what: ราชกิจจา / Gazette\n") || !strings.Contains(body, "where: http://example.com/"+it.ARK+"\n") || strings.Contains(body, "erc-support") {
		t.Errorf("?: %d %v %s", w.Code, w.Header(), body)
	}
	for _, q := range []string{"??", "?info"} {
		w := e.do(t, "GET", "/"+it.ARK+q)
		if w.Code != 200 || !strings.Contains(w.Body.String(), "erc-support:\n") || !strings.Contains(w.Body.String(), "never given to another record") {
			t.Errorf("%s: %d %s", q, w.Code, w.Body)
		}
	}
	wrong := "/ark:/99999/" + name[:len(name)-1] + string(ark.Alphabet[(strings.IndexByte(ark.Alphabet, name[len(name)-1])+1)%len(ark.Alphabet)])
	for _, p := range []string{wrong, "/ark:/99999/c1nothing", "/ark:/99999/"} {
		if w := e.do(t, "GET", p); w.Code != http.StatusNotFound {
			t.Errorf("%s: %d", p, w.Code)
		}
	}

	// A fonds leads to its finding aid, a unit to its place in it.
	fonds := &repository.Collection{Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"th": "เอกสารส่วนพระองค์"}}
	if err := e.store.SaveCollection(context.Background(), fonds, "test"); err != nil {
		t.Fatal(err)
	}
	series := &repository.Collection{Institution: "cmu", Parent: fonds.ID, Level: repository.Series, Title: repository.Text{"en": "Letters"}}
	if err := e.store.SaveUnit(context.Background(), series, "test"); err != nil {
		t.Fatal(err)
	}
	if w := e.do(t, "GET", "/fonds/"+fonds.ID+"?lang=en"); !strings.Contains(w.Body.String(), `href="http://example.com/`+series.ARK+`"`) {
		t.Errorf("the finding aid does not give the unit's ARK: %s", w.Body)
	}
	for want, a := range map[string]string{"/fonds/" + fonds.ID: fonds.ARK, "/fonds/" + fonds.ID + "#unit-" + series.ID: series.ARK} {
		if w := e.do(t, "GET", "/"+a); w.Code != http.StatusFound || w.Header().Get("Location") != "http://example.com"+want {
			t.Errorf("%s: %d %v, want %s", a, w.Code, w.Header(), want)
		}
	}

	// A restricted record its library lets visitors know of: named, not described.
	closed := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Zqsecret letter"}, Access: repository.Access{Level: repository.Restricted}}
	if err := e.store.SaveItem(context.Background(), closed, "test"); err != nil {
		t.Fatal(err)
	}
	w = e.do(t, "GET", "/"+closed.ARK+"?")
	if w.Code != 200 || strings.Contains(w.Body.String(), "Zqsecret") || !strings.Contains(w.Body.String(), "restricted") ||
		!strings.Contains(w.Header().Get("Cache-Control"), "private") {
		t.Errorf("a restricted record's ?: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if w := e.do(t, "GET", "/"+closed.ARK+"?", "Authorization", "Bearer "+token); !strings.Contains(w.Body.String(), "Zqsecret") {
		t.Errorf("the administrator's ?: %s", w.Body)
	}
	// Withdrawn, the ARK still answers: its page is the tombstone.
	it, _ = e.store.Item(it.ID)
	it.Deleted = true
	if err := e.store.SaveItem(context.Background(), it, "test"); err != nil {
		t.Fatal(err)
	}
	if w := e.do(t, "GET", "/"+it.ARK); w.Code != http.StatusFound {
		t.Errorf("a withdrawn record's ARK: %d", w.Code)
	}
	if w := e.do(t, "GET", "/items/"+it.ID); w.Code != http.StatusGone {
		t.Errorf("the withdrawn record's page: %d", w.Code)
	}
	if w := e.do(t, "GET", "/"+it.ARK+"?"); w.Code != 200 || !strings.Contains(w.Body.String(), "withdrawn") {
		t.Errorf("a withdrawn record's ?: %d %s", w.Code, w.Body)
	}
}
