package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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

// A reader of another library, signed in with a session, sees of a fonds
// what an anonymous visitor sees, and no answer built for them may be kept
// by a shared cache; nor may the text of a public item they search inside.
func TestAnotherLibrarysReaderSeesNoRestrictedUnitAndNothingIsCachedForThem(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	for _, c := range []*repository.Collection{
		{ID: "open-fonds", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Openfonds"}},
		{ID: "shut-series", Institution: "cmu", Parent: "open-fonds", Level: repository.Series, Title: repository.Text{"en": "Zqshutseries"}, Access: repository.Access{Level: repository.Restricted}},
		{ID: "shut-file", Institution: "cmu", Parent: "shut-series", Level: repository.FileLevel, Title: repository.Text{"en": "Zqshutfile"}},
	} {
		if err := e.store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	text := textItem(t, e, []string{"open words here"})
	addUser(t, e.store, "reader@tu.example", "tu", "reader")
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	client, _ := signedIn(t, ts.URL, "reader@tu.example")
	for _, path := range []string{"/fonds/open-fonds", "/fonds/open-fonds/print", "/api/v1/fonds/open-fonds/ead.xml", "/iiif/3/collection/open-fonds/tree",
		"/iiif/3/collection/open-fonds", "/fonds/shut-series", "/api/v1/fonds/shut-file/ead.xml", "/iiif/3/collection/shut-file/tree",
		"/search?q=Zqshutseries", "/api/v1/search?q=open", "/iiif/search/2/" + text.ID + "?q=open", "/iiif/autocomplete/1/" + text.ID + "?q=op",
		"/iiif/text/" + text.ID + "/1"} {
		resp, err := client.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), "Zqshut") && !strings.Contains(path, "q=Zqshut") {
			t.Errorf("%s shows a restricted unit to another library's reader", path)
		}
		if cc := resp.Header.Get("Cache-Control"); resp.StatusCode == http.StatusOK && !strings.Contains(cc, "private") {
			t.Errorf("%s for a signed-in reader: Cache-Control %q", path, cc)
		}
	}
}

// A search with an operator it does not know is refused with a sentence
// naming the ones it knows, rather than searched as another.
func TestSearchRefusesAnUnknownOperator(t *testing.T) {
	e := newIIIFEnv(t)
	for _, path := range []string{"/api/v1/search?q=quadrants&op=xor", "/search?q=quadrants&op=or"} {
		w := e.do(t, "GET", path)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "any (any word)") {
			t.Errorf("%s: %d %.200s", path, w.Code, w.Body.String())
		}
	}
	for _, path := range []string{"/api/v1/search?q=quadrants&op=any", "/api/v1/search?q=quadrants&op=all"} {
		if w := e.do(t, "GET", path); w.Code != http.StatusOK {
			t.Errorf("%s: %d", path, w.Code)
		}
	}
}

// A decade that is not one is refused with a sentence, not answered with
// nothing found.
func TestSearchRefusesADecadeThatIsNotOne(t *testing.T) {
	e := newIIIFEnv(t)
	for _, path := range []string{"/api/v1/search?q=quadrants&decade=abc", "/search?decade=1965", "/api/v1/search?decade=-10"} {
		w := e.do(t, "GET", path)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "such as 1960") {
			t.Errorf("%s: %d %.200s", path, w.Code, w.Body.String())
		}
	}
	if w := e.do(t, "GET", "/api/v1/search?q=quadrants&decade=1960"); w.Code != http.StatusOK {
		t.Errorf("a real decade: %d", w.Code)
	}
}
