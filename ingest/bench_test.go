package ingest

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/thaiarchives/archive/pyramid"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/vips"
)

// BenchmarkPyramidFromTIFF makes the access copy of an 8000×6000 RGB TIFF
// (decode, every level's JPEG tiles, repacking, thumbnail; bench/ingest.sh
// makes the master; set ARCHIVE_BENCH_TIFF).
func BenchmarkPyramidFromTIFF(b *testing.B) {
	path := os.Getenv("ARCHIVE_BENCH_TIFF")
	if path == "" {
		path = "/tmp/archive-bench/master.tif"
	}
	if _, err := os.Stat(path); err != nil {
		b.Skip("no benchmark master: run bench/ingest.sh once")
	}
	for b.Loop() {
		if _, err := makeAccess(context.Background(), io.Discard, path, "image/tiff", 0, DefaultMaxPixels); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(48*float64(b.N)/b.Elapsed().Seconds(), "MP/s")
}

// BenchmarkPyramidGoWriterFromLibvips is the alternative to makeAccess that
// was measured and not chosen: libvips decodes and converts the master whole
// into Go memory, and package pyramid's own writer (Go's JPEG encoder)
// makes the pyramid.
func BenchmarkPyramidGoWriterFromLibvips(b *testing.B) {
	path := os.Getenv("ARCHIVE_BENCH_TIFF")
	if path == "" {
		path = "/tmp/archive-bench/master.tif"
	}
	if _, err := os.Stat(path); err != nil {
		b.Skip("no benchmark master: run bench/ingest.sh once")
	}
	for b.Loop() {
		im, err := vips.Open(path, vips.OpenOptions{Sequential: true})
		if err != nil {
			b.Fatal(err)
		}
		acc, err := im.Access(0, 0)
		if err != nil {
			b.Fatal(err)
		}
		img, err := acc.RGBA()
		acc.Close()
		im.Close()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := pyramid.Write(context.Background(), io.Discard, img, pyramid.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(48*float64(b.N)/b.Elapsed().Seconds(), "MP/s")
}

// BenchmarkIngestSmallJPEGs runs the whole pipeline over the benchmark's
// 1600×1200 JPEGs (bench/ingest.sh makes them), into a local store.
func BenchmarkIngestSmallJPEGs(b *testing.B) {
	dir := "/tmp/archive-bench/small"
	if _, err := os.Stat(dir); err != nil {
		b.Skip("no benchmark images: run bench/ingest.sh once")
	}
	for b.Loop() {
		b.StopTimer()
		blobs, _ := local.Open(b.TempDir())
		store, err := bolt.Open(context.Background(), b.TempDir()+"/a.db", blobs)
		if err != nil {
			b.Fatal(err)
		}
		units, _, _ := Folder(dir, Defaults{Institution: "cmu"}, false)
		p := New(Config{Store: store, Blobs: blobs})
		b.StartTimer()
		p.Run(context.Background(), units[:40], func(o Outcome) {
			if o.Status != Ingested {
				b.Fatal(o)
			}
		})
		store.Close()
	}
	b.ReportMetric(40*1.92*float64(b.N)/b.Elapsed().Seconds(), "MP/s")
}
