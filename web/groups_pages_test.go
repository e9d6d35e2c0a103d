package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// cookie signs email in and returns the Cookie header's value.
func (e *annoEnv) cookie(t testing.TB, email string) string {
	t.Helper()
	u, err := e.store.UserByEmail(email)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.store.CreateSession(u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return sessionCookie + "=" + v
}

// page GETs path with a session and returns the answer and the form token
// it holds.
func (e *annoEnv) page(t testing.TB, cookie, path string) (*httptest.ResponseRecorder, string) {
	t.Helper()
	w := e.do("", "GET", path, "", "Cookie", cookie, "Accept", "text/html")
	if w.Code != http.StatusOK || sharedCacheable(w.Header()) {
		t.Fatalf("GET %s: %d %v", path, w.Code, w.Header())
	}
	return w, between(w.Body.String(), `name="csrf" value="`, `"`)
}

// send posts a page's form with a session.
func (e *annoEnv) send(cookie, path string, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Cookie", cookie)
	r.Header.Set("Accept", "text/html")
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	return w
}

func TestMyGroupsPageMakesAGroupAddsRemovesAndLetsAMemberLeaveInThaiAndEnglish(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	owner, member := e.cookie(t, "arch@cmu.example"), e.cookie(t, "reader@tu.example")
	w, csrf := e.page(t, owner, "/account/groups?lang=th")
	if !strings.Contains(w.Body.String(), "กลุ่มของฉัน") || !strings.Contains(w.Body.String(), "คุณยังไม่มีกลุ่ม") {
		t.Fatalf("the empty page in Thai: %s", w.Body)
	}
	if found := englishIn(pageText(w.Body.String())); len(found) > 0 {
		t.Fatalf("the Thai page says in English: %v", found)
	}
	if r := e.send(owner, "/account/groups", url.Values{"name_th": {"ทีมอนุรักษ์ใบลาน"}}); r.Code != http.StatusForbidden {
		t.Fatalf("a form without its token: %d", r.Code)
	}
	if r := e.send(owner, "/account/groups", url.Values{"csrf": {csrf}, "name_th": {"ทีมอนุรักษ์ใบลาน"}}); r.Code != http.StatusSeeOther || r.Header().Get("Location") != "/account/groups?done=created" {
		t.Fatalf("making a group: %d %s", r.Code, r.Header().Get("Location"))
	}
	w, csrf = e.page(t, owner, "/account/groups?lang=th&done=created")
	body := w.Body.String()
	id := between(body, `<section class="group" id="group-`, `"`)
	if id == "" || !strings.Contains(body, "สร้างกลุ่มแล้ว") || !strings.Contains(body, "ทีมอนุรักษ์ใบลาน") || !strings.Contains(body, "group:"+id) {
		t.Fatalf("the page after making a group: %s", body)
	}
	action := "/account/groups/" + id
	r := e.send(owner, action+"?lang=th", url.Values{"csrf": {csrf}, "action": {"add"}, "email": {"nobody@example.org"}})
	if r.Code != http.StatusBadRequest || !strings.Contains(r.Body.String(), "ไม่มีบัญชีที่ใช้อีเมลนี้") || !strings.Contains(r.Body.String(), `role="alert"`) {
		t.Fatalf("adding an address of no account: %d %s", r.Code, r.Body)
	}
	if r := e.send(owner, action, url.Values{"csrf": {csrf}, "action": {"add"}, "email": {"reader@tu.example"}}); r.Code != http.StatusSeeOther {
		t.Fatalf("adding a member: %d %s", r.Code, r.Body)
	}
	w, _ = e.page(t, owner, "/account/groups?lang=en&done=add")
	for _, want := range []string{"My groups", "The member was added.", "reader@tu.example", "Remove", "Delete the group"} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("the owner's English page lacks %q", want)
		}
	}

	// The member sees the group, its owner and how many are in it, not
	// the others' addresses, and may only leave.
	w, mcsrf := e.page(t, member, "/account/groups?lang=th")
	if body := w.Body.String(); !strings.Contains(body, "ทีมอนุรักษ์ใบลาน") || !strings.Contains(body, "arch@cmu.example") || !strings.Contains(body, "ออกจากกลุ่ม") ||
		strings.Contains(body, `value="rename"`) || strings.Contains(body, `value="add"`) {
		t.Fatalf("the member's page: %s", body)
	}
	if found := englishIn(pageText(w.Body.String())); len(found) > 0 {
		t.Fatalf("the member's Thai page says in English: %v", found)
	}
	if r := e.send(member, action+"?lang=th", url.Values{"csrf": {mcsrf}, "action": {"delete"}}); r.Code != http.StatusForbidden || !strings.Contains(r.Body.String(), "เฉพาะเจ้าของกลุ่ม") {
		t.Fatalf("a member deletes the group: %d %s", r.Code, r.Body)
	}
	if r := e.send(member, action, url.Values{"csrf": {mcsrf}, "action": {"leave"}}); r.Code != http.StatusSeeOther {
		t.Fatalf("leaving: %d %s", r.Code, r.Body)
	}
	if w, _ := e.page(t, member, "/account/groups?lang=en&done=leave"); !strings.Contains(w.Body.String(), "You left the group.") || strings.Contains(w.Body.String(), "ทีมอนุรักษ์ใบลาน") {
		t.Fatalf("the page after leaving: %s", w.Body)
	}
	if r := e.send(owner, action, url.Values{"csrf": {csrf}, "action": {"rename"}, "name_th": {"ทีมอนุรักษ์"}, "name_en": {"Conservation team"}}); r.Code != http.StatusSeeOther {
		t.Fatalf("renaming: %d %s", r.Code, r.Body)
	}
	if r := e.send(owner, action, url.Values{"csrf": {csrf}, "action": {"delete"}}); r.Code != http.StatusSeeOther {
		t.Fatalf("deleting: %d %s", r.Code, r.Body)
	}
	if w, _ := e.page(t, owner, "/account/groups?lang=th"); strings.Contains(w.Body.String(), "ทีมอนุรักษ์") || !strings.Contains(w.Body.String(), "คุณยังไม่มีกลุ่ม") {
		t.Fatalf("the page after deleting: %s", w.Body)
	}
	if w := e.do("", "GET", "/account/groups", "", "Accept", "text/html"); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Fatalf("an anonymous visitor's page: %d %s", w.Code, w.Header().Get("Location"))
	}
}

func TestMyDataHoldsTheGroupsIOwnAndAmIn(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	class := e.group(t, e.cmuArchivst, "Palm-leaf class", "reader@tu.example")
	for email, owner := range map[string]bool{"arch@cmu.example": true, "reader@tu.example": false} {
		w := e.do("", "GET", "/account/data", "", "Cookie", e.cookie(t, email))
		var data struct{ Groups []groupJSON }
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &data) != nil || len(data.Groups) != 1 || data.Groups[0].Audience != class || data.Groups[0].Mine != owner {
			t.Fatalf("%s's data: %d %s", email, w.Code, w.Body)
		}
	}
}
