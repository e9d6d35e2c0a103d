package bolt

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

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

// TestGrantsByFollowsDecisionsRebuildsAndReadsAnOlderIndex: a person's
// grants are read from the index alone; an approval adds one, a later
// refusal takes it away, a rebuild keeps it, and an index written before
// grants were kept there (no value) is still read, from the records.
func TestGrantsByFollowsDecisionsRebuildsAndReadsAnOlderIndex(t *testing.T) {
	dir := t.TempDir()
	blobs := newBlobs(t)
	s := openStore(t, filepath.Join(dir, "a.db"), blobs)
	_, it := populate(t, s)
	ask := func() *repository.Request {
		r := &repository.Request{Item: it.ID, Institution: "cmu", Requester: "reader1", Purpose: "a thesis", Status: repository.Asked}
		if err := s.SaveRequest(ctx, r, "reader@tu.example"); err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := ask(), ask()
	if gs, err := s.GrantsBy("reader1"); err != nil || len(gs) != 0 {
		t.Fatalf("grants before any approval: %+v, %v", gs, err)
	}
	until := s.Now().Add(48 * time.Hour).Truncate(time.Second)
	a.Status, a.Scope, a.ScopeID, a.Until = repository.Approved, repository.ScopeCollection, "u-series", until
	if err := s.SaveRequest(ctx, a, "arch@cmu.example"); err != nil {
		t.Fatal(err)
	}
	b.Status, b.Scope, b.ScopeID, b.Until = repository.Approved, repository.ScopeItem, it.ID, until
	if err := s.SaveRequest(ctx, b, "arch@cmu.example"); err != nil {
		t.Fatal(err)
	}
	b.Status = repository.Ended
	if err := s.SaveRequest(ctx, b, "arch@cmu.example"); err != nil {
		t.Fatal(err)
	}
	want := []repository.Grant{{Scope: repository.ScopeCollection, ScopeID: "u-series", Institution: "cmu", Until: until}}
	check := func(s *Store, when string) {
		t.Helper()
		gs, err := s.GrantsBy("reader1")
		if err != nil || len(gs) != 1 || gs[0].Scope != want[0].Scope || gs[0].ScopeID != want[0].ScopeID || gs[0].Institution != "cmu" || !gs[0].Until.Equal(until) {
			t.Fatalf("%s: grants %+v, %v, want %+v", when, gs, err, want)
		}
		if gs, _ := s.GrantsBy("reader"); len(gs) != 0 {
			t.Fatalf("%s: a person whose id is a prefix of another's holds %+v", when, gs)
		}
	}
	check(s, "after the decisions")
	if err := s.update(func(tx *bbolt.Tx) error { // as an older version wrote it
		c := tx.Bucket(ixReqUser).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if err := tx.Bucket(ixReqUser).Put(append([]byte(nil), k...), nil); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	check(s, "from an older index")
	s.Close()
	if _, err := Rebuild(ctx, filepath.Join(dir, "b.db"), blobs, false); err != nil {
		t.Fatal(err)
	}
	check(openStore(t, filepath.Join(dir, "b.db"), blobs), "after a rebuild")
}
