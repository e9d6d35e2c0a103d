package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fulltext"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/ocr/ocrtest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// word2 is a key of the catalog in lang ("th" or "en").
func word2(lang, key string) string {
	if lang == "th" {
		return messages[key][0]
	}
	return messages[key][1]
}

// The text export answers every page in order, each under a line naming
// it, as an attachment named for the item; the JSON form lists the same
// pages. A public item's export may be kept by shared caches for a few
// minutes, and answers 304 to its ETag.
func TestItemTextIsEveryPageInOrderAsTextAndJSON(t *testing.T) {
	e := newIIIFEnv(t)
	it := textItem(t, e, gazettePages...)
	w := e.do(t, "GET", "/api/v1/items/"+it.ID+"/text")
	body := w.Body.String()
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/plain; charset=utf-8" ||
		w.Header().Get("Content-Disposition") != `attachment; filename="`+it.ID+`.txt"` {
		t.Fatalf("text export: %d %v\n%s", w.Code, w.Header(), body)
	}
	at := 0
	for n, lines := range gazettePages {
		k := strings.Index(body[at:], fulltext.Separator(n+1))
		if k < 0 || n > 0 && body[at+k-1] != '\f' {
			t.Fatalf("page %d has no separator after byte %d:\n%s", n+1, at, body)
		}
		at += k
		for _, l := range lines {
			if j := strings.Index(body[at:], l); j < 0 || n+1 < len(gazettePages) && strings.Contains(body[at:at+j], fulltext.Separator(n+2)) {
				t.Errorf("page %d: the line %q is not on it", n+1, l)
			}
		}
	}
	if cc := w.Header().Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("a public item's text: Cache-Control %q", cc)
	}
	if again := e.do(t, "GET", "/api/v1/items/"+it.ID+"/text", "If-None-Match", w.Header().Get("ETag")); again.Code != http.StatusNotModified {
		t.Errorf("the text again with its ETag: %d", again.Code)
	}
	w = e.do(t, "GET", "/api/v1/items/"+it.ID+"/text?format=json")
	var pages []struct {
		Page int
		Text string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &pages); err != nil || len(pages) != len(gazettePages) {
		t.Fatalf("JSON export: %d %v %s", w.Code, err, w.Body)
	}
	for n, p := range pages {
		if p.Page != n+1 || p.Text != strings.Join(gazettePages[n], "\n")+"\n" {
			t.Errorf("JSON page %d: %+v", n+1, p)
		}
	}
	if w.Header().Get("ETag") == e.do(t, "GET", "/api/v1/items/"+it.ID+"/text").Header().Get("ETag") {
		t.Error("the JSON and the text have the same ETag")
	}
	if w = e.do(t, "GET", "/api/v1/items/"+it.ID+"/text?format=xml"); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `format "xml"`) {
		t.Errorf("an unknown format: %d %s", w.Code, w.Body)
	}
}

// pdfPages are lines whose words lie inside their pages' width, as a
// scan's do.
var pdfPages = [][]string{
	{"ประกาศ มหาวิทยาลัย", "printed in Chiang Mai"},
	{"ปั้นน้ำเป็นตัว ผู้ใหญ่", "The council met."},
}

// pdftotextOf is the text pdftotext extracts from page n of a PDF, and the
// PDF's count of pages.
func pdftotextOf(t *testing.T, pdf []byte, n int) (string, int) {
	t.Helper()
	ocrtest.Need(t, "pdftotext", "poppler-utils")
	path := filepath.Join(t.TempDir(), "x.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-q", "-enc", "UTF-8", "-f", strconv.Itoa(n), "-l", strconv.Itoa(n), path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	info, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	pages := 0
	for _, l := range strings.Split(string(info), "\n") {
		if v, ok := strings.CutPrefix(l, "Pages:"); ok {
			pages, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return string(out), pages
}

// replaceALTO gives file n of the item a new ALTO whose first word is
// word, as an approved transcription will: a new blob, the item saved with
// its key.
func replaceALTO(t *testing.T, e *iiifEnv, id string, n int, word string) {
	t.Helper()
	ctx := context.Background()
	it, err := e.store.Item(id)
	if err != nil {
		t.Fatal(err)
	}
	f := &it.Files[n-1]
	rc, err := e.blobs.Get(ctx, f.Derivatives["alto"], 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := ocr.ReadALTO(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	pg.Lines[0].Words[0].Text = word
	key := f.Derivatives["alto"] + ".corrected"
	alto := pg.WriteALTO("p", "correction")
	if _, err := e.blobs.Put(ctx, key, strings.NewReader(string(alto)), storage.PutOptions{Size: int64(len(alto))}); err != nil {
		t.Fatal(err)
	}
	d := map[string]string{}
	for k, v := range f.Derivatives {
		d[k] = v
	}
	d["alto"] = key
	f.Derivatives = d
	if err := e.store.SaveItem(ctx, it, "test"); err != nil {
		t.Fatal(err)
	}
}

// The PDF has a page per page image, and pdftotext finds on each the
// page's Thai and English words; once a page's ALTO is replaced, the PDF
// and the text give the new word and not the old, whatever ETag the
// client kept.
func TestItemPDFCarriesEachPagesWordsAndACorrectionReplacesThem(t *testing.T) {
	e := newIIIFEnv(t)
	it := textItem(t, e, pdfPages...)
	w := e.do(t, "GET", "/api/v1/items/"+it.ID+"/pdf")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/pdf" || w.Header().Get("Content-Disposition") != `attachment; filename="`+it.ID+`.pdf"` {
		t.Fatalf("PDF: %d %v %.200s", w.Code, w.Header(), w.Body)
	}
	for n, lines := range pdfPages {
		got, pages := pdftotextOf(t, w.Body.Bytes(), n+1)
		if pages != len(pdfPages) {
			t.Errorf("%d pages in the PDF of %d page images", pages, len(pdfPages))
		}
		for _, l := range lines {
			if !strings.Contains(got, l) {
				t.Errorf("page %d: pdftotext does not find %q in %q", n+1, l, got)
			}
		}
	}
	pdfTag, textTag := w.Header().Get("ETag"), e.do(t, "GET", "/api/v1/items/"+it.ID+"/text").Header().Get("ETag")
	replaceALTO(t, e, it.ID, 2, "ปั้นดินเป็นตัว")
	w = e.do(t, "GET", "/api/v1/items/"+it.ID+"/pdf", "If-None-Match", pdfTag)
	if got, _ := pdftotextOf(t, w.Body.Bytes(), 2); w.Code != 200 || !strings.Contains(got, "ปั้นดินเป็นตัว") || strings.Contains(got, "ปั้นน้ำเป็นตัว") {
		t.Errorf("page 2 of the PDF after its correction: %d %q", w.Code, got)
	}
	w = e.do(t, "GET", "/api/v1/items/"+it.ID+"/text", "If-None-Match", textTag)
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, "ปั้นดินเป็นตัว") || strings.Contains(body, "ปั้นน้ำเป็นตัว") {
		t.Errorf("the text after the correction: %d %q", w.Code, body)
	}
}

// A restricted item's text and PDF are refused to a visitor as its ALTO
// is, and given to its library's reader, privately.
func TestRestrictedItemsTextAndPDFAnswerAsItsALTO(t *testing.T) {
	e := newIIIFEnv(t)
	reader := tokenFor(t, e.store, "reader@cmu.example", "cmu", "reader", "read")
	tu := tokenFor(t, e.store, "reader@tu.example", "tu", "reader", "read")
	it := textItem(t, e, pdfPages...)
	it.Access.Level = repository.Restricted
	if err := e.store.SaveItem(context.Background(), it, "t"); err != nil {
		t.Fatal(err)
	}
	alto := "/api/v1/items/" + it.ID + "/files/1/alto"
	for who, hdr := range map[string][]string{"anonymous": nil, "tu-reader": {"Authorization", "Bearer " + tu}} {
		want := e.do(t, "GET", alto, hdr...).Code
		if want != http.StatusUnauthorized && want != http.StatusForbidden && want != http.StatusNotFound {
			t.Fatalf("%s: the ALTO answers %d", who, want)
		}
		for _, path := range []string{"/api/v1/items/" + it.ID + "/text", "/api/v1/items/" + it.ID + "/pdf"} {
			if w := e.do(t, "GET", path, hdr...); w.Code != want || strings.Contains(w.Body.String(), "ประกาศ") {
				t.Errorf("%s: %s answers %d, the ALTO %d", who, path, w.Code, want)
			}
		}
	}
	for _, path := range []string{"/api/v1/items/" + it.ID + "/text", "/api/v1/items/" + it.ID + "/pdf"} {
		w := e.do(t, "GET", path, "Authorization", "Bearer "+reader)
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Cache-Control"), "private") {
			t.Errorf("the library's reader: %s answers %d, Cache-Control %q", path, w.Code, w.Header().Get("Cache-Control"))
		}
	}
}

// heldImages renders once let go, saying first that it has begun.
type heldImages struct {
	real    fulltext.Images
	begun   chan struct{}
	release chan struct{}
}

func (h *heldImages) Image(ctx context.Context, p access.Principal, call imageapi.Call, req imageapi.Request) (*imageapi.Response, error) {
	select {
	case h.begun <- struct{}{}:
	default:
	}
	select {
	case <-h.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return h.real.Image(ctx, p, call, req)
}

// A PDF of more pages than the server makes is 413, saying so in the
// reader's language; while the server makes as many PDFs as it may, one
// more is 503 with Retry-After, and a HEAD still 200. The text export is
// not bounded by either.
func TestItemPDFPastItsLimitsIs413Or503(t *testing.T) {
	e := newIIIFEnv(t)
	it := textItem(t, e, pdfPages...)
	long := textItem(t, e, gazettePages...)
	images := imageapi.NewService(imageapi.Config{Items: e.store, Blobs: e.blobs})
	h := &heldImages{real: images, begun: make(chan struct{}, 1), release: make(chan struct{})}
	cfg := withServices(t, Config{Store: e.store, Blobs: e.blobs, Hosts: testHosts})
	cfg.FullText = fulltext.New(fulltext.Config{Items: e.store, Blobs: e.blobs, Images: h, MaxPages: 3, Renders: 1})
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{srv: srv}
	w := f.do(t, "GET", "/api/v1/items/"+long.ID+"/pdf?lang=en")
	if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), word2("en", "err_pdf_pages")) || !strings.Contains(w.Body.String(), "4 pages") {
		t.Errorf("a PDF of 4 pages past a limit of 3: %d %s", w.Code, w.Body)
	}
	if w = f.do(t, "GET", "/api/v1/items/"+long.ID+"/text"); w.Code != 200 {
		t.Errorf("the text of the same item: %d", w.Code)
	}
	done := make(chan int)
	go func() { done <- f.do(t, "GET", "/api/v1/items/"+it.ID+"/pdf").Code }()
	select {
	case <-h.begun:
	case <-time.After(10 * time.Second):
		t.Fatal("the first PDF never began")
	}
	w = f.do(t, "GET", "/api/v1/items/"+it.ID+"/pdf", "Authorization", "Bearer "+token)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("a PDF while another is made: %d Retry-After %q Cache-Control %q", w.Code, w.Header().Get("Retry-After"), w.Header().Get("Cache-Control"))
	}
	// A HEAD is answered after the access decision alone: it makes no PDF.
	if w = f.do(t, "HEAD", "/api/v1/items/"+it.ID+"/pdf", "Authorization", "Bearer "+token); w.Code != 200 || w.Header().Get("Content-Type") != "application/pdf" {
		t.Errorf("a HEAD while another PDF is made: %d %v", w.Code, w.Header())
	}
	close(h.release)
	if code := <-done; code != 200 {
		t.Errorf("the held PDF: %d", code)
	}
}

// An item's page offers its text and its PDF to whoever may read it whole,
// in the page's language; a restricted item's page offers neither to a
// visitor.
func TestItemPageLinksItsTextAndPDF(t *testing.T) {
	e := newIIIFEnv(t)
	it := textItem(t, e, pdfPages...)
	for _, lang := range []string{"th", "en"} {
		body := e.do(t, "GET", "/items/"+it.ID+"?lang="+lang).Body.String()
		for _, l := range []struct{ href, key string }{{"/api/v1/items/" + it.ID + "/text", "download_text"}, {"/api/v1/items/" + it.ID + "/pdf", "download_pdf"}} {
			if !strings.Contains(body, l.href+`" download>`+html.EscapeString(word2(lang, l.key))+"</a>") {
				t.Errorf("%s page: no link %s labelled %q", lang, l.href, word2(lang, l.key))
			}
		}
	}
	it.Access.Level = repository.MetadataOnly
	if err := e.store.SaveItem(context.Background(), it, "t"); err != nil {
		t.Fatal(err)
	}
	if body := e.do(t, "GET", "/items/"+it.ID).Body.String(); strings.Contains(body, "/api/v1/items/"+it.ID+"/text") || strings.Contains(body, "/pdf") {
		t.Error("a visitor who may read only the description is offered the text or the PDF")
	}
}
