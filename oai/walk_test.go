package oai

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
)

// readingStore counts the items read.
type readingStore struct {
	Store
	items *int
}

func (r readingStore) Item(id string) (*repository.Item, error) {
	*r.items++
	return r.Store.Item(id)
}

func TestASetIsHarvestedFromItsOwnIndexNotFromTheWholeArchive(t *testing.T) {
	store := smallSetArchive(t, 1000)
	n := 0
	e := &env{store: store, p: &Provider{Store: readingStore{store, &n}, Now: func() time.Time { return now }}}
	recs, _ := e.harvest(t, "ListRecords", "metadataPrefix=oai_dc&set=cmu:small-set")
	if len(recs) != 20 {
		t.Fatalf("%d records in the set, want 20", len(recs))
	}
	if n > 2*20 {
		t.Errorf("harvesting a set of 20 read %d items of the 1000", n)
	}
}

func TestASparseSelectiveRequestAnswersWithATokenAfterABoundedWalk(t *testing.T) {
	// A public item, then many never made public, then a public one again.
	items := []repository.Item{recordItem(0, "")}
	for i := 1; i <= walkBound+50; i++ {
		it := recordItem(i, "")
		it.Access, it.Published = repository.Access{Level: repository.Restricted}, time.Time{}
		items = append(items, it)
	}
	last := recordItem(walkBound+51, "")
	items = append(items, last)
	store := recordArchive(t, nil, items)
	n := 0
	e := &env{store: store, p: &Provider{Store: readingStore{store, &n}, Now: func() time.Time { return now }}}
	r, _ := e.answer(t, "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-01-01")
	if len(r.Headers) != 1 || r.token() == nil || r.token().Value == "" {
		t.Fatalf("the first page: %d headers, token %+v; want the first item and a token", len(r.Headers), r.token())
	}
	if n > walkBound+1 {
		t.Errorf("the first page read %d items, more than the bound of %d", n, walkBound)
	}
	r, _ = e.answer(t, "verb=ListIdentifiers&resumptionToken="+url.QueryEscape(r.token().Value))
	if len(r.Headers) != 1 || r.Headers[0].Identifier != Identifier(last.ID) || r.token() == nil || r.token().Value != "" {
		t.Errorf("the page after the token: %+v, token %+v; want the last item and the list's end", r.Headers, r.token())
	}
	// A request that selects nothing walks on: its page is all it asked for.
	r, _ = e.answer(t, "verb=ListIdentifiers&metadataPrefix=oai_dc")
	if len(r.Headers) != 2 || r.token() != nil {
		t.Errorf("the whole archive: %d headers, token %+v; want both items and no token", len(r.Headers), r.token())
	}
}

func TestASetHarvestShowsItsWithdrawnItemsAsDeletedAndFollowsMoves(t *testing.T) {
	s := openStore(t)
	e := &env{store: s, p: &Provider{Store: s, Now: func() time.Time { return now }}, ids: map[string]string{}}
	for _, id := range []string{"cmu-a", "cmu-b"} {
		saveCollection(t, s, &repository.Collection{ID: id, Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": id}})
	}
	gone := saveItem(t, s, &repository.Item{Institution: "cmu", Collection: "cmu-a", Title: repository.Text{"en": "Withdrawn"}})
	moved := &repository.Item{Institution: "cmu", Collection: "cmu-a", Title: repository.Text{"en": "Moved"}}
	saveItem(t, s, moved)
	if err := s.Withdraw(context.Background(), gone, "t", "duplicate"); err != nil {
		t.Fatal(err)
	}
	moved.Collection = "cmu-b"
	saveItem(t, s, moved)
	got, _ := e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc&set=cmu:cmu-a")
	if len(got) != 1 || got[oaiID(gone)].Header.Status != "deleted" {
		t.Errorf("set cmu:cmu-a: %+v, want the withdrawn item, deleted", got)
	}
	got, _ = e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc&set=cmu:cmu-b")
	if len(got) != 1 || got[oaiID(moved.ID)].Header.Status != "" {
		t.Errorf("set cmu:cmu-b: %+v, want the item moved in", got)
	}
	got, _ = e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc&set=cmu")
	if len(got) != 2 {
		t.Errorf("set cmu: %+v, want both items", got)
	}
}
