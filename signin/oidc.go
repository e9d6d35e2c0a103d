package signin

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/thaiarchives/archive/fault"
)

// oidcProvider is a library's OpenID Connect provider, discovered from its
// issuer at the first sign-in.
type oidcProvider struct {
	lib      string
	set      OIDCSettings
	redirect string
	client   *http.Client
	now      func() time.Time

	mu       sync.Mutex
	provider *oidc.Provider
}

func (o *oidcProvider) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, o.client), o.set.Issuer)
	if err != nil {
		return nil, fault.E("university sign-in", fault.Unavailable, o.lib, fmt.Errorf("the identity provider %s does not answer discovery: %v", o.set.Issuer, err))
	}
	o.provider = p
	return p, nil
}

func (o *oidcProvider) config(p *oidc.Provider) oauth2.Config {
	scopes := o.set.Scopes
	if len(scopes) == 0 {
		scopes = []string{"profile", "email"}
	}
	return oauth2.Config{ClientID: o.set.ClientID, ClientSecret: o.set.ClientSecret, RedirectURL: o.redirect,
		Endpoint: p.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID}, scopes...)}
}

// begin returns the provider's authorization URL for a new flow.
func (o *oidcProvider) begin(ctx context.Context, fs *flows, f flow) (string, string, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return "", "", err
	}
	f.provider, f.nonce, f.verifier = "oidc", random(), oauth2.GenerateVerifier()
	state, err := fs.begin(f)
	if err != nil {
		return "", "", err
	}
	conf := o.config(p)
	return conf.AuthCodeURL(state, oidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier)), state, nil
}

// finish exchanges the code for tokens and verifies the ID token: its
// signature by the provider's keys, issuer, audience, expiry and the
// flow's nonce. Claims the ID token lacks are asked of the userinfo
// endpoint.
func (o *oidcProvider) finish(ctx context.Context, f flow, code string) (Identity, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	conf := o.config(p)
	ctx = oidc.ClientContext(ctx, o.client)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		return Identity{}, refused(o.lib, "the identity provider did not accept the sign-in code", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, refused(o.lib, "the identity provider sent no id token", nil)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: o.set.ClientID, Now: o.now}).Verify(ctx, raw)
	if err != nil {
		return Identity{}, refused(o.lib, "the id token does not verify", err)
	}
	if idt.Nonce != f.nonce {
		return Identity{}, refused(o.lib, "the id token's nonce is not this sign-in's", nil)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, refused(o.lib, "the id token's claims cannot be read", err)
	}
	if err := o.userInfo(ctx, p, tok, claims); err != nil {
		return Identity{}, err
	}
	id := o.identity(claims)
	if id.Subject == "" {
		return Identity{}, refused(o.lib, "the id token names no subject", nil)
	}
	return id, nil
}

// names are the claims read: subject, e-mail address, name, groups.
func (o *oidcProvider) names() (sub, email, name, groups string) {
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	return or(o.set.SubjectClaim, "sub"), or(o.set.EmailClaim, "email"), or(o.set.NameClaim, "name"), or(o.set.GroupsClaim, "groups")
}

// userInfo adds to claims those of the e-mail address, name and groups
// that the ID token lacks and the provider's userinfo endpoint gives, as
// many providers (LemonLDAP::NG, Keycloak by default) put them only there.
// The answer must be about the ID token's subject (OpenID Connect Core
// 5.3.2).
func (o *oidcProvider) userInfo(ctx context.Context, p *oidc.Provider, tok *oauth2.Token, claims map[string]any) error {
	_, email, name, groups := o.names()
	var missing []string
	for _, c := range []string{email, name, groups} {
		if _, ok := claims[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 || p.UserInfoEndpoint() == "" || tok.AccessToken == "" {
		return nil
	}
	ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return fault.E("university sign-in", fault.Unavailable, o.lib, fmt.Errorf("the identity provider's userinfo endpoint does not answer: %v", err))
	}
	var more map[string]any
	if err := ui.Claims(&more); err != nil {
		return refused(o.lib, "the userinfo answer cannot be read", err)
	}
	if sub, _ := claims["sub"].(string); ui.Subject != sub {
		return refused(o.lib, "the userinfo answer is about another person than the id token", nil)
	}
	for _, c := range missing {
		if v, ok := more[c]; ok {
			claims[c] = v
		}
	}
	return nil
}

// identity is the person the claims name.
func (o *oidcProvider) identity(claims map[string]any) Identity {
	sub, email, name, groups := o.names()
	claim := func(k string) string {
		v, _ := claims[k].(string)
		return strings.TrimSpace(v)
	}
	id := Identity{Library: o.lib, Provider: "oidc", Subject: claim(sub), Email: claim(email), Name: claim(name)}
	switch g := claims[groups].(type) {
	case string:
		id.Affiliations = []string{g}
	case []any:
		for _, v := range g {
			if s, ok := v.(string); ok {
				id.Affiliations = append(id.Affiliations, s)
			}
		}
	}
	return id
}

// logoutURL is the provider's end-session endpoint, if it has one.
func (o *oidcProvider) logoutURL(ctx context.Context) string {
	p, err := o.discover(ctx)
	if err != nil {
		return ""
	}
	var d struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if p.Claims(&d) != nil {
		return ""
	}
	return d.EndSession
}
