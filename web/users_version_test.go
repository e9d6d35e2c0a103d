package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestUsersPageAnswersAnotherLibrarysPersonAsNoOneEvenWithoutAVersion: a
// change of someone of a library the administrator does not manage is
// answered as one of no one, 404, also when the form gives no version; of
// their own library's person, a form without a version is the form's
// mistake (400), and nothing changes.
func TestUsersPageAnswersAnotherLibrarysPersonAsNoOneEvenWithoutAVersion(t *testing.T) {
	e := newIIIFEnv(t)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	addUser(t, e.store, "head@cmu.example", "cmu", "library-admin")
	tuUser := addUser(t, e.store, "someone@tu.example", "tu", "reader")
	own := addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	client, csrf := signedIn(t, ts.URL, "head@cmu.example")
	post := func(user string) (int, string) {
		resp, err := client.PostForm(ts.URL+"/desk/users", url.Values{"csrf": {csrf}, "user": {user}, "action": {"disable"}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, strings.ReplaceAll(string(b), user, "ID")
	}
	code, other := post(tuUser.ID)
	none, nobody := post("zz" + tuUser.ID)
	if code != http.StatusNotFound || none != code || other != nobody {
		t.Errorf("another library's person without a version: %d %.200q; no one: %d %.200q; want 404 alike", code, other, none, nobody)
	}
	if code, _ := post(own.ID); code != http.StatusBadRequest {
		t.Errorf("their own library's person without a version: %d, want 400", code)
	}
	for _, id := range []string{tuUser.ID, own.ID} {
		if u, err := e.store.User(id); err != nil || u.Disabled {
			t.Errorf("a change without a version disabled %s: %+v %v", id, u, err)
		}
	}
}
