package vips

/*
#cgo pkg-config: libturbojpeg
#include <stdlib.h>
#include <turbojpeg.h>

// The plane pointers go as arguments, not in a Go array (cgo forbids Go
// memory that holds Go pointers).
static int archive_decode_yuv(tjhandle h, const unsigned char *src, unsigned long n,
	unsigned char *y, unsigned char *cb, unsigned char *cr, int w, int ys, int cs, int ht) {
	unsigned char *planes[3] = {y, cb, cr};
	int strides[3] = {ys, cs, cs};
	return tjDecompressToYUVPlanes(h, src, n, planes, w, strides, ht, 0);
}

static int archive_encode_yuv(tjhandle h, const unsigned char *y, const unsigned char *cb, const unsigned char *cr,
	int w, int ys, int cs, int ht, int quality, unsigned char **out, unsigned long *n) {
	const unsigned char *planes[3] = {y, cb, cr};
	int strides[3] = {ys, cs, cs};
	return tjCompressFromYUVPlanes(h, planes, w, strides, ht, TJSAMP_420, out, n, quality, 0);
}
*/
import "C"

import (
	"fmt"
	"image"
	"image/color"
	"runtime"
	"unsafe"
)

// DecodeJPEG decodes a JPEG with libjpeg-turbo's own interface (no
// libvips pipeline: a tile is too small to pay for one). A grey JPEG
// gives an *image.Gray, anything else an *image.RGBA.
func DecodeJPEG(data []byte) (image.Image, error) {
	return decodeJPEG(data, 8, false, false)
}

// DecodeJPEGScaled decodes a JPEG at eighths/8 of its size (1 to 8; each
// side rounded up), scaled in the DCT domain while decoding, so the pixels
// a reduced view throws away are never made. A grey JPEG gives an
// *image.Gray, anything else an *RGB (three bytes a pixel: a quarter less
// memory than RGBA for the tiles a server keeps).
func DecodeJPEGScaled(data []byte, eighths int) (image.Image, error) {
	return decodeJPEG(data, eighths, true, false)
}

// DecodeJPEGPlanar is DecodeJPEGScaled, except that a colour JPEG
// subsampled 4:2:0 (as tiles are), decoded at full size, gives an
// *image.YCbCr of its planes as coded: the colour is neither upsampled nor
// converted, and the pixels take half the memory of RGB. EncodeJPEGYCbCr
// takes such an image back. Scaled, it decodes to RGB: the planes' colour
// would come out of a reduced inverse DCT of its own and lose detail that
// decoding to RGB keeps.
func DecodeJPEGPlanar(data []byte, eighths int) (image.Image, error) {
	return decodeJPEG(data, eighths, true, true)
}

func decodeJPEG(data []byte, eighths int, rgb, planar bool) (image.Image, error) {
	if eighths < 1 || eighths > 8 {
		return nil, &Error{Op: "decode", Message: fmt.Sprintf("scale %d/8 is not one of 1/8 to 8/8", eighths)}
	}
	if len(data) == 0 {
		return nil, &Error{Op: "decode", Message: "empty JPEG"}
	}
	h := C.tjInitDecompress()
	if h == nil {
		return nil, &Error{Op: "decode", Message: C.GoString(C.tjGetErrorStr2(nil))}
	}
	defer C.tjDestroy(h)
	src := (*C.uchar)(unsafe.Pointer(&data[0]))
	var w, ht, sub, space C.int
	if C.tjDecompressHeader3(h, src, C.ulong(len(data)), &w, &ht, &sub, &space) != 0 {
		return nil, turboError(h)
	}
	w = (w*C.int(eighths) + 7) / 8
	ht = (ht*C.int(eighths) + 7) / 8
	var img image.Image
	var pix []byte
	var stride, format C.int
	if sub == C.TJSAMP_420 && planar && eighths == 8 {
		// The planes as they are coded: no upsampling of the colour, no
		// conversion to RGB, half the bytes of RGB. libjpeg-turbo writes the
		// luma at whole pairs of pixels (an odd size's last row and column
		// padded), so the planes are made that size and cut.
		pw, ph := int(w+1)&^1, int(ht+1)&^1
		m := image.NewYCbCr(image.Rect(0, 0, pw, ph), image.YCbCrSubsampleRatio420)
		r := C.archive_decode_yuv(h, src, C.ulong(len(data)), (*C.uchar)(&m.Y[0]), (*C.uchar)(&m.Cb[0]), (*C.uchar)(&m.Cr[0]),
			w, C.int(m.YStride), C.int(m.CStride), ht)
		runtime.KeepAlive(data)
		runtime.KeepAlive(m)
		if r != 0 {
			return nil, turboError(h)
		}
		return m.SubImage(image.Rect(0, 0, int(w), int(ht))), nil
	}
	if sub == C.TJSAMP_GRAY {
		g := image.NewGray(image.Rect(0, 0, int(w), int(ht)))
		img, pix, stride, format = g, g.Pix, C.int(g.Stride), C.TJPF_GRAY
	} else if rgb {
		m := NewRGB(image.Rect(0, 0, int(w), int(ht)))
		img, pix, stride, format = m, m.Pix, C.int(m.Stride), C.TJPF_RGB
	} else {
		rgba := image.NewRGBA(image.Rect(0, 0, int(w), int(ht)))
		img, pix, stride, format = rgba, rgba.Pix, C.int(rgba.Stride), C.TJPF_RGBA
	}
	r := C.tjDecompress2(h, src, C.ulong(len(data)), (*C.uchar)(unsafe.Pointer(&pix[0])), w, stride, ht, format, 0)
	runtime.KeepAlive(data)
	runtime.KeepAlive(pix)
	if r != 0 {
		return nil, turboError(h)
	}
	return img, nil
}

func turboError(h C.tjhandle) error {
	return &Error{Op: "decode", Message: C.GoString(C.tjGetErrorStr2(h))}
}

// EncodeJPEG encodes 8-bit pixels with libjpeg-turbo: pix holds h rows of
// w × bands bytes (bands 1 grey, 3 RGB, or 4 RGBA whose alpha is dropped),
// with no padding between rows. Colour is subsampled 4:2:0, as libjpeg's
// and libvips' own default below quality 90.
func EncodeJPEG(pix []byte, w, h, bands, quality int) ([]byte, error) {
	formats := map[int]C.int{1: C.TJPF_GRAY, 3: C.TJPF_RGB, 4: C.TJPF_RGBA}
	format, ok := formats[bands]
	if w <= 0 || h <= 0 || !ok || len(pix) < w*h*bands {
		return nil, &Error{Op: "encode", Message: fmt.Sprintf("%d bytes are not %dx%d pixels of %d bands", len(pix), w, h, bands)}
	}
	th := C.tjInitCompress()
	if th == nil {
		return nil, &Error{Op: "encode", Message: C.GoString(C.tjGetErrorStr2(nil))}
	}
	defer C.tjDestroy(th)
	sub := C.int(C.TJSAMP_420)
	if bands == 1 {
		sub = C.TJSAMP_GRAY
	}
	var buf *C.uchar
	var n C.ulong
	r := C.tjCompress2(th, (*C.uchar)(unsafe.Pointer(&pix[0])), C.int(w), C.int(w*bands), C.int(h), format, &buf, &n, sub, C.int(quality), 0)
	runtime.KeepAlive(pix)
	if buf != nil {
		defer C.tjFree(buf)
	}
	if r != 0 {
		return nil, &Error{Op: "encode", Message: C.GoString(C.tjGetErrorStr2(th))}
	}
	return C.GoBytes(unsafe.Pointer(buf), C.int(n)), nil
}

// EncodeJPEGYCbCr encodes a 4:2:0 image from its planes, as
// DecodeJPEGPlanar makes them and libjpeg codes them: no colour conversion
// or subsampling is done. The image begins at an even place (each colour
// sample then stands for the pixels it covers in the answer).
func EncodeJPEGYCbCr(m *image.YCbCr, quality int) ([]byte, error) {
	b := m.Rect
	if m.SubsampleRatio != image.YCbCrSubsampleRatio420 || b.Empty() || b.Min.X%2 != 0 || b.Min.Y%2 != 0 {
		return nil, &Error{Op: "encode", Message: fmt.Sprintf("a %v image of %v is not 4:2:0 planes from an even place", m.SubsampleRatio, b)}
	}
	m = padLuma(m)
	b = m.Rect
	th := C.tjInitCompress()
	if th == nil {
		return nil, &Error{Op: "encode", Message: C.GoString(C.tjGetErrorStr2(nil))}
	}
	defer C.tjDestroy(th)
	y, c := m.YOffset(b.Min.X, b.Min.Y), m.COffset(b.Min.X, b.Min.Y)
	var buf *C.uchar
	var n C.ulong
	r := C.archive_encode_yuv(th, (*C.uchar)(&m.Y[y]), (*C.uchar)(&m.Cb[c]), (*C.uchar)(&m.Cr[c]),
		C.int(b.Dx()), C.int(m.YStride), C.int(m.CStride), C.int(b.Dy()), C.int(quality), &buf, &n)
	runtime.KeepAlive(m)
	if buf != nil {
		defer C.tjFree(buf)
	}
	if r != 0 {
		return nil, &Error{Op: "encode", Message: C.GoString(C.tjGetErrorStr2(th))}
	}
	return C.GoBytes(unsafe.Pointer(buf), C.int(n)), nil
}

// padLuma returns m, or a copy whose luma has whole pairs of rows and
// columns (the last repeated), as libjpeg-turbo reads it: an odd size's
// padding would otherwise be read past the plane.
func padLuma(m *image.YCbCr) *image.YCbCr {
	b := m.Rect
	pw, ph := (b.Dx()+1)&^1, (b.Dy()+1)&^1
	y := m.YOffset(b.Min.X, b.Min.Y)
	if m.YStride >= pw && len(m.Y)-y >= (ph-1)*m.YStride+pw {
		return m
	}
	out := *m
	out.Y, out.YStride = make([]byte, pw*ph), pw
	out.Rect = image.Rect(0, 0, b.Dx(), b.Dy())
	out.Cb, out.Cr = m.Cb[m.COffset(b.Min.X, b.Min.Y):], m.Cr[m.COffset(b.Min.X, b.Min.Y):]
	for r := range ph {
		row := out.Y[r*pw : (r+1)*pw]
		copy(row, m.Y[y+min(r, b.Dy()-1)*m.YStride:][:b.Dx()])
		if pw > b.Dx() {
			row[pw-1] = row[pw-2]
		}
	}
	return &out
}

// CropJPEGLossless cuts the top left w × h pixels out of a JPEG without
// decoding it (libjpeg-turbo's lossless transform: the coded blocks are
// kept, the image's size is written smaller), as a pyramid's edge tile
// needs.
func CropJPEGLossless(data []byte, w, h int) ([]byte, error) {
	if len(data) == 0 || w <= 0 || h <= 0 {
		return nil, &Error{Op: "crop", Message: fmt.Sprintf("cannot cut %dx%d out of %d bytes", w, h, len(data))}
	}
	th := C.tjInitTransform()
	if th == nil {
		return nil, &Error{Op: "crop", Message: C.GoString(C.tjGetErrorStr2(nil))}
	}
	defer C.tjDestroy(th)
	var xf C.tjtransform
	xf.r.w, xf.r.h = C.int(w), C.int(h)
	xf.op = C.TJXOP_NONE
	xf.options = C.TJXOPT_CROP
	var buf *C.uchar
	var n C.ulong
	r := C.tjTransform(th, (*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), 1, &buf, &n, &xf, 0)
	runtime.KeepAlive(data)
	if buf != nil {
		defer C.tjFree(buf)
	}
	if r != 0 {
		return nil, &Error{Op: "crop", Message: C.GoString(C.tjGetErrorStr2(th))}
	}
	return C.GoBytes(unsafe.Pointer(buf), C.int(n)), nil
}

// RGB is an image of 8-bit red, green and blue, three bytes a pixel, opaque.
type RGB struct {
	Pix    []byte
	Stride int
	Rect   image.Rectangle
}

// NewRGB returns an RGB image of the given bounds.
func NewRGB(r image.Rectangle) *RGB {
	return &RGB{Pix: make([]byte, 3*r.Dx()*r.Dy()), Stride: 3 * r.Dx(), Rect: r}
}

func (m *RGB) ColorModel() color.Model { return color.RGBAModel }
func (m *RGB) Bounds() image.Rectangle { return m.Rect }

func (m *RGB) At(x, y int) color.Color {
	if !(image.Point{x, y}.In(m.Rect)) {
		return color.RGBA{}
	}
	i := (y-m.Rect.Min.Y)*m.Stride + (x-m.Rect.Min.X)*3
	return color.RGBA{m.Pix[i], m.Pix[i+1], m.Pix[i+2], 255}
}

// Opaque is true: RGB has no alpha.
func (m *RGB) Opaque() bool { return true }

// Set sets the pixel at x, y (opaque; alpha is ignored).
func (m *RGB) Set(x, y int, c color.Color) {
	if !(image.Point{x, y}.In(m.Rect)) {
		return
	}
	r, g, b, _ := c.RGBA()
	i := (y-m.Rect.Min.Y)*m.Stride + (x-m.Rect.Min.X)*3
	m.Pix[i], m.Pix[i+1], m.Pix[i+2] = uint8(r>>8), uint8(g>>8), uint8(b>>8)
}
