package web

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"slices"
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

// A listing's next and previous links name the last and the first item the
// page shows, so that a page deep in a library or a unit is a seek; the
// page they lead to is the one its number names, which links of old (a
// number alone) still reach.
func TestListingPagesLeadOnFromTheItemsTheyShowAndPageNumbersStillWork(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	if err := e.store.SaveCollection(ctx, &repository.Collection{ID: "tu-f", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Fonds"}}, "t"); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 100 {
		it := &repository.Item{Institution: "tu", Collection: "tu-f", Title: repository.Text{"en": fmt.Sprintf("Item %d", i)}}
		if err := e.store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
		want = append(want, it.ID)
	}
	slices.Sort(want)
	shown := regexp.MustCompile(`<li><a href="/items/([^"]+)">`)
	link := func(rel, body string) string {
		m := regexp.MustCompile(`<a rel="` + rel + `" href="([^"]+)">`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return html.UnescapeString(m[1])
	}
	page := func(path string) (ids []string, prev, next string) {
		t.Helper()
		w := e.do(t, "GET", path)
		if w.Code != 200 {
			t.Fatalf("%s: %d", path, w.Code)
		}
		for _, m := range shown.FindAllStringSubmatch(w.Body.String(), -1) {
			ids = append(ids, m[1])
		}
		return ids, link("prev", w.Body.String()), link("next", w.Body.String())
	}
	for _, base := range []string{"/libraries/tu", "/collections/tu-f"} {
		ids, _, next := page(base + "?lang=en")
		if !slices.Equal(ids, want[:48]) || next != base+"?after="+want[47]+"&lang=en&page=2" {
			t.Fatalf("%s: first page %v, next %q", base, ids, next)
		}
		ids, prev, next := page(next)
		if !slices.Equal(ids, want[48:96]) || prev != base+"?before="+want[48]+"&lang=en&page=1" || next != base+"?after="+want[95]+"&lang=en&page=3" {
			t.Fatalf("%s: second page %v, prev %q, next %q", base, ids, prev, next)
		}
		if ids, _, _ := page(prev); !slices.Equal(ids, want[:48]) {
			t.Fatalf("%s: back to the first: %v", base, ids)
		}
		if ids, _, last := page(next); !slices.Equal(ids, want[96:]) || last != "" {
			t.Fatalf("%s: last page %v, next %q", base, ids, last)
		}
		if ids, _, _ := page(base + "?page=2"); !slices.Equal(ids, want[48:96]) {
			t.Fatalf("%s: page 2 by its number: %v", base, ids)
		}
	}
}

// Closing a unit that holds many items hides them from every listing at
// once, while the store is still listing them again (stopped here after
// its first batch): each page decides its own items for its reader.
func TestNarrowingABigUnitsAccessHidesItsItemsFromListingsAtOnce(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	unit := &repository.Collection{ID: "tu-f", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Fonds"}}
	if err := e.store.SaveCollection(ctx, unit, "t"); err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		it := &repository.Item{Institution: "tu", Collection: "tu-f", Title: repository.Text{"en": fmt.Sprintf("Zqitem %d", i)}}
		if err := e.store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	paths := []string{"/libraries/tu?lang=en", "/libraries/tu?lang=en&page=2", "/iiif/3/collection/tu/page/1"}
	if body := e.do(t, "GET", paths[0]).Body.String(); strings.Count(body, "Zqitem") < 48 {
		t.Fatalf("before: %d items shown", strings.Count(body, "Zqitem"))
	}
	e.store.RelistBatch = 10
	e.store.RelistPause = func() bool { return false }
	unit.Access = repository.Access{Level: repository.Restricted}
	if err := e.store.SaveCollection(ctx, unit, "t"); err != nil {
		t.Fatal(err)
	}
	if _, n, err := e.store.ListedItems("tu", repository.TierAnyone, repository.At{}, 0); err != nil || n != 50 {
		t.Fatalf("the store lists %d to everyone (%v), want the 50 not yet placed again", n, err)
	}
	for _, path := range paths {
		if w := e.do(t, "GET", path); strings.Contains(w.Body.String(), "Zqitem") {
			t.Errorf("%s (%d) shows an item of the closed unit:\n%s", path, w.Code, w.Body)
		}
	}
}
