package batch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// Bounds of what a person sends to make a batch: a title and an
// identifier (institution, collection, embargo date).
const (
	MaxTitle = 300 // characters
	MaxID    = 64  // characters
)

// ErrTooManyOpen refuses a batch of a person with MaxOpen batches not done.
var ErrTooManyOpen = fmt.Errorf("%d unfinished batches are the most one person may have: %w", MaxOpen, fault.Busy)

// TooLongError refuses a batch with a field over its bound.
type TooLongError struct {
	Field string // title, institution, collection, embargo or meta_title
	Max   int    // characters
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("the batch's %s is longer than %d characters", strings.ReplaceAll(e.Field, "_", " "), e.Max)
}

// Unwrap makes the error invalid input.
func (e *TooLongError) Unwrap() error { return fault.Invalid }

// NoCollectionError refuses a batch in a collection that does not exist,
// or that the person may not see (answered alike).
type NoCollectionError struct{ ID string }

func (e *NoCollectionError) Error() string { return fmt.Sprintf("there is no collection %q", e.ID) }

// Unwrap makes the error invalid input.
func (e *NoCollectionError) Unwrap() error { return fault.Invalid }

// Create makes a batch of p's from what they sent (its institution,
// collection, title, grouping, expected files, access and meta), and
// returns it.
func (s *Service) Create(ctx context.Context, p access.Principal, in Batch) (*Batch, error) {
	if err := tooLong(&in); err != nil {
		return nil, err
	}
	if in.Collection != "" {
		col, err := s.cfg.Store.Collection(in.Collection)
		seen := err == nil
		if seen {
			seen, err = s.seen(p, col)
		}
		if !seen && (err == nil || errors.Is(err, fault.NotFound)) {
			return nil, &NoCollectionError{in.Collection}
		}
		if err != nil {
			return nil, err
		}
		in.Institution = col.Institution
	}
	if problems := in.Access.Check(); len(problems) > 0 {
		return nil, fmt.Errorf("batch: %s: %w", strings.Join(problems, "; "), fault.Invalid)
	}
	if in.Group && in.Expected < 1 {
		return nil, fmt.Errorf("a grouped batch must say how many files it expects (expected): %w", fault.Invalid)
	}
	if _, err := s.cfg.Store.Institution(in.Institution); fault.KindOf(err) == fault.NotFound {
		return nil, fmt.Errorf("institution %q is not one of the archive's libraries (cmu, tu, chula): %w", in.Institution, fault.Invalid)
	} else if err != nil {
		return nil, err
	}
	if err := access.Decide(p, access.Upload, access.LibraryResource(in.Institution), time.Now()); err != nil {
		return nil, err
	}
	b := in
	b.Owner = p.User
	b.ID = fmt.Sprintf("b%d", time.Now().UnixNano())
	b.Files = []*File{}
	b.Done, b.Expired, b.Counts, b.Finished = false, false, nil, time.Time{}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.openLocked(b.Owner) >= MaxOpen {
		return nil, ErrTooManyOpen
	}
	b.Created = s.cfg.Now().UTC()
	s.batches[b.ID] = &b
	s.saveLocked(&b)
	s.pruneLocked()
	return copyOf(&b), nil
}

// tooLong refuses a batch with a field over its bound.
func tooLong(b *Batch) error {
	type bound struct {
		key, value string
		max        int
	}
	fields := []bound{
		{"title", b.Title, MaxTitle},
		{"institution", b.Institution, MaxID},
		{"collection", b.Collection, MaxID},
		{"embargo", b.Access.Embargo, MaxID},
	}
	if b.Meta != nil {
		for _, v := range b.Meta.Title {
			fields = append(fields, bound{"meta_title", v, MaxTitle})
		}
	}
	for _, f := range fields {
		if utf8.RuneCountInString(f.value) > f.max {
			return &TooLongError{Field: f.key, Max: f.max}
		}
	}
	return nil
}

// seen says whether p may see the collection: one they may not is
// answered as one that does not exist. err is the store's.
func (s *Service) seen(p access.Principal, col *repository.Collection) (bool, error) {
	r, err := access.CollectionResource(s.cfg.Store, col)
	if err != nil {
		return false, err
	}
	return access.Decide(p, access.ReadMetadata, r, time.Now()) == nil, nil
}

// Get is a copy of batch id, for its owner or for those who may upload to
// its library; to anyone else it does not exist.
func (s *Service) Get(ctx context.Context, p access.Principal, id string) (*Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.batches[id]
	if b == nil || b.Owner != p.User && access.Decide(p, access.Upload, access.LibraryResource(b.Institution), time.Now()) != nil {
		return nil, fmt.Errorf("no batch %q of yours: %w", id, fault.NotFound)
	}
	return copyOf(b), nil
}

// copyOf is a copy of b whose files are copies too.
func copyOf(b *Batch) *Batch {
	out := *b
	out.Files = make([]*File, len(b.Files))
	for i, f := range b.Files {
		g := *f
		out.Files[i] = &g
	}
	return &out
}

// Check says whether p may make an upload into batch id: named filename,
// and, when final, joining the partial uploads parts. A batch that does
// not exist is invalid input, one that expired is gone, one of another
// person (or a library p may no longer upload to) is forbidden.
func (s *Service) Check(ctx context.Context, p access.Principal, id, filename string, final bool, parts []string) error {
	s.mu.Lock()
	b := s.batches[id]
	var over bool
	var owner, inst string
	if b != nil {
		over, owner, inst = b.Expired, b.Owner, b.Institution
	}
	s.mu.Unlock()
	if b == nil {
		return fmt.Errorf("create a batch first (POST /api/v1/batches) and name it in the upload's batch metadata: %w", fault.Invalid)
	}
	if over {
		return fmt.Errorf("this batch lay idle too long and was closed; create a new batch: %w", fault.Gone)
	}
	if owner != p.User || access.Decide(p, access.Upload, access.LibraryResource(inst), time.Now()) != nil {
		return fmt.Errorf("this batch is not yours, or you may no longer upload to its library: %w", fault.Forbidden)
	}
	if final && !s.partsOf(ctx, id, parts) {
		return fmt.Errorf("a final upload may join only partial uploads (Upload-Concat: partial) made in its own batch: %w", fault.Forbidden)
	}
	if filename == "" {
		return fmt.Errorf("the upload's filename metadata is missing: %w", fault.Invalid)
	}
	return nil
}

// partsOf reports whether every upload of ids is a partial upload made in
// the batch: a final upload joins nothing of another batch or person.
func (s *Service) partsOf(ctx context.Context, batch string, ids []string) bool {
	for _, id := range ids {
		info, err := s.uploads.Info(ctx, id)
		if err != nil || !info.IsPartial || info.MetaData["batch"] != batch {
			return false
		}
	}
	return len(ids) > 0
}

// Owns reports whether p made the upload id through one of their batches.
func (s *Service) Owns(ctx context.Context, p access.Principal, id string) bool {
	info, err := s.uploads.Info(ctx, id)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.batches[info.MetaData["batch"]]
	return b != nil && b.Owner == p.User
}

// Touch records activity on the upload id (a request on it), with what is
// stored of it: it keeps the upload from expiring, and its progress shows.
func (s *Service) Touch(ctx context.Context, id string) {
	info, err := s.uploads.Info(ctx, id)
	if err != nil {
		return // gone, or never made: there is nothing to keep alive
	}
	s.update(info, false)
}

// Completed records that the upload of info has all its data: its file
// is ingested (a grouped batch's, once all have arrived).
func (s *Service) Completed(info Info) { s.update(info, true) }

// update records an upload's progress, and its completion.
func (s *Service) update(info Info, complete bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.batches[info.MetaData["batch"]]
	if b == nil || b.Expired || info.IsPartial {
		return // a partial upload is a part of a file, not one
	}
	f := b.file(info.ID)
	if f == nil {
		f = &File{Upload: info.ID, Name: filepath.Base(info.MetaData["filename"]), Size: info.Size}
		f.Status = Uploading
		b.Files = append(b.Files, f)
	}
	// Progress may be reported after completion, and a late chunk after
	// expiry: neither changes a file that has moved on.
	if f.Status != Uploading {
		return
	}
	f.Received, f.Touched = max(f.Received, info.Offset), s.cfg.Now().UTC()
	if complete {
		f.Status, f.path = Uploaded, s.uploads.dataPath(info.ID)
		if b.Group {
			s.startGroupLocked(b)
		} else {
			s.queueLocked(b, []*File{f})
		}
	}
	s.tallyLocked(b)
	s.saveLocked(b)
}

func (b *Batch) file(upload string) *File {
	for _, f := range b.Files {
		if f.Upload == upload {
			return f
		}
	}
	return nil
}

// pending says the file still waits for its data or for the pipeline.
func (f *File) pending() bool {
	return f.Status == Uploading || f.Status == Uploaded || f.Status == Ingesting
}
