package contentsearch_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/ocr/ocrtest"
	"github.com/thaiarchives/archive/pyramid"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/search/thai"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
)

const base = "https://archive.example"

type env struct {
	store *bolt.Store
	blobs *local.Store
	svc   *contentsearch.Service
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	blobs, err := local.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(tb.TempDir(), "a.db"), blobs)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	dict, err := thai.Shared()
	if err != nil {
		tb.Fatal(err)
	}
	return &env{store: store, blobs: blobs, svc: contentsearch.New(contentsearch.Config{Items: store, Blobs: blobs, Dict: dict})}
}

func digest(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func (e *env) put(tb testing.TB, key string, b []byte) {
	tb.Helper()
	if _, err := e.blobs.Put(context.Background(), key, bytes.NewReader(b), storage.PutOptions{Size: int64(len(b))}); err != nil {
		tb.Fatal(err)
	}
}

// imageItem registers a Text item whose pages are the images, each with an
// access copy, as ingest would.
func (e *env) imageItem(tb testing.TB, level string, pages ...*image.Gray) *repository.Item {
	tb.Helper()
	it := &repository.Item{Institution: "cmu", Type: "Text", Title: repository.Text{"en": "Gazette"}, Access: repository.Access{Level: level}}
	for i, img := range pages {
		var b bytes.Buffer
		if _, err := pyramid.Write(context.Background(), &b, img, pyramid.Options{}); err != nil {
			tb.Fatal(err)
		}
		sha := digest(b.Bytes())
		key := "derivatives/" + sha[:2] + "/" + sha[2:4] + "/" + sha + "/p1.tif"
		e.put(tb, key, b.Bytes())
		it.Files = append(it.Files, repository.File{Name: fmt.Sprintf("p%d.png", i+1), SHA256: sha, Size: int64(b.Len()), MediaType: "image/png",
			Width: img.Bounds().Dx(), Height: img.Bounds().Dy(), Derivatives: map[string]string{"access": key}})
	}
	if err := e.store.SaveItem(context.Background(), it, "test"); err != nil {
		tb.Fatal(err)
	}
	return it
}

// textItem registers an item whose pages' text is already read.
func (e *env) textItem(tb testing.TB, level string, pages ...*ocr.Page) *repository.Item {
	tb.Helper()
	it := &repository.Item{Institution: "cmu", Type: "Text", Title: repository.Text{"en": "Letters"}, Access: repository.Access{Level: level}}
	for i, p := range pages {
		alto := p.WriteALTO("test", "test")
		sha := digest(append(alto, byte(i)))
		key := "derivatives/" + sha[:2] + "/" + sha[2:4] + "/" + sha + "/p1.alto.xml"
		e.put(tb, key, alto)
		it.Files = append(it.Files, repository.File{Name: fmt.Sprintf("p%d.tif", i+1), SHA256: sha, MediaType: "image/tiff",
			Width: p.Width, Height: p.Height, Derivatives: map[string]string{"access": key, "alto": key}})
	}
	if err := e.store.SaveItem(context.Background(), it, "test"); err != nil {
		tb.Fatal(err)
	}
	return it
}

type answer2 struct {
	Items []struct {
		ID, Motivation, Target string
		Body                   struct{ Value string }
	}
	Annotations []struct {
		Items []struct {
			Target []struct {
				Source   string
				Selector []struct{ Prefix, Exact, Suffix string }
			}
		}
	}
}

type answer1 struct {
	Resources []struct {
		ID string `json:"@id"`
		On string
	}
	Hits []struct {
		Annotations          []string
		Match, Before, After string
	}
}

func search(tb testing.TB, e *env, p access.Principal, item string, v int, q string, into any) {
	tb.Helper()
	b, err := e.svc.Search(context.Background(), p, contentsearch.Request{Item: item, Base: base, Version: v, Q: q})
	if err != nil {
		tb.Fatalf("search %q (v%d): %v", q, v, err)
	}
	if err := json.Unmarshal(b.Body, into); err != nil {
		tb.Fatal(err)
	}
}

// box reads a target's canvas number and #xywh.
func box(tb testing.TB, item, target string) (int, image.Rectangle) {
	tb.Helper()
	canvas, frag, ok := strings.Cut(target, "#xywh=")
	prefix := base + "/iiif/3/manifest/" + item + "/canvas/"
	if !ok || !strings.HasPrefix(canvas, prefix) {
		tb.Fatalf("target %q is not a box on a canvas of the item", target)
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(canvas, prefix))
	var x, y, w, h int
	if _, err := fmt.Sscanf(frag, "%d,%d,%d,%d", &x, &y, &w, &h); err != nil {
		tb.Fatalf("target %q: %v", target, err)
	}
	return n, image.Rect(x, y, x+w, y+h)
}

// A Thai word drawn on page 3 of a three-page item, read by Tesseract, is
// found by Content Search 2.0 and 1.0, on canvas 3, in a box that overlaps
// where it was drawn.
func TestSearchFindsThaiWordOnThirdPageWhereItWasDrawn(t *testing.T) {
	ocrtest.Need(t, "tesseract", "tesseract-ocr")
	e := newEnv(t)
	english := ocrtest.Make(t, ocrtest.Page{Lines: []ocrtest.Line{{Font: ocrtest.English, Pieces: []string{"The first page of the gazette."}}}})
	thaiPage := ocrtest.Make(t, ocrtest.Page{Lines: []ocrtest.Line{{Font: ocrtest.Thai, Pieces: []string{"หนังสืออนุสรณ์งานฌาปนกิจ"}}}})
	third := ocrtest.Make(t, ocrtest.Page{Rotate: 0.8, Noise: 0.003, Seed: 3, Lines: []ocrtest.Line{
		{Font: ocrtest.Thai, Pieces: []string{"ประกาศมหาวิทยาลัยเชียงใหม่ เรื่อง การรับสมัคร"}},
		{Font: ocrtest.Thai, Pieces: []string{"หนังสือเล่มนี้เล่าเรื่อง", "*ประวัติศาสตร์", "ของล้านนา"}},
		{Font: ocrtest.English, Pieces: []string{"Printed in Chiang Mai."}},
	}})
	it := e.imageItem(t, repository.Public, english.Image, thaiPage.Image, third.Image)
	r := ocr.NewRunner(ocr.Config{Store: e.store, Blobs: e.blobs, TempDir: t.TempDir()})
	if err := r.Item(context.Background(), it.ID, nil); err != nil {
		t.Fatal(err)
	}
	drawn := third.Marked["ประวัติศาสตร์"]

	var a2 answer2
	search(t, e, access.Principal{}, it.ID, 2, "ประวัติศาสตร์", &a2)
	found := false
	for _, a := range a2.Items {
		n, b := box(t, it.ID, a.Target)
		if a.Motivation != "highlighting" {
			t.Errorf("annotation motivation %q, want highlighting", a.Motivation)
		}
		if n == 3 && b.Overlaps(drawn) {
			found = true
		}
	}
	if !found {
		t.Fatalf("Content Search 2.0 found no box on canvas 3 overlapping %v: %+v", drawn, a2.Items)
	}
	if len(a2.Annotations) == 0 || a2.Annotations[0].Items[0].Target[0].Selector[0].Exact == "" {
		t.Errorf("no contextualizing quote of the hit: %+v", a2.Annotations)
	}

	var a1 answer1
	search(t, e, access.Principal{}, it.ID, 1, "ประวัติศาสตร์", &a1)
	found = false
	for _, a := range a1.Resources {
		if n, b := box(t, it.ID, a.On); n == 3 && b.Overlaps(drawn) {
			found = true
		}
	}
	if !found || len(a1.Hits) == 0 || len(a1.Hits[0].Annotations) == 0 {
		t.Fatalf("Content Search 1.0 found no box on canvas 3 overlapping %v: %+v", drawn, a1)
	}
}

func line(y int, words ...string) ocr.Line {
	l := ocr.Line{Box: ocr.Box{X: 100, Y: y, W: 0, H: 40}}
	x := 100
	for _, w := range words {
		wb := ocr.Box{X: x, Y: y, W: 30 * len([]rune(w)), H: 40}
		l.Words = append(l.Words, ocr.Word{Text: w, Box: wb, Conf: 1})
		l.Box = l.Box.Union(wb)
		x += wb.W + 20
	}
	return l
}

// A phrase that runs from the end of one line onto the next is one hit
// with a box on each line.
func TestSearchHitAcrossTwoLinesHasABoxOnEach(t *testing.T) {
	e := newEnv(t)
	page := &ocr.Page{Width: 2000, Height: 3000, Lines: []ocr.Line{
		line(100, "Letters", "from", "Chiang"),
		line(160, "Mai", "to", "Bangkok"),
	}}
	it := e.textItem(t, repository.Public, page)
	var a2 answer2
	search(t, e, access.Principal{}, it.ID, 2, `"chiang mai"`, &a2)
	if len(a2.Items) != 2 {
		t.Fatalf("2.0: %d annotations, want one on each line: %+v", len(a2.Items), a2.Items)
	}
	_, b1 := box(t, it.ID, a2.Items[0].Target)
	_, b2 := box(t, it.ID, a2.Items[1].Target)
	if b1.Min.Y != 100 || b2.Min.Y != 160 {
		t.Errorf("boxes %v and %v are not on the two lines", b1, b2)
	}
	if q := a2.Annotations[0].Items; len(q) != 1 || len(q[0].Target) != 2 || q[0].Target[0].Selector[0].Exact != "Chiang Mai" {
		t.Errorf("the quote does not hold the whole hit over both lines: %+v", q)
	}
	var a1 answer1
	search(t, e, access.Principal{}, it.ID, 1, `"chiang mai"`, &a1)
	if len(a1.Hits) != 1 || len(a1.Hits[0].Annotations) != 2 || a1.Hits[0].Before != "Letters from " || a1.Hits[0].After != " to Bangkok" {
		t.Fatalf("1.0: want one hit of two annotations with its context: %+v", a1.Hits)
	}
}

// A word of a Thai compound is found inside it, with the box of its part
// of the compound, as the catalogue finds it.
func TestSearchFindsThaiWordInsideACompound(t *testing.T) {
	e := newEnv(t)
	page := &ocr.Page{Width: 2000, Height: 3000, Lines: []ocr.Line{line(100, "มหาวิทยาลัยเชียงใหม่", "ก่อตั้ง")}}
	it := e.textItem(t, repository.Public, page)
	var a2 answer2
	search(t, e, access.Principal{}, it.ID, 2, "เชียงใหม่", &a2)
	if len(a2.Items) != 1 {
		t.Fatalf("%d hits, want 1", len(a2.Items))
	}
	_, b := box(t, it.ID, a2.Items[0].Target)
	whole := page.Lines[0].Words[0].Box
	if b.Min.X <= whole.X || b.Max.X > whole.X+whole.W+1 {
		t.Errorf("box %v is not the end of the compound's box %+v", b, whole)
	}
}

// Restricted text is not searchable, completed or read by those who may
// not see the item's pages; the library's readers may.
func TestRestrictedTextStaysRestricted(t *testing.T) {
	e := newEnv(t)
	page := &ocr.Page{Width: 2000, Height: 3000, Lines: []ocr.Line{line(100, "secret", "minutes")}}
	closed := e.textItem(t, repository.Restricted, page)
	meta := e.textItem(t, repository.MetadataOnly, page)
	ctx := context.Background()
	anon := access.Principal{}
	other := access.Principal{User: "u2", Email: "b@tu", Institution: "tu", Role: access.Reader}
	member := access.Principal{User: "u1", Email: "a@cmu", Institution: "cmu", Role: access.Reader}
	for _, it := range []*repository.Item{closed, meta} {
		for _, p := range []access.Principal{anon, other} {
			r := contentsearch.Request{Item: it.ID, Base: base, Version: 2, Q: "secret"}
			if _, err := e.svc.Search(ctx, p, r); err == nil {
				t.Errorf("%s item searched by %q", it.Access.Level, p.Email)
			}
			if _, err := e.svc.Autocomplete(ctx, p, r); err == nil {
				t.Errorf("%s item completed for %q", it.Access.Level, p.Email)
			}
			if _, err := e.svc.TextPage(ctx, p, base, it.ID, 1); err == nil {
				t.Errorf("%s item's text read by %q", it.Access.Level, p.Email)
			}
			if hits, err := e.svc.Pages(ctx, p, it.ID, "secret", 3, true); err != nil || len(hits) != 0 {
				t.Errorf("%s item's pages listed for %q: %v %v", it.Access.Level, p.Email, hits, err)
			}
		}
	}
	if _, err := e.svc.Search(ctx, anon, contentsearch.Request{Item: closed.ID, Base: base, Version: 1, Q: "secret"}); !errors.Is(err, fault.NotFound) {
		t.Errorf("a restricted item's search answers %v to a visitor, want not found", err)
	}
	var a2 answer2
	search(t, e, member, closed.ID, 2, "secret", &a2)
	if len(a2.Items) != 1 {
		t.Errorf("the library's reader finds %d hits, want 1", len(a2.Items))
	}
}

// Autocomplete offers the item's words that begin as typed, commonest
// first; the text of a page is an annotation page of supplementing lines.
func TestAutocompleteAndTextPage(t *testing.T) {
	e := newEnv(t)
	page := &ocr.Page{Width: 2000, Height: 3000, Lines: []ocr.Line{line(100, "university", "universal", "university"), line(160, "มหาวิทยาลัย")}}
	it := e.textItem(t, repository.Public, page)
	ctx := context.Background()
	a, err := e.svc.Autocomplete(ctx, access.Principal{}, contentsearch.Request{Item: it.ID, Base: base, Version: 1, Q: "Univ"})
	if err != nil {
		t.Fatal(err)
	}
	b := a.Body
	var terms struct{ Terms []struct{ Match string } }
	json.Unmarshal(b, &terms)
	if len(terms.Terms) != 2 || terms.Terms[0].Match != "university" {
		t.Errorf("autocomplete 1.0: %s", b)
	}
	a, err = e.svc.Autocomplete(ctx, access.Principal{}, contentsearch.Request{Item: it.ID, Base: base, Version: 2, Q: "มหาวิ"})
	if err == nil {
		b = a.Body
	}
	if err != nil || !strings.Contains(string(b), `"value":"มหาวิทยาลัย"`) || !strings.Contains(string(b), `"TermPage"`) {
		t.Errorf("autocomplete 2.0 of a Thai prefix: %s %v", b, err)
	}
	a, err = e.svc.TextPage(ctx, access.Principal{}, base, it.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	b = a.Body
	if !a.Public {
		t.Error("a public item's text is not marked public")
	}
	var pg struct {
		Type  string
		Items []struct {
			Motivation, Target string
			Body               struct{ Value string }
		}
	}
	json.Unmarshal(b, &pg)
	if pg.Type != "AnnotationPage" || len(pg.Items) != 2 || pg.Items[0].Motivation != "supplementing" || pg.Items[0].Body.Value != "university universal university" ||
		!strings.HasSuffix(pg.Items[1].Target, "/canvas/1#xywh=100,160,330,40") {
		t.Errorf("text page: %s", b)
	}
	hits, err := e.svc.Pages(ctx, access.Principal{}, it.ID, "มหาวิทยาลัย", 3, true)
	if err != nil || len(hits) != 1 || hits[0].Page != 1 || !strings.Contains(hits[0].Snippet, "<mark>มหาวิทยาลัย</mark>") {
		t.Errorf("pages: %+v %v", hits, err)
	}
}

// A catalogue search does not wait for an item's text to be read: its
// pages are listed once the text, read in the background, is in memory.
func TestPagesWithoutWaitingReadsTheTextInTheBackground(t *testing.T) {
	e := newEnv(t)
	page := &ocr.Page{Width: 2000, Height: 3000, Lines: []ocr.Line{line(100, "gazette")}}
	it := e.textItem(t, repository.Public, page, page)
	ctx := context.Background()
	if hits, err := e.svc.Pages(ctx, access.Principal{}, it.ID, "gazette", 3, false); err != nil || hits != nil {
		t.Fatalf("first look: %v %v, want nothing yet", hits, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		hits, err := e.svc.Pages(ctx, access.Principal{}, it.ID, "gazette", 3, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 2 && hits[1].Page == 2 {
			return
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
	t.Fatal("the pages were never listed")
}

// A Thai word that the end of a line cut in two (Thai breaks lines
// without hyphens) is found whole, with a box on each line.
func TestSearchFindsAThaiWordCutByTheEndOfALine(t *testing.T) {
	e := newEnv(t)
	dict, _ := thai.Shared()
	if terms := dict.Segment("ประวัติศาสตร์"); len(terms) != 1 {
		t.Fatalf("the dictionary cuts the word: %+v", terms)
	}
	page := &ocr.Page{Width: 2000, Height: 3000, Lines: []ocr.Line{
		line(100, "หนังสือเล่าเรื่องประวัติ"),
		line(160, "ศาสตร์ของล้านนา"),
	}}
	it := e.textItem(t, repository.Public, page)
	var a1 answer1
	search(t, e, access.Principal{}, it.ID, 1, "ประวัติศาสตร์", &a1)
	if len(a1.Hits) != 1 || len(a1.Hits[0].Annotations) != 2 || a1.Hits[0].Match != "ประวัติ ศาสตร์" {
		t.Fatalf("want one hit over both lines: %+v", a1.Hits)
	}
	_, b1 := box(t, it.ID, a1.Resources[0].On)
	_, b2 := box(t, it.ID, a1.Resources[1].On)
	if b1.Min.Y != 100 || b2.Min.Y != 160 || b2.Min.X != 100 {
		t.Errorf("boxes %v %v", b1, b2)
	}
}

// counting is blob storage that counts what is read from it.
type counting struct {
	*local.Store
	mu   sync.Mutex
	gets map[string]int
}

func (c *counting) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	c.mu.Lock()
	c.gets[key]++
	c.mu.Unlock()
	return c.Store.Get(ctx, key, off, n)
}

func (c *counting) read(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gets[key]
}

// Opening a manifest warms the item's text: it is read in the background
// before any search, for those who may read it only.
func TestWarmReadsTheTextBeforeTheFirstSearch(t *testing.T) {
	e := newEnv(t)
	page := &ocr.Page{Width: 2000, Height: 3000, Lines: []ocr.Line{line(100, "minutes")}}
	open := e.textItem(t, repository.Public, page)
	closed := e.textItem(t, repository.Restricted, &ocr.Page{Width: 2000, Height: 3000, Lines: []ocr.Line{line(100, "secret", "minutes")}})
	blobs := &counting{Store: e.blobs, gets: map[string]int{}}
	dict, _ := thai.Shared()
	svc := contentsearch.New(contentsearch.Config{Items: e.store, Blobs: blobs, Dict: dict})
	svc.Warm(access.Principal{}, closed.ID)
	svc.Warm(access.Principal{}, open.ID)
	deadline := time.Now().Add(10 * time.Second)
	for blobs.read(open.Files[0].Derivatives["alto"]) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
	// Searches now join the reading under way, or find it done.
	var hits []contentsearch.PageHit
	for len(hits) == 0 && time.Now().Before(deadline) {
		hits, _ = svc.Pages(context.Background(), access.Principal{}, open.ID, "minutes", 3, false)
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
	if len(hits) != 1 {
		t.Fatalf("after warming, %d pages listed", len(hits))
	}
	if blobs.read(closed.Files[0].Derivatives["alto"]) != 0 {
		t.Error("warming for a visitor read a restricted item's text")
	}
}

// More hits than a page holds are on pages of their own, each linked from
// the others and naming the whole: in both versions, in reading order,
// with ids that do not repeat from page to page. A page past the last is
// not found; a page that is not a number is refused.
func TestSearchPagesManyHits(t *testing.T) {
	e := newEnv(t)
	dict, err := thai.Shared()
	if err != nil {
		t.Fatal(err)
	}
	e.svc = contentsearch.New(contentsearch.Config{Items: e.store, Blobs: e.blobs, Dict: dict, PageSize: 4})
	var lines []ocr.Line
	for i := range 10 {
		lines = append(lines, line(100+60*i, "ledger", fmt.Sprintf("n%d", i)))
	}
	it := e.textItem(t, repository.Public, &ocr.Page{Width: 2000, Height: 3000, Lines: lines})
	get := func(v, page int, into any) error {
		b, err := e.svc.Search(context.Background(), access.Principal{}, contentsearch.Request{Item: it.ID, Base: base, Version: v, Q: "ledger", Page: page})
		if err == nil {
			err = json.Unmarshal(b.Body, into)
		}
		return err
	}
	type ref struct{ ID, Type string }
	type page2 struct {
		ID     string
		PartOf struct {
			ID, Type    string
			Total       int
			First, Last ref
		}
		StartIndex *int
		Prev, Next *ref
		Items      []struct{ ID, Target string }
	}
	seen := map[string]bool{}
	var ys []int
	for n, want := range []struct{ items, start int }{{4, 0}, {4, 4}, {2, 8}} {
		var a page2
		if err := get(2, n+1, &a); err != nil {
			t.Fatal(err)
		}
		// The search's own address is the collection; each page, the first
		// too, has its number.
		all := base + "/iiif/search/2/" + it.ID + "?q=ledger"
		if a.ID != all+fmt.Sprintf("&page=%d", n+1) || len(a.Items) != want.items || a.StartIndex == nil || *a.StartIndex != want.start ||
			a.PartOf.ID != all || a.PartOf.Type != "AnnotationCollection" || a.PartOf.Total != 10 || a.PartOf.First.ID != all+"&page=1" || a.PartOf.Last.ID != all+"&page=3" {
			t.Fatalf("2.0 page %d: %+v", n+1, a)
		}
		if (a.Prev != nil) != (n > 0) || (a.Next != nil) != (n < 2) || a.Next != nil && a.Next.ID != base+"/iiif/search/2/"+it.ID+fmt.Sprintf("?q=ledger&page=%d", n+2) {
			t.Fatalf("2.0 page %d links: prev %+v next %+v", n+1, a.Prev, a.Next)
		}
		for _, an := range a.Items {
			if seen[an.ID] {
				t.Fatalf("annotation %s on two pages", an.ID)
			}
			seen[an.ID] = true
			_, b := box(t, it.ID, an.Target)
			ys = append(ys, b.Min.Y)
		}
	}
	if !slices.IsSorted(ys) || len(ys) != 10 {
		t.Fatalf("the hits over the pages are not each line in reading order: %v", ys)
	}
	var a1 struct {
		Within struct {
			Total       int
			First, Last string
		}
		StartIndex int
		Prev, Next string
		Hits       []struct{ Match string }
	}
	if err := get(1, 2, &a1); err != nil {
		t.Fatal(err)
	}
	v1 := base + "/iiif/search/1/" + it.ID + "?q=ledger"
	if a1.Within.Total != 10 || a1.Within.First != v1+"&page=1" || a1.Within.Last != v1+"&page=3" || a1.StartIndex != 4 ||
		a1.Prev != v1+"&page=1" || a1.Next != v1+"&page=3" || len(a1.Hits) != 4 {
		t.Fatalf("1.0 page 2: %+v", a1)
	}
	if err := get(2, 4, &struct{}{}); !errors.Is(err, fault.NotFound) {
		t.Errorf("page 4 of 3: %v, want not found", err)
	}
	if err := get(2, -1, &struct{}{}); !errors.Is(err, fault.Invalid) {
		t.Errorf("a page that is not one: %v, want invalid", err)
	}
	// A search with few hits is one page, as before: no paging at all.
	var one map[string]any
	b, err := e.svc.Search(context.Background(), access.Principal{}, contentsearch.Request{Item: it.ID, Base: base, Version: 2, Q: "n3"})
	if err != nil || json.Unmarshal(b.Body, &one) != nil || one["partOf"] != nil || one["next"] != nil || len(one["items"].([]any)) != 1 {
		t.Fatalf("a search of one hit: %v %v", one, err)
	}
}
