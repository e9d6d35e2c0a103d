package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/annotation"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// annoEnv: cmu holds a public picture and a restricted one it does not
// reveal; a reader of tu and one of cmu, and an archivist of cmu, have
// tokens.
type annoEnv struct {
	srv                        *Server
	store                      *bolt.Store
	blobs                      *local.Store
	public, closed             string
	reader, other, cmuArchivst string
}

func newAnnoEnv(t testing.TB, perMinute int) *annoEnv {
	t.Helper()
	ctx := context.Background()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e := &annoEnv{store: store, blobs: blobs}
	p := ingest.New(ingest.Config{Store: store, Blobs: blobs})
	add := func(title string, level string, seed int) string {
		path := filepath.Join(t.TempDir(), "palm.jpg")
		os.WriteFile(path, picture(seed), 0o644)
		outs := p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{{Path: path, Name: "palm.jpg"}},
			Meta: repository.Item{Institution: "cmu", Title: repository.Text{"en": title}, Access: repository.Access{Level: level}}})
		if outs[0].Status != ingest.Ingested {
			t.Fatalf("ingest: %+v", outs[0])
		}
		return outs[0].Item
	}
	e.public = add("Palm-leaf law", repository.Public, 3)
	e.closed = add("Closed letter", repository.Restricted, 4)
	e.reader = tokenFor(t, store, "reader@tu.example", "tu", "reader", "write")
	e.other = tokenFor(t, store, "other@cmu.example", "cmu", "reader", "write")
	e.cmuArchivst = tokenFor(t, store, "arch@cmu.example", "cmu", "archivist", "write")
	cfg := Config{Store: store, Blobs: blobs, Hosts: testHosts, Annotations: &annotation.Service{Store: store, PerMinute: perMinute}}
	if e.srv, err = New(withServices(t, cfg)); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *annoEnv) do(tok, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/ld+json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	return w
}

// note is an annotation of canvas 1 of item with a rectangle and a Thai
// note, for audience.
func note(item, audience, text string) string {
	return fmt.Sprintf(`{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "motivation": "commenting", "audience": %q,
 "body": {"type": "TextualBody", "value": %q, "language": "th", "format": "text/plain"},
 "target": {"source": "http://example.com/iiif/3/manifest/%s/canvas/1",
  "selector": {"type": "FragmentSelector", "conformsTo": "http://www.w3.org/TR/media-frags/", "value": "xywh=10,20,100,50"}}}`, audience, text, item)
}

// post creates an annotation and returns its path and ETag.
func (e *annoEnv) post(t testing.TB, tok, item, body string) (string, string) {
	t.Helper()
	w := e.do(tok, "POST", "/annotations/"+item+"/1/", body)
	if w.Code != http.StatusCreated {
		t.Fatalf("post: %d %s", w.Code, w.Body)
	}
	loc := w.Header().Get("Location")
	if !strings.HasPrefix(loc, "http://example.com/annotations/"+item+"/1/") || w.Header().Get("ETag") == "" {
		t.Fatalf("post: Location %q, ETag %q", loc, w.Header().Get("ETag"))
	}
	return strings.TrimPrefix(loc, "http://example.com"), w.Header().Get("ETag")
}

func annoDoc(t testing.TB, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("%d %s: %v", w.Code, w.Body, err)
	}
	return m
}

// TestAnnotationProtocolMusts walks the W3C Web Annotation Protocol's
// requirements of a server one by one.
func TestAnnotationProtocolMusts(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	container := "/annotations/" + e.public + "/1/"

	// 4.1 container: GET with the LDP headers, the content type and Vary.
	w := e.do("", "GET", container, "")
	h := w.Header()
	if w.Code != 200 || !strings.Contains(h.Get("Link"), `<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"`) ||
		!strings.Contains(h.Get("Link"), `<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"`) ||
		!strings.Contains(h.Get("Allow"), "POST") || h.Get("Accept-Post") != annoType || h.Get("Content-Type") != annoType ||
		!strings.Contains(h.Get("Vary"), "Accept") || !strings.Contains(h.Get("Vary"), "Prefer") {
		t.Fatalf("container: %d %v", w.Code, h)
	}
	if m := annoDoc(t, w); m["total"] != 0.0 || m["first"] != nil || fmt.Sprint(m["type"]) != "[BasicContainer AnnotationCollection]" {
		t.Fatalf("empty container: %v", m)
	}

	// 5.1 POST creates: 201, Location, ETag; the server's id, not the client's.
	client := strings.Replace(note(e.public, "public", "ใบลาน"), `"type": "Annotation",`, `"type": "Annotation", "id": "http://evil.example/x",`, 1)
	path, tag := e.post(t, e.reader, e.public, client)
	w = e.do("", "GET", path, "")
	a := annoDoc(t, w)
	if w.Code != 200 || a["id"] != "http://example.com"+path || w.Header().Get("ETag") != tag || a["created"] == nil || a["creator"] == nil ||
		w.Header().Get("Content-Type") != annoType || !strings.Contains(w.Header().Get("Link"), "ldp#Resource") {
		t.Fatalf("get: %d %v %v", w.Code, w.Header(), a)
	}
	if w = e.do("", "HEAD", path, ""); w.Code != 200 || w.Header().Get("ETag") != tag || w.Body.Len() != 0 {
		t.Fatalf("head: %d %v %q", w.Code, w.Header(), w.Body)
	}

	// 5.3 PUT: If-Match required (428), a stale one refused (412).
	changed := note(e.public, "public", "ใบลานฉบับแก้")
	if w = e.do(e.reader, "PUT", path, changed); w.Code != http.StatusPreconditionRequired {
		t.Fatalf("put without If-Match: %d %s", w.Code, w.Body)
	}
	w = e.do(e.reader, "PUT", path, changed, "If-Match", tag)
	newTag := w.Header().Get("ETag")
	if w.Code != 200 || newTag == tag || !strings.Contains(w.Body.String(), "ใบลานฉบับแก้") {
		t.Fatalf("put: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if w = e.do(e.reader, "PUT", path, changed, "If-Match", tag); w.Code != http.StatusPreconditionFailed {
		t.Fatalf("put with a stale ETag: %d %s", w.Code, w.Body)
	}
	// The earlier version stays.
	if w = e.do("", "GET", path+"?version=1", ""); w.Code != 200 || !strings.Contains(w.Body.String(), `"ใบลาน"`) {
		t.Fatalf("version 1: %d %s", w.Code, w.Body)
	}

	// 5.4 DELETE with If-Match: 204, then 410.
	if w = e.do(e.reader, "DELETE", path, "", "If-Match", tag); w.Code != http.StatusPreconditionFailed {
		t.Fatalf("delete with a stale ETag: %d", w.Code)
	}
	if w = e.do(e.reader, "DELETE", path, ""); w.Code != http.StatusPreconditionRequired {
		t.Fatalf("delete without If-Match: %d", w.Code)
	}
	if w = e.do(e.reader, "DELETE", path, "", "If-Match", newTag); w.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	if w = e.do("", "GET", path, ""); w.Code != http.StatusGone {
		t.Fatalf("after delete: %d", w.Code)
	}

	// 5.2 content type: not JSON-LD is 415.
	r := httptest.NewRequest("POST", container, strings.NewReader(note(e.public, "public", "x")))
	r.Header.Set("Content-Type", "text/plain")
	r.Header.Set("Authorization", "Bearer "+e.reader)
	w = httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	if w.Code != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain: %d %s", w.Code, w.Body)
	}

	// 4.2 paging: 205 annotations are three pages of at most 100, linked.
	for i := range 205 {
		e.post(t, e.reader, e.public, note(e.public, "public", fmt.Sprint("note ", i)))
	}
	m := annoDoc(t, e.do("", "GET", container, ""))
	if m["total"] != 205.0 || m["first"] != "http://example.com"+container+"?page=0" || m["last"] != "http://example.com"+container+"?page=2" {
		t.Fatalf("collection: %v", m)
	}
	for n, want := range []int{100, 100, 5} {
		w = e.do("", "GET", fmt.Sprintf("%s?page=%d", container, n), "")
		pg := annoDoc(t, w)
		items, _ := pg["items"].([]any)
		partOf, _ := pg["partOf"].(map[string]any)
		if w.Code != 200 || pg["type"] != "AnnotationPage" || len(items) != want || pg["startIndex"] != float64(n*100) ||
			partOf["id"] != "http://example.com"+container || partOf["total"] != 205.0 ||
			(n < 2) != (pg["next"] != nil) || (n > 0) != (pg["prev"] != nil) {
			t.Fatalf("page %d: %d items, %v", n, len(items), pg)
		}
		if first, _ := items[0].(map[string]any); first["type"] != "Annotation" || first["body"] == nil {
			t.Fatalf("page %d holds %v, not whole annotations", n, items[0])
		}
	}
	if w = e.do("", "GET", container+"?page=3", ""); w.Code != 404 {
		t.Fatalf("page past the last: %d", w.Code)
	}

	// 4.3 Prefer: IRIs only, or whole descriptions, and Preference-Applied.
	w = e.do("", "GET", container+"?page=0", "", "Prefer", `return=representation; include="http://www.w3.org/ns/oa#PreferContainedIRIs"`)
	pg := annoDoc(t, w)
	items, _ := pg["items"].([]any)
	if iri, ok := items[0].(string); !ok || !strings.HasPrefix(iri, "http://example.com"+container) || w.Header().Get("Preference-Applied") != "return=representation" ||
		!strings.Contains(pg["next"].(string), "iris=1") {
		t.Fatalf("IRIs preferred: %v %v", w.Header(), pg)
	}
	w = e.do("", "GET", container+"?iris=1&page=0", "", "Prefer", `return=representation; include="http://www.w3.org/ns/oa#PreferContainedDescriptions"`)
	items, _ = annoDoc(t, w)["items"].([]any)
	if _, ok := items[0].(map[string]any); !ok {
		t.Fatalf("descriptions preferred: %v", items[0])
	}
	// The item's container holds the canvases'.
	if m := annoDoc(t, e.do("", "GET", "/annotations/"+e.public+"/", "")); m["total"] != 205.0 {
		t.Fatalf("the item's container: %v", m)
	}
}
