package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/repository"
)

// session signs a user in and returns the cookie header's value.
func (e *grantEnv) session(t *testing.T, email string) string {
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

func TestRequestPagesTakeADecisionFromFormToAccountInThaiAndEnglish(t *testing.T) {
	e := newGrantEnv(t)
	tokenFor(t, e.store, "admin@tu.example", "tu", "library-admin", "write")
	reader, arch, admin := e.session(t, "reader@tu.example"), e.session(t, "arch@cmu.example"), e.session(t, "admin@tu.example")
	own := "http://example.com"
	w := e.do("", "GET", "/items/"+e.item+"?lang=th", "", "Cookie", reader)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `action="/items/`+e.item+`/requests"`) || !strings.Contains(w.Body.String(), "ขอสิทธิ์เข้าถึง") {
		t.Fatalf("the restricted item's page offers no request form in Thai: %d %s", w.Code, w.Body)
	}
	if w := e.do("", "GET", "/items/"+e.item, "", "Cookie", arch); strings.Contains(w.Body.String(), "/requests\"") {
		t.Fatalf("the page offers a request form to who may read the item")
	}
	r := e.form("/items/"+e.item+"/requests", "purpose=ประวัติศาสตร์กฎหมายล้านนา", "Cookie", reader, "Origin", own)
	if r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Header().Get("Location"), "/account/requests?asked=") {
		t.Fatalf("sending the form: %d %s", r.Code, r.Body)
	}
	id := strings.TrimPrefix(r.Header().Get("Location"), "/account/requests?asked=")
	w = e.do("", "GET", "/account/requests?lang=th&asked="+id, "", "Cookie", reader)
	for _, want := range []string{"ส่งคำขอแล้ว", "รอพิจารณา", "ประวัติศาสตร์กฎหมายล้านนา", "ระบบไม่ได้ส่งอีเมล"} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("the reader's page lacks %q", want)
		}
	}
	w = e.do("", "GET", "/desk/requests?lang=en", "", "Cookie", arch)
	until := time.Now().In(desk.Zone).Add(desk.DefaultGrant).Format(time.DateOnly)
	for _, want := range []string{"request-" + id, "reader@tu.example", "Approve", `value="` + until + `"`} {
		if w.Code != 200 || !strings.Contains(w.Body.String(), want) {
			t.Errorf("cmu's queue lacks %q: %d", want, w.Code)
		}
	}
	if r := e.form("/desk/requests/"+id, "decision=approve&scope=item&until="+until, "Cookie", arch); r.Code != http.StatusForbidden {
		t.Fatalf("a decision without the form's token: %d, want 403", r.Code)
	}
	if r := e.form("/desk/requests/"+id, "decision=approve&scope=item&until="+until, "Cookie", arch, "Origin", own); r.Code != http.StatusForbidden {
		t.Fatalf("a desk form is taken on an Origin alone, without the form's token: %d", r.Code)
	}
	csrf := between(w.Body.String(), `name="csrf" value="`, `"`)
	if r := e.form("/desk/requests/"+id, "decision=approve&scope=item&until="+until+"&csrf="+csrf, "Cookie", arch); r.Code != http.StatusSeeOther {
		t.Fatalf("approving at the desk: %d %s", r.Code, r.Body)
	}
	w = e.do("", "GET", "/account/requests?lang=en", "", "Cookie", reader)
	if !strings.Contains(w.Body.String(), "approved") || !strings.Contains(w.Body.String(), until) {
		t.Fatalf("the reader's page does not show the grant until %s: %s", until, w.Body)
	}
	if w := e.do("", "GET", "/iiif/3/"+e.item+"-1/full/max/0/default.jpg", "", "Cookie", reader); w.Code != 200 {
		t.Fatalf("the granted reader's image: %d", w.Code)
	}
	w = e.do("", "GET", "/account/data", "", "Cookie", reader)
	var data struct {
		Account  map[string]any
		Requests []struct{ ID, Status string }
		History  []repository.Event
	}
	if w.Code != 200 || !strings.Contains(w.Header().Get("Content-Disposition"), "attachment") || json.Unmarshal(w.Body.Bytes(), &data) != nil ||
		data.Account["email"] != "reader@tu.example" || len(data.Requests) != 1 || data.Requests[0].Status != "approved" || strings.Contains(w.Body.String(), "argon2") {
		t.Fatalf("the reader's data: %d %s", w.Code, w.Body)
	}
	var kinds []string
	for _, ev := range data.History {
		kinds = append(kinds, ev.Type)
		if ev.Agent != "reader@tu.example" && ev.Object != data.Account["id"] {
			t.Errorf("the reader's data holds another's event: %+v", ev)
		}
	}
	if got := strings.Join(kinds, ","); !strings.Contains(got, "account creation") || !strings.Contains(got, "access request") || !strings.Contains(got, repository.GrantView) {
		t.Fatalf("the reader's history holds %s", got)
	}
	if w := e.do("", "GET", "/desk/requests", "", "Cookie", admin); strings.Contains(w.Body.String(), `id="removals"`) {
		t.Fatalf("a removal shows before anyone asked")
	}
	csrf = between(e.do("", "GET", "/account/requests", "", "Cookie", reader).Body.String(), `name="csrf" value="`, `"`)
	if r := e.form("/account/remove", "csrf="+csrf, "Cookie", reader); r.Code != http.StatusSeeOther {
		t.Fatalf("asking for removal: %d %s", r.Code, r.Body)
	}
	if w := e.do("", "GET", "/desk/requests?lang=th", "", "Cookie", admin); !strings.Contains(w.Body.String(), "คำขอลบบัญชี") || !strings.Contains(w.Body.String(), "reader@tu.example") {
		t.Fatalf("tu's administrator does not see the removal request: %s", w.Body)
	}
	if w := e.do("", "GET", "/desk/requests", "", "Cookie", arch); strings.Contains(w.Body.String(), `id="removals"`) {
		t.Fatalf("another library's archivist sees tu's removal requests")
	}
}

// form posts a form.
func (e *grantEnv) form(path, body string, hdr ...string) *httptest.ResponseRecorder {
	return e.do("", "POST", path, body, append([]string{"Content-Type", "application/x-www-form-urlencoded"}, hdr...)...)
}

func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(after, to)
	return v
}
