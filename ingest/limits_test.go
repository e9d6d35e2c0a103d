package ingest_test

import (
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/ingest"
)

// unitOf is a unit of one file of the folder, for the library cmu.
func unitOf(dir, name string) ingest.Unit {
	return ingest.Unit{Files: []ingest.Input{{Path: filepath.Join(dir, name), Name: name}}, Meta: ingest.Defaults{Institution: "cmu"}.Item()}
}

func TestTIFFOfMorePagesThanAPDFMayHaveIsRefused(t *testing.T) {
	dir := t.TempDir()
	colours := make([]color.RGBA, 2001) // one over the PDF's cap
	for i := range colours {
		colours[i] = color.RGBA{uint8(i), 0, 0, 255}
	}
	multiPageTIFF(t, filepath.Join(dir, "ledger.tif"), 1, 1, colours...)
	e := newEnv(t, localBlobs(t))
	o := e.p.Ingest(ctx, unitOf(dir, "ledger.tif"))[0]
	if o.Status != ingest.Refused || o.Item != "" || len(o.Messages) != 1 || o.Messages[0].Kind != "tiff_too_many_pages" ||
		o.Error != "the TIFF has 2001 pages, more than the 2000 one item may show: split it into volumes and ingest each" {
		t.Fatalf("a TIFF of 2001 pages: %+v", o)
	}
	sha := digestOf(t, filepath.Join(dir, "ledger.tif"))
	if _, err := e.blobs.Stat(ctx, ingest.DerivativeKey(sha, "p1.tif")); err == nil {
		t.Errorf("an access copy was made of a TIFF refused for its pages")
	}
}

func TestFileWhoseDerivativesOutlastItsTimeIsRefused(t *testing.T) {
	dir := t.TempDir()
	// A recording whose probe never ends: ffprobe is a program that waits.
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "ffprobe"), []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	os.WriteFile(filepath.Join(dir, "talk.wav"), []byte("RIFF\x24\x00\x00\x00WAVEfmt "), 0o644)
	multiPageTIFF(t, filepath.Join(dir, "ledger.tif"), 64, 64, color.RGBA{1, 2, 3, 255}, color.RGBA{4, 5, 6, 255})
	e := newEnv(t, localBlobs(t), func(c *ingest.Config) { c.FileTimeout = 500 * time.Millisecond })
	start := time.Now()
	o := e.p.Ingest(ctx, unitOf(dir, "talk.wav"))[0]
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("a file held its worker for %s, past its time of 0.5 s", took.Round(time.Second))
	}
	want := "making its access copies took longer than one file may take (0.5 s)"
	if o.Status != ingest.Refused || o.Item != "" || len(o.Messages) != 1 || o.Messages[0].Kind != "too_slow" || !strings.HasPrefix(o.Error, want) {
		t.Errorf("a recording whose probe outlasts its time: %+v; want refused saying %q", o, want)
	}

	// An image stops at its next page once its time is up.
	quick := newEnv(t, localBlobs(t), func(c *ingest.Config) { c.FileTimeout = time.Nanosecond })
	o = quick.p.Ingest(ctx, unitOf(dir, "ledger.tif"))[0]
	if o.Status != ingest.Refused || o.Item != "" || len(o.Messages) != 1 || o.Messages[0].Kind != "too_slow" {
		t.Errorf("a TIFF whose time is up before its first page: %+v", o)
	}
	if ids, err := quick.store.ItemsWithDigest(digestOf(t, filepath.Join(dir, "ledger.tif"))); err != nil || len(ids) != 0 {
		t.Errorf("items holding the refused TIFF: %v %v", ids, err)
	}
	// With the default time, the same TIFF is taken.
	if o := newEnv(t, localBlobs(t)).p.Ingest(ctx, unitOf(dir, "ledger.tif"))[0]; o.Status != ingest.Ingested || len(o.Images) != 2 {
		t.Errorf("the TIFF with its time: %+v", o)
	}
}
