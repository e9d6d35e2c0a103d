package web

import (
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/iiif/presentation"
	"github.com/thaiarchives/archive/oai"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/search/thai"
	"github.com/thaiarchives/archive/storage"
)

// The services the server's handlers call, made the way the archive runs
// them: the command that runs the server builds them with these and hands
// them over in Config, so that it alone owns their lifetime.

// NewImages is the IIIF Image service for cfg's store, blobs and limits.
func NewImages(cfg Config) *imageapi.Service {
	if cfg.PublicMaxAge <= 0 {
		cfg.PublicMaxAge = 24 * time.Hour
	}
	return imageapi.NewService(imageapi.Config{Items: cfg.Store, Blobs: cfg.Blobs, Limits: imageapi.Limits{MaxArea: cfg.MaxArea},
		ReducedEdge: cfg.ReducedEdge, Workers: max(1, cfg.Workers), PublicMaxAge: cfg.PublicMaxAge, CacheBytes: cfg.CacheBytes})
}

// NewPresentation is the IIIF Presentation service of store.
func NewPresentation(store *repository.Store) *presentation.Service {
	return &presentation.Service{Store: store, Docs: imageapi.NewCache[[]byte](16 << 20),
		Lists: &access.Lists{Items: store, Feed: store}}
}

// NewWithin is the IIIF Content Search service, which segments Thai with
// dicts (empty: the default word list).
func NewWithin(store *repository.Store, blobs storage.Blobs, dicts []string) (*contentsearch.Service, error) {
	dict, err := thai.Shared(dicts...)
	if err != nil {
		return nil, err
	}
	return contentsearch.New(contentsearch.Config{Items: store, Blobs: blobs, Dict: dict}), nil
}

// NewOAI is the OAI-PMH provider of store; adminEmail is given to
// harvesters in Identify.
func NewOAI(store *repository.Store, adminEmail string) *oai.Provider {
	return &oai.Provider{Store: store, Name: "Shared archive of Chiang Mai, Thammasat and Chulalongkorn Universities", AdminEmail: adminEmail}
}

// NewItems is the desk's service for the items of store, whose purges
// remove files from blobs.
func NewItems(store *repository.Store, blobs storage.Blobs) *desk.Items {
	return &desk.Items{Store: store, Blobs: blobs}
}

// NewAccounts is the desk's service for the accounts of store.
func NewAccounts(store *repository.Store) *desk.Accounts {
	return &desk.Accounts{Store: store}
}
