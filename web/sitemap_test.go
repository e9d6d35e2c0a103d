package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
)

// validateSitemap checks doc against the sitemaps.org schema xsd
// (sitemap.xsd or siteindex.xsd).
func validateSitemap(t *testing.T, doc []byte, xsd string) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint (Debian libxml2-utils) is required")
	}
	path := filepath.Join(t.TempDir(), "sitemap.xml")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", filepath.Join("testdata", "sitemaps", xsd), path).CombinedOutput(); err != nil {
		t.Fatalf("not valid against %s: %v\n%s\n%s", xsd, err, out, doc)
	}
}

type sitemapDoc struct {
	XMLName xml.Name
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
	Sitemaps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
}

func getSitemap(t *testing.T, e *metaEnv, path, xsd string) sitemapDoc {
	t.Helper()
	w := e.do(t, "GET", path)
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/xml; charset=utf-8" {
		t.Fatalf("%s: %d %s", path, w.Code, w.Header().Get("Content-Type"))
	}
	validateSitemap(t, w.Body.Bytes(), xsd)
	var doc sitemapDoc
	if err := xml.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// sitemapItems are an open item, a restricted one, one withdrawn, one
// under embargo and one in a closed fonds.
func sitemapItems() []*repository.Item {
	return []*repository.Item{
		{Institution: "chula", Collection: "rama7-letters", Title: repository.Text{"en": "Open letter"}},
		{Institution: "chula", Title: repository.Text{"en": "Restricted"}, Access: repository.Access{Level: repository.Restricted}},
		{Institution: "cmu", Title: repository.Text{"en": "Withdrawn"}},
		{Institution: "tu", Title: repository.Text{"en": "Embargoed"}, Access: repository.Access{Level: repository.Public, Embargo: "2999-01-01"}},
		{Institution: "chula", Collection: "closed-fonds", Title: repository.Text{"en": "In a closed fonds"}},
		{Institution: "tu", Title: repository.Text{"th": "เอกสารเปิด"}},
	}
}

func newSitemapEnv(t *testing.T) (*metaEnv, []*repository.Item) {
	t.Helper()
	its := sitemapItems()
	e := newMetaEnv(t)
	ctx := context.Background()
	closed := &repository.Collection{ID: "closed-fonds", Institution: "chula", Level: repository.Fonds, Title: repository.Text{"en": "Closed"},
		Access: repository.Access{Level: repository.Restricted}}
	curated := &repository.Collection{ID: "chula-best", Institution: "chula", Level: repository.Curated, Title: repository.Text{"en": "Best of"}}
	if err := e.store.AddCollections(ctx, []*repository.Collection{closed, curated}, "t"); err != nil {
		t.Fatal(err)
	}
	for _, it := range its {
		if err := e.store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.store.Withdraw(ctx, its[2].ID, "t", "duplicate"); err != nil {
		t.Fatal(err)
	}
	return e, its
}

func TestTheSitemapListsEveryPublicPageWithItsLastChangeAndIsValid(t *testing.T) {
	e, its := newSitemapEnv(t)
	w := e.do(t, "GET", "/sitemap.xml")
	if cc := w.Header().Get("Cache-Control"); cc != "public, max-age=60" {
		t.Errorf("Cache-Control %q, want that of public listings", cc)
	}
	doc := getSitemap(t, e, "/sitemap.xml", "sitemap.xsd")
	if doc.XMLName.Local != "urlset" {
		t.Fatalf("root %s", doc.XMLName.Local)
	}
	got := map[string]string{}
	for _, u := range doc.URLs {
		if _, twice := got[u.Loc]; twice {
			t.Errorf("%s listed twice", u.Loc)
		}
		got[u.Loc] = u.LastMod
	}
	want := map[string]time.Time{}
	for _, id := range []string{"chula", "cmu", "tu"} {
		in, err := e.store.Institution(id)
		if err != nil {
			t.Fatal(err)
		}
		want["http://example.com/libraries/"+id] = in.Modified
	}
	for _, id := range []string{"rama7", "closed-fonds", "chula-best"} {
		c, err := e.store.Collection(id)
		if err != nil {
			t.Fatal(err)
		}
		if id == "rama7" {
			want["http://example.com/fonds/"+id] = c.Modified
		} else if id == "chula-best" {
			want["http://example.com/collections/"+id] = c.Modified
		}
	}
	for _, i := range []int{0, 5} {
		it, err := e.store.Item(its[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		want["http://example.com/items/"+it.ID] = it.Modified
	}
	if len(got) != len(want) {
		t.Errorf("%d addresses, want %d: %v", len(got), len(want), got)
	}
	for loc, mod := range want {
		lm, ok := got[loc]
		if !ok {
			t.Errorf("%s is missing", loc)
			continue
		}
		if parsed, err := time.Parse(time.RFC3339, lm); err != nil || !parsed.Equal(mod.Truncate(time.Second)) {
			t.Errorf("%s: lastmod %q, want %s", loc, lm, mod.UTC().Format(time.RFC3339))
		}
	}
	for _, i := range []int{1, 2, 3, 4} {
		if _, ok := got["http://example.com/items/"+its[i].ID]; ok {
			t.Errorf("the sitemap lists %q, which anonymous visitors may not read", its[i].Title.Get("en"))
		}
	}
}

func TestPastItsLimitTheSitemapIsAnIndexOfValidPagesHoldingEveryAddressOnce(t *testing.T) {
	e, _ := newSitemapEnv(t)
	var all []string
	for _, u := range getSitemap(t, e, "/sitemap.xml", "sitemap.xsd").URLs {
		all = append(all, u.Loc)
	}
	e.srv.cfg.Sitemap.PerPage = 2
	index := getSitemap(t, e, "/sitemap.xml", "siteindex.xsd")
	pages := (len(all) + 1) / 2
	if index.XMLName.Local != "sitemapindex" || len(index.Sitemaps) != pages {
		t.Fatalf("index %s of %d sitemaps, want %d", index.XMLName.Local, len(index.Sitemaps), pages)
	}
	var paged []string
	for _, s := range index.Sitemaps {
		path, ok := strings.CutPrefix(s.Loc, "http://example.com")
		if !ok {
			t.Fatalf("sitemap at %q, not on the request's base", s.Loc)
		}
		page := getSitemap(t, e, path, "sitemap.xsd")
		if len(page.URLs) > 2 {
			t.Errorf("%s holds %d addresses", path, len(page.URLs))
		}
		for _, u := range page.URLs {
			paged = append(paged, u.Loc)
		}
	}
	if !slices.Equal(paged, all) {
		t.Errorf("the pages hold\n%v\nthe whole sitemap\n%v", paged, all)
	}
	for _, bad := range []string{"/sitemap/0.xml", "/sitemap/01.xml", "/sitemap/x.xml", "/sitemap/1", "/sitemap/-1.xml",
		"/sitemap/" + string(rune('0'+pages+1)) + ".xml"} {
		if w := e.do(t, "GET", bad); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "/") && strings.Contains(w.Body.String(), "testdata") {
			t.Errorf("%s: %d", bad, w.Code)
		}
	}
}

func TestRobotsKeepCrawlersOffTheDeskSearchesAndImagesAndNameTheSitemap(t *testing.T) {
	e := newMetaEnv(t)
	w := e.do(t, "GET", "/robots.txt")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("robots.txt: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	// RFC 9309: the longest matching rule decides, Allow on a tie; * is
	// any run of characters.
	type rule struct {
		allow bool
		re    string
	}
	var rules []rule
	var sitemaps []string
	for _, line := range strings.Split(w.Body.String(), "\n") {
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		switch strings.ToLower(k) {
		case "allow", "disallow":
			rules = append(rules, rule{strings.EqualFold(k, "allow"), v})
		case "sitemap":
			sitemaps = append(sitemaps, v)
		}
	}
	allowed := func(path string) bool {
		best, allow := -1, true
		for _, r := range rules {
			pat := "^" + strings.ReplaceAll(regexp.QuoteMeta(r.re), `\*`, ".*")
			if m, _ := regexp.MatchString(pat, path); m && (len(r.re) > best || len(r.re) == best && r.allow) {
				best, allow = len(r.re), r.allow
			}
		}
		return allow
	}
	for path, want := range map[string]bool{
		"/": true, "/items/abc": true, "/libraries/cmu": true, "/fonds/rama7": true, "/collections/x": true, "/sitemap.xml": true,
		"/iiif/3/manifest/abc": true, "/iiif/3/collection/cmu": true, "/points/p1": true,
		"/desk": false, "/desk/items": false, "/search?q=x": false, "/search": false, "/api/v1/items/abc": false,
		"/iiif/3/abc-1/full/max/0/default.jpg": false, "/iiif/2/abc-1/info.json": false, "/login": false, "/account/data": false,
		"/items/abc/transcribe/1": false, "/annotations/abc/1/": false, "/fonds/rama7/print.pdf": false, "/embed/abc": false,
	} {
		if allowed(path) != want {
			t.Errorf("%s: crawlers allowed %v, want %v", path, !want, want)
		}
	}
	if !slices.Equal(sitemaps, []string{"http://example.com/sitemap.xml"}) {
		t.Errorf("sitemaps %q", sitemaps)
	}
	e.srv.cfg.BaseURL = "https://archive.example.ac.th"
	if body := e.do(t, "GET", "/robots.txt").Body.String(); !strings.Contains(body, "\nSitemap: https://archive.example.ac.th/sitemap.xml\n") {
		t.Errorf("behind a proxy with a base address: %s", body)
	}
}
