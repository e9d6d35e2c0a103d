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
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/annotation"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// Drawing annotations on the item page's viewer (annotate.js) in Chromium,
// with real pointer events, saved through the annotation protocol.

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
