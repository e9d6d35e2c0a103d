package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/harvest"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/search"
	"github.com/thaiarchives/archive/web"
)

// replicaPoll is how often a replica looks for what the writer published:
// two small reads of storage a second at most.
const replicaPoll = time.Second

// serveReplica runs "archive serve --replica": a node that writes nothing.
// Its metadata store is its own file, filled from the records in storage
// and then from what the writer publishes there; it answers pages, IIIF,
// search and harvesting, and refuses signing in, uploads and edits. No
// ingest, transcoding, embargo release or audit runs here: the writer's do.
func serveReplica(ctx context.Context, cfg *Config, log *slog.Logger) error {
	blobs, err := cfg.openBlobs(ctx)
	if err != nil {
		return err
	}
	if err := cfg.openData(); err != nil {
		return err
	}
	store, err := bolt.OpenReplica(ctx, cfg.dbPath(), blobs)
	if err != nil {
		return err
	}
	defer store.Close()
	// Serve only once caught up: a replica started from nothing would
	// otherwise answer 404 for what the writer has.
	start := time.Now()
	n, err := store.CatchUp(ctx)
	if err != nil {
		return fmt.Errorf("the replica cannot take in what the writer published in storage: %v", err)
	}
	log.Info("replica caught up with the writer", "records", n, "took", time.Since(start).Round(time.Millisecond))
	reg, obs := newMetrics()
	blobs = obs.Blobs(blobs)
	index, err := search.Open(cfg.indexPath(), store, search.Options{Dictionaries: cfg.ThaiDictionaries, Log: log, Texts: blobs})
	if err != nil {
		return err
	}
	defer index.Close()
	// Every loop ends, and is waited for, before the index and the store close.
	l := newLoops(ctx, log)
	defer l.stop()
	ctx = l.ctx
	l.run("replica", func(ctx context.Context) error { store.Follow(ctx, replicaPoll, log); return nil })
	l.run("search index", func(ctx context.Context) error { index.Follow(ctx, store); return nil })
	svc, err := newServices(l, cfg, store, blobs)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %v", cfg.Addr, unwrapNet(err))
	}
	handler, err := web.New(web.Config{Store: store, Blobs: blobs, Log: log, Replica: true,
		Images: svc.images, Presentation: svc.pres, Within: svc.within, OAI: svc.oai, Harvest: harvest.New(store, nil), Sitemap: svc.sitemap, Items: svc.items, Accounts: svc.accounts, Requests: svc.requests, Groups: svc.groups, Identifiers: svc.ids, Annotations: svc.annotations, Cite: svc.cite, FullText: svc.fullText, Points: &desk.Points{Store: store}, Units: &desk.Units{Store: store}, Containers: &desk.Containers{Store: store},
		BaseURL: cfg.BaseURL, Hosts: cfg.Hosts, TrustedProxies: cfg.TrustedProxies, Rooms: cfg.Rooms, FrameAncestors: cfg.FrameAncestors, PartnerOrigins: cfg.PartnerOrigins,
		ReducedEdge: cfg.ReducedEdge, PublicMaxAge: cfg.PublicMaxAge, Search: index, Observer: obs})
	if err != nil {
		return err
	}
	obs.Lag("archive_replica_staleness_seconds", "Seconds since the replica last took in everything the writer had published in storage.", func() float64 {
		return time.Since(store.CaughtUp()).Seconds()
	})
	if err := observe(l, cfg, reg, obs, handler, index, store, log); err != nil {
		return err
	}
	log.Info("archive serving as a read-only replica", "url", "http://"+ln.Addr().String()+"/", "storage", cfg.Storage, "data", cfg.Data)
	return listen(ctx, ln, handler, log)
}
