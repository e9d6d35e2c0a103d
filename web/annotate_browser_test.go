package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/annotation"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// Drawing annotations on the item page's viewer (annotate.js) in Chromium,
// with real pointer events, saved through the annotation protocol.

// annotatePage signs email in and opens item's page whole (not the page
// the sign-in redirected to, whose nodes may still be changing), with the
// annotations of its first canvas loaded on the viewer.
func annotatePage(t *testing.T, ctx context.Context, base, email, item, lang string) {
	t.Helper()
	if email != "" {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login?lang="+lang),
			chromedp.WaitVisible(chromedp.ID("password")),
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitNotPresent(chromedp.ID("password"))); err != nil {
			t.Fatalf("signing in %s: %v", email, err)
		}
	}
	openAnnotations(t, ctx, base+"/items/"+item+"?lang="+lang)
}

// openAnnotations loads url and waits until the viewer's annotations of
// its canvas are drawn and listed.
func openAnnotations(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("annotations"))); err != nil {
		t.Fatal(err)
	}
	loaded := `(() => { const l = document.getElementById("anno-list"), n = document.getElementById("anno-none");
		return !!document.querySelector("#viewer svg.a9s-annotationlayer") && (l.children.length > 0 || !n.hidden); })()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](loaded, chromedp.WithPollingTimeout(45*time.Second))); err != nil {
		screenshot(t, ctx, "annotations-not-loaded")
		said, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("anno-said").textContent`))
		t.Fatalf("the viewer's annotations did not load: %v; the page says %q", err, said)
	}
}

// write types text into the field id as a Thai keyboard's input method
// does: the field focused, the text inserted (chromedp's key events drop
// some Thai letters).
func write(t *testing.T, ctx context.Context, id, text string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID(id)), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
		return err
	})); err != nil {
		t.Fatal(err)
	}
}

// pageErrors logs the page's uncaught errors and console errors at the
// end of the test, to say why a step did not happen.
func pageErrors(t *testing.T, ctx context.Context) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			if d.Exception != nil {
				seen = append(seen, d.Text+" "+d.Exception.Description)
			} else {
				seen = append(seen, d.Text)
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				for _, a := range ev.Args {
					seen = append(seen, string(a.Value)+" "+a.Description)
				}
			}
		}
	})
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range seen {
			t.Logf("page error: %s", s)
		}
	})
}

// replace puts text in place of what the field id holds, as selecting
// it all and typing over it does.
func replace(t *testing.T, ctx context.Context, id, text string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { document.getElementById("`+id+`").select(); return true; })()`)); err != nil {
		t.Fatal(err)
	}
	write(t, ctx, id, text)
}

type rect struct{ X, Y, W, H float64 }

// canvasBox is where the viewer's image is drawn on the screen.
func canvasBox(t *testing.T, ctx context.Context) rect {
	t.Helper()
	r, err := chromedp.Run(ctx, chromedp.Evaluate[rect](`(() => { const c = document.querySelector("#viewer .openseadragon-canvas"); c.scrollIntoView({block: "center"});
		const r = c.getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height}; })()`))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// drag presses the mouse at (x0, y0), moves it in steps to (x1, y1) and
// lets go, as a person drawing does.
func drag(x0, y0, x1, y1 float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, x0, y0), chromedp.MouseEvent(chromedp.MousePressed, x0, y0, chromedp.ButtonLeft, chromedp.ClickCount(1))); err != nil {
			return err
		}
		for i := 1; i <= 10; i++ {
			x, y := x0+(x1-x0)*float64(i)/10, y0+(y1-y0)*float64(i)/10
			if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, x, y, chromedp.ButtonLeft, func(p *input.DispatchMouseEventParams) { p.Buttons = 1 })); err != nil {
				return err
			}
		}
		return chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseReleased, x1, y1, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	})
}

// drawRectangle draws a rectangle over the middle of the image with the
// page's tool and waits for the note's form.
func drawRectangle(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("anno-rect"))); err != nil {
		t.Fatal(err)
	}
	c := canvasBox(t, ctx)
	if err := chromedp.Do(ctx, drag(c.X+c.W*0.35, c.Y+c.H*0.35, c.X+c.W*0.6, c.Y+c.H*0.6), chromedp.WaitVisible(chromedp.ID("anno-note"))); err != nil {
		screenshot(t, ctx, "rectangle-not-drawn")
		t.Fatalf("drawing a rectangle: %v", err)
	}
}

// annoListed polls until the page lists an annotation holding text (or, with
// want false, none).
func annoListed(t *testing.T, ctx context.Context, text string, want bool) {
	t.Helper()
	q, _ := json.Marshal(text)
	expr := `[...document.querySelectorAll("#anno-list li")].some(li => li.textContent.includes(` + string(q) + `))`
	if !want {
		expr = "!" + expr
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		said, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("anno-section") ? "" : document.getElementById("annotations").innerText`))
		screenshot(t, ctx, "annotation-list")
		t.Fatalf("%q listed = %v not seen within 30 s: %v; the section says %q", text, !want, err, said)
	}
}

// drawn is how many shapes Annotorious draws on the viewer.
func drawn(t *testing.T, ctx context.Context) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#viewer .a9s-annotation").length`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// container is the canvas's container as the browser's session reads it.
func container(t *testing.T, ctx context.Context, item string) []map[string]any {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("/annotations/`+item+`/1/?page=0", {headers: {Accept: "application/ld+json"}}).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var page struct{ Items []map[string]any }
	if err := json.Unmarshal([]byte(raw), &page); err != nil {
		t.Fatalf("the container's page is not JSON: %v: %s", err, raw)
	}
	return page.Items
}

// TestDrawnRectangleWithAThaiNoteIsThereAfterAReload: a signed-in reader
// draws a rectangle on the image in Mirador by dragging, writes a Thai
// note and a tag, saves; after a reload the annotation is listed and drawn,
// and the canvas's container holds it as drawn and written.
func TestDrawnRectangleWithAThaiNoteIsThereAfterAReload(t *testing.T) {
	e, base := serveEnv(t)
	addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	item := strings.TrimSuffix(e.image, "-1")
	ctx := browser(t)
	annotatePage(t, ctx, base, "reader@cmu.example", item, "th")
	if n := drawn(t, ctx); n != 0 {
		t.Fatalf("%d shapes drawn before any annotation", n)
	}
	drawRectangle(t, ctx)
	note := "ตราประทับของหอสมุด"
	write(t, ctx, "anno-note", note)
	write(t, ctx, "anno-tags", "ตรา, seal")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("anno-save"))); err != nil {
		t.Fatal(err)
	}
	annoListed(t, ctx, note, true)
	screenshot(t, ctx, "annotation-drawn")

	openAnnotations(t, ctx, base+"/items/"+item+"?lang=th")
	annoListed(t, ctx, note, true)
	if n := drawn(t, ctx); n != 1 {
		t.Errorf("%d shapes drawn after the reload, want 1", n)
	}
	items := container(t, ctx, item)
	if len(items) != 1 {
		t.Fatalf("the container holds %d annotations, want 1: %v", len(items), items)
	}
	a := items[0]
	body, _ := json.Marshal(a["body"])
	target, _ := json.Marshal(a["target"])
	for _, want := range []string{`"value":"` + note + `"`, `"language":"th"`, `"purpose":"tagging"`, `"value":"seal"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the saved body %s lacks %s", body, want)
		}
	}
	if !strings.Contains(string(target), `"type":"FragmentSelector"`) || !strings.Contains(string(target), "/iiif/3/manifest/"+item+"/canvas/1") {
		t.Errorf("the saved target %s is not a rectangle on canvas 1", target)
	}
	if a["audience"] != "private" {
		t.Errorf("audience %v, want private (the form's default)", a["audience"])
	}
}

// touchDrag puts a finger down at (x0, y0), moves it in steps to (x1, y1)
// and lifts it, as on a phone.
func touchDrag(x0, y0, x1, y1 float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		touch := func(typ input.DispatchTouchEventType, x, y float64) error {
			pts := []*input.TouchPoint{{X: x, Y: y}}
			if typ == input.DispatchTouchEventTypeTouchEnd {
				pts = []*input.TouchPoint{}
			}
			_, err := cdp.Call(ctx, tg, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: typ, TouchPoints: pts})
			return err
		}
		if err := touch(input.DispatchTouchEventTypeTouchStart, x0, y0); err != nil {
			return err
		}
		for i := 1; i <= 10; i++ {
			if err := touch(input.DispatchTouchEventTypeTouchMove, x0+(x1-x0)*float64(i)/10, y0+(y1-y0)*float64(i)/10); err != nil {
				return err
			}
		}
		return touch(input.DispatchTouchEventTypeTouchEnd, x1, y1)
	})
}

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
	fits := `(() => { const d = document.documentElement; if (d.scrollWidth > innerWidth) return "the page is " + d.scrollWidth + " px wide";
		for (const b of document.querySelectorAll("#annotations button, #annotations select, #annotations input, #annotations textarea")) {
			const r = b.getBoundingClientRect(); if (!b.offsetParent) continue; if (r.height < 44 && b.type !== "radio" || r.right > innerWidth) return (b.id || b.textContent) + " is " + r.width + "×" + r.height + " at " + r.x; }
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

// annotateAs saves an annotation of u on item's first canvas through the
// annotation service, as another page or tool would: a rectangle with a
// note in lang, for audience.
func annotateAs(t *testing.T, e *iiifEnv, base string, u *repository.User, item, note, lang, audience string) *annotation.Answer {
	t.Helper()
	w := annotation.Where{Base: base, Item: item, Canvas: 1}
	doc, _ := json.Marshal(map[string]any{"@context": annotation.Context, "type": "Annotation", "motivation": "commenting", "audience": audience,
		"body":   map[string]string{"type": "TextualBody", "value": note, "language": lang, "purpose": "commenting"},
		"target": map[string]any{"source": base + "/iiif/3/manifest/" + item + "/canvas/1", "selector": map[string]string{"type": "FragmentSelector", "value": "xywh=pixel:10,10,40,30"}}})
	svc := &annotation.Service{Store: e.store}
	a, err := svc.Create(context.Background(), principalOf(u), w, doc)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func principalOf(u *repository.User) access.Principal {
	return access.Principal{User: u.ID, Email: u.Email, Institution: u.Institution, Role: access.Role(u.Role)}
}

// TestOwnAnnotationIsEditedThenDeletedWithItsVersion: a reader changes the
// note and the audience of their own annotation from the list below the
// viewer, and the container has the change; then deletes it, and it is
// gone from the list, the drawing and the container, also after a reload.
func TestOwnAnnotationIsEditedThenDeletedWithItsVersion(t *testing.T) {
	e, base := serveEnv(t)
	u := addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	item := strings.TrimSuffix(e.image, "-1")
	annotateAs(t, e, base, u, item, "ลายมือชื่อ", "th", "private")
	ctx := browser(t)
	annotatePage(t, ctx, base, "reader@cmu.example", item, "en")
	annoListed(t, ctx, "ลายมือชื่อ", true)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#anno-list li.mine button.edit")), chromedp.WaitVisible(chromedp.ID("anno-note"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("anno-note").value === "ลายมือชื่อ" && document.getElementById("anno-lang").value === "th"`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the form does not hold the annotation to edit: %v", err)
	}
	replace(t, ctx, "anno-note", "A signature")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("anno-lang").value = "en"`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("anno-public")), chromedp.Click(chromedp.ID("anno-save"))); err != nil {
		t.Fatal(err)
	}
	annoListed(t, ctx, "A signature", true)
	annoListed(t, ctx, "Seen by everyone", true)
	items := container(t, ctx, item)
	if len(items) != 1 || items[0]["audience"] != "public" {
		t.Fatalf("after the change the container holds %v", items)
	}
	if body, _ := json.Marshal(items[0]["body"]); !strings.Contains(string(body), `"value":"A signature"`) || !strings.Contains(string(body), `"language":"en"`) {
		t.Errorf("the changed body is %s", body)
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#anno-list li.mine button.delete")), chromedp.Click(chromedp.CSS("#anno-list li.mine button.confirm"))); err != nil {
		t.Fatal(err)
	}
	annoListed(t, ctx, "A signature", false)
	if items := container(t, ctx, item); len(items) != 0 {
		t.Fatalf("after the deletion the container holds %v", items)
	}
	openAnnotations(t, ctx, base+"/items/"+item+"?lang=en")
	annoListed(t, ctx, "A signature", false)
	if n := drawn(t, ctx); n != 0 {
		t.Errorf("%d shapes drawn after the deletion and a reload", n)
	}
}

// TestAStaleChangeIsRefusedInWordsThatSayWhatToDo: while a reader edits
// their annotation, it is changed elsewhere; saving is refused (412) and
// the page says so in its language, with what to do, and keeps the form.
func TestAStaleChangeIsRefusedInWordsThatSayWhatToDo(t *testing.T) {
	e, base := serveEnv(t)
	u := addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	item := strings.TrimSuffix(e.image, "-1")
	a := annotateAs(t, e, base, u, item, "first", "en", "private")
	ctx := browser(t)
	pageErrors(t, ctx)
	annotatePage(t, ctx, base, "reader@cmu.example", item, "th")
	annoListed(t, ctx, "first", true)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#anno-list li.mine button.edit"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("anno-note").value === "first"`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the form does not hold the annotation to edit: %v", err)
	}
	// Elsewhere (another tab, another tool) the annotation changes.
	w := annotation.Where{Base: base, Item: item, Canvas: 1}
	doc, _ := json.Marshal(map[string]any{"@context": annotation.Context, "type": "Annotation", "bodyValue": "second",
		"target": base + "/iiif/3/manifest/" + item + "/canvas/1#xywh=1,1,5,5"})
	if _, err := (&annotation.Service{Store: e.store}).Replace(context.Background(), principalOf(u), w, a.ID, annotation.ParseETag(a.ETag), doc); err != nil {
		t.Fatal(err)
	}
	write(t, ctx, "anno-note", " again")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("anno-save"))); err != nil {
		t.Fatal(err)
	}
	want := messages["anno_stale"][0]
	said := `document.getElementById("anno-said").textContent === ` + jsString(want) + ` && !document.getElementById("anno-form").hidden`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](said, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("anno-said").textContent`))
		screenshot(t, ctx, "stale-save")
		t.Fatalf("a stale save says %q, want %q", got, want)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestOthersSeeOnlyPublicAnnotationsAndNeverChangeThem: a second reader
// does not see the first's private annotation and sees their public one
// without a way to change it; a visitor who is not signed in sees the
// public one and is told, in their language, to sign in to annotate.
func TestOthersSeeOnlyPublicAnnotationsAndNeverChangeThem(t *testing.T) {
	e, base := serveEnv(t)
	first := addUser(t, e.store, "first@cmu.example", "cmu", "reader")
	addUser(t, e.store, "second@tu.example", "tu", "reader")
	item := strings.TrimSuffix(e.image, "-1")
	annotateAs(t, e, base, first, item, "บันทึกส่วนตัว", "th", "private")
	annotateAs(t, e, base, first, item, "บันทึกสาธารณะ", "th", "public")

	ctx := browser(t)
	annotatePage(t, ctx, base, "second@tu.example", item, "th")
	annoListed(t, ctx, "บันทึกสาธารณะ", true)
	annoListed(t, ctx, "บันทึกส่วนตัว", false)
	if n := drawn(t, ctx); n != 1 {
		t.Errorf("the second reader's viewer draws %d shapes, want 1", n)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#anno-list li.mine, #anno-list button.edit, #anno-list button.delete").length`)); err != nil || n != 0 {
		t.Errorf("the second reader is offered to change another's annotation (%d, %v)", n, err)
	}
	if items := container(t, ctx, item); len(items) != 1 {
		t.Errorf("the second reader's container holds %d annotations, want 1", len(items))
	}

	anon := browser(t)
	annotatePage(t, anon, base, "", item, "en")
	annoListed(t, anon, "บันทึกสาธารณะ", true)
	annoListed(t, anon, "บันทึกส่วนตัว", false)
	hint, err := chromedp.Run(anon, chromedp.Text(chromedp.ID("anno-signin")))
	if err != nil || !strings.Contains(hint, messages["anno_sign_in"][1]) {
		t.Errorf("a visitor's hint is %q (%v)", hint, err)
	}
	if n, err := chromedp.Run(anon, chromedp.Evaluate[int](`document.querySelectorAll("#anno-rect, #anno-polygon, #anno-form").length`)); err != nil || n != 0 {
		t.Errorf("a visitor is offered %d drawing controls (%v)", n, err)
	}
}

// TestDrawnPolygonIsSavedAsAnSvgShape: a reader draws a polygon by
// clicking its corners and double-clicking the last, tags it and makes it
// public; the container holds an SvgSelector with a polygon of those
// corners, and after a reload it is drawn again.
func TestDrawnPolygonIsSavedAsAnSvgShape(t *testing.T) {
	e, base := serveEnv(t)
	addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	item := strings.TrimSuffix(e.image, "-1")
	ctx := browser(t)
	pageErrors(t, ctx)
	annotatePage(t, ctx, base, "reader@cmu.example", item, "en")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("anno-polygon"))); err != nil {
		t.Fatal(err)
	}
	c := canvasBox(t, ctx)
	corners := [][2]float64{{0.4, 0.3}, {0.6, 0.35}, {0.55, 0.6}, {0.38, 0.55}}
	var steps []chromedp.Action[chromedp.Void]
	for i, p := range corners {
		x, y := c.X+c.W*p[0], c.Y+c.H*p[1]
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x, y), chromedp.MouseClickXY(x, y))
		if i == len(corners)-1 {
			steps = append(steps, chromedp.MouseClickXY(x, y, chromedp.ClickCount(2)))
		}
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(wait, chromedp.WaitVisible(chromedp.ID("anno-note"))); err != nil {
		screenshot(t, ctx, "polygon-not-drawn")
		t.Fatalf("drawing a polygon: %v", err)
	}
	write(t, ctx, "anno-tags", "seal, stamp")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("anno-public")), chromedp.Click(chromedp.ID("anno-save"))); err != nil {
		t.Fatal(err)
	}
	annoListed(t, ctx, "seal, stamp", true)
	items := container(t, ctx, item)
	if len(items) != 1 {
		t.Fatalf("the container holds %d annotations, want 1", len(items))
	}
	var target struct {
		Selector struct{ Type, Value string }
	}
	raw, _ := json.Marshal(items[0]["target"])
	json.Unmarshal(raw, &target)
	svg := target.Selector.Value
	if target.Selector.Type != "SvgSelector" || !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "<polygon points=") {
		t.Fatalf("the saved target %s is not a polygon", raw)
	}
	points := strings.Fields(strings.Split(strings.Split(svg, `points="`)[1], `"`)[0])
	if len(points) != len(corners) {
		t.Errorf("the saved polygon has %d corners, want %d: %s", len(points), len(corners), svg)
	}
	if items[0]["audience"] != "public" {
		t.Errorf("audience %v, want public", items[0]["audience"])
	}
	openAnnotations(t, ctx, base+"/items/"+item+"?lang=en")
	if n := drawn(t, ctx); n != 1 {
		t.Errorf("%d shapes drawn after the reload, want 1", n)
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

// TestPastTheLimitASaveSaysToWait: a reader who has made the most
// annotations a minute allows is told, on saving one more, to wait and
// for how long, in the page's language; nothing more is kept.
func TestPastTheLimitASaveSaysToWait(t *testing.T) {
	e, base := serveEnv(t)
	addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	item := strings.TrimSuffix(e.image, "-1")
	ctx := browser(t)
	annotatePage(t, ctx, base, "reader@cmu.example", item, "en")
	// The minute's allowance, used up from this page as a quick hand would.
	burst := `(async () => { let made = 0; for (let i = 0; i < ` + fmt.Sprint(annotation.DefaultPerMinute) + `; i++) {
		const r = await fetch("/annotations/` + item + `/1/", {method: "POST", headers: {"Content-Type": "application/ld+json"},
			body: JSON.stringify({"@context": "http://www.w3.org/ns/anno.jsonld", type: "Annotation", bodyValue: "n" + i, target: window.archiveCanvas.canvas + "#xywh=1,1,5,5"})});
		if (r.status === 201) made++; } return made; })()`
	made, err := chromedp.Run(ctx, chromedp.Evaluate[int](burst, chromedp.EvalAwaitPromise))
	if err != nil || made != annotation.DefaultPerMinute {
		t.Fatalf("made %d of %d annotations in a burst (%v)", made, annotation.DefaultPerMinute, err)
	}
	drawRectangle(t, ctx)
	write(t, ctx, "anno-note", "one too many")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("anno-save"))); err != nil {
		t.Fatal(err)
	}
	want := messages["anno_limit"][1]
	said := `document.getElementById("anno-said").textContent.startsWith(` + jsString(want) + `) && /\(\d+ s\)$/.test(document.getElementById("anno-said").textContent)`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](said, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("anno-said").textContent`))
		t.Fatalf("past the limit a save says %q, want %q and the wait", got, want)
	}
	if items := container(t, ctx, item); len(items) != annotation.DefaultPerMinute {
		t.Errorf("the container holds %d annotations, want %d", len(items), annotation.DefaultPerMinute)
	}
}

// TestNoDrawingIsOfferedOnImagesThePersonMayNotSee: on a metadata-only
// item, whose description a reader of another library may read but not its
// images, the page offers no tools to draw once the image is refused.
func TestNoDrawingIsOfferedOnImagesThePersonMayNotSee(t *testing.T) {
	e, base := serveEnv(t)
	addUser(t, e.store, "reader@tu.example", "tu", "reader")
	dir := t.TempDir()
	var b bytes.Buffer
	png.Encode(&b, quadrants().SubImage(image.Rect(0, 0, 400, 300))) // not a copy of the open item's image
	os.WriteFile(filepath.Join(dir, "m.png"), b.Bytes(), 0o644)
	outs := ingest.New(ingest.Config{Store: e.store, Blobs: e.blobs}).Ingest(context.Background(), ingest.Unit{Files: []ingest.Input{{Path: filepath.Join(dir, "m.png"), Name: "m.png"}},
		Meta: repository.Item{Institution: "cmu", Title: repository.Text{"en": "Described only"}, Access: repository.Access{Level: repository.MetadataOnly}}})
	if outs[0].Status != ingest.Ingested || len(outs[0].Images) != 1 {
		t.Fatalf("ingest: %+v", outs)
	}
	item := strings.TrimSuffix(outs[0].Images[0], "-1")
	ctx := browser(t)
	net := watch(ctx)
	annotatePage(t, ctx, base, "reader@tu.example", item, "en")
	net.waitFor(t, "the refused image description", func(u string, st int) bool {
		return strings.HasSuffix(u, "/iiif/3/"+outs[0].Images[0]+"/info.json") && st >= 400
	})
	if shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector(".anno-tools").hidden`)); err != nil || shown {
		screenshot(t, ctx, "metadata-only-tools")
		t.Errorf("the tools to draw are offered on an image the reader may not see (%v)", err)
	}
}

// TestAnnotationsFollowThePageTheViewerShows: on an item of two pages the
// list and the drawing are those of the page Mirador shows: none on the
// first, the second's after turning to it; and a shape drawn there is
// saved on the second canvas.
func TestAnnotationsFollowThePageTheViewerShows(t *testing.T) {
	e, base := serveEnv(t)
	u := addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	dir := t.TempDir()
	var inputs []ingest.Input
	for i, r := range []image.Rectangle{image.Rect(0, 0, 500, 700), image.Rect(500, 0, 1000, 700)} {
		var b bytes.Buffer
		png.Encode(&b, quadrants().SubImage(r))
		name := fmt.Sprintf("p%d.png", i+1)
		os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644)
		inputs = append(inputs, ingest.Input{Path: filepath.Join(dir, name), Name: name})
	}
	outs := ingest.New(ingest.Config{Store: e.store, Blobs: e.blobs}).Ingest(context.Background(), ingest.Unit{Files: inputs,
		Meta: repository.Item{Institution: "cmu", Title: repository.Text{"en": "Two pages"}}})
	if outs[0].Status != ingest.Ingested || len(outs[0].Images) != 2 {
		t.Fatalf("ingest: %+v", outs)
	}
	item := outs[0].Item
	doc, _ := json.Marshal(map[string]any{"@context": annotation.Context, "type": "Annotation", "audience": "public",
		"body":   map[string]string{"type": "TextualBody", "value": "หน้าที่สอง", "language": "th"},
		"target": base + "/iiif/3/manifest/" + item + "/canvas/2#xywh=20,20,100,100"})
	if _, err := (&annotation.Service{Store: e.store}).Create(context.Background(), principalOf(u), annotation.Where{Base: base, Item: item, Canvas: 2}, doc); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	annotatePage(t, ctx, base, "reader@cmu.example", item, "en")
	if none, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.getElementById("anno-none").hidden && document.querySelectorAll("#anno-list li").length === 0`)); err != nil || !none {
		t.Errorf("the first page lists annotations of another (%v)", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#viewer button[aria-label="Next item"]`))); err != nil {
		t.Fatal(err)
	}
	annoListed(t, ctx, "หน้าที่สอง", true)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#viewer .a9s-annotation").length === 1`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Errorf("the second page's annotation is not drawn: %v", err)
	}
	drawRectangle(t, ctx)
	write(t, ctx, "anno-note", "on page two")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("anno-save"))); err != nil {
		t.Fatal(err)
	}
	annoListed(t, ctx, "on page two", true)
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("/annotations/`+item+`/2/?page=0").then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil || !strings.Contains(raw, "on page two") {
		t.Errorf("the second canvas's container does not hold the new annotation (%v): %s", err, raw)
	}
}
