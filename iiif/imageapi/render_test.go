package imageapi

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/thaiarchives/archive/pyramid"
	"github.com/thaiarchives/archive/vips"
)

// memSource is a pyramid held in memory; its tiles are decoded on every
// request, or once when keep is set.
type memSource struct {
	p    *pyramid.Pyramid
	data []byte
	keep bool
	rgb  bool // tiles decoded to RGB rather than to their planes
	mu   sync.Mutex
	memo map[[4]int]image.Image
}

func newMemSource(img image.Image) *memSource {
	var buf bytes.Buffer
	if _, err := pyramid.Write(context.Background(), &buf, img, pyramid.Options{}); err != nil {
		panic(err)
	}
	p, err := pyramid.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		panic(err)
	}
	return &memSource{p: p, data: buf.Bytes(), memo: map[[4]int]image.Image{}}
}

func (s *memSource) Levels() []image.Point {
	out := make([]image.Point, len(s.p.Levels))
	for i, l := range s.p.Levels {
		out[i] = image.Pt(l.Width, l.Height)
	}
	return out
}

func (s *memSource) TileSize() int { return s.p.Levels[0].TileW }

func (s *memSource) Tile(_ context.Context, level, col, row, eighths int) (image.Image, error) {
	k := [4]int{level, col, row, eighths}
	if s.keep {
		s.mu.Lock()
		img := s.memo[k]
		s.mu.Unlock()
		if img != nil {
			return img, nil
		}
	}
	lv := s.p.Levels[level]
	off, n, _ := lv.Tile(col, row)
	img, err := decodeTile(lv.TileJPEG(s.data[off:off+n]), level, len(s.p.Levels), eighths)
	if s.rgb {
		img, err = vips.DecodeJPEGScaled(lv.TileJPEG(s.data[off:off+n]), eighths)
	}
	if err != nil {
		return nil, err
	}
	if s.keep {
		s.mu.Lock()
		s.memo[k] = img
		s.mu.Unlock()
	}
	return img, nil
}

// smooth is a 1900×1300 picture of waves and gradients, detailed enough
// that a misplaced or wrongly scaled region shows, smooth enough that
// resampling filters agree.
func smooth() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 1900, 1300))
	for y := range 1300 {
		for x := range 1900 {
			i := img.PixOffset(x, y)
			img.Pix[i] = uint8(128 + 100*math.Sin(float64(x)/37))
			img.Pix[i+1] = uint8(128 + 100*math.Cos(float64(y)/29))
			img.Pix[i+2] = uint8((x + y) * 255 / 3200)
			img.Pix[i+3] = 255
		}
	}
	return img
}

// TestRenderMatchesReference renders regions, sizes, mirroring, rotations
// and qualities from the pyramid (levels, scaled decoding, resampling) and
// compares every pixel with the same request made directly on the
// full-resolution picture, with tiles decoded to their planes (as the
// service does) and to RGB, and again after encoding as JPEG.
func TestRenderMatchesReference(t *testing.T) {
	full := smooth()
	planes := newMemSource(full)
	rgb := &memSource{p: planes.p, data: planes.data, rgb: true, memo: map[[4]int]image.Image{}}
	for _, src := range []*memSource{planes, rgb} {
		name := map[bool]string{false: "planes", true: "rgb"}[src.rgb]
		t.Run(name, func(t *testing.T) { matchesReference(t, full, src) })
	}
}

func matchesReference(t *testing.T, full *image.RGBA, src *memSource) {
	cases := []string{
		"full/max/0/default",
		"full/!200,200/0/default",
		"full/!1400,1400/0/default",
		"full/633,/0/default",
		"full/950,650/0/default", // exactly level 1
		"full/300,400/0/default", // squeezed
		"square/301,/0/default",
		"123,77,1001,703/500,/0/default",  // a half, a pixel off
		"123,77,1001,703/333,/0/default",  // a third
		"5,9,1700,1200/601,/0/default",    // about 0.35
		"640,480,256,256/256,/0/default",  // whole pixels, not a stored tile
		"700,300,200,150/^400,/0/default", // up
		"pct:10,20,30,40/max/0/default",
		"100,100,800,600/400,/90/default",
		"100,100,800,600/400,/180/default",
		"100,100,800,600/400,/270/default",
		"100,100,800,600/400,/!0/default",
		"100,100,800,600/400,/!90/default",
		"100,100,800,600/400,/0/gray",
		"1400,1000,500,300/217,/0/default", // at the bottom right edge
		"0,0,1900,1296/119,/0/default",     // the coarsest level (RGB), halved
		"101,51,1001,703/333,/0/default",   // odd places: the colour a pixel early
		"101,51,1001,703/333,/0/default.png",
		"101,51,1001,703/333,/0/gray",
	}
	for _, c := range cases {
		var region, size, rot, quality string
		fmt.Sscanf(replaceSlashes(c), "%s %s %s %s", &region, &size, &rot, &quality)
		if !strings.Contains(quality, ".") {
			quality += ".jpg"
		}
		req, err := Parse(3, region, size, rot, quality)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		plan, err := req.Resolve(1900, 1300, Limits{MaxArea: DefaultMaxArea, MaxWidth: 4000, MaxHeight: 4000})
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		got, err := Render(context.Background(), plan, src)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if m, ok := got.(*image.YCbCr); ok {
			if plan.Format != "jpg" || plan.Rotation != 0 || plan.Mirror || plan.Quality != "default" {
				t.Errorf("%s: planes left in an answer that is not a plain JPEG", c)
			}
			if got, err = toRGB(m); err != nil { // the colour upsampled, as a JPEG decoder does
				t.Fatal(err)
			}
		}
		want := reference(full, plan)
		if got.Bounds().Size() != want.Bounds().Size() {
			t.Errorf("%s: %v, want %v", c, got.Bounds().Size(), want.Bounds().Size())
			continue
		}
		// JPEG tiles and two resampling filters differ by about 1 to 2 of
		// 255; a thumbnail from a level of 237 px by about 4; a region a
		// pixel out of place by more.
		limit := 2.5
		if plan.W <= 200 {
			limit = 5
		}
		if d := meanDiff(got, want); d > limit {
			t.Errorf("%s: mean difference %.2f from the reference (of 255)", c, d)
		}
		// Encoded and decoded again, as a client sees it: quality 85 adds about
		// 1, or 2 to a small answer (the stripes of its 8-px blocks are a
		// larger part of it).
		jpegLimit := limit + 1.5
		if plan.W <= 200 {
			jpegLimit = limit + 2
		}
		got, _ = Render(context.Background(), plan, src)
		var buf bytes.Buffer
		if err := Encode(&buf, got, "jpg"); err != nil {
			t.Fatalf("%s: encoding: %v", c, err)
		}
		back, err := vips.DecodeJPEG(buf.Bytes())
		if err != nil {
			t.Fatalf("%s: decoding the answer: %v", c, err)
		}
		if d := meanDiff(back, want); back.Bounds().Size() != want.Bounds().Size() || d > jpegLimit {
			t.Errorf("%s: the JPEG answer is %v, mean difference %.2f from the reference", c, back.Bounds().Size(), d)
		}
	}
}

// TestRenderBitonal: only black and white, where the reference is.
func TestRenderBitonal(t *testing.T) {
	full := smooth()
	req, _ := Parse(3, "0,0,1200,900", "600,", "0", "bitonal.png")
	plan, err := req.Resolve(1900, 1300, Limits{MaxArea: DefaultMaxArea})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Render(context.Background(), plan, newMemSource(full))
	if err != nil {
		t.Fatal(err)
	}
	g := got.(*image.Gray)
	want := toGray(reference(full, Plan{Region: plan.Region, W: plan.W, H: plan.H})).(*image.Gray)
	agree := 0
	for i, v := range g.Pix {
		if v != 0 && v != 255 {
			t.Fatalf("pixel %d is %d", i, v)
		}
		if (v == 255) == (want.Pix[i] >= 128) {
			agree++
		}
	}
	if f := float64(agree) / float64(len(g.Pix)); f < 0.97 {
		t.Errorf("%.3f of pixels agree with the reference", f)
	}
}

func replaceSlashes(s string) string {
	return string(bytes.ReplaceAll([]byte(s), []byte("/"), []byte(" ")))
}

// reference makes a plan directly from the full picture: the region, a
// resize with a linear filter, then mirror, rotation and quality.
func reference(full *image.RGBA, p Plan) image.Image {
	var img image.Image = imaging.Resize(full.SubImage(p.Region), p.W, p.H, imaging.Linear)
	if p.Mirror {
		img = imaging.FlipH(img)
	}
	img = rotate(img, p.Rotation, "jpg")
	if p.Quality == "gray" {
		img = toGray(img)
	}
	return img
}

func meanDiff(a, b image.Image) float64 {
	ab, bb := a.Bounds(), b.Bounds()
	sum, n := 0.0, 0
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			ca := color.RGBAModel.Convert(a.At(ab.Min.X+x, ab.Min.Y+y)).(color.RGBA)
			cb := color.RGBAModel.Convert(b.At(bb.Min.X+x, bb.Min.Y+y)).(color.RGBA)
			sum += math.Abs(float64(ca.R)-float64(cb.R)) + math.Abs(float64(ca.G)-float64(cb.G)) + math.Abs(float64(ca.B)-float64(cb.B))
			n += 3
		}
	}
	return sum / float64(n)
}

// edges is a picture of sharp colour edges: red and blue halves split at
// x=400, green below y=300.
func edges() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 1024, 768))
	for y := range 768 {
		for x := range 1024 {
			c := color.RGBA{200, 30, 30, 255}
			if x >= 400 {
				c = color.RGBA{30, 30, 200, 255}
			}
			if y >= 300 {
				c.G = 200
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// A region cut from odd places at its own size keeps each colour where it
// is: its answer, from the tiles' planes, is the one from RGB tiles, pixel
// by pixel at the edges.
func TestRenderAtOddPlacesKeepsTheColourInPlace(t *testing.T) {
	planes := newMemSource(edges())
	rgb := &memSource{p: planes.p, data: planes.data, rgb: true, memo: map[[4]int]image.Image{}}
	for _, region := range []string{"301,201,300,200", "300,201,300,200", "301,200,301,201", "399,299,64,64"} {
		req, err := Parse(3, region, "max", "0", "default.jpg")
		if err != nil {
			t.Fatal(err)
		}
		plan, err := req.Resolve(1024, 768, Limits{MaxArea: DefaultMaxArea})
		if err != nil {
			t.Fatal(err)
		}
		answer := func(src *memSource) image.Image {
			img, err := Render(context.Background(), plan, src)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := Encode(&buf, img, "jpg"); err != nil {
				t.Fatalf("%s: %v", region, err)
			}
			out, err := vips.DecodeJPEG(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		a, b := answer(planes), answer(rgb)
		if a.Bounds() != b.Bounds() {
			t.Fatalf("%s: %v and %v", region, a.Bounds(), b.Bounds())
		}
		worst := 0
		for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
			for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
				ca, cb := a.At(x, y).(color.RGBA), b.At(x, y).(color.RGBA)
				for _, d := range []int{int(ca.R) - int(cb.R), int(ca.G) - int(cb.G), int(ca.B) - int(cb.B)} {
					worst = max(worst, d, -d)
				}
			}
		}
		if worst > 40 {
			t.Errorf("%s: a pixel differs by %d from the answer made from RGB", region, worst)
		}
	}
}
