package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/signin"
	"github.com/thaiarchives/archive/signin/idptest"
	"github.com/thaiarchives/archive/storage/local"
)

// universityEnv is an archive on a loopback port whose library cmu signs
// in at LemonLDAP::NG (OpenID Connect) and tu at SimpleSAMLphp (SAML).
type universityEnv struct {
	base  string
	store *bolt.Store
	op    *idptest.OIDC
	idp   *idptest.SAML
}

func newUniversityEnv(t *testing.T) *universityEnv {
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
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &universityEnv{base: "http://" + l.Addr().String(), store: store}
	e.op = idptest.StartOIDC(t, idptest.Client{ID: "archive", Secret: "archive-secret", RedirectURL: e.base + "/login/callback", RequirePKCE: true})
	e.idp = idptest.StartSAML(t)
	key, err := signin.LoadSPKey(t.TempDir(), e.base+"/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	roles, err := signin.ParseRoles("faculty=archivist")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := signin.New(signin.Config{BaseURL: e.base, SPKey: key, Store: store, Libraries: []signin.Library{
		{ID: "cmu", OIDC: &signin.OIDCSettings{Issuer: e.op.Issuer, ClientID: "archive", ClientSecret: "archive-secret"}},
		{ID: "tu", Roles: roles, SAML: &signin.SAMLSettings{IdPMetadata: e.idp.MetadataURL}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	md, err := svc.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	e.idp.RegisterSP(t, md)
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, BaseURL: e.base, SignIn: svc}))
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

// me is what /api/v1/me answers the browser.
func me(t *testing.T, ctx context.Context) map[string]any {
	t.Helper()
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("/api/v1/me").then(async r => r.status + " " + await r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	status, js, _ := strings.Cut(body, " ")
	if status != "200" {
		t.Fatalf("/api/v1/me: %s", body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// backHome says whether the browser is at the archive, past the sign-in.
func backHome(base, at string) bool {
	rest, ok := strings.CutPrefix(at, base+"/")
	return ok && !strings.HasPrefix(rest, "login") && !strings.HasPrefix(rest, "saml")
}

// waitFor polls the page until expr is true, for up to 30 s; evaluations
// fail while one page replaces another.
func waitFor(ctx context.Context, expr string) bool {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return true
		}
	}
	return false
}

func TestChromiumSignsInWithAUniversityAccountAtEachProvidersOwnPage(t *testing.T) {
	e := newUniversityEnv(t)
	for _, c := range []struct {
		library, button, userField string
		user                       idptest.User
		role                       string
	}{
		{"cmu", "Sign in with Chiang Mai University account", "user", e.op.Users[0], "reader"},
		{"tu", "", "username", e.idp.Users[0], "archivist"},
	} {
		ctx := browser(t)
		err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/login?lang=en"))
		label, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`a[href="/login/`+c.library+`"]`)))
		if err == nil {
			err = chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS(`a[href="/login/`+c.library+`"]`)),
				chromedp.SendKeys(chromedp.CSS(`input[name="`+c.userField+`"]`), c.user.Name),
				chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), c.user.Password))
		}
		if err == nil {
			// The form's page is gone before Submit hears back: what
			// follows says whether it was sent.
			chromedp.Do(ctx, chromedp.Submit(chromedp.CSS(`input[name="password"]`)))
		}
		at := ""
		for deadline := time.Now().Add(30 * time.Second); err == nil && !backHome(e.base, at); {
			if time.Now().After(deadline) {
				err = errors.New("not back at the archive within 30s")
				break
			}
			time.Sleep(50 * time.Millisecond)
			at, _ = chromedp.Run(ctx, chromedp.Location()) // fails while a page is replaced
		}
		if err != nil {
			t.Fatalf("%s: signing in (now at %s): %v", c.library, at, err)
		}
		if c.button != "" && strings.TrimSpace(label) != c.button {
			t.Errorf("the button reads %q, want %q", label, c.button)
		}
		got := me(t, ctx)
		if got["email"] != c.user.Mail || got["name"] != c.user.DisplayName || got["institution"] != c.library || got["role"] != c.role {
			t.Errorf("%s: /api/v1/me says %v, want %s, %s, %s, %s", c.library, got, c.user.Mail, c.user.DisplayName, c.library, c.role)
		}
		// Signing out ends the archive's session and offers the
		// provider's where it has one (LemonLDAP::NG's end_session_endpoint,
		// SimpleSAMLphp's single logout service).
		if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/logout?lang=en")); err != nil {
			t.Fatal(err)
		}
		chromedp.Do(ctx, chromedp.Click(chromedp.ID("signout"))) // the page is gone before the click is answered
		if !waitFor(ctx, `document.querySelector("p.notice") !== null || location.pathname === "/"`) {
			at, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("%s: signing out did not end at the notice or the home page (at %s)", c.library, at)
		}
		offered, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("#provider-signout") || {}).href || ""`))
		if want := map[string]string{"cmu": e.op.Issuer + "/oauth2/logout", "tu": e.idp.URL + "saml2/idp/SingleLogoutService.php?SAMLRequest="}[c.library]; !strings.HasPrefix(offered, want) || c.library == "cmu" && offered != want {
			t.Errorf("%s: after signing out the provider's sign-out offered is %q, want %q", c.library, offered, want)
		}
		if status, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`fetch("/api/v1/me").then(r => r.status)`, chromedp.EvalAwaitPromise)); status != 401 {
			t.Errorf("%s: /api/v1/me after signing out: %v, want 401", c.library, status)
		}
	}
}

func TestUniversitySignInAnswerFromAnotherBrowserIsRefusedOnTheLoginPage(t *testing.T) {
	e := newUniversityEnv(t)
	for _, lang := range []string{"th", "en"} {
		resp, err := http.Get(e.base + "/login/callback?state=forged&code=x&lang=" + lang)
		if err != nil {
			t.Fatal(err)
		}
		b := new(strings.Builder)
		_, err = io.Copy(b, resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(b.String(), t2(lang, "err_university_signin")) ||
			!strings.Contains(b.String(), "not the sign-in this browser began") || !strings.Contains(b.String(), `href="/login/cmu"`) {
			t.Errorf("%s: %d %.800s; want 401, the login page saying why, with the buttons", lang, resp.StatusCode, b)
		}
	}
	if us, err := e.store.Users(""); err != nil || len(us) != 0 {
		t.Errorf("accounts after a refused answer: %d (%v), want none", len(us), err)
	}
}

func TestMeIsUnauthorizedAnonymousAndSaysWhoIsSignedIn(t *testing.T) {
	e := newIIIFEnv(t)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous /api/v1/me: %d, want 401", resp.StatusCode)
	}
	u := addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	client, _ := signedIn(t, ts.URL, u.Email)
	resp, err = client.Get(ts.URL + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"email": u.Email, "name": "", "institution": "cmu", "role": "reader"}
	if resp.StatusCode != http.StatusOK || len(got) != len(want) || got["email"] != want["email"] || got["institution"] != want["institution"] || got["role"] != want["role"] {
		t.Errorf("/api/v1/me: %d %v, want %v", resp.StatusCode, got, want)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "private") && !strings.Contains(cc, "no-store") {
		t.Errorf("/api/v1/me may be kept by a shared cache: %q", cc)
	}
}

func TestChromiumLinksAPasswordAccountToTheUniversityAccount(t *testing.T) {
	e := newUniversityEnv(t)
	local := addUser(t, e.store, "doctor@cmu.example", "cmu", "archivist")
	who := e.op.Users[0]
	ctx := browser(t)
	err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/login?lang=en"),
		chromedp.SendKeys(chromedp.ID("email"), local.Email),
		chromedp.SendKeys(chromedp.ID("password"), password))
	if err == nil {
		chromedp.Do(ctx, chromedp.Submit(chromedp.ID("password")))
		if !waitFor(ctx, `location.pathname.startsWith("/desk")`) {
			t.Fatal("the password sign-in did not reach the desk")
		}
		err = chromedp.Do(ctx, chromedp.Navigate(e.base+"/login?lang=en"))
	}
	label, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("link-university")))
	if err == nil {
		err = chromedp.Do(ctx, chromedp.Click(chromedp.ID("link-university")),
			chromedp.SendKeys(chromedp.CSS(`input[name="user"]`), who.Name),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), who.Password))
	}
	if err != nil {
		t.Fatal(err)
	}
	if label != "Link this account to your Chiang Mai University account" {
		t.Errorf("the link button reads %q", label)
	}
	chromedp.Do(ctx, chromedp.Submit(chromedp.CSS(`input[name="password"]`)))
	if !waitFor(ctx, `location.href === "`+e.base+`/login"`) {
		at, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("linking did not come back to the login page (at %s)", at)
	}
	if got := me(t, ctx); got["email"] != local.Email {
		t.Errorf("after linking /api/v1/me is %v, want the password account %s", got, local.Email)
	}
	u, err := e.store.User(local.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.SignInLinks) != 1 || u.SignInLinks[0].Subject != who.Principal || u.SignInLinks[0].Library != "cmu" {
		t.Errorf("links %+v, want cmu's %s", u.SignInLinks, who.Principal)
	}
	if us, _ := e.store.Users(""); len(us) != 1 {
		t.Errorf("%d accounts, want the one linked", len(us))
	}
}

func TestUniversitySignInFailuresAreSlowedByTheSignInLimiter(t *testing.T) {
	e := newUniversityEnv(t)
	var codes []int
	for range 6 {
		resp, err := http.Get(e.base + "/login/callback?state=forged&code=x")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	for i, c := range codes[:5] {
		if c != http.StatusUnauthorized {
			t.Errorf("forged answer %d: %d, want 401", i+1, c)
		}
	}
	if codes[5] != http.StatusTooManyRequests {
		t.Errorf("a sixth forged answer at once: %d, want 429 as for the password form", codes[5])
	}
}

func TestUniversityButtonsOfAViewersSignInComeBackToSayItIsDone(t *testing.T) {
	e := newUniversityEnv(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(e.base + "/login?origin=" + url.QueryEscape("https://viewer.example"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := `href="/login/cmu?next=` + url.QueryEscape("/login?origin="+url.QueryEscape("https://viewer.example")) + `"`
	if !strings.Contains(strings.ReplaceAll(string(b), "&amp;", "&"), want) {
		t.Fatalf("the viewer's sign-in page has no button coming back to it (%s): %.1500s", want, b)
	}
	resp, err = client.Get(e.base + "/login/cmu?next=" + url.QueryEscape("/login?origin=https%3A%2F%2Fviewer.example"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if to := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(to, e.op.Issuer) {
		t.Errorf("/login/cmu: %d to %q, want a redirect to the provider", resp.StatusCode, to)
	}
}
