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
	"time"

	"github.com/thaiarchives/archive/annotation"
	"github.com/thaiarchives/archive/desk"
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
	db                         string // the store's file
	public, closed             string
	reader, other, cmuArchivst string
}

func newAnnoEnv(t testing.TB, perMinute int) *annoEnv {
	t.Helper()
	ctx := context.Background()
	blobs, _ := local.Open(t.TempDir())
	db := filepath.Join(t.TempDir(), "a.db")
	store, err := bolt.Open(ctx, db, blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e := &annoEnv{store: store, blobs: blobs, db: db}
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
	cfg := Config{Store: store, Blobs: blobs, Hosts: testHosts, Annotations: &annotation.Service{Store: store, Blobs: blobs, PerMinute: perMinute}}
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
	if w = e.do("", "GET", path, "", "If-None-Match", tag); w.Code != http.StatusNotModified || w.Header().Get("ETag") != tag {
		t.Fatalf("a conditional get of the same version: %d %v", w.Code, w.Header())
	}
	// 4.1 OPTIONS names the methods each address takes.
	for p, want := range map[string]string{path: "PUT, DELETE", container: "POST", "/annotations/" + e.public + "/": "GET, HEAD, OPTIONS"} {
		if w = e.do("", "OPTIONS", p, ""); !strings.HasSuffix(w.Header().Get("Allow"), want) {
			t.Fatalf("OPTIONS %s: Allow %q, want it to end %q", p, w.Header().Get("Allow"), want)
		}
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

// TestAnnotationsNeverWidenAccess: anonymous visitors cannot annotate; a
// private annotation is its author's alone and never in a shared cache;
// an item's annotations are as hidden as the item; public ones appear in
// its manifest, and only when there are any.
func TestAnnotationsNeverWidenAccess(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	manifest := "/iiif/3/manifest/" + e.public
	ref := "http://example.com/annotations/" + e.public + "/1/?page=0"
	if w := e.do("", "GET", manifest, ""); w.Code != 200 || strings.Contains(w.Body.String(), "/annotations/") {
		t.Fatalf("manifest without annotations: %d %.300s", w.Code, w.Body)
	}
	if w := e.do("", "POST", "/annotations/"+e.public+"/1/", note(e.public, "public", "x")); w.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous post: %d %s", w.Code, w.Body)
	}
	private, _ := e.post(t, e.reader, e.public, note(e.public, "private", "บันทึกส่วนตัว"))
	if w := e.do("", "GET", manifest, ""); strings.Contains(w.Body.String(), "/annotations/") {
		t.Fatalf("a private annotation is named in the manifest: %.300s", w.Body)
	}
	for _, who := range []string{"", e.other, e.cmuArchivst} {
		if w := e.do(who, "GET", private, ""); w.Code != 404 {
			t.Fatalf("another person reads a private annotation: %d %s", w.Code, w.Body)
		}
		w := e.do(who, "GET", "/annotations/"+e.public+"/1/?page=0", "")
		if w.Code != 200 || strings.Contains(w.Body.String(), "บันทึกส่วนตัว") || annoDoc(t, e.do(who, "GET", "/annotations/"+e.public+"/1/", ""))["total"] != 0.0 {
			t.Fatalf("another person's page holds a private annotation: %d %s", w.Code, w.Body)
		}
		if w := e.do(who, "DELETE", private, "", "If-Match", `"v1"`); w.Code != 404 {
			t.Fatalf("another person deletes a private annotation: %d", w.Code)
		}
	}
	w := e.do(e.reader, "GET", "/annotations/"+e.public+"/1/?page=0", "")
	if !strings.Contains(w.Body.String(), "บันทึกส่วนตัว") || w.Header().Get("Cache-Control") != "private, no-store" {
		t.Fatalf("the author's page: %v %s", w.Header(), w.Body)
	}
	// Made public later, its private first version stays its author's.
	if w := e.do(e.reader, "PUT", private, note(e.public, "public", "เปิดแล้ว"), "If-Match", `"v1"`); w.Code != 200 {
		t.Fatalf("made public: %d %s", w.Code, w.Body)
	}
	if w := e.do(e.other, "GET", private+"?version=1", ""); w.Code != 404 || strings.Contains(w.Body.String(), "บันทึกส่วนตัว") {
		t.Fatalf("another reads the private first version: %d %s", w.Code, w.Body)
	}
	if w := e.do(e.reader, "GET", private+"?version=1", ""); w.Code != 200 || !strings.Contains(w.Body.String(), "บันทึกส่วนตัว") {
		t.Fatalf("the author reads the private first version: %d %s", w.Code, w.Body)
	}
	if w := e.do(e.reader, "DELETE", private, "", "If-Match", `"v2"`); w.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	public, tag := e.post(t, e.reader, e.public, note(e.public, "public", "บันทึกสาธารณะ"))
	if w := e.do("", "GET", public, "", "Origin", "https://viewer.example"); w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("viewers elsewhere may not read a public annotation: %v", w.Header())
	}
	w = e.do("", "GET", "/annotations/"+e.public+"/1/?page=0", "")
	if !strings.Contains(w.Body.String(), "บันทึกสาธารณะ") || !strings.HasPrefix(w.Header().Get("Cache-Control"), "public") {
		t.Fatalf("an anonymous visitor's page of public annotations: %v %s", w.Header(), w.Body)
	}
	if w := e.do("", "GET", manifest, ""); !strings.Contains(w.Body.String(), `"annotations":[{"id":"`+ref+`","type":"AnnotationPage"}]`) {
		t.Fatalf("the manifest does not point to the public annotations: %s", w.Body)
	}
	// Another reader may not change it; the holding library's staff may.
	if w := e.do(e.other, "PUT", public, note(e.public, "public", "x"), "If-Match", tag); w.Code != http.StatusForbidden {
		t.Fatalf("another reader changes an annotation: %d %s", w.Code, w.Body)
	}
	if w := e.do(e.cmuArchivst, "DELETE", public, "", "If-Match", tag); w.Code != http.StatusNoContent {
		t.Fatalf("the library's archivist deletes an annotation: %d %s", w.Code, w.Body)
	}
	if w := e.do("", "GET", manifest, ""); strings.Contains(w.Body.String(), "/annotations/") {
		t.Fatalf("the manifest points to deleted annotations: %.300s", w.Body)
	}
	// The restricted item: its staff annotate; others cannot know of it.
	closed, _ := e.post(t, e.cmuArchivst, e.closed, note(e.closed, "public", "จดหมาย"))
	for _, path := range []string{closed, "/annotations/" + e.closed + "/", "/annotations/" + e.closed + "/1/?page=0"} {
		for _, who := range []string{"", e.reader} {
			if w := e.do(who, "GET", path, ""); w.Code != 404 || strings.Contains(w.Body.String(), "จดหมาย") {
				t.Fatalf("%s seen by an outsider: %d %s", path, w.Code, w.Body)
			}
		}
	}
	if w := e.do(e.reader, "POST", "/annotations/"+e.closed+"/1/", note(e.closed, "public", "x")); w.Code != 404 {
		t.Fatalf("an outsider annotates a restricted item: %d", w.Code)
	}
	w = e.do(e.other, "GET", "/annotations/"+e.closed+"/1/?page=0", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "จดหมาย") || w.Header().Get("Cache-Control") != "private, no-store" {
		t.Fatalf("the library's reader: %d %v %s", w.Code, w.Header(), w.Body)
	}
}

// TestBadAnnotationsAreRefusedPrecisely: each fault of the data model gets
// a 400 saying what is wrong, and nothing is stored.
func TestBadAnnotationsAreRefusedPrecisely(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	good := note(e.public, "public", "x")
	canvas := "http://example.com/iiif/3/manifest/" + e.public + "/canvas/1"
	cases := []struct{ body, says string }{
		{`[1]`, "not a JSON object"},
		{strings.Replace(good, "anno.jsonld", "other.jsonld", 1), `"@context" must be "http://www.w3.org/ns/anno.jsonld"`},
		{strings.Replace(good, `"type": "Annotation"`, `"type": "Note"`, 1), `"type" must be "Annotation"`},
		{strings.Replace(good, `"commenting"`, `"shouting"`, 1), `no motivation "shouting"`},
		{strings.Replace(good, `"audience": "public"`, `"audience": "friends"`, 1), `"audience" must be "public", "private" or "group:" and a group's id`},
		{strings.Replace(good, canvas, canvas[:len(canvas)-1]+"2", 1), "is not this canvas"},
		{strings.Replace(good, "xywh=10,20,100,50", "xywh=10,20", 1), `"xywh=10,20" is not xywh=x,y,w,h`},
		{strings.Replace(good, "xywh=10,20,100,50", "xywh=10,20,0,50", 1), "empty width or height"},
		{strings.Replace(good, "media-frags/", "svg/", 1), "must conform to http://www.w3.org/TR/media-frags/"},
		{strings.Replace(good, `"FragmentSelector"`, `"TextQuoteSelector"`, 1), `no selector type "TextQuoteSelector"`},
		{strings.Replace(good, `"language": "th"`, `"language": "Thai!"`, 1), `"Thai!" is not a language tag`},
		{strings.Replace(good, `"text/plain"`, `"application/pdf"`, 1), `no format "application/pdf"`},
		{strings.Replace(good, `"TextualBody"`, `"Image"`, 1), `no body type "Image"`},
		{strings.Replace(good, `"value": "x"`, `"value": ""`, 1), `a TextualBody needs a "value"`},
		{strings.Replace(good, `"selector": {"type": "FragmentSelector", "conformsTo": "http://www.w3.org/TR/media-frags/", "value": "xywh=10,20,100,50"}`,
			`"selector": {"type": "SvgSelector", "value": "<svg><script>alert(1)</script></svg>"}`, 1), "not <script>"},
		{strings.Replace(good, `"selector": {"type": "FragmentSelector", "conformsTo": "http://www.w3.org/TR/media-frags/", "value": "xywh=10,20,100,50"}`,
			`"selector": {"type": "SvgSelector", "value": "<svg><path d='M0 0' onclick='x()'/></svg>"}`, 1), `may not have the attribute "onclick"`},
		{`{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation"}`, `a "target" is required`},
	}
	for _, c := range cases {
		w := e.do(e.reader, "POST", "/annotations/"+e.public+"/1/", c.body)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), c.says) {
			t.Errorf("%.80s: %d %s, want 400 saying %q", c.body, w.Code, w.Body, c.says)
		}
	}
	if m := annoDoc(t, e.do(e.reader, "GET", "/annotations/"+e.public+"/", "")); m["total"] != 0.0 {
		t.Fatalf("refused annotations were stored: %v", m)
	}
	// A polygon is a good target too.
	svg := strings.Replace(good, `"selector": {"type": "FragmentSelector", "conformsTo": "http://www.w3.org/TR/media-frags/", "value": "xywh=10,20,100,50"}`,
		`"selector": {"type": "SvgSelector", "value": "<svg xmlns='http://www.w3.org/2000/svg'><polygon points='0,0 10,0 5,8'/></svg>"}`, 1)
	e.post(t, e.reader, e.public, svg)
}

// TestAnnotationAbuseIsBounded: a body past 64 KiB is 413, HTML in bodies
// is sanitised, and past the limit a minute an account gets 429 with
// Retry-After.
func TestAnnotationAbuseIsBounded(t *testing.T) {
	e := newAnnoEnv(t, 3)
	big := note(e.public, "public", strings.Repeat("ก", annotation.MaxBody/3))
	if w := e.do(e.reader, "POST", "/annotations/"+e.public+"/1/", big); w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a body of %d bytes: %d", len(big), w.Code)
	}
	html := strings.Replace(note(e.public, "public", `<p onclick=\"steal()\">ดี<script>alert(1)</script><a href=\"javascript:x()\">ลิงก์</a></p>`), `"text/plain"`, `"text/html"`, 1)
	path, _ := e.post(t, e.reader, e.public, html)
	body := e.do("", "GET", path, "").Body.String()
	if strings.Contains(body, "script") || strings.Contains(body, "onclick") || strings.Contains(body, "javascript") || !strings.Contains(body, "ดี") {
		t.Fatalf("HTML kept unsanitised: %s", body)
	}
	e.post(t, e.reader, e.public, note(e.public, "public", "2"))
	e.post(t, e.reader, e.public, note(e.public, "public", "3"))
	w := e.do(e.reader, "POST", "/annotations/"+e.public+"/1/", note(e.public, "public", "4"))
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" || w.Header().Get("Retry-After") == "0" {
		t.Fatalf("the fourth in a minute: %d %v %s", w.Code, w.Header(), w.Body)
	}
	// Another account is not held back by the first.
	e.post(t, e.other, e.public, note(e.public, "public", "5"))
}

// TestAnnotationContainersComeBackAfterARebuild: the store's file lost,
// a rebuild from storage alone answers every container as before, to
// the author and to anonymous visitors, versions and deletions included,
// and transcriptions with their review, the page's text and the
// transcriber's invitation.
func TestAnnotationContainersComeBackAfterARebuild(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	e.post(t, e.reader, e.public, note(e.public, "private", "ส่วนตัว"))
	changed, tag := e.post(t, e.reader, e.public, note(e.public, "public", "ก่อน"))
	if w := e.do(e.reader, "PUT", changed, note(e.public, "public", "หลัง"), "If-Match", tag); w.Code != 200 {
		t.Fatalf("put: %d %s", w.Code, w.Body)
	}
	deleted, tag := e.post(t, e.reader, e.public, note(e.public, "public", "ลบ"))
	if w := e.do(e.reader, "DELETE", deleted, "", "If-Match", tag); w.Code != http.StatusNoContent {
		t.Fatalf("delete: %d", w.Code)
	}
	// A transcription approved as the staff save it, the page's text, and
	// one of an invited transcriber's waiting for review.
	e.post(t, e.cmuArchivst, e.public, lineTranscription(e.public, "xywh=10,10,200,20", "ข้อความใบลาน"))
	arch, err := e.store.UserByEmail("arch@cmu.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&desk.Requests{Store: e.store}).Invite(context.Background(), principal(arch, ""), e.public, "other@cmu.example", desk.Decision{}); err != nil {
		t.Fatal(err)
	}
	pending, _ := e.post(t, e.other, e.public, lineTranscription(e.public, "xywh=10,40,200,20", "รอตรวจ"))
	paths := []string{"/annotations/" + e.public + "/", "/annotations/" + e.public + "/1/?page=0", changed, changed + "?version=1", deleted, "/iiif/3/manifest/" + e.public,
		pending, "/iiif/text/" + e.public + "/1", "/api/v1/items/" + e.public + "/files/1/alto"}
	answers := func(srv *Server) string {
		var b strings.Builder
		for _, p := range paths {
			for _, tok := range []string{"", e.reader, e.other, e.cmuArchivst} {
				r := httptest.NewRequest("GET", p, nil)
				if tok != "" {
					r.Header.Set("Authorization", "Bearer "+tok)
				}
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, r)
				fmt.Fprintf(&b, "%s %d %s %s\n", p, w.Code, w.Header().Get("ETag"), w.Body)
			}
		}
		return b.String()
	}
	before := answers(e.srv)
	if !strings.Contains(before, "ส่วนตัว") || !strings.Contains(before, "หลัง") || !strings.Contains(before, "ก่อน") ||
		!strings.Contains(before, `CONTENT="ข้อความใบลาน"`) || !strings.Contains(before, `"review":"pending"`) {
		t.Fatalf("before the rebuild: %s", before)
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
	if after := answers(srv); after != before {
		t.Fatalf("after a rebuild:\n%s\nbefore:\n%s", after, before)
	}
}

// TestAnnotationsChangeFromASessionOnlyFromTheArchivesOwnPages: a signed-in
// browser annotates from the archive's pages (its Origin), never from a
// page elsewhere riding on its cookie.
func TestAnnotationsChangeFromASessionOnlyFromTheArchivesOwnPages(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	u, err := e.store.UserByEmail("reader@tu.example")
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.store.CreateSession(u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cookie := sessionCookie + "=" + v
	container := "/annotations/" + e.public + "/1/"
	if w := e.do("", "POST", container, note(e.public, "public", "x"), "Cookie", cookie, "Origin", "https://evil.example"); w.Code != http.StatusForbidden {
		t.Fatalf("a post from another site: %d %s", w.Code, w.Body)
	}
	w := e.do("", "POST", container, note(e.public, "public", "x"), "Cookie", cookie, "Origin", "http://example.com")
	if w.Code != http.StatusCreated {
		t.Fatalf("a post from the archive's own page: %d %s", w.Code, w.Body)
	}
	path := strings.TrimPrefix(w.Header().Get("Location"), "http://example.com")
	if w := e.do("", "DELETE", path, "", "Cookie", cookie, "Origin", "https://evil.example", "If-Match", `"v1"`); w.Code != http.StatusForbidden {
		t.Fatalf("a deletion from another site: %d %s", w.Code, w.Body)
	}
	if m := annoDoc(t, e.do("", "GET", container, "")); m["total"] != 1.0 {
		t.Fatalf("after the refusals: %v", m)
	}
}

// BenchmarkManifestWithAndWithoutAnnotations answers an item's manifest to
// an anonymous visitor before and after its canvas holds 1,000 public
// annotations, the same run.
func BenchmarkManifestWithAndWithoutAnnotations(b *testing.B) {
	e := newAnnoEnv(b, 1<<30)
	path := "/iiif/3/manifest/" + e.public
	run := func(b *testing.B, want bool) {
		for range b.N {
			w := e.do("", "GET", path, "")
			if w.Code != 200 || strings.Contains(w.Body.String(), "/annotations/") != want {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	}
	b.Run("none", func(b *testing.B) { run(b, false) })
	for i := range 1000 {
		e.post(b, e.reader, e.public, note(e.public, "public", fmt.Sprint("note ", i)))
	}
	b.Run("1000-public", func(b *testing.B) { run(b, true) })
}
