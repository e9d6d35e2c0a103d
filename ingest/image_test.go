package ingest

import (
	"errors"
	"image"
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
	if b, err := exec.Command("vips", "icc_transform", path, out, "srgb", "--embedded").CombinedOutput(); err != nil {
		if b, err = exec.Command("vips", "copy", path, out).CombinedOutput(); err != nil {
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
