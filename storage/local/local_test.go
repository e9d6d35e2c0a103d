package local_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Blobs {
		s, err := local.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestPutLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	storagetest.MustPut(t, s, "x/y", []byte("hello"))
	left, _ := os.ReadDir(filepath.Join(dir, ".tmp"))
	if len(left) != 0 {
		t.Fatalf("%d temporary files left after a put", len(left))
	}
	if b, err := os.ReadFile(filepath.Join(dir, "x", "y")); err != nil || string(b) != "hello" {
		t.Fatalf("blob on disk: %q, %v", b, err)
	}
}

func TestOpenRefusesReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		// root writes anywhere; use a path under a file instead.
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o644)
		if _, err := local.Open(filepath.Join(f, "blobs")); err == nil {
			t.Fatal("opened a blob folder under a regular file")
		}
		return
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o555)
	if _, err := local.Open(filepath.Join(dir, "blobs")); err == nil {
		t.Fatal("opened a blob folder in a read-only folder")
	}
}

func BenchmarkLocal(b *testing.B) {
	s, err := local.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	storagetest.Bench(b, s)
}
