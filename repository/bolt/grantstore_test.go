package bolt

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

func TestRequestsAreIndexedSurviveRebuildAndRemovalIsForGood(t *testing.T) {
	dir := t.TempDir()
	blobs := newBlobs(t)
	s := openStore(t, filepath.Join(dir, "a.db"), blobs)
	_, it := populate(t, s)
	r := &repository.Request{Item: it.ID, Institution: "cmu", Requester: "reader1", Purpose: "a thesis on Lanna law", Status: repository.Asked}
	if err := s.SaveRequest(ctx, r, "reader@tu.example"); err != nil {
		t.Fatal(err)
	}
	other := &repository.Request{Item: it.ID, Institution: "cmu", Requester: "reader2", Purpose: "teaching", Status: repository.Asked}
	if err := s.SaveRequest(ctx, other, "other@tu.example"); err != nil {
		t.Fatal(err)
	}
	r.Status, r.Scope, r.ScopeID, r.Until = repository.Approved, repository.ScopeItem, it.ID, s.Now().Add(time.Hour)
	if err := s.SaveRequest(ctx, r, "archivist@cmu.example", repository.Event{Type: "access grant", Outcome: "success"}); err != nil {
		t.Fatal(err)
	}
	stale := *r
	stale.Version = 1
	if err := s.SaveRequest(ctx, &stale, "x"); !errors.Is(err, fault.Conflict) {
		t.Fatalf("saving an old version: %v, want a conflict", err)
	}
	mine, err := s.RequestsBy("reader1")
	if err != nil || len(mine) != 1 || mine[0].ID != r.ID || mine[0].Status != repository.Approved {
		t.Fatalf("reader1's requests %+v, %v", mine, err)
	}
	queue, err := s.RequestsOf("cmu")
	if err != nil || len(queue) != 2 {
		t.Fatalf("cmu's queue %d, %v", len(queue), err)
	}
	if q, _ := s.RequestsOf("tu"); len(q) != 0 {
		t.Fatalf("tu's queue has %d requests of cmu", len(q))
	}
	evs, err := s.Events(it.ID)
	if err != nil || evs[len(evs)-1].Type != "access grant" {
		t.Fatalf("the decision is not an event on the item: %v, %v", evs, err)
	}
	if err := s.RemoveRequest(ctx, other.ID, blobs); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Rebuild(ctx, filepath.Join(dir, "b.db"), blobs, false); err != nil {
		t.Fatal(err)
	}
	b := openStore(t, filepath.Join(dir, "b.db"), blobs)
	got, err := b.Request(r.ID)
	if err != nil || got.Status != repository.Approved || !got.Until.Equal(r.Until) || got.Purpose != r.Purpose {
		t.Fatalf("rebuilt request %+v, %v", got, err)
	}
	if _, err := b.Request(other.ID); !errors.Is(err, fault.NotFound) {
		t.Fatalf("a removed request came back with the rebuild: %v", err)
	}
	if q, err := b.RequestsOf("cmu"); err != nil || len(q) != 1 {
		t.Fatalf("rebuilt queue %d, %v", len(q), err)
	}
}

func TestRequestRefusesOverlongPurposeAndApprovalWithoutEnd(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	long := make([]rune, repository.MaxPurpose+1)
	for i := range long {
		long[i] = 'ก'
	}
	for _, r := range []*repository.Request{
		{Item: "it-1", Institution: "cmu", Requester: "u", Purpose: string(long), Status: repository.Asked},
		{Item: "it-1", Institution: "cmu", Requester: "u", Purpose: " ", Status: repository.Asked},
		{Item: "it-1", Institution: "cmu", Requester: "u", Purpose: "x", Status: repository.Approved, Scope: repository.ScopeItem, ScopeID: "it-1"},
	} {
		if err := s.SaveRequest(ctx, r, "x"); !errors.Is(err, fault.Invalid) {
			t.Errorf("saving %q/%s: %v, want invalid", r.Purpose[:1], r.Status, err)
		}
	}
}

func TestGrantViewIsRecordedOnceADayPerPersonAndItem(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	_, it := populate(t, s)
	day := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return day }
	count := func() int {
		evs, err := s.Events(it.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Type == repository.GrantView {
				n++
			}
		}
		return n
	}
	for range 3 {
		if err := s.RecordGrantView(ctx, "reader1", "reader@tu.example", it.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(); n != 1 {
		t.Fatalf("%d view events on one day, want 1", n)
	}
	day = day.Add(24 * time.Hour)
	if err := s.RecordGrantView(ctx, "reader1", "reader@tu.example", it.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d view events over two days, want 2", n)
	}
}
