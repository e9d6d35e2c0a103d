package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// While the service starts, /healthz is alive, /readyz is 503 and says
// "starting", then "rebuilding" with how far the rebuild has come, and any
// other request is 503 with Retry-After and a sentence in the reader's
// language; nothing of it is kept by a cache. Once ready, every request
// goes to the service.
func TestStartingAnswersHealthReadinessWithProgressAndRetryAfterUntilReady(t *testing.T) {
	var s Starting
	get := func(path, lang string) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest("GET", path, nil)
		if lang != "" {
			r.Header.Set("Accept-Language", lang)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if cc := w.Header().Get("Cache-Control"); cc != "no-store" && w.Code != http.StatusTeapot {
			t.Fatalf("%s: Cache-Control %q", path, cc)
		}
		return w
	}
	if w := get("/healthz", ""); w.Code != 200 || w.Body.String() != "ok\n" {
		t.Fatalf("healthz while starting: %d %q", w.Code, w.Body)
	}
	if w := get("/readyz", ""); w.Code != 503 || !strings.Contains(w.Body.String(), `"metadata":"starting"`) {
		t.Fatalf("readyz while starting: %d %q", w.Code, w.Body)
	}
	if w := get("/items/abc", ""); w.Code != 503 || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "starting") {
		t.Fatalf("a page while starting: %d %v %q", w.Code, w.Header(), w.Body)
	}
	s.Rebuilding("records", 5000, 20000)
	w := get("/readyz", "")
	var ready struct {
		Metadata, Stage string
		Done, Total     int
	}
	if err := json.Unmarshal(w.Body.Bytes(), &ready); err != nil || w.Code != 503 || ready.Metadata != "rebuilding" || ready.Stage != "records" || ready.Done != 5000 || ready.Total != 20000 {
		t.Fatalf("readyz while rebuilding: %d %q (%v)", w.Code, w.Body, err)
	}
	if w := get("/iiif/3/abc/info.json", "en"); w.Code != 503 || !strings.Contains(w.Body.String(), "reading the records: 25% done") {
		t.Fatalf("an English request while rebuilding: %d %q", w.Code, w.Body)
	}
	if w := get("/", "th-TH"); w.Code != 503 || !strings.Contains(w.Body.String(), "ขั้นอ่านระเบียน เสร็จแล้ว 25%") || w.Header().Get("Content-Language") != "th" {
		t.Fatalf("a Thai request while rebuilding: %d %q", w.Code, w.Body)
	}
	s.Ready(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }), nil)
	for _, p := range []string{"/healthz", "/readyz", "/items/abc"} {
		if w := get(p, ""); w.Code != http.StatusTeapot {
			t.Fatalf("%s once ready: %d, not the service's answer", p, w.Code)
		}
	}
}
