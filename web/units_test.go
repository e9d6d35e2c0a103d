package web

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// A library's page shows its top-level archival units a page at a time:
// the first 48 the visitor's tier lists, how many it lists and a link to
// the rest, which leads on from the last unit shown and back to the first;
// restricted units only to the library's readers, curated collections and
// units below the top not at all; in Thai as in English.
func TestLibraryPageShowsItsUnitsAPageAtATime(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	var units []*repository.Collection
	for i := range 50 {
		units = append(units, &repository.Collection{ID: fmt.Sprintf("tu-open-%02d", i), Level: repository.Fonds})
	}
	for i := range 3 {
		units = append(units, &repository.Collection{ID: fmt.Sprintf("tu-shut-%d", i), Level: repository.Fonds, Access: repository.Access{Level: repository.Restricted}})
	}
	units = append(units,
		&repository.Collection{ID: "tu-curated", Level: repository.Curated},
		&repository.Collection{ID: "tu-below", Level: repository.Series, Parent: "tu-open-00"})
	for _, u := range units {
		u.Institution, u.Title = "tu", repository.Text{"en": "Unit " + u.ID, "th": "หน่วย " + u.ID}
		if err := e.store.SaveCollection(ctx, u, "t"); err != nil {
			t.Fatal(err)
		}
	}
	shown := regexp.MustCompile(`<a href="/collections/([^"]+)">Unit `)
	page := func(path string, hdr ...string) (ids []string, body string) {
		t.Helper()
		w := e.do(t, "GET", path, hdr...)
		if w.Code != 200 {
			t.Fatalf("%s: %d", path, w.Code)
		}
		body = w.Body.String()
		for _, m := range shown.FindAllStringSubmatch(body, -1) {
			ids = append(ids, m[1])
		}
		return ids, body
	}
	next := regexp.MustCompile(`<a rel="next" href="([^"]+)">more collections</a>`)

	ids, body := page("/libraries/tu?lang=en")
	if len(ids) != 48 || ids[0] != "tu-open-00" || ids[47] != "tu-open-47" || !strings.Contains(body, "50 collections in all") || strings.Contains(body, "first collections") {
		t.Fatalf("first page: %v\n%s", ids, body)
	}
	m := next.FindStringSubmatch(body)
	if m == nil || html.UnescapeString(m[1]) != "/libraries/tu?lang=en&units=tu-open-47" {
		t.Fatalf("first page: no link to the rest: %v", m)
	}
	ids, body = page(html.UnescapeString(m[1]))
	if fmt.Sprint(ids) != "[tu-open-48 tu-open-49]" || next.MatchString(body) || !strings.Contains(body, `<a href="/libraries/tu?lang=en">first collections</a>`) {
		t.Fatalf("the rest: %v\n%s", ids, body)
	}
	if _, body := page("/libraries/tu?lang=th"); !strings.Contains(body, "50 ชุดเอกสารทั้งหมด") || !strings.Contains(body, ">ชุดเอกสารถัดไป</a>") {
		t.Fatalf("in Thai:\n%s", body)
	}
	// A cursor that names no unit starts at the first.
	if ids, _ := page("/libraries/tu?lang=en&units=%2F..%2F"); len(ids) != 48 || ids[0] != "tu-open-00" {
		t.Fatalf("a bad cursor: %v", ids)
	}
	// The library's reader lists the restricted units too.
	tok := tokenFor(t, e.store, "reader@tu.example", "tu", "reader", "read")
	ids, body = page("/libraries/tu?lang=en&units=tu-open-47", "Authorization", "Bearer "+tok)
	if fmt.Sprint(ids) != "[tu-open-48 tu-open-49 tu-shut-0 tu-shut-1 tu-shut-2]" || !strings.Contains(body, "53 collections in all") {
		t.Fatalf("the reader's rest: %v\n%s", ids, body)
	}
}

// The home page shows each library's curated collections that the visitor
// may see, and nothing else of the libraries' units.
func TestHomeShowsTheCuratedCollectionsTheVisitorMaySee(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	for _, u := range []*repository.Collection{
		{ID: "tu-shared", Institution: "tu", Level: repository.Curated},
		{ID: "cmu-shared", Institution: "cmu", Level: repository.Curated, Order: -1},
		{ID: "cmu-closed", Institution: "cmu", Level: repository.Curated, Access: repository.Access{Level: repository.Restricted}},
		{ID: "cmu-fonds", Institution: "cmu", Level: repository.Fonds},
	} {
		u.Title = repository.Text{"en": "Coll " + u.ID}
		if err := e.store.SaveCollection(ctx, u, "t"); err != nil {
			t.Fatal(err)
		}
	}
	shown := regexp.MustCompile(`<a href="/collections/([^"]+)">Coll `)
	home := func(hdr ...string) string {
		w := e.do(t, "GET", "/?lang=en", hdr...)
		var ids []string
		for _, m := range shown.FindAllStringSubmatch(w.Body.String(), -1) {
			ids = append(ids, m[1])
		}
		return fmt.Sprint(w.Code, ids)
	}
	if got := home(); got != "200 [cmu-shared tu-shared]" {
		t.Errorf("anonymous: %s", got)
	}
	tok := tokenFor(t, e.store, "reader@cmu.example", "cmu", "reader", "read")
	if got := home("Authorization", "Bearer "+tok); got != "200 [cmu-shared cmu-closed tu-shared]" {
		t.Errorf("cmu's reader: %s", got)
	}
}
