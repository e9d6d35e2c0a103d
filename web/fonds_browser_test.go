package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/repository"
)

// TestFindingAidInBothLanguagesOpensAFilesPagesInTheViewer: a reader
// opens a fonds' finding aid in Thai and in English, expands a series and
// its file, and opens every page of the file in the viewer.
func TestFindingAidInBothLanguagesOpensAFilesPagesInTheViewer(t *testing.T) {
	e, base := serveEnv(t)
	ctx := context.Background()
	for _, c := range []*repository.Collection{
		{ID: "lanna", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"th": "เอกสารล้านนา", "en": "Lanna papers"},
			Description: &repository.Description{Date: "1900/1950", Scope: repository.Text{"th": "ใบลานและสมุดข่อย", "en": "Palm-leaf and folded books"}}},
		{ID: "lanna-letters", Institution: "cmu", Parent: "lanna", Level: repository.Series, Title: repository.Text{"th": "จดหมาย", "en": "Letters"}, Order: 1},
		{ID: "lanna-1932", Institution: "cmu", Parent: "lanna-letters", Level: repository.FileLevel, Title: repository.Text{"th": "จดหมาย พ.ศ. 2475", "en": "Letters of 1932"}},
	} {
		if err := e.store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	it, _ := e.store.Item(strings.TrimSuffix(e.image, "-1"))
	it.Collection = "lanna-1932"
	if err := e.store.SaveItem(ctx, it, "t"); err != nil {
		t.Fatal(err)
	}
	b := browser(t)
	net := watch(b)
	for lang, words := range map[string][3]string{"th": {"เอกสารล้านนา", "ใบลานและสมุดข่อย", "ดูทุกหน้าในแฟ้มนี้"}, "en": {"Lanna papers", "Palm-leaf and folded books", "View all pages in this file"}} {
		if err := chromedp.Do(b, chromedp.Navigate(base+"/fonds/lanna?lang="+lang), chromedp.WaitVisible(chromedp.CSS("#unit-lanna"))); err != nil {
			t.Fatal(err)
		}
		h1, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1")))
		scope, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("#unit-lanna > details > dl")))
		if h1 != words[0] || !strings.Contains(scope, words[1]) {
			t.Fatalf("%s finding aid: heading %q, description %q", lang, h1, scope)
		}
		if open, err := chromedp.Run(b, chromedp.Evaluate[bool](`document.querySelector('#unit-lanna-letters > details').open`)); err != nil || open {
			t.Fatalf("%s: the series is open before it is expanded (%v)", lang, err)
		}
		if err := chromedp.Do(b,
			chromedp.Click(chromedp.CSS("#unit-lanna-letters > details > summary")),
			chromedp.WaitVisible(chromedp.CSS("#unit-lanna-1932 > details > summary")),
			chromedp.Click(chromedp.CSS("#unit-lanna-1932 > details > summary")),
			chromedp.WaitVisible(chromedp.CSS("#unit-lanna-1932 a.view-all"))); err != nil {
			t.Fatalf("%s: expanding the series and its file: %v", lang, err)
		}
		if label, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("#unit-lanna-1932 a.view-all"))); label != words[2] {
			t.Errorf("%s: the link says %q", lang, label)
		}
		screenshot(t, b, "findingaid-"+lang)
	}
	net.reset()
	if err := chromedp.Do(b, chromedp.Click(chromedp.CSS("#unit-lanna-1932 a.view-all")), chromedp.WaitVisible(chromedp.ID("viewer"))); err != nil {
		t.Fatal(err)
	}
	net.waitFor(t, "the file's manifest", func(u string, st int) bool {
		return st == 200 && strings.HasSuffix(u, "/iiif/3/collection/lanna-1932/manifest")
	})
	net.waitFor(t, "a page of the file in the viewer", isImage(e.image))
	screenshot(t, b, "findingaid-viewer")
	// On a phone, every unit opened, nothing scrolls sideways.
	phone := browserAt(t, 360, 640)
	if err := chromedp.Do(phone, chromedp.Navigate(base+"/fonds/lanna?lang=th"), chromedp.WaitVisible(chromedp.ID("aid-expand")), chromedp.Click(chromedp.ID("aid-expand"))); err != nil {
		t.Fatal(err)
	}
	if wide, err := sideways(phone, 360); err != nil || wide {
		t.Errorf("the finding aid scrolls sideways at 360 px (%v)", err)
	}
	checkAccessibility(t, phone, "the finding aid at 360 px")
	screenshot(t, phone, "findingaid-phone")
}

// TestArchivistDragsAUnitInTheOutline: at the desk, on a phone, the outline
// passes axe-core and fits, and a file dragged onto another series moves
// there (with everything inside it) in one change.
func TestArchivistDragsAUnitInTheOutline(t *testing.T) {
	e, base := serveEnv(t)
	addUser(t, e.store, "archivist@cmu.example", "cmu", "archivist")
	ctx := context.Background()
	for _, c := range []*repository.Collection{
		{ID: "arch", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"th": "จดหมายเหตุมหาวิทยาลัย", "en": "University archives"}},
		{ID: "arch-a", Institution: "cmu", Parent: "arch", Level: repository.Series, Title: repository.Text{"en": "Series A"}, Order: 1},
		{ID: "arch-b", Institution: "cmu", Parent: "arch", Level: repository.Series, Title: repository.Text{"en": "Series B"}, Order: 2},
		{ID: "arch-a-1", Institution: "cmu", Parent: "arch-a", Level: repository.FileLevel, Title: repository.Text{"en": "File one"}},
		{ID: "arch-a-1-x", Institution: "cmu", Parent: "arch-a-1", Level: repository.ItemLevel, Title: repository.Text{"en": "Item x"}},
	} {
		if err := e.store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	b := browserAt(t, 360, 640)
	if err := chromedp.Do(b,
		chromedp.Navigate(base+"/desk/fonds/arch?lang=th"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "archivist@cmu.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")), // back to the outline after signing in
		chromedp.WaitVisible(chromedp.CSS("#unit-arch-a-1 > details > summary")),
	); err != nil {
		t.Fatal(err)
	}
	if lang, err := chromedp.Run(b, chromedp.Evaluate[string](`document.documentElement.lang`)); err != nil || lang != "th" {
		t.Errorf("signed in from a Thai page, the outline is in %q (%v), want th", lang, err)
	}
	checkAccessibility(t, b, "the outline at 360 px")
	if wide, err := sideways(b, 360); err != nil || wide {
		t.Errorf("the outline scrolls sideways at 360 px (%v)", err)
	}
	screenshot(t, b, "outline-phone-th")
	// Drag "File one" onto "Series B": the page's script fills the move form and sends it.
	drag := `(() => {
		const dt = new DataTransfer();
		const from = document.querySelector('#unit-arch-a-1 > details > summary');
		const to = document.querySelector('#unit-arch-b > details > summary');
		from.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));
		to.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt}));
		to.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt}));
		return from.draggable;
	})()`
	if draggable, err := chromedp.Run(b, chromedp.Evaluate[bool](drag)); err != nil || !draggable {
		t.Fatalf("dragging: draggable %v, %v", draggable, err)
	}
	if err := chromedp.Do(b, chromedp.WaitVisible(chromedp.CSS(`#unit-arch-b #unit-arch-a-1-x`))); err != nil {
		t.Fatalf("after the drop the file is not inside series B: %v", err)
	}
	moved, _ := e.store.Collection("arch-a-1")
	inside, _ := e.store.Collection("arch-a-1-x")
	if moved.Parent != "arch-b" || moved.Version != 2 || inside.Version != 1 {
		t.Fatalf("after the drop: parent %s version %d; the item unit at version %d", moved.Parent, moved.Version, inside.Version)
	}
}
