package signin

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// SAML single logout (SAML profiles 4.4). Signing out of a session that
// came from a SAML sign-in offers a signed LogoutRequest to the IdP, naming
// the person and the session the assertion named; the IdP answers at
// /saml/slo with a LogoutResponse, which must verify and answer that
// request. An IdP may also send a LogoutRequest of its own there: the
// person's archive sessions from that IdP end, and it is answered.

// session is the IdP's session an assertion names, for single logout; nil
// when it names none the archive can keep.
func (p *samlProvider) session(a *saml.Assertion) *repository.ProviderSession {
	if a.Subject == nil || a.Subject.NameID == nil || a.Subject.NameID.Value == "" {
		return nil
	}
	n := a.Subject.NameID
	ps := &repository.ProviderSession{Library: p.lib, Provider: "saml", NameID: n.Value, NameIDFormat: n.Format,
		NameQualifier: n.NameQualifier, SPNameQualifier: n.SPNameQualifier}
	if len(a.AuthnStatements) > 0 {
		ps.SessionIndex = a.AuthnStatements[0].SessionIndex
	}
	for _, v := range []string{ps.NameID, ps.NameIDFormat, ps.NameQualifier, ps.SPNameQualifier, ps.SessionIndex} {
		if len(v) > repository.MaxProviderField {
			return nil
		}
	}
	return ps
}

// Logout is where the browser of a person who signed out of a session that
// came from from may end their session at the provider: a signed SAML
// LogoutRequest to the IdP's single logout service, or "" when the IdP has
// none (or from is no SAML session). The request is kept on the server for
// ten minutes, so that the IdP's answer is taken once.
func (s *Service) Logout(ctx context.Context, from *repository.ProviderSession) (string, error) {
	if from == nil || from.Provider != "saml" || s.libs[from.Library] == nil || s.libs[from.Library].saml == nil {
		return "", nil
	}
	p := s.libs[from.Library].saml
	sp, err := p.serviceProvider(ctx)
	if err != nil {
		return "", err
	}
	to := sp.GetSLOBindingLocation(saml.HTTPRedirectBinding)
	if to == "" {
		return "", nil
	}
	req, err := sp.MakeLogoutRequest(to, from.NameID, saml.WithSessionIndex(from.SessionIndex), func(r *saml.LogoutRequest) {
		// The NameID exactly as the assertion gave it (SAML core 3.7.1).
		r.NameID.Format, r.NameID.NameQualifier, r.NameID.SPNameQualifier = from.NameIDFormat, from.NameQualifier, from.SPNameQualifier
	})
	if err != nil {
		return "", fault.E("university sign-out", fault.Other, from.Library, err)
	}
	state, err := s.flows.begin(flow{library: from.Library, provider: "saml-logout", requestID: req.ID})
	if err != nil {
		return "", err
	}
	u, err := sp.RedirectLogoutRequestURL(req, state)
	if err != nil {
		return "", fault.E("university sign-out", fault.Other, from.Library, err)
	}
	return u.String(), nil
}

// SLO takes what an IdP sent the browser to the single logout service
// with. A LogoutResponse must verify (the IdP's signature, destination,
// issuer, success) and answer a LogoutRequest the archive sent and has not
// had answered: SLO then returns "". A LogoutRequest must verify too: the
// sessions of the person it names from that IdP end, and SLO returns where
// to send the browser with the signed answer. Anything else is refused
// (invalid), and nothing ends.
func (s *Service) SLO(ctx context.Context, r *http.Request) (string, error) {
	q := r.URL.Query()
	switch {
	case q.Get("SAMLResponse") != "":
		return "", s.logoutAnswered(ctx, r, q.Get("RelayState"))
	case q.Get("SAMLRequest") != "":
		return s.logoutAsked(ctx, r, q.Get("RelayState"))
	}
	return "", logoutRefused("", "no saml logout request or answer was sent", nil)
}

func (s *Service) logoutAnswered(ctx context.Context, r *http.Request, state string) error {
	unsolicited := logoutRefused("", "the logout answer is for no sign-out under way here (unknown, expired or already used)", nil)
	// Taken once verified: a forged answer does not use up the real one.
	f, ok := s.flows.peek(state)
	if !ok || f.provider != "saml-logout" || s.libs[f.library] == nil {
		return unsolicited
	}
	sp, err := s.libs[f.library].saml.serviceProvider(ctx)
	if err != nil {
		return err
	}
	if _, err := sp.ParseLogoutResponse(r, []string{f.requestID}); err != nil {
		return logoutRefused(f.library, "the identity provider's logout answer does not verify", private(err))
	}
	if _, ok := s.flows.take(state); !ok {
		return unsolicited
	}
	return nil
}

func (s *Service) logoutAsked(ctx context.Context, r *http.Request, relayState string) (string, error) {
	issuer := logoutIssuer(r.URL.Query().Get("SAMLRequest"))
	for _, id := range s.Libraries() {
		p := s.libs[id].saml
		if p == nil {
			continue
		}
		sp, err := p.serviceProvider(ctx)
		if err != nil {
			return "", err
		}
		if sp.IDPMetadata.EntityID != issuer {
			continue
		}
		req, err := sp.ValidateLogoutRequest(r)
		if err != nil {
			return "", logoutRefused(id, "the identity provider's logout request does not verify", private(err))
		}
		if req.NameID == nil || req.NameID.Value == "" {
			return "", logoutRefused(id, "the identity provider's logout request names no one", nil)
		}
		var indexes []string
		for _, i := range req.AllSessionIndexes() {
			indexes = append(indexes, i.Value)
		}
		// Every library whose IdP this is: one IdP may serve several.
		for _, lib := range s.Libraries() {
			if l := s.libs[lib].saml; l != nil && l.entityID(ctx) == issuer {
				if _, err := s.cfg.Store.EndProviderSessions(lib, "saml", req.NameID.Value, indexes); err != nil {
					return "", err
				}
			}
		}
		u, err := sp.MakeRedirectLogoutResponse(req.ID, relayState)
		if err != nil {
			return "", fault.E("university sign-out", fault.Other, id, err)
		}
		return u.String(), nil
	}
	return "", logoutRefused("", "the logout request is from no identity provider of a library here", nil)
}

// entityID is the IdP's entity ID, "" when its metadata cannot be read.
func (p *samlProvider) entityID(ctx context.Context) string {
	sp, err := p.serviceProvider(ctx)
	if err != nil {
		return ""
	}
	return sp.IDPMetadata.EntityID
}

// maxLogoutMessage bounds a redirect-bound message once inflated.
const maxLogoutMessage = 256 << 10

// logoutIssuer is the Issuer a redirect-bound LogoutRequest names, read
// before it is verified only to know which IdP's keys verify it; "" when
// it cannot be read.
func logoutIssuer(encoded string) string {
	b, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return ""
	}
	xml, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(b)), maxLogoutMessage))
	doc := etree.NewDocument()
	if err != nil || doc.ReadFromBytes(xml) != nil || doc.Root() == nil {
		return ""
	}
	for _, c := range doc.Root().ChildElements() {
		if c.Tag == "Issuer" && c.NamespaceURI() == "urn:oasis:names:tc:SAML:2.0:assertion" {
			return c.Text()
		}
	}
	return ""
}

// logoutRefused is a logout message the archive does not take.
func logoutRefused(library, why string, err error) error {
	if err != nil {
		why += ": " + err.Error()
	}
	return fault.E("university sign-out", fault.Invalid, library, errors.New(why))
}
