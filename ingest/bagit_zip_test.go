package ingest_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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

// TestZippedAndTarredConformanceBagsAreReadAsTheFolders: a bag in a .zip
// or .tar.gz is read as the folder is, its tag file encoding and its
// warnings too.
func TestZippedAndTarredConformanceBagsAreReadAsTheFolders(t *testing.T) {
	suite := filepath.Join("testdata", "bagit-conformance", "v0.97")
	pack := func(bag string) map[string][]byte {
		files := map[string][]byte{}
		filepath.WalkDir(filepath.Join(suite, bag), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(filepath.Join(suite, filepath.Dir(bag)), p)
				b, _ := os.ReadFile(p)
				files[filepath.ToSlash(rel)] = b
			}
			return nil
		})
		return files
	}
	dir := t.TempDir()
	zipped := filepath.Join(dir, "utf16.zip")
	zipOf(t, zipped, pack("valid/UTF-16-encoded-tag-files"))
	units, problems, cleanup, err := ingest.Bag(zipped, ingest.Defaults{Institution: "tu"}, 1<<20)
	cleanup()
	if err != nil || len(problems) > 0 || len(units) != 2 || units[0].Meta.Title["none"] != "หนังสือสมุดไทย" {
		t.Fatalf("zipped UTF-16 bag: %d units, %v, %v", len(units), problems, err)
	}
	tarred := filepath.Join(dir, "system.tar.gz")
	tarOf(t, tarred, pack("warning/special-system-files"))
	units, problems, cleanup, err = ingest.Bag(tarred, ingest.Defaults{Institution: "tu"}, 1<<20)
	cleanup()
	if err != nil || len(problems) > 0 || len(units) != 1 || units[0].Files[0].Name != "hello.txt" {
		t.Fatalf("tarred bag with .DS_Store: %d units, %v, %v", len(units), problems, err)
	}
	if !slices.ContainsFunc(units[0].Notes, func(m ingest.Message) bool { return m.Kind == "bag_system_file" }) {
		t.Errorf("tarred bag's warning lost: %v", units[0].Notes)
	}
}

// tarOf writes a .tar.gz of name → content.
func tarOf(t *testing.T, path string, files map[string][]byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	for name, b := range files {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg})
		tw.Write(b)
	}
	if err := errors.Join(tw.Close(), gz.Close(), f.Close()); err != nil {
		t.Fatal(err)
	}
}
