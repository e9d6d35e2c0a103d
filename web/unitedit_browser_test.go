package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/repository"
)

// TestUnitFormFindsItemsByTitleAndItsPatternsWork: on a Thai unit form the
// identifier patterns are ones the browser accepts (it ignores a pattern
// it cannot compile, and says so in the console), and the picker finds an
// item by its Thai title, adds its identifier, and the saved unit holds
// it; the picker's answers are the editor's library's only.
func TestUnitFormFindsItemsByTitleAndItsPatternsWork(t *testing.T) {
	e, base := serveEnv(t)
	it := textItem(t, e, gazettePages[0])
	ctx := context.Background()
	if err := e.store.SaveCollection(ctx, &repository.Collection{ID: "cmu-f", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"th": "กลุ่ม", "en": "Fonds"}}, "t"); err != nil {
		t.Fatal(err)
	}
	tu := &repository.Item{Institution: "tu", Title: repository.Text{"th": "ราชกิจจา", "en": "Gazette of Thammasat"}}
	if err := e.store.SaveItem(ctx, tu, "t"); err != nil {
		t.Fatal(err)
	}
	addUser(t, e.store, "archivist@cmu.example", "cmu", "archivist")
	b := browser(t)
	if err := chromedp.Do(b,
		chromedp.Navigate(base+"/desk/units/new?institution=cmu&lang=th"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "archivist@cmu.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("unit-form")),
	); err != nil {
		t.Fatal(err)
	}
	bad, err := chromedp.Run(b, chromedp.Evaluate[[]string](`[...document.querySelectorAll("input[pattern]")].map(i => {
		try { new RegExp(i.pattern, "v"); } catch (e) { return i.id + ": " + e.message; }
		i.value = "Bad Id!"; return i.validity.patternMismatch ? "" : i.id + " accepts Bad Id!";
	}).filter(Boolean).concat(document.querySelectorAll("input[pattern]").length < 2 ? ["fewer than two patterns"] : [])`))
	if err != nil || len(bad) > 0 {
		t.Errorf("the unit form's patterns: %v (%v)", bad, err)
	}
	add := chromedp.CSS(`#item-found button[data-id="` + it.ID + `"]`)
	if err := chromedp.Do(b,
		chromedp.Navigate(base+"/desk/units/cmu-f?lang=th"),
		chromedp.WaitVisible(chromedp.ID("item-find")),
		chromedp.SendKeys(chromedp.ID("item-find"), "ราชกิจจา"),
		chromedp.WaitVisible(add),
		chromedp.Click(add),
	); err != nil {
		t.Fatalf("finding the item by its Thai title: %v", err)
	}
	found, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.getElementById("item-found").textContent`))
	if strings.Contains(found, tu.ID) || !strings.Contains(found, "Gazette") {
		t.Errorf("the picker lists %q; want the Chiang Mai gazette only", found)
	}
	checkAccessibility(t, b, "the unit form with the picker")
	screenshot(t, b, "unit-picker-th")
	if err := chromedp.Do(b, chromedp.Submit(chromedp.ID("items")), chromedp.WaitVisible(chromedp.ID("move-unit"))); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.store.Item(it.ID); got.Collection != "cmu-f" {
		t.Errorf("the picked item is in %q after saving", got.Collection)
	}
	// Another library's items are not the archivist's to find.
	if status, err := chromedp.Run(b, chromedp.Evaluate[int](`fetch("/desk/find-items?institution=tu&q=ราชกิจจา").then(r => r.status)`, chromedp.EvalAwaitPromise)); err != nil || status != http.StatusForbidden {
		t.Errorf("finding Thammasat's items as a Chiang Mai archivist: %d (%v)", status, err)
	}
}
