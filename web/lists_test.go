package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// A library that hides its restricted items does not have them counted: an
// anonymous visitor's pages and collections hold and count the items they
// may see, with no empty pages or labels that give the hidden ones away; the
// library's own reader gets them all.
func TestHiddenItemsAreNotCounted(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	if err := e.store.SaveCollection(ctx, &repository.Collection{ID: "tu-f", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Fonds"}}, "t"); err != nil {
		t.Fatal(err)
	}
	for i := range 53 {
		it := &repository.Item{Institution: "tu", Collection: "tu-f", Title: repository.Text{"en": fmt.Sprintf("Open item %d", i)}}
		if i >= 3 {
			it.Title = repository.Text{"en": fmt.Sprintf("Zqhidden %d", i)}
			it.Access = repository.Access{Level: repository.Restricted}
		}
		if err := e.store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/libraries/tu?lang=en", "/collections/tu-f?lang=en"} {
		w := e.do(t, "GET", path)
		body := w.Body.String()
		if w.Code != 200 || strings.Count(body, "Open item") != 3 || strings.Contains(body, "Zqhidden") || strings.Contains(body, "page=2") {
			t.Errorf("%s: %d, %d open items, hidden ones or a second page:\n%s", path, w.Code, strings.Count(body, "Open item"), body)
		}
	}
	for _, path := range []string{"/iiif/3/collection/tu/page/1", "/iiif/3/collection/tu-f"} {
		w := e.do(t, "GET", path)
		body := w.Body.String()
		if w.Code != 200 || strings.Contains(body, "Zqhidden") || strings.Count(body, `"type":"Manifest"`) != 3 {
			t.Errorf("%s: %d, want the 3 open items:\n%s", path, w.Code, body)
		}
		if strings.Contains(path, "page") && !strings.Contains(body, "Items 1–3") {
			t.Errorf("%s: the label counts items the visitor may not see:\n%s", path, body)
		}
	}
	tok := tokenFor(t, e.store, "reader@tu.example", "tu", "reader", "read")
	w := e.do(t, "GET", "/iiif/3/collection/tu/page/1", "Authorization", "Bearer "+tok)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Items 1–53") {
		t.Errorf("the library's reader: %d %.300s", w.Code, w.Body)
	}
}
