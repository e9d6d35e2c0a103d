package vips

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionIsKnownOnceStarted(t *testing.T) {
	if v := Version(); !strings.HasPrefix(v, "8.") {
		t.Fatalf("libvips version %q", v)
	}
}

func TestFailuresCarryLibvipsMessage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not-an-image.jpg")
	os.WriteFile(path, []byte("\xFF\xD8\xFF\xE0 and then nothing of a JPEG"), 0o644)
	_, err := Open(path, OpenOptions{})
	var ve *Error
	if !errors.As(err, &ve) || ve.Op != "load" || ve.Message == "" {
		t.Fatalf("opening a broken JPEG: %v", err)
	}
	if _, err := Decode(nil); err == nil {
		t.Fatal("decoding nothing succeeded")
	}
}

// TestAccessMakesOpaqueSRGB converts a PNG with alpha, flattens it on
// white, pads it and writes it out again.
func TestAccessMakesOpaqueSRGB(t *testing.T) {
	dir := t.TempDir()
	im, err := Decode(greyAlphaPNG(t))
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if !im.HasAlpha() || im.Bands() != 4 || im.Interpretation() != "srgb" || im.Depth() != 8 {
		t.Fatalf("grey with alpha read as %d bands, %s, alpha %v", im.Bands(), im.Interpretation(), im.HasAlpha())
	}
	acc, err := im.Access(5, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer acc.Close()
	if acc.Width() != 5 || acc.Height() != 4 || acc.Bands() != 3 || acc.HasAlpha() {
		t.Fatalf("access pixels %dx%d, %d bands, alpha %v", acc.Width(), acc.Height(), acc.Bands(), acc.HasAlpha())
	}
	out, err := acc.PNG()
	if err != nil {
		t.Fatal(err)
	}
	p, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if r, _, _, _ := p.At(0, 0).RGBA(); r>>8 != 255 {
		t.Errorf("a transparent pixel became %v, not white", p.At(0, 0))
	}
	if r, _, _, _ := p.At(4, 3).RGBA(); r>>8 != 40 {
		t.Errorf("the padding repeats the last pixel (40), got %v", p.At(4, 3))
	}
	path := filepath.Join(dir, "x.v")
	if err := acc.Save(path); err != nil {
		t.Fatal(err)
	}
	if l := Loader(path); l != "vipsload" {
		t.Errorf("loader of a .v file: %q", l)
	}
}

// greyAlphaPNG is a 3×2 RGBA PNG: a transparent left column, grey 40
// elsewhere.
func greyAlphaPNG(t *testing.T) []byte {
	t.Helper()
	img := newNGrey(3, 2)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCropJPEGLosslessKeepsThePixels(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for i := range img.Pix {
		img.Pix[i] = uint8(i*7 + i/1024)
	}
	whole, err := EncodeJPEG(img.Pix, 256, 256, 4, 85)
	if err != nil {
		t.Fatal(err)
	}
	full, err := DecodeJPEG(whole)
	if err != nil {
		t.Fatal(err)
	}
	cut, err := CropJPEGLossless(whole, 201, 77)
	if err != nil {
		t.Fatal(err)
	}
	part, err := DecodeJPEG(cut)
	if err != nil {
		t.Fatal(err)
	}
	if part.Bounds().Size() != image.Pt(201, 77) {
		t.Fatalf("cut is %v", part.Bounds().Size())
	}
	// The coded blocks are the same; only chroma upsampling at the new
	// edge may differ by a little.
	differ := 0
	for y := range 77 {
		for x := range 201 {
			a, b := full.(*image.RGBA).RGBAAt(x, y), part.(*image.RGBA).RGBAAt(x, y)
			if a != b {
				differ++
			}
		}
	}
	if differ > 201*77/20 {
		t.Errorf("%d of %d pixels changed", differ, 201*77)
	}
	if _, err := CropJPEGLossless([]byte("not a jpeg"), 10, 10); err == nil {
		t.Error("a non-JPEG was cut")
	}
}
