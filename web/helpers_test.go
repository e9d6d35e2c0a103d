package web

import (
	"context"
	"testing"

	"github.com/thaiarchives/archive/ingest/batch"
	"github.com/thaiarchives/archive/repository"
)

// runBatches is a running batch service on store with the pipeline p, in
// a folder of its own; it stops when the test ends.
func runBatches(t testing.TB, store *repository.Store, p batch.Ingester) *batch.Service {
	t.Helper()
	svc, err := batch.New(batch.Config{Store: store, Pipeline: p, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { svc.Run(ctx); close(ran) }()
	t.Cleanup(func() { cancel(); <-ran })
	return svc
}
