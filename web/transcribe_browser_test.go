package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestTheTranscriptionPageFitsAPhone: the staff's page (each line's
// picture and field, the whole page, the history, the invitation) at
// 360 × 640 in Thai and English scrolls only down, passes axe, and its
// lines' fields are wide enough to type in.
func TestTheTranscriptionPageFitsAPhone(t *testing.T) {
	e, base := serveEnv(t)
	it := textItem(t, e, misreadPages...)
	tokenFor(t, e.store, "arch@cmu.example", "cmu", "archivist", "write")
	ctx := browserAt(t, 360, 640)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 640, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/login?lang=th"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "arch@cmu.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitNotPresent(chromedp.ID("password"))); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"th", "en"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/items/"+it.ID+"/transcribe/1?lang="+lang), chromedp.WaitVisible(chromedp.ID("text_0"))); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		want := map[string]string{"th": "บันทึกบรรทัดที่แก้", "en": "Save the changed lines"}[lang]
		if err != nil || !strings.Contains(text, want) {
			t.Errorf("the page (%s) lacks %q: %v", lang, want, err)
		}
		checkAccessibility(t, ctx, "/items/…/transcribe/1 ("+lang+") at 360x640")
		wide, err := sideways(ctx, 360)
		if err != nil || wide {
			t.Errorf("the transcription page (%s) at 360x640 scrolls sideways", lang)
		}
		field, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("text_0").getBoundingClientRect().width`))
		if err != nil || field < 280 {
			t.Errorf("a line's field is %.0f px wide at 360 px (%v)", field, err)
		}
		screenshot(t, ctx, "360x640-transcribe-"+lang)
	}
}
