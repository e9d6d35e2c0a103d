package ingest

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strconv"

	"github.com/disintegration/imaging"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"

	"github.com/thaiarchives/archive/pyramid"
)

var errCMYK = refuse("cmyk")

// source is a master being read: random access for TIFF and a size.
type source interface {
	io.ReaderAt
	io.Reader
	io.Seeker
}

// imagePages lists the pages of an image: the full-resolution IFDs of a TIFF
// (skipping reduced levels), one page for other formats.
func imagePages(f source, mediaType string) ([]*pyramid.IFD, error) {
	if mediaType != "image/tiff" {
		return []*pyramid.IFD{nil}, nil
	}
	ifds, err := pyramid.ReadIFDs(f)
	if err != nil {
		return nil, refuse("tiff_damaged", err.Error())
	}
	var pages []*pyramid.IFD
	for _, d := range ifds {
		if !d.Reduced {
			pages = append(pages, d)
		}
	}
	return pages, nil
}

// imageMeta is what is read before decoding: size, orientation, profile.
type imageMeta struct {
	w, h        int
	orientation int
	icc         []byte
	components  int // of a JPEG: 4 for CMYK
}

// readMeta reads an image's dimensions and colour metadata without decoding
// its pixels, so bombs are refused before they cost anything.
func readMeta(f source, mediaType string, page *pyramid.IFD) (imageMeta, error) {
	var m imageMeta
	if page != nil {
		m.w, m.h, m.orientation, m.icc = page.Width, page.Height, page.Orientation, page.ICC
		return m, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return m, err
	}
	var cfg image.Config
	var err error
	switch mediaType {
	case "image/jpeg":
		m.orientation, m.icc, m.components = jpegMarkers(f)
		if m.components == 4 {
			return m, errCMYK
		}
		f.Seek(0, io.SeekStart)
		cfg, err = jpeg.DecodeConfig(bufio.NewReader(f))
	case "image/png":
		cfg, err = png.DecodeConfig(bufio.NewReader(f))
		if err == nil {
			m.icc = pngICC(f)
		}
	case "image/gif":
		cfg, err = gif.DecodeConfig(bufio.NewReader(f))
	case "image/webp":
		cfg, err = webp.DecodeConfig(bufio.NewReader(f))
	default:
		return m, refuse("image_unsupported", mediaType)
	}
	if err != nil {
		return m, refuse("image_header", err.Error(), mediaType)
	}
	m.w, m.h = cfg.Width, cfg.Height
	return m, nil
}

// loadImage decodes one page into an opaque 8-bit sRGB *image.RGBA, or an
// *image.Gray for greyscale masters, upright.
func loadImage(f source, mediaType string, page *pyramid.IFD, maxPixels int64) (image.Image, error) {
	m, err := readMeta(f, mediaType, page)
	if err != nil {
		return nil, err
	}
	if m.w <= 0 || m.h <= 0 {
		return nil, refuse("image_no_size")
	}
	if int64(m.w)*int64(m.h) > maxPixels {
		return nil, refuse("image_too_large", itoa(m.w), itoa(m.h), strconv.FormatInt(maxPixels/1_000_000, 10))
	}
	var prof *iccProfile
	if len(m.icc) > 0 {
		if prof, err = parseICC(m.icc); err != nil {
			return nil, refuse("icc_damaged", err.Error())
		}
	}
	img, err := decodePixels(f, mediaType, page)
	if err != nil {
		return nil, err
	}
	if b := img.Bounds(); b.Dx() != m.w || b.Dy() != m.h {
		return nil, refuse("image_size_differs", itoa(b.Dx()), itoa(b.Dy()), itoa(m.w), itoa(m.h))
	}
	out, err := normalise(img, prof)
	if err != nil {
		return nil, err
	}
	return orient(out, m.orientation), nil
}

func decodePixels(f source, mediaType string, page *pyramid.IFD) (image.Image, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var img image.Image
	var err error
	switch mediaType {
	case "image/jpeg":
		img, err = jpeg.Decode(bufio.NewReaderSize(f, 1<<16))
	case "image/png":
		img, err = png.Decode(bufio.NewReaderSize(f, 1<<16))
	case "image/gif":
		img, err = gif.Decode(bufio.NewReader(f))
	case "image/webp":
		img, err = webp.Decode(bufio.NewReader(f))
	case "image/tiff":
		if page.Compression == 7 {
			return decodeJPEGTIFF(f, page)
		}
		if rawTIFF(page) {
			return decodeRawTIFF(f, page)
		}
		img, err = tiff.Decode(io.NewSectionReader(&firstIFD{f, page.Offset}, 0, 1<<62))
	}
	if err != nil {
		return nil, refuse("image_corrupt", err.Error())
	}
	return img, nil
}

// firstIFD presents a TIFF whose first IFD is another page's, so a decoder
// that reads only the first page reads that one.
type firstIFD struct {
	r   io.ReaderAt
	ifd int64
}

func (p *firstIFD) ReadAt(b []byte, off int64) (int, error) {
	n, err := p.r.ReadAt(b, off)
	var hdr [4]byte
	binary.LittleEndian.PutUint32(hdr[:], uint32(p.ifd))
	var o [2]byte
	p.r.ReadAt(o[:], 0)
	if string(o[:]) == "MM" {
		binary.BigEndian.PutUint32(hdr[:], uint32(p.ifd))
	}
	for i := range 4 {
		if j := 4 + int64(i) - off; j >= 0 && j < int64(n) {
			b[j] = hdr[i]
		}
	}
	return n, err
}

// decodeJPEGTIFF decodes a TIFF of JPEG-compressed tiles or strips, which
// x/image/tiff does not read, one tile at a time.
func decodeJPEGTIFF(r io.ReaderAt, d *pyramid.IFD) (image.Image, error) {
	if d.TileW <= 0 || d.TileH <= 0 || len(d.Offsets) != d.Cols()*d.Rows() {
		return nil, refuse("tiff_no_layout")
	}
	dst := image.NewRGBA(image.Rect(0, 0, d.Width, d.Height))
	for i := range d.Offsets {
		n := d.Counts[i]
		if n > 64<<20 {
			return nil, refuse("tiff_tile_size", fmt.Sprint(n))
		}
		buf := make([]byte, n)
		if _, err := r.ReadAt(buf, int64(d.Offsets[i])); err != nil {
			return nil, refuse("tiff_truncated", itoa(i), err.Error())
		}
		t, err := d.DecodeTile(buf)
		if err != nil {
			return nil, refuse("tiff_tile_corrupt", itoa(i), err.Error())
		}
		at := image.Pt(i%d.Cols()*d.TileW, i/d.Cols()*d.TileH)
		draw.Draw(dst, t.Bounds().Add(at), t, t.Bounds().Min, draw.Src)
	}
	return dst, nil
}

// rawTIFF reports whether a page is uncompressed 8-bit chunky grey, RGB or
// RGBA: the usual archival master, which decodeRawTIFF reads directly.
func rawTIFF(d *pyramid.IFD) bool {
	spp := d.SamplesPerPixel
	return d.Compression == 1 && d.BitsPerSample == 8 && d.PlanarConfig == 1 && d.TileW > 0 && d.TileH > 0 &&
		(spp == 1 && d.Photometric <= 1 || (spp == 3 || spp == 4) && d.Photometric == 2)
}

// decodeRawTIFF copies the strips or tiles of an uncompressed TIFF straight
// into pixels, several at a time: far faster than a general decoder.
func decodeRawTIFF(r io.ReaderAt, d *pyramid.IFD) (image.Image, error) {
	spp := d.SamplesPerPixel
	var pix []byte
	var stride, bpp int
	var out image.Image
	if spp == 1 {
		g := image.NewGray(image.Rect(0, 0, d.Width, d.Height))
		pix, stride, bpp, out = g.Pix, g.Stride, 1, g
	} else if spp == 3 {
		m := image.NewRGBA(image.Rect(0, 0, d.Width, d.Height))
		pix, stride, bpp, out = m.Pix, m.Stride, 4, m
	} else {
		m := image.NewNRGBA(image.Rect(0, 0, d.Width, d.Height))
		pix, stride, bpp, out = m.Pix, m.Stride, 4, m
	}
	cols := d.Cols()
	errs := make(chan error, len(d.Offsets))
	sem := make(chan struct{}, 4)
	for i := range d.Offsets {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			x0, y0 := i%cols*d.TileW, i/cols*d.TileH
			w, h := d.TileW, min(d.TileH, d.Height-y0)
			if d.Stripped {
				w = d.Width
			}
			need := int64(w * h * spp)
			if int64(d.Counts[i]) < need && !(d.Stripped || x0+w > d.Width) {
				errs <- refuse("tiff_tile_short", itoa(i), fmt.Sprint(d.Counts[i]), fmt.Sprint(need))
				return
			}
			buf := make([]byte, need)
			if n, err := r.ReadAt(buf, int64(d.Offsets[i])); int64(n) < need {
				errs <- refuse("tiff_block_short", itoa(i), fmt.Sprint(err))
				return
			}
			vis := min(w, d.Width-x0) // pixels of the block inside the image
			for y := range h {
				src := buf[y*w*spp : y*w*spp+vis*spp]
				dst := pix[(y0+y)*stride+x0*bpp:]
				switch {
				case spp == 1 && d.Photometric == 0:
					for x, v := range src {
						dst[x] = 255 - v
					}
				case spp == 3:
					dst = dst[:4*vis]
					for x := 0; x < vis; x++ {
						s, t := src[3*x:3*x+3:3*x+3], dst[4*x:4*x+4:4*x+4]
						t[0], t[1], t[2], t[3] = s[0], s[1], s[2], 255
					}
				default:
					copy(dst, src)
				}
			}
			errs <- nil
		}()
	}
	for range d.Offsets {
		if err := <-errs; err != nil {
			return nil, err
		}
	}
	return out, nil
}

// normalise converts any decoded image to opaque 8-bit sRGB (RGBA) or grey,
// flattening transparency onto white (paper) and converting ICC colours.
func normalise(img image.Image, prof *iccProfile) (image.Image, error) {
	switch img.(type) {
	case *image.CMYK:
		return nil, errCMYK
	case *image.Gray:
		return img, nil
	case *image.Gray16:
		g := image.NewGray(img.Bounds())
		draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
		return g, nil
	}
	b := img.Bounds()
	rgba, reuse := img.(*image.RGBA)
	if reuse && b.Min == (image.Point{}) && rgba.Opaque() {
		// already what we need
	} else if rgba = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy())); opaque(img) {
		draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Src)
	} else {
		draw.Draw(rgba, rgba.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Over)
	}
	if prof != nil {
		switch {
		case prof.space == "GRAY":
		case prof.space != "RGB ":
			return nil, refuse("icc_space", prof.space)
		case !prof.isSRGB():
			if err := prof.toSRGB(rgba); err != nil {
				return nil, err
			}
		}
	}
	return rgba, nil
}

func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// orient applies an EXIF orientation (1–8) so the image stands upright.
func orient(img image.Image, o int) image.Image {
	var n *image.NRGBA
	switch o {
	case 2:
		n = imaging.FlipH(img)
	case 3:
		n = imaging.Rotate180(img)
	case 4:
		n = imaging.FlipV(img)
	case 5:
		n = imaging.Transpose(img)
	case 6:
		n = imaging.Rotate270(img)
	case 7:
		n = imaging.Transverse(img)
	case 8:
		n = imaging.Rotate90(img)
	default:
		return img
	}
	if _, gray := img.(*image.Gray); gray {
		g := image.NewGray(n.Rect)
		for i := range g.Pix {
			g.Pix[i] = n.Pix[4*i]
		}
		return g
	}
	// Opaque NRGBA and RGBA share one layout.
	return &image.RGBA{Pix: n.Pix, Stride: n.Stride, Rect: n.Rect}
}

// jpegMarkers reads a JPEG's EXIF orientation and ICC profile (APP1, APP2).
func jpegMarkers(f source) (orientation int, icc []byte, components int) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, nil, 0
	}
	r := bufio.NewReader(f)
	var soi [2]byte
	if _, err := io.ReadFull(r, soi[:]); err != nil {
		return 0, nil, 0
	}
	chunks := map[int][]byte{}
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil || hdr[0] != 0xFF {
			break
		}
		marker, size := hdr[1], int(binary.BigEndian.Uint16(hdr[2:]))-2
		if marker == 0xDA || marker == 0xD9 || size < 0 {
			break
		}
		seg := make([]byte, size)
		if _, err := io.ReadFull(r, seg); err != nil {
			break
		}
		switch {
		case marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")):
			orientation = exifOrientation(seg[6:])
		case marker == 0xE2 && bytes.HasPrefix(seg, []byte("ICC_PROFILE\x00")) && len(seg) > 14:
			chunks[int(seg[12])] = seg[14:]
		case marker >= 0xC0 && marker <= 0xC2 && len(seg) > 5:
			components = int(seg[5])
		}
	}
	for i := 1; chunks[i] != nil; i++ {
		icc = append(icc, chunks[i]...)
	}
	return orientation, icc, components
}

func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if string(t[:2]) == "MM" {
		bo = binary.BigEndian
	}
	off := int(bo.Uint32(t[4:]))
	if off+2 > len(t) {
		return 0
	}
	n := int(bo.Uint16(t[off:]))
	for i := range n {
		e := off + 2 + 12*i
		if e+12 > len(t) {
			break
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			return int(bo.Uint16(t[e+8:]))
		}
	}
	return 0
}

// pngICC returns the decompressed iCCP chunk of a PNG, if any.
func pngICC(f source) []byte {
	if _, err := f.Seek(8, io.SeekStart); err != nil {
		return nil
	}
	r := bufio.NewReader(f)
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return nil
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		switch string(hdr[4:]) {
		case "iCCP":
			data := make([]byte, min(n, 16<<20))
			if _, err := io.ReadFull(r, data); err != nil {
				return nil
			}
			i := bytes.IndexByte(data, 0)
			if i < 0 || i+2 > len(data) {
				return nil
			}
			zr, err := zlib.NewReader(bytes.NewReader(data[i+2:]))
			if err != nil {
				return nil
			}
			b, _ := io.ReadAll(io.LimitReader(zr, 16<<20))
			return b
		case "IDAT", "IEND":
			return nil
		}
		if _, err := r.Discard(int(n) + 4); err != nil {
			return nil
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
