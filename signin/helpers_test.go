package signin

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/signin/idptest"
	"github.com/thaiarchives/archive/storage/local"
)

// fixture is a store with the libraries cmu (OpenID Connect at
// LemonLDAP::NG) and psu (SAML at SimpleSAMLphp), and the service signing
// their people in.
type fixture struct {
	svc   *Service
	store *bolt.Store
	op    *idptest.OIDC
	idp   *idptest.SAML
	base  string
}

func newFixture(t testing.TB, cmuRoles, psuRoles string) *fixture {
	t.Helper()
	ctx := context.Background()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, id := range []string{"cmu", "psu"} {
		if _, err := st.Institution(id); err == nil {
			continue // one of the libraries every store begins with
		}
		if err := st.SaveInstitution(ctx, &repository.Institution{ID: id, Name: repository.Text{"en": id}}); err != nil {
			t.Fatal(err)
		}
	}
	// The archive's address: the providers send the browser back here.
	land := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("landed")) }))
	t.Cleanup(land.Close)
	f := &fixture{store: st, base: land.URL}
	// Another client of the same provider, whose ID tokens the archive's
	// sign-in must not take.
	another := idptest.Client{ID: "another-archive", Secret: "another-secret", RedirectURL: f.base + "/login/callback"}
	f.op = idptest.StartOIDC(t, idptest.Client{ID: "archive", Secret: "archive-secret", RedirectURL: f.base + "/login/callback", RequirePKCE: true},
		idptest.WithClient(another))
	f.idp = idptest.StartSAML(t)
	cmu, psu := mustRoles(t, cmuRoles), mustRoles(t, psuRoles)
	key, err := LoadSPKey(t.TempDir(), f.base+"/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	f.svc, err = New(Config{BaseURL: f.base, SPKey: key, Store: st, Libraries: []Library{
		{ID: "cmu", Roles: cmu, OIDC: &OIDCSettings{Issuer: f.op.Issuer, ClientID: "archive", ClientSecret: "archive-secret"}},
		{ID: "psu", Roles: psu, SAML: &SAMLSettings{IdPMetadata: f.idp.MetadataURL}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	md, err := f.svc.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	f.idp.RegisterSP(t, md)
	return f
}

func mustRoles(t testing.TB, s string) Roles {
	t.Helper()
	r, err := ParseRoles(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// browser is an HTTP client with its own cookies, as a browser has.
func browser(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

// oidcAnswer signs u in at LemonLDAP::NG's form from the start of a flow
// and returns the query the provider sent the browser back with.
func (f *fixture) oidcAnswer(t testing.TB, c *http.Client, start string, u idptest.User) url.Values {
	t.Helper()
	p := fetch(t, c, http.MethodGet, start, nil)
	if action, fields := form(t, p); fields.Has("password") {
		fields.Set("user", u.Name)
		fields.Set("password", u.Password)
		p = fetch(t, c, http.MethodPost, resolve(t, p.url, action), fields)
	}
	if p.url.Path != "/login/callback" {
		t.Fatalf("after signing in the browser is at %s, not the callback: %.300s", p.url, p.body)
	}
	return p.url.Query()
}

// samlAnswer signs u in at SimpleSAMLphp's form from the start of a flow
// and returns the request the browser would post to the assertion consumer.
func (f *fixture) samlAnswer(t testing.TB, c *http.Client, start string, u idptest.User) url.Values {
	t.Helper()
	p := fetch(t, c, http.MethodGet, start, nil)
	action, fields := form(t, p)
	if fields.Has("password") {
		fields.Set("username", u.Name)
		fields.Set("password", u.Password)
		p = fetch(t, c, http.MethodPost, resolve(t, p.url, action), fields)
		action, fields = form(t, p)
	}
	if !fields.Has("SAMLResponse") || resolve(t, p.url, action) != f.base+"/saml/acs" {
		t.Fatalf("the IdP's answer is no form posting to the assertion consumer: %.500s", p.body)
	}
	return fields
}

// acsRequest is the browser's post of an IdP's answer.
func (f *fixture) acsRequest(fields url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, f.base+"/saml/acs", strings.NewReader(fields.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

type page struct {
	url  *url.URL
	body []byte
}

func fetch(t testing.TB, c *http.Client, method, u string, v url.Values) page {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = c.PostForm(u, v)
	} else {
		resp, err = c.Get(u)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d: %.500s", resp.Request.URL, resp.StatusCode, b)
	}
	return page{url: resp.Request.URL, body: b}
}

func resolve(t testing.TB, base *url.URL, ref string) string {
	t.Helper()
	u, err := base.Parse(ref)
	if err != nil {
		t.Fatal(err)
	}
	return u.String()
}

// form is the action and the named fields of the page's first form.
func form(t testing.TB, p page) (string, url.Values) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(p.body))
	if err != nil {
		t.Fatal(err)
	}
	var action string
	var fields url.Values
	var walk func(n *html.Node, in bool)
	walk = func(n *html.Node, in bool) {
		if n.Type == html.ElementNode && n.Data == "form" && fields == nil {
			action, fields, in = attr(n, "action"), url.Values{}, true
		}
		if in && n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") != "" && attr(n, "type") != "submit" && attr(n, "type") != "checkbox" {
			fields.Set(attr(n, "name"), attr(n, "value"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(doc, false)
	if fields == nil {
		t.Fatalf("%s has no form: %.500s", p.url, p.body)
	}
	if strings.TrimSpace(action) == "" {
		action = p.url.String()
	}
	return action, fields
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
