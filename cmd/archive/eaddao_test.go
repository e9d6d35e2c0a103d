package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// TestIngestingAFindingAidAgainAttachesTheItemsItsFilesAlreadyAre: the
// second import of a finding aid with the same scan beside it does not
// ingest the scan again: the item it already is moves to the new tree.
func TestIngestingAFindingAidAgainAttachesTheItemsItsFilesAlreadyAre(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	makeImages(t, filepath.Join(root, "aid", "scans"), 1, 120, 90)
	doc := filepath.Join(root, "aid", "arts.xml")
	if err := os.WriteFile(doc, []byte(findingAid), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"ARCHIVE_DATA=" + data}
	for i, want := range []string{"the file scans/scan000.jpg is ingested as a new item of the unit", "(same SHA-256): attached to the unit, not ingested again"} {
		_, errOut, code := archive(t, env, "ingest", "--institution", "chula", doc)
		if code != 0 || !strings.Contains(errOut, want) {
			t.Fatalf("import %d: exit %d, want %q:\n%s", i+1, code, want, errOut)
		}
	}
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(data, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cols, err := store.Children("")
	if err != nil || len(cols) != 2 {
		t.Fatalf("top-level units: %v, %v; want two imports", cols, err)
	}
	var held []int
	for _, c := range cols {
		tr, err := store.Tree(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		tr.Walk(func(n *repository.Node) bool {
			if n.Level == repository.FileLevel {
				held = append(held, len(n.Items))
			}
			return true
		})
	}
	if len(held) != 2 || held[0] != 0 || held[1] != 1 {
		t.Errorf("the files of the first and second import hold %v items, want the one item in the second only", held)
	}
}
