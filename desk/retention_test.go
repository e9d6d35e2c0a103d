package desk

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

func TestPruneRemovesRequestsDecidedLongerAgoThanTheLibraryKeepsThem(t *testing.T) {
	rq, st, reader, clock, blobs := requestsFixture(t)
	ctx := context.Background()
	st.Now = func() time.Time { return *clock }
	for _, id := range []string{"a-1", "a-2", "a-3", "b-1"} {
		inst := "cmu"
		if id == "b-1" {
			inst = "chula"
		}
		itemsAdd(t, st, id, inst, repository.MetadataOnly)
	}
	ask := func(id string) *repository.Request {
		r, err := rq.Ask(ctx, reader, id, "research")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	refused, granted, waiting := ask("a-1"), ask("a-2"), ask("a-3")
	other := ask("b-1")
	chulaArch := itemsArchivist
	chulaArch.Institution = "chula"
	if _, err := rq.Decide(ctx, itemsArchivist, refused.ID, Decision{Reason: "fragile"}); err != nil {
		t.Fatal(err)
	}
	if _, err := rq.Decide(ctx, chulaArch, other.ID, Decision{Reason: "fragile"}); err != nil {
		t.Fatal(err)
	}
	if _, err := rq.Decide(ctx, itemsArchivist, granted.ID, Decision{Approve: true, Until: "2026-03-20"}); err != nil {
		t.Fatal(err)
	}
	ret := Retention{Keep: map[string]time.Duration{"cmu": 10 * 24 * time.Hour}, Blobs: blobs}
	// Eleven days on: cmu's refusal is past its ten days; the grant ended
	// on the 20th, less than ten days before; chula keeps a year.
	key := repository.RecordKey("requests", refused.ID, 1)
	if _, err := blobs.(storage.Fetcher).Get(ctx, key, 0, -1); err != nil {
		t.Fatalf("the refusal's record is not in storage before pruning: %v", err)
	}
	n, err := ret.Prune(ctx, st, clock.Add(11*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	if _, err := st.Request(refused.ID); !errors.Is(err, fault.NotFound) {
		t.Fatalf("the old refusal is still kept: %v", err)
	}
	if _, err := blobs.(storage.Fetcher).Get(ctx, key, 0, -1); !errors.Is(err, fault.NotFound) {
		t.Fatalf("the old refusal's record is still in storage: %v", err)
	}
	for _, id := range []string{granted.ID, waiting.ID, other.ID} {
		if _, err := st.Request(id); err != nil {
			t.Errorf("request %s went too early: %v", id, err)
		}
	}
	if n, err := ret.Prune(ctx, st, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)); err != nil || n != 1 {
		t.Fatalf("ten days after the grant's end: pruned %d, %v; want the grant", n, err)
	}
	if _, err := st.Request(waiting.ID); err != nil {
		t.Fatalf("a request still waiting went: %v", err)
	}
}
