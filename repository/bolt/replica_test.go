package bolt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// dumpOf is a store's durable content, for comparing two stores.
func dumpOf(t *testing.T, s *Store) string {
	t.Helper()
	var b bytes.Buffer
	if err := s.Dump(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// publish runs the writer's publisher until the test ends (or stop is called).
func publish(t *testing.T, w *Store) (stop func()) {
	t.Helper()
	c, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Publish(c, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	stop = func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("publisher ended with %v", err)
		}
	}
	t.Cleanup(func() {
		if c.Err() == nil {
			stop()
		}
	})
	return stop
}

// published polls until the writer's log holds every change it made.
func published(t *testing.T, w *Store) {
	t.Helper()
	epoch, feed, _ := w.FeedEpoch()
	deadline := time.Now().Add(15 * time.Second)
	for {
		last, err := w.publishedEnd(ctx, epoch)
		if err == nil && last.FeedLast == feed {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log did not reach feed entry %d in 15 s (at %d, %v)", feed, last.FeedLast, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// caughtUp polls the replica until it holds what the writer holds.
func caughtUp(t *testing.T, w, r *Store, what string) {
	t.Helper()
	want := dumpOf(t, w)
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := r.CatchUp(ctx); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if dumpOf(t, r) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the replica did not reach the writer's content in 15 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestReplicaHoldsWhatTheWriterHoldsThroughStorageAlone(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	w := openStore(t, filepath.Join(dir, "writer.db"), blobs)
	stop := publish(t, w)
	_, it := populate(t, w)

	// A replica started from nothing takes the records, then the log.
	r, err := OpenReplica(ctx, filepath.Join(dir, "replica.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if !r.CaughtUp().IsZero() {
		t.Fatalf("a replica that has taken nothing in says it caught up at %v", r.CaughtUp())
	}
	before := time.Now()
	caughtUp(t, w, r, "after the first changes")
	if at := r.CaughtUp(); at.Before(before) || at.After(time.Now()) {
		t.Fatalf("caught up at %v, not since %v", at, before)
	}

	_, feedBefore, _ := r.FeedEpoch()
	it.Title["en"] = "Memorandum, corrected"
	if err := w.SaveItem(ctx, it, "tester"); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, w, r, "after an edit")
	got, err := r.Item(it.ID)
	if err != nil || got.Title["en"] != "Memorandum, corrected" {
		t.Fatalf("the replica's item: %+v, %v", got, err)
	}
	// The replica's own feed announces what it took in, for its followers.
	entries, _ := r.Feed(feedBefore, 100)
	if len(entries) == 0 || entries[0].Kind != "item" || entries[0].ID != it.ID || entries[0].Version != got.Version {
		t.Fatalf("the replica's feed after the edit: %+v", entries)
	}

	// A publisher stopped and started again goes on where the log ends.
	stop()
	if err := w.Withdraw(ctx, it.ID, "tester", "duplicate"); err != nil {
		t.Fatal(err)
	}
	publish(t, w)
	caughtUp(t, w, r, "after a withdrawal, published by a restarted writer")
	if got, _ := r.Item(it.ID); !got.Deleted {
		t.Fatal("the withdrawal did not reach the replica")
	}
	acts, _, err := r.Activities(0, 1000)
	if err != nil || len(acts) == 0 || acts[len(acts)-1].Type != "Delete" {
		t.Fatalf("the replica's Change Discovery activities: %+v, %v", acts, err)
	}

	// A second replica from nothing, long after, reaches the same place.
	r2, err := OpenReplica(ctx, filepath.Join(dir, "replica2.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	caughtUp(t, w, r2, "a late replica")

	// Nothing is written through a replica.
	it2, _ := r.Item(it.ID)
	it2.Deleted = false
	if err := r.SaveItem(ctx, it2, "tester"); !errors.Is(err, fault.ReadOnly) {
		t.Fatalf("saving on a replica: %v, want fault.ReadOnly", err)
	}
	if err := r.Publish(ctx, nil); !errors.Is(err, fault.ReadOnly) {
		t.Fatalf("publishing from a replica: %v", err)
	}
	caughtUp(t, w, r, "after the refused save")
}

// When the writer's store is rebuilt from storage (a new feed epoch), its
// replicas take the records again and follow the new log from its start.
func TestReplicaFollowsAWriterWhoseStoreWasRebuilt(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "writer.db")
	w, err := Open(ctx, path, blobs)
	if err != nil {
		t.Fatal(err)
	}
	stop := publish(t, w)
	_, it := populate(t, w)
	r, err := OpenReplica(ctx, filepath.Join(dir, "replica.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	caughtUp(t, w, r, "before the rebuild")
	stop()
	w.Close()
	if _, err := Rebuild(ctx, path, blobs, true); err != nil {
		t.Fatal(err)
	}
	w = openStore(t, path, blobs)
	publish(t, w)
	it, _ = w.Item(it.ID)
	it.Title["en"] = "After the rebuild"
	if err := w.SaveItem(ctx, it, "tester"); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, w, r, "after the rebuild and an edit")
	if got, _ := r.Item(it.ID); got.Title["en"] != "After the rebuild" {
		t.Fatalf("the replica's item after the rebuild: %+v", got)
	}
}

// Old segments are pruned (all but the last); a replica further behind
// than what is left takes the records again, and the writer, restarted,
// goes on after the last segment.
func TestReplicaBehindAPrunedLogTakesTheRecordsAgain(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	w := openStore(t, filepath.Join(dir, "writer.db"), blobs)
	stop := publish(t, w)
	_, it := populate(t, w)
	r, err := OpenReplica(ctx, filepath.Join(dir, "replica.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	caughtUp(t, w, r, "before")
	for _, title := range []string{"one", "two", "three"} {
		it, _ = w.Item(it.ID)
		it.Title["en"] = title
		if err := w.SaveItem(ctx, it, "tester"); err != nil {
			t.Fatal(err)
		}
		published(t, w) // a segment each
	}
	stop()
	epoch, _, _ := w.FeedEpoch()
	last, err := w.publishedEnd(ctx, epoch)
	if err != nil || last.N < 4 {
		t.Fatalf("published log ends at %d: %v", last.N, err)
	}
	if err := w.pruneLog(ctx, epoch, last.N, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var left []string
	blobs.List(ctx, "replication/", func(i storage.Info) error { left = append(left, i.Key); return nil })
	if len(left) != 2 || left[0] != headKey && left[1] != headKey {
		t.Fatalf("after pruning: %v, want the head and the last segment", left)
	}
	caughtUp(t, w, r, "behind a pruned log")
	// A publisher stopped between its last segment and the head leaves the
	// head naming that segment as the next: pruned or not, the restarted
	// one must go on after the last segment, not from the first.
	if err := w.putJSONBlob(ctx, headKey, head{Epoch: epoch, Next: last.N}); err != nil {
		t.Fatal(err)
	}
	if got, err := w.publishedEnd(ctx, epoch); err != nil || got.N != last.N {
		t.Fatalf("behind a stale head, the published log ends at %d (%v), want %d", got.N, err, last.N)
	}
	// And with no head at all, segment 1 long pruned.
	if err := blobs.(storage.Remover).Delete(ctx, headKey); err != nil {
		t.Fatal(err)
	}
	if got, err := w.publishedEnd(ctx, epoch); err != nil || got.N != last.N {
		t.Fatalf("with no head, the published log ends at %d (%v), want %d", got.N, err, last.N)
	}
	publish(t, w)
	if err := w.Withdraw(ctx, it.ID, "tester", "duplicate"); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, w, r, "after the writer went on")
	// The restarted publisher went on after the last segment, from where it
	// stood. (With no head, the replica took the records themselves.)
	published(t, w)
	var next segment
	if err := w.getJSONBlob(ctx, segmentKey(epoch, last.N+1), &next); err != nil {
		t.Fatalf("segment %d after the restart: %v", last.N+1, err)
	}
	if next.FeedLast < last.FeedLast || next.EventsLast < last.EventsLast ||
		len(next.Changes) > 0 && next.Changes[0].Seq != last.FeedLast+1 {
		t.Fatalf("segment %d does not go on from %d: %+v after %+v", next.N, last.N, next, last)
	}
}

func TestReplicaHoldsTheWritersGrantsAndDropsARemovedRequest(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	w := openStore(t, filepath.Join(dir, "writer.db"), blobs)
	publish(t, w)
	_, it := populate(t, w)
	r, err := OpenReplica(ctx, filepath.Join(dir, "replica.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	caughtUp(t, w, r, "before any request")

	granted := &repository.Request{Item: it.ID, Institution: "cmu", Requester: "reader1", Purpose: "a thesis on Lanna law", Status: repository.Asked}
	if err := w.SaveRequest(ctx, granted, "reader@tu.example"); err != nil {
		t.Fatal(err)
	}
	refused := &repository.Request{Item: it.ID, Institution: "cmu", Requester: "reader2", Purpose: "teaching", Status: repository.Asked}
	if err := w.SaveRequest(ctx, refused, "other@tu.example"); err != nil {
		t.Fatal(err)
	}
	granted.Status, granted.Scope, granted.ScopeID, granted.Until = repository.Approved, repository.ScopeItem, it.ID, w.Now().Add(time.Hour)
	if err := w.SaveRequest(ctx, granted, "archivist@cmu.example"); err != nil {
		t.Fatal(err)
	}
	_, feedBefore, _ := r.FeedEpoch()
	caughtUp(t, w, r, "after a grant")
	mine, err := r.RequestsBy("reader1")
	if err != nil || len(mine) != 1 || mine[0].ID != granted.ID || mine[0].Status != repository.Approved ||
		mine[0].Scope != repository.ScopeItem || mine[0].ScopeID != it.ID || !mine[0].Until.Equal(granted.Until) {
		t.Fatalf("reader1's requests on the replica: %+v, %v", mine, err)
	}
	if q, err := r.RequestsOf("cmu"); err != nil || len(q) != 2 {
		t.Fatalf("cmu's queue on the replica: %d, %v", len(q), err)
	}
	// The replica's own feed announces the requests; its followers pass them over.
	entries, err := r.Feed(feedBefore, 100)
	if err != nil || len(entries) == 0 || entries[len(entries)-1].Kind != "request" || entries[len(entries)-1].ID != granted.ID {
		t.Fatalf("the replica's feed after the grant: %+v, %v", entries, err)
	}

	if err := w.RemoveRequest(ctx, refused.ID, blobs); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, w, r, "after a request was removed")
	if _, err := r.Request(refused.ID); !errors.Is(err, fault.NotFound) {
		t.Fatalf("a removed request on the replica: %v, want not found", err)
	}
	if q, err := r.RequestsBy("reader2"); err != nil || len(q) != 0 {
		t.Fatalf("reader2's requests on the replica after removal: %d, %v", len(q), err)
	}
	if q, err := r.RequestsOf("cmu"); err != nil || len(q) != 1 || q[0].ID != granted.ID {
		t.Fatalf("cmu's queue on the replica after removal: %+v, %v", q, err)
	}
}
