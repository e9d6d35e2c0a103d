// Package ocrtest makes page images for tests of reading text: lines of
// Thai and English set by pango-view (Debian pango1.0-tools) in the TLWG
// Thai fonts and DejaVu at 300 dpi, laid out on a page whose every marked
// word's place is known, then rotated a little or made noisy as a scan
// would be.
package ocrtest

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/math/f64"
)

// Need finds a tool the tests use: without it the test fails when
// ARCHIVE_REQUIRE_TOOLS is set, and is skipped otherwise.
func Need(tb testing.TB, name, pkg string) {
	tb.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			tb.Fatalf("%s is required (ARCHIVE_REQUIRE_TOOLS) but not installed (Debian %s)", name, pkg)
		}
		tb.Skipf("%s not installed (Debian %s)", name, pkg)
	}
}

// Fonts the pages are set in.
const (
	Thai    = "Garuda 12"
	ThaiAlt = "Norasi 14"
	English = "DejaVu Serif 11"
)

// Line is one line of a page: pieces set one after the other, each in the
// line's font. A piece whose text starts with "*" is marked: its place on
// the page is reported (without the star).
type Line struct {
	Font   string
	Pieces []string
}

// Page describes a page image.
type Page struct {
	Lines []Line
	// Rotate turns the page by this many degrees, as a crooked scan.
	Rotate float64
	// Noise is the share of pixels (0–1) flipped at random, as dust and
	// speckle.
	Noise float64
	Seed  uint64
}

// Made is a page image, its text, and where its marked pieces were drawn.
type Made struct {
	Image  *image.Gray
	Text   string
	Marked map[string]image.Rectangle
}

// Width and Height are the page's size: an A5 page on its side at 300 dpi.
const (
	Width  = 2480
	Height = 1748
	margin = 150
)

// Make sets the page.
func Make(tb testing.TB, p Page) Made {
	tb.Helper()
	Need(tb, "pango-view", "pango1.0-tools")
	page := image.NewGray(image.Rect(0, 0, Width, Height))
	draw.Draw(page, page.Bounds(), image.White, image.Point{}, draw.Src)
	out := Made{Marked: map[string]image.Rectangle{}}
	var text strings.Builder
	y := margin
	dir := tb.TempDir()
	for i, l := range p.Lines {
		x := margin
		lineH := 0
		for _, piece := range l.Pieces {
			marked := strings.HasPrefix(piece, "*")
			piece = strings.TrimPrefix(piece, "*")
			img := render(tb, filepath.Join(dir, "l.png"), l.Font, piece)
			b := img.Bounds()
			r := image.Rect(x, y, x+b.Dx(), y+b.Dy())
			draw.Draw(page, r, img, b.Min, draw.Src)
			if marked {
				out.Marked[strings.TrimSpace(piece)] = r
			}
			x += b.Dx()
			if x > Width-margin/2 {
				tb.Fatalf("line %d is wider than the page: %q", i+1, piece)
			}
			lineH = max(lineH, b.Dy())
			text.WriteString(piece)
		}
		if i < len(p.Lines)-1 {
			text.WriteByte('\n')
		}
		y += lineH + lineH/3
	}
	out.Text = text.String()
	if p.Rotate != 0 {
		page, out.Marked = rotate(page, p.Rotate, out.Marked)
	}
	if p.Noise > 0 {
		rng := rand.New(rand.NewPCG(p.Seed, 7))
		for i := range page.Pix {
			if rng.Float64() < p.Noise {
				page.Pix[i] = 255 - page.Pix[i]
			}
		}
	}
	out.Image = page
	return out
}

// render sets one piece of text in font at 300 dpi, black on white.
func render(tb testing.TB, path, font, text string) *image.Gray {
	tb.Helper()
	cmd := exec.Command("pango-view", "-q", "--dpi=300", "--margin=0", "--font="+font, "-o", path, "--text="+text)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("pango-view %q: %v: %s", text, err, out)
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		tb.Fatal(err)
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
	return g
}

// rotate turns the page by deg degrees about its centre, on white, and
// each marked box to the box around its turned corners.
func rotate(src *image.Gray, deg float64, marked map[string]image.Rectangle) (*image.Gray, map[string]image.Rectangle) {
	dst := image.NewGray(src.Bounds())
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	a := deg * math.Pi / 180
	cx, cy := float64(Width)/2, float64(Height)/2
	sin, cos := math.Sin(a), math.Cos(a)
	// dst = R·(src − c) + c
	m := f64.Aff3{cos, -sin, cx - cos*cx + sin*cy, sin, cos, cy - sin*cx - cos*cy}
	xdraw.BiLinear.Transform(dst, m, src, src.Bounds(), xdraw.Over, nil)
	turned := map[string]image.Rectangle{}
	for k, r := range marked {
		x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, p := range [][2]float64{{float64(r.Min.X), float64(r.Min.Y)}, {float64(r.Max.X), float64(r.Min.Y)}, {float64(r.Min.X), float64(r.Max.Y)}, {float64(r.Max.X), float64(r.Max.Y)}} {
			x := m[0]*p[0] + m[1]*p[1] + m[2]
			y := m[3]*p[0] + m[4]*p[1] + m[5]
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
		}
		turned[k] = image.Rect(int(x0), int(y0), int(x1+0.5), int(y1+0.5))
	}
	return dst, turned
}

// PNG encodes a page.
func PNG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// CER is the character error rate of got against want: the edit distance
// between the two, spaces left out (Thai is written without them, and
// where a reader puts them is not an error of reading), over want's length.
func CER(got, want string) float64 {
	strip := func(s string) []rune {
		var out []rune
		for _, r := range s {
			if r != ' ' && r != '\n' && r != '\t' {
				out = append(out, r)
			}
		}
		return out
	}
	a, b := strip(got), strip(want)
	if len(b) == 0 {
		return float64(len(a))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return float64(prev[len(b)]) / float64(len(b))
}
