package ingest_test

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/ingest"
)

// bombWorkbook writes an .xlsx whose first worksheet is the header row
// then rows written by body, and whose shared strings are written by sst
// (none when nil): both streamed into the zip, so that a part of hundreds of
// megabytes becomes a file of a few hundred kilobytes.
func bombWorkbook(t *testing.T, body, sst func(w io.Writer)) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bomb.xlsx")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(f)
	part := func(name, text string, more func(io.Writer), tail string) {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, text)
		if more != nil {
			more(w)
		}
		io.WriteString(w, tail)
	}
	sstType := ""
	if sst != nil {
		sstType = `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
	}
	part("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>`+
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`+
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`+sstType+`</Types>`, nil, "")
	part("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`, nil, "")
	rels := `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	if sst != nil {
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
	}
	part("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+rels+`</Relationships>`, nil, "")
	part("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`+
		`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`, nil, "")
	part("xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
		`<row r="1"><c r="A1" t="inlineStr"><is><t>files</t></is></c><c r="B1" t="inlineStr"><is><t>title.en</t></is></c></row>`, body, `</sheetData></worksheet>`)
	if sst != nil {
		part("xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`, sst, `</sst>`)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// repeat writes s n times.
func repeat(s string, n int) func(io.Writer) {
	return func(w io.Writer) {
		chunk := strings.Repeat(s, 1000)
		for i := 0; i < n/1000; i++ {
			io.WriteString(w, chunk)
		}
	}
}

// refusedFast reads the sheet at p both ways a sheet is read (to ingest
// and to describe) and checks that each is refused with a message of kind,
// within a few seconds and a bounded amount of allocation.
func refusedFast(t *testing.T, p, kind string) {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, read := range []struct {
		name string
		f    func() error
	}{
		{"ingest", func() error {
			_, _, err := ingest.Sheet(p, ingest.Defaults{Institution: "cmu"})
			return err
		}},
		{"describe", func() error {
			_, err := ingest.ReadDescribeSheet(p, "bomb.xlsx")
			return err
		}},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		err := read.f()
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		allocated := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: a %d-byte workbook refused in %v, %d MiB allocated: %v", read.name, st.Size(), took, allocated>>20, err)
		var e *ingest.Error
		if !errors.As(err, &e) || e.Kind != kind {
			t.Fatalf("%s: got %v, want a refusal of kind %s", read.name, err, kind)
		}
		if read.name == "describe" && strings.Contains(err.Error(), filepath.Dir(p)) {
			t.Errorf("%s: the message gives a path: %v", read.name, err)
		}
		if took > 10*time.Second {
			t.Errorf("%s: took %v to refuse", read.name, took)
		}
		// Everything allocated, not only what is live at the end: an upper
		// bound of the peak.
		if allocated > 256<<20 {
			t.Errorf("%s: allocated %d MiB to refuse a %d KiB file", read.name, allocated>>20, st.Size()>>10)
		}
	}
}

func TestSheetRefusesWorkbookOfMillionsOfRowsFast(t *testing.T) {
	// A million rows of one cell: 26 MB of XML, under the unpacking bound,
	// so the rows themselves must be counted.
	p := bombWorkbook(t, repeat(`<row><c><v>1</v></c></row>`, 1_000_000), nil)
	refusedFast(t, p, "sheet_too_many_rows")
	_, _, err := ingest.Sheet(p, ingest.Defaults{Institution: "cmu"})
	if want := fmt.Sprintf("more than %d rows", 10000); !strings.Contains(err.Error(), want) {
		t.Errorf("message %q does not say %q", err, want)
	}
}

func TestSheetRefusesWorkbookWhoseRowIsNumberedAMillion(t *testing.T) {
	p := bombWorkbook(t, func(w io.Writer) { io.WriteString(w, `<row r="1000000"><c r="A1000000"><v>1</v></c></row>`) }, nil)
	refusedFast(t, p, "sheet_too_many_rows")
}

func TestSheetRefusesWorkbookWithTooManyColumns(t *testing.T) {
	p := bombWorkbook(t, repeat(`<row><c r="XFD2"><v>1</v></c></row>`, 1000), nil)
	refusedFast(t, p, "sheet_too_many_columns")
}

func TestSheetRefusesWorkbookThatUnpacksHuge(t *testing.T) {
	// A shared-strings part of 200 MB in a file of a few hundred kilobytes.
	p := bombWorkbook(t, nil, repeat(`<si><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></si>`, 4_000_000))
	refusedFast(t, p, "sheet_unzips_too_large")
}

func TestSheetRefusesWorkbookOfMillionsOfSharedStrings(t *testing.T) {
	// 30 MB of one-letter strings, under the unpacking bound.
	p := bombWorkbook(t, repeat(`<row><c t="s"><v>1</v></c></row>`, 5000), repeat(`<si><t>a</t></si>`, 1_700_000))
	refusedFast(t, p, "sheet_too_many_strings")
}

// TestSheetAtEveryBoundIsReadInBoundedMemory reads a workbook as large as
// the bounds let one be: the most rows, the most columns and the most
// shared strings.
func TestSheetAtEveryBoundIsReadInBoundedMemory(t *testing.T) {
	row := "<row>" + strings.Repeat(`<c t="s"><v>7</v></c>`, 100) + "</row>"
	p := bombWorkbook(t, repeat(row, 10000), repeat(`<si><t>a</t></si>`, 10*10000))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	rows, err := ingest.ReadDescribeSheet(p, "big.xlsx")
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d rows read in %v, %d MiB allocated", len(rows), took, allocated>>20)
	if err != nil || len(rows) != 10000 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	if allocated > 1<<30 {
		t.Errorf("allocated %d MiB", allocated>>20)
	}
}

func TestSheetRefusesCSVOfMillionsOfRows(t *testing.T) {
	p := filepath.Join(t.TempDir(), "rows.csv")
	if err := os.WriteFile(p, []byte("files,title.en\n"+strings.Repeat("a.tif,x\n", 2_000_000)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := ingest.Sheet(p, ingest.Defaults{Institution: "cmu"})
	var e *ingest.Error
	if !errors.As(err, &e) || e.Kind != "sheet_too_many_rows" {
		t.Fatalf("got %v, want sheet_too_many_rows", err)
	}
}

func TestSheetReportsFirstProblemsAndCountsTheRest(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "metadata.csv")
	if err := os.WriteFile(filepath.Join(dir, "a.tif"), []byte("II*\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	// One bad cell a row.
	if err := os.WriteFile(p, []byte("files,access\n"+strings.Repeat("a.tif,nope\n", 500)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, problems, err := ingest.Sheet(p, ingest.Defaults{Institution: "cmu"})
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 101 {
		t.Fatalf("%d problems, want the first 100 and one that counts the rest", len(problems))
	}
	if last := problems[100].What; last != "and 400 more problems" {
		t.Errorf("last problem says %q", last)
	}
	if problems[99].Message.Row != 101 || problems[99].Message.Kind != "access_invalid" {
		t.Errorf("100th problem is %+v", problems[99])
	}
}
