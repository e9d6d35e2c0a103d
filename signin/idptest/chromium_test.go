package idptest_test

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
	"golang.org/x/oauth2"

	"github.com/thaiarchives/archive/signin/idptest"
)

// chromium starts headless Chromium (Debian chromium) for a test.
func chromium(t *testing.T) context.Context {
	t.Helper()
	exe, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("chromium is required (ARCHIVE_REQUIRE_TOOLS) but not installed (Debian chromium)")
		}
		t.Skip("chromium not installed (Debian chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true), chromedp.UserDataDir(t.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// landing is a local page the provider sends the browser back to: it keeps
// the query and the posted form of the last request and answers "signed in".
func landing(t *testing.T) (*httptest.Server, chan url.Values) {
	t.Helper()
	got := make(chan url.Values, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err == nil && r.URL.Path != "/favicon.ico" {
			select {
			case got <- r.Form:
			default:
			}
		}
		w.Write([]byte(`<p id="landed">signed in</p>`))
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// signInWithChromium opens start, fills the provider's login form and waits
// for the landing page.
func signInWithChromium(t *testing.T, ctx context.Context, start, userField string, u idptest.User) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(start),
		chromedp.SendKeys(chromedp.CSS(`input[name="`+userField+`"]`), u.Name),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), u.Password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.ID("landed")),
	)
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("signing in with chromium (now at %s): %v", loc, err)
	}
}

func TestChromiumSignsInAtLemonLDAPsLoginPage(t *testing.T) {
	srv, got := landing(t)
	op := idptest.StartOIDC(t, idptest.Client{ID: "archive", Secret: "archive-secret", RedirectURL: srv.URL + "/callback", RequirePKCE: true})
	conf := oauth2.Config{ClientID: op.Client.ID, ClientSecret: op.Client.Secret, RedirectURL: op.Client.RedirectURL,
		Endpoint: oauth2.Endpoint{AuthURL: op.Issuer + "/oauth2/authorize", TokenURL: op.Issuer + "/oauth2/token"},
		Scopes:   []string{"openid"}}
	verifier := oauth2.GenerateVerifier()
	signInWithChromium(t, chromium(t), conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier)), "user", op.Users[0])
	q := <-got
	if q.Get("state") != "state-1" || q.Get("code") == "" {
		t.Fatalf("the callback got %v, want state-1 and a code", q)
	}
	if _, err := conf.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Fatalf("exchange the code the browser brought: %v", err)
	}
}

func TestChromiumSignsInAtSimpleSAMLphpsLoginPage(t *testing.T) {
	srv, got := landing(t)
	idp := idptest.StartSAML(t)
	md, err := samlsp.FetchMetadata(context.Background(), http.DefaultClient, *mustURL(t, idp.MetadataURL))
	if err != nil {
		t.Fatal(err)
	}
	key, cert := spKeyPair(t)
	sp := saml.ServiceProvider{EntityID: srv.URL + "/saml/metadata", Key: key, Certificate: cert,
		AcsURL: *mustURL(t, srv.URL+"/saml/acs"), IDPMetadata: md}
	spMD, err := xml.Marshal(sp.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	idp.RegisterSP(t, spMD)
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		t.Fatal(err)
	}
	redirect, err := req.Redirect("", &sp)
	if err != nil {
		t.Fatal(err)
	}
	signInWithChromium(t, chromium(t), redirect.String(), "username", idp.Users[1])
	acs := httptest.NewRequest(http.MethodPost, sp.AcsURL.String(), nil)
	acs.Form = <-got
	acs.PostForm = acs.Form
	assertion, err := sp.ParseResponse(acs, []string{req.ID})
	if ire := (*saml.InvalidResponseError)(nil); errors.As(err, &ire) {
		err = ire.PrivateErr
	}
	if err != nil {
		t.Fatalf("the SAML response the browser posted does not verify: %v", err)
	}
	if assertion.Subject == nil || assertion.Subject.NameID == nil {
		t.Error("the assertion names no subject")
	}
}
