package ocr_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/ocr/ocrtest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

type env struct {
	store *bolt.Store
	blobs *local.Store
	p     *ingest.Pipeline
	dir   string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return &env{store: store, blobs: blobs, p: ingest.New(ingest.Config{Store: store, Blobs: blobs}), dir: t.TempDir()}
}

// ingestFile puts a file in as an item of the given type, as an archivist would.
func (e *env) ingestFile(t *testing.T, name string, data []byte, typ string) string {
	t.Helper()
	path := filepath.Join(e.dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	outs := e.p.Ingest(context.Background(), ingest.Unit{Files: []ingest.Input{{Path: path, Name: name}},
		Meta: repository.Item{Institution: "cmu", Type: typ, Title: repository.Text{"th": "เอกสาร"}}})
	if len(outs) != 1 || outs[0].Status != ingest.Ingested {
		t.Fatalf("ingest %s: %+v", name, outs)
	}
	return outs[0].Item
}

func pngOf(t *testing.T, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readALTO(t *testing.T, e *env, key string) *ocr.Page {
	t.Helper()
	rc, err := e.blobs.Get(context.Background(), key, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	p, err := ocr.ReadALTO(rc)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A PDF with a text layer is not read by OCR: its words and their places
// come from the layer, in the pixels of each page's canvas.
func TestPDFWithATextLayerUsesItInsteadOfOCR(t *testing.T) {
	ocrtest.Need(t, "pango-view", "pango1.0-tools")
	ocrtest.Need(t, "pdftotext", "poppler-utils")
	e := newEnv(t)
	pdf := filepath.Join(e.dir, "set.pdf")
	out, err := exec.Command("pango-view", "-q", "--font="+ocrtest.Thai, "-o", pdf, "--text=หนังสือเล่มนี้เล่าเรื่องประวัติศาสตร์ของล้านนา\nPrinted in Chiang Mai").CombinedOutput()
	if err != nil {
		t.Fatalf("pango-view: %v %s", err, out)
	}
	data, _ := os.ReadFile(pdf)
	id := e.ingestFile(t, "set.pdf", data, "Text")
	// A runner with a reader that fails: a page read by OCR would fail.
	r := ocr.NewRunner(ocr.Config{Store: e.store, Blobs: e.blobs, TempDir: t.TempDir(), Tesseract: &ocr.Tesseract{Path: "/bin/false"}})
	if err := r.Item(context.Background(), id, nil); err != nil {
		t.Fatal(err)
	}
	it, _ := e.store.Item(id)
	f := it.Files[0]
	if f.Derivatives["alto"] == "" {
		t.Fatalf("no ALTO for the PDF's page: %+v", f.Derivatives)
	}
	p := readALTO(t, e, f.Derivatives["alto"])
	if p.Width != f.Width || !strings.Contains(p.Text(), "Chiang Mai") || !strings.Contains(p.Text(), "ประวัติศาสตร์") {
		t.Fatalf("page %dx%d (canvas %dx%d): %q", p.Width, p.Height, f.Width, f.Height, p.Text())
	}
	for _, l := range p.Lines {
		for _, w := range l.Words {
			if w.Box.X+w.Box.W > f.Width || w.Box.Y+w.Box.H > f.Height || w.Box.W <= 0 {
				t.Errorf("word %q box %+v outside the %dx%d canvas", w.Text, w.Box, f.Width, f.Height)
			}
		}
	}
}

// The runner follows the store: a text item ingested while it runs has its
// pages read in the background and searchable text kept beside them; a
// failure is an event in the item's history and is tried again.
func TestRunnerReadsNewTextItemsAndRetriesAFailure(t *testing.T) {
	ocrtest.Need(t, "tesseract", "tesseract-ocr")
	e := newEnv(t)
	real, _ := exec.LookPath("tesseract")
	// A reader that fails once, then reads as Tesseract does.
	flaky := filepath.Join(t.TempDir(), "tesseract")
	marker := filepath.Join(t.TempDir(), "failed-once")
	script := "#!/bin/sh\ncase \"$1\" in --list-langs) exec " + real + " \"$@\";; esac\n" +
		"if [ ! -e " + marker + " ]; then touch " + marker + "; echo 'Error: simulated failure' >&2; exit 1; fi\nexec " + real + " \"$@\"\n"
	if err := os.WriteFile(flaky, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := ocr.NewRunner(ocr.Config{Store: e.store, Blobs: e.blobs, TempDir: t.TempDir(), RetryAfter: 200 * time.Millisecond,
		Tesseract: &ocr.Tesseract{Path: flaky}})
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	page := ocrtest.Make(t, ocrtest.Page{Lines: []ocrtest.Line{{Font: ocrtest.English, Pieces: []string{"Minutes of the council"}}}})
	photo := e.ingestFile(t, "photo.png", pngOf(t, ocrtest.Make(t, ocrtest.Page{Lines: []ocrtest.Line{{Font: ocrtest.English, Pieces: []string{"A photograph"}}}}).Image), "Image")
	id := e.ingestFile(t, "minutes.png", pngOf(t, page.Image), "Text")
	deadline := time.Now().Add(60 * time.Second)
	var it *repository.Item
	for time.Now().Before(deadline) {
		it, _ = e.store.Item(id)
		if it.Files[0].Derivatives["alto"] != "" {
			break
		}
		time.Sleep(50 * time.Millisecond) // polling with a deadline
	}
	if it.Files[0].Derivatives["alto"] == "" {
		t.Fatalf("the text item's page was not read within a minute (progress %+v)", r.Progress(id))
	}
	rc, err := e.blobs.Get(ctx, it.Files[0].Derivatives["text"], 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	text.ReadFrom(rc)
	rc.Close()
	if !strings.Contains(text.String(), "council") {
		t.Errorf("kept text %q", text.String())
	}
	events, err := e.store.Events(id)
	if err != nil {
		t.Fatal(err)
	}
	var failed, succeeded bool
	for _, ev := range events {
		failed = failed || ev.Type == "derivation" && ev.Outcome == "failure" && strings.Contains(ev.Detail, "simulated failure")
		succeeded = succeeded || ev.Type == "derivation" && ev.Outcome == "success"
	}
	if !failed || !succeeded {
		t.Errorf("history holds no failure then success: %+v", events)
	}
	for r.Progress(id) != nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // the job ends just after its last save
	}
	if p := r.Progress(id); p != nil {
		t.Errorf("progress of a finished item: %+v", p)
	}
	// An image item is not read unless asked for.
	if it, _ := e.store.Item(photo); it.Files[0].Derivatives["alto"] != "" || r.Progress(photo) != nil {
		t.Error("an image item was read without being asked for")
	}
	r.Request(photo)
	for time.Now().Before(deadline) {
		if it, _ := e.store.Item(photo); it.Files[0].Derivatives["alto"] != "" {
			break
		}
		time.Sleep(50 * time.Millisecond) // polling with a deadline
	}
	if it, _ := e.store.Item(photo); it.Files[0].Derivatives["alto"] == "" {
		t.Error("an item asked for was not read")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}
