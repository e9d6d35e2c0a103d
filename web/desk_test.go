package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// formToken reads the CSRF token of the form on a page.
func formToken(t *testing.T, client *http.Client, url string) string {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	i := strings.Index(string(b), `name="csrf" value="`)
	if i < 0 {
		t.Fatalf("%s has no form token (%d)", url, resp.StatusCode)
	}
	return string(b)[i+19 : i+19+32]
}

// signedIn returns a client signed in as email (with the test password)
// and the desk's form token.
func signedIn(t *testing.T, base, email string) (*http.Client, string) {
	t.Helper()
	client := &http.Client{Jar: &cookieJar{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}, "csrf": {formToken(t, client, base+"/login")}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in of %s: %v %v", email, resp.StatusCode, err)
	}
	return client, formToken(t, client, base+"/desk")
}

func TestArchivistEditsAnItemAndNothingIsLost(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	it := &repository.Item{Institution: "cmu", Title: repository.Text{"none": "scan-0001.jpg"}, Files: []repository.File{
		{Name: "p1.jpg", SHA256: strings.Repeat("1", 64), MediaType: "image/jpeg"}, {Name: "p2.jpg", SHA256: strings.Repeat("2", 64), MediaType: "image/jpeg"}}}
	if err := e.store.SaveItem(ctx, it, "t"); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, _ := anon.Get(ts.URL + "/desk/items/" + it.ID); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("editing without signing in: %d", resp.StatusCode)
	}
	client, csrf := signedIn(t, ts.URL, "admin@example.org")
	form := url.Values{"csrf": {csrf}, "version": {"1"}, "title_th": {"จดหมายถึงอธิการบดี"}, "title_en": {"Letter to the rector"},
		"date": {"18 มิถุนายน 2562"}, "access": {"public"}, "rights": {"http://rightsstatements.org/vocab/InC/1.0/"}, "order_0": {"2"}, "order_1": {"1"}}
	if resp, _ := client.PostForm(ts.URL+"/desk/items/"+it.ID, url.Values{"version": {"1"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("save without the form token: %d", resp.StatusCode)
	}
	resp, _ := client.PostForm(ts.URL+"/desk/items/"+it.ID, form)
	if resp.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("save: %d %.300s", resp.StatusCode, b)
	}
	got, _ := e.store.Item(it.ID)
	// The filename an upload was titled with gives way to the real title.
	if got.Version != 2 || got.Title["en"] != "Letter to the rector" || got.Title["none"] != "" || got.Date != "2019-06-18" || got.Files[0].Name != "p2.jpg" {
		t.Fatalf("after save: %+v", got)
	}
	// A second archivist with the old version is told, and loses nothing.
	form.Set("title_en", "Stale edit")
	resp, _ = client.PostForm(ts.URL+"/desk/items/"+it.ID, form)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), "changed by someone else") {
		t.Fatalf("stale save: %d", resp.StatusCode)
	}
	if cur, _ := e.store.Item(it.ID); cur.Title["en"] != "Letter to the rector" {
		t.Fatal("a stale save overwrote the newer version")
	}
	// A bad date is refused with the reason.
	form.Set("version", "2")
	form.Set("date", "yesterday")
	resp, _ = client.PostForm(ts.URL+"/desk/items/"+it.ID, form)
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Thai date") || !strings.Contains(string(body), `name="date" value="yesterday"`) {
		t.Fatalf("bad date (refused, and kept in the form to correct): %d", resp.StatusCode)
	}
	// The first description comes back as a new version.
	resp, _ = client.PostForm(ts.URL+"/desk/items/"+it.ID+"/restore", url.Values{"csrf": {csrf}, "v": {"1"}, "version": {"2"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d", resp.StatusCode)
	}
	got, _ = e.store.Item(it.ID)
	if got.Version != 3 || got.Title["none"] != "scan-0001.jpg" || got.Files[0].Name != "p2.jpg" {
		t.Fatalf("after restore: %+v", got)
	}
	page, _ := client.Get(ts.URL + "/desk/items/" + it.ID)
	b, _ := io.ReadAll(page.Body)
	if !strings.Contains(string(b), "description of version 1 restored") || !strings.Contains(string(b), "v2") {
		t.Error("the edit page lacks the history or the versions")
	}
	// A collection made at the desk.
	resp, _ = client.PostForm(ts.URL+"/desk/collections", url.Values{"csrf": {csrf}, "id": {"cmu-letters"}, "institution": {"cmu"}, "level": {"series"},
		"title_th": {"จดหมาย"}, "title_en": {"Letters"}})
	if resp.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("new collection: %d %.300s", resp.StatusCode, b)
	}
	if col, err := e.store.Collection("cmu-letters"); err != nil || col.Title["en"] != "Letters" {
		t.Fatalf("collection: %+v %v", col, err)
	}
}
