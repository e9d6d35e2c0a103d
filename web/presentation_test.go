package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/iiif/presentation"
	"github.com/thaiarchives/archive/repository"
)

func validateIIIF(t *testing.T, body []byte) {
	t.Helper()
	f, err := os.Open("../testdata/iiif/presentation-3.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, _ := jsonschema.UnmarshalJSON(f)
	c := jsonschema.NewCompiler()
	c.AddResource("p3.json", doc)
	sch, err := c.Compile("p3.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("not valid IIIF Presentation 3: %v", err)
	}
}

func TestManifestEndpoint(t *testing.T) {
	e := newIIIFEnv(t)
	item := strings.TrimSuffix(e.image, "-1")
	w := e.do(t, "GET", "/iiif/3/manifest/"+item, "Accept", "application/ld+json")
	if w.Code != 200 || w.Header().Get("Content-Type") != `application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"` ||
		w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("manifest: %d %v", w.Code, w.Header())
	}
	validateIIIF(t, w.Body.Bytes())
	var m struct {
		Items []struct {
			Width int
			Items []struct {
				Items []struct {
					Body struct {
						Service []map[string]any
					}
				}
			}
		}
	}
	json.Unmarshal(w.Body.Bytes(), &m)
	svc := m.Items[0].Items[0].Items[0].Body.Service
	if m.Items[0].Width != 1000 || svc[0]["id"] != "http://example.com/iiif/3/"+e.image || svc[1]["@id"] != "http://example.com/iiif/2/"+e.image {
		t.Fatalf("canvas: %+v", m)
	}
	// The image service the manifest names answers.
	if w := e.do(t, "GET", "/iiif/3/"+e.image+"/info.json"); w.Code != 200 {
		t.Fatalf("the manifest's image service: %d", w.Code)
	}
	etag := w.Header().Get("ETag")
	if w := e.do(t, "GET", "/iiif/3/manifest/"+item, "If-None-Match", etag); w.Code != 304 {
		t.Errorf("conditional manifest: %d", w.Code)
	}
	v2 := e.do(t, "GET", "/iiif/2/manifest/"+item)
	neg := e.do(t, "GET", "/iiif/3/manifest/"+item, "Accept", `application/ld+json;profile="http://iiif.io/api/presentation/2/context.json"`)
	for _, r := range []string{v2.Body.String(), neg.Body.String()} {
		if !strings.Contains(r, `"@type":"sc:Manifest"`) {
			t.Errorf("2.1 manifest: %.200s", r)
		}
	}
	closed := strings.TrimSuffix(e.closed, "-1")
	// A restricted item the library reveals: a stub naming nothing, whose
	// images carry the sign-in services.
	if w := e.do(t, "GET", "/iiif/3/manifest/"+closed); w.Code != 200 || strings.Contains(w.Body.String(), "Closed") ||
		!strings.Contains(w.Body.String(), "Restricted item") || !strings.Contains(w.Body.String(), "AuthProbeService2") ||
		!strings.Contains(w.Header().Get("Cache-Control"), "private") {
		t.Errorf("restricted manifest: %d %s", w.Code, w.Body)
	} else {
		validateIIIF(t, w.Body.Bytes())
	}
	if w := e.do(t, "GET", "/iiif/3/manifest/"+closed, "Authorization", "Bearer "+token); w.Code != 200 {
		t.Errorf("restricted manifest with token: %d", w.Code)
	}
	if w := e.do(t, "GET", "/iiif/3/manifest/nosuchitem"); w.Code != 404 {
		t.Errorf("unknown manifest: %d", w.Code)
	}
}

func TestCollectionsAcrossLibraries(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	item := strings.TrimSuffix(e.image, "-1")
	closed := strings.TrimSuffix(e.closed, "-1")
	// A tu item, and a shared collection of items from both libraries.
	other := &repository.Item{Institution: "tu", Title: repository.Text{"en": "From Thammasat"}}
	e.store.SaveItem(ctx, other, "t")
	shared := &repository.Collection{ID: "shared-maps", Institution: "chula", Level: repository.Curated, Title: repository.Text{"en": "Shared maps"},
		Members: []string{item, other.ID, closed}}
	if err := e.store.SaveCollection(ctx, shared, "t"); err != nil {
		t.Fatal(err)
	}
	// cmu's top-level units: an open fonds with a series below it, and a
	// restricted fonds; and a later curated collection of tu's.
	for _, c := range []*repository.Collection{
		{ID: "cmu-open-fonds", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Open fonds"}},
		{ID: "cmu-open-series", Institution: "cmu", Parent: "cmu-open-fonds", Level: repository.Series, Title: repository.Text{"en": "Its series"}},
		{ID: "cmu-shut-fonds", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Shut fonds"}, Access: repository.Access{Level: repository.Restricted}},
		{ID: "a-tu-shared", Institution: "tu", Level: repository.Curated, Order: 1, Title: repository.Text{"en": "Later shared"}, Members: []string{other.ID}},
	} {
		if err := e.store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	get := func(path string) string {
		w := e.do(t, "GET", path)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		validateIIIF(t, w.Body.Bytes())
		return w.Body.String()
	}
	top := get("/iiif/3/collection/top")
	for _, want := range []string{"/iiif/3/collection/cmu", "/iiif/3/collection/tu", "/iiif/3/collection/chula", "/iiif/3/collection/shared-maps"} {
		if !strings.Contains(top, want) {
			t.Errorf("top lacks %s", want)
		}
	}
	if i, j := strings.Index(top, "/iiif/3/collection/shared-maps"), strings.Index(top, "/iiif/3/collection/a-tu-shared"); i < 0 || j < i {
		t.Errorf("top lists the shared collections out of their order (%d, %d)", i, j)
	}
	lib := get("/iiif/3/collection/cmu")
	if !strings.Contains(lib, "/iiif/3/collection/cmu/page/1") {
		t.Errorf("library collection lacks its page: %s", lib)
	}
	if !strings.Contains(lib, "/iiif/3/collection/cmu-open-fonds") || strings.Contains(lib, "cmu-open-series") || strings.Contains(lib, "cmu-shut-fonds") {
		t.Errorf("library collection does not list exactly its open top-level unit: %s", lib)
	}
	page := get("/iiif/3/collection/cmu/page/1")
	if !strings.Contains(page, "/iiif/3/manifest/"+item) || strings.Contains(page, closed) {
		t.Errorf("library page: %s", page)
	}
	sc := get("/iiif/3/collection/shared-maps")
	if !strings.Contains(sc, "/iiif/3/manifest/"+other.ID) || !strings.Contains(sc, "Thammasat University") ||
		!strings.Contains(sc, "Chiang Mai University") || strings.Contains(sc, closed) {
		t.Errorf("shared collection: %s", sc)
	}
	if w := e.do(t, "GET", "/iiif/3/collection/nosuch"); w.Code != 404 {
		t.Errorf("unknown collection: %d", w.Code)
	}
}

func TestChangeDiscoveryStream(t *testing.T) {
	e := newIIIFEnv(t)
	var stream struct {
		TotalItems int
		Last       struct{ ID string }
	}
	w := e.do(t, "GET", "/iiif/discovery/collection")
	json.Unmarshal(w.Body.Bytes(), &stream)
	if w.Code != 200 || stream.TotalItems != 2 || stream.Last.ID != "http://example.com/iiif/discovery/page/0" {
		t.Fatalf("stream: %d %s", w.Code, w.Body)
	}
	page := e.do(t, "GET", "/iiif/discovery/page/0").Body.String()
	item := strings.TrimSuffix(e.image, "-1")
	closed := `{"id":"http://example.com/iiif/3/manifest/` + strings.TrimSuffix(e.closed, "-1") + `","type":"Manifest"},"type":`
	if !strings.Contains(page, `"type":"Create"`) || !strings.Contains(page, "/iiif/3/manifest/"+item) || !strings.Contains(page, closed+`"Delete"`) || strings.Contains(page, closed+`"Create"`) {
		t.Errorf("page 0 (a restricted item of a library that reveals them is a Delete): %s", page)
	}
	e.store.Withdraw(context.Background(), item, "t", "gone")
	page = e.do(t, "GET", "/iiif/discovery/page/0").Body.String()
	if !strings.Contains(page, `"type":"Delete"`) {
		t.Errorf("deletion not announced: %s", page)
	}
	if w := e.do(t, "GET", "/iiif/discovery/page/7"); w.Code != 404 {
		t.Errorf("page past the end: %d", w.Code)
	}
}

// BenchmarkManifest1000Canvases builds, uncached, the manifest of an item of
// 1,000 pages.
func BenchmarkManifest1000Canvases(b *testing.B) {
	e := newHarvestEnv(b, 0)
	it := &repository.Item{Institution: "cmu", Title: repository.Text{"th": "หนังสือ", "en": "Book"}}
	for i := range 1000 {
		it.Files = append(it.Files, repository.File{Name: fmt.Sprintf("p%d.tif", i), SHA256: strings.Repeat("a", 64), MediaType: "image/tiff",
			Width: 3000, Height: 4000, Derivatives: map[string]string{"access": "x", "thumb": "y"}})
	}
	e.store.SaveItem(context.Background(), it, "b")
	b.ReportAllocs()
	for b.Loop() {
		e.srv.pres.Docs = imageapi.NewCache[[]byte](16 << 20) // uncached: built every time
		if w := e.do(b, "GET", "/iiif/3/manifest/"+it.ID); w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkTopCollection100k lists a page of a library holding 100,000 items.
func BenchmarkTopCollection100k(b *testing.B) {
	e := newHarvestEnv(b, 100_000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		for _, p := range []string{"/iiif/3/collection/top", "/iiif/3/collection/tu", fmt.Sprintf("/iiif/3/collection/tu/page/%d", 1+i%50)} {
			if w := e.do(b, "GET", p); w.Code != 200 {
				b.Fatal(p, w.Code)
			}
		}
	}
}

// A library with more top-level units than a page holds lists pages of
// them, each a collection of at most a page's worth, decided for the
// visitor like the rest; the library's collection stays small however many
// units it has.
func TestALibrarysUnitsArePagedInItsIIIFCollection(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	for i := range presentation.PageSize + 2 {
		c := &repository.Collection{ID: fmt.Sprintf("tu-u%04d", i), Institution: "tu", Level: repository.Series, Title: repository.Text{"en": fmt.Sprintf("Series %d", i)}}
		if i == 0 {
			c.Access.Level = repository.Restricted
		}
		if err := e.store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	get := func(path string, want int) string {
		w := e.do(t, "GET", path)
		if w.Code != want {
			t.Fatalf("%s: %d, want %d: %.300s", path, w.Code, want, w.Body)
		}
		if want == 200 {
			validateIIIF(t, w.Body.Bytes())
		}
		return w.Body.String()
	}
	lib := get("/iiif/3/collection/tu", 200)
	if !strings.Contains(lib, "/iiif/3/collection/tu/units/1") || !strings.Contains(lib, "/iiif/3/collection/tu/units/2") ||
		strings.Contains(lib, "/iiif/3/collection/tu/units/3") || strings.Contains(lib, "tu-u0001") {
		t.Fatalf("the library's collection should list two pages of units and no unit: %.1500s", lib)
	}
	first := get("/iiif/3/collection/tu/units/1", 200)
	if n := strings.Count(first, "/iiif/3/collection/tu-u"); n != presentation.PageSize || strings.Contains(first, "tu-u0000") || !strings.Contains(first, "tu-u0001") {
		t.Fatalf("the first page holds %d units (want %d, the restricted one not among them)", n, presentation.PageSize)
	}
	if last := get("/iiif/3/collection/tu/units/2", 200); !strings.Contains(last, "/iiif/3/collection/tu-u1001") || strings.Count(last, "tu-u") != 1 {
		t.Fatalf("the last page: %.1000s", last)
	}
	get("/iiif/3/collection/tu/units/3", 404)
	get("/iiif/3/collection/tu-u0001/units/1", 404)
}
