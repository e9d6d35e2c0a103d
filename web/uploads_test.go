package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/ingest/batch"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

type uploadEnv struct {
	url      string
	store    *bolt.Store
	cfg      Config
	batches  batch.Config   // what each start builds the batch service from
	pipeline batch.Ingester // the ingest pipeline on the env's store
	srv      *Server
	svc      *batch.Service
	run      func() // starts the batch service's loops: ingests begin
	stop     func() // ends the running server and the batch service
}

func newUploadEnv(t testing.TB, limit int64) *uploadEnv {
	t.Helper()
	return newUploadEnvWith(t, Config{UploadMax: limit}, batch.Config{})
}

// newUploadEnvWith runs a server with uploads on a new store, from cfg and
// bc with the store, blobs, pipeline and upload folder filled in.
func newUploadEnvWith(t testing.TB, cfg Config, bc batch.Config) *uploadEnv {
	t.Helper()
	e := newIdleUploadEnv(t, cfg, bc)
	e.run()
	return e
}

// newIdleUploadEnv is newUploadEnvWith whose batch service ingests
// nothing until e.run is called, as when every worker is busy.
func newIdleUploadEnv(t testing.TB, cfg Config, bc batch.Config) *uploadEnv {
	t.Helper()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	seedAdmin(t, store)
	cfg.Store, cfg.Blobs, cfg.Hosts, cfg.UploadDir = store, blobs, testHosts, t.TempDir()
	e := &uploadEnv{store: store, cfg: cfg, batches: bc, pipeline: ingest.New(ingest.Config{Store: store, Blobs: blobs, Agent: "web upload"})}
	e.batches.Store, e.batches.Dir = store, cfg.UploadDir
	if e.batches.Pipeline == nil {
		e.batches.Pipeline = e.pipeline
	}
	e.start(t)
	return e
}

// start builds a new batch service and server on the env's store and
// upload folder, as the service does when it starts again; e.run starts
// the batch service's loops.
func (e *uploadEnv) start(t testing.TB) {
	t.Helper()
	svc, err := batch.New(e.batches)
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.cfg
	cfg.Batches = svc
	srv, err := New(withServices(t, cfg))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	run := sync.OnceFunc(func() {
		go func() { svc.Run(ctx); close(ran) }()
	})
	e.url, e.srv, e.svc, e.run = ts.URL, srv, svc, run
	e.stop = sync.OnceFunc(func() {
		ts.Close()
		cancel()
		run() // so that there is a Run to wait for
		<-ran
	})
	t.Cleanup(e.stop)
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
	e.finish(t, e.begin(t, batch, name, data), data)
}

// begin creates an upload and sends the first half of data; it returns the
// upload's path.
func (e *uploadEnv) begin(t *testing.T, batch, name string, data []byte) string {
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
	return path
}

// finish asks for the offset, as a resuming client does, and sends the
// second half of data.
func (e *uploadEnv) finish(t *testing.T, path string, data []byte) {
	t.Helper()
	half := len(data) / 2
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
	var b batchReport
	json.NewDecoder(resp.Body).Decode(&b)
	if resp.StatusCode != http.StatusCreated || b.ID == "" {
		t.Fatalf("create batch: %d", resp.StatusCode)
	}
	return b.ID
}

func (e *uploadEnv) wait(t *testing.T, id string) batchReport {
	t.Helper()
	return e.waitFor(t, id, "done", func(b batchReport) bool { return b.Done })
}

// waitFor polls the batch's report until ok holds, for a minute at most.
func (e *uploadEnv) waitFor(t *testing.T, id, what string, ok func(batchReport) bool) batchReport {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		b := e.report(t, id)
		if ok(b) {
			return b
		}
		time.Sleep(20 * time.Millisecond) // polling with a deadline
	}
	t.Fatalf("batch %s not %s within a minute", id, what)
	return batchReport{}
}

func (e *uploadEnv) report(t *testing.T, id string) batchReport {
	t.Helper()
	var b batchReport
	resp := e.req(t, "GET", "/api/v1/batches/"+id, nil)
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("batch %s report: %d %v", id, resp.StatusCode, err)
	}
	return b
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

// TestRestartResumesInterruptedIngest leaves a batch as a crash does (its
// files "uploaded" or "ingesting", their data on disk, no outcome), starts
// the service again on the same folder and store, and expects the batch to
// finish with its owner's settings.
func TestRestartResumesInterruptedIngest(t *testing.T) {
	for _, tc := range []struct {
		name   string
		group  bool
		status string
	}{
		{"ingesting", false, "ingesting"},
		{"uploaded", false, "uploaded"},
		{"grouped", true, "ingesting"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The first server's batch service does not run, so that it
			// hands nothing to the pipeline before it stops.
			e := newIdleUploadEnv(t, Config{}, batch.Config{})
			id := e.batch(t, fmt.Sprintf(`{"institution":"cmu","expected":2,"group":%t,"title":"ใบลาน","access":{"level":"restricted"}}`, tc.group))
			e.upload(t, id, "a.jpg", jpegBytes(color.RGBA{200, 150, 10, 255}))
			e.upload(t, id, "b.jpg", jpegBytes(color.RGBA{10, 150, 200, 255}))
			e.waitFor(t, id, "uploaded", func(b batchReport) bool { return len(b.Files) == 2 && allStatus(b, "uploaded") })
			e.stop()
			crashed(t, filepath.Join(e.cfg.UploadDir, "batches", id+".json"), tc.status)

			e.start(t)
			e.run()
			b := e.wait(t, id)
			items := map[string]bool{}
			for _, f := range b.Files {
				it, err := e.store.Item(f.Item)
				if err != nil || f.Status != ingest.Ingested || it.Institution != "cmu" || it.Access.Level != "restricted" {
					t.Fatalf("file %+v: item %+v, %v", f, it, err)
				}
				items[it.ID] = true
			}
			if want := map[bool]int{true: 1, false: 2}[tc.group]; len(items) != want {
				t.Fatalf("%d items, want %d: %+v", len(items), want, b.Files)
			}
		})
	}
}

func allStatus(b batchReport, status string) bool {
	for _, f := range b.Files {
		if f.Status != status {
			return false
		}
	}
	return true
}

// crashed rewrites a batch file as a crash during ingest leaves it.
func crashed(t *testing.T, file, status string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var b batch.Batch
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	for _, f := range b.Files {
		f.Status = status
	}
	if data, err = json.Marshal(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestAbandonedUploadsExpire moves the uploads' clock on: an upload idle
// longer than the expiry is removed and its batch closed with a report,
// while one that moved recently can still be finished.
func TestAbandonedUploadsExpire(t *testing.T) {
	start := time.Now()
	var ahead atomic.Int64
	e := newUploadEnvWith(t, Config{}, batch.Config{Expiry: time.Hour, Now: func() time.Time { return start.Add(time.Duration(ahead.Load())) }})
	data := jpegBytes(color.RGBA{30, 200, 30, 255})

	left := e.batch(t, `{"institution":"tu","expected":1}`)
	abandoned := e.begin(t, left, "left.jpg", data)
	empty := e.batch(t, `{"institution":"tu","expected":1}`)
	ahead.Store(int64(50 * time.Minute))
	kept := e.batch(t, `{"institution":"tu","expected":1}`)
	live := e.begin(t, kept, "live.jpg", data)
	ahead.Store(int64(70 * time.Minute))
	e.svc.Sweep()

	id := path.Base(abandoned)
	for _, name := range []string{id, id + ".info"} {
		if _, err := os.Stat(filepath.Join(e.cfg.UploadDir, name)); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("abandoned upload's %s is still there: %v", name, err)
		}
	}
	if r := e.req(t, "HEAD", abandoned, nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("abandoned upload answers %d", r.StatusCode)
	}
	if b := e.report(t, left); !b.Done || !b.Expired || len(b.Files) != 1 || b.Files[0].Status != "expired" || b.Counts["expired"] != 1 {
		t.Fatalf("abandoned batch: %+v", b)
	}
	if b := e.report(t, empty); !b.Done || !b.Expired || len(b.Files) != 0 {
		t.Fatalf("batch that never received a file: %+v", b)
	}
	r := e.req(t, "POST", "/api/v1/uploads/", nil, "Upload-Length", "10", "Upload-Metadata", meta("batch", left, "filename", "late.jpg"))
	if r.StatusCode != http.StatusGone {
		t.Fatalf("upload to an expired batch: %d", r.StatusCode)
	}

	if b := e.report(t, kept); b.Done || b.Expired || b.Files[0].Status != "uploading" {
		t.Fatalf("live batch after the sweep: %+v", b)
	}
	e.finish(t, live, data)
	if b := e.wait(t, kept); b.Counts[ingest.Ingested] != 1 {
		t.Fatalf("live batch: %+v", b)
	}
}

// TestARefusedUploadSaysWhyInThePagesLanguage: the batch's report says a
// refused file's status and reason in the language asked for (the
// uploader asks in its page's), from the kind of refusal, not in the
// command line's English.
func TestARefusedUploadSaysWhyInThePagesLanguage(t *testing.T) {
	e := newUploadEnv(t, 0)
	id := e.batch(t, `{"institution":"tu","expected":2}`)
	e.upload(t, id, "scan-0042.tif", []byte("station,rain\nChiang Mai,12\n"))
	e.upload(t, id, "red.jpg", jpegBytes(color.RGBA{220, 10, 10, 255}))
	e.wait(t, id)
	said := func(lang string) map[string]*fileReport {
		t.Helper()
		var b batchReport
		resp := e.req(t, "GET", "/api/v1/batches/"+id+"?lang="+lang, nil)
		if err := json.NewDecoder(resp.Body).Decode(&b); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("batch report in %s: %d %v", lang, resp.StatusCode, err)
		}
		out := map[string]*fileReport{}
		for _, f := range b.Files {
			out[f.Name] = f
		}
		return out
	}
	th, en := said("th"), said("en")
	bad := th["scan-0042.tif"]
	if bad == nil || bad.Status != ingest.Refused || bad.Label != t2("th", "upload_status_refused") ||
		!strings.Contains(bad.Reason, "scan-0042.tif มีเนื้อหาเป็นข้อความ (text/plain) ไม่ใช่ไฟล์ .tif") || strings.Contains(bad.Reason, "rename") {
		t.Errorf("a refused file on a Thai page: %+v", bad)
	}
	if len(bad.Messages) != 1 || bad.Messages[0].Kind != "mismatched" || !strings.Contains(bad.Error, "rename it, or ingest it with --keep-mismatched") {
		t.Errorf("the outcome lost its kind or its English for the command line: %+v", bad.Outcome)
	}
	if f := en["scan-0042.tif"]; f == nil || !strings.Contains(f.Reason, "is really text (text/plain), not a .tif file") || f.Label != "refused" {
		t.Errorf("a refused file on an English page: %+v", f)
	}
	if good := th["red.jpg"]; good == nil || good.Status != ingest.Ingested || good.Label != t2("th", "upload_status_ingested") || good.Reason != "" {
		t.Errorf("an ingested file on a Thai page: %+v", good)
	}
	// What is kept of the batch says it in no one language.
	data, err := os.ReadFile(filepath.Join(e.cfg.UploadDir, "batches", id+".json"))
	if err != nil || bytes.Contains(data, []byte("มีเนื้อหาเป็น")) || bytes.Contains(data, []byte(`"reason"`)) {
		t.Errorf("the kept batch holds a page's words: %v", err)
	}
}

// TestPlantedUploadRecordNamingAnotherFileIsNotAnUpload: a tus .info
// file put in the upload folder by hand, whose data path names a file
// elsewhere (the data folder's token, say), is neither resumed into its
// batch at the next start nor answered by the tus endpoint.
func TestPlantedUploadRecordNamingAnotherFileIsNotAnUpload(t *testing.T) {
	e := newUploadEnv(t, 0)
	id := e.batch(t, `{"institution":"tu","expected":1}`)
	e.stop()
	secret := filepath.Join(t.TempDir(), "token")
	data := jpegBytes(color.RGBA{5, 5, 5, 255})
	if err := os.WriteFile(secret, data, 0o600); err != nil {
		t.Fatal(err)
	}
	const planted = "0123456789abcdef0123456789abcdef"
	info, _ := json.Marshal(map[string]any{"ID": planted, "Size": len(data), "Offset": len(data),
		"MetaData": map[string]string{"batch": id, "filename": "token.jpg"},
		"Storage":  map[string]string{"Type": "filestore", "Path": secret, "InfoPath": filepath.Join(e.cfg.UploadDir, planted+".info")}})
	if err := os.WriteFile(filepath.Join(e.cfg.UploadDir, planted+".info"), info, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.cfg.UploadDir, planted), nil, 0o600); err != nil {
		t.Fatal(err)
	}

	e.start(t)
	e.run()
	if b := e.report(t, id); len(b.Files) != 0 {
		t.Fatalf("the planted upload was taken into the batch: %+v", b.Files[0])
	}
	if r := e.req(t, "HEAD", "/api/v1/uploads/"+planted, nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("the planted upload answers %d", r.StatusCode)
	}
	if got, err := os.ReadFile(secret); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the file the record named was changed: %v", err)
	}
}

// TestPlantedHardLinkAsUploadDataIsNotAnUpload: an upload record of the
// folder's own, whose data file is a hard link to a file elsewhere (the
// data folder's token, say), is neither resumed into its batch at the next
// start nor answered by the tus endpoint.
func TestPlantedHardLinkAsUploadDataIsNotAnUpload(t *testing.T) {
	e := newUploadEnv(t, 0)
	id := e.batch(t, `{"institution":"tu","expected":1}`)
	e.stop()
	secret := filepath.Join(t.TempDir(), "token")
	data := jpegBytes(color.RGBA{7, 7, 7, 255})
	if err := os.WriteFile(secret, data, 0o600); err != nil {
		t.Fatal(err)
	}
	const planted = "0123456789abcdef0123456789abcdee"
	path, infoPath := filepath.Join(e.cfg.UploadDir, planted), filepath.Join(e.cfg.UploadDir, planted+".info")
	info, _ := json.Marshal(map[string]any{"ID": planted, "Size": len(data), "Offset": len(data),
		"MetaData": map[string]string{"batch": id, "filename": "token.jpg"},
		"Storage":  map[string]string{"Type": "filestore", "Path": path, "InfoPath": infoPath}})
	if err := os.WriteFile(infoPath, info, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(secret, path); err != nil {
		t.Fatal(err)
	}

	e.start(t)
	e.run()
	if b := e.report(t, id); len(b.Files) != 0 {
		t.Fatalf("the hard-linked upload was taken into the batch: %+v", b.Files[0])
	}
	if r := e.req(t, "HEAD", "/api/v1/uploads/"+planted, nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("the hard-linked upload answers %d", r.StatusCode)
	}
	if got, err := os.ReadFile(secret); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the linked file was changed: %v", err)
	}
}

// partial sends data as a partial upload (Upload-Concat: partial) of the
// batch with the bearer token and returns its path.
func (e *uploadEnv) partial(t *testing.T, bearer, batch string, data []byte) string {
	t.Helper()
	resp := e.req(t, "POST", "/api/v1/uploads/", nil, "Authorization", "Bearer "+bearer, "Upload-Concat", "partial",
		"Upload-Length", strconv.Itoa(len(data)), "Upload-Metadata", meta("batch", batch, "filename", "part"))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create partial upload: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	p := loc[strings.Index(loc, "/api/"):]
	if r := e.req(t, "PATCH", p, data, "Authorization", "Bearer "+bearer, "Upload-Offset", "0", "Content-Type", "application/offset+octet-stream"); r.StatusCode != http.StatusNoContent {
		t.Fatalf("partial patch: %d", r.StatusCode)
	}
	return p
}

// TestFinalUploadJoinsOnlyPartialUploadsOfItsOwnBatch: Upload-Concat:
// final naming another person's upload, one of another batch, or a
// whole (not partial) upload is refused; parts of its own batch join into
// one file, ingested once.
func TestFinalUploadJoinsOnlyPartialUploadsOfItsOwnBatch(t *testing.T) {
	e := newUploadEnv(t, 0)
	other := tokenFor(t, e.store, "archivist@cmu.example", "cmu", "archivist", "upload")
	data := jpegBytes(color.RGBA{120, 30, 90, 255})
	mine := e.batch(t, `{"institution":"cmu","expected":1}`)
	first := e.partial(t, token, mine, data[:100])
	second := e.partial(t, token, mine, data[100:])
	elsewhere := e.batch(t, `{"institution":"cmu","expected":1}`)
	wholeData := jpegBytes(color.RGBA{30, 120, 90, 255})
	whole := e.begin(t, elsewhere, "whole.jpg", wholeData)
	e.finish(t, whole, wholeData)

	resp := e.req(t, "POST", "/api/v1/batches", []byte(`{"institution":"cmu","expected":1}`), "Authorization", "Bearer "+other, "Content-Type", "application/json")
	var theirs batchReport
	if err := json.NewDecoder(resp.Body).Decode(&theirs); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("the other archivist's batch: %d %v", resp.StatusCode, err)
	}
	final := func(bearer, batch string, parts ...string) *http.Response {
		t.Helper()
		return e.req(t, "POST", "/api/v1/uploads/", nil, "Authorization", "Bearer "+bearer, "Upload-Concat", "final;"+strings.Join(parts, " "),
			"Upload-Metadata", meta("batch", batch, "filename", "joined.jpg"))
	}
	for _, tc := range []struct {
		name          string
		bearer, batch string
		parts         []string
	}{
		{"another person's parts", other, theirs.ID, []string{first, second}},
		{"parts of another batch", token, elsewhere, []string{first, second}},
		{"a whole upload", token, elsewhere, []string{whole}},
		{"a whole upload of another batch", token, mine, []string{first, whole}},
	} {
		if r := final(tc.bearer, tc.batch, tc.parts...); r.StatusCode != http.StatusForbidden {
			t.Errorf("final upload joining %s: %d", tc.name, r.StatusCode)
		}
	}
	if r := final(token, mine, first, second); r.StatusCode != http.StatusCreated {
		t.Fatalf("final upload joining its own parts: %d", r.StatusCode)
	}
	b := e.wait(t, mine)
	if len(b.Files) != 1 || b.Files[0].Status != ingest.Ingested || b.Files[0].Size != int64(len(data)) {
		t.Fatalf("the joined file: %+v", b.Files[0])
	}
	if b := e.report(t, theirs.ID); len(b.Files) != 0 {
		t.Fatalf("the other archivist's batch holds %+v", b.Files)
	}
}

// TestUploadOfADemotedOrDisabledPersonIsNotIngested: the right to add to
// a library is checked when the files are ingested, not only when the
// batch was made; what arrived after the change is refused, says why in
// both languages, and its data is removed.
func TestUploadOfADemotedOrDisabledPersonIsNotIngested(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*repository.User)
	}{
		{"demoted", func(u *repository.User) { u.Role = "reader" }},
		{"disabled", func(u *repository.User) { u.Disabled = true }},
		{"moved to another library", func(u *repository.User) { u.Institution = "tu" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newIdleUploadEnv(t, Config{}, batch.Config{}) // nothing is ingested until the change is made
			bearer := tokenFor(t, e.store, "archivist@cmu.example", "cmu", "archivist", "upload")
			resp := e.req(t, "POST", "/api/v1/batches", []byte(`{"institution":"cmu","expected":1}`), "Authorization", "Bearer "+bearer, "Content-Type", "application/json")
			var b batchReport
			if err := json.NewDecoder(resp.Body).Decode(&b); err != nil || resp.StatusCode != http.StatusCreated {
				t.Fatalf("batch: %d %v", resp.StatusCode, err)
			}
			data := jpegBytes(color.RGBA{40, 40, 160, 255})
			r := e.req(t, "POST", "/api/v1/uploads/", nil, "Authorization", "Bearer "+bearer, "Upload-Length", strconv.Itoa(len(data)), "Upload-Metadata", meta("batch", b.ID, "filename", "late.jpg"))
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("create upload: %d", r.StatusCode)
			}
			up := r.Header.Get("Location")
			up = up[strings.Index(up, "/api/"):]
			if r := e.req(t, "PATCH", up, data, "Authorization", "Bearer "+bearer, "Upload-Offset", "0", "Content-Type", "application/offset+octet-stream"); r.StatusCode != http.StatusNoContent {
				t.Fatalf("patch: %d", r.StatusCode)
			}
			e.waitFor(t, b.ID, "uploaded", func(b batchReport) bool { return len(b.Files) == 1 && b.Files[0].Status == "uploaded" })
			usr, err := e.store.UserByEmail("archivist@cmu.example")
			if err != nil {
				t.Fatal(err)
			}
			tc.change(usr)
			if err := e.store.SaveUser(context.Background(), usr, "test"); err != nil {
				t.Fatal(err)
			}
			e.run()
			got := e.wait(t, b.ID).Files[0]
			if got.Status != ingest.Refused || got.Item != "" || !strings.Contains(got.Reason, "may no longer add to the items of cmu") {
				t.Fatalf("the file after the change: %+v", got)
			}
			th := e.report(t, b.ID+"?lang=th")
			if !strings.Contains(th.Files[0].Reason, "ไม่มีสิทธิ์เพิ่มรายการของ cmu") {
				t.Errorf("the Thai reason: %q", th.Files[0].Reason)
			}
			sum := sha256.Sum256(data)
			ids, err := e.store.ItemsWithDigest(hex.EncodeToString(sum[:]))
			if err != nil || len(ids) != 0 {
				t.Fatalf("items made: %v %v", ids, err)
			}
			if _, err := os.Stat(filepath.Join(e.cfg.UploadDir, path.Base(up))); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("the refused upload's data is kept: %v", err)
			}
		})
	}
}

// TestOnePersonsUnfinishedBatchesAreBounded: past batch.MaxOpen not
// done, a person's new batch is refused with 429 in the page's language,
// while another person may still make one.
func TestOnePersonsUnfinishedBatchesAreBounded(t *testing.T) {
	e := newUploadEnv(t, 0)
	for range batch.MaxOpen {
		e.batch(t, `{"institution":"tu","expected":1}`)
	}
	r := e.req(t, "POST", "/api/v1/batches?lang=th", []byte(`{"institution":"tu","expected":1}`), "Content-Type", "application/json")
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), fmt.Sprintf("ชุดอัปโหลดที่ยังไม่เสร็จครบ %d ชุด", batch.MaxOpen)) {
		t.Fatalf("batch past the bound: %d %s", r.StatusCode, body)
	}
	other := tokenFor(t, e.store, "archivist@tu.example", "tu", "archivist", "upload")
	if r := e.req(t, "POST", "/api/v1/batches", []byte(`{"institution":"tu","expected":1}`), "Authorization", "Bearer "+other, "Content-Type", "application/json"); r.StatusCode != http.StatusCreated {
		t.Fatalf("another person's batch: %d", r.StatusCode)
	}
	kept, err := os.ReadDir(filepath.Join(e.cfg.UploadDir, "batches"))
	if err != nil || len(kept) != batch.MaxOpen+1 {
		t.Fatalf("%d batches kept (%v), want %d", len(kept), err, batch.MaxOpen+1)
	}
}

// TestFinishedBatchesArePrunedWithWhatTheyKept: a finished batch and an
// abandoned one are kept for the upload expiry, then forgotten with their
// kept state and upload data, so a restart does not bring them back.
func TestFinishedBatchesArePrunedWithWhatTheyKept(t *testing.T) {
	start := time.Now()
	var ahead atomic.Int64
	e := newUploadEnvWith(t, Config{}, batch.Config{Expiry: time.Hour, Now: func() time.Time { return start.Add(time.Duration(ahead.Load())) }})
	done := e.batch(t, `{"institution":"tu","expected":1}`)
	e.upload(t, done, "scan-0042.tif", []byte("station,rain\nChiang Mai,12\n")) // refused: its data is kept
	e.wait(t, done)
	left := e.batch(t, `{"institution":"tu","expected":1}`)
	abandoned := path.Base(e.begin(t, left, "left.jpg", jpegBytes(color.RGBA{9, 9, 9, 255})))
	ahead.Store(int64(90 * time.Minute))
	e.svc.Sweep() // the abandoned batch closes: its report is kept an hour more
	if b := e.report(t, left); !b.Expired {
		t.Fatalf("abandoned batch after the first sweep: %+v", b)
	}
	ahead.Store(int64(3 * time.Hour))
	e.svc.Sweep()
	for _, id := range []string{done, left} {
		if r := e.req(t, "GET", "/api/v1/batches/"+id, nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("batch %s after its report's time: %d", id, r.StatusCode)
		}
		if _, err := os.Stat(filepath.Join(e.cfg.UploadDir, "batches", id+".json")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("batch %s is still kept on disk: %v", id, err)
		}
	}
	entries, err := os.ReadDir(e.cfg.UploadDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if en.Name() != "batches" {
			t.Errorf("upload data left behind: %s (abandoned upload %s)", en.Name(), abandoned)
		}
	}
}

// TestBatchWithAFieldOverItsBoundIsRefused: a batch whose title (or any
// other field a person sends) is over its bound is refused with 400 in the
// page's language, a request over the body's bound with 413, and neither
// leaves a batch behind.
func TestBatchWithAFieldOverItsBoundIsRefused(t *testing.T) {
	e := newUploadEnv(t, 0)
	long := strings.Repeat("ก", batch.MaxTitle+1)
	for _, tc := range []struct {
		name, body, field string
		max               int
	}{
		{"title", `{"institution":"tu","title":"` + long + `"}`, "title", batch.MaxTitle},
		{"collection", `{"institution":"tu","collection":"` + strings.Repeat("c", batch.MaxID+1) + `"}`, "collection", batch.MaxID},
		{"institution", `{"institution":"` + strings.Repeat("i", batch.MaxID+1) + `"}`, "institution", batch.MaxID},
		{"embargo", `{"institution":"tu","access":{"level":"public","embargo":"` + strings.Repeat("2", batch.MaxID+1) + `"}}`, "embargo", batch.MaxID},
		{"meta title", `{"institution":"tu","meta":{"title":{"th":"` + long + `"}}}`, "meta_title", batch.MaxTitle},
	} {
		for _, lang := range []string{"th", "en"} {
			r := e.req(t, "POST", "/api/v1/batches?lang="+lang, []byte(tc.body), "Content-Type", "application/json")
			msg, _ := io.ReadAll(r.Body)
			want := fmt.Sprintf(t2(lang, "upload_batch_too_long"), t2(lang, "upload_field_"+tc.field), tc.max)
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(string(msg), want) {
				t.Errorf("%s over its bound, in %s: %d %q, want %q", tc.name, lang, r.StatusCode, msg, want)
			}
		}
	}
	at := strings.Repeat("ก", batch.MaxTitle)
	if r := e.req(t, "POST", "/api/v1/batches", []byte(`{"institution":"tu","title":"`+at+`"}`), "Content-Type", "application/json"); r.StatusCode != http.StatusCreated {
		t.Errorf("a title of exactly %d characters: %d", batch.MaxTitle, r.StatusCode)
	}
	big := `{"institution":"tu","meta":{"summary":{"en":"` + strings.Repeat("x", maxBatchBody) + `"}}}`
	if r := e.req(t, "POST", "/api/v1/batches?lang=th", []byte(big), "Content-Type", "application/json"); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a request over %d bytes: %d", maxBatchBody, r.StatusCode)
	}
	entries, err := os.ReadDir(filepath.Join(e.cfg.UploadDir, "batches"))
	if err != nil || len(entries) != 1 {
		t.Errorf("batches kept: %d %v, want only the one within bounds", len(entries), err)
	}
}

// TestBatchInAHiddenCollectionIsAnsweredAsOneThatDoesNotExist: a
// collection of another library that the person may not see is answered
// exactly as one that does not exist, in either language.
func TestBatchInAHiddenCollectionIsAnsweredAsOneThatDoesNotExist(t *testing.T) {
	e := newUploadEnv(t, 0)
	other := tokenFor(t, e.store, "archivist@cmu.example", "cmu", "archivist", "upload")
	col := &repository.Collection{ID: "tu-closed", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Closed"},
		Access: repository.Access{Level: repository.Restricted}}
	if err := e.store.SaveCollection(context.Background(), col, "t"); err != nil {
		t.Fatal(err)
	}
	answer := func(lang, id string) (int, string) {
		r := e.req(t, "POST", "/api/v1/batches?lang="+lang, []byte(`{"institution":"cmu","collection":"`+id+`"}`),
			"Authorization", "Bearer "+other, "Content-Type", "application/json")
		msg, _ := io.ReadAll(r.Body)
		return r.StatusCode, strings.ReplaceAll(string(msg), id, "ID")
	}
	for _, lang := range []string{"th", "en"} {
		hs, hidden := answer(lang, col.ID)
		ms, missing := answer(lang, "tu-nothing")
		if hs != http.StatusBadRequest || hs != ms || hidden != missing {
			t.Errorf("in %s, a hidden collection: %d %q; one that does not exist: %d %q", lang, hs, hidden, ms, missing)
		}
	}
	// The library's own staff may see it, and upload into it.
	if r := e.req(t, "POST", "/api/v1/batches", []byte(`{"collection":"tu-closed"}`), "Content-Type", "application/json"); r.StatusCode != http.StatusCreated {
		t.Errorf("the archive's administrator making a batch in the collection: %d", r.StatusCode)
	}
}

// uploadAs makes a batch of one file with the bearer token and sends the
// file whole; it returns the batch's id.
func (e *uploadEnv) uploadAs(t *testing.T, bearer, inst, name string, data []byte) string {
	t.Helper()
	resp := e.req(t, "POST", "/api/v1/batches", []byte(`{"institution":"`+inst+`","expected":1}`), "Authorization", "Bearer "+bearer, "Content-Type", "application/json")
	var b batchReport
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("batch: %d %v", resp.StatusCode, err)
	}
	r := e.req(t, "POST", "/api/v1/uploads/", nil, "Authorization", "Bearer "+bearer, "Upload-Length", strconv.Itoa(len(data)), "Upload-Metadata", meta("batch", b.ID, "filename", name))
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create upload: %d", r.StatusCode)
	}
	up := r.Header.Get("Location")
	up = up[strings.Index(up, "/api/"):]
	if r := e.req(t, "PATCH", up, data, "Authorization", "Bearer "+bearer, "Upload-Offset", "0", "Content-Type", "application/offset+octet-stream"); r.StatusCode != http.StatusNoContent {
		t.Fatalf("patch: %d", r.StatusCode)
	}
	return b.ID
}

// TestOnePersonsLongIngestsLeaveAWorkerForAnotherLibrary: with two
// workers, one archivist's two long files hold one worker, not both, and
// the small file of a person of another library, sent after them, is
// ingested while both long ones are still unfinished.
func TestOnePersonsLongIngestsLeaveAWorkerForAnotherLibrary(t *testing.T) {
	gate := make(chan struct{})
	open := sync.OnceFunc(func() { close(gate) })
	var e *uploadEnv
	e = newUploadEnvWith(t, Config{}, batch.Config{Workers: 2, Pipeline: ingestFunc(func(ctx context.Context, unit ingest.Unit) []ingest.Outcome {
		if strings.HasPrefix(unit.Files[0].Name, "long") { // a long file runs until the test lets it go
			select {
			case <-gate:
			case <-ctx.Done():
			}
		}
		return e.pipeline.Ingest(ctx, unit)
	})})
	t.Cleanup(open)
	tu := tokenFor(t, e.store, "archivist@tu.example", "tu", "archivist", "upload")
	cmu := tokenFor(t, e.store, "archivist@cmu.example", "cmu", "archivist", "upload")
	long := []string{
		e.uploadAs(t, tu, "tu", "long-1.jpg", jpegBytes(color.RGBA{10, 200, 10, 255})),
		e.uploadAs(t, tu, "tu", "long-2.jpg", jpegBytes(color.RGBA{10, 10, 200, 255})),
	}
	statuses := func() []string {
		var s []string
		for _, id := range long {
			if b := e.report(t, id); len(b.Files) == 1 {
				s = append(s, b.Files[0].Status)
			}
		}
		slices.Sort(s)
		return s
	}
	deadline := time.Now().Add(time.Minute)
	for !slices.Equal(statuses(), []string{batch.Ingesting, batch.Uploaded}) {
		if time.Now().After(deadline) {
			t.Fatalf("the long files are %v, want one ingesting and one waiting", statuses())
		}
		time.Sleep(20 * time.Millisecond) // polling with a deadline
	}
	small := e.uploadAs(t, cmu, "cmu", "small.jpg", jpegBytes(color.RGBA{200, 10, 10, 255}))
	if got := e.wait(t, small).Files[0]; got.Status != ingest.Ingested {
		t.Fatalf("the small file of another library: %+v", got)
	}
	if got := statuses(); !slices.Equal(got, []string{batch.Ingesting, batch.Uploaded}) {
		t.Fatalf("the long files were let go before the small file was ingested: %v", got)
	}
	open()
	for _, id := range long {
		if got := e.wait(t, id).Files[0]; got.Status != ingest.Ingested {
			t.Fatalf("a long file once let go: %+v", got)
		}
	}
}

// ingestFunc is a function as the batch service's pipeline.
type ingestFunc func(context.Context, ingest.Unit) []ingest.Outcome

func (f ingestFunc) Ingest(ctx context.Context, u ingest.Unit) []ingest.Outcome { return f(ctx, u) }

// TestUploadProgressShowsWhileAChunkArrives: while one PATCH is still
// sending its data, the batch's report already says how much arrived (a
// long chunk is a sign of life, and the uploader shows its progress).
func TestUploadProgressShowsWhileAChunkArrives(t *testing.T) {
	e := newUploadEnv(t, 0)
	id := e.batch(t, `{"institution":"tu","expected":1}`)
	data := jpegBytes(color.RGBA{90, 90, 200, 255})
	resp := e.req(t, "POST", "/api/v1/uploads/", nil, "Upload-Length", strconv.Itoa(len(data)), "Upload-Metadata", meta("batch", id, "filename", "slow.jpg"))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create upload: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	body, send := io.Pipe()
	r, _ := http.NewRequest("PATCH", e.url+loc[strings.Index(loc, "/api/"):], body)
	r.Header.Set("Authorization", "Bearer "+token)
	r.Header.Set("Tus-Resumable", "1.0.0")
	r.Header.Set("Upload-Offset", "0")
	r.Header.Set("Content-Type", "application/offset+octet-stream")
	patched := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			patched <- 0
			return
		}
		resp.Body.Close()
		patched <- resp.StatusCode
	}()
	half := len(data) / 2
	if _, err := send.Write(data[:half]); err != nil {
		t.Fatal(err)
	}
	// Bytes keep coming, a few at a time, until the report shows them.
	sent := half
	b := e.waitFor(t, id, "showing progress", func(b batchReport) bool {
		if sent < len(data)-1 {
			send.Write(data[sent : sent+1])
			sent++
		}
		return len(b.Files) == 1 && b.Files[0].Received >= int64(half)
	})
	if b.Files[0].Status != batch.Uploading || b.Done {
		t.Fatalf("the upload while its chunk arrives: %+v", b.Files[0])
	}
	send.Write(data[sent:])
	send.Close()
	if st := <-patched; st != http.StatusNoContent {
		t.Fatalf("the patch: %d", st)
	}
	if got := e.wait(t, id).Files[0]; got.Status != ingest.Ingested || got.Received != int64(len(data)) {
		t.Fatalf("the upload once sent: %+v", got)
	}
}
