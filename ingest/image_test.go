package ingest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/thaiarchives/archive/pyramid"
)

const samples = "../testdata/samples/images"

func sampleDir(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(samples); err != nil {
		t.Fatal(err)
	}
	return samples
}

// needTool finds a command line tool the tests make masters or references
// with; without it the test fails when ARCHIVE_REQUIRE_TOOLS is set, and
// is skipped otherwise.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatalf("%s is required (ARCHIVE_REQUIRE_TOOLS) but not installed (Debian %s)", name, pkg)
		}
		t.Skipf("%s not installed (Debian %s)", name, pkg)
	}
	return p
}

// run runs a tool, failing the test with its output when it fails.
func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if b, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, b)
	}
}

// load ingests the first page of a master the way the pipeline does, and
// returns its access copy's full-resolution pixels, after checking that
// the copy is a pyramid package pyramid reads, with exact edge tiles.
func load(t *testing.T, path string) (image.Image, error) {
	t.Helper()
	head := make([]byte, 512)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := f.Read(head)
	f.Close()
	mt, kind := sniff(head[:n])
	if kind != KindImage {
		t.Fatalf("%s sniffed as %q", path, mt)
	}
	pages, err := imagePages(path, mt, 200_000_000)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	acc, err := makeAccess(context.Background(), &buf, path, mt, pages[0], 200_000_000)
	if err != nil {
		return nil, err
	}
	img := readAccess(t, buf.Bytes(), acc.width, acc.height)
	th, err := jpeg.Decode(bytes.NewReader(acc.thumb))
	if err != nil {
		t.Fatalf("thumbnail: %v", err)
	}
	if b := th.Bounds(); max(b.Dx(), b.Dy()) != min(ThumbSize, max(acc.width, acc.height)) {
		t.Errorf("thumbnail is %v for a %dx%d image", b.Size(), acc.width, acc.height)
	}
	return img, nil
}

// readAccess reads an access copy with package pyramid, checks its levels
// and tiles, and assembles its full-resolution level.
func readAccess(t *testing.T, data []byte, w, h int) image.Image {
	t.Helper()
	p, err := pyramid.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("pyramid cannot read the access copy: %v", err)
	}
	want := pyramid.Levels(w, h, tileSize)
	if len(p.Levels) != len(want) {
		t.Fatalf("%d levels, want %v", len(p.Levels), want)
	}
	var full *image.RGBA
	for l, lv := range p.Levels {
		if lv.Width != want[l].X || lv.Height != want[l].Y || lv.TileW != tileSize {
			t.Fatalf("level %d is %dx%d tiles %d, want %v", l, lv.Width, lv.Height, lv.TileW, want[l])
		}
		if l == 0 {
			full = image.NewRGBA(image.Rect(0, 0, w, h))
		}
		for row := range lv.Rows() {
			for col := range lv.Cols() {
				off, n, exact := lv.Tile(col, row)
				if !exact {
					t.Fatalf("level %d tile %d,%d is not stored exactly", l, col, row)
				}
				// Served as they are: each must be a complete JPEG of the tile's size.
				tile, err := jpeg.Decode(bytes.NewReader(data[off : off+n]))
				if err != nil {
					t.Fatalf("level %d tile %d,%d: %v", l, col, row, err)
				}
				tw, th := min(tileSize, lv.Width-col*tileSize), min(tileSize, lv.Height-row*tileSize)
				if b := tile.Bounds(); b.Dx() != tw || b.Dy() != th {
					t.Fatalf("level %d tile %d,%d is %v, want %dx%d", l, col, row, b.Size(), tw, th)
				}
				if l == 0 {
					draw.Draw(full, tile.Bounds().Add(image.Pt(col*tileSize, row*tileSize)), tile, tile.Bounds().Min, draw.Src)
				}
			}
		}
	}
	return full
}

// vipsPixels renders a file to upright, opaque 8-bit sRGB with the vips
// command (autorot, icc_transform from the embedded profile, flatten on
// white): the reference for sizes, orientation and colours.
func vipsPixels(t *testing.T, path string) image.Image {
	t.Helper()
	needTool(t, "vips", "libvips-tools")
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	run(t, "vips", "autorot", path, p("up.v"))
	out, _ := exec.Command("vipsheader", "-f", "interpretation", p("up.v")).Output()
	fallback := "srgb"
	if bytes.HasPrefix(out, []byte("cmyk")) {
		fallback = "cmyk"
	}
	if b, err := exec.Command("vips", "icc_transform", p("up.v"), p("srgb.v"), "srgb", "--embedded", "--input-profile", fallback).CombinedOutput(); err != nil {
		if fallback == "cmyk" {
			t.Fatalf("vips icc_transform: %v %s", err, b)
		}
		run(t, "vips", "colourspace", p("up.v"), p("srgb.v"), "srgb")
	}
	bands, _ := exec.Command("vipsheader", "-f", "bands", p("srgb.v")).Output()
	if string(bytes.TrimSpace(bands)) == "4" || string(bytes.TrimSpace(bands)) == "2" {
		run(t, "vips", "flatten", p("srgb.v"), p("flat.v"), "--background", "255")
		os.Rename(p("flat.v"), p("srgb.v"))
	}
	run(t, "vips", "cast", p("srgb.v"), p("ref.png"), "uchar")
	f, err := os.Open(p("ref.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// meanDeltaE is the mean CIE76 colour difference (ΔE*ab) of two images of
// the same size, over 4×4 blocks (so that it measures colour, not the
// access copy's JPEG noise at single pixels).
func meanDeltaE(a, b image.Image) float64 {
	var sum float64
	var n int
	r := a.Bounds()
	for y := r.Min.Y; y+4 <= r.Max.Y; y += 4 {
		for x := r.Min.X; x+4 <= r.Max.X; x += 4 {
			la := labOf(blockMean(a, x, y))
			lb := labOf(blockMean(b, x-r.Min.X+b.Bounds().Min.X, y-r.Min.Y+b.Bounds().Min.Y))
			sum += math.Sqrt((la[0]-lb[0])*(la[0]-lb[0]) + (la[1]-lb[1])*(la[1]-lb[1]) + (la[2]-lb[2])*(la[2]-lb[2]))
			n++
		}
	}
	return sum / float64(n)
}

func blockMean(img image.Image, x0, y0 int) [3]float64 {
	var m [3]float64
	for y := y0; y < y0+4; y++ {
		for x := x0; x < x0+4; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			m[0] += float64(r>>8) / 16
			m[1] += float64(g>>8) / 16
			m[2] += float64(b>>8) / 16
		}
	}
	return m
}

// labOf converts 8-bit sRGB to CIELAB (D65).
func labOf(c [3]float64) [3]float64 {
	var lin [3]float64
	for i, v := range c {
		v /= 255
		if v <= 0.04045 {
			lin[i] = v / 12.92
		} else {
			lin[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	x := (0.4124*lin[0] + 0.3576*lin[1] + 0.1805*lin[2]) / 0.95047
	y := 0.2126*lin[0] + 0.7152*lin[1] + 0.0722*lin[2]
	z := (0.0193*lin[0] + 0.1192*lin[1] + 0.9505*lin[2]) / 1.08883
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	return [3]float64{116*f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))}
}

// checkAgainstVips ingests path and compares it with libvips' rendering.
func checkAgainstVips(t *testing.T, path string, maxDE float64) image.Image {
	t.Helper()
	img, err := load(t, path)
	if err != nil {
		t.Fatal(err)
	}
	ref := vipsPixels(t, path)
	if img.Bounds().Size() != ref.Bounds().Size() {
		t.Fatalf("size %v, libvips %v", img.Bounds().Size(), ref.Bounds().Size())
	}
	if d := meanDeltaE(img, ref); d > maxDE {
		t.Errorf("colours differ from libvips' sRGB rendering by ΔE %.2f on average (at most %.1f)", d, maxDE)
	} else {
		t.Logf("ΔE %.2f against libvips", d)
	}
	return img
}

func TestSampleImagesMatchLibvips(t *testing.T) {
	dir := sampleDir(t)
	for _, name := range []string{"woodcut-olivo-en-mallorca.jpg", "woodcut-1958.tif", "display-p3-profile.jpg",
		"rgba-transparency.png", "ycbcr-jpeg-compressed.tiff", "cmyk-with-profile.jpg"} {
		t.Run(name, func(t *testing.T) {
			checkAgainstVips(t, filepath.Join(dir, name), 2)
		})
	}
}

func TestTransparencyIsFlattenedOnWhite(t *testing.T) {
	path := filepath.Join(sampleDir(t), "rgba-transparency.png")
	img, err := load(t, path)
	if err != nil {
		t.Fatal(err)
	}
	needTool(t, "vips", "libvips-tools")
	alpha := filepath.Join(t.TempDir(), "alpha.png")
	run(t, "vips", "extract_band", path, alpha, "3")
	f, _ := os.Open(alpha)
	defer f.Close()
	a, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// Where the master is fully transparent the copy must be white.
	found := false
	b := a.Bounds()
	for y := b.Min.Y; y < b.Max.Y && !found; y++ {
		for x := b.Min.X; x < b.Max.X && !found; x++ {
			if v, _, _, _ := a.At(x, y).RGBA(); v == 0 && x%16 > 4 && y%16 > 4 {
				found = true
				if r, g, bl, _ := img.At(x, y).RGBA(); r>>8 < 245 || g>>8 < 245 || bl>>8 < 245 {
					t.Fatalf("transparent pixel %d,%d became %v, not white", x, y, img.At(x, y))
				}
			}
		}
	}
	if !found {
		t.Fatal("sample has no transparent pixel to check")
	}
}

// exifJPEG is a JPEG of img carrying an EXIF orientation tag.
func exifJPEG(t *testing.T, img image.Image, orientation uint16) []byte {
	t.Helper()
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 95})
	tiff := []byte{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, byte(orientation), byte(orientation >> 8), 0, 0, 0, 0, 0, 0}
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}
	out := append([]byte{0xFF, 0xD8}, seg...)
	out = append(out, app1...)
	return append(out, b.Bytes()[2:]...)
}

func TestEXIFOrientationIsApplied(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 600, 300))
	for y := range 300 {
		for x := range 600 {
			c := color.RGBA{20, 20, 220, 255} // blue right half
			if x < 300 {
				c = color.RGBA{220, 20, 20, 255} // red left half
			}
			src.SetRGBA(x, y, c)
		}
	}
	for _, o := range []uint16{1, 3, 6, 8} {
		path := filepath.Join(t.TempDir(), "rotated.jpg")
		os.WriteFile(path, exifJPEG(t, src, o), 0o644)
		img, err := load(t, path)
		if err != nil {
			t.Fatal(err)
		}
		top, bottom, left, right := img.At(150, 20), img.At(150, 580), img.At(20, 150), img.At(580, 150)
		red := func(c color.Color) bool { r, _, b, _ := c.RGBA(); return r>>8 > 180 && b>>8 < 60 }
		blue := func(c color.Color) bool { r, _, b, _ := c.RGBA(); return b>>8 > 180 && r>>8 < 60 }
		var ok bool
		switch o {
		case 1:
			ok = img.Bounds().Dx() == 600 && red(left) && blue(right)
		case 3: // turned 180°
			ok = img.Bounds().Dx() == 600 && blue(left) && red(right)
		case 6: // shown turned 90° clockwise: the left half on top
			ok = img.Bounds().Dx() == 300 && red(top) && blue(bottom)
		case 8: // 90° anticlockwise: the left half at the bottom
			ok = img.Bounds().Dx() == 300 && blue(top) && red(bottom)
		}
		if !ok {
			t.Errorf("orientation %d: upright size %v, colours top %v bottom %v left %v right %v", o, img.Bounds().Size(), top, bottom, left, right)
		}
	}
}
