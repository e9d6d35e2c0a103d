package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage/local"
)

type uploadEnv struct {
	url   string
	store *repository.Store
}

func newUploadEnv(t *testing.T, limit int64) *uploadEnv {
	t.Helper()
	blobs, _ := local.Open(t.TempDir())
	store, err := repository.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	seedAdmin(t, store)
	srv, err := New(ctx, Config{Store: store, Blobs: blobs, Hosts: testHosts, UploadDir: t.TempDir(), UploadMax: limit,
		Ingest: ingest.New(ingest.Config{Store: store, Blobs: blobs, Agent: "web upload"})})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &uploadEnv{url: ts.URL, store: store}
}

func (e *uploadEnv) req(t *testing.T, method, path string, body []byte, hdr ...string) *http.Response {
	t.Helper()
	r, _ := http.NewRequest(method, e.url+path, bytes.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+token)
	r.Header.Set("Tus-Resumable", "1.0.0")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			r.Header.Del(hdr[i])
			continue
		}
		r.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func meta(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, kv[i]+" "+base64.StdEncoding.EncodeToString([]byte(kv[i+1])))
	}
	return strings.Join(parts, ",")
}

func jpegBytes(c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, nil)
	return b.Bytes()
}

// upload sends data with the tus protocol in two PATCHes, asking the server
// for the offset in between as a resuming client does.
func (e *uploadEnv) upload(t *testing.T, batch, name string, data []byte) {
	t.Helper()
	resp := e.req(t, "POST", "/api/v1/uploads/", nil, "Upload-Length", strconv.Itoa(len(data)), "Upload-Metadata", meta("batch", batch, "filename", name))
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("create upload: %d %s", resp.StatusCode, b)
	}
	loc := resp.Header.Get("Location")
	path := loc[strings.Index(loc, "/api/"):]
	half := len(data) / 2
	if r := e.req(t, "PATCH", path, data[:half], "Upload-Offset", "0", "Content-Type", "application/offset+octet-stream"); r.StatusCode != http.StatusNoContent {
		t.Fatalf("first patch: %d", r.StatusCode)
	}
	head := e.req(t, "HEAD", path, nil)
	if head.Header.Get("Upload-Offset") != strconv.Itoa(half) {
		t.Fatalf("offset after first half: %q", head.Header.Get("Upload-Offset"))
	}
	if r := e.req(t, "PATCH", path, data[half:], "Upload-Offset", strconv.Itoa(half), "Content-Type", "application/offset+octet-stream"); r.StatusCode != http.StatusNoContent {
		t.Fatalf("second patch: %d", r.StatusCode)
	}
}

func (e *uploadEnv) batch(t *testing.T, body string) string {
	t.Helper()
	resp := e.req(t, "POST", "/api/v1/batches", []byte(body), "Content-Type", "application/json")
	var b Batch
	json.NewDecoder(resp.Body).Decode(&b)
	if resp.StatusCode != http.StatusCreated || b.ID == "" {
		t.Fatalf("create batch: %d", resp.StatusCode)
	}
	return b.ID
}

func (e *uploadEnv) wait(t *testing.T, id string) Batch {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var b Batch
		resp := e.req(t, "GET", "/api/v1/batches/"+id, nil)
		json.NewDecoder(resp.Body).Decode(&b)
		if b.Done {
			return b
		}
		time.Sleep(20 * time.Millisecond) // polling with a deadline
	}
	t.Fatal("batch not done within a minute")
	return Batch{}
}

func TestResumableUploadsAreIngested(t *testing.T) {
	e := newUploadEnv(t, 0)
	id := e.batch(t, `{"institution":"chula","expected":2}`)
	e.upload(t, id, "red.jpg", jpegBytes(color.RGBA{220, 10, 10, 255}))
	e.upload(t, id, "blue.jpg", jpegBytes(color.RGBA{10, 10, 220, 255}))
	b := e.wait(t, id)
	if len(b.Files) != 2 || b.Counts[ingest.Ingested] != 2 {
		t.Fatalf("batch: %+v", b)
	}
	for _, f := range b.Files {
		it, err := e.store.Item(f.Item)
		if err != nil || it.Institution != "chula" || f.Received != f.Size || len(f.Images) != 1 {
			t.Fatalf("file %+v: item %+v, %v", f, it, err)
		}
	}
}

func TestGroupedUploadMakesOneItem(t *testing.T) {
	e := newUploadEnv(t, 0)
	id := e.batch(t, `{"institution":"tu","expected":2,"group":true,"title":"จดหมาย","access":{"level":"restricted"}}`)
	e.upload(t, id, "p1.jpg", jpegBytes(color.RGBA{1, 100, 1, 255}))
	e.upload(t, id, "p2.jpg", jpegBytes(color.RGBA{100, 1, 1, 255}))
	b := e.wait(t, id)
	it, err := e.store.Item(b.Files[0].Item)
	if err != nil || len(it.Files) != 2 || it.Title["none"] != "จดหมาย" || b.Files[1].Item != it.ID || it.Access.Level != "restricted" {
		t.Fatalf("grouped item: %+v %v", it, err)
	}
}

func TestUploadsAreGuarded(t *testing.T) {
	e := newUploadEnv(t, 1000)
	if r := e.req(t, "POST", "/api/v1/uploads/", nil, "Authorization", "", "Upload-Length", "10"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("upload without token: %d", r.StatusCode)
	}
	if r := e.req(t, "POST", "/api/v1/batches", []byte(`{"institution":"mit"}`)); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("batch for an unknown library: %d", r.StatusCode)
	}
	r := e.req(t, "POST", "/api/v1/uploads/", nil, "Upload-Length", "10", "Upload-Metadata", meta("filename", "x.jpg"))
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "create a batch first") {
		t.Fatalf("upload without batch: %d %s", r.StatusCode, b)
	}
	id := e.batch(t, `{"institution":"tu","expected":1}`)
	r = e.req(t, "POST", "/api/v1/uploads/", nil, "Upload-Length", "5000", "Upload-Metadata", meta("batch", id, "filename", "big.jpg"))
	if r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("upload over the limit: %d", r.StatusCode)
	}
	if r := e.req(t, "GET", "/api/v1/batches/"+id, nil, "Authorization", ""); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("batch report without token: %d", r.StatusCode)
	}
	_ = fmt.Sprint
}
