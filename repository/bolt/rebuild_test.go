package bolt

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// A rebuild of a few thousand records saved the ordinary way (collections
// of three libraries, items with files, changed and withdrawn ones, people)
// holds exactly the keys and values of every bucket the saves made, and
// says how far it has come, stage by stage, up to the whole.
func TestRebuildOfThousandsOfSavedRecordsHoldsTheSameIndexesAndSaysHowFarItIs(t *testing.T) {
	dir := t.TempDir()
	blobs := &memBlobs{}
	s := openStore(t, filepath.Join(dir, "a.db"), blobs)
	s.db.NoSync = true // a test file: the saves need not reach the disk
	populate(t, s)
	var cols []*repository.Collection
	for i, inst := range []string{"cmu", "tu", "chula", "cmu"} {
		c := &repository.Collection{Institution: inst, Level: repository.Fonds, Title: repository.Text{"th": fmt.Sprintf("ชุดที่ %d", i), "en": fmt.Sprintf("Fonds %d", i)}}
		if err := s.SaveCollection(ctx, c, "tester"); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	const n = 3000
	for i := range n {
		c := cols[i%len(cols)]
		it := &repository.Item{Institution: c.Institution, Collection: c.ID, Title: repository.Text{"th": fmt.Sprintf("เอกสาร %d", i), "en": fmt.Sprintf("Document %d", i)},
			Files: []repository.File{{Name: "p1.tif", SHA256: fmt.Sprintf("%064x", i%700), Size: 10, MediaType: "image/tiff", Width: 100, Height: 80}}}
		if err := s.SaveItem(ctx, it, "tester"); err != nil {
			t.Fatal(err)
		}
		if i%5 == 0 {
			it.Title["en"] += " (revised)"
			if err := s.SaveItem(ctx, it, "tester"); err != nil {
				t.Fatal(err)
			}
		}
		if i%97 == 0 {
			if err := s.Withdraw(ctx, it.ID, "tester", "a duplicate"); err != nil {
				t.Fatal(err)
			}
		}
	}
	var before bytes.Buffer
	if err := s.Dump(&before); err != nil {
		t.Fatal(err)
	}
	s.Close()
	var seen []Progress
	counts, err := RebuildWith(ctx, filepath.Join(dir, "b.db"), blobs, false, Options{Progress: func(p Progress) { seen = append(seen, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if counts.Items != n+6 {
		t.Fatalf("rebuilt %d items, want %d", counts.Items, n+6)
	}
	r := openStore(t, filepath.Join(dir, "b.db"), blobs)
	var after bytes.Buffer
	if err := r.Dump(&after); err != nil {
		t.Fatal(err)
	}
	if before.String() != after.String() {
		a, b := strings.Split(before.String(), "\n"), strings.Split(after.String(), "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("the rebuilt store differs from the saved one at line %d of %d/%d:\n%.300s\nvs\n%.300s", i, len(a), len(b), a[i], b[i])
			}
		}
		t.Fatalf("the rebuilt store has %d lines, the saved one %d", len(b), len(a))
	}
	if !strings.Contains(after.String(), "ix_activity ") {
		t.Fatal("the dump holds no activity index")
	}
	// Each stage ends whole, in order, and never goes back.
	ends := map[string]Progress{}
	var order []string
	for i, p := range seen {
		if i > 0 && seen[i-1].Stage == p.Stage && p.Done < seen[i-1].Done {
			t.Fatalf("progress went back: %v after %v", p, seen[i-1])
		}
		if len(order) == 0 || order[len(order)-1] != p.Stage {
			order = append(order, p.Stage)
		}
		ends[p.Stage] = p
	}
	if strings.Join(order, " ") != StageListing+" "+StageRecords+" "+StageActivity {
		t.Fatalf("stages %v", order)
	}
	for _, st := range []string{StageRecords, StageActivity} {
		if e := ends[st]; e.Done != e.Total || e.Total == 0 {
			t.Fatalf("stage %s ended at %d of %d", st, e.Done, e.Total)
		}
	}
	if recs := ends[StageRecords]; recs.Total < n || len(seen) < 4 {
		t.Fatalf("%d records in %d reports of progress", recs.Total, len(seen))
	}
}
