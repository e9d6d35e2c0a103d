package ingest_test

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ingest"
)

func TestSheetReadsTheReadingRoomColumnAndRefusesOtherWords(t *testing.T) {
	dir := t.TempDir()
	writeJPEG(t, filepath.Join(dir, "a.jpg"), pattern(40, 40, color.RGBA{9, 9, 9, 255}))
	rows := map[string]bool{"yes": true, " YES ": true, "true": true, "1": true, "ใช่": true, "no": false, "False": false, "0": false, "ไม่ใช่": false, "": false}
	var cells []string
	sheet := "file,title.en,access,readingroom\n"
	for v := range rows {
		cells = append(cells, v)
		sheet += fmt.Sprintf("a.jpg,Row,public,%s\n", v)
	}
	os.WriteFile(filepath.Join(dir, "s.csv"), []byte(sheet), 0o644)
	units, problems, err := ingest.Sheet(filepath.Join(dir, "s.csv"), ingest.Defaults{Institution: "cmu"})
	if err != nil || len(problems) > 0 || len(units) != len(rows) {
		t.Fatalf("sheet: %d units, %v, %v", len(units), problems, err)
	}
	for i, v := range cells {
		if got := units[i].Meta.Access.ReadingRoom; got != rows[v] {
			t.Errorf("readingroom %q: %v, want %v", v, got, rows[v])
		}
	}
	os.WriteFile(filepath.Join(dir, "bad.csv"), []byte("file,readingroom\na.jpg,yes\na.jpg,maybe\n"), 0o644)
	units, problems, err = ingest.Sheet(filepath.Join(dir, "bad.csv"), ingest.Defaults{Institution: "cmu"})
	if err != nil || len(units) != 0 {
		t.Fatalf("a sheet with a bad cell gave %d units, %v", len(units), err)
	}
	if all := fmt.Sprint(problems); !strings.Contains(all, `row 3, column readingroom: readingroom "maybe" is not yes or no (ใช่ or ไม่ใช่)`) || strings.Contains(all, "row 2") {
		t.Errorf("problems: %s", all)
	}
}

func TestDescribeSheetTurnsTheReadingRoomOnAndOff(t *testing.T) {
	e := newDescribeEnv(t)
	cfg := ingest.DescribeConfig{Store: e.store, Principal: cmuArchivist, Agent: "test"}
	on := byRow(ingest.Describe(ctx, cfg, readDescribe(t, writeSheet(t, "item,readingroom\n"+e.scan.ID+",ใช่\n"))))
	if on[2].Status != ingest.Described || !changed(on[2], "readingroom", "false", "true") {
		t.Fatalf("turning it on: %+v", on[2])
	}
	if got, _ := e.store.Item(e.scan.ID); !got.Access.ReadingRoom {
		t.Fatalf("after turning it on: %+v", got.Access)
	}
	// A row that does not give the column leaves it as it is.
	same := byRow(ingest.Describe(ctx, cfg, readDescribe(t, writeSheet(t, "item,title.en\n"+e.scan.ID+",Scan\n"))))
	if got, _ := e.store.Item(e.scan.ID); same[2].Status != ingest.Described || !got.Access.ReadingRoom {
		t.Fatalf("a row without the column: %+v, %+v", same[2], got.Access)
	}
	off := byRow(ingest.Describe(ctx, cfg, readDescribe(t, writeSheet(t, "item,readingroom\n"+e.scan.ID+",no\n"))))
	if off[2].Status != ingest.Described || !changed(off[2], "readingroom", "true", "false") {
		t.Fatalf("turning it off: %+v", off[2])
	}
	if got, _ := e.store.Item(e.scan.ID); got.Access.ReadingRoom {
		t.Fatalf("after turning it off: %+v", got.Access)
	}
}
