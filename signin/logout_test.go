package signin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// asksPassword says whether a new sign-in of the browser c stops at the
// IdP's login form, as it does when the browser has no session there.
func (f *fixture) asksPassword(t *testing.T, c *http.Client) bool {
	t.Helper()
	start, _, err := f.svc.Begin(context.Background(), "psu", "")
	if err != nil {
		t.Fatal(err)
	}
	_, fields := form(t, fetch(t, c, http.MethodGet, start, nil))
	return fields.Has("password")
}

// samlSignIn signs the browser c in at SimpleSAMLphp as u and returns the
// account and the IdP's session the assertion named.
func (f *fixture) samlSignIn(t *testing.T, c *http.Client, who int) (*repository.User, *repository.ProviderSession) {
	t.Helper()
	start, state, err := f.svc.Begin(context.Background(), "psu", "")
	if err != nil {
		t.Fatal(err)
	}
	u, landing, err := f.svc.ACS(context.Background(), f.acsRequest(f.samlAnswer(t, c, start, f.idp.Users[who])), state)
	if err != nil {
		t.Fatal(err)
	}
	if from := landing.From; from == nil || from.Library != "psu" || from.Provider != "saml" || from.NameID == "" || from.SessionIndex == "" {
		t.Fatalf("the sign-in names the IdP's session %+v, want psu's NameID and SessionIndex", landing.From)
	}
	return u, landing.From
}

// sloRequest is the browser's visit to the single logout service at u.
func sloRequest(u *url.URL) *http.Request {
	return httptest.NewRequest(http.MethodGet, u.String(), nil)
}

// forged is u with its signature's first characters changed.
func forged(u *url.URL) *url.URL {
	q := u.Query()
	sig := q.Get("Signature")
	q.Set("Signature", strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return 'A'
	}, sig[:8])+sig[8:])
	v := *u
	v.RawQuery = q.Encode()
	return &v
}

func TestSAMLSingleLogoutEndsTheIdPsSessionAndRefusesForgedOrUnsolicitedAnswers(t *testing.T) {
	f := newFixture(t, "", "")
	ctx := context.Background()
	md, err := f.svc.Metadata()
	if err != nil || !strings.Contains(string(md), `Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="`+f.base+`/saml/slo"`) ||
		!strings.Contains(string(md), `use="signing"`) {
		t.Fatalf("the service provider's metadata announces no single logout service at /saml/slo or no signing key (%v): %s", err, md)
	}
	c := browser(t)
	_, from := f.samlSignIn(t, c, 0)
	if f.asksPassword(t, c) {
		t.Fatal("the IdP asks for the password again before signing out: its session is not kept, so this test proves nothing")
	}

	to, err := f.svc.Logout(ctx, from)
	if err != nil || !strings.HasPrefix(to, f.idp.URL+"saml2/idp/SingleLogoutService.php?") {
		t.Fatalf("Logout offers %q (%v), want the IdP's single logout service", to, err)
	}
	// The IdP ends its session and sends the browser back with its answer.
	back := fetch(t, c, http.MethodGet, to, nil).url
	if back.Path != "/saml/slo" || back.Query().Get("SAMLResponse") == "" {
		t.Fatalf("after the IdP's logout the browser is at %s, want /saml/slo with a SAMLResponse", back)
	}
	if !f.asksPassword(t, c) {
		t.Error("after the single logout the IdP still knows the browser: no password asked")
	}

	_, err = f.svc.SLO(ctx, sloRequest(forged(back)))
	refusedWith(t, err, fault.Invalid, "the identity provider's logout answer does not verify")
	stranger := *back
	q := stranger.Query()
	q.Set("RelayState", "not-a-sign-out-here")
	stranger.RawQuery = q.Encode()
	_, err = f.svc.SLO(ctx, sloRequest(&stranger))
	refusedWith(t, err, fault.Invalid, "the logout answer is for no sign-out under way here")

	if to, err := f.svc.SLO(ctx, sloRequest(back)); err != nil || to != "" {
		t.Fatalf("the IdP's own answer: %q, %v; want it taken", to, err)
	}
	_, err = f.svc.SLO(ctx, sloRequest(back))
	refusedWith(t, err, fault.Invalid, "the logout answer is for no sign-out under way here")
	_, err = f.svc.SLO(ctx, httptest.NewRequest(http.MethodGet, f.base+"/saml/slo", nil))
	refusedWith(t, err, fault.Invalid, "no saml logout request or answer")
}

func TestSAMLLogoutRequestFromTheIdPEndsThatPersonsSessionsOnly(t *testing.T) {
	f := newFixture(t, "", "")
	ctx := context.Background()
	c, other := browser(t), browser(t)
	u, from := f.samlSignIn(t, c, 0)
	v, otherFrom := f.samlSignIn(t, other, 1)
	mine, _ := f.store.CreateSessionFrom(u.ID, time.Hour, from)
	theirs, _ := f.store.CreateSessionFrom(v.ID, time.Hour, otherFrom)
	password, _ := f.store.CreateSession(u.ID, time.Hour)
	live := func(cookie string) bool { _, _, err := f.store.Session(cookie); return err == nil }

	// The IdP's own logout, begun at the IdP: it sends the archive a
	// LogoutRequest for the person, by way of the browser.
	asked := fetch(t, c, http.MethodGet, f.idp.URL+"saml2/idp/SingleLogoutService.php?ReturnTo="+url.QueryEscape(f.base+"/done"), nil).url
	if asked.Path != "/saml/slo" || asked.Query().Get("SAMLRequest") == "" {
		t.Fatalf("the IdP's logout sent the browser to %s, want /saml/slo with a SAMLRequest", asked)
	}
	_, err := f.svc.SLO(ctx, sloRequest(forged(asked)))
	refusedWith(t, err, fault.Invalid, "the identity provider's logout request does not verify")
	if !live(mine) {
		t.Fatal("a forged logout request ended the session")
	}

	to, err := f.svc.SLO(ctx, sloRequest(asked))
	if err != nil || !strings.HasPrefix(to, f.idp.URL) {
		t.Fatalf("the IdP's logout request: %q, %v; want an answer to the IdP", to, err)
	}
	if live(mine) || !live(theirs) || !live(password) {
		t.Errorf("after the IdP's logout of %s: sessions live %v (from the IdP), %v (another person), %v (password); want false true true",
			f.idp.Users[0].Name, live(mine), live(theirs), live(password))
	}
	// The IdP takes the answer and finishes at ReturnTo.
	if done := fetch(t, c, http.MethodGet, to, nil).url; done.Path != "/done" {
		t.Errorf("after the archive's answer the IdP sent the browser to %s, want /done", done)
	}
	if _, err := f.svc.SLO(ctx, sloRequest(asked)); !errors.Is(err, fault.Invalid) {
		t.Errorf("the same logout request again: %v, want it refused", err)
	}
}

func TestSignOutOffersNothingMoreWhenTheIdPHasNoSingleLogout(t *testing.T) {
	f := newFixture(t, "", "")
	_, from := f.samlSignIn(t, browser(t), 0)
	// The same IdP, its metadata without SingleLogoutService.
	md := fetch(t, http.DefaultClient, http.MethodGet, f.idp.MetadataURL, nil).body
	stripped := regexp.MustCompile(`<md:SingleLogoutService[^>]*/>`).ReplaceAll(md, nil)
	if len(stripped) == len(md) {
		t.Fatal("the IdP's metadata names no SingleLogoutService to take away")
	}
	file := filepath.Join(t.TempDir(), "idp.xml")
	if err := os.WriteFile(file, stripped, 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := LoadSPKey(t.TempDir(), f.base+"/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Config{BaseURL: f.base, SPKey: key, Store: f.store, Libraries: []Library{{ID: "psu", SAML: &SAMLSettings{IdPMetadata: file}}}})
	if err != nil {
		t.Fatal(err)
	}
	if to, err := svc.Logout(context.Background(), from); to != "" || err != nil {
		t.Errorf("without single logout at the IdP, sign-out offers %q (%v), want nothing", to, err)
	}
	if to, err := f.svc.Logout(context.Background(), nil); to != "" || err != nil {
		t.Errorf("a session from no provider is offered %q (%v), want nothing", to, err)
	}
}
