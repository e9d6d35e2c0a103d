package desk

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
)

// requestsFixture: a store where cmu reveals that its restricted records
// exist, a tu reader with an account, and the Requests service on a clock
// the test moves.
func requestsFixture(t *testing.T) (*Requests, *bolt.Store, access.Principal, *time.Time, storage.Remover) {
	t.Helper()
	items, st := itemsFixture(t)
	ctx := context.Background()
	cmu, err := st.Institution("cmu")
	if err != nil {
		t.Fatal(err)
	}
	cmu.RevealRestricted = true
	if err := st.SaveInstitution(ctx, cmu); err != nil {
		t.Fatal(err)
	}
	u := &repository.User{Email: "reader@tu.example", Institution: "tu", Role: "reader"}
	if err := st.SaveUser(ctx, u, "tester"); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)
	rq := &Requests{Store: st, Now: func() time.Time { return clock }}
	return rq, st, access.Principal{User: u.ID, Email: u.Email, Institution: "tu", Role: access.Reader}, &clock, items.Blobs
}

func TestRequestApprovedByTheHoldingLibraryGrantsReadingUntilTheEndOfItsLastDay(t *testing.T) {
	rq, st, reader, clock, _ := requestsFixture(t)
	ctx := context.Background()
	itemsAdd(t, st, "palm-1", "cmu", repository.Restricted)
	r, err := rq.Ask(ctx, reader, "palm-1", "a thesis on Lanna law")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != repository.Asked || r.Institution != "cmu" {
		t.Fatalf("asked %+v", r)
	}
	if _, err := rq.Ask(ctx, reader, "palm-1", "again"); !errors.Is(err, fault.Conflict) {
		t.Fatalf("asking twice: %v, want a conflict", err)
	}
	if _, err := rq.Decide(ctx, itemsOtherArch, r.ID, Decision{Approve: true}); !errors.Is(err, fault.Forbidden) {
		t.Fatalf("another library's archivist decides: %v, want forbidden", err)
	}
	queue, err := rq.List(ctx, itemsArchivist, true)
	if err != nil || len(queue) != 1 || queue[0].ID != r.ID {
		t.Fatalf("cmu's queue %v, %v", queue, err)
	}
	if q, err := rq.List(ctx, itemsOtherArch, true); err != nil || len(q) != 0 {
		t.Fatalf("tu's queue %v, %v", q, err)
	}
	r, err = rq.Decide(ctx, itemsArchivist, r.ID, Decision{Approve: true, Until: "2026-03-10"})
	if err != nil {
		t.Fatal(err)
	}
	// The 10th ends at midnight in Thailand, 17:00 UTC on the 10th.
	if want := time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC); !r.Until.Equal(want) {
		t.Fatalf("until %v, want %v", r.Until, want)
	}
	if _, err := rq.Decide(ctx, itemsArchivist, r.ID, Decision{Reason: "no"}); !errors.Is(err, fault.Conflict) {
		t.Fatalf("deciding twice: %v, want a conflict", err)
	}
	it, err := st.Item("palm-1")
	if err != nil {
		t.Fatal(err)
	}
	res, err := access.ItemResource(st, it)
	if err != nil {
		t.Fatal(err)
	}
	read := func() error {
		p := reader
		if p.Grants, err = rq.Grants(reader.User); err != nil {
			t.Fatal(err)
		}
		return access.Decide(p, access.ReadContent, res, *clock)
	}
	if err := read(); err != nil {
		t.Fatalf("the approved reader may not read: %v", err)
	}
	*clock = r.Until
	if err := read(); !errors.Is(err, fault.Forbidden) {
		t.Fatalf("reading at the grant's end: %v, want forbidden", err)
	}
	mine, err := rq.List(ctx, reader, false)
	if err != nil || len(mine) != 1 || mine[0].Status != repository.Ended {
		t.Fatalf("the reader's requests after the end %+v, %v", mine, err)
	}
	evs, err := st.Events("palm-1")
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
	}
	if len(types) < 2 || types[len(types)-2] != "access request" || types[len(types)-1] != "access grant" {
		t.Fatalf("item events %v, want the request and the grant last", types)
	}
	if d := evs[len(evs)-1].Detail; d != "request "+r.ID+": item palm-1 until 2026-03-10" {
		t.Fatalf("the grant's event says %q", d)
	}
}

func TestRequestIsRefusedForWhatTheAskerMayNotKnowOrAlreadyReads(t *testing.T) {
	rq, st, reader, _, _ := requestsFixture(t)
	ctx := context.Background()
	itemsAdd(t, st, "hidden-1", "tu", repository.Public)
	itemsAdd(t, st, "open-1", "cmu", repository.Public)
	hidden := &repository.Item{ID: "hidden-2", Institution: "chula", Title: repository.Text{"en": "x"}, Access: repository.Access{Level: repository.Restricted}}
	if err := st.SaveItem(ctx, hidden, "tester"); err != nil {
		t.Fatal(err)
	}
	itemsAdd(t, st, "meta-1", "cmu", repository.MetadataOnly)
	for _, c := range []struct {
		p       access.Principal
		id, why string
		want    error
	}{
		{reader, "hidden-2", "x", fault.NotFound}, // restricted in a library that hides it
		{reader, "no-such", "x", fault.NotFound},  // unknown
		{reader, "open-1", "x", fault.Invalid},    // already readable
		{reader, "meta-1", " ", fault.Invalid},    // no purpose
		{access.Principal{}, "meta-1", "x", fault.Unauthenticated},
	} {
		if _, err := rq.Ask(ctx, c.p, c.id, c.why); !errors.Is(err, c.want) {
			t.Errorf("asking for %s: %v, want %v", c.id, err, c.want)
		}
	}
	r, err := rq.Ask(ctx, reader, "meta-1", "teaching")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []Decision{{Reason: "  "}, {Approve: true, Until: "2026-02-01"}, {Approve: true, Until: "soon"}, {Approve: true, Scope: "archive"}, {Approve: true, Scope: "collection"}} {
		if _, err := rq.Decide(ctx, itemsArchivist, r.ID, d); !errors.Is(err, fault.Invalid) {
			t.Errorf("deciding %+v: %v, want invalid", d, err)
		}
	}
	if _, err := rq.Decide(ctx, itemsArchivist, "no-such", Decision{Reason: "x"}); !errors.Is(err, fault.NotFound) {
		t.Errorf("deciding an unknown request: %v", err)
	}
	r, err = rq.Decide(ctx, itemsArchivist, r.ID, Decision{Reason: "the owner's consent is needed"})
	if err != nil || r.Status != repository.Refused {
		t.Fatalf("refusing: %+v, %v", r, err)
	}
	if g, err := rq.Grants(reader.User); err != nil || len(g) != 0 {
		t.Fatalf("a refusal grants %v, %v", g, err)
	}
}

func TestRequestApprovedForTheUnitReachesItsOtherItemsOnly(t *testing.T) {
	rq, st, reader, clock, _ := requestsFixture(t)
	ctx := context.Background()
	for _, c := range []*repository.Collection{
		{ID: "letters", Institution: "cmu", Level: repository.Series, Title: repository.Text{"en": "Letters"}, Access: repository.Access{Level: repository.Restricted}},
		{ID: "minutes", Institution: "cmu", Level: repository.Series, Title: repository.Text{"en": "Minutes"}, Access: repository.Access{Level: repository.Restricted}},
	} {
		if err := st.SaveCollection(ctx, c, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	for id, col := range map[string]string{"l-1": "letters", "l-2": "letters", "m-1": "minutes"} {
		if err := st.SaveItem(ctx, &repository.Item{ID: id, Institution: "cmu", Collection: col, Title: repository.Text{"en": id}}, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	r, err := rq.Ask(ctx, reader, "l-1", "family history")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rq.Decide(ctx, itemsArchivist, r.ID, Decision{Approve: true, Scope: "collection"}); err != nil {
		t.Fatal(err)
	}
	p := reader
	if p.Grants, err = rq.Grants(reader.User); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"l-1": true, "l-2": true, "m-1": false} {
		it, _ := st.Item(id)
		res, err := access.ItemResource(st, it)
		if err != nil {
			t.Fatal(err)
		}
		if got := access.Decide(p, access.ReadContent, res, *clock) == nil; got != want {
			t.Errorf("reads %s: %v, want %v", id, got, want)
		}
	}
}
