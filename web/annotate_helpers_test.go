package web

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/annotation"
	"github.com/thaiarchives/archive/repository"
)

// Helpers of the browser tests of annotations on the item page's viewer:
// signing in, drawing with real pointer events, reading the page and the
// containers.

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

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
