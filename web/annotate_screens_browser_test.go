package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Annotations on a phone (touches, 360 px) and on a wall screen.

// TestOnAPhoneAFingerDrawsAnAnnotationThatIsThereAfterAReload: at 360 px
// (the small screen's viewer, OpenSeadragon alone) a reader draws a
// rectangle with a finger, writes an English note and saves; after a reload
// it is listed and drawn; the page never scrolls sideways and every
// control of the annotations is at least 44 px, a finger's size.
func TestOnAPhoneAFingerDrawsAnAnnotationThatIsThereAfterAReload(t *testing.T) {
	e, base := serveEnv(t)
	addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	item := strings.TrimSuffix(e.image, "-1")
	ctx := browserAt(t, 360, 740)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatal(err)
	}
	annotatePage(t, ctx, base, "reader@cmu.example", item, "en")
	if small, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("viewer").classList.contains("compact")`)); err != nil || !small {
		t.Fatalf("the phone's viewer is not the small screen's (%v)", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("anno-rect"))); err != nil {
		t.Fatal(err)
	}
	c := canvasBox(t, ctx)
	if err := chromedp.Do(ctx, touchDrag(c.X+c.W*0.3, c.Y+c.H*0.3, c.X+c.W*0.7, c.Y+c.H*0.6), chromedp.WaitVisible(chromedp.ID("anno-note"))); err != nil {
		screenshot(t, ctx, "phone-not-drawn")
		t.Fatalf("drawing with a finger: %v", err)
	}
	write(t, ctx, "anno-note", "A stamp in the corner")
	fits := `(() => { const d = document.documentElement; if (d.scrollWidth > 361) return "the page is " + d.scrollWidth + " px wide";
		for (const b of document.querySelectorAll("#annotations button, #annotations select, #annotations input, #annotations textarea")) {
			const r = b.getBoundingClientRect(); if (!b.offsetParent) continue; if (r.height < 44 && b.type !== "radio" || r.right > 361) return (b.id || b.textContent) + " is " + r.width + "×" + r.height + " at " + r.x; }
		return ""; })()`
	if why, err := chromedp.Run(ctx, chromedp.Evaluate[string](fits)); err != nil || why != "" {
		screenshot(t, ctx, "phone-annotation-form")
		t.Errorf("the form does not fit a phone: %s (%v)", why, err)
	}
	screenshot(t, ctx, "phone-annotation-form")
	checkAccessibility(t, ctx, "the annotation's form at 360 px")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("anno-save"))); err != nil {
		t.Fatal(err)
	}
	annoListed(t, ctx, "A stamp in the corner", true)
	openAnnotations(t, ctx, base+"/items/"+item+"?lang=en")
	annoListed(t, ctx, "A stamp in the corner", true)
	if n := drawn(t, ctx); n != 1 {
		t.Errorf("%d shapes drawn after the reload, want 1", n)
	}
	if why, err := chromedp.Run(ctx, chromedp.Evaluate[string](fits)); err != nil || why != "" {
		t.Errorf("the list does not fit a phone: %s (%v)", why, err)
	}
	screenshot(t, ctx, "phone-annotation-listed")
	checkAccessibility(t, ctx, "one's annotations listed at 360 px")
	if items := container(t, ctx, item); len(items) != 1 {
		t.Errorf("the container holds %d annotations, want 1", len(items))
	}
}

// TestOnAPhoneTapsDrawAPolygonClosedByItsButton: at 360 px a reader taps
// the corners of a polygon and closes it with the page's button (a double
// tap would zoom), writes a Thai note and saves; the container holds the
// polygon.
func TestOnAPhoneTapsDrawAPolygonClosedByItsButton(t *testing.T) {
	e, base := serveEnv(t)
	addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	item := strings.TrimSuffix(e.image, "-1")
	ctx := browserAt(t, 360, 740)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatal(err)
	}
	pageErrors(t, ctx)
	annotatePage(t, ctx, base, "reader@cmu.example", item, "th")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("anno-polygon")), chromedp.WaitVisible(chromedp.ID("anno-close"))); err != nil {
		t.Fatal(err)
	}
	c := canvasBox(t, ctx)
	for _, p := range [][2]float64{{0.3, 0.3}, {0.7, 0.35}, {0.5, 0.7}} {
		x, y := c.X+c.W*p[0], c.Y+c.H*p[1]
		if err := chromedp.Do(ctx, touchDrag(x, y, x, y)); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("anno-close"))); err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(wait, chromedp.WaitVisible(chromedp.ID("anno-note"))); err != nil {
		screenshot(t, ctx, "phone-polygon-not-drawn")
		t.Fatalf("closing a tapped polygon: %v", err)
	}
	write(t, ctx, "anno-note", "มุมที่ขาด")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("anno-save"))); err != nil {
		t.Fatal(err)
	}
	annoListed(t, ctx, "มุมที่ขาด", true)
	items := container(t, ctx, item)
	if len(items) != 1 {
		t.Fatalf("the container holds %d annotations, want 1", len(items))
	}
	if raw, _ := json.Marshal(items[0]["target"]); !strings.Contains(string(raw), `"SvgSelector"`) {
		t.Errorf("the saved target %s is not a polygon", raw)
	}
}

// TestOnAWallScreenAnnotationsAreDrawnAndListedSideBySide: at 2560×1440 a
// reader's page draws every annotation of the canvas and lists them in
// columns, without scrolling sideways.
func TestOnAWallScreenAnnotationsAreDrawnAndListedSideBySide(t *testing.T) {
	e, base := serveEnv(t)
	u := addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	item := strings.TrimSuffix(e.image, "-1")
	for _, note := range []string{"หนึ่ง", "two", "สาม"} {
		annotateAs(t, e, base, u, item, note, "th", "public")
	}
	ctx := browserAt(t, 2560, 1440)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(2560, 1440)); err != nil {
		t.Fatal(err)
	}
	annotatePage(t, ctx, base, "reader@cmu.example", item, "th")
	annoListed(t, ctx, "สาม", true)
	if n := drawn(t, ctx); n != 3 {
		t.Errorf("%d shapes drawn, want 3", n)
	}
	layout := `(() => { const tops = [...document.querySelectorAll("#anno-list li")].map(li => li.getBoundingClientRect().top);
		return document.documentElement.scrollWidth <= innerWidth && tops.length === 3 && tops.every(t => t === tops[0]); })()`
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](layout)); err != nil || !ok {
		screenshot(t, ctx, "wall-annotations")
		t.Errorf("on a wall screen the annotations are not listed side by side, or the page scrolls sideways (%v)", err)
	}
}
