package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/storage/storagetest"
)

type fixture struct {
	srv    *Server
	faulty *storagetest.Faulty
	open   *repository.Item
	closed *repository.Item
	data   []byte
}

const token = "test-token-0123456789"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	lb, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{faulty: &storagetest.Faulty{Blobs: lb}}
	store, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), f.faulty)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f.data = storagetest.Pattern(1, 200_000)
	info := storagetest.MustPut(t, f.faulty, storage.DigestKey(storagetest.Sum(f.data)), f.data)
	file := repository.File{Name: "clip.mp4", SHA256: info.SHA256, Size: info.Size, MediaType: "video/mp4"}
	f.open = &repository.Item{Institution: "tu", Title: repository.Text{"en": "Open"}, Files: []repository.File{file}}
	f.closed = &repository.Item{Institution: "tu", Title: repository.Text{"en": "Closed"}, Files: []repository.File{file}, Access: repository.Access{Level: repository.Restricted}}
	for _, it := range []*repository.Item{f.open, f.closed} {
		if err := store.SaveItem(context.Background(), it, "test"); err != nil {
			t.Fatal(err)
		}
	}
	seedAdmin(t, store)
	srv, err := New(withServices(t, Config{Store: store, Blobs: f.faulty, Hosts: testHosts}))
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	return f
}

func (f *fixture) do(t testing.TB, method, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	return w
}

func TestFileIsServedWithRanges(t *testing.T) {
	f := newFixture(t)
	w := f.do(t, "GET", "/api/v1/items/"+f.open.ID+"/files/1", "Range", "bytes=1000-1999")
	if w.Code != http.StatusPartialContent || !bytes.Equal(w.Body.Bytes(), f.data[1000:2000]) {
		t.Fatalf("range: %d, %d bytes", w.Code, w.Body.Len())
	}
	if got := w.Header().Get("Content-Range"); got != "bytes 1000-1999/200000" {
		t.Fatalf("Content-Range = %q", got)
	}
	w = f.do(t, "GET", "/api/v1/items/"+f.open.ID+"/files/1", "Range", "bytes=-10")
	if !bytes.Equal(w.Body.Bytes(), f.data[len(f.data)-10:]) {
		t.Fatal("suffix range wrong")
	}
	w = f.do(t, "HEAD", "/api/v1/items/"+f.open.ID+"/files/1")
	if w.Code != 200 || w.Header().Get("Content-Length") != "200000" || w.Body.Len() != 0 {
		t.Fatalf("HEAD: %d, length %q, body %d", w.Code, w.Header().Get("Content-Length"), w.Body.Len())
	}
	w = f.do(t, "GET", "/api/v1/items/"+f.open.ID+"/files/1", "Range", "bytes=300000-")
	if w.Code != http.StatusRequestedRangeNotSatisfiable {
		t.Fatalf("range past the end: %d", w.Code)
	}
	for _, p := range []string{"/api/v1/items/" + f.open.ID + "/files/2", "/api/v1/items/" + f.open.ID + "/files/x", "/api/v1/items/nosuchitem", "/api/v1/items/..%2F..%2Fetc"} {
		if w := f.do(t, "GET", p); w.Code != 404 {
			t.Errorf("%s: %d, want 404", p, w.Code)
		}
	}
}

func TestRestrictedItemNeedsToken(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/api/v1/items/" + f.closed.ID, "/api/v1/items/" + f.closed.ID + "/files/1"} {
		// The library does not reveal its restricted items: they do not exist.
		w := f.do(t, "GET", p)
		if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "Closed") {
			t.Errorf("%s anonymously: %d %q", p, w.Code, w.Body.String())
		}
		if w := f.do(t, "GET", p, "Authorization", "Bearer wrong"); w.Code != http.StatusNotFound {
			t.Errorf("%s with a wrong token: %d", p, w.Code)
		}
		if w := f.do(t, "GET", p, "Authorization", "Bearer "+token); w.Code != 200 {
			t.Errorf("%s with the token: %d", p, w.Code)
		}
	}
	if w := f.do(t, "GET", "/api/v1/admin/backup"); w.Code != http.StatusUnauthorized {
		t.Errorf("backup without token: %d", w.Code)
	}
	reveal(t, f.srv.cfg.Store, "tu")
	if w := f.do(t, "GET", "/api/v1/items/"+f.closed.ID); w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "Closed") {
		t.Errorf("revealed restricted item anonymously: %d %q", w.Code, w.Body.String())
	}
}

func TestStorageOutageAnswers503AndRecovers(t *testing.T) {
	f := newFixture(t)
	file := "/api/v1/items/" + f.open.ID + "/files/1"
	if w := f.do(t, "GET", "/readyz"); w.Code != 200 {
		t.Fatalf("readyz before outage: %d %s", w.Code, w.Body)
	}
	f.faulty.SetDown(true)
	w := f.do(t, "GET", "/readyz")
	if w.Code != 503 || !strings.Contains(w.Body.String(), `"storage":"unavailable"`) || strings.Contains(w.Body.String(), "injected") {
		t.Fatalf("readyz during outage: %d %s", w.Code, w.Body)
	}
	w = f.do(t, "GET", file)
	if w.Code != 503 || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "try again") {
		t.Fatalf("file during outage: %d %q", w.Code, w.Body)
	}
	if w := f.do(t, "GET", "/healthz"); w.Code != 200 {
		t.Fatalf("healthz (liveness) during outage: %d", w.Code)
	}
	f.faulty.SetDown(false)
	if w := f.do(t, "GET", "/readyz"); w.Code != 200 {
		t.Fatalf("readyz after outage: %d", w.Code)
	}
	if w := f.do(t, "GET", file); w.Code != 200 || !bytes.Equal(w.Body.Bytes(), f.data) {
		t.Fatalf("file after outage: %d", w.Code)
	}
}

func TestItemETagAnswers304(t *testing.T) {
	f := newFixture(t)
	w := f.do(t, "GET", "/api/v1/items/"+f.open.ID)
	etag := w.Header().Get("ETag")
	if w.Code != 200 || etag == "" {
		t.Fatalf("item: %d etag %q", w.Code, etag)
	}
	if w := f.do(t, "GET", "/api/v1/items/"+f.open.ID, "If-None-Match", etag); w.Code != http.StatusNotModified {
		t.Fatalf("conditional get: %d", w.Code)
	}
}

func TestBackupEndpointStreamsAStore(t *testing.T) {
	f := newFixture(t)
	w := f.do(t, "GET", "/api/v1/admin/backup", "Authorization", "Bearer "+token)
	b, _ := io.ReadAll(w.Body)
	if w.Code != 200 || len(b) < 4096 {
		t.Fatalf("backup: %d, %d bytes", w.Code, len(b))
	}
	// The copy is whole before it is sent, so its length is known.
	if got := w.Header().Get("Content-Length"); got != strconv.Itoa(len(b)) {
		t.Fatalf("backup of %d bytes says Content-Length %q", len(b), got)
	}
}

// A busy image service or search is answered 503 (with Retry-After: 1,
// where the errors are answered).
func TestBusyIsAnswered503(t *testing.T) {
	for _, err := range []error{fmt.Errorf("queue full: %w", fault.Busy), fmt.Errorf("too many searches: %w", fault.Busy)} {
		if Status(err) != http.StatusServiceUnavailable {
			t.Errorf("%v: status %d", err, Status(err))
		}
	}
}
