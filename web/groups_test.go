package web

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository/bolt"
)

// group makes a group of owner's (a token) with the members named by
// their addresses, through the JSON API, and returns its audience.
func (e *annoEnv) group(t testing.TB, owner, name string, members ...string) string {
	t.Helper()
	w := e.do(owner, "POST", "/api/v1/groups", `{"name": {"en": "`+name+`"}}`)
	var g groupJSON
	if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &g) != nil || g.Audience != "group:"+g.ID || sharedCacheable(w.Header()) {
		t.Fatalf("making a group: %d %v %s", w.Code, w.Header(), w.Body)
	}
	for _, m := range members {
		if w := e.do(owner, "POST", "/api/v1/groups/"+g.ID, `{"action": "add", "email": "`+m+`"}`); w.Code != http.StatusOK {
			t.Fatalf("adding %s: %d %s", m, w.Code, w.Body)
		}
	}
	return g.Audience
}

// groupSight says what asker (a token, "" for anonymous) gets of an
// annotation of item whose text is text: each answer that holds it, and
// each that holds it a shared cache may keep.
func (e *annoEnv) groupSight(t testing.TB, asker, item, path, text string) (seen, cacheable []string) {
	t.Helper()
	for _, p := range []string{"/annotations/" + item + "/?page=0", "/annotations/" + item + "/1/?page=0", path,
		"/annotations/" + item + "/export?format=iiif", "/annotations/" + item + "/export?format=text", "/annotations/" + item + "/export?format=tei"} {
		w := e.do(asker, "GET", p, "")
		if w.Code >= 500 {
			t.Fatalf("GET %s: %d %s", p, w.Code, w.Body)
		}
		if strings.Contains(w.Body.String(), text) {
			seen = append(seen, p)
			if sharedCacheable(w.Header()) {
				cacheable = append(cacheable, p)
			}
		}
	}
	return seen, cacheable
}

func TestGroupAnnotationIsReadByTheGroupAndItsAuthorOnlyNeverCachedAndStopsForAMemberRemoved(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	outsider := tokenFor(t, e.store, "outsider@chula.example", "chula", "reader", "write")
	teacher := tokenFor(t, e.store, "teacher@chula.example", "chula", "reader", "write")
	// The teacher's class: the tu reader and cmu's reader.
	class := e.group(t, teacher, "Lanna inscriptions", "reader@tu.example", "other@cmu.example")
	path, _ := e.post(t, e.reader, e.public, note(e.public, class, "ข้อสังเกตของชั้นเรียน"))
	e.post(t, e.reader, e.public, note(e.public, "public", "ใบลานสาธารณะ"))

	for name, tok := range map[string]string{"its author": e.reader, "a member": e.other, "the owner": teacher} {
		seen, cacheable := e.groupSight(t, tok, e.public, path, "ข้อสังเกตของชั้นเรียน")
		if len(seen) != 6 || len(cacheable) > 0 {
			t.Errorf("%s sees the group's annotation in %v (of 6), cacheable in %v", name, seen, cacheable)
		}
	}
	for name, tok := range map[string]string{"a signed-in outsider": outsider, "cmu's archivist": e.cmuArchivst, "an anonymous visitor": ""} {
		if seen, _ := e.groupSight(t, tok, e.public, path, "ข้อสังเกตของชั้นเรียน"); len(seen) > 0 {
			t.Errorf("%s sees the group's annotation in %v", name, seen)
		}
		if w := e.do(tok, "GET", path, ""); w.Code != http.StatusNotFound {
			t.Errorf("%s GETs the group's annotation: %d", name, w.Code)
		}
		if m := annoDoc(t, e.do(tok, "GET", "/annotations/"+e.public+"/", "")); m["total"] != 1.0 {
			t.Errorf("%s counts %v annotations, want the public one", name, m["total"])
		}
	}
	if w := e.do(e.other, "GET", "/iiif/3/manifest/"+e.public, ""); w.Code != 200 || strings.Contains(w.Body.String(), "ข้อสังเกตของชั้นเรียน") {
		t.Fatalf("the manifest holds the group's annotation: %d", w.Code)
	}

	// Removed from the class, cmu's reader reads it no more from the next
	// request on.
	g := strings.TrimPrefix(class, "group:")
	if w := e.do(teacher, "POST", "/api/v1/groups/"+g, `{"action": "remove", "email": "other@cmu.example"}`); w.Code != http.StatusOK {
		t.Fatalf("removing a member: %d %s", w.Code, w.Body)
	}
	if seen, _ := e.groupSight(t, e.other, e.public, path, "ข้อสังเกตของชั้นเรียน"); len(seen) > 0 {
		t.Fatalf("a removed member still sees the group's annotation in %v", seen)
	}

	// Nor after a rebuild from storage alone: the groups come back as they were.
	e.store.Close()
	if err := os.Remove(e.db); err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), e.db, e.blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e.store = store
	if e.srv, err = New(withServices(t, Config{Store: store, Blobs: e.blobs, Hosts: testHosts})); err != nil {
		t.Fatal(err)
	}
	if seen, _ := e.groupSight(t, e.other, e.public, path, "ข้อสังเกตของชั้นเรียน"); len(seen) > 0 {
		t.Fatalf("after a rebuild, the removed member sees the group's annotation in %v", seen)
	}
	if seen, _ := e.groupSight(t, teacher, e.public, path, "ข้อสังเกตของชั้นเรียน"); len(seen) != 6 {
		t.Fatalf("after a rebuild, the group's owner sees its annotation in %v only", seen)
	}
	w := e.do(e.reader, "GET", "/api/v1/groups", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"Lanna inscriptions"`) || !strings.Contains(w.Body.String(), "teacher@chula.example") ||
		strings.Contains(w.Body.String(), "other@cmu.example") || sharedCacheable(w.Header()) {
		t.Fatalf("a member's groups after a rebuild: %d %v %s", w.Code, w.Header(), w.Body)
	}
}

func TestOnlyAMemberAddressesAGroupAndAMemberWhoMayNotSeeTheItemSeesNothingOfIt(t *testing.T) {
	e := newAnnoEnv(t, 1000)
	outsider := tokenFor(t, e.store, "outsider@chula.example", "chula", "reader", "write")
	team := e.group(t, e.cmuArchivst, "Conservation team", "reader@tu.example")
	w := e.do(outsider, "POST", "/annotations/"+e.public+"/1/", note(e.public, team, "ไม่ใช่สมาชิก"))
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "not in group "+strings.TrimPrefix(team, "group:")) {
		t.Fatalf("a non-member addresses the group: %d %s", w.Code, w.Body)
	}
	for _, bad := range []string{"group:", "group:../x", "group:NO SUCH", "team"} {
		if w := e.do(e.reader, "POST", "/annotations/"+e.public+"/1/", note(e.public, bad, "x")); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"audience" must be`) {
			t.Errorf("audience %q: %d %s", bad, w.Code, w.Body)
		}
	}
	if w := e.do(e.reader, "POST", "/annotations/"+e.public+"/1/", note(e.public, "group:abcdefghjk", "x")); w.Code != http.StatusForbidden {
		t.Errorf("a group that does not exist: %d %s", w.Code, w.Body)
	}
	// Nor by an import of the library's staff.
	theirs := e.group(t, outsider, "Outsiders")
	w = e.do(e.cmuArchivst, "POST", "/annotations/"+e.public+"/import", `{"type": "AnnotationPage", "items": [`+note(e.public, theirs, "นำเข้า")+`]}`)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "annotation 1: you are not in group "+strings.TrimPrefix(theirs, "group:")) {
		t.Fatalf("an import addressed to a group its importer is not in: %d %s", w.Code, w.Body)
	}
	// An author who leaves the group may no longer address it.
	path, tag := e.post(t, e.reader, e.public, note(e.public, team, "ก่อนออกจากกลุ่ม"))
	if w := e.do(e.reader, "POST", "/api/v1/groups/"+strings.TrimPrefix(team, "group:"), `{"action": "leave"}`); w.Code != http.StatusNoContent {
		t.Fatalf("leaving: %d %s", w.Code, w.Body)
	}
	if w := e.do(e.reader, "PUT", path, note(e.public, team, "หลังออกจากกลุ่ม"), "If-Match", tag); w.Code != http.StatusForbidden {
		t.Fatalf("a former member keeps addressing the group: %d %s", w.Code, w.Body)
	}
	if w := e.do(e.reader, "GET", path, ""); w.Code != 200 || !strings.Contains(w.Body.String(), "ก่อนออกจากกลุ่ม") {
		t.Fatalf("its author no longer reads the annotation: %d %s", w.Code, w.Body)
	}

	// The closed letter: cmu's archivist may read it, the tu reader may not.
	circle := e.group(t, e.cmuArchivst, "Closed letters", "reader@tu.example")
	closed, _ := e.post(t, e.cmuArchivst, e.closed, note(e.closed, circle, "จดหมายลับ"))
	for _, p := range []string{closed, "/annotations/" + e.closed + "/", "/annotations/" + e.closed + "/1/?page=0", "/annotations/" + e.closed + "/export"} {
		if w := e.do(e.reader, "GET", p, ""); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "จดหมายลับ") {
			t.Errorf("a member who may not see the item GETs %s: %d %.200s", p, w.Code, w.Body)
		}
	}
}
