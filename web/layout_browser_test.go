package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Layout in Chromium: the viewer on a phone and in a partner's frame, and
// the desk's tables.

// TestFullViewerOnAPhoneDrawsTheImage: at 360 px the item page's link to
// the full viewer opens Mirador with the image in it (the page's styles
// for its own <main> once centred Mirador's to no width: an empty box).
func TestFullViewerOnAPhoneDrawsTheImage(t *testing.T) {
	e, base := serveEnv(t)
	item := strings.TrimSuffix(e.image, "-1")
	ctx := browserAt(t, 360, 640)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 640, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/items/"+item+"?lang=en"), chromedp.WaitVisible(chromedp.CSS(".full-viewer")),
		chromedp.Click(chromedp.CSS(".full-viewer")), chromedp.WaitVisible(chromedp.CSS("#viewer .openseadragon-canvas"))); err != nil {
		t.Fatal(err)
	}
	// The canvas takes the viewer's width (less its own margins) and draws.
	wide := `(() => { const v = document.getElementById("viewer").getBoundingClientRect(), c = document.querySelector("#viewer .openseadragon-canvas").getBoundingClientRect(); return c.width >= v.width - 20 && c.height >= 150; })()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](wide, chromedp.WithPollingTimeout(30e9))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(document.querySelector("#viewer .openseadragon-canvas").getBoundingClientRect())`))
		screenshot(t, ctx, "phone-full-viewer")
		t.Fatalf("the full viewer on a phone draws in %s (%v)", got, err)
	}
	screenshot(t, ctx, "phone-full-viewer")
}

// TestEmbeddedViewerFillsAn800By600Frame: in the frame oEmbed offers
// (800×600), Mirador's canvas takes all but its own window bar, and the
// link back to the item is in that bar, visible and not covered.
func TestEmbeddedViewerFillsAn800By600Frame(t *testing.T) {
	e, base := serveEnv(t)
	item := strings.TrimSuffix(e.image, "-1")
	ctx := browserAt(t, 800, 600)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(800, 600)); err != nil {
		t.Fatal(err)
	}
	net := watch(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/embed/"+item+"?lang=th"), chromedp.WaitVisible(chromedp.CSS("#viewer .openseadragon-canvas"))); err != nil {
		t.Fatal(err)
	}
	net.waitFor(t, "a tile", isTile(e.image))
	type box struct{ X, Y, W, H float64 }
	canvas, err := chromedp.Run(ctx, chromedp.Evaluate[box](`(() => { const r = document.querySelector("#viewer .openseadragon-canvas").getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height}; })()`))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "embed-800x600")
	if canvas.W < 780 || canvas.H < 600-64 || canvas.Y+canvas.H > 600 {
		t.Errorf("the embedded viewer's canvas is %+v in an 800×600 frame; want all but Mirador's window bar", canvas)
	}
	back, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const a = document.querySelector(".back a"), r = a.getBoundingClientRect();
		return r.width > 0 && r.bottom <= innerHeight && document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === a; })()`))
	if err != nil || !back {
		t.Errorf("the link back to the item is hidden or covered (%v)", err)
	}
}

// TestDeskReportIsATableNotTheSearchGrid: the describe sheet's report at
// the desk is laid out as a table (the search page's grid for its results
// once applied to every element of class results), and the search page
// keeps its grid.
func TestDeskReportIsATableNotTheSearchGrid(t *testing.T) {
	e, base := serveEnv(t)
	addUser(t, e.store, "archivist@cmu.example", "cmu", "archivist")
	sheet := filepath.Join(t.TempDir(), "describe.csv")
	if err := os.WriteFile(sheet, []byte("files,item,title.th,title.en,date\nq.png,,จตุภาค,Four quarters,2505\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/desk?lang=en"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "archivist@cmu.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("describe_sheet")),
		// The desk again, loaded whole: the form's nodes are not those of a
		// page still settling after the sign-in's redirect (once seen as
		// "No node with given id found").
		chromedp.Navigate(base+"/desk?lang=en"),
		chromedp.WaitVisible(chromedp.ID("describe_sheet")),
		chromedp.SetUploadFiles(chromedp.ID("describe_sheet"), []string{sheet}),
		chromedp.Submit(chromedp.ID("describe_sheet")),
		chromedp.WaitVisible(chromedp.CSS("table.results")),
	); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "desk-describe-report")
	// A table, its header cells side by side on one line.
	laid, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const tb = document.querySelector("table.results"), th = [...tb.querySelectorAll("thead th")];
		return getComputedStyle(tb).display + " " + (th.length > 1 && th.every(h => Math.abs(h.getBoundingClientRect().top - th[0].getBoundingClientRect().top) < 1)); })()`))
	if err != nil || laid != "table true" {
		t.Errorf("the describe report is laid out as %q (%v), want a table with its headers on one line", laid, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/search?q=quadrants&lang=en"), chromedp.WaitVisible(chromedp.CSS("div.results"))); err != nil {
		t.Fatal(err)
	}
	if grid, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("div.results")).display`)); err != nil || grid != "grid" {
		t.Errorf("the search page's results are %q (%v), want its grid", grid, err)
	}
}
