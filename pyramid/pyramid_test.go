package pyramid

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testPattern is a 1000×700 image in four coloured quadrants with a gradient.
func testPattern(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{200, 30, 30, 255}
			switch {
			case x >= w/2 && y < h/2:
				c = color.RGBA{30, 200, 30, 255}
			case x < w/2 && y >= h/2:
				c = color.RGBA{30, 30, 200, 255}
			case x >= w/2 && y >= h/2:
				c = color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func near(a, b color.Color, tol int) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	d := func(x, y uint32) int { return max(int(x>>8)-int(y>>8), int(y>>8)-int(x>>8)) }
	return d(r1, r2) <= tol && d(g1, g2) <= tol && d(b1, b2) <= tol
}

func TestWriteThenReadEveryLevelAndTile(t *testing.T) {
	var buf bytes.Buffer
	sizes, err := Write(context.Background(), &buf, testPattern(1000, 700), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []image.Point{{1000, 700}, {500, 350}, {250, 175}}
	if len(sizes) != len(want) {
		t.Fatalf("levels %v, want %v", sizes, want)
	}
	p, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for i, lv := range p.Levels {
		if lv.Width != want[i].X || lv.Height != want[i].Y || lv.Reduced != (i > 0) {
			t.Fatalf("level %d: %dx%d reduced=%v", i, lv.Width, lv.Height, lv.Reduced)
		}
		for row := range lv.Rows() {
			for col := range lv.Cols() {
				off, n, exact := lv.Tile(col, row)
				if !exact {
					t.Fatalf("level %d tile %d,%d is not exact", i, col, row)
				}
				img, err := lv.DecodeTile(buf.Bytes()[off : off+n])
				if err != nil {
					t.Fatal(err)
				}
				tw, th := min(256, lv.Width-col*256), min(256, lv.Height-row*256)
				if img.Bounds().Dx() != tw || img.Bounds().Dy() != th {
					t.Fatalf("level %d tile %d,%d is %v, want %dx%d", i, col, row, img.Bounds(), tw, th)
				}
			}
		}
	}
	// Known colours: top-left quadrant red, top-right green at full size.
	lv := p.Levels[0]
	off, n, _ := lv.Tile(0, 0)
	img, _ := lv.DecodeTile(buf.Bytes()[off : off+n])
	if c := img.At(100, 100); !near(c, color.RGBA{200, 30, 30, 255}, 6) {
		t.Errorf("tile 0,0 at 100,100 = %v, want red", c)
	}
	off, n, _ = lv.Tile(3, 0) // x 768–999: green, an edge tile 232 wide
	img, _ = lv.DecodeTile(buf.Bytes()[off : off+n])
	if c := img.At(200, 100); !near(c, color.RGBA{30, 200, 30, 255}, 6) {
		t.Errorf("edge tile at 200,100 = %v, want green", c)
	}
}

func TestGreyscaleStaysOneChannel(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 300, 300))
	for i := range g.Pix {
		g.Pix[i] = uint8(i % 251)
	}
	var buf bytes.Buffer
	if _, err := Write(context.Background(), &buf, g, Options{}); err != nil {
		t.Fatal(err)
	}
	p, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil || p.Levels[0].SamplesPerPixel != 1 || p.Levels[0].Photometric != 1 {
		t.Fatalf("grey pyramid: %+v, %v", p.Levels[0], err)
	}
}

func TestHalfAveragesBlocks(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(g.Pix, []uint8{0, 100, 50, 200, 100, 60})
	h := Half(g).(*image.Gray)
	if h.Bounds().Dx() != 2 || h.Pix[0] != 100 || h.Pix[1] != 55 {
		t.Fatalf("half = %v %v", h.Bounds(), h.Pix)
	}
}

func TestReadRefusesHostileFiles(t *testing.T) {
	var buf bytes.Buffer
	Write(context.Background(), &buf, testPattern(300, 300), Options{})
	good := buf.Bytes()
	loop := bytes.Clone(good)
	copy(loop[4:8], []byte{8, 0, 0, 0})
	for name, b := range map[string][]byte{
		"empty":     nil,
		"not tiff":  []byte("GIF89a......"),
		"truncated": good[:40],
		"bigtiff":   {'I', 'I', 43, 0, 8, 0, 0, 0},
	} {
		if _, err := Read(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
	// An IFD that points at itself.
	self := bytes.Clone(good)
	n := int(self[8]) | int(self[9])<<8
	at := 8 + 2 + 12*n
	copy(self[at:at+4], []byte{8, 0, 0, 0})
	if _, err := ReadIFDs(bytes.NewReader(self)); err == nil || !strings.Contains(err.Error(), "loops") {
		t.Errorf("looping IFD chain: %v", err)
	}
}

// TestLibvipsReadsTheAccessCopy proves the copy is a standard pyramidal TIFF.
func TestLibvipsReadsTheAccessCopy(t *testing.T) {
	vips, err := exec.LookPath("vips")
	if err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("vips is required (ARCHIVE_REQUIRE_TOOLS) but not installed")
		}
		t.Skip("vips not installed (Debian libvips-tools)")
	}
	dir := t.TempDir()
	var buf bytes.Buffer
	Write(context.Background(), &buf, testPattern(1000, 700), Options{})
	src := filepath.Join(dir, "a.tif")
	os.WriteFile(src, buf.Bytes(), 0o644)
	for page, want := range map[string]string{"0": "1000 700", "2": "250 175"} {
		out := filepath.Join(dir, "p"+page+".png")
		if b, err := exec.Command(vips, "copy", src+"[page="+page+"]", out).CombinedOutput(); err != nil {
			t.Fatalf("vips copy page %s: %v %s", page, err, b)
		}
		b, _ := exec.Command("vipsheader", "-f", "width", out).Output()
		h, _ := exec.Command("vipsheader", "-f", "height", out).Output()
		if got := strings.TrimSpace(string(b)) + " " + strings.TrimSpace(string(h)); got != want {
			t.Errorf("vips reads page %s as %s, want %s", page, got, want)
		}
	}
	// Colours survive libvips' decoding too (YCbCr photometric is right).
	out := filepath.Join(dir, "crop.png")
	exec.Command(vips, "crop", src, out, "100", "100", "1", "1").Run()
	b, _ := exec.Command(vips, "getpoint", out, "0", "0").Output()
	var r, g, bl int
	if _, err := fmtSscan(string(b), &r, &g, &bl); err != nil || r < 190 || g > 45 || bl > 45 {
		t.Errorf("vips sees pixel 100,100 as %q, want red", b)
	}
}

func fmtSscan(s string, v ...any) (int, error) { return fmt.Sscan(s, v...) }
