package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// TestDeskAnswersAHiddenCollectionAsOneThatDoesNotExist: to a Chiang Mai
// archivist, every desk path that takes a collection or unit id answers
// Thammasat's restricted collection exactly as an id that never existed
// (status and words, but for the id), and a Thammasat collection they may
// see but not edit with 403; a new unit's taken id is refused alike
// whoever holds it, and no answer tells a version.
func TestDeskAnswersAHiddenCollectionAsOneThatDoesNotExist(t *testing.T) {
	e := newDeskEnv(t)
	ctx := context.Background()
	for _, c := range []*repository.Collection{
		{ID: "tu-secret-project", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Zqsecret"}, Access: repository.Access{Level: repository.Restricted}},
		{ID: "cmu-papers", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Papers"}},
	} {
		if err := e.store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	type ask struct {
		method, path string
		form         url.Values
	}
	paths := func(id string) []ask {
		f := func(kv ...string) url.Values {
			v := url.Values{"csrf": {e.csrf}, "title_en": {"Changed"}, "level": {"series"}}
			for i := 0; i < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		return []ask{
			{"GET", "/desk/collections/" + id, nil},
			{"POST", "/desk/collections/" + id, f("version", "0", "institution", "cmu")},
			{"POST", "/desk/collections", f("institution", "cmu", "parent", id)},
			{"GET", "/desk/units/" + id, nil},
			{"POST", "/desk/units/" + id, f("version", "0")},
			{"GET", "/desk/units/new?parent=" + id, nil},
			{"POST", "/desk/units", f("parent", id)},
			{"GET", "/desk/fonds/" + id, nil},
			{"POST", "/desk/fonds/" + id + "/move", f("unit", id, "parent", "cmu-papers")},
			{"POST", "/desk/fonds/" + id + "/move", f("unit", id, "up", "1")},
			{"POST", "/desk/fonds/cmu-papers/move", f("unit", "cmu-letters", "parent", id)},
			{"POST", "/desk/ead", f("parent", id)},
		}
	}
	do := func(a ask) (int, string) {
		if a.method == "GET" {
			return e.get(t, a.path)
		}
		return e.post(t, a.path, a.form)
	}
	hidden, never := paths("tu-secret-project"), paths("tu-never-was")
	for i := range hidden {
		hs, hb := do(hidden[i])
		ns, nb := do(never[i])
		hb = strings.ReplaceAll(hb, "tu-secret-project", "ID")
		nb = strings.ReplaceAll(nb, "tu-never-was", "ID")
		if hs != ns || hb != nb {
			t.Errorf("%s %s: the hidden collection answers %d %.300q, a missing one %d %.300q", hidden[i].method, hidden[i].path, hs, hb, ns, nb)
		}
		if hs < 400 || strings.Contains(hb, "version") || strings.Contains(hb, "Zqsecret") {
			t.Errorf("%s %s: %d %.300q", hidden[i].method, hidden[i].path, hs, hb)
		}
	}
	for _, a := range paths("tu-maps")[:2] {
		if st, body := do(a); st != http.StatusForbidden {
			t.Errorf("%s %s, a collection the archivist may see but not edit: %d %q", a.method, a.path, st, body)
		}
	}
	// A new unit may not take an id in use, wherever it is; the answer is
	// the same for the hidden collection's id and for one of their own.
	create := func(id string) (int, string) {
		st, body := e.post(t, "/desk/units", url.Values{"csrf": {e.csrf}, "id": {id}, "institution": {"cmu"}, "level": {"fonds"}, "title_en": {"New"}})
		return st, strings.ReplaceAll(body, id, "ID")
	}
	hs, hb := create("tu-secret-project")
	os, ob := create("cmu-papers")
	if hs != http.StatusConflict || hs != os || hb != ob || strings.Contains(hb, "version") {
		t.Errorf("a new unit with a taken id: hidden %d %.300q, own %d %.300q", hs, hb, os, ob)
	}
	if c, err := e.store.Collection("tu-secret-project"); err != nil || c.Version != 1 || c.Title["en"] != "Zqsecret" {
		t.Errorf("the hidden collection was changed: %+v %v", c, err)
	}
}
