package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// TestEmbedOfARestrictedItemTellsASignedInReaderWhereToAskAndShowsTheImageAfterTheGrant:
// a tu reader signed in at LemonLDAP::NG opens the embed of a restricted
// cmu item; its viewer takes the session, says in English and in Thai what
// the image's probe says (where to ask), the reader asks with the form
// below the note, and once a cmu archivist approves the request the same
// embed (no reload) draws the image and says that access is granted.
func TestEmbedOfARestrictedItemTellsASignedInReaderWhereToAskAndShowsTheImageAfterTheGrant(t *testing.T) {
	e := newGrantViewerEnv(t)
	addUser(t, e.store, "archivist@cmu.example", "cmu", "archivist")
	ctx := browser(t)
	net := watch(ctx)
	person := e.op.Users[0]
	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/login/tu"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="user"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="user"]`), person.Name),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), person.Password),
	); err != nil {
		t.Fatalf("signing in at the provider: %v", err)
	}
	chromedp.Do(ctx, chromedp.Submit(chromedp.CSS(`input[name="password"]`))) // the page is gone before Submit hears back
	// Back at the archive, the redirects done, with a session.
	if !waitForGo(func() bool {
		if at, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !backHome(e.base, at) {
			return false
		}
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && fetch("/api/v1/me").then(r => r.ok)`, chromedp.EvalAwaitPromise))
		return err == nil && ok
	}) {
		t.Fatal("the reader is not back at the archive signed in")
	}
	note := `((document.getElementById("viewer-note") || {}).textContent || "")`
	for _, lang := range []struct {
		code string
		n    int // the language's column in messages
	}{{"en", 1}, {"th", 0}} {
		if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/embed/"+e.item+"?lang="+lang.code), chromedp.WaitVisible(chromedp.ID("viewer"))); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(messages["probe_request"][lang.n] + " " + e.base + "/items/" + e.item + "#request")
		if !waitFor(ctx, note+`.includes(`+string(want)+`)`) {
			got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](note))
			state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({compact: document.getElementById("viewer").className, auth: window.archiveViewer && window.archiveViewer.store && window.archiveViewer.store.getState().auth, infos: window.archiveViewer && window.archiveViewer.store && window.archiveViewer.store.getState().infoResponses})`))
			t.Logf("the viewer's state: %.2000s", state)
			screenshot(t, ctx, "embed-without-note-"+lang.code)
			t.Fatalf("the embed (%s) does not say where to ask: note %q, want it to hold %s", lang.code, got, want)
		}
	}
	screenshot(t, ctx, "embed-note-without-access")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.sameViewer = true`)); err != nil {
		t.Fatal(err)
	}
	// The reader asks with the form below the viewer's note (in Thai, the
	// embed's language now).
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("viewer-purpose"), "วิทยานิพนธ์"),
		chromedp.Click(chromedp.CSS(`#viewer-ask button[type="submit"]`)),
	); err != nil {
		t.Fatalf("asking in the viewer: %v", err)
	}
	sent, _ := json.Marshal(messages["request_sent"][0])
	if !waitFor(ctx, `(document.getElementById("viewer-asked") || {}).textContent === `+string(sent)) {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("viewer-ask") || document.body).textContent.slice(0, 300)`))
		t.Fatalf("the viewer does not say the request was sent: %q", got)
	}
	status, body := inPage(t, ctx, `fetch("/api/v1/requests")`)
	var mine struct {
		Requests []struct{ ID, Item, Purpose, Status string }
	}
	if err := json.Unmarshal([]byte(body), &mine); err != nil || status != http.StatusOK || len(mine.Requests) != 1 ||
		mine.Requests[0].Item != e.item || mine.Requests[0].Purpose != "วิทยานิพนธ์" || mine.Requests[0].Status != "asked" {
		t.Fatalf("the reader's requests: %d %s", status, body)
	}
	archivist, _ := signedIn(t, e.base, "archivist@cmu.example")
	req, _ := http.NewRequest(http.MethodPost, e.base+"/api/v1/requests/"+mine.Requests[0].ID, strings.NewReader(`{"decision": "approve", "scope": "item"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", e.base)
	resp, err := archivist.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("approving: %d", resp.StatusCode)
	}
	net.reset()
	viewerShowsImage(t, ctx, net, e.image)
	granted, _ := json.Marshal(messages["viewer_granted"][0])
	if !waitFor(ctx, `document.getElementById("restricted-note").textContent === `+string(granted)+` && !document.getElementById("viewer-note") && !document.getElementById("viewer-asked")`) {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("restricted-note").textContent`))
		t.Fatalf("after the grant the embed says %q, want the notice of the grant", got)
	}
}

// TestRestrictedEmbedOnAnotherSitesPageSaysSigningInCannotReachIt: a
// partner's page on another site (localhost, where the archive is
// 127.0.0.1) frames a restricted item's embed; Chromium asks for it as a
// cross-site frame, and the embed says in Thai that signing in cannot
// reach it there, with a link to the item page.
func TestRestrictedEmbedOnAnotherSitesPageSaysSigningInCannotReachIt(t *testing.T) {
	e := newGrantViewerEnv(t)
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html><body><h1>Partner library</h1><iframe src="%s/embed/%s?lang=th" width="800" height="500"></iframe></body></html>`, e.base, e.item)
	}))
	t.Cleanup(partner.Close)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(strings.Replace(partner.URL, "127.0.0.1", "localhost", 1))); err != nil {
		t.Fatal(err)
	}
	// Another site's frame runs apart from the page: find it among the
	// browser's targets.
	var frame target.ID
	if !waitForGo(func() bool {
		ts, err := chromedp.Targets(ctx)
		for _, ti := range ts {
			if err == nil && ti.Type == "iframe" && strings.Contains(ti.URL, "/embed/"+e.item) {
				frame = ti.TargetID
			}
		}
		return frame != ""
	}) {
		t.Fatal("the embed's frame is not there as a frame of its own site")
	}
	fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(frame))
	defer cancel()
	want, _ := json.Marshal(messages["embed_cross_site"][0])
	link, _ := json.Marshal("/items/" + e.item)
	if !waitFor(fctx, `(n => !!n && n.textContent.includes(`+string(want)+`) && n.querySelector("a").href.endsWith(`+string(link)+`))(document.getElementById("frame-note"))`) {
		got, _ := chromedp.Run(fctx, chromedp.Evaluate[string](`(document.getElementById("frame-note") || {}).textContent || document.body.textContent.slice(0, 300)`))
		t.Fatalf("the embed in another site's frame says %q, want %s and a link to the item page", got, want)
	}
	screenshot(t, ctx, "embed-cross-site")
}
