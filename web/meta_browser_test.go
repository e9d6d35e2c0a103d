package web

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/repository"
)

// TestABrowserReadsTheEmbeddedMetadataAsWritten opens item pages in
// Chromium and reads their meta tags and JSON-LD from its DOM, as Zotero's
// connector and search engines' renderers do: a Thai title and a hostile
// one come back as written, the JSON-LD parses, and no script runs or is
// refused under the pages' Content-Security-Policy.
func TestABrowserReadsTheEmbeddedMetadataAsWritten(t *testing.T) {
	hostile := `</script><script>window.pwned=1</script><!-- "'&`
	th := &repository.Item{ARK: "ark:/99999/c1br0007t", Institution: "chula", Collection: "rama7-letters", Title: repository.Text{"th": "พระราชหัตถเลขา"},
		Creator: repository.Text{"th": "สมชาย ใจดี"}, Date: "1932-06-18"}
	bad := &repository.Item{Institution: "chula", Title: repository.Text{"en": hostile}}
	e := newMetaEnv(t, th, bad)
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	ctx := browser(t)
	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective))`}); err != nil {
		t.Fatal(err)
	}
	type read struct {
		Meta   map[string][]string
		LD     []map[string]any
		CSP    []string
		Pwned  bool
		Script int
	}
	for _, c := range []struct {
		it          *repository.Item
		lang, title string
	}{{th, "th", "พระราชหัตถเลขา"}, {bad, "en", hostile}} {
		err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/items/"+c.it.ID+"?lang="+c.lang), chromedp.WaitReady("body"))
		if err != nil {
			t.Fatalf("%s: %v", c.it.ID, err)
		}
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify((() => {
				const meta = {};
				for (const m of document.head.querySelectorAll("meta[name]")) (meta[m.name] ||= []).push(m.content);
				const lds = [...document.querySelectorAll('script[type="application/ld+json"]')];
				return {Meta: meta, LD: lds.map(s => JSON.parse(s.textContent)), CSP: window.__csp, Pwned: !!window.pwned,
					Script: document.querySelectorAll("script").length};
			})())`))
		if err != nil {
			t.Fatalf("%s: %v", c.it.ID, err)
		}
		var got read
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatal(err)
		}
		if got.Pwned || len(got.CSP) > 0 || len(got.LD) != 1 {
			t.Fatalf("%s: a script ran (%v), was refused %v, or the JSON-LD split: %d", c.it.ID, got.Pwned, got.CSP, len(got.LD))
		}
		names, _ := got.LD[0]["name"].([]any)
		first, _ := names[0].(map[string]any)
		if t1 := got.Meta["citation_title"]; len(t1) != 1 || t1[0] != c.title || first["@value"] != c.title {
			t.Errorf("%s: citation_title %q, JSON-LD name %v, want %q", c.it.ID, t1, names, c.title)
		}
	}
}
