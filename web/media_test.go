package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/ingest/batch"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
)

func TestRecordingWaitsForItsCopyThenPlaysFromIt(t *testing.T) {
	ctx := context.Background()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	master := []byte("RIFF....WAVE stands in for a recording")
	sum := sha256.Sum256(master)
	info, err := blobs.Put(ctx, storage.DigestKey(hex.EncodeToString(sum[:])), bytes.NewReader(master), storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	it := &repository.Item{Institution: "tu", Title: repository.Text{"en": "Talk"}, Type: ingest.KindSound, Access: repository.Access{Level: repository.Public},
		Files: []repository.File{{Name: "talk.wav", SHA256: info.SHA256, Size: info.Size, MediaType: "audio/wav", Duration: 3}}}
	if err := store.SaveItem(ctx, it, "test"); err != nil {
		t.Fatal(err)
	}
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts}))
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w
	}
	report := func(lang string) *copyProgress {
		b := said("en", &batch.Batch{Files: []*batch.File{{Name: "talk.wav", Outcome: ingest.Outcome{Status: ingest.Ingested, Item: it.ID}}}})
		srv.batchCopies(lang, b)
		return b.Files[0].Copy
	}

	// Before the copy is made: the report and the page say it is awaited,
	// and there is nothing to play.
	if c := report("th"); c == nil || c.State != ingest.JobWaiting || c.Said != t2("th", "copy_waiting") {
		t.Fatalf("report while waiting: %+v", c)
	}
	page := get("/items/"+it.ID+"?lang=en", "Accept-Language", "en").Body.String()
	if !strings.Contains(page, t2("en", "copy_waiting")) || strings.Contains(page, "<audio") {
		t.Fatalf("item page while waiting:\n%s", page)
	}
	if w := get("/api/v1/items/" + it.ID + "/files/1/web"); w.Code != http.StatusNotFound {
		t.Fatalf("copy while waiting: %d", w.Code)
	}

	// Once made, the page plays the copy, served with byte ranges.
	copyBytes := []byte("....ftypM4A  an AAC copy")
	key := ingest.DerivativeKey(info.SHA256, "web.m4a")
	if _, err := blobs.Put(ctx, key, bytes.NewReader(copyBytes), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	it.Files[0].Web = &repository.WebCopy{MediaType: "audio/mp4", Duration: 3}
	it.Files[0].Derivatives = map[string]string{"web": key}
	if err := store.SaveItem(ctx, it, "test"); err != nil {
		t.Fatal(err)
	}
	if c := report("en"); c == nil || c.State != "ready" || c.Said != t2("en", "copy_ready") {
		t.Fatalf("report when ready: %+v", c)
	}
	page = get("/items/" + it.ID + "?lang=en").Body.String()
	if !strings.Contains(page, `<audio controls preload="metadata" src="http://example.com/api/v1/items/`+it.ID+`/files/1/web">`) {
		t.Fatalf("item page has no player of the copy:\n%s", page)
	}
	w := get("/api/v1/items/"+it.ID+"/files/1/web", "Range", "bytes=4-11")
	if w.Code != http.StatusPartialContent || w.Header().Get("Content-Type") != "audio/mp4" || w.Body.String() != "ftypM4A " {
		t.Fatalf("ranged copy: %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	// The master is still the master.
	if w := get("/api/v1/items/" + it.ID + "/files/1"); w.Body.String() != string(master) {
		t.Fatalf("master: %q", w.Body.String())
	}
}
