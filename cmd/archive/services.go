package main

import (
	"runtime"

	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/iiif/presentation"
	"github.com/thaiarchives/archive/oai"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/web"
)

// services are what the web server's handlers call besides the store, the
// search index and the ingest pipeline: built here, handed to web.New.
type services struct {
	images *imageapi.Service
	pres   *presentation.Service
	within *contentsearch.Service
	oai    *oai.Provider
	// The desk's services: items, and people's accounts.
	items    *desk.Items
	accounts *desk.Accounts
}

// newServices builds the services; the reads of item texts that content
// search starts in the background run under l.
func newServices(l *loops, cfg *Config, store *repository.Store, blobs storage.Blobs) (*services, error) {
	within, err := web.NewWithin(store, blobs, cfg.ThaiDictionaries)
	if err != nil {
		return nil, err
	}
	l.run("content search", within.Run)
	return &services{
		images: web.NewImages(web.Config{Store: store, Blobs: blobs, MaxArea: cfg.MaxArea, ReducedEdge: cfg.ReducedEdge,
			Workers: runtime.NumCPU(), PublicMaxAge: cfg.PublicMaxAge, CacheBytes: cfg.CacheBytes}),
		pres:     web.NewPresentation(store),
		within:   within,
		oai:      web.NewOAI(store, cfg.AdminEmail),
		items:    web.NewItems(store, blobs),
		accounts: web.NewAccounts(store),
	}, nil
}
