package imageapi

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"sync"
	"testing"
)

// benchImage is an 8000×6000 scan-like picture: gradients with grain.
var benchImage = sync.OnceValue(func() *memSource {
	const w, h = 8000, 6000
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := img.PixOffset(x, y)
			n := uint8(r.IntN(24))
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x/32)+n, uint8(y/24)+n, uint8((x+y)/56)+n, 255
		}
	}
	return newMemSource(img)
})

// benchPlans are the loads of bench/iiif.sh's uncached kinds: regions of
// 256-2048 px shown at 1/2 to 1/8, and whole views of 400-1400 px.
func benchPlans(kind string) []Plan {
	r := rand.New(rand.NewPCG(7, 7))
	var out []Plan
	for len(out) < 500 {
		region, size := "full", fmt.Sprintf("!%d,%d", 400+r.IntN(1001), 400+r.IntN(1001))
		if kind == "regions" {
			w, h := 256+r.IntN(1793), 256+r.IntN(1793)
			region = fmt.Sprintf("%d,%d,%d,%d", r.IntN(8000-w), r.IntN(6000-h), w, h)
			size = fmt.Sprintf("%d,", max(1, w/[]int{2, 3, 4, 8}[r.IntN(4)]))
		}
		q, err := Parse(3, region, size, "0", "default.jpg")
		if err != nil {
			panic(err)
		}
		p, err := q.Resolve(8000, 6000, Limits{MaxArea: DefaultMaxArea})
		if err != nil {
			panic(err)
		}
		out = append(out, p)
	}
	return out
}

// BenchmarkRender renders and encodes the uncached loads, with tiles decoded
// each time and with tiles kept decoded, to their planes (as the service
// does) and to RGB.
func BenchmarkRender(b *testing.B) {
	m := benchImage()
	for _, kind := range []string{"regions", "views"} {
		plans := benchPlans(kind)
		for _, c := range []struct{ keep, rgb bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
			name := kind + map[bool]string{false: "/decoded", true: "/kept"}[c.keep] + map[bool]string{false: "/planes", true: "/rgb"}[c.rgb]
			b.Run(name, func(b *testing.B) {
				src := &memSource{p: m.p, data: m.data, keep: c.keep, rgb: c.rgb, memo: map[[4]int]image.Image{}}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					img, err := Render(context.Background(), plans[i%len(plans)], src)
					if err != nil {
						b.Fatal(err)
					}
					var buf bytes.Buffer
					if err := Encode(&buf, img, "jpg"); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}
