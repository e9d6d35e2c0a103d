package pyramid

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestLevelsRoundUpAndPaddingCoversThem(t *testing.T) {
	for _, c := range []struct{ w, h, levels, pw, ph int }{
		{1000, 700, 3, 1000, 700},
		{1001, 517, 3, 1004, 520},
		{256, 256, 1, 256, 256},
		{257, 10, 2, 258, 10},
		{8000, 6000, 6, 8000, 6016},
	} {
		lv := Levels(c.w, c.h, 256)
		pw, ph := PaddedSize(c.w, c.h, 256)
		if len(lv) != c.levels || pw != c.pw || ph != c.ph {
			t.Errorf("%dx%d: levels %v, padded %dx%d; want %d levels, %dx%d", c.w, c.h, lv, pw, ph, c.levels, c.pw, c.ph)
		}
		for i, l := range lv {
			if pw>>i < l.X || ph>>i < l.Y {
				t.Errorf("%dx%d: level %d of the padded image (%dx%d) does not cover %v", c.w, c.h, i, pw>>i, ph>>i, l)
			}
		}
	}
}

// TestRepackMakesOurLayoutOfALibvipsPyramid has libvips write a pyramid of
// a padded image, repacks it, and checks that every tile is a complete JPEG
// of its exact size with the colours of the image.
func TestRepackMakesOurLayoutOfALibvipsPyramid(t *testing.T) {
	vips, err := exec.LookPath("vips")
	if err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("vips is required (ARCHIVE_REQUIRE_TOOLS) but not installed")
		}
		t.Skip("vips not installed (Debian libvips-tools)")
	}
	dir := t.TempDir()
	w, h := 1001, 517
	img := testPattern(w, h)
	var pb bytes.Buffer
	png.Encode(&pb, img)
	os.WriteFile(filepath.Join(dir, "a.png"), pb.Bytes(), 0o644)
	pw, ph := PaddedSize(w, h, 256)
	for _, args := range [][]string{
		{"embed", filepath.Join(dir, "a.png"), filepath.Join(dir, "padded.v"), "0", "0", strconv.Itoa(pw), strconv.Itoa(ph), "--extend", "copy"},
		{"tiffsave", filepath.Join(dir, "padded.v"), filepath.Join(dir, "vips.tif"), "--tile", "--pyramid", "--compression", "jpeg", "--Q", "90", "--tile-width", "256", "--tile-height", "256", "--strip"},
	} {
		if b, err := exec.Command(vips, args...).CombinedOutput(); err != nil {
			t.Fatalf("vips %v: %v %s", args, err, b)
		}
	}
	f, err := os.Open(filepath.Join(dir, "vips.tif"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	sizes, err := Repack(context.Background(), &out, f, w, h, RepackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := Levels(w, h, 256)
	if len(sizes) != len(want) {
		t.Fatalf("levels %v, want %v", sizes, want)
	}
	p, err := Read(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	data := out.Bytes()
	for l, lv := range p.Levels {
		if lv.Width != want[l].X || lv.Height != want[l].Y || lv.JPEGTables != nil {
			t.Fatalf("level %d: %dx%d, tables %d bytes; want %v and none", l, lv.Width, lv.Height, len(lv.JPEGTables), want[l])
		}
		s := 1 << l
		for row := range lv.Rows() {
			for col := range lv.Cols() {
				off, n, exact := lv.Tile(col, row)
				tile, err := lv.DecodeTile(data[off : off+n])
				if err != nil || !exact {
					t.Fatalf("level %d tile %d,%d: exact %v, %v", l, col, row, exact, err)
				}
				tw, th := min(256, lv.Width-256*col), min(256, lv.Height-256*row)
				if tile.Bounds().Size() != image.Pt(tw, th) {
					t.Fatalf("level %d tile %d,%d is %v, want %dx%d", l, col, row, tile.Bounds().Size(), tw, th)
				}
				// The tile's last pixel is the image's, seen at this level.
				x, y := tw-1, th-1
				src := img.At(min((256*col+x)*s+s/2, w-1), min((256*row+y)*s+s/2, h-1))
				if !near(tile.At(x, y), src, 40) {
					t.Errorf("level %d tile %d,%d: corner %v, image %v", l, col, row, tile.At(x, y), src)
				}
			}
		}
	}
}
