package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
)

// untilFound polls the catalogue (as the system administrator) until it
// finds item by q: the index follows the store in the background.
func untilFound(t *testing.T, e *iiifEnv, q, item string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(e.do(t, "GET", "/api/v1/search?q="+q, "Authorization", "Bearer "+token).Body.String(), item) {
			return
		}
	}
	t.Fatalf("the catalogue never found %s by %q", item, q)
}

// The text of the pages of an item with reduced images is its content:
// searching inside it, its annotation pages and its ALTO are refused to
// whoever may not see it whole, and so the catalogue neither finds the
// item by the words of its pages nor quotes them, for anonymous visitors
// and another library's readers alike.
func TestReducedItemsPageTextIsNeitherFoundNorQuotedByTheCatalogue(t *testing.T) {
	e := newIIIFEnv(t)
	tu := tokenFor(t, e.store, "reader@tu.example", "tu", "reader", "read")
	it := textItem(t, e, []string{"the minutes say Zqpagesecret twice"}, []string{"and Zqpagesecret again"})
	it.Title = repository.Text{"en": "Zqreducedtitle"}
	it.Access.Level = repository.Reduced
	if err := e.store.SaveItem(context.Background(), it, "t"); err != nil {
		t.Fatal(err)
	}
	untilFound(t, e, "Zqreducedtitle", it.ID)
	for who, hdr := range map[string][]string{"anonymous": nil, "tu-reader": {"Authorization", "Bearer " + tu}} {
		for _, path := range []string{"/iiif/search/2/" + it.ID + "?q=Zqpagesecret", "/iiif/text/" + it.ID + "/1", "/api/v1/items/" + it.ID + "/files/1/alto"} {
			if w := e.do(t, "GET", path, hdr...); w.Code != http.StatusUnauthorized && w.Code != http.StatusForbidden {
				t.Errorf("%s: %s answers %d", who, path, w.Code)
			}
		}
		for _, path := range []string{"/api/v1/search?q=Zqpagesecret", "/search?q=Zqpagesecret", "/api/v1/search?q=Zqreducedtitle", "/search?q=Zqreducedtitle"} {
			w := e.do(t, "GET", path, hdr...)
			body := w.Body.String()
			if w.Code != http.StatusOK {
				t.Errorf("%s: %s answers %d", who, path, w.Code)
			}
			if strings.Contains(body, "minutes say") || strings.Contains(body, "and <mark>") || strings.Contains(path, "Zqpagesecret") && strings.Contains(body, it.ID) {
				t.Errorf("%s: %s finds or quotes the text of the pages: %.400s", who, path, body)
			}
			if strings.Contains(path, "Zqreducedtitle") && !strings.Contains(body, it.ID) {
				t.Errorf("%s: %s does not find the item by its title", who, path)
			}
		}
	}
}

// Access is inherited from every unit above, however deep the tree: an
// item filed seventy levels below a restricted fonds (a tree grown by
// imports and moves) stays restricted on its page, its images, its
// manifest, the finding aid of the unit it is in and the catalogue.
func TestAccessIsInheritedThroughTreesDeeperThanSixtyFourLevels(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	parent := ""
	for i := range 70 {
		c := &repository.Collection{Institution: "cmu", Parent: parent, Level: repository.Series, Title: repository.Text{"en": "Zqdeep" + strings.Repeat("x", i)}}
		if i == 0 {
			c.Level = repository.Fonds
			c.Access.Level = repository.Restricted
		}
		if err := e.store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
		parent = c.ID
	}
	item := strings.TrimSuffix(e.image, "-1")
	it, _ := e.store.Item(item)
	it.Collection = parent
	if err := e.store.SaveItem(ctx, it, "t"); err != nil {
		t.Fatal(err)
	}
	untilFound(t, e, "Quadrants", item)
	for _, path := range []string{"/items/" + item, "/iiif/3/" + e.image + "/info.json", "/iiif/3/" + e.image + "/full/64,/0/default.jpg",
		"/api/v1/items/" + item + "/files/1", "/fonds/" + parent, "/iiif/3/collection/" + parent + "/tree", "/api/v1/fonds/" + parent + "/ead.xml"} {
		if w := e.do(t, "GET", path); w.Code == http.StatusOK {
			t.Errorf("%s answers an anonymous visitor 200", path)
		}
	}
	if w := e.do(t, "GET", "/api/v1/search?q=Quadrants"); strings.Contains(w.Body.String(), item) {
		t.Error("the catalogue finds the item for an anonymous visitor")
	}
	if w := e.do(t, "GET", "/items/"+item, "Authorization", "Bearer "+token); w.Code != http.StatusOK {
		t.Errorf("the library's staff cannot open the item: %d", w.Code)
	}
}
