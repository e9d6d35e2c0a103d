package idptest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/thaiarchives/archive/signin/idptest"
)

// relyingParty starts a provider whose client redirects to a local
// callback that answers 200, so that the code arrives in the last URL.
func relyingParty(t *testing.T, requirePKCE bool) (*idptest.OIDC, *oidc.Provider, oauth2.Config) {
	t.Helper()
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	t.Cleanup(cb.Close)
	began := time.Now()
	op := idptest.StartOIDC(t, idptest.Client{ID: "archive", Secret: "archive-secret", RedirectURL: cb.URL + "/callback", RequirePKCE: requirePKCE})
	t.Logf("LemonLDAP::NG answered after %v", time.Since(began))
	provider, err := oidc.NewProvider(context.Background(), op.Issuer)
	if err != nil {
		t.Fatalf("discovery at %s: %v", op.Issuer, err)
	}
	return op, provider, oauth2.Config{
		ClientID:     op.Client.ID,
		ClientSecret: op.Client.Secret,
		RedirectURL:  op.Client.RedirectURL,
		Endpoint:     provider.Endpoint(),
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
	}
}

// signIn runs the browser's part of the code flow at the provider's own
// login form and returns the callback's query.
func signIn(t *testing.T, conf oauth2.Config, user idptest.User, opts ...oauth2.AuthCodeOption) url.Values {
	t.Helper()
	client := browser(t)
	page := get(t, client, conf.AuthCodeURL("state-1", opts...))
	action, fields := form(t, page)
	if !fields.Has("user") || !fields.Has("password") {
		t.Fatalf("the provider's first page has no login form: %v", fields)
	}
	fields.Set("user", user.Name)
	fields.Set("password", user.Password)
	page = post(t, client, resolve(t, page.url, action), fields)
	if page.url.Path != "/callback" {
		t.Fatalf("after sign-in the browser is at %s, not the callback: %.500s", page.url, page.body)
	}
	return page.url.Query()
}

func TestOIDCCodeFlowWithPKCEGivesAVerifiedIDToken(t *testing.T) {
	op, provider, conf := relyingParty(t, false)
	var disc struct {
		Methods []string `json:"code_challenge_methods_supported"`
	}
	if err := provider.Claims(&disc); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(disc.Methods, "S256") {
		t.Errorf("discovery's code_challenge_methods_supported = %q, want S256 among them", disc.Methods)
	}
	verifier := oauth2.GenerateVerifier()
	nonce := "nonce-" + oauth2.GenerateVerifier()[:16]
	user := op.Users[0]
	q := signIn(t, conf, user, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	if q.Get("state") != "state-1" {
		t.Errorf("state = %q, want state-1", q.Get("state"))
	}
	ctx := context.Background()
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange the code: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: conf.ClientID}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("the ID token does not verify: %v", err)
	}
	if idt.Issuer != op.Issuer || !slices.Contains(idt.Audience, conf.ClientID) || idt.Nonce != nonce {
		t.Errorf("id token iss %q aud %q nonce %q, want %q, %q, %q", idt.Issuer, idt.Audience, idt.Nonce, op.Issuer, conf.ClientID, nonce)
	}
	var claims struct {
		Email    string `json:"email"`
		Name     string `json:"name"`
		Username string `json:"preferred_username"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if claims.Email != user.Mail || claims.Name != user.DisplayName || claims.Username != user.Principal {
		t.Errorf("claims %+v, want email %q, name %q, preferred_username %q", claims, user.Mail, user.DisplayName, user.Principal)
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: "someone-else"}).Verify(ctx, raw); err == nil {
		t.Error("the ID token verified for another client's audience")
	}
}

func TestOIDCWithPKCERequiredRefusesACodeWithTheWrongVerifier(t *testing.T) {
	op, _, conf := relyingParty(t, true)
	verifier := oauth2.GenerateVerifier()
	q := signIn(t, conf, op.Users[1], oauth2.S256ChallengeOption(verifier))
	if _, err := conf.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Fatal("the provider exchanged a code for a verifier that does not match its challenge")
	}
	q = signIn(t, conf, op.Users[1], oauth2.S256ChallengeOption(verifier))
	if _, err := conf.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Fatalf("the right verifier was refused: %v", err)
	}
}
