package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/thaiarchives/archive/ingest"
)

func TestIngestReportNeutralisesCellsASpreadsheetReadsAsFormulas(t *testing.T) {
	names := []string{`=HYPERLINK("http://evil.example","x").tif`, "+1+cmd.tif", "-2+3.tif", "@SUM(A1).tif", "\t=1.tif", "\r=1.tif", "scan-0001.tif"}
	var outs []ingest.Outcome
	for _, n := range names {
		outs = append(outs, ingest.Outcome{File: n, Status: ingest.Refused, Error: n + " is damaged", Images: []string{n}})
	}
	p := filepath.Join(t.TempDir(), "report.csv")
	if err := writeReport(p, outs); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(names)+1 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, n := range names {
		row := rows[i+1]
		want := "'" + n
		if n == "scan-0001.tif" {
			want = n
		}
		// file, images and error all start with the name.
		for _, col := range []int{0, 3} {
			if row[col] != want {
				t.Errorf("column %d of %q is %q, want %q", col, n, row[col], want)
			}
		}
		if row[5] != want+" is damaged" {
			t.Errorf("error of %q is %q", n, row[5])
		}
	}
}
