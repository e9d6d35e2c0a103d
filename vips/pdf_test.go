package vips

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPDFPagesAreCountedAndRenderedToSize makes a two-page PDF with
// ghostscript (an A4 page in red, an A5 landscape page in blue) and renders
// each with its longer side at 2000 pixels.
func TestPDFPagesAreCountedAndRenderedToSize(t *testing.T) {
	gs, err := exec.LookPath("gs")
	if err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("gs is required (ARCHIVE_REQUIRE_TOOLS) but not installed (Debian ghostscript)")
		}
		t.Skip("gs not installed (Debian ghostscript)")
	}
	dir := t.TempDir()
	ps := "<< /PageSize [595 842] >> setpagedevice 1 0 0 setrgbcolor 0 0 595 842 rectfill showpage\n" +
		"<< /PageSize [595 420] >> setpagedevice 0 0 1 setrgbcolor 0 0 595 420 rectfill showpage\n"
	os.WriteFile(filepath.Join(dir, "in.ps"), []byte(ps), 0o644)
	pdf := filepath.Join(dir, "two.pdf")
	if b, err := exec.Command(gs, "-q", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-o", pdf, filepath.Join(dir, "in.ps")).CombinedOutput(); err != nil {
		t.Fatalf("gs: %v %s", err, b)
	}
	n, err := PDFPages(pdf)
	if err != nil || n != 2 {
		t.Fatalf("pages: %d, %v", n, err)
	}
	for page, want := range []struct {
		w, h   int
		colour [3]uint32
	}{{1413, 2000, [3]uint32{255, 0, 0}}, {2000, 1412, [3]uint32{0, 0, 255}}} {
		im, dpi, err := OpenPDFPage(pdf, page, 2000)
		if err != nil {
			t.Fatal(err)
		}
		if abs(im.Width()-want.w) > 2 || abs(im.Height()-want.h) > 2 || dpi < 160 || dpi > 260 {
			t.Errorf("page %d: %dx%d at %.0f dpi, want about %dx%d", page, im.Width(), im.Height(), dpi, want.w, want.h)
		}
		acc, err := im.Access(0, 0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := acc.PNG()
		if err != nil {
			t.Fatal(err)
		}
		img, _ := png.Decode(bytes.NewReader(b))
		r, g, bl, _ := img.At(im.Width()/2, im.Height()/2).RGBA()
		if got := [3]uint32{r >> 8, g >> 8, bl >> 8}; abs(int(got[0])-int(want.colour[0])) > 40 || abs(int(got[2])-int(want.colour[2])) > 40 {
			t.Errorf("page %d is %v in the middle, want %v", page, got, want.colour)
		}
		acc.Close()
		im.Close()
	}
}

func abs(x int) int { return max(x, -x) }
