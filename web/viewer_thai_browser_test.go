package web

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestThaiViewerSaysNoEnglish opens Mirador on a Thai item page, its
// sidebar, its search panel with a hit, its index and its information,
// and fails on any of Mirador's English words (its English locale, from
// npm, a placeholder standing for any words) that a reader meets there:
// the text and the labels of buttons, such as a section's collapse button.
func TestThaiViewerSaysNoEnglish(t *testing.T) {
	src, err := os.ReadFile("ui/node_modules/mirador/src/locales/en/translation.json")
	if err != nil {
		t.Fatalf("mirador is not installed (npm ci --prefix web/ui): %v", err)
	}
	var locale struct {
		Translation map[string]string `json:"translation"`
	}
	if err := json.Unmarshal(src, &locale); err != nil {
		t.Fatal(err)
	}
	e, base := serveEnv(t)
	it := textItem(t, e, gazettePages...)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/items/"+it.ID+"?lang=th"), chromedp.WaitVisible(chromedp.CSS("#viewer .openseadragon-canvas"))); err != nil {
		t.Fatal(err)
	}
	window := `Object.values(window.archiveViewer.store.getState().windows)[0]`
	shown := map[string]bool{}
	look := func() {
		texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.getElementById("viewer").innerText].concat(
			[...document.querySelectorAll("#viewer [aria-label], #viewer [title], #viewer [placeholder]")].flatMap(el => [el.getAttribute("aria-label"), el.getAttribute("title"), el.getAttribute("placeholder")]).filter(Boolean))`))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range texts {
			shown[s] = true
		}
	}
	look()
	clickUntil(t, ctx, `#viewer .mirador-window-top-bar button`, `!!`+window+`.sideBarOpen`)
	for _, tab := range []string{"ข้อมูล", "ค้นหา", "ดัชนี"} {
		sel := `#viewer [role="tab"][aria-label="` + tab + `"]`
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
			t.Fatalf("the %s tab: %v", tab, err)
		}
		// A click lost while the window lays out is repeated.
		clickUntil(t, ctx, sel, `document.querySelector('`+sel+`').getAttribute("aria-selected") === "true"`)
		if tab == "ค้นหา" {
			searchUntilHit(t, ctx, "ประวัติศาสตร์")
		}
		look()
	}
	screenshot(t, ctx, "viewer-th")
	// A name the Thai words keep as it is (IIIF manifest, Mirador) is meant.
	thai, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`window.archiveMiradorThai`))
	if err != nil {
		t.Fatal(err)
	}
	var english []string
	all := strings.Join(keys(shown), "\n")
	for key, en := range locale.Translation {
		if len(en) < 4 || !regexp.MustCompile(`[a-z]{2}`).MatchString(regexp.MustCompile(`\{\{[^}]*\}\}`).ReplaceAllString(en, "")) || thai[key] == en {
			continue
		}
		// A placeholder stands for a number ({{count}}) or any words ({{section}}).
		words := regexp.MustCompile(`\\\{\\\{ ?(count|number) ?\\\}\\\}`).ReplaceAllString(regexp.QuoteMeta(en), `\d+`)
		words = regexp.MustCompile(`\\\{\\\{[^}]*\\\}\\\}`).ReplaceAllString(words, `.+?`)
		if regexp.MustCompile(`(?m)(^|[^\pL])` + words + `($|[^\pL])`).MatchString(all) {
			english = append(english, key+": "+en)
		}
	}
	sort.Strings(english)
	if len(english) > 0 {
		t.Errorf("the Thai viewer says in English: %s", strings.Join(english, "; "))
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// searchUntilHit types words into the viewer's search panel and waits for
// a hit; words typed while the panel still lays out are lost (Mirador
// renders the field again), so they are typed again, three times at most.
func searchUntilHit(t *testing.T, ctx context.Context, words string) {
	t.Helper()
	field := `#viewer input[id^="search-"]`
	hit := `!!document.querySelector('#viewer [class*="SearchHit"]')`
	for try := 1; ; try++ {
		// Typing over the selection replaces what an earlier try left.
		err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(field)))
		if err == nil {
			_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('`+field+`').select(), true)`))
		}
		if err == nil {
			err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(field), words+"\r"))
		}
		if err == nil {
			_, err = chromedp.Run(ctx, chromedp.Poll[bool](hit, chromedp.WithPollingTimeout(15e9)))
		}
		if err == nil {
			return
		}
		if try == 3 || ctx.Err() != nil {
			t.Fatalf("searching %s, %d times: %v", words, try, err)
		}
	}
}
