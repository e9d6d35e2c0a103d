package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/annotation"
	"github.com/thaiarchives/archive/repository/bolt"
)

// exported is an item's IIIF export as srv answers tok.
func exported(t *testing.T, srv *Server, tok, item string) (string, []map[string]any) {
	t.Helper()
	r := httptest.NewRequest("GET", "/annotations/"+item+"/export?format=iiif", nil)
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	var coll struct {
		Items []struct{ Items []map[string]any }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &coll); err != nil {
		t.Fatalf("%d %s: %v", w.Code, w.Body, err)
	}
	var all []map[string]any
	for _, pg := range coll.Items {
		all = append(all, pg.Items...)
	}
	return w.Body.String(), all
}

// TestAnnotationImportRoundTripsAnExportIntoAnotherItemOfTheLibrary: the
// IIIF export of one item, its canvases mapped to another's, imported by
// the library's archivist, makes the same annotations on the same canvases
// of the other item, the archivist's, with the originals as "via", and
// they come back after a rebuild.
func TestAnnotationImportRoundTripsAnExportIntoAnotherItemOfTheLibrary(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	from, to := e.addBook(t, "First copy", 3, 5), e.addBook(t, "Second copy", 3, 8)
	e.postOn(t, e.reader, from, 1, noteOn(from, 1, "public", "commenting", "text/plain", "en", "first remark"))
	e.postOn(t, e.cmuArchivst, from, 3, noteOn(from, 3, "public", "transcribing", "text/plain", "th", "บรรทัดที่สาม"))
	e.postOn(t, e.reader, from, 2, noteOn(from, 2, "private", "commenting", "text/plain", "th", "ส่วนตัว"))
	doc, originals := exported(t, e.srv, e.cmuArchivst, from)
	if len(originals) != 2 || strings.Contains(doc, "ส่วนตัว") {
		t.Fatalf("the archivist's export of the first copy: %s", doc)
	}
	mapped := strings.ReplaceAll(doc, "/iiif/3/manifest/"+from+"/canvas/", "/iiif/3/manifest/"+to+"/canvas/")
	w := e.do(e.cmuArchivst, "POST", "/annotations/"+to+"/import", mapped)
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"imported":2`) || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("import: %d %v %s", w.Code, w.Header(), w.Body)
	}
	arch, err := e.store.UserByEmail("arch@cmu.example")
	if err != nil {
		t.Fatal(err)
	}
	before, got := exported(t, e.srv, "", to)
	if len(got) != 2 {
		t.Fatalf("anonymous export of the second copy: %s", before)
	}
	for i, a := range got {
		o := originals[i]
		target := strings.Replace(o["target"].(string), from, to, 1)
		if a["target"] != target || fmt.Sprint(a["body"]) != fmt.Sprint(o["body"]) || a["motivation"] != o["motivation"] || a["via"] != o["id"] ||
			a["id"] == o["id"] || !strings.HasPrefix(a["id"].(string), "http://example.com/annotations/"+to+"/") ||
			fmt.Sprint(a["creator"]) != fmt.Sprint(map[string]any{"id": "urn:x-archive:user:" + arch.ID, "type": "Person"}) || a["audience"] != "public" {
			t.Errorf("imported %d: %v\nfrom %v", i, a, o)
		}
	}

	e.store.Close()
	if err := os.Remove(e.db); err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), e.db, e.blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv, err := New(withServices(t, Config{Store: store, Blobs: e.blobs, Hosts: testHosts, Annotations: &annotation.Service{Store: store, Blobs: e.blobs}}))
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := exported(t, srv, "", to); after != before {
		t.Fatalf("after a rebuild:\n%s\nbefore:\n%s", after, before)
	}
}

// TestAnnotationImportTakesMiradorsLocalStorageAsPrivate: Mirador's
// export, AnnotationPages by canvas whose annotations name no context and
// no audience, becomes the importer's private annotations on those
// canvases.
func TestAnnotationImportTakesMiradorsLocalStorageAsPrivate(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	book := e.addBook(t, "Letters", 2, 5)
	canvas := func(n int) string { return fmt.Sprintf("http://example.com/iiif/3/manifest/%s/canvas/%d", book, n) }
	anno := func(n int, id, text string) string {
		return fmt.Sprintf(`{"id": %q, "type": "Annotation", "motivation": "commenting",
 "body": {"type": "TextualBody", "value": %q}, "target": {"source": %q, "selector": {"type": "FragmentSelector", "value": "xywh=1,1,5,5"}}}`, id, text, canvas(n))
	}
	mirador := fmt.Sprintf(`{%q: {"id": "p1", "type": "AnnotationPage", "items": [%s]}, %q: {"id": "p2", "type": "AnnotationPage", "items": [%s, %s]}}`,
		canvas(1), anno(1, "urn:uuid:m1", "หนึ่ง"), canvas(2), anno(2, "urn:uuid:m2", "สอง"), anno(2, "urn:uuid:m3", "สาม"))
	if w := e.do(e.cmuArchivst, "POST", "/annotations/"+book+"/import", mirador); w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"imported":3`) {
		t.Fatalf("import: %d %s", w.Code, w.Body)
	}
	if _, anon := exported(t, e.srv, "", book); len(anon) != 0 {
		t.Fatalf("anonymous visitors see imported annotations given no audience: %v", anon)
	}
	doc, mine := exported(t, e.srv, e.cmuArchivst, book)
	if len(mine) != 3 || mine[0]["via"] != "urn:uuid:m1" || mine[0]["audience"] != "private" ||
		!strings.HasPrefix(mine[1]["id"].(string), "http://example.com/annotations/"+book+"/2/") || !strings.Contains(doc, "สาม") {
		t.Fatalf("the importer's export: %s", doc)
	}
}

// TestAnnotationImportIsRefusedToAllButTheLibrarysStaffAndWholeOnAnyFault:
// anonymous visitors sign in first, readers are forbidden, outsiders of a
// restricted item learn nothing; a bad annotation is named by its place and
// reason and nothing is kept; past 5,000 annotations or 8 MiB, 413, and
// below them an import may be larger than other requests.
func TestAnnotationImportIsRefusedToAllButTheLibrarysStaffAndWholeOnAnyFault(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	book := e.addBook(t, "Chronicle", 2, 5)
	page := func(annos ...string) string {
		return `{"@context": "http://iiif.io/api/presentation/3/context.json", "type": "AnnotationPage", "items": [` + strings.Join(annos, ",") + `]}`
	}
	good := noteOn(book, 2, "public", "commenting", "text/plain", "th", "ดี")
	for who, want := range map[string]int{"": 401, e.reader: 403, e.other: 403} {
		if w := e.do(who, "POST", "/annotations/"+book+"/import", page(good)); w.Code != want {
			t.Errorf("import by %q: %d %s, want %d", who, w.Code, w.Body, want)
		}
	}
	if w := e.do(e.reader, "POST", "/annotations/"+e.closed+"/import", page(note(e.closed, "public", "x"))); w.Code != 404 {
		t.Errorf("import to a restricted item by an outsider: %d %s", w.Code, w.Body)
	}
	bad := page(good, noteOn(e.public, 1, "public", "commenting", "text/plain", "th", "อื่น"), noteOn(book, 3, "public", "commenting", "text/plain", "th", "x"),
		noteOn(book, 1, "public", "shouting", "text/plain", "th", "x"), `"text"`, noteOn(book, 1, "public", "commenting", "text/plain", "th", strings.Repeat("ก", annotation.MaxBody/3)))
	w := e.do(e.cmuArchivst, "POST", "/annotations/"+book+"/import", bad)
	for _, says := range []string{"nothing was imported",
		fmt.Sprintf(`annotation 2: the target "http://example.com/iiif/3/manifest/%s/canvas/1" is not a canvas of this item`, e.public),
		"annotation 3: the target", "names canvas 3; this item has 2", `annotation 4: no motivation "shouting"`, "annotation 5: not a JSON object", "annotation 6: larger than 64 KiB"} {
		if w.Code != 400 || !strings.Contains(w.Body.String(), says) {
			t.Errorf("a bad import: %d %s, want 400 saying %q", w.Code, w.Body, says)
		}
	}
	if strings.Contains(w.Body.String(), "annotation 1:") {
		t.Errorf("the good annotation is reported: %s", w.Body)
	}
	bad25 := strings.TrimSuffix(strings.Repeat(`"x",`, 25), ",")
	if w := e.do(e.cmuArchivst, "POST", "/annotations/"+book+"/import", "["+bad25+"]"); w.Code != 400 ||
		!strings.Contains(w.Body.String(), "annotation 20: not a JSON object; and 5 more") || strings.Contains(w.Body.String(), "annotation 21") {
		t.Errorf("25 bad annotations name the first 20 and count the rest: %d %s", w.Code, w.Body)
	}
	if w := e.do(e.cmuArchivst, "POST", "/annotations/"+book+"/import", `{"type": "Manifest"}`); w.Code != 400 || !strings.Contains(w.Body.String(), "an import is an AnnotationPage") {
		t.Errorf("a manifest imported: %d %s", w.Code, w.Body)
	}
	many := make([]string, annotation.MaxImport+1)
	for i := range many {
		many[i] = `{}`
	}
	if w := e.do(e.cmuArchivst, "POST", "/annotations/"+book+"/import", "["+strings.Join(many, ",")+"]"); w.Code != http.StatusRequestEntityTooLarge ||
		!strings.Contains(w.Body.String(), "at most 5000 annotations, not 5001") {
		t.Errorf("%d annotations: %d %.300s", len(many), w.Code, w.Body)
	}
	huge := page(strings.Replace(good, "ดี", strings.Repeat("x", annotation.MaxImportBody), 1))
	if w := e.do(e.cmuArchivst, "POST", "/annotations/"+book+"/import", huge); w.Code != http.StatusRequestEntityTooLarge ||
		!strings.Contains(w.Body.String(), "The import of annotations is too large. The most it may be is 8 MB") {
		t.Errorf("%d bytes: %d %.300s", len(huge), w.Code, w.Body)
	}
	if m := annoDoc(t, e.do(e.cmuArchivst, "GET", "/annotations/"+book+"/", "")); m["total"] != 0.0 {
		t.Fatalf("refused imports kept annotations: %v", m)
	}
	// Past the 1 MB of other requests, within the import's 8 MB.
	var long []string
	for range 40 {
		long = append(long, noteOn(book, 2, "public", "transcribing", "text/plain", "th", strings.Repeat("ข", 40<<10/3)))
	}
	if w := e.do(e.cmuArchivst, "POST", "/annotations/"+book+"/import", page(long...)); w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"imported":40`) {
		t.Fatalf("40 annotations of 40 KiB: %d %.300s", w.Code, w.Body)
	}
}

// BenchmarkAnnotationImportAndExport imports 5,000 public annotations to
// a canvas in one request, then exports them in each format.
func BenchmarkAnnotationImportAndExport(b *testing.B) {
	e := newAnnoEnv(b, 1000)
	list := make([]string, annotation.MaxImport)
	for i := range list {
		list[i] = noteOn(e.public, 1, "public", "transcribing", "text/plain", "th", fmt.Sprint("บรรทัด ", i))
	}
	body := "[" + strings.Join(list, ",") + "]"
	b.Run("import-5000", func(b *testing.B) {
		for range b.N {
			if w := e.do(e.cmuArchivst, "POST", "/annotations/"+e.public+"/import", body); w.Code != http.StatusCreated {
				b.Fatalf("%d %.300s", w.Code, w.Body)
			}
		}
	})
	for _, f := range []string{"iiif", "text", "tei"} {
		b.Run("export-"+f, func(b *testing.B) {
			for range b.N {
				if w := e.do("", "GET", "/annotations/"+e.public+"/export?format="+f, ""); w.Code != 200 {
					b.Fatalf("%d %.300s", w.Code, w.Body)
				}
			}
		})
	}
}
