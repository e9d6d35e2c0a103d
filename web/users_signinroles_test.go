package web

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestUsersPageSetsTheRolesForUniversitySignIn: cmu's library administrator
// finds the form for the roles of university sign-in in Thai and English
// with the library's current mapping, a malformed mapping is refused with
// the reason and leaves the record as it was, a good one is kept, and
// another library's administrator may not change cmu's.
func TestUsersPageSetsTheRolesForUniversitySignIn(t *testing.T) {
	e := newIIIFEnv(t)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	addUser(t, e.store, "head@cmu.example", "cmu", "library-admin")
	addUser(t, e.store, "head@tu.example", "tu", "library-admin")
	client, csrf := signedIn(t, ts.URL, "head@cmu.example")
	say := func(lang, key string) string {
		m, ok := messages[key]
		if !ok {
			t.Fatalf("no words for %s", key)
		}
		if lang == "th" {
			return m[0]
		}
		return m[1]
	}
	get := func(lang string) string {
		resp, err := client.Get(ts.URL + "/desk/users?lang=" + lang)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return html.UnescapeString(string(b))
	}
	for _, lang := range []string{"th", "en"} {
		page := get(lang)
		for _, key := range []string{"signin_roles", "signin_roles_help"} {
			if !strings.Contains(page, say(lang, key)) {
				t.Errorf("the %s users page lacks %s: %q", lang, key, say(lang, key))
			}
		}
		if !strings.Contains(page, `name="signin_roles_for" value="cmu"`) || strings.Contains(page, `name="signin_roles_for" value="tu"`) {
			t.Errorf("the %s users page offers cmu's administrator another library's mapping, or not cmu's", lang)
		}
	}
	in, err := e.store.Institution("cmu")
	if err != nil {
		t.Fatal(err)
	}
	post := func(c *http.Client, csrf, mapping string, version int) (int, string) {
		resp, err := c.PostForm(ts.URL+"/desk/users", url.Values{"csrf": {csrf}, "signin_roles_for": {"cmu"}, "version": {strconv.Itoa(version)}, "signin_roles": {mapping}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, html.UnescapeString(string(b))
	}
	if code, page := post(client, csrf, "staff=library-admin", in.Version); code != http.StatusBadRequest || !strings.Contains(page, say("en", "bad_signin_roles")) {
		t.Errorf("a mapping giving library-admin: %d, want 400 with the reason", code)
	}
	tuClient, tuCSRF := signedIn(t, ts.URL, "head@tu.example")
	if code, _ := post(tuClient, tuCSRF, "*=archivist", in.Version); code != http.StatusForbidden {
		t.Errorf("tu's administrator changing cmu's mapping: %d, want 403", code)
	}
	if got, _ := e.store.Institution("cmu"); got.SignInRoles != "" || got.Version != in.Version {
		t.Fatalf("refused changes left %q at version %d", got.SignInRoles, got.Version)
	}
	if code, page := post(client, csrf, "staff=archivist,*=reader", in.Version); code != http.StatusOK || !strings.Contains(page, say("en", "signin_roles_saved")) {
		t.Errorf("a good mapping: %d, want 200 saying it is saved", code)
	}
	if got, _ := e.store.Institution("cmu"); got.SignInRoles != "staff=archivist,*=reader" {
		t.Errorf("cmu's mapping is %q after saving", got.SignInRoles)
	}
	if page := get("en"); !strings.Contains(page, `value="staff=archivist,*=reader"`) {
		t.Errorf("the users page does not show the current mapping")
	}
}
