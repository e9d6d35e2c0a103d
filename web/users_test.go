package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

func TestLibraryAdministratorManagesTheirOwnUsers(t *testing.T) {
	e := newIIIFEnv(t)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	addUser(t, e.store, "head@cmu.example", "cmu", "library-admin")
	tuUser := addUser(t, e.store, "someone@tu.example", "tu", "reader")
	client, csrf := signedIn(t, ts.URL, "head@cmu.example")
	post := func(form url.Values) (int, string) {
		form.Set("csrf", csrf)
		resp, err := client.PostForm(ts.URL+"/desk/users", form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	code, page := post(url.Values{"email": {"new.reader@cmu.example"}, "institution": {"cmu"}, "role": {"reader"}})
	pw := regexp.MustCompile(`id="new-password">([^<]+)<`).FindStringSubmatch(page)
	if code != 200 || pw == nil {
		t.Fatalf("adding a reader: %d %.300s", code, page)
	}
	u, err := e.store.UserByEmail("new.reader@cmu.example")
	if err != nil || u.Role != "reader" || u.Institution != "cmu" || !repository.CheckPassword(u.PasswordHash, pw[1]) {
		t.Fatalf("the new reader: %+v %v", u, err)
	}
	// The new reader signs in with the password given once.
	c2 := &http.Client{Jar: &cookieJar{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, _ := c2.PostForm(ts.URL+"/login", url.Values{"email": {u.Email}, "password": {pw[1]}, "csrf": {formToken(t, c2, ts.URL+"/login")}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new reader signs in: %d", resp.StatusCode)
	}
	if code, _ := post(url.Values{"email": {"boss@cmu.example"}, "institution": {"cmu"}, "role": {"system-admin"}}); code != http.StatusForbidden {
		t.Errorf("a library administrator made a system administrator: %d", code)
	}
	if code, _ := post(url.Values{"email": {"spy@tu.example"}, "institution": {"tu"}, "role": {"archivist"}}); code != http.StatusForbidden {
		t.Errorf("a user added to another library: %d", code)
	}
	// Another library's user is answered as one that does not exist: the
	// page must not tell whether an identifier is someone's.
	code, other := post(url.Values{"user": {tuUser.ID}, "version": {"1"}, "action": {"disable"}})
	none, nobody := post(url.Values{"user": {"zz" + tuUser.ID}, "version": {"1"}, "action": {"disable"}})
	if code != http.StatusNotFound || none != code || strings.ReplaceAll(other, tuUser.ID, "ID") != strings.ReplaceAll(nobody, "zz"+tuUser.ID, "ID") {
		t.Errorf("another library's user: %d %.200s; no user: %d %.200s", code, other, none, nobody)
	}
	if u, _ := e.store.User(tuUser.ID); u.Disabled {
		t.Error("another library's user disabled")
	}
	// Disabling ends the reader's session at once, and is on the record.
	if code, _ := post(url.Values{"user": {u.ID}, "version": {"1"}, "action": {"disable"}}); code != 200 {
		t.Fatalf("disabling: %d", code)
	}
	if resp, _ := c2.Get(ts.URL + "/desk"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("a disabled reader's session still works: %d", resp.StatusCode)
	}
	events, _ := e.store.Events(u.ID)
	if last := events[len(events)-1]; last.Type != "account disabled" || last.Agent != "head@cmu.example" || !strings.HasPrefix(last.Detail, u.Email) {
		t.Errorf("last event %+v", last)
	}
	if code, page := post(url.Values{"user": {u.ID}, "version": {"1"}, "action": {"enable"}}); code != http.StatusConflict {
		t.Errorf("a stale form: %d %.200s", code, page)
	}
}

func TestCookiesAreSecureBehindHTTPS(t *testing.T) {
	ctx := context.Background()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	seedAdmin(t, store)
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, BaseURL: "https://archive.example.org"}))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/login", nil)
	r.Host = "archive.example.org"
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	cookies := w.Result().Cookies()
	if len(cookies) == 0 || !cookies[0].Secure || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("form cookie behind https: %+v", cookies)
	}
	if w.Header().Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS behind https")
	}
}
