package signin

import (
	"context"
	"net/http"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/signin/idptest"
)

// nonce is the nonce of the sign-in under way with state.
func (f *fixture) nonce(state string) string {
	f.svc.flows.mu.Lock()
	defer f.svc.flows.mu.Unlock()
	return f.svc.flows.open[state].nonce
}

// idToken signs who in at op as client c, asking for nonce, and returns the
// ID token op issues: validly signed, but for c and by op.
func (f *fixture) idToken(t *testing.T, op *idptest.OIDC, c idptest.Client, who idptest.User, nonce string) string {
	t.Helper()
	ctx := context.Background()
	p, err := oidc.NewProvider(ctx, op.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: c.ID, ClientSecret: c.Secret, RedirectURL: c.RedirectURL, Endpoint: p.Endpoint(),
		Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
	q := f.oidcAnswer(t, browser(t), conf.AuthCodeURL("not-the-archives", oidc.Nonce(nonce)), who)
	tok, err := conf.Exchange(ctx, q.Get("code"))
	if err != nil {
		t.Fatalf("exchange the code at %s: %v", op.Issuer, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if _, err := p.Verifier(&oidc.Config{ClientID: c.ID}).Verify(ctx, raw); err != nil {
		t.Fatalf("the token to swap in does not verify for its own client: %v", err)
	}
	return raw
}

// TestOIDCRefusesAnIDTokenForAnotherClientOrFromAnotherIssuerMakingNoAccount:
// an ID token the provider signed for another of its clients, and one that
// another provider signed with the same key (as a multi-tenant provider's
// tenants share keys) for the archive's client id, both carrying the
// sign-in's own nonce, are swapped for the archive's on the way back from
// the token endpoint; each is refused saying why, and no account is made.
func TestOIDCRefusesAnIDTokenForAnotherClientOrFromAnotherIssuerMakingNoAccount(t *testing.T) {
	f := newFixture(t, "", "")
	ctx := context.Background()
	who := f.op.Users[0]
	o := f.svc.libs["cmu"].oidc
	elsewhere := idptest.StartOIDC(t, idptest.Client{ID: "archive", Secret: "archive-secret", RedirectURL: f.base + "/login/callback"},
		idptest.WithSigningKey(f.op.Key))
	for _, c := range []struct {
		name   string
		op     *idptest.OIDC
		client idptest.Client
		why    string
	}{
		{"another client", f.op, f.op.Others[0], `the id token does not verify: oidc: expected audience "archive" got ["another-archive"]`},
		{"another issuer", elsewhere, elsewhere.Client, "the id token does not verify: oidc: id token issued by a different provider, expected " + `"` + f.op.Issuer + `" got "` + elsewhere.Issuer + `"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			start, state, err := f.svc.Begin(ctx, "cmu", "")
			if err != nil {
				t.Fatal(err)
			}
			swapped := f.idToken(t, c.op, c.client, who, f.nonce(state))
			o.client = &http.Client{Transport: tamperTokens{http.DefaultTransport, func(string) string { return swapped }}}
			defer func() { o.client = http.DefaultClient }()
			_, _, err = f.svc.Callback(ctx, f.oidcAnswer(t, browser(t), start, who), state)
			refusedWith(t, err, fault.Unauthenticated, c.why)
		})
	}
	if n := users(t, f); n != 0 {
		t.Errorf("%d accounts after refused tokens, want none", n)
	}
	// The archive's own token still signs the person in.
	start, state, _ := f.svc.Begin(ctx, "cmu", "")
	if _, _, err := f.svc.Callback(ctx, f.oidcAnswer(t, browser(t), start, who), state); err != nil {
		t.Fatalf("the untouched token was refused: %v", err)
	}
}
