package web

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// englishIn lists the interface's English words (those with a Thai
// translation) that appear in text, whole phrases only.
func englishIn(text string) []string {
	var found []string
	for key, w := range messages {
		en := strings.TrimSpace(w[1])
		// The languages' own names (the switch, the fields in English) are meant.
		// A single lower-case word is often a code the Thai names too (a column, a level).
		if len(en) < 4 || en == w[0] || strings.ContainsAny(en, "%{") || key == "lang_en" || key == "other_lang" || regexp.MustCompile(`^[a-z]+$`).MatchString(en) {
			continue
		}
		if regexp.MustCompile(`(^|[^\pL])` + regexp.QuoteMeta(en) + `($|[^\pL])`).MatchString(text) {
			found = append(found, key+": "+en)
		}
	}
	// And English the archive writes that is not a label (an event's
	// detail, an error): two lower-case English words in a row.
	for _, m := range regexp.MustCompile(`(^|[^\pL.@-])([a-z]{2,} [a-z]{3,})($|[^\pL.@-])`).FindAllStringSubmatch(text, -1) {
		found = append(found, "written: "+m[2])
	}
	sort.Strings(found)
	return found
}

// pageText is what a reader meets on a page: its text and the words of
// its attributes (labels, titles, placeholders, button values), without
// scripts, styles and addresses.
func pageText(body string) string {
	body = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>`).ReplaceAllString(body, " ")
	var words []string
	for _, m := range regexp.MustCompile(`(?:aria-label|title|placeholder|alt|data-[a-z-]+)="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		words = append(words, m[1])
	}
	body = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " ")
	return html.UnescapeString(body + " " + strings.Join(words, " "))
}

// TestThaiDeskPagesSayNoEnglishThatHasAThaiWord walks the desk's pages in
// Thai (the desk, the items, an item's form with its history, the fonds,
// an outline, a unit's form and its refusal, a collection's form) and
// fails on an English word of the interface, or English the archive
// wrote (an event's detail, an error), on any of them.
func TestThaiDeskPagesSayNoEnglishThatHasAThaiWord(t *testing.T) {
	e := newDeskEnv(t)
	ctx := context.Background()
	if err := e.store.SaveCollection(ctx, &repository.Collection{ID: "cmu-f", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"th": "กลุ่ม", "en": "Fonds"}}, "t"); err != nil {
		t.Fatal(err)
	}
	// A history: the letter edited once at the desk.
	if code, body := e.post(t, "/desk/items/"+e.letter.ID, url.Values{"csrf": {e.csrf}, "version": {"1"}, "title_th": {"จดหมายฉบับแก้"}, "title_en": {"Zqletter"},
		"type": {"Text"}, "date": {"1962"}, "rights": {e.letter.Rights}, "access": {"public"}, "collection": {"cmu-letters"}}); code != 303 {
		t.Fatalf("editing the letter: %d %.300s", code, body)
	}
	pages := map[string]func() (int, string){}
	for _, p := range []string{"/desk", "/desk/items?institution=cmu", "/desk/items/" + e.letter.ID, "/desk/fonds", "/desk/fonds/cmu-f",
		"/desk/units/cmu-f", "/desk/units/new?parent=cmu-f", "/desk/collections/new", "/desk/collections/cmu-letters"} {
		pages[p] = func() (int, string) { return e.get(t, p+sep(p)+"lang=th") }
	}
	pages["a unit with a date that is not one"] = func() (int, string) {
		return e.post(t, "/desk/units/cmu-f?lang=th", url.Values{"csrf": {e.csrf}, "version": {"1"}, "level": {"fonds"}, "title_th": {"กลุ่ม"}, "date": {"เมื่อวานนี้"}, "access": {"public"}})
	}
	// The items' collections are named by their titles, not their ids.
	if _, body := e.get(t, "/desk/items?institution=cmu&lang=th"); strings.Contains(body, "<td>cmu-letters</td>") || !strings.Contains(body, "<td>Letters</td>") {
		t.Errorf("the Thai list of items names its collections by id")
	}
	for name, get := range pages {
		code, body := get()
		if code >= 500 || code == 404 {
			t.Errorf("%s: %d", name, code)
			continue
		}
		if found := englishIn(pageText(body)); len(found) > 0 {
			t.Errorf("the Thai page %s says in English: %s", name, strings.Join(found, "; "))
		}
	}
}
