package signin

import (
	"fmt"
	"slices"
	"strings"
)

// Library is one library's sign-in settings.
type Library struct {
	ID    string // the library's identifier (cmu)
	OIDC  *OIDCSettings
	SAML  *SAMLSettings
	Roles Roles
}

// OIDCSettings are an OpenID Connect provider's.
type OIDCSettings struct {
	Issuer, ClientID, ClientSecret string
	// Scopes are asked for besides openid (default profile and email).
	Scopes []string
	// SubjectClaim, EmailClaim, NameClaim and GroupsClaim name the claims
	// read (default sub, email, name, groups).
	SubjectClaim, EmailClaim, NameClaim, GroupsClaim string
}

// SAMLSettings are a SAML identity provider's.
type SAMLSettings struct {
	// IdPMetadata is the URL (http or https) or the file of the IdP's
	// metadata.
	IdPMetadata string
}

// Roles maps affiliations and groups to roles (the access package's role
// names); a person matching none gets Default (reader when empty).
type Roles struct {
	By      map[string]string
	Default string
}

// For is the role of a person with these affiliations: the highest role
// any of them maps to. A scoped affiliation (staff@cmu.ac.th) matches by
// its part before the @.
func (r Roles) For(affiliations []string) string {
	best := r.Default
	if best == "" {
		best = "reader"
	}
	for _, a := range affiliations {
		name, _, _ := strings.Cut(a, "@")
		if role, ok := r.By[strings.ToLower(name)]; ok && rank(role) > rank(best) {
			best = role
		}
	}
	return best
}

// mappable are the roles a mapping may give, lowest first: a library
// administrator is made at the desk, never by a provider.
var mappable = []string{"reader", "archivist"}

func rank(r string) int { return slices.Index(mappable, r) }

// ParseRoles reads a mapping such as "staff=archivist,faculty=reader,*=reader"
// (* names the default).
func ParseRoles(s string) (Roles, error) {
	r := Roles{By: map[string]string{}}
	for _, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		k, role := strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || k == "" {
			return Roles{}, fmt.Errorf("%q is not affiliation=role", pair)
		}
		if rank(role) < 0 {
			return Roles{}, fmt.Errorf("%q: a provider may give only the roles reader and archivist", pair)
		}
		if k == "*" {
			r.Default = role
		} else {
			r.By[k] = role
		}
	}
	return r, nil
}

// FromSettings reads every library's sign-in from settings named
// ARCHIVE_OIDC_{LIB}_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _SCOPES (space or
// comma separated), _SUBJECT_CLAIM, _EMAIL_CLAIM, _NAME_CLAIM,
// _GROUPS_CLAIM; ARCHIVE_SAML_{LIB}_IDP_METADATA; and
// ARCHIVE_SIGNIN_{LIB}_ROLES (see ParseRoles). {LIB} is the library's
// identifier in capitals.
func FromSettings(st map[string]string) ([]Library, error) {
	libs := map[string]*Library{}
	get := func(id string) *Library {
		if libs[id] == nil {
			libs[id] = &Library{ID: id}
		}
		return libs[id]
	}
	for k, v := range st {
		if strings.TrimSpace(v) == "" {
			continue // unset, as an empty environment variable is
		}
		for _, kind := range []string{"ARCHIVE_OIDC_", "ARCHIVE_SAML_", "ARCHIVE_SIGNIN_"} {
			rest, ok := strings.CutPrefix(k, kind)
			if !ok {
				continue
			}
			lib, _, ok := strings.Cut(rest, "_")
			if !ok || lib == "" {
				return nil, fmt.Errorf("%s does not name a library (%sLIB_…)", k, kind)
			}
			get(strings.ToLower(lib))
		}
	}
	var out []Library
	for id, l := range libs {
		p := func(kind, name string) string {
			return strings.TrimSpace(st["ARCHIVE_"+kind+"_"+strings.ToUpper(id)+"_"+name])
		}
		if iss := p("OIDC", "ISSUER"); iss != "" || p("OIDC", "CLIENT_ID") != "" {
			o := &OIDCSettings{Issuer: iss, ClientID: p("OIDC", "CLIENT_ID"), ClientSecret: p("OIDC", "CLIENT_SECRET"),
				Scopes:       strings.FieldsFunc(p("OIDC", "SCOPES"), func(r rune) bool { return r == ' ' || r == ',' }),
				SubjectClaim: p("OIDC", "SUBJECT_CLAIM"), EmailClaim: p("OIDC", "EMAIL_CLAIM"),
				NameClaim: p("OIDC", "NAME_CLAIM"), GroupsClaim: p("OIDC", "GROUPS_CLAIM")}
			if o.Issuer == "" || o.ClientID == "" || o.ClientSecret == "" {
				return nil, fmt.Errorf("library %s: OpenID Connect needs ARCHIVE_OIDC_%s_ISSUER, _CLIENT_ID and _CLIENT_SECRET", id, strings.ToUpper(id))
			}
			l.OIDC = o
		}
		if md := p("SAML", "IDP_METADATA"); md != "" {
			l.SAML = &SAMLSettings{IdPMetadata: md}
		}
		if l.OIDC == nil && l.SAML == nil {
			return nil, fmt.Errorf("library %s: sign-in settings without a provider (ARCHIVE_OIDC_%s_ISSUER or ARCHIVE_SAML_%[2]s_IDP_METADATA)", id, strings.ToUpper(id))
		}
		var err error
		if l.Roles, err = ParseRoles(p("SIGNIN", "ROLES")); err != nil {
			return nil, fmt.Errorf("ARCHIVE_SIGNIN_%s_ROLES: %v", strings.ToUpper(id), err)
		}
		out = append(out, *l)
	}
	slices.SortFunc(out, func(a, b Library) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
