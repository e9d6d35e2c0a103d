package imageapi

import (
	"fmt"
	"image"
	"math"

	"github.com/thaiarchives/archive/fault"
)

// Limits protect the server; zero means no limit.
type Limits struct {
	MaxWidth, MaxHeight int
	MaxArea             int64
	// MaxScale bounds the output's pixels per full-resolution pixel (a
	// reduced image: no region, however small, is shown sharper than the
	// whole image at its reduced size).
	MaxScale float64
}

// MaxSide is the longest side of any image made: JPEG's own limit (65,535),
// with a margin.
const MaxSide = 65000

// Plan is a request resolved against an image: what to cut, how large to
// make it, and the canonical form of the request.
type Plan struct {
	Region    image.Rectangle // in full-resolution pixels
	W, H      int             // output size before rotation
	Mirror    bool
	Rotation  float64
	Quality   string
	Format    string
	Canonical Request
}

// Resolve checks the request against an image of w×h pixels and the limits.
func (r Request) Resolve(w, h int, lim Limits) (Plan, error) {
	p := Plan{Mirror: r.Mirror, Rotation: r.Rotation, Quality: r.Quality, Format: r.Format}
	full := image.Rect(0, 0, w, h)
	switch r.Region.Kind {
	case RegionFull:
		p.Region = full
	case RegionSquare:
		side := min(w, h)
		p.Region = image.Rect((w-side)/2, (h-side)/2, (w-side)/2+side, (h-side)/2+side)
	case RegionPixels:
		p.Region = image.Rect(int(r.Region.X), int(r.Region.Y), int(r.Region.X+r.Region.W), int(r.Region.Y+r.Region.H))
	case RegionPercent:
		x0 := int(math.Round(r.Region.X * float64(w) / 100))
		y0 := int(math.Round(r.Region.Y * float64(h) / 100))
		x1 := int(math.Round((r.Region.X + r.Region.W) * float64(w) / 100))
		y1 := int(math.Round((r.Region.Y + r.Region.H) * float64(h) / 100))
		p.Region = image.Rect(x0, y0, x1, y1)
	}
	p.Region = p.Region.Intersect(full)
	if p.Region.Empty() {
		return p, syntax("region %s lies outside the %dx%d image", regionString(r.Region), w, h)
	}
	rw, rh := float64(p.Region.Dx()), float64(p.Region.Dy())
	round := func(v float64) int { return max(1, int(math.Round(v))) }
	z := r.Size
	switch z.Kind {
	case SizeMax:
		p.W, p.H = int(rw), int(rh)
		s := 1.0
		if lim.MaxWidth > 0 {
			s = math.Min(s, float64(lim.MaxWidth)/rw)
		}
		if lim.MaxHeight > 0 {
			s = math.Min(s, float64(lim.MaxHeight)/rh)
		}
		if lim.MaxArea > 0 {
			s = math.Min(s, math.Sqrt(float64(lim.MaxArea)/(rw*rh)))
		}
		if lim.MaxScale > 0 {
			s = math.Min(s, lim.MaxScale)
		}
		if s < 1 {
			p.W, p.H = max(1, int(rw*s)), max(1, int(rh*s))
		}
	case SizeWidth:
		p.W, p.H = z.W, round(rh*float64(z.W)/rw)
	case SizeHeight:
		p.W, p.H = round(rw*float64(z.H)/rh), z.H
	case SizePct:
		p.W, p.H = round(rw*z.Pct/100), round(rh*z.Pct/100)
	case SizeExact:
		p.W, p.H = z.W, z.H
	case SizeBest:
		s := math.Min(float64(z.W)/rw, float64(z.H)/rh)
		if !z.Upscale {
			s = math.Min(s, 1)
		}
		p.W, p.H = min(z.W, round(rw*s)), min(z.H, round(rh*s))
	}
	if !z.Upscale && (p.W > int(rw) || p.H > int(rh)) {
		return p, syntax("size %s is larger than the %dx%d region; ask with ^ to upscale", sizeString(r.Version, z), int(rw), int(rh))
	}
	if p.W > MaxSide || p.H > MaxSide {
		return p, fmt.Errorf("size %dx%d: no side may be over %d pixels: %w", p.W, p.H, MaxSide, fault.TooLarge)
	}
	// Turned by an angle that is not a right angle, the image grows to
	// the box around it: that box must fit the limits too.
	if rot := math.Mod(p.Rotation, 90); rot != 0 && lim.MaxArea > 0 {
		sin, cos := math.Abs(math.Sin(p.Rotation*math.Pi/180)), math.Abs(math.Cos(p.Rotation*math.Pi/180))
		bw, bh := float64(p.W)*cos+float64(p.H)*sin, float64(p.W)*sin+float64(p.H)*cos
		if bw*bh > float64(lim.MaxArea) || bw > MaxSide || bh > MaxSide {
			return p, fmt.Errorf("size %dx%d turned by %g° needs %.0fx%.0f pixels, over the limits: %w", p.W, p.H, p.Rotation, bw, bh, fault.TooLarge)
		}
	}
	if lim.MaxWidth > 0 && p.W > lim.MaxWidth || lim.MaxHeight > 0 && p.H > lim.MaxHeight || lim.MaxArea > 0 && int64(p.W)*int64(p.H) > lim.MaxArea {
		return p, fmt.Errorf("size %dx%d is over the limits for this image (maxWidth %d, maxHeight %d, maxArea %d): %w", p.W, p.H, lim.MaxWidth, lim.MaxHeight, lim.MaxArea, fault.TooLarge)
	}
	// A reduced image: allow a viewer's rounding up of a side, but never a
	// side at full resolution (a region a pixel or a few wide would be).
	sharper := func(n int, side float64) bool { return float64(n) > math.Ceil(side*lim.MaxScale) || float64(n) >= side }
	if lim.MaxScale > 0 && lim.MaxScale < 1 && (sharper(p.W, rw) || sharper(p.H, rh)) {
		return p, fmt.Errorf("size %dx%d of a %dx%d region is sharper than this image may be shown (at most %.4g of full resolution): %w", p.W, p.H, int(rw), int(rh), lim.MaxScale, fault.TooLarge)
	}
	p.Canonical = r.canonical(p, w, h)
	return p, nil
}

// canonical is the request in the spec's canonical form (§4.7 in 3.0, §4.7
// in 2.1): full or x,y,w,h; max/full or w,h (w, in 2.1 when the ratio holds).
func (r Request) canonical(p Plan, w, h int) Request {
	c := r
	if p.Region == image.Rect(0, 0, w, h) {
		c.Region = Region{Kind: RegionFull}
	} else {
		c.Region = Region{Kind: RegionPixels, X: float64(p.Region.Min.X), Y: float64(p.Region.Min.Y), W: float64(p.Region.Dx()), H: float64(p.Region.Dy())}
	}
	rw, rh := p.Region.Dx(), p.Region.Dy()
	switch {
	case p.W == rw && p.H == rh:
		c.Size = Size{Kind: SizeMax}
	case r.Version == 2 && p.H == max(1, int(math.Round(float64(rh)*float64(p.W)/float64(rw)))):
		c.Size = Size{Kind: SizeWidth, W: p.W}
	default:
		c.Size = Size{Kind: SizeExact, W: p.W, H: p.H, Upscale: p.W > rw || p.H > rh}
	}
	return c
}

// TileMatch reports whether the plan asks for exactly one stored tile of a
// pyramid with the given tile size and level sizes (full resolution first,
// each half the last, rounded up), and which.
func (p Plan) TileMatch(ts int, levels []image.Point) (level, col, row int, ok bool) {
	if p.Rotation != 0 || p.Mirror || p.Format != "jpg" || (p.Quality != "default" && p.Quality != "color") {
		return 0, 0, 0, false
	}
	W, H := levels[0].X, levels[0].Y
	for l := range levels {
		s := 1 << l
		span := ts * s
		x, y := p.Region.Min.X, p.Region.Min.Y
		if x%span != 0 || y%span != 0 {
			continue
		}
		if p.Region.Dx() != min(span, W-x) || p.Region.Dy() != min(span, H-y) {
			continue
		}
		if p.W != (p.Region.Dx()+s-1)/s || p.H != (p.Region.Dy()+s-1)/s {
			continue
		}
		return l, x / span, y / span, true
	}
	return 0, 0, 0, false
}
