package imageapi

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"github.com/disintegration/imaging"
	"golang.org/x/image/tiff"

	"github.com/thaiarchives/archive/vips"
)

// Source is a tiled pyramid an image is rendered from.
type Source interface {
	// Levels are the sizes of the pyramid, full resolution first, each half
	// the one before (rounded up).
	Levels() []image.Point
	TileSize() int
	// Tile returns the tile (col, row) of a level decoded at eighths/8 of
	// its size (each side rounded up).
	Tile(ctx context.Context, level, col, row, eighths int) (image.Image, error)
}

// Render makes the image a plan asks for from the coarsest level that
// still has enough pixels, decoding only the tiles it touches and those
// at the smallest scale (in eighths, done by the JPEG decoder) that still
// has enough. What is left is at most a small reduction; when the pixels
// are already the size asked for (within a pixel) they are taken as they
// are.
func Render(ctx context.Context, p Plan, src Source) (image.Image, error) {
	l, m, r := layout(p, src.Levels(), src.TileSize())
	img, err := cut(ctx, src, l, m, r)
	if err != nil {
		return nil, err
	}
	// Planes cut from an odd place are resampled even at their size: their
	// first colour sample stands for the pixel before the first as well.
	if b := img.Bounds(); b.Dx() != p.W || b.Dy() != p.H || isPlanes(img) && (b.Min.X%2 != 0 || b.Min.Y%2 != 0) {
		if img, err = resize(img, p.W, p.H); err != nil {
			return nil, err
		}
	}
	if isPlanes(img) && (p.Mirror || p.Rotation != 0 || p.Format != "jpg") && p.Quality != "gray" && p.Quality != "bitonal" {
		if img, err = toRGB(img.(*image.YCbCr)); err != nil {
			return nil, err
		}
	}
	if p.Mirror {
		img = imaging.FlipH(img)
	}
	img = rotate(img, p.Rotation, p.Format)
	switch p.Quality {
	case "gray":
		img = toGray(img)
	case "bitonal":
		g := toGray(img).(*image.Gray)
		for i, v := range g.Pix {
			if v >= 128 {
				g.Pix[i] = 255
			} else {
				g.Pix[i] = 0
			}
		}
		img = g
	}
	return img, nil
}

// layout chooses the level l and the decoding scale m/8 for a plan, and
// the rectangle r of those pixels that is cut out.
func layout(p Plan, levels []image.Point, ts int) (l, m int, r image.Rectangle) {
	rw, rh := float64(p.Region.Dx()), float64(p.Region.Dy())
	for l+1 < len(levels) && int(rw)>>(l+1) >= p.W && int(rh)>>(l+1) >= p.H {
		l++
	}
	// Only halvings: libjpeg-turbo's SIMD code makes the 8, 4, 2 and 1
	// point inverse DCTs; the others (7, 6, 5, 3) are plain C, slower than
	// decoding whole and resampling the planes, and blur the colour.
	m = 8
	if ts%8 == 0 {
		for m > 1 && rw*float64(m/2)/float64(int(8)<<l) >= float64(p.W) && rh*float64(m/2)/float64(int(8)<<l) >= float64(p.H) {
			m /= 2
		}
	}
	sc := float64(m) / float64(int(8)<<l) // decoded pixels per full-resolution pixel
	lw, lh := (levels[l].X*m+7)/8, (levels[l].Y*m+7)/8
	x0, y0 := float64(p.Region.Min.X)*sc, float64(p.Region.Min.Y)*sc
	x1, y1 := float64(p.Region.Max.X)*sc, float64(p.Region.Max.Y)*sc
	r = image.Rect(int(x0), int(y0), int(math.Ceil(x1)), int(math.Ceil(y1))).Intersect(image.Rect(0, 0, lw, lh))
	if math.Abs(x1-x0-float64(p.W)) < 1 && math.Abs(y1-y0-float64(p.H)) < 1 && p.W <= lw && p.H <= lh {
		x, y := min(int(math.Round(x0)), lw-p.W), min(int(math.Round(y0)), lh-p.H)
		r = image.Rect(x, y, x+p.W, y+p.H)
	}
	return l, m, r
}

// WorkingBytes is about the most memory rendering a plan takes at once:
// the pixels cut out, the resampled image and its rotated copy, and the
// encoded answer.
func WorkingBytes(p Plan, levels []image.Point, ts int) int64 {
	_, _, r := layout(p, levels, ts)
	out := int64(p.W) * int64(p.H) * 4
	if math.Mod(p.Rotation, 90) != 0 {
		out *= 2 // the turned image's bounding box
	}
	return int64(r.Dx())*int64(r.Dy())*4 + 3*out
}

// cut assembles r, in the pixels of level l decoded at m/8, from the tiles
// it covers.
func cut(ctx context.Context, src Source, l, m int, r image.Rectangle) (image.Image, error) {
	ts := src.TileSize() * m / 8
	type placed struct {
		t  image.Image
		at image.Point
	}
	var tiles []placed
	gray, planar := true, true
	for row := r.Min.Y / ts; row <= (r.Max.Y-1)/ts; row++ {
		for col := r.Min.X / ts; col <= (r.Max.X-1)/ts; col++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			t, err := src.Tile(ctx, l, col, row, m)
			if err != nil {
				return nil, err
			}
			if _, ok := t.(*image.Gray); !ok {
				gray = false
			}
			if !isPlanes(t) {
				planar = false
			}
			tiles = append(tiles, placed{t, image.Pt(col*ts, row*ts).Sub(r.Min)})
		}
	}
	// Tiles decoded to their 4:2:0 planes make an image of planes (a byte
	// and a half a pixel through resampling and encoding, the colour never
	// converted); grey tiles a grey image; others an RGB image.
	if planar && len(tiles) > 0 {
		c := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
		for _, p := range tiles {
			placePlanes(c, p.t.(*image.YCbCr), p.at.Add(r.Min))
		}
		return c, nil
	}
	var canvas draw.Image = vips.NewRGB(image.Rect(0, 0, r.Dx(), r.Dy()))
	if gray {
		canvas = image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	}
	for _, p := range tiles {
		place(canvas, p.t, p.at)
	}
	return canvas, nil
}

// placePlanes copies tile t into c with its top left at at, both in the
// level's pixels: c's bounds are the rectangle cut out, and at is even, so
// each chroma sample stays with the pair of pixels it was coded for.
func placePlanes(c, t *image.YCbCr, at image.Point) {
	d := t.Rect.Sub(t.Rect.Min).Add(at).Intersect(c.Rect)
	if d.Empty() {
		return
	}
	for y := d.Min.Y; y < d.Max.Y; y++ {
		copy(c.Y[c.YOffset(d.Min.X, y):][:d.Dx()], t.Y[t.YOffset(d.Min.X-at.X, y-at.Y):])
	}
	// The chroma samples of the pixel pairs d touches.
	cx0, cx1 := d.Min.X/2, (d.Max.X+1)/2
	for cy := d.Min.Y / 2; cy < (d.Max.Y+1)/2; cy++ {
		do, so := c.COffset(2*cx0, 2*cy), t.COffset(2*cx0-at.X, 2*cy-at.Y)
		copy(c.Cb[do:][:cx1-cx0], t.Cb[so:])
		copy(c.Cr[do:][:cx1-cx0], t.Cr[so:])
	}
}

// place copies tile t into canvas with its top left at at.
func place(canvas draw.Image, t image.Image, at image.Point) {
	tb := t.Bounds()
	dst := tb.Sub(tb.Min).Add(at).Intersect(canvas.Bounds())
	if dst.Empty() {
		return
	}
	src := dst.Min.Sub(at).Add(tb.Min)
	switch c := canvas.(type) {
	case *vips.RGB:
		if tt, ok := t.(*vips.RGB); ok {
			for y := 0; y < dst.Dy(); y++ {
				d := c.Pix[(dst.Min.Y+y)*c.Stride+3*dst.Min.X:][:3*dst.Dx()]
				copy(d, tt.Pix[(src.Y-tb.Min.Y+y)*tt.Stride+3*(src.X-tb.Min.X):])
			}
			return
		}
		for y := 0; y < dst.Dy(); y++ { // a grey tile among colour ones
			for x := 0; x < dst.Dx(); x++ {
				c.Set(dst.Min.X+x, dst.Min.Y+y, t.At(src.X+x, src.Y+y))
			}
		}
	case *image.Gray:
		if tt, ok := t.(*image.Gray); ok {
			for y := 0; y < dst.Dy(); y++ {
				copy(c.Pix[(dst.Min.Y+y)*c.Stride+dst.Min.X:][:dst.Dx()], tt.Pix[(src.Y-tb.Min.Y+y)*tt.Stride+(src.X-tb.Min.X):])
			}
			return
		}
		draw.Draw(canvas, dst, t, src, draw.Src)
	}
}

// resize resamples img to w × h (see vips.Resize); an image of 4:2:0
// planes plane by plane, the colour at half the size.
func resize(img image.Image, w, h int) (image.Image, error) {
	if isPlanes(img) {
		m := img.(*image.YCbCr)
		b := m.Rect
		y := m.YOffset(b.Min.X, b.Min.Y)
		out := &image.YCbCr{YStride: w, CStride: (w + 1) / 2, SubsampleRatio: m.SubsampleRatio, Rect: image.Rect(0, 0, w, h)}
		var err error
		if b.Dx() == w && b.Dy() == h { // only the colour is moved: the luma is copied
			out.Y = make([]byte, w*h)
			for r := range h {
				copy(out.Y[r*w:][:w], m.Y[y+r*m.YStride:])
			}
		} else if out.Y, err = vips.Resize(m.Y[y:], b.Dx(), b.Dy(), m.YStride, 1, w, h); err != nil {
			return nil, err
		}
		if out.Cb, out.Cr, err = resizeColour(m, (w+1)/2, (h+1)/2, float64(w)/float64(b.Dx()), float64(h)/float64(b.Dy())); err != nil {
			return nil, err
		}
		return out, nil
	}
	pix, bands := packed(img)
	b := img.Bounds()
	out, err := vips.Resize(pix, b.Dx(), b.Dy(), b.Dx()*bands, bands, w, h)
	if err != nil {
		return nil, err
	}
	switch bands {
	case 1:
		return &image.Gray{Pix: out, Stride: w, Rect: image.Rect(0, 0, w, h)}, nil
	case 3:
		return &vips.RGB{Pix: out, Stride: 3 * w, Rect: image.Rect(0, 0, w, h)}, nil
	}
	return &image.RGBA{Pix: out, Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}, nil
}

// resizeColour resamples the colour planes of m to dw × dh samples at the
// scale (sx, sy) of the image: the planes' own sizes are rounded up to
// whole samples, and begin half a sample early when m begins at an odd
// pixel.
func resizeColour(m *image.YCbCr, dw, dh int, sx, sy float64) (cb, cr []byte, err error) {
	b := m.Rect
	cw, ch := (b.Max.X+1)/2-b.Min.X/2, (b.Max.Y+1)/2-b.Min.Y/2
	ox, oy := float64(b.Min.X&1)/2, float64(b.Min.Y&1)/2
	c := m.COffset(b.Min.X, b.Min.Y)
	if cb, err = vips.ResizePlane(m.Cb[c:], cw, ch, m.CStride, dw, dh, sx, sy, ox, oy); err != nil {
		return nil, nil, err
	}
	cr, err = vips.ResizePlane(m.Cr[c:], cw, ch, m.CStride, dw, dh, sx, sy, ox, oy)
	return cb, cr, err
}

// isPlanes: an image of 4:2:0 planes, as tiles are decoded.
func isPlanes(img image.Image) bool {
	m, ok := img.(*image.YCbCr)
	return ok && m.SubsampleRatio == image.YCbCrSubsampleRatio420
}

// toRGB converts 4:2:0 planes to RGB, the colour brought to full size by
// the same triangle filter (bilinear, as libjpeg's "fancy" upsampling), each
// chroma sample centred on the pair of pixels it was coded for.
func toRGB(m *image.YCbCr) (*vips.RGB, error) {
	b := m.Rect
	out := vips.NewRGB(image.Rect(0, 0, b.Dx(), b.Dy()))
	cb, cr, err := resizeColour(m, b.Dx(), b.Dy(), 2, 2)
	if err != nil {
		return nil, err
	}
	for y := range b.Dy() {
		yr, cbr, crr := m.Y[m.YOffset(b.Min.X, b.Min.Y+y):], cb[y*b.Dx():], cr[y*b.Dx():]
		o := out.Pix[y*out.Stride:]
		for x := range b.Dx() {
			o[3*x], o[3*x+1], o[3*x+2] = color.YCbCrToRGB(yr[x], cbr[x], crr[x])
		}
	}
	return out, nil
}

// rotate turns the image clockwise by deg; other angles than right ones get
// a white background in JPEG and a transparent one in PNG.
func rotate(img image.Image, deg float64, format string) image.Image {
	switch math.Mod(deg, 360) {
	case 0:
		return img
	case 90:
		return imaging.Rotate270(img) // imaging turns anticlockwise
	case 180:
		return imaging.Rotate180(img)
	case 270:
		return imaging.Rotate90(img)
	}
	bg := color.Color(color.White)
	if format == "png" {
		bg = color.Transparent
	}
	return imaging.Rotate(img, -deg, bg)
}

func toGray(img image.Image) image.Image {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		return m
	case *image.YCbCr: // the luma is the grey
		g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
		for y := range b.Dy() {
			copy(g.Pix[y*g.Stride:][:b.Dx()], m.Y[m.YOffset(b.Min.X, b.Min.Y+y):])
		}
		return g
	}
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Bounds(), img, b.Min, draw.Src)
	return g
}

// Encode writes img in the plan's format.
func Encode(w io.Writer, img image.Image, format string) error {
	if isPlanes(img) && format != "jpg" {
		rgb, err := toRGB(img.(*image.YCbCr))
		if err != nil {
			return err
		}
		img = rgb
	}
	switch format {
	case "png":
		return (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(w, img)
	case "tif":
		return tiff.Encode(w, img, &tiff.Options{Compression: tiff.Deflate})
	}
	// JPEG through libjpeg-turbo, from the pixels as they lie.
	if isPlanes(img) {
		data, err := vips.EncodeJPEGYCbCr(img.(*image.YCbCr), 85)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	pix, bands := packed(img)
	b := img.Bounds()
	data, err := vips.EncodeJPEG(pix, b.Dx(), b.Dy(), bands, 85)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// packed returns img's pixels as rows without padding, and how many bytes
// a pixel has: grey and RGBA images as they are, anything else drawn
// into RGBA first.
func packed(img image.Image) ([]byte, int) {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		if m.Stride == b.Dx() {
			return m.Pix[:b.Dx()*b.Dy()], 1
		}
	case *vips.RGB:
		if m.Stride == 3*b.Dx() {
			return m.Pix[:3*b.Dx()*b.Dy()], 3
		}
	case *image.RGBA:
		if m.Stride == 4*b.Dx() {
			return m.Pix[:4*b.Dx()*b.Dy()], 4
		}
	case *image.NRGBA:
		if m.Stride == 4*b.Dx() && m.Opaque() {
			return m.Pix[:4*b.Dx()*b.Dy()], 4
		}
	}
	rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Src)
	return rgba.Pix, 4
}
