package web

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/search"
	"github.com/thaiarchives/archive/storage/local"
)

// TestSearchSaysFacetCountsPastTheBoundAreEstimates: a search with more
// hits than facets are counted over exactly says "about" before each
// count, in Thai and English, and the API says the counts are estimated;
// a search within the bound shows plain counts.
func TestSearchSaysFacetCountsPastTheBoundAreEstimates(t *testing.T) {
	ctx := context.Background()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	for i := range 40 {
		it := &repository.Item{Institution: "cmu", Type: "Text", Title: repository.Text{"en": "Survey map"}}
		if i < 3 {
			it.Title["en"] = "Survey ledger"
		}
		if err := store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	x, err := search.Open("", store, search.Options{FacetSample: 8})
	if err != nil {
		t.Fatal(err)
	}
	cfg := withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts, Search: x})
	srvCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); x.Follow(srvCtx, store) }()
	t.Cleanup(func() { cancel(); <-done; x.Close() })
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{srv: srv}

	estimated := func(q string) (bool, int) {
		w := f.do(t, "GET", "/api/v1/search?q="+q)
		var res struct {
			Total           int   `json:"total"`
			FacetsEstimated *bool `json:"facetsEstimated"`
		}
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &res) != nil || res.FacetsEstimated == nil {
			t.Fatalf("%s: %d %s", q, w.Code, w.Body)
		}
		return *res.FacetsEstimated, res.Total
	}
	if est, total := estimated("survey"); !est || total != 40 {
		t.Errorf("40 hits past a bound of 8: estimated %v, total %d", est, total)
	}
	if est, total := estimated("ledger"); est || total != 3 {
		t.Errorf("3 hits: estimated %v, total %d", est, total)
	}
	for lang, about := range map[string]string{"en": `<span class="count">about `, "th": `<span class="count">ประมาณ `} {
		page := f.do(t, "GET", "/search?q=survey&lang="+lang).Body.String()
		if !strings.Contains(page, about) || !strings.Contains(page, `class="estimated"`) || !strings.Contains(page, `id="result-count">40 `) {
			t.Errorf("%s page of 40 hits: no %q before its counts, or no note, or not the exact total", lang, about)
		}
		page = f.do(t, "GET", "/search?q=ledger&lang="+lang).Body.String()
		if strings.Contains(page, about) || strings.Contains(page, `class="estimated"`) || !strings.Contains(page, `<span class="count">3</span>`) {
			t.Errorf("%s page of 3 hits: its counts are not plain", lang)
		}
	}
}
