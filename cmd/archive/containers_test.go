package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// boxesOf reads a library's boxes and their units from the data folder's store.
func boxesOf(t *testing.T, data, institution string) string {
	t.Helper()
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(data, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	list, err := store.ContainersOf(institution)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range list {
		out = append(out, fmt.Sprintf("%s/%s:%d", b.Name(), b.Barcode, b.Units))
	}
	return fmt.Sprint(len(out), out)
}

func TestTheBoxesOfAnImportedFindingAidComeBackWithARebuild(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := []string{"ARCHIVE_DATA=" + data}
	_, errOut, code := archive(t, env, "ingest", "--institution", "cmu", filepath.Join("..", "..", "ead", "testdata", "containers-th.xml"))
	if code != 0 || !strings.Contains(errOut, "8 containers in 3 boxes (3 new)") {
		t.Fatalf("import: %d %s", code, errOut)
	}
	before := boxesOf(t, data, "cmu")
	if before[:1] != "3" {
		t.Fatalf("after the import cmu holds %s", before)
	}
	os.Remove(filepath.Join(data, "archive.db"))
	if out, errOut, code := archive(t, env, "rebuild"); code != 0 {
		t.Fatalf("rebuild: %d %q %q", code, out, errOut)
	}
	if after := boxesOf(t, data, "cmu"); after != before {
		t.Fatalf("after the rebuild cmu holds %s, not %s", after, before)
	}
}
