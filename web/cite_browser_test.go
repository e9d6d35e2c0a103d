package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestItemPageShowsChicagoThenTheThaiThesisStyleInTheBuddhistEra: the
// item page renders its citation in Chicago with citeproc-js once loaded;
// choosing the Thai thesis style in Thai renders the Thai title, the name
// in Thai order and the year 2477 (1934 CE).
func TestItemPageShowsChicagoThenTheThaiThesisStyleInTheBuddhistEra(t *testing.T) {
	e := newCiteEnv(t)
	letter, _ := e.store.Item(e.letter)
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	ctx := browser(t)
	// rendered waits (up to chromedp's deadline) for the citation in a
	// style and language, and answers its text.
	rendered := func(style, lang string) chromedp.Action[string] {
		return chromedp.Poll[string](`(() => { const o = document.getElementById("citation"); return o.dataset.style === "` + style + `" && o.lang === "` + lang + `" && o.textContent; })()`)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/items/"+e.letter+"?lang=en")); err != nil {
		t.Fatal(err)
	}
	chicago, err := chromedp.Run(ctx, rendered("chicago-author-date", "en"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Banomyong, Pridi. 1934. “Letter to the People’s Party,” June 18. Thammasat University, Pridi Banomyong Papers, TU-PB. " + ts.URL + "/" + letter.ARK + "."; chicago != want {
		t.Errorf("Chicago:\n got %s\nwant %s", chicago, want)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`for (const [id, v] of [["cite-style", "thai-thesis"], ["cite-lang", "th"]]) { const s = document.getElementById(id); s.value = v; s.dispatchEvent(new Event("change")); }; true`)); err != nil {
		t.Fatal(err)
	}
	thai, err := chromedp.Run(ctx, rendered("thai-thesis", "th"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "ปรีดี พนมยงค์. (2477). จดหมายถึงคณะราษฎร. เอกสารปรีดี พนมยงค์, TU-PB. มหาวิทยาลัยธรรมศาสตร์. สืบค้นจาก " + ts.URL + "/" + letter.ARK; thai != want {
		t.Errorf("Thai thesis:\n got %s\nwant %s", thai, want)
	}
	if strings.Contains(thai, "1934") {
		t.Errorf("the Thai citation says the Common Era year: %s", thai)
	}
	// Back to Chicago in English (passing Chicago in Thai on the way), to
	// APA, to Chicago and to APA again: each style and language is
	// rendered by citeproc-js once, and remembered.
	count := `(() => { window.rendered = 0; const make = CSL.Engine.prototype.makeBibliography; CSL.Engine.prototype.makeBibliography = function (...a) { window.rendered++; return make.apply(this, a); }; return true; })()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](count)); err != nil {
		t.Fatal(err)
	}
	for _, step := range [][2]string{{"chicago-author-date", "en"}, {"apa", "en"}, {"chicago-author-date", "en"}, {"apa", "en"}} {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`for (const [id, v] of [["cite-style", "`+step[0]+`"], ["cite-lang", "`+step[1]+`"]]) { const s = document.getElementById(id); s.value = v; s.dispatchEvent(new Event("change")); }; true`)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, rendered(step[0], step[1])); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.rendered`)); err != nil || n != 2 {
		t.Errorf("citeproc-js rendered %d times for two new styles and languages (%v)", n, err)
	}
}

// TestCiteBlockFitsAPhoneInBothLanguages: on a phone the rendered
// citation of an item with an ARK gives the ARK's address and, with a
// long call number, wraps inside the page instead of making it scroll
// sideways; axe-core finds nothing serious.
func TestCiteBlockFitsAPhoneInBothLanguages(t *testing.T) {
	e := newCiteEnv(t)
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	ctx := browserAt(t, 360, 640)
	for _, lang := range []string{"th", "en"} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 640, chromedp.EmulateMobile), chromedp.Navigate(ts.URL+"/items/"+e.long+"?lang="+lang)); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(ctx, chromedp.Poll[string](`document.getElementById("citation").dataset.style === "chicago-author-date" && document.getElementById("citation").textContent`))
		if err != nil {
			t.Fatalf("%s: the citation was not rendered: %v", lang, err)
		}
		if !strings.Contains(text, ts.URL+"/ark:/99999/b1letter1qz7x9k2m4n6p8r0t") {
			t.Errorf("%s: the citation does not give the ARK's address: %s", lang, text)
		}
		wide, err := sideways(ctx, 360)
		if err != nil || wide {
			t.Errorf("the item page (%s) with its citation scrolls sideways at 360x640", lang)
		}
		checkAccessibility(t, ctx, "the item page's citation ("+lang+") at 360x640")
	}
}
