package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestDeskAnswersAHiddenItemAsNotFoundBeforeReadingTheForm: a Chiang Mai
// archivist's save, restore and withdrawal of Thammasat's restricted item
// are answered exactly as for an identifier that never existed, 404, even
// when the form itself is wrong (no version, no reason): the form is read
// only once access has been decided.
func TestDeskAnswersAHiddenItemAsNotFoundBeforeReadingTheForm(t *testing.T) {
	e := newDeskEnv(t)
	forms := map[string]url.Values{
		"":          {"csrf": {e.csrf}, "title_en": {"Changed"}},
		"/restore":  {"csrf": {e.csrf}, "v": {"1"}},
		"/withdraw": {"csrf": {e.csrf}, "reason": {" "}},
	}
	for path, form := range forms {
		hs, hb := e.post(t, "/desk/items/"+e.tu.ID+path, form)
		ns, nb := e.post(t, "/desk/items/zz-never-was"+path, form)
		if hs != http.StatusNotFound || hs != ns || strings.ReplaceAll(hb, e.tu.ID, "ID") != strings.ReplaceAll(nb, "zz-never-was", "ID") {
			t.Errorf("POST /desk/items/ID%s: the hidden item answers %d %.200q, a missing one %d %.200q; want 404 alike", path, hs, hb, ns, nb)
		}
	}
	if it, err := e.store.Item(e.tu.ID); err != nil || it.Version != e.tu.Version || it.Deleted || it.Title["en"] != "Zqtusecret" {
		t.Errorf("the hidden item was changed: %+v %v", it, err)
	}
	// Their own item without a version is the form's mistake.
	if st, body := e.post(t, "/desk/items/"+e.letter.ID, forms[""]); st != http.StatusBadRequest || !strings.Contains(body, "version") {
		t.Errorf("their own item's form without a version: %d %.200q; want 400 naming the version", st, body)
	}
}
