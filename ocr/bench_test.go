package ocr_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/ocr/ocrtest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// BenchmarkOCRPagesPerMinute reads an item of four pages (A5 on its side
// at 300 dpi, 9 lines each of Thai and English, one page turned 1°, one
// noisy) from their access copies, as the runner does in the service, with
// a Tesseract per core; it reports pages a minute.
func BenchmarkOCRPagesPerMinute(b *testing.B) {
	ocrtest.Need(b, "tesseract", "tesseract-ocr")
	blobs, err := local.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(b.TempDir(), "a.db"), blobs)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	dir := b.TempDir()
	text := append(lines(ocrtest.Thai, thaiLines), lines(ocrtest.English, englishLines)...)
	var files []ingest.Input
	for i, pg := range []ocrtest.Page{{Lines: text}, {Lines: text, Rotate: 1}, {Lines: text, Noise: 0.005, Seed: 4}, {Lines: text[1:]}} {
		made := ocrtest.Make(b, pg)
		path := filepath.Join(dir, string(rune('a'+i))+".png")
		if err := os.WriteFile(path, ocrtest.PNG(b, made.Image), 0o644); err != nil {
			b.Fatal(err)
		}
		files = append(files, ingest.Input{Path: path, Name: filepath.Base(path)})
	}
	outs := ingest.New(ingest.Config{Store: store, Blobs: blobs}).Ingest(context.Background(), ingest.Unit{Files: files,
		Meta: repository.Item{Institution: "cmu", Type: "Text", Title: repository.Text{"en": "Bench"}}})
	if outs[0].Status != ingest.Ingested {
		b.Fatalf("ingest: %+v", outs)
	}
	id := outs[0].Item
	r := ocr.NewRunner(ocr.Config{Store: store, Blobs: blobs, TempDir: b.TempDir()})
	pages := 0
	var spent time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		it, err := store.Item(id)
		if err != nil {
			b.Fatal(err)
		}
		for i := range it.Files {
			delete(it.Files[i].Derivatives, "alto")
		}
		if err := store.SaveItem(context.Background(), it, "bench"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if err := r.Item(context.Background(), id, nil); err != nil {
			b.Fatal(err)
		}
		spent += time.Since(start)
		pages += len(it.Files)
	}
	b.ReportMetric(float64(pages)/spent.Minutes(), "pages/min")
}
