package desk

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// A reader granted an item on the writer may read it on a replica once the
// replica has caught up, as on the writer, and not before the grant.
func TestGrantOnTheWriterLetsTheReaderInOnAReplica(t *testing.T) {
	rq, st, reader, clock, remover := requestsFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	itemsAdd(t, st, "palm-1", "cmu", repository.Restricted)
	blobs, ok := remover.(repository.Blobs)
	if !ok {
		t.Fatalf("the fixture's storage %T is not repository.Blobs", remover)
	}
	done := make(chan error, 1)
	go func() { done <- st.Publish(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("the publisher ended with %v", err)
		}
	})
	replica, err := bolt.OpenReplica(ctx, filepath.Join(t.TempDir(), "replica.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { replica.Close() })
	if _, err := replica.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	onReplica := &Requests{Store: replica, Now: func() time.Time { return *clock }}
	read := func(rq *Requests, items access.Items) error {
		t.Helper()
		it, err := items.Item("palm-1")
		if err != nil {
			t.Fatal(err)
		}
		res, err := access.ItemResource(items, it)
		if err != nil {
			t.Fatal(err)
		}
		p := reader
		if p.Grants, err = rq.Grants(reader.User); err != nil {
			t.Fatal(err)
		}
		return access.Decide(p, access.ReadContent, res, *clock)
	}
	if err := read(onReplica, replica); !errors.Is(err, fault.Forbidden) {
		t.Fatalf("reading on the replica before any grant: %v, want forbidden", err)
	}

	r, err := rq.Ask(ctx, reader, "palm-1", "a thesis on Lanna law")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rq.Decide(ctx, itemsArchivist, r.ID, Decision{Approve: true, Until: "2026-03-10"}); err != nil {
		t.Fatal(err)
	}
	if err := read(rq, st); err != nil {
		t.Fatalf("the granted reader may not read on the writer: %v", err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := replica.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		err := read(onReplica, replica)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the granted reader is still refused on the replica after 15 s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
