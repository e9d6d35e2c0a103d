// Package imageapi implements the IIIF Image API 3.0 (and 2.1) without any
// HTTP framework: parsing and validating request parameters into typed
// values, resolving them against an image, canonical URLs, info.json, and
// rendering from a tiled pyramid in the spec's order (region → size →
// rotation → quality → format). https://iiif.io/api/image/3.0/
package imageapi

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/thaiarchives/archive/fault"
)

// Errors are of the kinds of package fault: Invalid (a request that does not
// parse), Unsupported (beyond this server's compliance), TooLarge (a size
// over the server's or the image's limits) and Busy (the render queue is
// full; try again shortly). The HTTP layer maps them to 400, 501, 400 and 503.

func syntax(format string, a ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, a...), fault.Invalid)
}

// RegionKind is the form of a region parameter.
type RegionKind int

// Region forms.
const (
	RegionFull RegionKind = iota
	RegionSquare
	RegionPixels
	RegionPercent
)

// Region is a parsed region parameter.
type Region struct {
	Kind       RegionKind
	X, Y, W, H float64
}

// SizeKind is the form of a size parameter.
type SizeKind int

// Size forms.
const (
	SizeMax    SizeKind = iota // max (and v2 full)
	SizeWidth                  // w,
	SizeHeight                 // ,h
	SizePct                    // pct:n
	SizeExact                  // w,h
	SizeBest                   // !w,h
)

// Size is a parsed size parameter.
type Size struct {
	Kind    SizeKind
	Upscale bool // ^
	W, H    int
	Pct     float64
}

// Request is a parsed image request.
type Request struct {
	Version  int // 2 or 3
	Region   Region
	Size     Size
	Mirror   bool
	Rotation float64
	Quality  string
	Format   string
}

// Qualities and formats this server produces.
var (
	Qualities = []string{"default", "color", "gray", "bitonal"}
	Formats   = map[string]string{"jpg": "image/jpeg", "png": "image/png", "tif": "image/tiff"}
	// Formats the spec names that we do not produce: 501, not 400.
	knownFormats = map[string]bool{"gif": true, "jp2": true, "pdf": true, "webp": true}
)

// Parse reads the four path segments of an image request.
func Parse(version int, region, size, rotation, qualityFormat string) (Request, error) {
	r := Request{Version: version}
	var err error
	if r.Region, err = parseRegion(region); err != nil {
		return r, err
	}
	if r.Size, err = parseSize(version, size); err != nil {
		return r, err
	}
	if r.Mirror, r.Rotation, err = parseRotation(rotation); err != nil {
		return r, err
	}
	q, f, ok := strings.Cut(qualityFormat, ".")
	if !ok || q == "" || f == "" {
		return r, syntax("quality and format %q are not quality.format", qualityFormat)
	}
	switch {
	case contains(Qualities, q):
	case version == 2 && q == "native":
		q = "default" // Image API 1.x name some v2 clients still send
	default:
		return r, syntax("quality %q is not one of default, color, gray, bitonal", q)
	}
	r.Quality = q
	if _, ok := Formats[f]; !ok {
		if knownFormats[f] {
			return r, fmt.Errorf("format %q is not produced here (jpg, png, tif are): %w", f, fault.Unsupported)
		}
		return r, syntax("format %q is not an image format", f)
	}
	r.Format = f
	return r, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// number parses a non-negative decimal with no sign, exponent or spaces.
func number(s string) (float64, bool) {
	if s == "" || strings.ContainsAny(s, "eE+-_ ") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Count(s, ".") > 1 {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && !math.IsInf(v, 0) && !math.IsNaN(v)
}

// integer parses a non-negative integer of digits only.
func integer(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.Atoi(s)
	return v, err == nil
}

func parseRegion(s string) (Region, error) {
	switch s {
	case "full":
		return Region{Kind: RegionFull}, nil
	case "square":
		return Region{Kind: RegionSquare}, nil
	}
	kind := RegionPixels
	body := s
	if rest, ok := strings.CutPrefix(s, "pct:"); ok {
		kind, body = RegionPercent, rest
	}
	parts := strings.Split(body, ",")
	if len(parts) != 4 {
		return Region{}, syntax("region %q is not full, square, x,y,w,h or pct:x,y,w,h", s)
	}
	var v [4]float64
	for i, p := range parts {
		if kind == RegionPixels {
			n, ok := integer(p)
			if !ok {
				return Region{}, syntax("region %q: %q is not a whole number of pixels", s, p)
			}
			v[i] = float64(n)
		} else {
			n, ok := number(p)
			if !ok {
				return Region{}, syntax("region %q: %q is not a number", s, p)
			}
			v[i] = n
		}
	}
	if v[2] <= 0 || v[3] <= 0 {
		return Region{}, syntax("region %q has no width or height", s)
	}
	if kind == RegionPercent && (v[0] > 100 || v[1] > 100) {
		return Region{}, syntax("region %q starts outside the image", s)
	}
	return Region{Kind: kind, X: v[0], Y: v[1], W: v[2], H: v[3]}, nil
}

func parseSize(version int, s string) (Size, error) {
	var z Size
	body := s
	if rest, ok := strings.CutPrefix(s, "^"); ok {
		if version == 2 {
			return z, syntax("size %q: upscaling with ^ is Image API 3", s)
		}
		z.Upscale, body = true, rest
	}
	switch {
	case body == "max":
		z.Kind = SizeMax
		return z, nil
	case body == "full" && version == 2:
		z.Kind = SizeMax
		return z, nil
	case strings.HasPrefix(body, "pct:"):
		n, ok := number(body[4:])
		if !ok || n <= 0 {
			return z, syntax("size %q: pct: needs a number above 0", s)
		}
		if n > 100 && !z.Upscale {
			return z, syntax("size %q is over 100%% without ^", s)
		}
		z.Kind, z.Pct = SizePct, n
		return z, nil
	}
	best := strings.HasPrefix(body, "!")
	body = strings.TrimPrefix(body, "!")
	w, h, ok := strings.Cut(body, ",")
	if !ok {
		return z, syntax("size %q is not max, w,, ,h, pct:n, w,h or !w,h", s)
	}
	var okW, okH bool
	z.W, okW = integer(w)
	z.H, okH = integer(h)
	switch {
	case best && okW && okH && z.W > 0 && z.H > 0:
		z.Kind = SizeBest
	case best:
		return z, syntax("size %q: !w,h needs two whole numbers above 0", s)
	case okW && okH && z.W > 0 && z.H > 0:
		z.Kind = SizeExact
	case okW && h == "" && z.W > 0:
		z.Kind = SizeWidth
	case w == "" && okH && z.H > 0:
		z.Kind = SizeHeight
	default:
		return z, syntax("size %q is not max, w,, ,h, pct:n, w,h or !w,h with whole numbers above 0", s)
	}
	return z, nil
}

func parseRotation(s string) (bool, float64, error) {
	mirror := strings.HasPrefix(s, "!")
	n, ok := number(strings.TrimPrefix(s, "!"))
	if !ok || n > 360 {
		return false, 0, syntax("rotation %q is not a number from 0 to 360, optionally after !", s)
	}
	return mirror, n, nil
}

// String is the request's parameters in canonical form (after Resolve).
func (r Request) String() string {
	rot := strconv.FormatFloat(r.Rotation, 'f', -1, 64)
	if r.Mirror {
		rot = "!" + rot
	}
	return regionString(r.Region) + "/" + sizeString(r.Version, r.Size) + "/" + rot + "/" + r.Quality + "." + r.Format
}

func regionString(g Region) string {
	switch g.Kind {
	case RegionFull:
		return "full"
	case RegionSquare:
		return "square"
	case RegionPercent:
		return "pct:" + ftoa(g.X) + "," + ftoa(g.Y) + "," + ftoa(g.W) + "," + ftoa(g.H)
	}
	return fmt.Sprintf("%d,%d,%d,%d", int(g.X), int(g.Y), int(g.W), int(g.H))
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func sizeString(version int, z Size) string {
	up := ""
	if z.Upscale {
		up = "^"
	}
	switch z.Kind {
	case SizeMax:
		if version == 2 {
			return "full"
		}
		return up + "max"
	case SizeWidth:
		return fmt.Sprintf("%s%d,", up, z.W)
	case SizeHeight:
		return fmt.Sprintf("%s,%d", up, z.H)
	case SizePct:
		return up + "pct:" + ftoa(z.Pct)
	case SizeBest:
		return fmt.Sprintf("%s!%d,%d", up, z.W, z.H)
	}
	return fmt.Sprintf("%s%d,%d", up, z.W, z.H)
}
