package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestTheHarvestedRepositoriesPageFitsAPhone: a library's administrator
// adds a repository with a long address from a phone; the page, with its
// table of sources and how records are mapped, scrolls only down in Thai
// and English, and axe finds nothing serious.
func TestTheHarvestedRepositoriesPageFitsAPhone(t *testing.T) {
	e, base := serveEnv(t)
	addUser(t, e.store, "admin@cmu.example", "cmu", "library-admin")
	ctx := browserAt(t, 360, 640)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 640, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/login?lang=th"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "admin@cmu.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitNotPresent(chromedp.ID("password")),
		chromedp.Navigate(base+"/desk/sources?lang=th"),
		chromedp.WaitVisible(chromedp.ID("oai")),
		chromedp.SendKeys(chromedp.ID("oai"), "https://repository.library.cmu.ac.th/server/oai/request-with-a-long-path/for/theses"),
		chromedp.SendKeys(chromedp.ID("set"), "com_123456789_theses_and_dissertations"),
		chromedp.Submit(chromedp.ID("oai")),
		chromedp.WaitVisible(chromedp.CSS(`button[value="remove"]`))); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"th", "en"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/desk/sources?lang="+lang), chromedp.WaitVisible(chromedp.CSS(`button[value="remove"]`))); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		if err != nil || !strings.Contains(text, "com_123456789_theses_and_dissertations") {
			t.Errorf("the page (%s) lacks the source: %v", lang, err)
		}
		checkAccessibility(t, ctx, "/desk/sources ("+lang+") at 360x640")
		wide, err := sideways(ctx, 360)
		if err != nil || wide {
			t.Errorf("/desk/sources (%s) at 360x640 scrolls sideways", lang)
		}
		screenshot(t, ctx, "360x640-desk-sources-"+lang)
	}
}
