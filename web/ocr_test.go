package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/pyramid"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// textItem registers a public item of type Text whose pages carry the
// given lines as their read text (ALTO and plain text beside an access
// copy), as the OCR runner leaves them.
func textItem(t testing.TB, e *iiifEnv, pages ...[]string) *repository.Item {
	t.Helper()
	ctx := context.Background()
	put := func(key string, b []byte) {
		if _, err := e.blobs.Put(ctx, key, bytes.NewReader(b), storage.PutOptions{Size: int64(len(b))}); err != nil {
			t.Fatal(err)
		}
	}
	it := &repository.Item{Institution: "cmu", Type: "Text", Title: repository.Text{"en": "Gazette", "th": "ราชกิจจา"}}
	for i, lines := range pages {
		img := image.NewGray(image.Rect(0, 0, 800, 1100))
		for p := range img.Pix {
			img.Pix[p] = uint8(200 + 10*i)
		}
		for y := 100; y < 100+60*len(lines); y += 60 { // dark bands where the lines are
			for x := 100; x < 700; x++ {
				for dy := range 30 {
					img.SetGray(x, y+dy, color.Gray{Y: 40})
				}
			}
		}
		var b bytes.Buffer
		if _, err := pyramid.Write(ctx, &b, img, pyramid.Options{}); err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b.Bytes())
		sha := hex.EncodeToString(h[:])
		dir := "derivatives/" + sha[:2] + "/" + sha[2:4] + "/" + sha + "/"
		put(dir+"p1.tif", b.Bytes())
		page := &ocr.Page{Width: 800, Height: 1100}
		for l, text := range lines {
			y := 100 + 60*l
			line := ocr.Line{Box: ocr.Box{X: 100, Y: y, W: 600, H: 30}}
			x := 100
			for _, w := range strings.Fields(text) {
				n := len([]rune(w))
				line.Words = append(line.Words, ocr.Word{Text: w, Box: ocr.Box{X: x, Y: y, W: 25 * n, H: 30}, Conf: 0.9})
				x += 25*n + 15
			}
			page.Lines = append(page.Lines, line)
		}
		put(dir+"p1.alto.xml", page.WriteALTO("p", "test"))
		put(dir+"p1.ocr.txt", []byte(page.Text()))
		it.Files = append(it.Files, repository.File{Name: fmt.Sprintf("p%d.tif", i+1), SHA256: sha, Size: int64(b.Len()), MediaType: "image/tiff",
			Width: 800, Height: 1100, Derivatives: map[string]string{"access": dir + "p1.tif", "alto": dir + "p1.alto.xml", "text": dir + "p1.ocr.txt"}})
	}
	if err := e.store.SaveItem(ctx, it, "test"); err != nil {
		t.Fatal(err)
	}
	return it
}

var gazettePages = [][]string{
	{"ประกาศ มหาวิทยาลัยเชียงใหม่", "เรื่อง การรับสมัคร"},
	{"The council met on Tuesday."},
	{"หนังสือเล่มนี้เล่าเรื่อง ประวัติศาสตร์ของล้านนา", "printed in Chiang Mai"},
	{"ภาคผนวก"},
}

// The manifest of an item with text offers Content Search 2.0 and 1.0 with
// autocomplete, and each canvas its text as an annotation page and as ALTO;
// each answers over HTTP.
func TestManifestOffersSearchInsideAndTheTextOfEachPage(t *testing.T) {
	e := newIIIFEnv(t)
	it := textItem(t, e, gazettePages...)
	w := e.do(t, "GET", "/iiif/3/manifest/"+it.ID)
	var m struct {
		Service []map[string]any
		Items   []struct {
			ID          string
			Annotations []struct{ ID, Type string }
			SeeAlso     []struct{ ID, Format string }
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, s := range m.Service {
		types = append(types, fmt.Sprint(s["type"], s["@type"]))
	}
	if len(m.Service) != 2 || !strings.Contains(strings.Join(types, " "), "SearchService2") || m.Service[1]["profile"] != "http://iiif.io/api/search/1/search" {
		t.Fatalf("manifest services: %v", m.Service)
	}
	c3 := m.Items[2]
	if len(c3.Annotations) != 1 || len(c3.SeeAlso) != 1 || c3.SeeAlso[0].Format != "application/xml" {
		t.Fatalf("canvas 3 links no text: %+v", c3)
	}
	for _, v := range []string{"2", "1"} {
		w = e.do(t, "GET", "/iiif/search/"+v+"/"+it.ID+"?q="+url.QueryEscape("ประวัติศาสตร์"))
		if w.Code != 200 || !strings.Contains(w.Body.String(), c3.ID+"#xywh=") || w.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("search %s: %d %s", v, w.Code, w.Body)
		}
		w = e.do(t, "GET", "/iiif/autocomplete/"+v+"/"+it.ID+"?q="+url.QueryEscape("ประวัติ"))
		if w.Code != 200 || !strings.Contains(w.Body.String(), "ประวัติศาสตร์") {
			t.Errorf("autocomplete %s: %d %s", v, w.Code, w.Body)
		}
	}
	// Pages of hits: one past the last is not found, one that is not a page is refused.
	q := "/iiif/search/2/" + it.ID + "?q=" + url.QueryEscape("ประวัติศาสตร์")
	if w = e.do(t, "GET", q+"&page=1"); w.Code != 200 {
		t.Errorf("page 1 of the hits: %d %s", w.Code, w.Body)
	}
	if w = e.do(t, "GET", q+"&page=2"); w.Code != http.StatusNotFound {
		t.Errorf("page 2 of one page of hits: %d %s", w.Code, w.Body)
	}
	for _, p := range []string{"0", "two", "-1"} {
		if w = e.do(t, "GET", q+"&page="+p); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "page") {
			t.Errorf("page=%s: %d %s", p, w.Code, w.Body)
		}
	}
	// The 2.1 manifest offers Content Search 1.0 on its own canvases.
	w = e.do(t, "GET", "/iiif/2/manifest/"+it.ID)
	var m2 struct{ Service map[string]any }
	json.Unmarshal(w.Body.Bytes(), &m2)
	if m2.Service["@id"] != "http://example.com/iiif/2/search/"+it.ID || m2.Service["profile"] != "http://iiif.io/api/search/1/search" {
		t.Errorf("2.1 manifest service: %v", m2.Service)
	}
	w = e.do(t, "GET", "/iiif/2/search/"+it.ID+"?q="+url.QueryEscape("ประวัติศาสตร์"))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"on":"http://example.com/iiif/2/manifest/`+it.ID+`/canvas/3#xywh=`) {
		t.Errorf("search of the 2.1 manifest: %d %s", w.Code, w.Body)
	}
	w = e.do(t, "GET", "/iiif/2/autocomplete/"+it.ID+"?q="+url.QueryEscape("ประวัติ"))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"url":"http://example.com/iiif/2/search/`+it.ID+`?q=`) {
		t.Errorf("autocomplete of the 2.1 manifest: %d %s", w.Code, w.Body)
	}
	w = e.do(t, "GET", strings.TrimPrefix(c3.Annotations[0].ID, "http://example.com"))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"supplementing"`) || !strings.Contains(w.Body.String(), "printed in Chiang Mai") {
		t.Errorf("text of canvas 3: %d %s", w.Code, w.Body)
	}
	w = e.do(t, "GET", "/api/v1/items/"+it.ID+"/files/3/alto")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `CONTENT="ประวัติศาสตร์ของล้านนา"`) || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/xml") {
		t.Errorf("ALTO of page 3: %d %.300s", w.Code, w.Body)
	}
	// The text is no thumbnail: the derivative route does not serve it.
	if w = e.do(t, "GET", "/api/v1/items/"+it.ID+"/files/3/alto.xml"); w.Code != http.StatusNotFound {
		t.Errorf("a page's text through the derivative route: %d", w.Code)
	}
	if w = e.do(t, "GET", "/api/v1/items/"+it.ID+"/files/3/text"); w.Code != http.StatusNotFound {
		t.Errorf("a page's text through the derivative route: %d", w.Code)
	}
}

// A catalogue search lists the pages whose text matched, each a link that
// opens the viewer on that page with the words searched for.
func TestCatalogueSearchListsThePagesThatMatched(t *testing.T) {
	e := newIIIFEnv(t)
	it := textItem(t, e, gazettePages...)
	w := e.do(t, "GET", "/search?lang=en&q="+url.QueryEscape("ประวัติศาสตร์"))
	body := w.Body.String()
	link := fmt.Sprintf(`href="/items/%s?page=3&amp;q=%s"`, it.ID, url.QueryEscape("ประวัติศาสตร์"))
	if w.Code != 200 || !strings.Contains(body, link) || !strings.Contains(body, "<mark>ประวัติศาสตร์</mark>") {
		t.Fatalf("search page: %d, no link %s to page 3 with its snippet:\n%s", w.Code, link, body)
	}
	if strings.Contains(body, "page=1&amp;") {
		t.Error("a page without the word is listed")
	}
	w = e.do(t, "GET", "/api/v1/search?q="+url.QueryEscape("ประวัติศาสตร์"))
	var api struct {
		Hits []struct {
			ID    string
			Pages []struct {
				Page         int
				Snippet, URL string
			}
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &api); err != nil {
		t.Fatal(err)
	}
	if len(api.Hits) != 1 || len(api.Hits[0].Pages) != 1 || api.Hits[0].Pages[0].Page != 3 || !strings.Contains(api.Hits[0].Pages[0].URL, "page=3") {
		t.Errorf("the JSON API's hit does not list page 3: %s", w.Body)
	}
}

// Mirador opens an item, a reader searches a Thai word in its search
// panel, and the viewer goes to the page where it is, the hit selected.
func TestViewerSearchesAThaiWordAndShowsItsPage(t *testing.T) {
	e, base := serveEnv(t)
	it := textItem(t, e, gazettePages...)
	ctx := browser(t)
	net := watch(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/items/"+it.ID+"?lang=en"), chromedp.WaitVisible(chromedp.ID("viewer"))); err != nil {
		t.Fatal(err)
	}
	net.waitFor(t, "manifest", func(u string, st int) bool { return st == 200 && strings.HasSuffix(u, "/iiif/3/manifest/"+it.ID) })
	window := `Object.values(window.archiveViewer.store.getState().windows)[0]`
	clickUntil(t, ctx, `#viewer button[aria-label="Toggle sidebar"]`, `!!`+window+`.sideBarOpen`)
	clickUntil(t, ctx, `#viewer [role="tab"][aria-label="Search"]`, `!!document.querySelector('#viewer input[id^="search-"]')`)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#viewer input[id^="search-"]`), "ประวัติศาสตร์\r")); err != nil {
		t.Fatalf("typing in the search panel: %v", err)
	}
	net.waitFor(t, "search answer", func(u string, st int) bool {
		return st == 200 && strings.Contains(u, "/iiif/search/1/"+it.ID+"?q=")
	})
	canvas := base + "/iiif/3/manifest/" + it.ID + "/canvas/3"
	state := `(() => { const s = window.archiveViewer.store.getState(); const w = Object.values(s.windows)[0]; return w.canvasId || ""; })()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](state+` === "`+canvas+`"`, chromedp.WithPollingTimeout(30e9))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](state))
		t.Fatalf("the viewer is on %q after the search, want page 3: %v", got, err)
	}
	hits, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#viewer li[class*="SearchHit"], #viewer [class*="SearchHit-root"]').length`))
	if err != nil || hits == 0 {
		t.Errorf("the search panel lists no hit (%v)", err)
	}
	screenshot(t, ctx, "search-within")
}

// The desk says how many pages of an item wait to have their text read and
// offers to read them; asked, it says they are waiting for the reader.
func TestDeskShowsTheReadingOfPagesAndAsksForIt(t *testing.T) {
	e := newIIIFEnv(t)
	item := strings.TrimSuffix(e.image, "-1")
	r := ocr.NewRunner(ocr.Config{Store: e.store, Blobs: e.blobs}) // not running: requests wait
	srv, err := New(withServices(t, Config{Store: e.store, Blobs: e.blobs, Hosts: testHosts, OCR: r}))
	if err != nil {
		t.Fatal(err)
	}
	tok := tokenFor(t, e.store, "archivist@cmu.example", "cmu", "archivist", "write")
	do := func(method, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w
	}
	w := do("GET", "/desk/items/"+item+"?lang=en")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Pages whose text is not read yet: 1") || !strings.Contains(w.Body.String(), `action="/desk/items/`+item+`/ocr"`) {
		t.Fatalf("desk before: %d %s", w.Code, w.Body)
	}
	if w = do("POST", "/api/v1/items/"+item+"/ocr"); w.Code != http.StatusAccepted || !strings.Contains(w.Body.String(), `"unread":1`) {
		t.Fatalf("asking for the text: %d %s", w.Code, w.Body)
	}
	if w = do("GET", "/desk/items/"+item+"?lang=th"); !strings.Contains(w.Body.String(), "หน้าที่รออ่านข้อความ: 1") {
		t.Errorf("desk after asking, in Thai: %s", w.Body)
	}
	if p := r.Progress(item); p == nil || p.State != ocr.Waiting {
		t.Errorf("progress %+v", p)
	}
	// Readers may not ask.
	reader := tokenFor(t, e.store, "reader@cmu.example", "cmu", "reader", "write")
	req := httptest.NewRequest("POST", "/api/v1/items/"+item+"/ocr", nil)
	req.Header.Set("Authorization", "Bearer "+reader)
	w = httptest.NewRecorder()
	srv.ServeHTTP(w, req)
	if w.Code != http.StatusForbidden {
		t.Errorf("a reader asking: %d", w.Code)
	}
}

// A catalogue hit's page link opens the item's viewer on that page, with
// the words searched inside the item; the page of hits passes axe-core.
func TestSearchHitOpensTheViewerOnItsPage(t *testing.T) {
	e, base := serveEnv(t)
	it := textItem(t, e, gazettePages...)
	ctx := browser(t)
	net := watch(ctx)
	q := url.QueryEscape("ประวัติศาสตร์")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/search?lang=th&q="+q), chromedp.WaitVisible(chromedp.CSS(".pagehits a"))); err != nil {
		t.Fatal(err)
	}
	checkAccessibility(t, ctx, "search page with page hits")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".pagehits a"))); err != nil {
		t.Fatal(err)
	}
	net.waitFor(t, "search inside the item", func(u string, st int) bool {
		return st == 200 && strings.Contains(u, "/iiif/search/1/"+it.ID+"?q=")
	})
	canvas := base + "/iiif/3/manifest/" + it.ID + "/canvas/3"
	state := `(() => { const w = Object.values(window.archiveViewer.store.getState().windows)[0]; return w && w.canvasId || ""; })()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](state+` === "`+canvas+`"`, chromedp.WithPollingTimeout(30e9))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](state))
		t.Fatalf("the viewer opened on %q, want page 3: %v", got, err)
	}
	screenshot(t, ctx, "search-hit-opens-page")
}

// clickUntil clicks the element sel until the page's expression done holds,
// as a reader clicks again: a click on a button that moved while Mirador laid
// out its window (a slow machine) is lost.
func clickUntil(t *testing.T, ctx context.Context, sel, done string) {
	t.Helper()
	for try := 1; ; try++ {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
			t.Fatalf("clicking %s: %v", sel, err)
		}
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](done, chromedp.WithPollingTimeout(10e9)))
		if err == nil {
			return
		}
		if try == 3 || ctx.Err() != nil {
			t.Fatalf("after %d clicks on %s, %s is still false: %v", try, sel, done, err)
		}
	}
}

// TestSearchHitOpensTheViewerWithEachHitOnce: a catalogue hit's link with
// a Thai word opens the viewer with the item's search asked under one
// address and each hit listed once (Mirador asked twice, the word as typed
// and URL-encoded, and listed every hit twice).
func TestSearchHitOpensTheViewerWithEachHitOnce(t *testing.T) {
	e, base := serveEnv(t)
	it := textItem(t, e, gazettePages...)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/items/"+it.ID+"?lang=en&page=3&q="+url.QueryEscape("ประวัติศาสตร์")), chromedp.WaitVisible(chromedp.ID("viewer"))); err != nil {
		t.Fatal(err)
	}
	// Once the search panel shows the words (it asks for them as it
	// appears), an answer is in and nothing is being asked, count the hits kept.
	searches := `(() => { const s = window.archiveViewer && window.archiveViewer.store.getState().searches; const w = s && Object.values(s)[0]; const p = w && Object.values(w)[0]; return p ? Object.values(p.data) : []; })()`
	panel := `(() => { const i = document.querySelector('#viewer input[id^="search-"]'); return !!i && i.value === "ประวัติศาสตร์"; })()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](panel+` && `+searches+`.some(d => d.json) && `+searches+`.every(d => !d.isFetching)`, chromedp.WithPollingTimeout(30e9))); err != nil {
		t.Fatalf("no search answer in the viewer: %v", err)
	}
	type kept struct{ Asked, Hits int }
	got, err := chromedp.Run(ctx, chromedp.Evaluate[kept](`(() => { const d = `+searches+`; return {Asked: d.length, Hits: d.reduce((n, x) => n + ((x.json && x.json.hits) || []).length, 0)}; })()`))
	if err != nil || got.Asked != 1 || got.Hits != 1 {
		t.Errorf("the viewer keeps %d answers with %d hits for the one hit (%v)", got.Asked, got.Hits, err)
	}
	screenshot(t, ctx, "search-hit-once")
}
