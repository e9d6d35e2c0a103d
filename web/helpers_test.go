package web

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/annotation"
	"github.com/thaiarchives/archive/cite"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/fulltext"
	"github.com/thaiarchives/archive/harvest"
	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/iiif/presentation"
	"github.com/thaiarchives/archive/ingest/batch"
	"github.com/thaiarchives/archive/oai"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/search"
	"github.com/thaiarchives/archive/search/thai"
	"github.com/thaiarchives/archive/sitemap"
	"github.com/thaiarchives/archive/storage/local"
)

// withServices is cfg with the services New needs that it does not name
// built on its store and blobs as the command builds them, with their
// defaults: a search index in memory following the store, and the IIIF
// Image, Presentation and Content Search services, the OAI-PMH provider
// and the full-text export. What they do in the background ends when the test does.
func withServices(t testing.TB, cfg Config) Config {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var loops []chan struct{}
	bg := func(f func(context.Context)) {
		done := make(chan struct{})
		loops = append(loops, done)
		go func() { defer close(done); f(ctx) }()
	}
	t.Cleanup(func() {
		cancel()
		for _, done := range loops {
			<-done
		}
	})
	if cfg.Search == nil {
		x, err := search.Open("", cfg.Store, search.Options{Log: cfg.Log, Texts: cfg.Blobs})
		if err != nil {
			t.Fatal(err)
		}
		bg(func(ctx context.Context) { x.Follow(ctx, cfg.Store); x.Close() })
		cfg.Search = x
	}
	if cfg.Harvest == nil {
		cfg.Harvest = harvest.New(cfg.Store, nil)
	}
	if cfg.Images == nil {
		cfg.Images = imageapi.NewService(imageapi.Config{Items: cfg.Store, Blobs: cfg.Blobs, ReducedEdge: cfg.ReducedEdge, Workers: 1, PublicMaxAge: cfg.PublicMaxAge})
	}
	if cfg.Presentation == nil {
		cfg.Presentation = &presentation.Service{Store: cfg.Store, Docs: imageapi.NewCache[[]byte](16 << 20), Lists: &access.Lists{Items: cfg.Store, Feed: cfg.Store, Libraries: cfg.Store}}
	}
	if cfg.Within == nil {
		dict, err := thai.Shared()
		if err != nil {
			t.Fatal(err)
		}
		w := contentsearch.New(contentsearch.Config{Items: cfg.Store, Blobs: cfg.Blobs, Dict: dict})
		bg(func(ctx context.Context) { w.Run(ctx) })
		cfg.Within = w
	}
	if cfg.OAI == nil {
		cfg.OAI = &oai.Provider{Store: cfg.Store}
	}
	if cfg.Sitemap == nil {
		cfg.Sitemap = &sitemap.Service{Store: cfg.Store}
	}
	if cfg.Items == nil {
		cfg.Items = &desk.Items{Store: cfg.Store, Blobs: cfg.Blobs}
	}
	if cfg.Accounts == nil {
		cfg.Accounts = &desk.Accounts{Store: cfg.Store}
	}
	if cfg.Requests == nil {
		cfg.Requests = &desk.Requests{Store: cfg.Store}
	}
	if cfg.Groups == nil {
		cfg.Groups = &desk.Groups{Store: cfg.Store}
	}
	if cfg.Identifiers == nil {
		cfg.Identifiers = &desk.Identifiers{Store: cfg.Store}
	}
	if cfg.Containers == nil {
		cfg.Containers = &desk.Containers{Store: cfg.Store}
	}
	if cfg.Cite == nil {
		cfg.Cite = &cite.Service{Store: cfg.Store}
	}
	if cfg.Annotations == nil {
		cfg.Annotations = &annotation.Service{Store: cfg.Store, Blobs: cfg.Blobs}
	}
	if cfg.Presentation.Annotations == nil {
		cfg.Presentation.Annotations = cfg.Annotations
	}
	if cfg.FullText == nil {
		cfg.FullText = fulltext.New(fulltext.Config{Items: cfg.Store, Blobs: cfg.Blobs, Images: cfg.Images})
	}
	if cfg.Points == nil {
		cfg.Points = &desk.Points{Store: cfg.Store}
	}
	if cfg.Units == nil {
		cfg.Units = &desk.Units{Store: cfg.Store}
		if cfg.Ingest != nil {
			cfg.Units.Ingest = cfg.Ingest
		}
	}
	return cfg
}

// runBatches is a running batch service on store with the pipeline p, in
// a folder of its own; it stops when the test ends.
func runBatches(t testing.TB, store *bolt.Store, p batch.Ingester) *batch.Service {
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

// emptyStore is a metadata store with its blob storage, each in a folder
// of its own, closed when t ends.
func emptyStore(t testing.TB) (*bolt.Store, *local.Store) {
	t.Helper()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store, blobs
}
