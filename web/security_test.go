package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/storagetest"
)

func TestCrossLibraryEditsAreRefused(t *testing.T) {
	e := newIIIFEnv(t)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	ctx := context.Background()
	tuItem := &repository.Item{Institution: "tu", Title: repository.Text{"en": "Thammasat letter"}}
	if err := e.store.SaveItem(ctx, tuItem, "t"); err != nil {
		t.Fatal(err)
	}
	addUser(t, e.store, "arch@cmu.example", "cmu", "archivist")
	tok := tokenFor(t, e.store, "script@cmu.example", "cmu", "archivist", "write")

	// The desk, signed in with a session and a valid form.
	client, csrf := signedIn(t, ts.URL, "arch@cmu.example")
	resp, _ := client.PostForm(ts.URL+"/desk/items/"+tuItem.ID, url.Values{"csrf": {csrf}, "version": {"1"}, "title_en": {"Defaced"}, "access": {"public"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("desk edit of a Thammasat item by a Chiang Mai archivist: %d", resp.StatusCode)
	}
	resp, _ = client.PostForm(ts.URL+"/desk/items/"+tuItem.ID+"/withdraw", url.Values{"csrf": {csrf}, "reason": {"mine now"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("desk withdrawal across libraries: %d", resp.StatusCode)
	}
	resp, _ = client.PostForm(ts.URL+"/desk/collections", url.Values{"csrf": {csrf}, "institution": {"tu"}, "level": {"fonds"}, "title_en": {"Stolen"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("desk collection in another library: %d", resp.StatusCode)
	}
	// The API, with a write token.
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/items/"+tuItem.ID, strings.NewReader(`{"version":1,"title":{"en":"Defaced"}}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("API edit across libraries: %d", resp.StatusCode)
	}
	// The upload path: no batch for another library.
	req, _ = http.NewRequest("POST", ts.URL+"/api/v1/batches", strings.NewReader(`{"institution":"tu"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("upload batch into another library: %d", resp.StatusCode)
	}
	if it, _ := e.store.Item(tuItem.ID); it.Title.Get("en") != "Thammasat letter" || it.Deleted || it.Version != 1 {
		t.Fatalf("the Thammasat item changed: %+v", it)
	}
	// The same archivist edits their own library's item.
	req, _ = http.NewRequest("POST", ts.URL+"/api/v1/items/"+strings.TrimSuffix(e.image, "-1"), strings.NewReader(`{"version":1,"title":{"en":"Quadrants, described"}}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != http.StatusOK {
		t.Errorf("API edit in their own library: %d", resp.StatusCode)
	}
}

func TestUploadsBelongToWhoeverMadeTheBatch(t *testing.T) {
	e := newUploadEnv(t, 1<<20)
	other := tokenFor(t, e.store, "other@tu.example", "tu", "archivist", "upload")
	id := e.batch(t, `{"institution":"tu","expected":1}`)
	r := e.req(t, "POST", "/api/v1/uploads/", nil, "Upload-Length", "10", "Upload-Metadata", meta("batch", id, "filename", "a.jpg"))
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create upload: %d", r.StatusCode)
	}
	loc := r.Header.Get("Location")
	// Another archivist of the same library may neither add to the batch nor touch the upload.
	r = e.req(t, "POST", "/api/v1/uploads/", nil, "Authorization", "Bearer "+other, "Upload-Length", "10", "Upload-Metadata", meta("batch", id, "filename", "b.jpg"))
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("upload into someone else's batch: %d", r.StatusCode)
	}
	path := loc[strings.Index(loc, "/api/v1/uploads/"):]
	r = e.req(t, "PATCH", path, []byte("0123456789"), "Authorization", "Bearer "+other, "Upload-Offset", "0", "Content-Type", "application/offset+octet-stream")
	if r.StatusCode != http.StatusNotFound {
		t.Errorf("PATCH to someone else's upload: %d", r.StatusCode)
	}
	r = e.req(t, "GET", "/api/v1/batches/"+id, nil, "Authorization", "Bearer "+other)
	if r.StatusCode != http.StatusOK {
		// Archivists of the batch's library may follow its report.
		t.Errorf("batch report for a colleague: %d", r.StatusCode)
	}
	reader := tokenFor(t, e.store, "reader@tu.example", "tu", "reader", "write")
	if r := e.req(t, "POST", "/api/v1/batches", []byte(`{"institution":"tu"}`), "Authorization", "Bearer "+reader, "Content-Type", "application/json"); r.StatusCode != http.StatusForbidden {
		t.Errorf("a reader made a batch: %d", r.StatusCode)
	}
}

func TestBodiesHostsAndPagesAreBounded(t *testing.T) {
	e := newIIIFEnv(t)
	big := bytes.Repeat([]byte("a"), 2<<20)
	for _, path := range []string{"/login", "/oai", "/desk/users"} {
		r := httptest.NewRequest("POST", path, bytes.NewReader(big))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, r)
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("2 MB body to %s: %d", path, w.Code)
		}
	}
	// A body that lies about its length is cut at the limit all the same.
	r := httptest.NewRequest("POST", "/login", io.MultiReader(bytes.NewReader([]byte("email=")), bytes.NewReader(big)))
	r.ContentLength = -1
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	if w.Code == http.StatusOK || w.Code == http.StatusSeeOther {
		t.Errorf("unbounded chunked body: %d", w.Code)
	}
	// An unknown Host never becomes the address in documents.
	r = httptest.NewRequest("GET", "/iiif/3/manifest/"+strings.TrimSuffix(e.image, "-1"), nil)
	r.Host = "evil.example"
	w = httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	if w.Code != http.StatusMisdirectedRequest || strings.Contains(w.Body.String(), "evil.example/iiif") {
		t.Errorf("manifest for a foreign Host: %d %.200s", w.Code, w.Body)
	}
	for _, p := range []string{"/libraries/cmu?page=9223372036854775807", "/search?q=a&page=99999999999999999999", "/iiif/3/collection/cmu/page/9223372036854775807"} {
		if w := e.do(t, "GET", p); w.Code >= 500 {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
	// Expensive renders are refused before any work: over maxArea, or
	// uncompressed formats at large sizes.
	for _, p := range []string{"full/^8660,5773/0/default.png", "full/^8660,5773/0/default.jpg", "full/^3000,1800/0/default.tif"} {
		if w := e.do(t, "GET", "/iiif/3/"+e.image+"/"+p); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
	// Security headers on every answer, and no internals in any.
	for _, p := range []string{"/", "/readyz", "/iiif/3/" + e.image + "/info.json", "/nosuchpage"} {
		w := e.do(t, "GET", p)
		if w.Header().Get("X-Content-Type-Options") != "nosniff" || strings.Contains(w.Header().Get("Content-Type"), "html") && w.Header().Get("Referrer-Policy") == "" {
			t.Errorf("%s: security headers missing: %v", p, w.Header())
		}
		if strings.Contains(w.Body.String(), "/tmp/") || strings.Contains(w.Body.String(), "goroutine") {
			t.Errorf("%s shows internals: %.300s", p, w.Body)
		}
	}
	if csp := e.do(t, "GET", "/").Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("page CSP: %q", csp)
	}
}

func TestMasterFilesCannotRunAsTheArchive(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	page := []byte("<html><script>alert(document.cookie)</script></html>")
	info := storagetest.MustPut(t, f.faulty, storage.DigestKey(storagetest.Sum(page)), page)
	it := &repository.Item{Institution: "tu", Title: repository.Text{"en": "Page"}, Files: []repository.File{{Name: "x.html", SHA256: info.SHA256, Size: info.Size, MediaType: "text/html"}}}
	if err := f.srv.cfg.Store.SaveItem(ctx, it, "t"); err != nil {
		t.Fatal(err)
	}
	w := f.do(t, "GET", "/api/v1/items/"+it.ID+"/files/1")
	h := w.Header()
	if w.Code != 200 || h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox") ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("an uploaded page is served inline: %d %v", w.Code, h)
	}
	w = f.do(t, "GET", "/api/v1/items/"+f.open.ID+"/files/1")
	if !strings.HasPrefix(w.Header().Get("Content-Disposition"), "inline") || !strings.HasPrefix(w.Header().Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("video master: %v", w.Header())
	}
}

func TestSignInRedirectsOnlyWithinTheArchive(t *testing.T) {
	e := newIIIFEnv(t)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	for next, want := range map[string]string{"/items/x": "/items/x", "/\\evil.example": "/desk", "//evil.example": "/desk",
		"https://evil.example/": "/desk", "/%0d%0aSet-Cookie:x": "/%0d%0aSet-Cookie:x", "javascript:alert(1)": "/desk"} {
		client := &http.Client{Jar: &cookieJar{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.PostForm(ts.URL+"/login", url.Values{"email": {"admin@example.org"}, "password": {password}, "next": {next},
			"csrf": {formToken(t, client, ts.URL+"/login")}})
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != want {
			t.Errorf("next=%q: %d to %q, want %q", next, resp.StatusCode, got, want)
		}
	}
}

func TestAMissingMasterIsNotFoundWithoutInternals(t *testing.T) {
	f := newFixture(t)
	if err := f.faulty.Delete(context.Background(), storage.DigestKey(f.open.Files[0].SHA256)); err != nil {
		t.Fatal(err)
	}
	w := f.do(t, "GET", "/api/v1/items/"+f.open.ID+"/files/1")
	if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "blobs/") || strings.Contains(w.Body.String(), "sha256") {
		t.Fatalf("missing master: %d %q", w.Code, w.Body)
	}
}

func TestLongThinRendersNeitherCrashNorHang(t *testing.T) {
	e := newIIIFEnv(t)
	for p, want := range map[string]int{
		"full/^12000000,1/0/default.jpg": 400, "full/^1,12000000/0/default.jpg": 400,
		"full/^20000,200/45/default.jpg": 400, "full/^60000,40/0/default.jpg": 200, "full/40,60000/0/default.jpg": 400,
	} {
		if w := e.do(t, "GET", "/iiif/3/"+e.image+"/"+p); w.Code != want {
			t.Errorf("%s: %d, want %d", p, w.Code, want)
		}
	}
}

func TestHiddenAndMissingItemsReadTheSame(t *testing.T) {
	f := newFixture(t) // Thammasat hides its restricted items
	for _, p := range []string{"/api/v1/items/%s", "/iiif/3/manifest/%s", "/iiif/3/%s-1/info.json", "/oembed?url=http://example.com/items/%s"} {
		hidden := f.do(t, "GET", fmt.Sprintf(p, f.closed.ID))
		missing := f.do(t, "GET", fmt.Sprintf(p, "zzzzzzzzzz"))
		if hidden.Code != 404 || missing.Code != 404 || hidden.Body.String() != missing.Body.String() {
			t.Errorf("%s: hidden %d %q, missing %d %q", p, hidden.Code, hidden.Body, missing.Code, missing.Body)
		}
	}
}
