package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestMyGroupsFitAPhone: a reader signs in on a phone, makes a group and
// adds a member with the page's forms, and the page, in Thai and in
// English, neither scrolls sideways nor fails an accessibility check.
func TestMyGroupsFitAPhone(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	addUser(t, e.store, "teacher@chula.example", "chula", "reader")
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	ctx := browserAt(t, 360, 640)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 640, chromedp.EmulateMobile),
		chromedp.Navigate(ts.URL+"/account/groups?lang=th"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "teacher@chula.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("name-th")),
		chromedp.SendKeys(chromedp.ID("name-th"), "ชั้นเรียนจารึกล้านนา ภาคเรียนที่หนึ่ง ปีการศึกษา ๒๕๖๙"),
		chromedp.Submit(chromedp.ID("name-th")),
		chromedp.WaitVisible(chromedp.CSS(`input[type=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[type=email]`), "reader@tu.example"),
		chromedp.Submit(chromedp.CSS(`input[type=email]`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.members`)),
	); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"th", "en"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/account/groups?lang="+lang), chromedp.WaitVisible(chromedp.CSS("ul.members"))); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		want := map[string]string{"th": "นำออกจากกลุ่ม", "en": "Remove"}[lang]
		if err != nil || !strings.Contains(text, "reader@tu.example") || !strings.Contains(text, want) {
			t.Errorf("the page (%s) lacks the member or %q: %v %.300q", lang, want, err, text)
		}
		checkAccessibility(t, ctx, "/account/groups ("+lang+") at 360x640")
		wide, err := sideways(ctx, 360)
		if err != nil || wide {
			t.Errorf("/account/groups (%s) at 360x640 scrolls sideways", lang)
		}
		screenshot(t, ctx, "360x640-account-groups-"+lang)
	}
}
