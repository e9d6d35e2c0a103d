package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/storagetest"
)

func TestOEmbedAnswersForItemAddresses(t *testing.T) {
	e := newIIIFEnv(t)
	item := strings.TrimSuffix(e.image, "-1")
	w := e.do(t, "GET", "/oembed?format=json&maxwidth=400&url="+url.QueryEscape("http://example.com/items/"+item))
	var o map[string]any
	json.Unmarshal(w.Body.Bytes(), &o)
	if w.Code != 200 || o["type"] != "rich" || o["version"] != "1.0" || o["width"] != float64(400) ||
		!strings.Contains(o["html"].(string), `src="http://example.com/embed/`+item+`"`) || o["thumbnail_url"] == nil {
		t.Fatalf("oembed: %d %v", w.Code, o)
	}
	for q, want := range map[string]int{
		"url=" + url.QueryEscape("http://example.com/items/nosuchitem"):                          404,
		"url=" + url.QueryEscape("http://example.com/items/"+strings.TrimSuffix(e.closed, "-1")): 401,
		"url=" + url.QueryEscape("http://example.com/items/"+item) + "&format=xml":               501,
		"": 400,
	} {
		if w := e.do(t, "GET", "/oembed?"+q); w.Code != want {
			t.Errorf("oembed %s: %d, want %d", q, w.Code, want)
		}
	}
	page := e.do(t, "GET", "/items/"+item).Body.String()
	if !strings.Contains(page, `type="application/json+oembed"`) {
		t.Error("item page lacks the oEmbed discovery link")
	}
}

func TestEmbedFramingFollowsTheConfiguredPartners(t *testing.T) {
	e := newIIIFEnv(t)
	item := strings.TrimSuffix(e.image, "-1")
	if csp := e.do(t, "GET", "/embed/"+item).Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") {
		t.Errorf("default embed CSP %q", csp)
	}
	e.srv.cfg.FrameAncestors = "https://partner.example.org"
	if csp := e.do(t, "GET", "/embed/"+item).Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://partner.example.org") {
		t.Errorf("partner embed CSP %q", csp)
	}
	if csp := e.do(t, "GET", "/items/"+item).Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self'") {
		t.Errorf("item page may be framed by anyone: %q", csp)
	}
	if w := e.do(t, "GET", "/embed/"+strings.TrimSuffix(e.closed, "-1")); w.Code != 401 || strings.Contains(w.Body.String(), "Closed") {
		t.Errorf("restricted item embedded: %d", w.Code)
	}
}

func TestPagesSpeakTheReadersLanguage(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	th := &repository.Item{Institution: "chula", Title: repository.Text{"th": "พระราชหัตถเลขาเรื่องการศึกษา", "en": "Royal letter on education"}, Date: "2475"}
	th.Date = "1932"
	e.store.SaveItem(ctx, th, "t")
	w := e.do(t, "GET", "/items/"+th.ID, "Accept-Language", "th-TH,th;q=0.9")
	body := w.Body.String()
	if !strings.Contains(body, `<html lang="th">`) || !strings.Contains(body, "พ.ศ. 2475") || !strings.Contains(body, "Royal letter on education") {
		t.Errorf("Thai item page: %.400s", body)
	}
	w = e.do(t, "GET", "/items/"+th.ID+"?lang=en")
	if !strings.Contains(w.Body.String(), "<h1>Royal letter on education</h1>") || !strings.Contains(w.Body.String(), ">1932<") {
		t.Errorf("English item page")
	}
	// Thai has no spaces between words: a word inside a title is found.
	w = e.do(t, "GET", "/search?q="+url.QueryEscape("การศึกษา"))
	if !strings.Contains(w.Body.String(), "/items/"+th.ID) {
		t.Error("search for a Thai word inside a title finds nothing")
	}
	if strings.Contains(e.do(t, "GET", "/search?q=Closed").Body.String(), strings.TrimSuffix(e.closed, "-1")) {
		t.Error("search shows a restricted item")
	}
	if w := e.do(t, "GET", "/items/"+strings.TrimSuffix(e.closed, "-1")); w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "Closed") {
		t.Errorf("restricted item page: %d", w.Code)
	}
	for _, p := range []string{"/", "/libraries/cmu", "/collections/nosuch", "/items/nosuchitem", "/login"} {
		w := e.do(t, "GET", p)
		if (w.Code != 200 && w.Code != 404) || !strings.Contains(w.Body.String(), "</html>") {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
}

func TestSignInNeedsAPasswordAndAValidForm(t *testing.T) {
	e := newIIIFEnv(t)
	srv := httptest.NewServer(e.srv)
	defer srv.Close()
	client := &http.Client{Jar: &cookieJar{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	good := url.Values{"email": {"admin@example.org"}, "password": {password}}
	if resp, _ := client.PostForm(srv.URL+"/login", good); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-in without the form's CSRF token: %d", resp.StatusCode)
	}
	csrf := formToken(t, client, srv.URL+"/login")
	if resp, _ := client.PostForm(srv.URL+"/login", url.Values{"email": {"admin@example.org"}, "password": {"wrong"}, "csrf": {csrf}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	good.Set("csrf", csrf)
	resp, _ := client.PostForm(srv.URL+"/login", good)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie: %+v", session)
	}
	// Signed in, a state change still needs the CSRF token.
	if resp, _ := client.Post(srv.URL+"/api/v1/batches", "application/json", strings.NewReader(`{"institution":"tu"}`)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("batch from a session without CSRF: %d", resp.StatusCode)
	}
	// Signing out ends the session on the server: the old cookie is worthless.
	desk := formToken(t, client, srv.URL+"/desk")
	if resp, _ := client.PostForm(srv.URL+"/logout", url.Values{"csrf": {desk}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	replay, _ := http.NewRequest("GET", srv.URL+"/desk/users", nil)
	replay.AddCookie(session)
	if resp, _ := (&http.Client{CheckRedirect: client.CheckRedirect}).Do(replay); resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the signed-out session still works: %d", resp.StatusCode)
	}
}

type cookieJar struct{ cookies []*http.Cookie }

func (j *cookieJar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	for _, c := range cs {
		kept := j.cookies[:0]
		for _, o := range j.cookies {
			if o.Name != c.Name {
				kept = append(kept, o)
			}
		}
		j.cookies = append(kept, c)
	}
}

func (j *cookieJar) Cookies(*url.URL) []*http.Cookie { return j.cookies }

// BenchmarkItemPage measures the server's time for an item page.
func BenchmarkItemPage(b *testing.B) {
	e := newIIIFEnv(b)
	item := strings.TrimSuffix(e.image, "-1")
	for b.Loop() {
		if w := e.do(b, "GET", "/items/"+item+"?lang=th"); w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

func TestHEADWhereverGETWorksAndAFavicon(t *testing.T) {
	e := newIIIFEnv(t)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	item := strings.TrimSuffix(e.image, "-1")
	for _, p := range []string{"/", "/items/" + item, "/libraries/cmu", "/search?q=x", "/embed/" + item, "/login", "/iiif/3/manifest/" + item, "/oai?verb=Identify"} {
		resp, err := http.Head(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(b) != 0 || resp.Header.Get("Content-Type") == "" {
			t.Errorf("HEAD %s: %d, %d bytes, %q", p, resp.StatusCode, len(b), resp.Header.Get("Content-Type"))
		}
	}
	resp, err := http.Get(ts.URL + "/favicon.ico")
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("favicon: %v %v", resp.StatusCode, err)
	}
	if !strings.Contains(e.do(t, "GET", "/").Body.String(), `rel="icon"`) {
		t.Error("pages do not name the favicon")
	}
}

func TestRightsAreNamedAndSearchCountsItsResults(t *testing.T) {
	e := newIIIFEnv(t) // the quadrants carry CC BY 4.0
	item := strings.TrimSuffix(e.image, "-1")
	page := e.do(t, "GET", "/items/"+item+"?lang=th").Body.String()
	if !strings.Contains(page, `<a href="http://creativecommons.org/licenses/by/4.0/" rel="license">ครีเอทีฟคอมมอนส์ แสดงที่มา 4.0</a>`) ||
		!strings.Contains(page, "Creative Commons Attribution 4.0") {
		t.Errorf("rights on the Thai page: %s", page[strings.Index(page, "<dl"):])
	}
	if body := e.do(t, "GET", "/search?q=quadrants&lang=en").Body.String(); !strings.Contains(body, `id="result-count">1 items found`) {
		t.Errorf("search count: %s", body)
	}
}

func TestItemsWithNothingToViewShowTheirFiles(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	text := []byte("บันทึกการประชุม\n")
	info := storagetest.MustPut(t, f.faulty, storage.DigestKey(storagetest.Sum(text)), text)
	it := &repository.Item{Institution: "tu", Type: "Text", Title: repository.Text{"en": "Minutes"},
		Files: []repository.File{{Name: "minutes.txt", SHA256: info.SHA256, Size: info.Size, MediaType: "text/plain; charset=utf-8"}}}
	if err := f.srv.cfg.Store.SaveItem(ctx, it, "t"); err != nil {
		t.Fatal(err)
	}
	page := f.do(t, "GET", "/items/"+it.ID+"?lang=en").Body.String()
	if strings.Contains(page, `id="viewer"`) || !strings.Contains(page, `class="filecard"`) || !strings.Contains(page, `href="http://example.com/api/v1/items/`+it.ID+`/files/1" download>minutes.txt</a>`) {
		t.Errorf("a text item's page: %s", page)
	}
	if embed := f.do(t, "GET", "/embed/"+it.ID+"?lang=en").Body.String(); !strings.Contains(embed, `class="filecard"`) || strings.Contains(embed, "not built") {
		t.Errorf("a text item's embed: %s", embed)
	}
	if home := f.do(t, "GET", "/?lang=th").Body.String(); !strings.Contains(home, `<span class="filecard" aria-hidden="true">ข้อความ</span>`) {
		t.Errorf("a text item in the grid has no card")
	}
}

// A signed-out visitor opening the Thai desk is sent to a Thai sign-in
// page, which brings them back to the Thai desk.
func TestSignedOutThaiDeskSendsToAThaiSignInPage(t *testing.T) {
	_, base := serveEnv(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(base + "/desk?lang=th")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	to := resp.Header.Get("Location")
	u, err := url.Parse(to)
	if resp.StatusCode != http.StatusSeeOther || err != nil || u.Path != "/login" || u.Query().Get("lang") != "th" || u.Query().Get("next") != "/desk?lang=th" {
		t.Fatalf("the signed-out desk answers %d, sending to %q", resp.StatusCode, to)
	}
	resp, err = client.Get(base + to)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), `<html lang="th">`) || !strings.Contains(string(b), t2("th", "signin")) {
		t.Errorf("the sign-in page it sends to is not Thai: %.300s", b)
	}
}

// oEmbed's lang (or the item address's own ?lang=) is the embed's: its
// title and provider are in it and the iframe asks for it; the item
// page's embed code and oEmbed link carry the page's language.
func TestOEmbedSpeaksTheAskedLanguage(t *testing.T) {
	e := newIIIFEnv(t)
	item := strings.TrimSuffix(e.image, "-1")
	for _, q := range []string{"lang=th&url=" + url.QueryEscape("http://example.com/items/"+item), "url=" + url.QueryEscape("http://example.com/items/"+item+"?lang=th")} {
		w := e.do(t, "GET", "/oembed?format=json&"+q)
		var o map[string]any
		json.Unmarshal(w.Body.Bytes(), &o)
		html, _ := o["html"].(string)
		if w.Code != 200 || o["provider_name"] != t2("th", "site") || !strings.Contains(html, `src="http://example.com/embed/`+item+`?lang=th"`) {
			t.Errorf("oembed?%s: %d %v", q, w.Code, o)
		}
	}
	page := e.do(t, "GET", "/items/"+item+"?lang=th").Body.String()
	if !strings.Contains(page, "/embed/"+item+"?lang=th") || !strings.Contains(page, "/oembed?format=json&amp;lang=th&amp;url=") {
		t.Errorf("the Thai item page's embed code or oEmbed link lacks its language")
	}
}
