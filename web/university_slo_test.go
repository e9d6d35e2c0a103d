package web

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// htmlPage is a page a plain HTTP client came to, and where.
type htmlPage struct {
	status int
	url    *url.URL
	body   string
}

func visit(t *testing.T, c *http.Client, method, u string, form url.Values) htmlPage {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = c.PostForm(u, form)
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
	return htmlPage{status: resp.StatusCode, url: resp.Request.URL, body: string(b)}
}

// firstForm is the absolute action and the named fields of a page's first
// form, and the href of the element with the id link ("" for none).
func firstForm(t *testing.T, p htmlPage, link string) (action string, fields url.Values, href string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(p.body))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *html.Node, in bool)
	walk = func(n *html.Node, in bool) {
		if n.Type == html.ElementNode {
			a := map[string]string{}
			for _, at := range n.Attr {
				a[at.Key] = at.Val
			}
			switch {
			case n.Data == "form" && fields == nil:
				action, fields, in = a["action"], url.Values{}, true
			case n.Data == "input" && in && a["name"] != "" && a["type"] != "submit":
				fields.Set(a["name"], a["value"])
			case link != "" && a["id"] == link:
				href = a["href"]
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(doc, false)
	if fields != nil {
		u, err := p.url.Parse(action)
		if err != nil {
			t.Fatal(err)
		}
		action = u.String()
	}
	return action, fields, href
}

// universitySignIn signs the browser c in at tu's SimpleSAMLphp and says
// whether the IdP asked for the password.
func (e *universityEnv) universitySignIn(t *testing.T, c *http.Client) (asked bool) {
	t.Helper()
	p := visit(t, c, http.MethodGet, e.base+"/login/tu", nil)
	action, fields, _ := firstForm(t, p, "")
	if fields.Has("password") {
		asked = true
		fields.Set("username", e.idp.Users[0].Name)
		fields.Set("password", e.idp.Users[0].Password)
		p = visit(t, c, http.MethodPost, action, fields)
		action, fields, _ = firstForm(t, p, "")
	}
	if !fields.Has("SAMLResponse") || action != e.base+"/saml/acs" {
		t.Fatalf("the IdP's answer is no form posting to the assertion consumer: %.500s", p.body)
	}
	if p = visit(t, c, http.MethodPost, action, fields); p.status != http.StatusOK || p.url.Path != "/" {
		t.Fatalf("the assertion consumer: %d at %s: %.300s", p.status, p.url, p.body)
	}
	return asked
}

func (e *universityEnv) meStatus(t *testing.T, c *http.Client) int {
	t.Helper()
	return visit(t, c, http.MethodGet, e.base+"/api/v1/me", nil).status
}

func TestSAMLSignOutWithTheUniversityEndsBothSessionsAndRefusesForgedAnswers(t *testing.T) {
	e := newUniversityEnv(t)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var slo *url.URL // the IdP's answer, kept from the browser's last redirect to it
	c := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if r.URL.Path == "/saml/slo" && slo == nil {
			slo = r.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	if !e.universitySignIn(t, c) {
		t.Fatal("the first sign-in asked no password at the IdP")
	}
	if e.universitySignIn(t, c) {
		t.Fatal("a second sign-in asked for the password: the IdP keeps no session, so this test proves nothing")
	}

	tok := formToken(t, c, e.base+"/logout?lang=en")
	p := visit(t, c, http.MethodPost, e.base+"/logout?lang=en", url.Values{"csrf": {tok}})
	_, _, offer := firstForm(t, p, "provider-signout")
	if p.status != http.StatusOK || !strings.HasPrefix(offer, e.idp.URL+"saml2/idp/SingleLogoutService.php?SAMLRequest=") ||
		!strings.Contains(p.body, t2("en", "signout_provider")) {
		t.Fatalf("signing out: %d, offered %q; want the IdP's single logout offered as %q: %.500s", p.status, offer, t2("en", "signout_provider"), p.body)
	}
	if st := e.meStatus(t, c); st != http.StatusUnauthorized {
		t.Errorf("/api/v1/me after signing out: %d, want 401", st)
	}
	visit(t, c, http.MethodGet, offer, nil)
	if slo == nil || slo.Query().Get("SAMLResponse") == "" {
		t.Fatalf("the IdP did not send the browser back to /saml/slo with its answer")
	}

	forged := *slo
	q := forged.Query()
	q.Set("SAMLResponse", strings.Replace(q.Get("SAMLResponse"), q.Get("SAMLResponse")[:4], "AAAA", 1))
	forged.RawQuery = q.Encode()
	for _, lang := range []string{"th", "en"} {
		const why = "the identity provider's logout answer does not verify"
		if p := visit(t, c2(jar), http.MethodGet, forged.String()+"&lang="+lang, nil); p.status != http.StatusBadRequest || !strings.Contains(p.body, why) {
			t.Errorf("a forged logout answer (%s): %d %.300s; want 400 saying %q", lang, p.status, p.body, why)
		}
	}

	done := visit(t, c2(jar), http.MethodGet, slo.String()+"&lang=en", nil)
	if done.status != http.StatusOK || !strings.Contains(done.body, t2("en", "signed_out_provider")) {
		t.Fatalf("the IdP's answer: %d %.500s; want the page saying %q", done.status, done.body, t2("en", "signed_out_provider"))
	}
	if p := visit(t, c2(jar), http.MethodGet, slo.String(), nil); p.status != http.StatusBadRequest || !strings.Contains(p.body, "no sign-out under way here") {
		t.Errorf("the same answer again: %d %.300s; want 400, unsolicited", p.status, p.body)
	}
	if st := e.meStatus(t, c); st != http.StatusUnauthorized {
		t.Errorf("/api/v1/me after the IdP's logout: %d, want 401", st)
	}
	if !e.universitySignIn(t, c2(jar)) {
		t.Error("after signing out at the university too, signing in again asked no password at the IdP")
	}

	// A logout begun at the IdP comes to /saml/slo as a LogoutRequest: the
	// archive's session ends, and the browser goes back to the IdP, which
	// sends it on to where its logout was to end.
	if st := e.meStatus(t, c); st != http.StatusOK {
		t.Fatalf("/api/v1/me signed in again: %d", st)
	}
	end := visit(t, c2(jar), http.MethodGet, e.idp.URL+"saml2/idp/SingleLogoutService.php?ReturnTo="+url.QueryEscape(e.base+"/?lang=en"), nil)
	if end.status != http.StatusOK || end.url.String() != e.base+"/?lang=en" {
		t.Errorf("the IdP's own logout ended at %s (%d), want back at the archive's home page", end.url, end.status)
	}
	if st := e.meStatus(t, c); st != http.StatusUnauthorized {
		t.Errorf("/api/v1/me after the IdP's own logout: %d, want 401", st)
	}
}

// c2 is a browser with the cookies jar, following every redirect.
func c2(jar http.CookieJar) *http.Client { return &http.Client{Jar: jar} }
