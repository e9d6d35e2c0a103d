package signin

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/signin/idptest"
)

// TestSAMLSignInTakesTheLibrarysStoredRolesOverTheSetting: once psu's
// administrator keeps a mapping on the library's record, a person's first
// sign-in is given the role it says, not the one of the operator's setting.
func TestSAMLSignInTakesTheLibrarysStoredRolesOverTheSetting(t *testing.T) {
	f := newFixture(t, "", "faculty=archivist,student=reader")
	ctx := context.Background()
	in, err := f.store.Institution("psu")
	if err != nil {
		t.Fatal(err)
	}
	in.SignInRoles = "faculty=reader,student=archivist,*=reader"
	if err := f.store.SaveInstitution(ctx, in); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		n    int
		role string
	}{{0, "reader"}, {1, "archivist"}} {
		who := f.idp.Users[c.n]
		start, state, err := f.svc.Begin(ctx, "psu", "/")
		if err != nil {
			t.Fatal(err)
		}
		u, _, err := f.svc.ACS(ctx, f.acsRequest(f.samlAnswer(t, browser(t), start, who)), state)
		if err != nil {
			t.Fatalf("%s's sign-in: %v", who.Name, err)
		}
		if u.Role != c.role {
			t.Errorf("%s (%v) is given %s, want %s as the library's mapping says", who.Name, who.Affiliations, u.Role, c.role)
		}
	}
}

// TestOIDCSignInMapsAGroupClaimToARole: with the scope groups asked for
// (ARCHIVE_OIDC_CMU_SCOPES), LemonLDAP::NG puts the person's groups in the
// ID token's groups claim, and the library's mapping gives dwho, a
// timelord, archivist and rtyler, in no mapped group, the default reader.
func TestOIDCSignInMapsAGroupClaimToARole(t *testing.T) {
	f := newFixture(t, "timelords=archivist", "")
	f.svc.libs["cmu"].oidc.set.Scopes = []string{"profile", "email", "groups"}
	ctx := context.Background()
	for _, c := range []struct {
		n    int
		role string
	}{{0, "archivist"}, {1, "reader"}} {
		who := f.op.Users[c.n]
		start, state, err := f.svc.Begin(ctx, "cmu", "/")
		if err != nil {
			t.Fatal(err)
		}
		u, _, err := f.svc.Callback(ctx, f.oidcAnswer(t, browser(t), start, who), state)
		if err != nil {
			t.Fatalf("%s's sign-in: %v", who.Name, err)
		}
		if u.Role != c.role {
			t.Errorf("%s (groups %v) is given %s, want %s", who.Name, who.Groups, u.Role, c.role)
		}
	}
}

// TestOIDCSignInReadsTheGroupsAndAddressFromUserInfoWhenTheIDTokenLacksThem:
// a provider that, as LemonLDAP::NG and Keycloak do by default, gives the
// e-mail address, name and groups only at its userinfo endpoint still
// makes dwho, a timelord, an archivist of cmu with his address and name.
func TestOIDCSignInReadsTheGroupsAndAddressFromUserInfoWhenTheIDTokenLacksThem(t *testing.T) {
	f := newFixture(t, "", "")
	op := idptest.StartOIDC(t, idptest.Client{ID: "archive", Secret: "archive-secret", RedirectURL: f.base + "/login/callback", ClaimsInUserInfoOnly: true})
	svc, err := New(Config{BaseURL: f.base, Store: f.store, Libraries: []Library{{ID: "cmu", Roles: mustRoles(t, "timelords=archivist"),
		OIDC: &OIDCSettings{Issuer: op.Issuer, ClientID: "archive", ClientSecret: "archive-secret", Scopes: []string{"profile", "email", "groups"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	who := op.Users[0]
	start, state, err := svc.Begin(ctx, "cmu", "/")
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := svc.Callback(ctx, f.oidcAnswer(t, browser(t), start, who), state)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	if u.Email != who.Mail || u.Name != who.DisplayName || u.Role != "archivist" {
		t.Errorf("account %s, %q, %s; want %s, %q, archivist (groups %v)", u.Email, u.Name, u.Role, who.Mail, who.DisplayName, who.Groups)
	}

	// A userinfo answer about someone else than the ID token is refused.
	svc.libs["cmu"].oidc.client = &http.Client{Transport: otherSubject{http.DefaultTransport}}
	start, state, _ = svc.Begin(ctx, "cmu", "/")
	_, _, err = svc.Callback(ctx, f.oidcAnswer(t, browser(t), start, op.Users[1]), state)
	refusedWith(t, err, fault.Unauthenticated, "the userinfo answer is about another person than the id token")
	if n := users(t, f); n != 1 {
		t.Errorf("%d accounts, want dwho's alone", n)
	}
}

// otherSubject changes the subject of the provider's userinfo answers.
type otherSubject struct{ next http.RoundTripper }

func (o otherSubject) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := o.next.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/userinfo") {
		return resp, err
	}
	var body map[string]any
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	body["sub"] = "someone-else"
	out, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(out))
	resp.ContentLength = int64(len(out))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// TestSAMLSignInMapsAGroupToARole: a library's mapping may name a group
// the IdP sends as isMemberOf, as federations' IdPs do: somchai, of the
// archive-staff group, becomes an archivist though his affiliations map
// to nothing, and alice, of another group, stays reader.
func TestSAMLSignInMapsAGroupToARole(t *testing.T) {
	f := newFixture(t, "", "urn:mace:cmu.example.ac.th:groups:archive-staff=archivist")
	ctx := context.Background()
	for _, c := range []struct {
		n    int
		role string
	}{{0, "archivist"}, {1, "reader"}} {
		who := f.idp.Users[c.n]
		start, state, err := f.svc.Begin(ctx, "psu", "/")
		if err != nil {
			t.Fatal(err)
		}
		u, _, err := f.svc.ACS(ctx, f.acsRequest(f.samlAnswer(t, browser(t), start, who)), state)
		if err != nil {
			t.Fatalf("%s's sign-in: %v", who.Name, err)
		}
		if u.Role != c.role {
			t.Errorf("%s (groups %v) is given %s, want %s", who.Name, who.Groups, u.Role, c.role)
		}
	}
}
