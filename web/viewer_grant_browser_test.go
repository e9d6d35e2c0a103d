package web

import (
	"bytes"
	"context"
	"encoding/json"
	"image/jpeg"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/signin"
	"github.com/thaiarchives/archive/signin/idptest"
	"github.com/thaiarchives/archive/storage/local"
)

// grantViewerEnv is an archive on a loopback port whose library tu signs
// in at LemonLDAP::NG, holding a restricted cmu item with one image.
type grantViewerEnv struct {
	base, item, image string
	store             *bolt.Store
	op                *idptest.OIDC
}

func newGrantViewerEnv(t *testing.T) *grantViewerEnv {
	t.Helper()
	ctx := context.Background()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var b bytes.Buffer
	if err := jpeg.Encode(&b, quadrants(), nil); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "c.jpg")
	if err := os.WriteFile(src, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	p := ingest.New(ingest.Config{Store: store, Blobs: blobs})
	out := p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{{Path: src, Name: "c.jpg"}},
		Meta: repository.Item{Institution: "cmu", Title: repository.Text{"en": "Closed"}, Access: repository.Access{Level: repository.Restricted}}})
	if out[0].Status != ingest.Ingested {
		t.Fatalf("ingest: %+v", out)
	}
	reveal(t, store, "cmu")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &grantViewerEnv{base: "http://" + l.Addr().String(), store: store, image: out[0].Images[0]}
	e.item = itemOfImage(e.image)
	e.op = idptest.StartOIDC(t, idptest.Client{ID: "archive", Secret: "archive-secret", RedirectURL: e.base + "/login/callback", RequirePKCE: true})
	svc, err := signin.New(signin.Config{BaseURL: e.base, Store: store, Libraries: []signin.Library{
		{ID: "tu", OIDC: &signin.OIDCSettings{Issuer: e.op.Issuer, ClientID: "archive", ClientSecret: "archive-secret"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, BaseURL: e.base, SignIn: svc, Ingest: p}))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	ts.Listener.Close()
	ts.Listener = l
	ts.Start()
	t.Cleanup(ts.Close)
	return e
}

// inPage runs a fetch in the page (with its session) and returns "status body".
func inPage(t *testing.T, ctx context.Context, js string) (int, string) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js+`.then(async r => r.status + " " + await r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	status, body, _ := strings.Cut(got, " ")
	n := 0
	for _, c := range status {
		n = n*10 + int(c-'0')
	}
	return n, body
}

// TestReaderOfAnotherLibrarySignsInAtTheUniversityAsksAndSeesTheImageInTheSameViewer:
// Mirador meets a restricted cmu image, a tu reader signs in at LemonLDAP::NG
// in the access service's window, is told where to ask, asks through the
// API, a cmu archivist approves, and the same viewer (no reload) then
// draws the image's tiles.
func TestReaderOfAnotherLibrarySignsInAtTheUniversityAsksAndSeesTheImageInTheSameViewer(t *testing.T) {
	e := newGrantViewerEnv(t)
	addUser(t, e.store, "archivist@cmu.example", "cmu", "archivist")
	ctx := browser(t)
	net := watch(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/items/"+e.item+"?lang=en"), chromedp.WaitVisible(chromedp.ID("viewer"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.sameViewer = true`)); err != nil {
		t.Fatal(err)
	}
	net.waitFor(t, "a refused image", func(u string, st int) bool {
		return st == http.StatusUnauthorized && strings.Contains(u, "/iiif/3/"+e.image+"/")
	})
	// Mirador's authentication bar: "Continue", then the access service's confirm label.
	cont := chromedp.JSPath(`[...document.querySelectorAll('#viewer [role=button]')].find(b => b.textContent.includes('Continue'))`)
	confirm := chromedp.JSPath(`[...document.querySelectorAll('#viewer button')].find(b => b.textContent.includes('Sign in /'))`)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(cont), chromedp.Click(cont)); err != nil {
		t.Fatalf("no sign-in bar in the viewer: %v", err)
	}
	// A click on a button Mirador is still laying out is lost: click
	// again, as a reader would, until the window opens.
	popup := chromedp.WaitNewTarget(ctx, func(i *target.Info) bool { return strings.Contains(i.URL, "/login") })
	var id target.ID
	for try := 1; id == ""; try++ {
		if err := chromedp.Do(ctx, chromedp.WaitVisible(confirm), chromedp.Click(confirm)); err != nil {
			t.Fatal(err)
		}
		select {
		case id = <-popup:
		case <-time.After(10 * time.Second):
			if try == 3 {
				t.Fatal("the access service's window did not open after 3 clicks")
			}
		}
	}
	win, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(id))
	defer cancel()
	person := e.op.Users[0]
	if err := chromedp.Do(win,
		chromedp.Click(chromedp.CSS(`a[href^="/login/tu"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="user"]`), person.Name),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), person.Password),
	); err != nil {
		t.Fatalf("signing in at the provider in the access service's window: %v", err)
	}
	chromedp.Do(win, chromedp.Submit(chromedp.CSS(`input[name="password"]`))) // the window is gone before Submit hears back
	if !waitForGo(func() bool {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`fetch("/api/v1/me").then(r => r.ok)`, chromedp.EvalAwaitPromise))
		return err == nil && ok
	}) {
		t.Fatal("the viewer's page has no session after the sign-in window")
	}
	// The window closes by itself.
	if !pollTargets(ctx, id) {
		t.Fatal("the access service's window did not close")
	}
	// The person has a session but no access: the viewer says what the
	// image's probe says, where to ask.
	if !waitFor(ctx, `(document.getElementById("viewer-note") || {}).textContent.includes("/items/`+e.item+`#request")`) {
		note, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("viewer-note") || {}).textContent || ""`))
		t.Fatalf("the viewer does not say where to ask (note %q)", note)
	}
	screenshot(t, ctx, "viewer-note-without-access")
	// The person asks through the API with the browser's session.
	status, body := inPage(t, ctx, `fetch("/api/v1/items/`+e.item+`/requests", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({purpose: "thesis"})})`)
	var asked struct{ ID string }
	if err := json.Unmarshal([]byte(body), &asked); err != nil || status != http.StatusCreated || asked.ID == "" {
		t.Fatalf("asking for access: %d %s", status, body)
	}
	// A cmu archivist approves.
	archivist, _ := signedIn(t, e.base, "archivist@cmu.example")
	req, _ := http.NewRequest(http.MethodPost, e.base+"/api/v1/requests/"+asked.ID, strings.NewReader(`{"decision": "approve", "scope": "item"}`))
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
	// The same page, without a reload, draws the image, and its words
	// about the restriction and its sign-in link give way to a notice of
	// the grant.
	net.reset()
	viewerShowsImage(t, ctx, net, e.image)
	granted, _ := json.Marshal(messages["viewer_granted"][1])
	if !waitFor(ctx, `document.getElementById("restricted-note").textContent === `+string(granted)+` && !document.getElementById("signin-link") && !document.getElementById("viewer-note")`) {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("restricted-note").textContent + " | sign-in link: " + !!document.getElementById("signin-link")`))
		t.Fatalf("after the grant the page says %q, want the notice of the grant and no sign-in link", got)
	}
	screenshot(t, ctx, "item-page-after-grant")
}

// pollTargets reports whether the target id goes away within 30 s.
func pollTargets(ctx context.Context, id target.ID) bool {
	return waitForGo(func() bool {
		ts, err := chromedp.Targets(ctx)
		if err != nil {
			return false
		}
		for _, ti := range ts {
			if ti.TargetID == id {
				return false
			}
		}
		return true
	})
}

// waitForGo polls ok for up to 30 s.
func waitForGo(ok func() bool) bool {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return true
		}
	}
	return false
}

// viewerShowsImage waits for a tile of image to be answered 200 in the page.
func viewerShowsImage(t *testing.T, ctx context.Context, net *netlog, image string) {
	t.Helper()
	net.waitFor(t, "a tile of the granted image", isTile(image))
	screenshot(t, ctx, "viewer-image-after-grant")
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.sameViewer === true`)); err != nil || !same {
		t.Fatalf("the page was reloaded (%v)", err)
	}
}

// TestSignedInArchivistOfTheHoldingLibraryIsNotAskedToSignInAgainByTheViewer:
// the viewer takes the session's access token by itself, shows the
// restricted image and never offers its sign-in.
func TestSignedInArchivistOfTheHoldingLibraryIsNotAskedToSignInAgainByTheViewer(t *testing.T) {
	e := newGrantViewerEnv(t)
	addUser(t, e.store, "archivist@cmu.example", "cmu", "archivist")
	ctx := browser(t)
	net := watch(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/login?lang=en"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "archivist@cmu.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
	); err != nil {
		t.Fatal(err)
	}
	chromedp.Do(ctx, chromedp.Submit(chromedp.ID("password"))) // the page is gone before Submit hears back
	if !waitForGo(func() bool {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`fetch("/api/v1/me").then(r => r.ok)`, chromedp.EvalAwaitPromise))
		return err == nil && ok
	}) {
		t.Fatal("the archivist is not signed in")
	}
	prompted := `[...document.querySelectorAll('#viewer button, #viewer [role=button]')].some(b => b.textContent.includes('Continue') || b.textContent.includes('Sign in /'))`
	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/items/"+e.item+"?lang=en"), chromedp.WaitVisible(chromedp.ID("viewer"))); err != nil {
		t.Fatal(err)
	}
	net.waitFor(t, "a tile of the restricted image", isTile(e.image))
	if asked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](prompted)); err != nil || asked {
		screenshot(t, ctx, "archivist-asked-to-sign-in")
		t.Fatalf("the viewer asks a signed-in archivist to sign in (%v)", err)
	}
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#viewer [aria-label]') !== null && document.getElementById("viewer-note") === null`))
	if err != nil || !ok {
		t.Fatalf("the viewer is not shown plainly (%v)", err)
	}
}
