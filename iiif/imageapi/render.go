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
	// Tile returns the decoded tile (col, row) of a level.
	Tile(ctx context.Context, level, col, row int) (image.Image, error)
}

// Render makes the image a plan asks for, decoding only the tiles it
// touches, from the coarsest level that still has enough pixels.
func Render(ctx context.Context, p Plan, src Source) (image.Image, error) {
	levels := src.Levels()
	rw, rh := p.Region.Dx(), p.Region.Dy()
	l := 0
	for l+1 < len(levels) && rw>>(l+1) >= p.W && rh>>(l+1) >= p.H {
		l++
	}
	img, err := cut(ctx, src, l, p.Region)
	if err != nil {
		return nil, err
	}
	if b := img.Bounds(); b.Dx() != p.W || b.Dy() != p.H {
		// imaging resizes across, then down: the image between is p.W
		// wide and as tall as the source. For a long thin request that is
		// huge; going down first keeps it the source's width by p.H.
		if int64(p.W)*int64(b.Dy()) > int64(b.Dx())*int64(p.H) {
			img = imaging.Resize(img, b.Dx(), p.H, imaging.CatmullRom)
		}
		img = imaging.Resize(img, p.W, p.H, imaging.CatmullRom)
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

// cut assembles the region, in level l's pixels, from the tiles it covers.
func cut(ctx context.Context, src Source, l int, region image.Rectangle) (image.Image, error) {
	lv := src.Levels()[l]
	s := 1 << l
	r := image.Rect(region.Min.X/s, region.Min.Y/s, (region.Max.X+s-1)/s, (region.Max.Y+s-1)/s).Intersect(image.Rect(0, 0, lv.X, lv.Y))
	ts := src.TileSize()
	canvas := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	gray := true
	for row := r.Min.Y / ts; row <= (r.Max.Y-1)/ts; row++ {
		for col := r.Min.X / ts; col <= (r.Max.X-1)/ts; col++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			t, err := src.Tile(ctx, l, col, row)
			if err != nil {
				return nil, err
			}
			if _, ok := t.(*image.Gray); !ok {
				gray = false
			}
			at := image.Pt(col*ts, row*ts).Sub(r.Min)
			draw.Draw(canvas, t.Bounds().Sub(t.Bounds().Min).Add(at), t, t.Bounds().Min, draw.Src)
		}
	}
	if gray {
		return toGray(canvas), nil
	}
	return canvas, nil
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
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Bounds(), img, b.Min, draw.Src)
	return g
}

// Encode writes img in the plan's format.
func Encode(w io.Writer, img image.Image, format string) error {
	switch format {
	case "png":
		return (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(w, img)
	case "tif":
		return tiff.Encode(w, img, &tiff.Options{Compression: tiff.Deflate})
	}
	// JPEG through libjpeg-turbo, from the pixels as they lie.
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
