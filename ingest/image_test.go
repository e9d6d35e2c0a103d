package ingest

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const samples = "../../shared/samples/images"

func sampleDir(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(samples); err != nil {
		t.Skip("shared samples not present beside the repository")
	}
	return samples
}

func load(t *testing.T, path string) (image.Image, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := f.Read(head)
	mt, kind := Sniff(head[:n])
	if kind != KindImage {
		t.Fatalf("%s sniffed as %q", path, mt)
	}
	pages, err := imagePages(f, mt)
	if err != nil {
		return nil, err
	}
	return loadImage(f, mt, pages[0], 200_000_000)
}

// vipsPixels renders a file to sRGB with libvips, the reference for colours.
func vipsPixels(t *testing.T, path string) image.Image {
	t.Helper()
	if _, err := exec.LookPath("vips"); err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("vips is required (ARCHIVE_REQUIRE_TOOLS) but not installed")
		}
		t.Skip("vips not installed (Debian libvips-tools)")
	}
	out := filepath.Join(t.TempDir(), "ref.png")
	if _, err := exec.Command("vips", "icc_transform", path, out, "srgb", "--embedded").CombinedOutput(); err != nil {
		if b, err := exec.Command("vips", "copy", path, out).CombinedOutput(); err != nil {
			t.Fatalf("vips: %v %s", err, b)
		}
	}
	f, _ := os.Open(out)
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// meanDiff is the mean absolute difference per channel (0–255) of two images.
func meanDiff(a, b image.Image) float64 {
	var sum, n float64
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 3 {
		for x := r.Min.X; x < r.Max.X; x += 3 {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x-r.Min.X+b.Bounds().Min.X, y-r.Min.Y+b.Bounds().Min.Y).RGBA()
			for _, d := range []float64{float64(r1>>8) - float64(r2>>8), float64(g1>>8) - float64(g2>>8), float64(b1>>8) - float64(b2>>8)} {
				if d < 0 {
					d = -d
				}
				sum += d
				n++
			}
		}
	}
	return sum / n
}

func TestSampleImagesDecodeWithRightColoursOrAreRefused(t *testing.T) {
	dir := sampleDir(t)
	for _, name := range []string{"woodcut-olivo-en-mallorca.jpg", "woodcut-1958.tif", "display-p3-profile.jpg", "rgba-transparency.png", "ycbcr-jpeg-compressed.tiff"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			img, err := load(t, path)
			if err != nil {
				t.Fatal(err)
			}
			ref := vipsPixels(t, path)
			if img.Bounds().Size() != ref.Bounds().Size() {
				t.Fatalf("size %v, libvips %v", img.Bounds().Size(), ref.Bounds().Size())
			}
			if name == "rgba-transparency.png" {
				return // libvips keeps alpha; ours is flattened on white, checked below
			}
			if d := meanDiff(img, ref); d > 2.5 {
				t.Errorf("colours differ from libvips' sRGB rendering by %.2f per channel", d)
			}
		})
	}
	_, err := load(t, filepath.Join(dir, "cmyk-with-profile.jpg"))
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "CMYK") || !strings.Contains(err.Error(), "convert it to sRGB") {
		t.Errorf("CMYK sample: %v", err)
	}
}

func TestTransparencyIsFlattenedOnWhite(t *testing.T) {
	img, err := load(t, filepath.Join(sampleDir(t), "rgba-transparency.png"))
	if err != nil {
		t.Fatal(err)
	}
	ref := vipsPixels(t, filepath.Join(samples, "rgba-transparency.png"))
	// Where libvips sees full transparency we must have white.
	found := false
	b := ref.Bounds()
	for y := b.Min.Y; y < b.Max.Y && !found; y++ {
		for x := b.Min.X; x < b.Max.X && !found; x++ {
			if _, _, _, a := ref.At(x, y).RGBA(); a == 0 {
				found = true
				if r, g, bl, _ := img.At(x, y).RGBA(); r>>8 < 250 || g>>8 < 250 || bl>>8 < 250 {
					t.Fatalf("transparent pixel %d,%d became %v, not white", x, y, img.At(x, y))
				}
			}
		}
	}
	if !found {
		t.Fatal("sample has no transparent pixel to check")
	}
}

// TestCommonMasterFormatsMatchLibvips makes the variants of a real scan that
// archives hold — grey, 16-bit, tiled, LZW, Deflate, alpha, progressive and
// grey JPEG, palette PNG, WebP — and checks that each decodes to what
// libvips renders.
func TestCommonMasterFormatsMatchLibvips(t *testing.T) {
	src := filepath.Join(sampleDir(t), "woodcut-1958.tif")
	vipsPixels(t, src) // skips or fails when vips is absent
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		if b, err := exec.Command("vips", args...).CombinedOutput(); err != nil {
			t.Fatalf("vips %v: %v %s", args, err, b)
		}
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	run("colourspace", src, p("gray.tif"), "b-w")
	run("copy", src, p("tiled.tif")+"[tile,tile-width=128,tile-height=128]")
	run("copy", src, p("lzw.tif")+"[compression=lzw]")
	run("copy", src, p("deflate.tif")+"[compression=deflate,predictor=horizontal]")
	run("cast", src, p("t16.v"), "ushort", "--shift")
	run("copy", p("t16.v"), p("rgb16.tif"))
	run("colourspace", src, p("gray.jpg"), "b-w")
	run("copy", src, p("prog.jpg")+"[interlace]")
	run("copy", src, p("pal.png")+"[palette]")
	run("copy", src, p("lossless.webp")+"[lossless]")
	run("bandjoin_const", src, p("rgba.tif"), "128")
	run("flatten", p("rgba.tif"), p("rgba-on-white.png"), "--background", "255")
	for _, name := range []string{"gray.tif", "tiled.tif", "lzw.tif", "deflate.tif", "rgb16.tif", "gray.jpg", "prog.jpg", "pal.png", "lossless.webp", "rgba.tif"} {
		t.Run(name, func(t *testing.T) {
			img, err := load(t, p(name))
			if err != nil {
				t.Fatal(err)
			}
			ref := p(name)
			if name == "rgba.tif" {
				ref = p("rgba-on-white.png")
			}
			want := vipsPixels(t, ref)
			if img.Bounds().Size() != want.Bounds().Size() {
				t.Fatalf("size %v, libvips %v", img.Bounds().Size(), want.Bounds().Size())
			}
			if d := meanDiff(img, want); d > 3 {
				t.Errorf("differs from libvips by %.2f per channel", d)
			}
		})
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
	src := image.NewRGBA(image.Rect(0, 0, 200, 100))
	for y := range 100 {
		for x := range 200 {
			c := color.RGBA{20, 20, 220, 255} // blue right half
			if x < 100 {
				c = color.RGBA{220, 20, 20, 255} // red left half
			}
			src.SetRGBA(x, y, c)
		}
	}
	path := filepath.Join(t.TempDir(), "rotated.jpg")
	os.WriteFile(path, exifJPEG(t, src, 6), 0o644) // 6: stored turned; shown turned 90° clockwise
	img, err := load(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 100 || b.Dy() != 200 {
		t.Fatalf("upright size %v, want 100x200", b.Size())
	}
	r, _, bl, _ := img.At(50, 20).RGBA()
	r2, _, bl2, _ := img.At(50, 180).RGBA()
	if r>>8 < 180 || bl>>8 > 60 || bl2>>8 < 180 || r2>>8 > 60 {
		t.Fatalf("after orientation 6 the top should be red and the bottom blue: %v %v", img.At(50, 20), img.At(50, 180))
	}
}
