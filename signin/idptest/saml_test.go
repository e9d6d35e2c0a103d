package idptest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"

	"github.com/thaiarchives/archive/signin/idptest"
)

func TestSAMLMetadataOffersSigningWithTheRunsCertificate(t *testing.T) {
	began := time.Now()
	idp := idptest.StartSAML(t)
	t.Logf("SimpleSAMLphp answered after %v", time.Since(began))

	md, err := samlsp.FetchMetadata(context.Background(), http.DefaultClient, *mustURL(t, idp.MetadataURL))
	if err != nil {
		t.Fatalf("fetch metadata: %v", err)
	}
	if md.EntityID != idp.EntityID {
		t.Errorf("entity id = %q, want %q", md.EntityID, idp.EntityID)
	}
	if len(md.IDPSSODescriptors) != 1 {
		t.Fatalf("metadata has %d IdP descriptors, want 1", len(md.IDPSSODescriptors))
	}
	var signing []string
	for _, kd := range md.IDPSSODescriptors[0].KeyDescriptors {
		if kd.Use == "signing" || kd.Use == "" {
			for _, c := range kd.KeyInfo.X509Data.X509Certificates {
				signing = append(signing, strings.Join(strings.Fields(c.Data), ""))
			}
		}
	}
	want := base64.StdEncoding.EncodeToString(idp.Certificate.Raw)
	if !slices.Contains(signing, want) {
		t.Errorf("metadata's signing certificates do not include the one made for the run (%d found)", len(signing))
	}
}

func TestSAMLLoginAtTheIdPsFormGivesASignedAssertionWithEduPersonAttributes(t *testing.T) {
	idp := idptest.StartSAML(t)
	md, err := samlsp.FetchMetadata(context.Background(), http.DefaultClient, *mustURL(t, idp.MetadataURL))
	if err != nil {
		t.Fatalf("fetch metadata: %v", err)
	}
	key, cert := spKeyPair(t)
	sp := saml.ServiceProvider{
		EntityID:    "https://archive.example.ac.th/saml/metadata",
		Key:         key,
		Certificate: cert,
		MetadataURL: *mustURL(t, "https://archive.example.ac.th/saml/metadata"),
		AcsURL:      *mustURL(t, "https://archive.example.ac.th/saml/acs"),
		IDPMetadata: md,
	}
	spMD, err := xml.Marshal(sp.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	idp.RegisterSP(t, spMD)

	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		t.Fatalf("make authn request: %v", err)
	}
	redirect, err := req.Redirect("state-1", &sp)
	if err != nil {
		t.Fatal(err)
	}
	client := browser(t)
	page := get(t, client, redirect.String())
	action, fields := form(t, page)
	user := idp.Users[0]
	fields.Set("username", user.Name)
	fields.Set("password", user.Password)
	page = post(t, client, resolve(t, page.url, action), fields)
	action, fields = form(t, page)
	if action != sp.AcsURL.String() {
		t.Fatalf("after sign-in the IdP posts to %q, want the ACS %q", action, sp.AcsURL.String())
	}
	if fields.Get("RelayState") != "state-1" {
		t.Errorf("relay state = %q, want state-1", fields.Get("RelayState"))
	}

	acs := httptest.NewRequest(http.MethodPost, sp.AcsURL.String(), strings.NewReader(fields.Encode()))
	acs.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := acs.ParseForm(); err != nil {
		t.Fatal(err)
	}
	assertion, err := sp.ParseResponse(acs, []string{req.ID})
	if err != nil {
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) {
			err = ire.PrivateErr
		}
		t.Fatalf("the SAML response does not verify: %v", err)
	}
	got := map[string][]string{}
	for _, st := range assertion.AttributeStatements {
		for _, a := range st.Attributes {
			for _, v := range a.Values {
				got[a.Name] = append(got[a.Name], v.Value)
			}
		}
	}
	wants := map[string][]string{
		idptest.AttrPrincipalName:     {user.Principal},
		idptest.AttrMail:              {user.Mail},
		idptest.AttrDisplayName:       {user.DisplayName},
		idptest.AttrScopedAffiliation: user.Affiliations,
		idptest.AttrIsMemberOf:        user.Groups,
	}
	for name, want := range wants {
		if !slices.Equal(got[name], want) {
			t.Errorf("attribute %s = %q, want %q", name, got[name], want)
		}
	}
	if assertion.Signature == nil {
		t.Error("the assertion itself is not signed")
	}
}

func TestSAMLLoginWithAWrongPasswordStaysAtTheForm(t *testing.T) {
	idp := idptest.StartSAML(t)
	md, err := samlsp.FetchMetadata(context.Background(), http.DefaultClient, *mustURL(t, idp.MetadataURL))
	if err != nil {
		t.Fatal(err)
	}
	key, cert := spKeyPair(t)
	sp := saml.ServiceProvider{EntityID: "https://sp.example/metadata", Key: key, Certificate: cert,
		AcsURL: *mustURL(t, "https://sp.example/acs"), IDPMetadata: md}
	spMD, _ := xml.Marshal(sp.Metadata())
	idp.RegisterSP(t, spMD)
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		t.Fatal(err)
	}
	redirect, _ := req.Redirect("", &sp)
	client := browser(t)
	page := get(t, client, redirect.String())
	action, fields := form(t, page)
	fields.Set("username", idp.Users[0].Name)
	fields.Set("password", "not-"+idp.Users[0].Password)
	page = post(t, client, resolve(t, page.url, action), fields)
	if bytes.Contains(page.body, []byte("SAMLResponse")) {
		t.Fatal("a wrong password was answered with a SAML response")
	}
	if _, f := form(t, page); !f.Has("password") {
		t.Error("a wrong password did not lead back to the login form")
	}
}

func spKeyPair(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 20 * time.Second}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func resolve(t *testing.T, base *url.URL, ref string) string {
	t.Helper()
	return base.ResolveReference(mustURL(t, ref)).String()
}
