package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/repository"
)

// TestAHarvestedEntrysPageFitsAPhone: an entry with a long Thai title and
// a long handle scrolls only down at 360 × 640 in Thai and English, and
// axe finds nothing serious.
func TestAHarvestedEntrysPageFitsAPhone(t *testing.T) {
	e, base := serveEnv(t)
	ctx := context.Background()
	src := &repository.Source{Institution: "cmu", OAI: "https://cmuir.cmu.ac.th/oai/request", Format: "oai_dc", Every: "24h"}
	if err := e.store.SaveSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	en := &repository.Entry{Source: src.ID, Institution: "cmu", Identifier: "oai:cmuir.cmu.ac.th:6653943832/70123",
		Title:    repository.Text{"th": "การศึกษาประวัติศาสตร์สังคมล้านนาจากเอกสารใบลานในวัดภาคเหนือตอนบนของประเทศไทย", "en": "Lanna social history from palm-leaf manuscripts"},
		Creators: []string{"สมชาย ใจดี"}, Date: "2007", Type: "Text", Link: "https://hdl.handle.net/6653943832/70123",
		Identifiers: []string{"https://cmuir.cmu.ac.th/bitstream/handle/6653943832/70123/very-long-file-name-of-the-thesis-full-text.pdf"}, Digest: "d"}
	if _, err := e.store.SaveEntry(ctx, en); err != nil {
		t.Fatal(err)
	}
	bc := browserAt(t, 360, 640)
	for _, lang := range []string{"th", "en"} {
		if err := chromedp.Do(bc, chromedp.EmulateViewport(360, 640, chromedp.EmulateMobile), chromedp.Navigate(base+"/entries/"+en.ID+"?lang="+lang),
			chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(bc, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		if err != nil || !strings.Contains(text, "สมชาย ใจดี") {
			t.Errorf("the entry's page (%s) lacks its creator: %v", lang, err)
		}
		checkAccessibility(t, bc, "/entries/… ("+lang+") at 360x640")
		// A phone's layout widens to what sticks out (a long address in a
		// field), so the page is held to the phone's width itself.
		wide, err := sideways(bc, 360)
		if err != nil || wide {
			t.Errorf("the entry's page (%s) at 360x640 scrolls sideways", lang)
		}
		screenshot(t, bc, "360x640-entry-"+lang)
	}
}
