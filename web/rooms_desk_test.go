package web

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestDeskFormsSetAndClearTheReadingRoom(t *testing.T) {
	e := newDeskEnv(t)
	it := e.bare
	for _, lang := range []string{"th", "en"} {
		code, body := e.get(t, "/desk/items/"+it.ID+"?lang="+lang)
		want := map[string]string{"th": "อ่านได้เฉพาะในห้องอ่านของห้องสมุด", "en": "Readable only in the library's reading rooms"}[lang]
		if code != http.StatusOK || !strings.Contains(body, `name="reading_room"`) || !strings.Contains(body, html.EscapeString(want)) {
			t.Errorf("the item form in %s: %d, no reading-room box saying %q", lang, code, want)
		}
	}
	for _, c := range []struct { // in order: each save is at the version the one before left
		v    int
		room bool
	}{{1, true}, {2, false}} {
		v, room := c.v, c.room
		form := url.Values{"csrf": {e.csrf}, "version": {fmt.Sprint(v)}, "title_en": {"Scan"}, "access": {"public"}}
		if room {
			form.Set("reading_room", "1")
		}
		if code, body := e.post(t, "/desk/items/"+it.ID, form); code != http.StatusSeeOther {
			t.Fatalf("saving version %d: %d %.300s", v, code, body)
		}
		got, err := e.store.Item(it.ID)
		if err != nil || got.Access.ReadingRoom != room {
			t.Fatalf("after saving with the box %v: %+v %v", room, got.Access, err)
		}
	}
	// An archival unit, and a collection, the same way.
	unit := e.addUnit(t, "", "fonds", "", "กลุ่มเอกสารเปราะบาง", "Fragile papers")
	col, err := e.store.Collection(unit)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"csrf": {e.csrf}, "version": {fmt.Sprint(col.Version)}, "level": {"fonds"}, "title_en": {"Fragile papers"}, "access": {"public"}, "reading_room": {"1"}}
	if code, body := e.post(t, "/desk/units/"+unit, form); code != http.StatusSeeOther {
		t.Fatalf("saving the unit: %d %.300s", code, body)
	}
	if col, err = e.store.Collection(unit); err != nil || !col.Access.ReadingRoom {
		t.Fatalf("the unit after saving with the box: %+v %v", col.Access, err)
	}
	if code, body := e.get(t, "/desk/units/"+unit); code != http.StatusOK || !strings.Contains(body, `name="reading_room" type="checkbox" value="1" checked`) {
		t.Errorf("the unit form does not show the box checked: %d", code)
	}
	col, _ = e.store.Collection("cmu-letters")
	form = url.Values{"csrf": {e.csrf}, "version": {fmt.Sprint(col.Version)}, "institution": {"cmu"}, "level": {"series"}, "title_en": {"Letters"}, "access": {"public"}, "reading_room": {"1"}}
	if code, body := e.post(t, "/desk/collections/cmu-letters", form); code != http.StatusSeeOther {
		t.Fatalf("saving the collection: %d %.300s", code, body)
	}
	if col, err = e.store.Collection("cmu-letters"); err != nil || !col.Access.ReadingRoom {
		t.Fatalf("the collection after saving with the box: %+v %v", col.Access, err)
	}
	if code, body := e.get(t, "/desk/collections/cmu-letters?lang=th"); code != http.StatusOK || !strings.Contains(body, "อ่านได้เฉพาะในห้องอ่านของห้องสมุด") {
		t.Errorf("the collection form in Thai has no reading-room box: %d", code)
	}
}

func TestJSONAPISetsTheReadingRoomAndShowsIt(t *testing.T) {
	e := newDeskEnv(t)
	body := `{"version": 1, "access": {"level": "public", "readingRoom": true}}`
	req := httptest.NewRequest(http.MethodPost, "/api/v1/items/"+e.bare.ID, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, req)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"readingRoom":true`) {
		t.Fatalf("update: %d %s", w.Code, w.Body)
	}
	if got, err := e.store.Item(e.bare.ID); err != nil || !got.Access.ReadingRoom {
		t.Fatalf("after the update: %+v %v", got.Access, err)
	}
}
