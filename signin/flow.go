package signin

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// Begin starts a sign-in with library's provider (OpenID Connect when it
// has both) and returns where to send the browser and the flow's state,
// which the browser must bring back (web keeps it in a short-lived
// cookie). next is where to go once signed in.
func (s *Service) Begin(ctx context.Context, library, next string) (redirect, state string, err error) {
	return s.begin(ctx, flow{library: library, next: next})
}

// BeginLink starts a sign-in that links the account of u, who is signed
// in, to the person the library's provider vouches for: from then on that
// person signs in as u. Only the library's own people link to its provider.
func (s *Service) BeginLink(ctx context.Context, library string, u *repository.User, next string) (redirect, state string, err error) {
	if u.Institution != library {
		return "", "", fault.E("university sign-in", fault.Forbidden, library, errors.New("only an account of this library can be linked to its university accounts"))
	}
	return s.begin(ctx, flow{library: library, next: next, link: u.ID})
}

func (s *Service) begin(ctx context.Context, f flow) (string, string, error) {
	l := s.libs[f.library]
	switch {
	case l == nil:
		return "", "", fault.E("university sign-in", fault.NotFound, f.library, errors.New("this library has no sign-in with a university account"))
	case l.oidc != nil:
		return l.oidc.begin(ctx, s.flows, f)
	default:
		return l.saml.begin(ctx, s.flows, f)
	}
}

// Callback finishes an OpenID Connect sign-in from the provider's redirect
// (its query) and returns the account and where to go next. browserState
// is the state the browser kept when it began; an answer for another
// browser, an unknown, expired or used state, an error from the provider or
// a token that does not verify is refused and makes no account.
func (s *Service) Callback(ctx context.Context, query map[string][]string, browserState string) (*repository.User, Landing, error) {
	get := func(k string) string {
		if v := query[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	f, err := s.take(get("state"), browserState, "oidc")
	if err != nil {
		return nil, Landing{}, err
	}
	if e := get("error"); e != "" {
		return nil, Landing{}, refused(f.library, "the identity provider refused the sign-in ("+trim(e)+")", nil)
	}
	id, err := s.libs[f.library].oidc.finish(ctx, f, get("code"))
	if err != nil {
		return nil, Landing{}, err
	}
	u, err := s.account(ctx, id, f.link)
	return u, Landing{Next: f.next}, err
}

// ACS finishes a SAML sign-in from the response the IdP had the browser
// post, as Callback does. The landing names the IdP's session, which the
// archive's session keeps for single logout.
func (s *Service) ACS(ctx context.Context, r *http.Request, browserState string) (*repository.User, Landing, error) {
	f, err := s.take(stateOf(r), browserState, "saml")
	if err != nil {
		return nil, Landing{}, err
	}
	id, from, err := s.libs[f.library].saml.finish(ctx, f, r)
	if err != nil {
		return nil, Landing{}, err
	}
	u, err := s.account(ctx, id, f.link)
	return u, Landing{Next: f.next, From: from}, err
}

// Landing is where a finished sign-in goes, and the provider's session it
// came from.
type Landing struct {
	// Next is where to go once signed in ("" for the home page).
	Next string
	// From is the provider's session the archive's session is to keep,
	// for the provider's single logout (nil: none).
	From *repository.ProviderSession
}

// take takes the flow of state, once, when the browser that began it
// brings it back.
func (s *Service) take(state, browserState, provider string) (flow, error) {
	if state == "" {
		return flow{}, refused("", "the answer carries no sign-in state", nil)
	}
	if subtle.ConstantTimeCompare([]byte(state), []byte(browserState)) != 1 {
		return flow{}, refused("", "the answer's state is not the sign-in this browser began", nil)
	}
	f, ok := s.flows.take(state)
	if !ok || f.provider != provider || s.libs[f.library] == nil {
		return flow{}, refused("", "the sign-in is unknown, expired or already used; please sign in again", nil)
	}
	return f, nil
}

// LogoutURL is where library's provider ends its own session, if it says
// (OpenID Connect's end_session_endpoint); "" otherwise.
func (s *Service) LogoutURL(ctx context.Context, library string) string {
	if l := s.libs[library]; l != nil && l.oidc != nil {
		return l.oidc.logoutURL(ctx)
	}
	return ""
}

func trim(s string) string {
	if len(s) > 80 {
		s = s[:80]
	}
	return fmt.Sprintf("%q", s)
}
