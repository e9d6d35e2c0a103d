package vips

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// The planes of a 4:2:0 JPEG, as decoded, agree with its RGB decoding
// (whose colour libjpeg upsamples), for even and odd sizes (libjpeg-turbo
// writes an odd size's luma padded to whole pairs: the planes must hold
// it, and the colour must not take it). Encoded from the planes and decoded
// again, the image is what it was, but for what quality 95 loses.
func TestPlanesAgreeWithRGB(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for y := range 256 {
		for x := range 256 {
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x), uint8(255-y), uint8((x*y)>>8), 255
		}
	}
	whole, err := EncodeJPEG(img.Pix, 256, 256, 4, 90)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []image.Point{{256, 256}, {201, 77}, {256, 69}, {201, 76}, {31, 5}, {7, 1}, {1, 7}} {
		data := whole
		if size.X != 256 || size.Y != 256 {
			if data, err = CropJPEGLossless(whole, size.X, size.Y); err != nil {
				t.Fatal(err)
			}
		}
		rgb, err := DecodeJPEGScaled(data, 8)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeJPEGPlanar(data, 8)
		if err != nil {
			t.Fatal(err)
		}
		m, ok := got.(*image.YCbCr)
		if !ok || m.Bounds().Size() != size {
			t.Fatalf("%v: %T of %v, not planes of that size", size, got, got.Bounds())
		}
		// Each colour sample against the mean of the pixels it stands for.
		worst := 0
		for cy := 0; 2*cy < size.Y; cy++ {
			for cx := 0; 2*cx < size.X; cx++ {
				sb, sr, n := 0, 0, 0
				for y := 2 * cy; y < min(2*cy+2, size.Y); y++ {
					for x := 2 * cx; x < min(2*cx+2, size.X); x++ {
						c := rgb.At(x, y).(color.RGBA)
						_, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
						sb, sr, n = sb+int(cb), sr+int(cr), n+1
					}
				}
				o := m.COffset(2*cx, 2*cy)
				worst = max(worst, abs(sb/n-int(m.Cb[o])), abs(sr/n-int(m.Cr[o])))
			}
		}
		if worst > 6 {
			t.Errorf("%v: a colour sample differs by %d from the pixels it stands for", size, worst)
		}
		enc, err := EncodeJPEGYCbCr(m, 95)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeJPEGPlanar(enc, 8)
		if err != nil {
			t.Fatal(err)
		}
		if back.Bounds() != m.Bounds() || meanDiff(back.(*image.YCbCr), m) > 2 {
			t.Errorf("%v: encoded from the planes and decoded, it is %v and differs by %.1f", size, back.Bounds(), meanDiff(back.(*image.YCbCr), m))
		}
	}
}

// Encoding planes of an odd size reads nothing past them, though the
// encoder reads luma in whole pairs of rows and columns: here the luma ends
// where the memory after it cannot be read.
func TestEncodePlanesOfOddSizeStaysInsideThem(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	for _, size := range []image.Point{{63, 63}, {64, 63}, {63, 64}} {
		w, h := size.X, size.Y
		m := &image.YCbCr{Y: mem[page-w*h : page], YStride: w, CStride: (w + 1) / 2, SubsampleRatio: image.YCbCrSubsampleRatio420, Rect: image.Rect(0, 0, w, h)}
		for i := range m.Y {
			m.Y[i] = uint8(i)
		}
		m.Cb, m.Cr = make([]byte, m.CStride*((h+1)/2)), make([]byte, m.CStride*((h+1)/2))
		data, err := EncodeJPEGYCbCr(m, 85)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeJPEGPlanar(data, 8)
		if err != nil || back.Bounds().Size() != size {
			t.Fatalf("%v: decoded %v, %v", size, back.Bounds(), err)
		}
	}
}

// meanDiff is the mean difference of two images' planes.
func meanDiff(a, b *image.YCbCr) float64 {
	s, n := 0, 0
	for y := range a.Rect.Dy() {
		for x := range a.Rect.Dx() {
			s += abs(int(a.Y[a.YOffset(x, y)]) - int(b.Y[b.YOffset(x, y)]))
			s += abs(int(a.Cb[a.COffset(x, y)]) - int(b.Cb[b.COffset(x, y)]))
			s += abs(int(a.Cr[a.COffset(x, y)]) - int(b.Cr[b.COffset(x, y)]))
			n += 3
		}
	}
	return float64(s) / float64(n)
}

// A colour plane is resampled at its image's scale, not its own: a ramp
// across the image stays a ramp with no drift, however the plane's size
// was rounded.
func TestResizePlaneKeepsTheImagesScale(t *testing.T) {
	const w, h, dw = 950, 4, 633 // planes 475 and 317 wide: 317 is not 633/2
	plane := make([]byte, 475*2)
	for i := range plane {
		plane[i] = uint8(i % 475 * 255 / 474)
	}
	out, err := ResizePlane(plane, 475, 2, 475, (dw+1)/2, 2, float64(dw)/w, 1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for j := 2; j < (dw+1)/2-2; j++ {
		// sample j of the output stands for output pixels 2j and 2j+1,
		// whose centre is at input pixel (2j+1)·w/dw, in samples half that
		want := ((2*float64(j)+1)*w/dw/2 - 0.5) * 255 / 474
		if d := float64(out[j]) - want; d > 1.5 || d < -1.5 {
			t.Fatalf("sample %d is %d, want %.1f", j, out[j], want)
		}
	}
}
