package ingest_test

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository/edtf"
)

func TestSheetReadsBareBuddhistEraYearsWithAWarning(t *testing.T) {
	dir := t.TempDir()
	writeJPEG(t, filepath.Join(dir, "a.jpg"), pattern(50, 50, color.RGBA{1, 2, 3, 255}))
	writeJPEG(t, filepath.Join(dir, "b.jpg"), pattern(50, 50, color.RGBA{3, 2, 1, 255}))
	writeJPEG(t, filepath.Join(dir, "c.jpg"), pattern(50, 50, color.RGBA{9, 9, 9, 255}))
	sheet := "file,title.th,date\n" +
		"a.jpg,ปีเปล่า,2505\n" +
		"b.jpg,วันเต็ม,2505-06-18\n" +
		"c.jpg,เขียนชัด,18 มิถุนายน 2505\n"
	os.WriteFile(filepath.Join(dir, "s.csv"), []byte(sheet), 0o644)
	units, problems, err := ingest.Sheet(filepath.Join(dir, "s.csv"), ingest.Defaults{Institution: "tu"})
	if err != nil || len(problems) > 0 || len(units) != 3 {
		t.Fatalf("sheet: %d units, %v, %v", len(units), problems, err)
	}
	e := newEnv(t, localBlobs(t))
	out := e.run(units)
	for file, want := range map[string]struct{ date, note string }{
		"a.jpg": {"1962", "row 2, column date: 2505 is read as the Buddhist Era (พ.ศ. 2505) and stored as 1962"},
		"b.jpg": {"1962-06-18", "row 3, column date: 2505-06-18 is read as the Buddhist Era"},
		"c.jpg": {"1962-06-18", ""}, // a Thai month says the era: nothing to warn of
	} {
		o := out[file]
		it, _ := e.store.Item(o.Item)
		if o.Status != ingest.Ingested || it == nil || it.Date != want.date {
			t.Errorf("%s: %+v, date %v; want ingested with %s", file, o, it, want.date)
			continue
		}
		if want.note == "" && o.Error != "" || !strings.Contains(o.Error, want.note) {
			t.Errorf("%s outcome says %q; want %q", file, o.Error, want.note)
		}
	}
}

func TestSheetRefusesAmbiguousDatesWithASentence(t *testing.T) {
	dir := t.TempDir()
	writeJPEG(t, filepath.Join(dir, "a.jpg"), pattern(50, 50, color.RGBA{1, 2, 3, 255}))
	sheet := "file,date\na.jpg,18 มิถุนายน 2019\na.jpg,62\na.jpg,250X\n"
	os.WriteFile(filepath.Join(dir, "s.csv"), []byte(sheet), 0o644)
	units, problems, err := ingest.Sheet(filepath.Join(dir, "s.csv"), ingest.Defaults{Institution: "tu"})
	if err != nil || len(units) != 0 {
		t.Fatalf("a sheet with ambiguous dates gave %d units, %v", len(units), err)
	}
	all := fmt.Sprint(problems)
	for _, want := range []string{"row 2, column date: \"18 มิถุนายน 2019\" has a Thai month and a year outside 2400–2700", "ค.ศ. 2019",
		"row 3, column date: \"62\" has a two-digit year", "row 4, column date: \"250X\" looks like a decade", "(1957/1966)"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
}

func TestBagWithUnreadableSheetIsRefusedWhole(t *testing.T) {
	dir := t.TempDir()
	files := makeBag(t, filepath.Join(dir, "bag"))
	files["data/metadata.csv"] = []byte("file,title.en\nimg1.png,\"An unclosed quote\n")
	writeBag(t, filepath.Join(dir, "bag"), files)
	units, problems, cleanup, err := ingest.Bag(filepath.Join(dir, "bag"), ingest.Defaults{Institution: "tu"}, 1<<30)
	defer cleanup()
	if err == nil || len(units) != 0 || len(problems) != 0 {
		t.Fatalf("bag with a broken sheet: %d units, %v, %v; want an error and nothing to ingest", len(units), problems, err)
	}
	for _, want := range []string{"bag bag is refused whole, nothing ingested", "sheet bag/data/metadata.csv is not valid CSV"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), dir) {
		t.Errorf("error %q shows where the bag lies on disk", err)
	}
}

func TestFileWhoseContentDoesNotMatchItsNameIsRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "scan-0042.tif"), []byte("this is not a scan\n"), 0o644)
	writeJPEG(t, filepath.Join(dir, "odd-name.scan"), pattern(40, 40, color.RGBA{7, 6, 5, 255})) // not a common extension: content decides
	unit := func(name string) ingest.Unit {
		return ingest.Unit{Files: []ingest.Input{{Path: filepath.Join(dir, name), Name: name}}, Meta: ingest.Defaults{Institution: "cmu"}.Item()}
	}
	e := newEnv(t, localBlobs(t))
	out := e.run([]ingest.Unit{unit("scan-0042.tif"), unit("odd-name.scan")})
	for file, want := range map[string]string{
		"scan-0042.tif": "scan-0042.tif is plain text, not a TIFF image: rename it, or ingest it with --keep-mismatched to keep it as a file",
	} {
		if o := out[file]; o.Status != ingest.Refused || o.Error != want && !strings.HasPrefix(o.Error, want) {
			t.Errorf("%s: %+v; want refused saying %q", file, o, want)
		}
	}
	if o := out["odd-name.scan"]; o.Status != ingest.Ingested {
		t.Errorf("odd-name.scan: %+v; want ingested", o)
	}

	keep := newEnv(t, localBlobs(t), func(c *ingest.Config) { c.KeepMismatched = true })
	o := keep.p.Ingest(ctx, unit("scan-0042.tif"))[0]
	it, _ := keep.store.Item(o.Item)
	if o.Status != ingest.Ingested || it == nil || it.Type != ingest.KindText || !strings.HasPrefix(it.Files[0].MediaType, "text/plain") {
		t.Fatalf("kept mismatched file: %+v, item %+v; want a Text item holding plain text", o, it)
	}
	if !strings.Contains(o.Error, "scan-0042.tif is plain text, not a TIFF image; kept as plain text") {
		t.Fatalf("kept mismatched file's outcome says %q; want a note", o.Error)
	}
}

func TestImageNamedAsAnotherImageIsIngestedByItsContentWithAWarning(t *testing.T) {
	dir := t.TempDir()
	writeJPEG(t, filepath.Join(dir, "photo.png"), pattern(40, 40, color.RGBA{7, 6, 5, 255}))
	writeJPEG(t, filepath.Join(dir, "scan.jp2"), pattern(48, 32, color.RGBA{9, 8, 7, 255}))
	var b bytes.Buffer
	png.Encode(&b, pattern(40, 40, color.RGBA{5, 6, 7, 255}))
	os.WriteFile(filepath.Join(dir, "photo.JPG"), b.Bytes(), 0o644)
	e := newEnv(t, localBlobs(t))
	for name, want := range map[string]struct{ mediaType, ext, english string }{
		"photo.png": {"image/jpeg", ".png", "photo.png is a JPEG image, not a PNG image as its name says; ingested as a JPEG image, by its content"},
		"scan.jp2":  {"image/jpeg", ".jp2", "scan.jp2 is a JPEG image, not a JPEG 2000 image as its name says; ingested as a JPEG image, by its content"},
		"photo.JPG": {"image/png", ".jpg", "photo.JPG is a PNG image, not a JPEG image as its name says; ingested as a PNG image, by its content"},
	} {
		o := e.p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{{Path: filepath.Join(dir, name), Name: name}}, Meta: ingest.Defaults{Institution: "cmu"}.Item()})[0]
		if o.Status != ingest.Ingested || len(o.Images) != 1 {
			t.Errorf("%s: %+v; want ingested as an image", name, o)
			continue
		}
		if len(o.Messages) != 1 || o.Messages[0].Kind != "identified_by_content" || strings.Join(o.Messages[0].Args, "|") != name+"|"+want.mediaType+"|"+want.ext || o.Error != want.english {
			t.Errorf("%s: messages %+v, %q; want the warning %q", name, o.Messages, o.Error, want.english)
		}
		it, err := e.store.Item(o.Item)
		if err != nil || it.Files[0].MediaType != want.mediaType || it.Files[0].Derivatives["access"] == "" {
			t.Errorf("%s: item %+v %v; want a %s with its access copy", name, it, err, want.mediaType)
			continue
		}
		evs, err := e.store.Events(o.Item)
		if err != nil || !hasEvent(evs, "ingestion", "success", want.english) {
			t.Errorf("%s: events %+v %v; want the warning in the ingestion event", name, evs, err)
		}
	}
}

func TestSheetReachingThePipelineAsAFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	sheet := []byte("file,title.en\npage1.jpg,A letter\n")
	os.WriteFile(filepath.Join(dir, "metadata.csv"), sheet, 0o644)
	os.WriteFile(filepath.Join(dir, "metadata.xlsx"), []byte("PK\x03\x04 not really a workbook"), 0o644)
	e := newEnv(t, localBlobs(t))
	// A web upload: the file reaches Pipeline.Ingest alone.
	for _, name := range []string{"metadata.csv", "metadata.xlsx"} {
		o := e.p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{{Path: filepath.Join(dir, name), Name: name}},
			Meta: ingest.Defaults{Institution: "tu"}.Item(), Origin: "web upload"})[0]
		want := name + " is a metadata sheet: ingest it as a sheet (archive ingest " + name + "), not as a file"
		if o.Status != ingest.Refused || o.Error != want {
			t.Errorf("uploaded %s: %+v; want refused saying %q", name, o, want)
		}
	}

	// A sheet in a subfolder is not the folder's sheet: it neither
	// becomes an item nor joins the folder's pages.
	src := t.TempDir()
	writeJPEG(t, filepath.Join(src, "letter", "page1.jpg"), pattern(40, 40, color.RGBA{1, 1, 1, 255}))
	writeJPEG(t, filepath.Join(src, "letter", "page2.jpg"), pattern(40, 40, color.RGBA{2, 2, 2, 255}))
	os.WriteFile(filepath.Join(src, "letter", "metadata.csv"), sheet, 0o644)
	for _, group := range []bool{false, true} {
		t.Run(fmt.Sprint("group=", group), func(t *testing.T) {
			units, problems, err := ingest.Folder(src, ingest.Defaults{Institution: "tu"}, group)
			if err != nil || len(problems) > 0 {
				t.Fatalf("folder: %v, %v", problems, err)
			}
			e := newEnv(t, localBlobs(t))
			out := e.run(units)
			if o := out["letter/metadata.csv"]; o.Status != ingest.Refused || !strings.HasPrefix(o.Error, "metadata.csv is a metadata sheet") {
				t.Fatalf("letter/metadata.csv: %+v; want refused as a sheet", o)
			}
			page, _ := e.store.Item(out["letter/page1.jpg"].Item)
			if out["letter/page1.jpg"].Status != ingest.Ingested || page == nil || group && len(page.Files) != 2 {
				t.Fatalf("the pages beside the sheet: %+v, item %+v", out["letter/page1.jpg"], page)
			}
		})
	}

	// A sheet row may name a CSV file as the item's content.
	os.WriteFile(filepath.Join(dir, "readings.csv"), []byte("station,rain\nChiang Mai,12\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "s.csv"), []byte("file,title.en\nreadings.csv,Rainfall readings\n"), 0o644)
	units, problems, err := ingest.Sheet(filepath.Join(dir, "s.csv"), ingest.Defaults{Institution: "tu"})
	if err != nil || len(problems) > 0 || len(units) != 1 {
		t.Fatalf("sheet naming a CSV: %d units, %v, %v", len(units), problems, err)
	}
	if o := e.p.Ingest(ctx, units[0])[0]; o.Status != ingest.Ingested {
		t.Fatalf("a CSV named by a sheet row: %+v; want ingested", o)
	}
}

func TestReadDateRefusesAmbiguousDatesAsSuch(t *testing.T) {
	if _, _, err := ingest.ReadDate("250X"); !errors.Is(err, edtf.ErrAmbiguous) {
		t.Fatalf("ReadDate of a decade of Buddhist Era years: %v; want edtf.ErrAmbiguous", err)
	}
}
