package ingest_test

import (
	"bytes"
	"image/color"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// TestPDFBecomesACanvasPerPage: a three-page PDF (made with ghostscript)
// is ingested as one item with a page each, rendered at a size suited to
// an A4 page, each page its own picture.
func TestPDFBecomesACanvasPerPage(t *testing.T) {
	gs, err := exec.LookPath("gs")
	if err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("gs is required (ARCHIVE_REQUIRE_TOOLS) but not installed (Debian ghostscript)")
		}
		t.Skip("needs gs (Debian ghostscript)")
	}
	dir := t.TempDir()
	ps := "%!PS\n<< /PageSize [595 842] >> setpagedevice\n" +
		"1 0 0 setrgbcolor 0 0 595 842 rectfill showpage\n" +
		"0 1 0 setrgbcolor 0 0 595 842 rectfill 0 setgray /Helvetica findfont 24 scalefont setfont 72 700 moveto (Rattanakosin charter) show showpage\n" +
		"0 0 1 setrgbcolor 0 0 595 842 rectfill showpage\n"
	os.WriteFile(filepath.Join(dir, "in.ps"), []byte(ps), 0o644)
	pdf := filepath.Join(dir, "thesis.pdf")
	if out, err := exec.Command(gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-o", pdf, filepath.Join(dir, "in.ps")).CombinedOutput(); err != nil {
		t.Fatalf("gs: %v %s", err, out)
	}
	e := newEnv(t, localBlobs(t))
	out := e.run([]ingest.Unit{{Files: []ingest.Input{{Path: pdf, Name: "thesis.pdf"}}, Meta: repository.Item{Institution: "tu", Title: repository.Text{"en": "A thesis"}}}})
	o := out["thesis.pdf"]
	if o.Status != ingest.Ingested {
		t.Fatalf("%+v", o)
	}
	it, err := e.store.Item(o.Item)
	if err != nil || len(it.Files) != 3 {
		t.Fatalf("item %+v, %v: want three pages", it, err)
	}
	want := [][3]bool{{true, false, false}, {false, true, false}, {false, false, true}}
	for i, f := range it.Files {
		if f.Page != i+1 || f.MediaType != "application/pdf" || f.Derivatives["access"] == "" {
			t.Errorf("page %d: %+v", i+1, f)
		}
		if f.Height != 3500 || f.Width < 2460 || f.Width > 2490 {
			t.Errorf("page %d rendered at %dx%d, want A4 at 3500 px high", i+1, f.Width, f.Height)
		}
		rc, err := e.blobs.Get(ctx, f.Derivatives["thumb"], 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r, g, bl, _ := img.At(img.Bounds().Dx()/2, img.Bounds().Dy()/2).RGBA()
		got := [3]bool{r > 0xc000, g > 0xc000, bl > 0xc000}
		if got != want[i] {
			t.Errorf("page %d's picture is %v, want %v", i+1, got, want[i])
		}
	}
	// The text layer of the page that has one is kept beside it, for search.
	if it.Files[0].Derivatives["text"] != "" || it.Files[1].Derivatives["text"] == "" {
		t.Fatalf("text layers: %v / %v", it.Files[0].Derivatives, it.Files[1].Derivatives)
	}
	rc, err := e.blobs.Get(ctx, it.Files[1].Derivatives["text"], 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(rc)
	rc.Close()
	if string(text) != "Rattanakosin charter" {
		t.Errorf("page 2's text %q", text)
	}
	if it.Files[0].SHA256 != it.Files[2].SHA256 {
		t.Error("the pages should share the one master")
	}
}

func TestOutcomesCountThePixelsTheyBrought(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.jpg")
	writeJPEG(t, path, pattern(300, 200, color.RGBA{200, 10, 10, 255}))
	e := newEnv(t, localBlobs(t))
	out := e.run([]ingest.Unit{{Files: []ingest.Input{{Path: path, Name: "a.jpg"}}, Meta: repository.Item{Institution: "tu", Title: repository.Text{"en": "A"}}}})
	if o := out["a.jpg"]; o.Status != ingest.Ingested || o.Pixels != 300*200 {
		t.Errorf("%+v: want 60,000 pixels", o)
	}
}
