package web

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/annotation"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// Who sees which annotations, and who is offered to draw.

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

// TestOnesTranscriptionIsListedButNotChangedAsANote: a reader's own
// transcription of a line is listed with the page's annotations, without
// Edit or Delete: the note's form would make it a comment.
func TestOnesTranscriptionIsListedButNotChangedAsANote(t *testing.T) {
	e, base := serveEnv(t)
	u := addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	item := strings.TrimSuffix(e.image, "-1")
	annotateAs(t, e, base, u, item, "ข้อความบรรทัดแรก", "th", "private")
	doc, _ := json.Marshal(map[string]any{"@context": annotation.Context, "type": "Annotation", "motivation": "transcribing",
		"body":   map[string]string{"type": "TextualBody", "value": "บรรทัดที่ถอดความ", "language": "th", "purpose": "transcribing"},
		"target": base + "/iiif/3/manifest/" + item + "/canvas/1#xywh=10,60,300,40"})
	// Transcribing is for the library's staff and whom they invite.
	arch := addUser(t, e.store, "arch@cmu.example", "cmu", "archivist")
	reqs := &desk.Requests{Store: e.store}
	if _, err := reqs.Invite(context.Background(), principalOf(arch), item, "reader@cmu.example", desk.Decision{}); err != nil {
		t.Fatal(err)
	}
	p := principalOf(u)
	p.Grants, _ = reqs.Grants(u.ID)
	if _, err := (&annotation.Service{Store: e.store}).Create(context.Background(), p, annotation.Where{Base: base, Item: item, Canvas: 1}, doc); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	annotatePage(t, ctx, base, "reader@cmu.example", item, "th")
	annoListed(t, ctx, "บรรทัดที่ถอดความ", true)
	buttons := `[...document.querySelectorAll("#anno-list li")].map(li => li.textContent.includes("บรรทัดที่ถอดความ") + ":" + li.querySelectorAll("button.edit, button.delete").length).sort().join(" ")`
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](buttons)); err != nil || got != "false:2 true:0" {
		t.Errorf("buttons per listed annotation (transcription: count) %q, want the note's two and none on the transcription (%v)", got, err)
	}
}
