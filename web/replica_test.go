package web

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// A replica answers reads and refuses every change — signing in, uploads,
// edits — with 405, the methods it allows, and a sentence in the reader's
// language saying where changes are made.
func TestReplicaRefusesChangesInTheReadersLanguage(t *testing.T) {
	blobs, _ := local.Open(t.TempDir())
	writer, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	writer.Close()
	store, err := bolt.OpenReplica(context.Background(), filepath.Join(t.TempDir(), "r.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts, Replica: true}))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{srv: srv}
	for _, c := range []struct{ method, path, accept, want string }{
		{"POST", "/login?lang=th", "text/html", "สำเนาสำหรับอ่านอย่างเดียว"},
		{"POST", "/login?lang=en", "text/html", "read-only copy of the archive"},
		{"POST", "/api/v1/items/b7k2m9q4x1", "", "read-only copy of the archive"},
		{"PATCH", "/api/v1/uploads/abc", "", "read-only copy of the archive"},
		{"DELETE", "/api/v1/uploads/abc", "", "read-only copy of the archive"},
	} {
		w := f.do(t, c.method, c.path, "Accept", c.accept, "Accept-Language", "en")
		if w.Code != http.StatusMethodNotAllowed || !strings.Contains(w.Body.String(), c.want) || w.Header().Get("Allow") != "GET, HEAD, OPTIONS" {
			t.Errorf("%s %s: %d, Allow %q, %s", c.method, c.path, w.Code, w.Header().Get("Allow"), w.Body)
		}
	}
	for _, p := range []string{"/", "/search?q=x", "/libraries/cmu", "/oai?verb=Identify", "/iiif/3/collection/top"} {
		if w := f.do(t, "GET", p); w.Code != http.StatusOK {
			t.Errorf("GET %s on a replica: %d", p, w.Code)
		}
	}
	// The store below refuses too, whatever reaches it.
	if err := store.SaveInstitution(context.Background(), &repository.Institution{ID: "kku", Name: repository.Text{"en": "KKU"}}); Status(err) != http.StatusMethodNotAllowed {
		t.Errorf("a change reaching a replica's store: %v, status %d", err, Status(err))
	}
}
