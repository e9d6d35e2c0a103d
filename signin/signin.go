// Package signin signs people in with their university's identity
// provider: OpenID Connect (the authorization code flow with PKCE, state and
// nonce, the ID token verified against the provider's keys) or SAML 2.0
// (signed assertions, one service provider for every library). Each library
// has at most one provider of each kind. A verified answer becomes an
// Identity, and the Identity an account of that library: found by the
// provider's subject identifier, or made with the role the library's
// mapping gives. The HTTP redirects stay in the web package.
package signin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// Identity is a person a library's provider vouched for.
type Identity struct {
	Library  string // the library whose provider it is
	Provider string // "oidc" or "saml"
	// Subject is the provider's lasting identifier of the person.
	Subject string
	Email   string
	Name    string
	// Affiliations are eduPersonScopedAffiliation and isMemberOf values
	// (SAML) or group claims (OpenID Connect), matched by the library's
	// role mapping.
	Affiliations []string
}

// Store is what the service needs of the metadata store.
type Store interface {
	User(id string) (*repository.User, error)
	UserBySignIn(l repository.SignInLink) (*repository.User, error)
	Institution(id string) (*repository.Institution, error)
	SaveUser(ctx context.Context, u *repository.User, agent string, events ...repository.Event) error
	// EndProviderSessions ends the sessions that came from library's
	// provider session of nameID (with indexes, only those so named).
	EndProviderSessions(library, provider, nameID string, indexes []string) (int, error)
}

// Config is what New builds the service from.
type Config struct {
	// BaseURL is the archive's public address: the OpenID Connect redirect
	// URI is BaseURL/login/callback, the SAML metadata, assertion consumer
	// and single logout service are BaseURL/saml/metadata, BaseURL/saml/acs
	// and BaseURL/saml/slo.
	BaseURL string
	// Libraries are the libraries whose people sign in here.
	Libraries []Library
	// SPKey is the SAML service provider's key and certificate (see
	// LoadSPKey); needed when a library has a SAML provider.
	SPKey *SPKey
	Store Store
	// Client fetches discovery documents, keys, metadata and tokens (nil:
	// a client with a 15 s timeout).
	Client *http.Client
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Service is the university sign-in of every configured library.
type Service struct {
	cfg   Config
	libs  map[string]*library
	flows *flows
	sp    *spBase
}

type library struct {
	Library
	oidc *oidcProvider
	saml *samlProvider
}

// New builds the service; providers are asked for their discovery document
// or metadata at the first sign-in, so a provider that is down does not
// keep the archive from starting.
func New(cfg Config) (*Service, error) {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{cfg: cfg, libs: map[string]*library{}, flows: newFlows(cfg.Now)}
	for _, l := range cfg.Libraries {
		if _, dup := s.libs[l.ID]; dup {
			return nil, fmt.Errorf("library %s is configured twice for sign-in", l.ID)
		}
		lib := &library{Library: l}
		if l.OIDC != nil {
			lib.oidc = &oidcProvider{lib: l.ID, set: *l.OIDC, redirect: cfg.BaseURL + "/login/callback", client: cfg.Client, now: cfg.Now}
		}
		if l.SAML != nil {
			if cfg.SPKey == nil {
				return nil, fmt.Errorf("library %s signs in with SAML, but there is no service provider key", l.ID)
			}
			if s.sp == nil {
				s.sp = newSPBase(cfg.BaseURL, cfg.SPKey, s.flows, cfg.Now)
			}
			lib.saml = &samlProvider{lib: l.ID, source: l.SAML.IdPMetadata, sp: s.sp, client: cfg.Client}
		}
		s.libs[l.ID] = lib
	}
	return s, nil
}

// Libraries are the libraries whose people may sign in here, sorted.
func (s *Service) Libraries() []string {
	var ids []string
	for id := range s.libs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// HasSAML says whether some library signs in with SAML (and so whether the
// service provider's metadata is served).
func (s *Service) HasSAML() bool { return s.sp != nil }

// refused is a sign-in the archive does not accept: signing in again helps.
func refused(library, why string, err error) error {
	if err != nil {
		why += ": " + err.Error()
	}
	return fault.E("university sign-in", fault.Unauthenticated, library, errors.New(why))
}
