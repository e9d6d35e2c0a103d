package signin

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// The eduPerson and inetOrgPerson attributes read from an assertion, by the
// OID names of the SAML2 interoperability profile and by their short names.
var samlAttrs = map[string][]string{
	"principal":   {"urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "eduPersonPrincipalName"},
	"affiliation": {"urn:oid:1.3.6.1.4.1.5923.1.1.1.9", "eduPersonScopedAffiliation"},
	"groups":      {"urn:oid:1.3.6.1.4.1.5923.1.5.1.1", "isMemberOf"},
	"mail":        {"urn:oid:0.9.2342.19200300.100.1.3", "mail"},
	"name":        {"urn:oid:2.16.840.1.113730.3.1.241", "displayName"},
}

// spBase is the archive's one SAML service provider: every library's IdP
// sends its answers to the same assertion consumer.
type spBase struct {
	entityID, acs, slo string
	key                *SPKey
	flows              *flows
	now                func() time.Time
}

func newSPBase(base string, key *SPKey, fs *flows, now func() time.Time) *spBase {
	return &spBase{entityID: base + "/saml/metadata", acs: base + "/saml/acs", slo: base + "/saml/slo", key: key, flows: fs, now: now}
}

// provider is the service provider as a library's IdP knows it.
func (b *spBase) provider(idp *saml.EntityDescriptor) *saml.ServiceProvider {
	md, _ := url.Parse(b.entityID)
	acs, _ := url.Parse(b.acs)
	slo, _ := url.Parse(b.slo)
	return &saml.ServiceProvider{EntityID: b.entityID, Key: b.key.Key, Certificate: b.key.Cert,
		MetadataURL: *md, AcsURL: *acs, SloURL: *slo, IDPMetadata: idp, ReplayCache: b.flows,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		// Single logout by the redirect binding, each message signed (SAML
		// profiles 4.4.4.1: the requester must authenticate itself).
		LogoutBindings:        []string{saml.HTTPRedirectBinding},
		LogoutSignatureMethod: dsig.RSASHA256SignatureMethod,
		// Built for each request: its clock is the service's at that moment.
		Clock: dsig.NewFakeClockAt(b.now())}
}

// Metadata is the service provider's metadata, for the libraries' IdPs.
func (s *Service) Metadata() ([]byte, error) {
	if s.sp == nil {
		return nil, fault.E("saml metadata", fault.NotFound, "", errors.New("no library signs in with SAML"))
	}
	return xml.MarshalIndent(s.sp.provider(nil).Metadata(), "", "  ")
}

// samlProvider is a library's SAML IdP, its metadata read at the first
// sign-in.
type samlProvider struct {
	lib, source string
	sp          *spBase
	client      *http.Client

	mu  sync.Mutex
	idp *saml.EntityDescriptor
}

func (p *samlProvider) serviceProvider(ctx context.Context) (*saml.ServiceProvider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.idp == nil {
		md, err := p.readMetadata(ctx)
		if err != nil {
			return nil, fault.E("university sign-in", fault.Unavailable, p.lib, fmt.Errorf("the identity provider's metadata cannot be read: %v", err))
		}
		p.idp = md
	}
	return p.sp.provider(p.idp), nil
}

func (p *samlProvider) readMetadata(ctx context.Context) (*saml.EntityDescriptor, error) {
	if strings.HasPrefix(p.source, "https://") || strings.HasPrefix(p.source, "http://") {
		u, err := url.Parse(p.source)
		if err != nil {
			return nil, err
		}
		return samlsp.FetchMetadata(ctx, p.client, *u)
	}
	b, err := os.ReadFile(p.source)
	if err != nil {
		return nil, errors.New("the metadata file cannot be read") // the path stays in the settings
	}
	return samlsp.ParseMetadata(b)
}

func (p *samlProvider) begin(ctx context.Context, fs *flows, f flow) (string, string, error) {
	sp, err := p.serviceProvider(ctx)
	if err != nil {
		return "", "", err
	}
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return "", "", fault.E("university sign-in", fault.Unavailable, p.lib, err)
	}
	f.provider, f.requestID = "saml", req.ID
	state, err := fs.begin(f)
	if err != nil {
		return "", "", err
	}
	u, err := req.Redirect(state, sp)
	if err != nil {
		return "", "", fault.E("university sign-in", fault.Other, p.lib, err)
	}
	return u.String(), state, nil
}

// finish verifies the posted response: the IdP's signature on the
// assertion, its audience, times and destination, that it answers this
// flow's request, and that its ID was not taken before.
func (p *samlProvider) finish(ctx context.Context, f flow, r *http.Request) (Identity, *repository.ProviderSession, error) {
	sp, err := p.serviceProvider(ctx)
	if err != nil {
		return Identity{}, nil, err
	}
	if unsignedAssertion(r) {
		return Identity{}, nil, refused(p.lib, "the saml assertion is not signed", nil)
	}
	a, err := sp.ParseResponse(r, []string{f.requestID})
	if err != nil {
		return Identity{}, nil, refused(p.lib, "the saml response does not verify", private(err))
	}
	if a.Signature == nil {
		return Identity{}, nil, refused(p.lib, "the saml assertion is not signed", nil)
	}
	id, err := p.identity(a)
	return id, p.session(a), err
}

// private is the reason crewjam/saml keeps inside an invalid response
// error, which says which check failed.
func private(err error) error {
	if ire := (*saml.InvalidResponseError)(nil); errors.As(err, &ire) && ire.PrivateErr != nil {
		return ire.PrivateErr
	}
	return err
}

// identity is the person a verified assertion names.
func (p *samlProvider) identity(a *saml.Assertion) (Identity, error) {
	id := Identity{Library: p.lib, Provider: "saml"}
	values := func(key string) []string {
		for _, st := range a.AttributeStatements {
			for _, at := range st.Attributes {
				for _, name := range samlAttrs[key] {
					if at.Name == name || at.FriendlyName == name {
						var out []string
						for _, v := range at.Values {
							out = append(out, strings.TrimSpace(v.Value))
						}
						return out
					}
				}
			}
		}
		return nil
	}
	first := func(key string) string {
		if v := values(key); len(v) > 0 {
			return v[0]
		}
		return ""
	}
	id.Subject, id.Email, id.Name = first("principal"), first("mail"), first("name")
	id.Affiliations = append(values("affiliation"), values("groups")...)
	if id.Subject == "" && a.Subject != nil && a.Subject.NameID != nil && a.Subject.NameID.Format == string(saml.PersistentNameIDFormat) {
		id.Subject = a.Subject.NameID.Value
	}
	if id.Subject == "" {
		return Identity{}, refused(p.lib, "the saml assertion names no eduPersonPrincipalName or persistent name id", nil)
	}
	return id, nil
}

// unsignedAssertion says whether the posted response holds an assertion
// without a signature of its own. The archive requires the IdP's signature
// on the assertion itself, where crewjam/saml takes an unsigned one inside
// a signed response, and names no reason when neither is signed. An
// encrypted assertion is checked once decrypted (finish); a response that
// does not parse is left to ParseResponse to refuse.
func unsignedAssertion(r *http.Request) bool {
	b, err := base64.StdEncoding.DecodeString(r.PostForm.Get("SAMLResponse"))
	doc := etree.NewDocument()
	if err != nil || doc.ReadFromBytes(b) != nil || doc.Root() == nil {
		return false
	}
	for _, a := range doc.Root().ChildElements() {
		if a.Tag != "Assertion" || a.NamespaceURI() != "urn:oasis:names:tc:SAML:2.0:assertion" {
			continue
		}
		signed := false
		for _, c := range a.ChildElements() {
			signed = signed || c.Tag == "Signature" && c.NamespaceURI() == dsig.Namespace
		}
		if !signed {
			return true
		}
	}
	return false
}

// stateOf is the RelayState of a posted SAML response.
func stateOf(r *http.Request) string {
	if err := r.ParseForm(); err != nil {
		return ""
	}
	return r.PostForm.Get("RelayState")
}
