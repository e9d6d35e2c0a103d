package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSignedInArchivistIsNotAskedToSignInAgainByTheViewer: an archivist
// already signed in opens a restricted item of their library; the viewer
// takes the session's access token (its authentication is "ok") and shows
// no sign-in bar, and the tiles load.
func TestSignedInArchivistIsNotAskedToSignInAgainByTheViewer(t *testing.T) {
	e, base := serveEnv(t)
	addUser(t, e.store, "archivist@cmu.example", "cmu", "archivist")
	item := strings.TrimSuffix(e.closed, "-1")
	ctx := browser(t)
	net := watch(ctx)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login?lang=en&next="+"/items/"+item),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "archivist@cmu.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("viewer")),
	); err != nil {
		t.Fatal(err)
	}
	net.waitFor(t, "a tile of the restricted image", isTile(e.closed))
	ok := `(() => { const s = window.archiveViewer && window.archiveViewer.store.getState(); return !!s && Object.values(s.auth || {}).some(a => a.ok === true) &&
		![...document.querySelectorAll("#viewer [role=button], #viewer button")].some(b => /continue/i.test(b.textContent)); })()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](ok, chromedp.WithPollingTimeout(30e9))); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("viewer").innerText`))
		screenshot(t, ctx, "signed-in-viewer")
		t.Fatalf("the viewer asks a signed-in archivist to sign in: %q (%v)", text, err)
	}
	screenshot(t, ctx, "signed-in-viewer")
}
