package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// seedPDF ingests a PDF with a text layer (set by pango-view) as an item
// whose type is not Text, so that only a request reads its pages.
func seedPDF(t *testing.T, data string, blobs *local.Store, text string) string {
	t.Helper()
	if _, err := exec.LookPath("pango-view"); err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("pango-view is required (ARCHIVE_REQUIRE_TOOLS) but not installed (Debian pango1.0-tools)")
		}
		t.Skip("pango-view not installed (Debian pango1.0-tools)")
	}
	pdf := filepath.Join(t.TempDir(), "letter.pdf")
	if out, err := exec.Command("pango-view", "-q", "--font=Garuda 12", "-o", pdf, "--text="+text).CombinedOutput(); err != nil {
		t.Fatalf("pango-view: %v %s", err, out)
	}
	os.MkdirAll(data, 0o755)
	store, err := bolt.Open(context.Background(), filepath.Join(data, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	outs := ingest.New(ingest.Config{Store: store, Blobs: blobs}).Ingest(context.Background(), ingest.Unit{Files: []ingest.Input{{Path: pdf, Name: "letter.pdf"}},
		Meta: repository.Item{Institution: "tu", Type: "Image", Title: repository.Text{"en": "Letter"}}})
	if outs[0].Status != ingest.Ingested {
		t.Fatalf("ingest: %+v", outs)
	}
	return outs[0].Item
}

func altoOf(t *testing.T, data string, blobs *local.Store, id string) string {
	t.Helper()
	store, err := bolt.Open(context.Background(), filepath.Join(data, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	it, err := store.Item(id)
	if err != nil {
		t.Fatal(err)
	}
	return it.Files[0].Derivatives["alto"]
}

// archive ocr reads the pages of the items named, or hands them to the
// running service, which reads them in the background.
func TestOCRCommandReadsItemsOrAsksTheService(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	first := seedPDF(t, data, blobs, "จดหมายถึงอธิการบดี")
	second := seedPDF(t, data, blobs, "บันทึกการประชุม")
	env := []string{"ARCHIVE_DATA=" + data}
	if _, errOut, code := archive(t, env, "ocr"); code != 2 || !strings.Contains(errOut, "--all") {
		t.Fatalf("ocr without items: %d %q", code, errOut)
	}
	out, errOut, code := archive(t, env, "ocr", first)
	if code != 0 || !strings.Contains(out, first+": 1 page read") {
		t.Fatalf("ocr %s: %d %q %q", first, code, out, errOut)
	}
	if altoOf(t, data, blobs, first) == "" {
		t.Fatal("the item's page has no ALTO")
	}
	// --all reads every item with pages still unread: the second only.
	out, errOut, code = archive(t, env, "ocr", "--all")
	if code != 0 || !strings.Contains(out, second+": 1 page read") || strings.Contains(out, first) || !strings.Contains(out, "1 page of 1 items read") {
		t.Fatalf("ocr --all: %d %q %q", code, out, errOut)
	}
	third := seedPDF(t, data, blobs, "Letter to the rector")
	s := serve(t, env)
	out, errOut, code = archive(t, append(env, "ARCHIVE_ADDR="+s.addr), "ocr", third)
	if code != 0 || !strings.Contains(out, third+": 1 page to read") {
		t.Fatalf("ocr while serving: %d %q %q", code, out, errOut)
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		code, body := s.get(t, "/api/v1/items/"+third+"/files/1/alto")
		if code == 200 && strings.Contains(body, "rector") {
			return
		}
		time.Sleep(100 * time.Millisecond) // polling with a deadline
	}
	t.Fatalf("the service did not read the page asked for within a minute; its log:\n%s", s.logs.String())
}
