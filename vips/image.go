package vips

/*
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"image"
	"runtime"
	"unsafe"
)

// Image is an image libvips has opened: its header is read, its pixels are
// decoded only when something is made of it. Close frees it.
type Image struct {
	p *C.VipsImage
}

// OpenOptions choose what of a file to open.
type OpenOptions struct {
	// Page is the page (of a TIFF, PDF, HEIF or animated image) to open,
	// from 0.
	Page int
	// DPI renders a PDF page at this resolution (default 72).
	DPI float64
	// Sequential lets libvips stream the pixels top to bottom, decoding
	// only a few lines at a time; an image that will be rotated needs
	// random access.
	Sequential bool
}

// Loader names the libvips loader that reads the file at path ("jpegload",
// "jp2kload", "magickload", …), or "" when none does.
func Loader(path string) string {
	if start() != nil {
		return ""
	}
	cp := C.CString(path)
	defer C.free(unsafe.Pointer(cp))
	if n := C.archive_vips_loader(cp); n != nil {
		return C.GoString(n)
	}
	return ""
}

// Open opens one page of the image at path, reading its header only.
func Open(path string, opt OpenOptions) (*Image, error) {
	if err := start(); err != nil {
		return nil, err
	}
	cp := C.CString(path)
	defer C.free(unsafe.Pointer(cp))
	seq := C.int(0)
	if opt.Sequential {
		seq = 1
	}
	page := C.int(opt.Page)
	if opt.Page <= 0 && opt.DPI <= 0 {
		page = -1 // single-page loaders refuse a page option
	}
	p := C.archive_vips_open(cp, page, C.double(opt.DPI), seq)
	if p == nil {
		return nil, fail("load")
	}
	return newImage(p), nil
}

// Decode opens an image held in memory (a JPEG tile, for instance).
func Decode(b []byte) (*Image, error) {
	if err := start(); err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, &Error{Op: "load", Message: "empty buffer"}
	}
	p := C.archive_vips_open_buffer(unsafe.Pointer(&b[0]), C.size_t(len(b)))
	runtime.KeepAlive(b)
	if p == nil {
		return nil, fail("load")
	}
	return newImage(p), nil
}

func newImage(p *C.VipsImage) *Image {
	im := &Image{p: p}
	runtime.SetFinalizer(im, (*Image).Close)
	return im
}

// Close frees the image; it may be called more than once.
func (im *Image) Close() {
	if im != nil && im.p != nil {
		C.g_object_unref(C.gpointer(im.p))
		im.p = nil
		runtime.SetFinalizer(im, nil)
	}
}

// Width is the stored width in pixels, before any orientation.
func (im *Image) Width() int { return int(im.p.Xsize) }

// Height is the stored height in pixels (of one page).
func (im *Image) Height() int { return int(im.p.Ysize) }

// Bands is the number of channels, alpha included.
func (im *Image) Bands() int { return int(im.p.Bands) }

// Pages is how many pages the file holds (1 for most formats).
func (im *Image) Pages() int { return im.int("n-pages", 1) }

// Orientation is the EXIF orientation (1–8), 1 when none is stated.
func (im *Image) Orientation() int {
	o := im.int("orientation", 1)
	if o < 1 || o > 8 {
		return 1
	}
	return o
}

// UprightSize is the size once the orientation is applied.
func (im *Image) UprightSize() (w, h int) {
	if im.Orientation() >= 5 {
		return im.Height(), im.Width()
	}
	return im.Width(), im.Height()
}

// HasICC reports whether an ICC profile is embedded.
func (im *Image) HasICC() bool { return C.archive_vips_has_icc(im.p) != 0 }

// HasAlpha reports whether the image has a transparency channel.
func (im *Image) HasAlpha() bool { return C.vips_image_hasalpha(im.p) != 0 }

// Interpretation is libvips' name for the colour space the pixels are in:
// "srgb", "cmyk", "b-w", "rgb16", "grey16", "lab", …
func (im *Image) Interpretation() string {
	return C.GoString(C.vips_enum_nick(C.vips_interpretation_get_type(), C.int(C.vips_image_guess_interpretation(im.p))))
}

// Depth is the bits per channel: 8, 16, 32 or 64.
func (im *Image) Depth() int {
	switch im.p.BandFmt {
	case C.VIPS_FORMAT_UCHAR, C.VIPS_FORMAT_CHAR:
		return 8
	case C.VIPS_FORMAT_USHORT, C.VIPS_FORMAT_SHORT:
		return 16
	case C.VIPS_FORMAT_DOUBLE, C.VIPS_FORMAT_DPCOMPLEX:
		return 64
	}
	return 32
}

func (im *Image) int(name string, fallback int) int {
	cn := C.CString(name)
	defer C.free(unsafe.Pointer(cn))
	return int(C.archive_vips_get_int(im.p, cn, C.int(fallback)))
}

// Access returns the image as its access copy shows it: upright (EXIF
// orientation applied), 8-bit sRGB converted through the embedded ICC
// profile by LittleCMS (a CMYK image without a profile through libvips'
// CMYK profile), greyscale kept as one grey channel, transparency flattened
// onto white. When padW × padH is larger than the upright image, the last
// column and row are repeated up to that size.
func (im *Image) Access(padW, padH int) (*Image, error) {
	var out *C.VipsImage
	if C.archive_vips_access(im.p, &out, C.int(padW), C.int(padH)) != 0 {
		return nil, fail("convert")
	}
	return newImage(out), nil
}

// Memory computes the image's pixels into memory (its width × height ×
// bands bytes, for 8-bit images) and returns that image, which reading can
// no longer fail.
func (im *Image) Memory() (*Image, error) {
	p := C.archive_vips_memory(im.p)
	if p == nil {
		return nil, fail("decode")
	}
	return newImage(p), nil
}

// Save writes the image to path in the format its extension names (".v",
// libvips' own uncompressed format, is the fastest to write and read back).
func (im *Image) Save(path string) error {
	cp := C.CString(path)
	defer C.free(unsafe.Pointer(cp))
	if C.archive_vips_write(im.p, cp) != 0 {
		return fail("save")
	}
	return nil
}

// SavePyramid writes the image to path as a tiled TIFF pyramid of JPEG
// tiles (libvips tiffsave with tile, pyramid and JPEG compression): each
// level half the last, rounding down, until a level fits in one tile.
//
// libvips 8.14 crashes when a pyramid's source fails while it is written
// (a truncated master): save a source that may fail with Save first and
// make the pyramid from that.
func (im *Image) SavePyramid(path string, tile, quality int) error {
	cp := C.CString(path)
	defer C.free(unsafe.Pointer(cp))
	if C.archive_vips_tiff_pyramid(im.p, cp, C.int(tile), C.int(quality)) != 0 {
		return fail("save")
	}
	return nil
}

// ThumbnailJPEG fits the w × h area at x, y into size × size (never
// enlarging), with libvips' Lanczos reduction, as a JPEG.
func (im *Image) ThumbnailJPEG(x, y, w, h, size, quality int) ([]byte, error) {
	var buf unsafe.Pointer
	var n C.size_t
	if C.archive_vips_thumbnail_jpeg(im.p, C.int(x), C.int(y), C.int(w), C.int(h), C.int(size), C.int(quality), &buf, &n) != 0 {
		return nil, fail("save")
	}
	return take(buf, n), nil
}

// PNG encodes the image as PNG (for tests and checks: fast, lossless).
func (im *Image) PNG() ([]byte, error) {
	var buf unsafe.Pointer
	var n C.size_t
	if C.archive_vips_png(im.p, &buf, &n) != 0 {
		return nil, fail("save")
	}
	return take(buf, n), nil
}

// RGBA decodes a 3-band 8-bit image (as Access makes) whole into Go
// memory. Ingest never does this (it streams); it is here to measure that
// choice against the alternative.
func (im *Image) RGBA() (*image.RGBA, error) {
	if im.Bands() != 3 || im.Depth() != 8 {
		return nil, &Error{Op: "decode", Message: fmt.Sprintf("%d bands of %d bits, want 3 of 8", im.Bands(), im.Depth())}
	}
	var n C.size_t
	buf := C.archive_vips_rgba(im.p, &n)
	if buf == nil {
		return nil, fail("decode")
	}
	w, h := im.Width(), im.Height()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	copy(out.Pix, unsafe.Slice((*byte)(buf), int(n)))
	C.g_free(C.gpointer(buf))
	return out, nil
}

// take copies a buffer libvips allocated into Go memory and frees it.
func take(buf unsafe.Pointer, n C.size_t) []byte {
	defer C.g_free(C.gpointer(buf))
	return C.GoBytes(buf, C.int(n))
}

// Resize resamples 8-bit pixels (pix holds h rows of stride bytes, each
// w × bands bytes of pixels) to dw × dh with a triangle filter widened to
// the reduction, and returns them packed (dw × bands bytes a row). It is
// made for the small reductions left after a pyramid level and a scaled
// decode: a reduction by more than 2 is sharp but slower.
func Resize(pix []byte, w, h, stride, bands, dw, dh int) ([]byte, error) {
	return resize(pix, w, h, stride, bands, dw, dh, float64(dw)/float64(w), float64(dh)/float64(h), 0, 0, 1)
}

// ResizePlane resamples one plane of 4:2:0 colour (w × h samples, rows
// stride bytes apart) to dw × dh at the scale (sx, sy) of the image it
// belongs to, which its own sizes, rounded up to whole samples, do not
// give; (ox, oy) is where, in samples, the first output sample's source
// is offset (a half when the image begins at an odd pixel). A reduction's
// filter spans as many pixels as Resize's for the image, which is half as
// many samples of the plane.
func ResizePlane(pix []byte, w, h, stride, dw, dh int, sx, sy, ox, oy float64) ([]byte, error) {
	if sx <= 0 || sy <= 0 {
		return nil, &Error{Op: "resize", Message: fmt.Sprintf("scale %gx%g is not positive", sx, sy)}
	}
	return resize(pix, w, h, stride, 1, dw, dh, sx, sy, ox, oy, 0.5)
}

func resize(pix []byte, w, h, stride, bands, dw, dh int, sx, sy, ox, oy, widen float64) ([]byte, error) {
	if w <= 0 || h <= 0 || dw <= 0 || dh <= 0 || bands < 1 || bands > 4 || stride < w*bands || len(pix) < (h-1)*stride+w*bands {
		return nil, &Error{Op: "resize", Message: fmt.Sprintf("%d bytes are not %dx%d pixels of %d bands, or %dx%d is empty", len(pix), w, h, bands, dw, dh)}
	}
	out := make([]byte, dw*dh*bands)
	r := C.archive_resize((*C.uchar)(unsafe.Pointer(&pix[0])), C.int(w), C.int(h), C.int(stride), C.int(bands), (*C.uchar)(unsafe.Pointer(&out[0])), C.int(dw), C.int(dh),
		C.double(sx), C.double(sy), C.double(ox), C.double(oy), C.double(widen))
	runtime.KeepAlive(pix)
	runtime.KeepAlive(out)
	if r != 0 {
		return nil, &Error{Op: "resize", Message: "out of memory"}
	}
	return out, nil
}
