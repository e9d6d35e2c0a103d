package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/desk"
)

// searchHits is what the search API answered: the ids found, the total,
// and the libraries counted.
func searchHits(t *testing.T, w *http.Response, body []byte) (ids []string, total int, libraries int) {
	t.Helper()
	var res struct {
		Total int `json:"total"`
		Hits  []struct {
			ID string `json:"id"`
		} `json:"hits"`
		Facets map[string][]struct {
			Value string `json:"value"`
			Count int    `json:"count"`
		} `json:"facets"`
	}
	if w.StatusCode != http.StatusOK || json.Unmarshal(body, &res) != nil {
		t.Fatalf("search: %d %s", w.StatusCode, body)
	}
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	for _, v := range res.Facets["library"] {
		libraries += v.Count
	}
	return ids, res.Total, libraries
}

func TestSearchFindsAGrantedRestrictedItemForItsGranteeUntilTheEnd(t *testing.T) {
	e := newGrantEnv(t)
	other := tokenFor(t, e.store, "student@tu.example", "tu", "reader", "write")
	find := func(tok string) ([]string, int, int, *http.Response) {
		t.Helper()
		w := e.do(tok, "GET", "/api/v1/search?q=palm", "")
		ids, total, libs := searchHits(t, w.Result(), w.Body.Bytes())
		return ids, total, libs, w.Result()
	}
	if ids, total, libs, _ := find(e.tuReader); total != 0 || len(ids) != 0 || libs != 0 {
		t.Fatalf("before any grant a reader of tu finds %v (%d, %d counted)", ids, total, libs)
	}
	id := e.ask(t, e.tuReader)
	day := e.clock().In(desk.Zone).AddDate(0, 0, 2).Format(time.DateOnly)
	if w := e.do(e.cmuArc, "POST", "/api/v1/requests/"+id, `{"decision": "approve", "until": "`+day+`", "scope": "item"}`); w.Code != http.StatusOK {
		t.Fatalf("approving: %d %s", w.Code, w.Body)
	}

	ids, total, libs, res := find(e.tuReader)
	if total != 1 || len(ids) != 1 || ids[0] != e.item || libs != 1 {
		t.Fatalf("the grantee finds %v (%d, %d counted), want %s", ids, total, libs, e.item)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "private") || strings.Contains(cc, "public") {
		t.Errorf("the grantee's search answer has Cache-Control %q, want private", cc)
	}
	// The search page lists it with its picture, as the grant lets the
	// grantee see its images.
	page := e.do(e.tuReader, "GET", "/search?q=palm&lang=en", "")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "/items/"+e.item) ||
		!strings.Contains(page.Body.String(), "/iiif/3/"+e.item+"-1/") {
		t.Errorf("the grantee's search page lacks the item or its picture: %d", page.Code)
	}
	if cc := page.Header().Get("Cache-Control"); !strings.Contains(cc, "private") {
		t.Errorf("the grantee's search page has Cache-Control %q, want private", cc)
	}

	if ids, total, libs, _ := find(other); total != 0 || len(ids) != 0 || libs != 0 {
		t.Errorf("another reader of tu finds %v (%d, %d counted)", ids, total, libs)
	}
	if ids, total, _, _ := find(""); total != 0 || len(ids) != 0 {
		t.Errorf("an anonymous visitor finds %v", ids)
	}

	stored, err := e.store.Request(id)
	if err != nil {
		t.Fatal(err)
	}
	e.set(stored.Until)
	if ids, total, libs, _ := find(e.tuReader); total != 0 || len(ids) != 0 || libs != 0 {
		t.Errorf("at the grant's end the grantee finds %v (%d, %d counted)", ids, total, libs)
	}
}
