package main

import (
	"runtime"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/annotation"
	"github.com/thaiarchives/archive/cite"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/fulltext"
	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/iiif/presentation"
	"github.com/thaiarchives/archive/oai"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/search/thai"
	"github.com/thaiarchives/archive/sitemap"
	"github.com/thaiarchives/archive/storage"
)

// services are what the web server's handlers call besides the store, the
// search index and the ingest pipeline: built here, handed to web.New.
type services struct {
	images *imageapi.Service
	pres   *presentation.Service
	within *contentsearch.Service
	oai    *oai.Provider
	// sitemap lists the public pages for search engines.
	sitemap *sitemap.Service
	// The desk's services: items, people's accounts, access requests,
	// groups.
	items    *desk.Items
	accounts *desk.Accounts
	requests *desk.Requests
	groups   *desk.Groups
	ids      *desk.Identifiers
	// annotations are the web annotations of items' pages.
	annotations *annotation.Service
	// fullText gives items' text whole and as PDFs with a text layer.
	fullText *fulltext.Service
	// cite makes the citations of items and units.
	cite *cite.Service
}

// newServices builds the services; the reads of item texts that content
// search starts in the background run under l.
func newServices(l *loops, cfg *Config, store *bolt.Store, blobs storage.Blobs) (*services, error) {
	// Searching inside an item segments Thai with the index's word lists.
	dict, err := thai.Shared(cfg.ThaiDictionaries...)
	if err != nil {
		return nil, err
	}
	within := contentsearch.New(contentsearch.Config{Items: store, Blobs: blobs, Dict: dict})
	l.run("content search", within.Run)
	annos := &annotation.Service{Store: store, Blobs: blobs}
	images := imageapi.NewService(imageapi.Config{Items: store, Blobs: blobs, Limits: imageapi.Limits{MaxArea: cfg.MaxArea},
		ReducedEdge: cfg.ReducedEdge, Workers: runtime.NumCPU(), PublicMaxAge: cfg.PublicMaxAge, CacheBytes: cfg.CacheBytes})
	return &services{
		images: images,
		pres: &presentation.Service{Store: store, Docs: imageapi.NewCache[[]byte](16 << 20), Lists: &access.Lists{Items: store, Feed: store, Libraries: store},
			Annotations: annos},
		within:      within,
		oai:         &oai.Provider{Store: store, Name: "Shared archive of Chiang Mai, Thammasat and Chulalongkorn Universities", AdminEmail: cfg.AdminEmail},
		sitemap:     &sitemap.Service{Store: store},
		items:       &desk.Items{Store: store, Blobs: blobs},
		accounts:    &desk.Accounts{Store: store},
		requests:    &desk.Requests{Store: store, Mail: cfg.Mail},
		groups:      &desk.Groups{Store: store},
		ids:         &desk.Identifiers{Store: store},
		annotations: annos,
		fullText:    fulltext.New(fulltext.Config{Items: store, Blobs: blobs, Images: images}),
		cite:        &cite.Service{Store: store},
	}, nil
}
