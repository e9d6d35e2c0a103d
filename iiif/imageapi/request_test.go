package imageapi

import (
	"errors"
	"image"
	"testing"

	"github.com/thaiarchives/archive/fault"
)

func TestParseAcceptsEveryForm(t *testing.T) {
	const W, H = 1000, 600
	cases := []struct {
		v                     int
		region, size, rot, qf string
		region2               image.Rectangle
		w, h                  int
		canonical             string
	}{
		{3, "full", "max", "0", "default.jpg", image.Rect(0, 0, W, H), W, H, "full/max/0/default.jpg"},
		{3, "square", "max", "0", "default.jpg", image.Rect(200, 0, 800, 600), 600, 600, "200,0,600,600/max/0/default.jpg"},
		{3, "10,20,100,50", "max", "0", "color.png", image.Rect(10, 20, 110, 70), 100, 50, "10,20,100,50/max/0/color.png"},
		{3, "900,500,300,300", "max", "0", "default.jpg", image.Rect(900, 500, 1000, 600), 100, 100, "900,500,100,100/max/0/default.jpg"},
		{3, "pct:10,10,50,50", "max", "0", "gray.jpg", image.Rect(100, 60, 600, 360), 500, 300, "100,60,500,300/max/0/gray.jpg"},
		{3, "pct:0.5,0,99.5,100", "max", "0", "default.jpg", image.Rect(5, 0, 1000, 600), 995, 600, "5,0,995,600/max/0/default.jpg"},
		{3, "full", "500,", "0", "default.jpg", image.Rect(0, 0, W, H), 500, 300, "full/500,300/0/default.jpg"},
		{3, "full", ",300", "0", "default.jpg", image.Rect(0, 0, W, H), 500, 300, "full/500,300/0/default.jpg"},
		{3, "full", "pct:25", "0", "default.jpg", image.Rect(0, 0, W, H), 250, 150, "full/250,150/0/default.jpg"},
		{3, "full", "200,200", "0", "default.jpg", image.Rect(0, 0, W, H), 200, 200, "full/200,200/0/default.jpg"},
		{3, "full", "!200,200", "0", "default.jpg", image.Rect(0, 0, W, H), 200, 120, "full/200,120/0/default.jpg"},
		{3, "full", "^max", "0", "default.jpg", image.Rect(0, 0, W, H), W, H, "full/max/0/default.jpg"},
		{3, "10,10,100,100", "^200,", "0", "default.jpg", image.Rect(10, 10, 110, 110), 200, 200, "10,10,100,100/^200,200/0/default.jpg"},
		{3, "10,10,100,100", "^,150", "0", "default.jpg", image.Rect(10, 10, 110, 110), 150, 150, "10,10,100,100/^150,150/0/default.jpg"},
		{3, "10,10,100,100", "^pct:150", "0", "default.jpg", image.Rect(10, 10, 110, 110), 150, 150, "10,10,100,100/^150,150/0/default.jpg"},
		{3, "10,10,100,100", "^!300,200", "0", "default.jpg", image.Rect(10, 10, 110, 110), 200, 200, "10,10,100,100/^200,200/0/default.jpg"},
		{3, "10,10,100,100", "^300,120", "0", "default.jpg", image.Rect(10, 10, 110, 110), 300, 120, "10,10,100,100/^300,120/0/default.jpg"},
		{3, "full", "max", "90", "default.jpg", image.Rect(0, 0, W, H), W, H, "full/max/90/default.jpg"},
		{3, "full", "max", "!22.50", "bitonal.tif", image.Rect(0, 0, W, H), W, H, "full/max/!22.5/bitonal.tif"},
		{3, "full", "max", "360", "default.jpg", image.Rect(0, 0, W, H), W, H, "full/max/360/default.jpg"},
		{2, "full", "full", "0", "default.jpg", image.Rect(0, 0, W, H), W, H, "full/full/0/default.jpg"},
		{2, "full", "500,", "0", "native.jpg", image.Rect(0, 0, W, H), 500, 300, "full/500,/0/default.jpg"},
		{2, "full", "500,100", "0", "default.jpg", image.Rect(0, 0, W, H), 500, 100, "full/500,100/0/default.jpg"},
		{2, "full", "max", "0", "default.jpg", image.Rect(0, 0, W, H), W, H, "full/full/0/default.jpg"},
	}
	for _, c := range cases {
		r, err := Parse(c.v, c.region, c.size, c.rot, c.qf)
		if err != nil {
			t.Errorf("v%d %s/%s/%s/%s: %v", c.v, c.region, c.size, c.rot, c.qf, err)
			continue
		}
		p, err := r.Resolve(W, H, Limits{})
		if err != nil {
			t.Errorf("v%d %s/%s: resolve: %v", c.v, c.region, c.size, err)
			continue
		}
		if p.Region != c.region2 || p.W != c.w || p.H != c.h {
			t.Errorf("v%d %s/%s: region %v size %dx%d, want %v %dx%d", c.v, c.region, c.size, p.Region, p.W, p.H, c.region2, c.w, c.h)
		}
		if got := p.Canonical.String(); got != c.canonical {
			t.Errorf("v%d %s/%s/%s/%s: canonical %q, want %q", c.v, c.region, c.size, c.rot, c.qf, got, c.canonical)
		}
	}
}

func TestParseRefusesWithTheRightKind(t *testing.T) {
	cases := []struct {
		v                     int
		region, size, rot, qf string
		kind                  error
	}{
		{3, "abc,0,10,10", "max", "0", "default.jpg", fault.Invalid}, // must not become x=0
		{3, "0,0,10", "max", "0", "default.jpg", fault.Invalid},
		{3, "0,0,0,10", "max", "0", "default.jpg", fault.Invalid},
		{3, "-1,0,10,10", "max", "0", "default.jpg", fault.Invalid},
		{3, "1.5,0,10,10", "max", "0", "default.jpg", fault.Invalid},
		{3, "pct:101,0,10,10", "max", "0", "default.jpg", fault.Invalid},
		{3, "pct:1e1,0,10,10", "max", "0", "default.jpg", fault.Invalid},
		{3, "full", "full", "0", "default.jpg", fault.Invalid}, // v3 has no full size
		{3, "full", "0,", "0", "default.jpg", fault.Invalid},
		{3, "full", ",", "0", "default.jpg", fault.Invalid},
		{3, "full", "!100,", "0", "default.jpg", fault.Invalid},
		{3, "full", "pct:0", "0", "default.jpg", fault.Invalid},
		{3, "full", "pct:150", "0", "default.jpg", fault.Invalid},
		{3, "full", "^^max", "0", "default.jpg", fault.Invalid},
		{2, "full", "^max", "0", "default.jpg", fault.Invalid},
		{3, "full", "max", "361", "default.jpg", fault.Invalid},
		{3, "full", "max", "-90", "default.jpg", fault.Invalid},
		{3, "full", "max", "!", "default.jpg", fault.Invalid},
		{3, "full", "max", "NaN", "default.jpg", fault.Invalid},
		{3, "full", "max", "0", "best.jpg", fault.Invalid},
		{3, "full", "max", "0", "default", fault.Invalid},
		{3, "full", "max", "0", "default.exe", fault.Invalid},
		{3, "full", "max", "0", "default.webp", fault.Unsupported},
		{3, "full", "max", "0", "default.jp2", fault.Unsupported},
		{3, "full", "max", "0", "default.gif", fault.Unsupported},
	}
	for _, c := range cases {
		_, err := Parse(c.v, c.region, c.size, c.rot, c.qf)
		if !errors.Is(err, c.kind) {
			t.Errorf("v%d %s/%s/%s/%s: %v, want %v", c.v, c.region, c.size, c.rot, c.qf, err, c.kind)
		}
	}
}

func TestResolveRefusesOutOfBoundsAndOversize(t *testing.T) {
	cases := []struct{ region, size string }{
		{"1000,0,10,10", "max"}, // starts at the right edge
		{"0,600,10,10", "max"},  // below
		{"full", "1001,"},       // larger than the region without ^
		{"full", ",601"},
		{"full", "1000,601"},
		{"10,10,100,100", "101,"},
		{"full", "^20000,"}, // over maxWidth
	}
	for _, c := range cases {
		r, err := Parse(3, c.region, c.size, "0", "default.jpg")
		if err != nil {
			t.Fatalf("%s/%s: %v", c.region, c.size, err)
		}
		if _, err := r.Resolve(1000, 600, Limits{MaxWidth: 10000, MaxArea: 50_000_000}); !errors.Is(err, fault.Invalid) && !errors.Is(err, fault.TooLarge) {
			t.Errorf("%s/%s: %v, want 400", c.region, c.size, err)
		}
	}
	r, _ := Parse(3, "full", "max", "0", "default.jpg")
	p, err := r.Resolve(10000, 8000, Limits{MaxArea: 20_000_000})
	if err != nil || int64(p.W)*int64(p.H) > 20_000_000 || p.W < 4990 {
		t.Fatalf("max under maxArea: %dx%d, %v", p.W, p.H, err)
	}
}

func TestTileMatchFindsTheStoredTile(t *testing.T) {
	levels := []image.Point{{1000, 700}, {500, 350}, {250, 175}}
	cases := []struct {
		region, size    string
		level, col, row int
		ok              bool
	}{
		{"0,0,256,256", "256,", 0, 0, 0, true},
		{"0,0,256,256", "256,256", 0, 0, 0, true},
		{"768,512,232,188", "232,", 0, 3, 2, true},
		{"512,0,488,512", "244,", 1, 1, 0, true},
		{"0,0,1000,700", "250,", 2, 0, 0, true},
		{"full", "250,175", 2, 0, 0, true},
		{"0,0,256,256", "128,", 0, 0, 0, false},
		{"10,0,256,256", "256,", 0, 0, 0, false},
	}
	for _, c := range cases {
		r, _ := Parse(3, c.region, c.size, "0", "default.jpg")
		p, err := r.Resolve(1000, 700, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		l, col, row, ok := p.TileMatch(256, levels)
		if ok != c.ok || ok && (l != c.level || col != c.col || row != c.row) {
			t.Errorf("%s/%s: %d/%d/%d %v, want %d/%d/%d %v", c.region, c.size, l, col, row, ok, c.level, c.col, c.row, c.ok)
		}
	}
	r, _ := Parse(3, "0,0,256,256", "256,", "90", "default.jpg")
	p, _ := r.Resolve(1000, 700, Limits{})
	if _, _, _, ok := p.TileMatch(256, levels); ok {
		t.Error("a rotated tile matched the stored one")
	}
}

// FuzzParse: no input panics, and a request that parses, written in its own
// syntax and parsed again, is the same request.
func FuzzParse(f *testing.F) {
	for _, s := range [][4]string{{"full", "max", "0", "default.jpg"}, {"pct:1.5,2,3,4", "^!10,20", "!90.5", "gray.png"}, {"0,0,1,1", ",5", "360", "bitonal.tif"}} {
		f.Add(3, s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, v int, region, size, rot, qf string) {
		v = 2 + (v & 1)
		r, err := Parse(v, region, size, rot, qf)
		if err != nil {
			if !errors.Is(err, fault.Invalid) && !errors.Is(err, fault.Unsupported) {
				t.Fatalf("error of no kind: %v", err)
			}
			return
		}
		r2, err := Parse(v, regionString(r.Region), sizeString(v, r.Size), rotString(r), r.Quality+"."+r.Format)
		if err != nil || r2 != r {
			t.Fatalf("round trip of %+v: %+v, %v", r, r2, err)
		}
		if p, err := r.Resolve(1234, 987, Limits{MaxArea: 1 << 22}); err == nil && (p.W < 1 || p.H < 1 || p.Region.Empty()) {
			t.Fatalf("resolved to nothing: %+v", p)
		}
	})
}

func rotString(r Request) string {
	s := ftoa(r.Rotation)
	if r.Mirror {
		return "!" + s
	}
	return s
}

func TestInfoListsOnlySizesWithinLimits(t *testing.T) {
	in := Info{ID: "x", Width: 12000, Height: 9000, TileSize: 256, Levels: []image.Point{{12000, 9000}, {6000, 4500}, {3000, 2250}}, Limits: Limits{MaxArea: 50_000_000}}
	sizes := in.V3()["sizes"].([]map[string]int)
	if len(sizes) != 2 || sizes[1]["width"] != 6000 {
		t.Fatalf("sizes %v", sizes)
	}
}

func TestLongThinAndTurnedRequestsAreBounded(t *testing.T) {
	lim := Limits{MaxArea: 12_000_000}
	for _, c := range []struct{ size, rotation string }{
		{"^12000000,1", "0"}, {"^1,12000000", "0"}, {"^65001,1", "0"}, {"^10000,1000", "45"}, {"^3000,3000", "30"},
	} {
		r, err := Parse(3, "full", c.size, c.rotation, "default.jpg")
		if err != nil {
			t.Fatalf("%s: %v", c.size, err)
		}
		if _, err := r.Resolve(2000, 1500, lim); !errors.Is(err, fault.TooLarge) {
			t.Errorf("%s rotated %s: %v, want too large", c.size, c.rotation, err)
		}
	}
	r, _ := Parse(3, "full", "^64000,150", "0", "default.jpg")
	if _, err := r.Resolve(2000, 1500, lim); err != nil {
		t.Errorf("a long thin image within the limits: %v", err)
	}
}
