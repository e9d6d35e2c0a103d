package ingest_test

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ingest"
)

// zipOf writes a zip of name → content.
func zipOf(t *testing.T, path string, files map[string][]byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, b := range files {
		w, _ := zw.Create(name)
		w.Write(b)
	}
	zw.Close()
	f.Close()
}

func TestZippedBagIsCheckedBeforeUnpacking(t *testing.T) {
	dir := t.TempDir()
	// Declares more than the limit: refused, nothing unpacked.
	big := filepath.Join(dir, "big.zip")
	zipOf(t, big, map[string][]byte{"bag/bagit.txt": []byte("BagIt-Version: 1.0\n"), "bag/data/zeros.bin": bytes.Repeat([]byte{0}, 3<<20)})
	_, _, cleanup, err := ingest.Bag(big, ingest.Defaults{Institution: "tu"}, 1<<20)
	cleanup()
	if err == nil || !strings.Contains(err.Error(), "refused before unpacking") {
		t.Fatalf("a bag declaring 3 MiB against a 1 MiB limit: %v", err)
	}
	// A Payload-Oxum the zip does not add up to: refused before unpacking.
	lying := filepath.Join(dir, "lying.zip")
	zipOf(t, lying, map[string][]byte{"bag/bagit.txt": []byte("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"),
		"bag/bag-info.txt": []byte("Payload-Oxum: 5.1\n"), "bag/data/a.txt": []byte("hello, world")})
	_, _, cleanup, err = ingest.Bag(lying, ingest.Defaults{Institution: "tu"}, 1<<30)
	cleanup()
	if err == nil || !strings.Contains(err.Error(), "Payload-Oxum is 5.1 but the zip declares 12.1") {
		t.Fatalf("a bag whose Payload-Oxum does not match: %v", err)
	}
}
