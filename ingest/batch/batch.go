// Package batch runs the archive's upload batches: sets of files sent
// through the web (the resumable upload endpoint's uploads, kept in one
// folder) and ingested together. It keeps each batch's report on disk,
// resumes what a stop interrupted, expires what lay idle, and hands the
// uploaded files to the ingest pipeline on a bounded number of workers,
// fairly across libraries and people. It knows nothing of HTTP: the web
// layer mounts the upload endpoint and tells the service what happens.
package batch

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// Batch is a set of uploads ingested together, and what became of each file.
type Batch struct {
	ID          string    `json:"id"`
	Institution string    `json:"institution"`
	Collection  string    `json:"collection,omitempty"`
	Title       string    `json:"title,omitempty"`
	Group       bool      `json:"group"`    // all files make one multi-page item
	Expected    int       `json:"expected"` // files the uploader announced
	Created     time.Time `json:"created"`
	Owner       string    `json:"owner"` // the user who made it; only they add to it
	// Access of the items the batch makes (public when not given).
	Access repository.Access `json:"access"`
	// Meta, when given, describes the item a grouped batch makes (what a
	// metadata sheet said, sent by "archive ingest" while the service runs).
	Meta  *repository.Item `json:"meta,omitempty"`
	Files []*File          `json:"files"`
	Done  bool             `json:"done"`
	// Expired says the batch lay idle past the upload expiry: what had not
	// arrived by then never will, and it takes no more uploads.
	Expired bool           `json:"expired,omitempty"`
	Counts  map[string]int `json:"counts"`
	// Finished is when the batch was done; its report is kept for the
	// upload expiry after that (see pruneLocked).
	Finished time.Time `json:"finished,omitzero"`
}

// File is one upload of a batch.
type File struct {
	Upload   string `json:"upload"`
	Name     string `json:"name"`
	Size     int64  `json:"size"`
	Received int64  `json:"received"`
	// Touched is when the upload last moved, for its expiry.
	Touched time.Time `json:"touched,omitzero"`
	ingest.Outcome
	path string
}

// Statuses of a batch file before the pipeline's outcome replaces them.
const (
	Uploading = "uploading"
	Uploaded  = "uploaded"
	Ingesting = "ingesting"
	Expired   = "expired" // idle past the upload expiry; its data is removed
)

// LostUpload is the outcome of an upload whose data a stop lost.
const LostUpload = "the uploaded data was lost when the service stopped; upload the file again"

// DefaultExpiry is how long an unfinished upload may lie idle, and how
// long a finished batch's report is kept.
const DefaultExpiry = 72 * time.Hour

// Bounds on one person's batches: those not done yet (beyond, a new batch
// is refused) and all they have kept (beyond, the oldest finished go).
const (
	MaxOpen = 100
	MaxKept = 500
)

// Ingester ingests a unit of files: the ingest pipeline.
type Ingester interface {
	Ingest(ctx context.Context, u ingest.Unit) []ingest.Outcome
}

// Config is what the service is built from.
type Config struct {
	Store    *bolt.Store
	Pipeline Ingester
	// Dir is the upload folder: the uploads' data and records, and the
	// batches' reports in its "batches" folder.
	Dir string
	// Expiry is how long an unfinished upload or batch may lie idle
	// before it is removed (default DefaultExpiry).
	Expiry time.Duration
	// Workers bounds the ingests that run at once (at least one).
	Workers int
	Log     *slog.Logger
	// Now is the clock of activity and expiry (default time.Now).
	Now func() time.Time
}

// Service holds the batches. Its methods may be called from any goroutine.
type Service struct {
	cfg     Config
	uploads Uploads
	mu      sync.Mutex
	batches map[string]*Batch
	work    *queue
	ctx     context.Context // Run's, while it runs; ingests start only then
	stopped bool            // Run has ended its loops: no ingest starts any more
	running sync.WaitGroup  // the ingests under way
}

// New loads the batches kept in cfg.Dir and picks up what a stop
// interrupted (it is ingested once Run runs).
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Pipeline == nil || cfg.Dir == "" {
		return nil, fmt.Errorf("upload batches need a store, a pipeline and a folder: %w", fault.Invalid)
	}
	if cfg.Expiry <= 0 {
		cfg.Expiry = DefaultExpiry
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Join(cfg.Dir, "batches"), 0o700); err != nil {
		return nil, fmt.Errorf("the upload folder cannot be made: %w", fault.Unavailable)
	}
	s := &Service{cfg: cfg, uploads: NewUploads(cfg.Dir), batches: map[string]*Batch{}, work: newQueue(cfg.Workers)}
	s.load()
	s.resume(context.Background())
	return s, nil
}

// Uploads is the store of the upload folder, for the upload endpoint.
func (s *Service) Uploads() Uploads { return s.uploads }

// Expiry is how long an unfinished upload may lie idle.
func (s *Service) Expiry() time.Duration { return s.cfg.Expiry }

// Run ingests what is uploaded and sweeps idle uploads and old batches
// away, at start and then regularly, until ctx ends; it returns once
// every ingest it started has ended (they end with ctx: a stop leaves
// their files for the next start to resume).
func (s *Service) Run(ctx context.Context) error {
	s.mu.Lock()
	s.ctx = ctx
	s.dispatchLocked()
	s.mu.Unlock()
	every := min(max(s.cfg.Expiry/4, time.Minute), time.Hour)
	t := time.NewTicker(every)
	defer t.Stop()
	for ctx.Err() == nil {
		s.Sweep()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.running.Wait()
	return nil
}
