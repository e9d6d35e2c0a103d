package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"golang.org/x/image/tiff"

	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/pyramid"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
)

var (
	red   = color.RGBA{220, 30, 30, 255}
	green = color.RGBA{30, 200, 30, 255}
	blue  = color.RGBA{30, 30, 220, 255}
	white = color.RGBA{250, 250, 250, 255}
)

// quadrants is the test pattern: red, green / blue, white, 1000×700.
func quadrants() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 1000, 700))
	for y := range 700 {
		for x := range 1000 {
			c := red
			switch {
			case x >= 500 && y < 350:
				c = green
			case x < 500 && y >= 350:
				c = blue
			case x >= 500 && y >= 350:
				c = white
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

type iiifEnv struct {
	*fixture
	image, closed string
	blobs         storage.Blobs
	store         *bolt.Store
}

func newIIIFEnv(t testing.TB) *iiifEnv {
	t.Helper()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	dir := t.TempDir()
	var b bytes.Buffer
	png.Encode(&b, quadrants())
	os.WriteFile(filepath.Join(dir, "q.png"), b.Bytes(), 0o644)
	p := ingest.New(ingest.Config{Store: store, Blobs: blobs})
	outs := p.Ingest(context.Background(), ingest.Unit{Files: []ingest.Input{{Path: filepath.Join(dir, "q.png"), Name: "q.png"}},
		Meta: repository.Item{Institution: "cmu", Title: repository.Text{"en": "Quadrants"}, Rights: "http://creativecommons.org/licenses/by/4.0/"}})
	b.Reset()
	jpeg.Encode(&b, quadrants().SubImage(image.Rect(0, 0, 300, 300)), nil)
	os.WriteFile(filepath.Join(dir, "c.jpg"), b.Bytes(), 0o644)
	closed := p.Ingest(context.Background(), ingest.Unit{Files: []ingest.Input{{Path: filepath.Join(dir, "c.jpg"), Name: "c.jpg"}},
		Meta: repository.Item{Institution: "cmu", Title: repository.Text{"en": "Closed"}, Access: repository.Access{Level: repository.Restricted}}})
	if outs[0].Status != ingest.Ingested || closed[0].Status != ingest.Ingested {
		t.Fatalf("ingest: %+v %+v", outs, closed)
	}
	seedAdmin(t, store)
	reveal(t, store, "cmu")
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts, UploadDir: t.TempDir(), Ingest: p, Batches: runBatches(t, store, p)}))
	if err != nil {
		t.Fatal(err)
	}
	return &iiifEnv{fixture: &fixture{srv: srv}, image: outs[0].Images[0], closed: closed[0].Images[0], blobs: blobs, store: store}
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("response is not an image: %v", err)
	}
	return img
}

func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, b uint8) bool { return int(a>>8)-int(b) < 24 && int(b)-int(a>>8) < 24 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

func TestImageRequestsGiveTheRightPixels(t *testing.T) {
	e := newIIIFEnv(t)
	type point struct {
		x, y int
		c    color.RGBA
	}
	cases := []struct {
		path   string
		w, h   int
		points []point
	}{
		{"full/max/0/default.jpg", 1000, 700, []point{{10, 10, red}, {990, 10, green}, {10, 690, blue}, {990, 690, white}}},
		{"full/!200,200/0/default.jpg", 200, 140, []point{{5, 5, red}, {195, 5, green}, {5, 135, blue}}},
		{"500,0,500,350/max/0/default.jpg", 500, 350, []point{{10, 10, green}, {490, 340, green}}},
		{"pct:50,50,50,50/100,/0/default.png", 100, 70, []point{{50, 35, white}}},
		{"square/50,50/0/default.jpg", 50, 50, []point{{2, 2, red}, {47, 47, white}}},
		{"full/max/90/default.jpg", 700, 1000, []point{{690, 10, red}, {10, 10, blue}, {690, 990, green}}},
		{"full/max/!0/default.jpg", 1000, 700, []point{{10, 10, green}, {990, 10, red}}},
		{"full/max/180/default.jpg", 1000, 700, []point{{10, 10, white}, {990, 690, red}}},
		{"full/400,/45/default.png", 0, 0, nil},
		{"400,300,200,100/^400,200/0/default.jpg", 400, 200, []point{{50, 50, red}, {350, 50, green}, {50, 150, blue}, {350, 150, white}}},
		{"full/250,/0/default.tif", 250, 175, []point{{5, 5, red}}},
	}
	for _, c := range cases {
		w := e.do(t, "GET", "/iiif/3/"+e.image+"/"+c.path)
		if w.Code != 200 {
			t.Errorf("%s: %d %s", c.path, w.Code, w.Body)
			continue
		}
		var img image.Image
		if strings.HasSuffix(c.path, ".tif") {
			var err error
			if img, err = tiff.Decode(bytes.NewReader(w.Body.Bytes())); err != nil {
				t.Fatalf("%s: %v", c.path, err)
			}
		} else {
			img = decode(t, w.Body.Bytes())
		}
		if c.w > 0 && (img.Bounds().Dx() != c.w || img.Bounds().Dy() != c.h) {
			t.Errorf("%s: %v, want %dx%d", c.path, img.Bounds().Size(), c.w, c.h)
		}
		for _, p := range c.points {
			if got := img.At(p.x, p.y); !near(got, p.c) {
				t.Errorf("%s at %d,%d: %v, want %v", c.path, p.x, p.y, got, p.c)
			}
		}
	}
	// Qualities.
	gray := decode(t, e.do(t, "GET", "/iiif/3/"+e.image+"/full/100,/0/gray.jpg").Body.Bytes())
	if _, ok := gray.(*image.Gray); !ok {
		t.Errorf("gray quality decoded as %T", gray)
	}
	bit := decode(t, e.do(t, "GET", "/iiif/3/"+e.image+"/full/100,/0/bitonal.png").Body.Bytes())
	for i, v := range bit.(*image.Gray).Pix {
		if v != 0 && v != 255 {
			t.Fatalf("bitonal pixel %d is %d", i, v)
		}
	}
}

func TestCanonicalTilesAreTheStoredBytes(t *testing.T) {
	e := newIIIFEnv(t)
	it, _ := e.store.Item(strings.TrimSuffix(e.image, "-1"))
	key := it.Files[0].Derivatives["access"]
	pyr, err := pyramid.Read(storage.ReaderAt{Ctx: context.Background(), F: e.blobs, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path            string
		level, col, row int
	}{
		{"0,0,256,256/256,/0/default.jpg", 0, 0, 0},
		{"768,512,232,188/232,/0/default.jpg", 0, 3, 2},
		{"512,0,488,512/244,256/0/default.jpg", 1, 1, 0},
		{"full/250,175/0/default.jpg", 2, 0, 0},
	} {
		off, n, _ := pyr.Levels[c.level].Tile(c.col, c.row)
		rc, _ := e.blobs.Get(context.Background(), key, off, n)
		var stored bytes.Buffer
		stored.ReadFrom(rc)
		rc.Close()
		w := e.do(t, "GET", "/iiif/3/"+e.image+"/"+c.path)
		if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), stored.Bytes()) {
			t.Errorf("%s: %d, %d bytes; not the %d stored bytes of tile %d/%d/%d", c.path, w.Code, w.Body.Len(), stored.Len(), c.level, c.col, c.row)
		}
	}
}

func TestInfoJSONInBothVersions(t *testing.T) {
	e := newIIIFEnv(t)
	w := e.do(t, "GET", "/iiif/3/"+e.image+"/info.json", "Accept", "application/ld+json")
	if w.Code != 200 || w.Header().Get("Content-Type") != `application/ld+json;profile="http://iiif.io/api/image/3/context.json"` {
		t.Fatalf("info.json: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	var v3 struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Profile string `json:"profile"`
		Width   int    `json:"width"`
		Height  int    `json:"height"`
		Rights  string `json:"rights"`
		MaxArea int    `json:"maxArea"`
		Sizes   []struct{ Width, Height int }
		Tiles   []struct {
			Width        int
			ScaleFactors []int
		}
	}
	json.Unmarshal(w.Body.Bytes(), &v3)
	if v3.ID != "http://example.com/iiif/3/"+e.image || v3.Type != "ImageService3" || v3.Profile != "level2" || v3.Width != 1000 || v3.Height != 700 ||
		v3.Rights != "http://creativecommons.org/licenses/by/4.0/" || v3.MaxArea == 0 || len(v3.Sizes) != 3 || v3.Sizes[0].Width != 250 ||
		v3.Tiles[0].Width != 256 || fmt.Sprint(v3.Tiles[0].ScaleFactors) != "[1 2 4]" {
		t.Fatalf("v3 info: %+v", v3)
	}
	if plain := e.do(t, "GET", "/iiif/3/"+e.image+"/info.json"); plain.Header().Get("Content-Type") != "application/json" {
		t.Errorf("plain info.json type %q", plain.Header().Get("Content-Type"))
	}
	w = e.do(t, "GET", "/iiif/2/"+e.image+"/info.json")
	var v2 map[string]any
	json.Unmarshal(w.Body.Bytes(), &v2)
	prof, _ := v2["profile"].([]any)
	if v2["@id"] != "http://example.com/iiif/2/"+e.image || len(prof) != 2 || prof[0] != "http://iiif.io/api/image/2/level2.json" {
		t.Fatalf("v2 info: %v", v2)
	}
	if w := e.do(t, "GET", "/iiif/2/"+e.image+"/full/full/0/default.jpg"); w.Code != 200 {
		t.Errorf("v2 full/full: %d", w.Code)
	}
	w = e.do(t, "GET", "/iiif/3/"+e.image)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "http://example.com/iiif/3/"+e.image+"/info.json" {
		t.Errorf("base URI: %d %q", w.Code, w.Header().Get("Location"))
	}
}

func TestIIIFHTTPSemantics(t *testing.T) {
	e := newIIIFEnv(t)
	path := "/iiif/3/" + e.image + "/0,0,500,350/!100,100/0/default.jpg"
	w := e.do(t, "GET", path)
	etag := w.Header().Get("ETag")
	if w.Code != 200 || etag == "" || w.Header().Get("Access-Control-Allow-Origin") != "*" ||
		w.Header().Get("Cache-Control") != "public, max-age=86400" ||
		w.Header().Get("Link") != `<http://example.com/iiif/3/`+e.image+`/0,0,500,350/100,70/0/default.jpg>;rel="canonical",<http://iiif.io/api/image/3/level2.json>;rel="profile"` {
		t.Fatalf("headers: %d %v", w.Code, w.Header())
	}
	if w := e.do(t, "GET", path, "If-None-Match", etag); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d", w.Code)
	}
	if w := e.do(t, "HEAD", path); w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: %d, %d bytes", w.Code, w.Body.Len())
	}
	if w := e.do(t, "OPTIONS", path, "Origin", "https://partner.example", "Access-Control-Request-Method", "GET"); w.Code != 204 || w.Header().Get("Access-Control-Allow-Methods") == "" {
		t.Errorf("preflight: %d %v", w.Code, w.Header())
	}
	for p, want := range map[string]int{
		"/iiif/3/" + e.image + "/abc,0,10,10/max/0/default.jpg":         400,
		"/iiif/3/" + e.image + "/2000,0,10,10/max/0/default.jpg":        400,
		"/iiif/3/" + e.image + "/full/2000,/0/default.jpg":              400,
		"/iiif/3/" + e.image + "/full/max/0/default.webp":               501,
		"/iiif/3/" + e.image + "/full/max/0":                            400,
		"/iiif/3/nosuchimage-1/full/max/0/default.jpg":                  404,
		"/iiif/3/" + strings.TrimSuffix(e.image, "-1") + "-9/info.json": 404,
		"/iiif/3/..%2F..%2Fetc%2Fpasswd/info.json":                      404,
		"/iiif/3/blobs%2Fsha256/info.json":                              404,
		"/iiif/3/" + e.closed + "/info.json":                            401,
		"/iiif/3/" + e.closed + "/full/max/0/default.jpg":               401,
	} {
		if w := e.do(t, "GET", p); w.Code != want {
			t.Errorf("%s: %d %q, want %d", p, w.Code, w.Body.String(), want)
		}
	}
	if w := e.do(t, "GET", "/iiif/3/"+e.closed+"/full/max/0/default.jpg", "Authorization", "Bearer "+token); w.Code != 200 || !strings.HasPrefix(w.Header().Get("Cache-Control"), "private") {
		t.Errorf("restricted image with token: %d %q", w.Code, w.Header().Get("Cache-Control"))
	}
	// Withdrawing an item closes its images at once.
	id := strings.TrimSuffix(e.image, "-1")
	e.store.Withdraw(context.Background(), id, "test", "withdrawn")
	if w := e.do(t, "GET", "/iiif/3/"+e.image+"/info.json"); w.Code != 410 {
		t.Errorf("withdrawn image: %d", w.Code)
	}
}

// FuzzImageRequest: every request path gets 200, 400, 404 or 501, never a
// panic or a 500.
func FuzzImageRequest(f *testing.F) {
	e := newIIIFEnv(f)
	for _, s := range []string{"full/max/0/default.jpg", "pct:1,1,50,50/^!20,20/!45/gray.png", "0,0,1,1/1,/360/bitonal.tif", "x/y/z/w.v"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		u := "/iiif/3/" + e.image + "/" + url.PathEscape(path)
		u = strings.ReplaceAll(u, "%2F", "/")
		w := e.do(t, "GET", u)
		switch w.Code {
		case 200, 400, 404, 501: // (2.1's 415 is not reachable from /iiif/3)
		default:
			t.Fatalf("%s: %d %s", u, w.Code, w.Body)
		}
	})
}

// BenchmarkTileCanonical measures a canonical tile request through the
// whole handler, as a viewer makes them.
func BenchmarkTileCanonical(b *testing.B) {
	e := newIIIFEnv(b)
	paths := []string{"0,0,256,256/256,/0/default.jpg", "256,256,256,256/256,/0/default.jpg", "768,512,232,188/232,/0/default.jpg"}
	b.ReportAllocs()
	runtime.GC() // the set-up's garbage is not the handler's
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			w := e.do(b, "GET", "/iiif/3/"+e.image+"/"+paths[i%len(paths)])
			if w.Code != 200 {
				b.Fatal(w.Code)
			}
			i++
		}
	})
}

// BenchmarkRegionUncached renders distinct non-tile regions, none cached.
func BenchmarkRegionUncached(b *testing.B) {
	e := newIIIFEnv(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		w := e.do(b, "GET", fmt.Sprintf("/iiif/3/%s/%d,%d,400,300/200,/0/default.jpg", e.image, i%500, (i*7)%300))
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
		e.srv.images.Forget()
	}
}

func TestIdenticalRendersInFlightAreMadeOnce(t *testing.T) {
	e := newIIIFEnv(t)
	before := e.srv.images.Renders()
	path := "/iiif/3/" + e.image + "/13,17,301,203/151,/0/default.jpg"
	var wg sync.WaitGroup
	codes := make([]int, 8)
	bodies := make([]string, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := e.do(t, "GET", path)
			codes[i], bodies[i] = w.Code, w.Body.String()
		}()
	}
	wg.Wait()
	for i := range codes {
		if codes[i] != 200 || bodies[i] != bodies[0] {
			t.Fatalf("answer %d: %d, %d bytes", i, codes[i], len(bodies[i]))
		}
	}
	if n := e.srv.images.Renders() - before; n != 1 {
		t.Errorf("%d renders for eight identical requests, want 1", n)
	}
	st := e.srv.images.CacheStats()["renders"]
	if st.Misses == 0 || st.Used == 0 || st.Max != imageapi.DefaultCacheBytes/12 {
		t.Errorf("render cache stats %+v", st)
	}
	if st := e.srv.images.CacheStats()["stored"]; st.Misses == 0 || st.Used == 0 {
		t.Errorf("the tiles read for the render are not kept as stored: %+v", st)
	}
	w := e.do(t, "GET", path)
	if st2 := e.srv.images.CacheStats()["responses"]; w.Code != 200 || st2.Hits+e.srv.images.CacheStats()["renders"].Hits == 0 {
		t.Errorf("a repeated request is not answered from a cache: %+v", e.srv.images.CacheStats())
	}
}
