package batch

import (
	"context"
	"errors"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// startGroupLocked ingests a grouped batch as one unit once every file it
// expects has arrived.
func (s *Service) startGroupLocked(b *Batch) {
	if len(b.Files) < b.Expected {
		return
	}
	for _, f := range b.Files {
		if f.Status != Uploaded {
			return
		}
	}
	s.queueLocked(b, b.Files)
}

// queueLocked puts files of b in line for a worker (see queue).
func (s *Service) queueLocked(b *Batch, files []*File) {
	s.work.add(job{b, files})
	s.dispatchLocked()
}

// dispatchLocked starts what may run on the free workers, while Run runs.
func (s *Service) dispatchLocked() {
	for s.ctx != nil && !s.stopped && s.ctx.Err() == nil {
		j, ok := s.work.next()
		if !ok {
			return
		}
		ctx := s.ctx
		s.running.Go(func() {
			s.ingest(ctx, j.b, j.files)
			s.mu.Lock()
			defer s.mu.Unlock()
			s.work.done(j)
			s.dispatchLocked()
		})
	}
}

// ingest hands uploaded files to the same pipeline as every other source.
// A stop before or during the pipeline leaves the files "uploaded" or
// "ingesting", for the next start to resume.
func (s *Service) ingest(ctx context.Context, b *Batch, files []*File) {
	if ctx.Err() != nil {
		return
	}
	if ok, err := s.allowed(b); !ok {
		s.refuse(b, files, err)
		return
	}
	s.mu.Lock()
	unit := ingest.Unit{Origin: "web upload, batch " + b.ID + " by " + b.Owner, Meta: repository.Item{Institution: b.Institution, Collection: b.Collection, Access: b.Access}}
	if b.Meta != nil {
		unit.Meta = *b.Meta
		unit.Meta.ID, unit.Meta.Files, unit.Meta.Version = "", nil, 0
		unit.Meta.Institution, unit.Meta.Collection, unit.Meta.Access = b.Institution, b.Collection, b.Access
	}
	if b.Title != "" {
		unit.Meta.Title = repository.Text{"none": b.Title}
	}
	for _, f := range files {
		f.Status = Ingesting
		unit.Files = append(unit.Files, ingest.Input{Path: f.path, Name: f.Name})
	}
	s.tallyLocked(b) // the report counts the files ingesting
	s.saveLocked(b)
	s.mu.Unlock()
	outs := s.cfg.Pipeline.Ingest(ctx, unit)
	if ctx.Err() != nil {
		return // the outcome may be the stop's; a re-run after the restart is idempotent
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range files {
		f.Outcome = outs[i]
		f.Outcome.File = f.Name
		if f.Status != ingest.Failed {
			s.remove(f.Upload)
		} else {
			s.cfg.Log.Error("ingesting an upload", "batch", b.ID, "file", f.Name, "err", f.Error)
		}
	}
	s.tallyLocked(b)
	s.saveLocked(b)
}

// allowed says whether the batch's owner may upload to its library now,
// as the store says at the moment of ingest: a person demoted or disabled
// since the batch was made adds nothing more through it. err says the
// store could not tell.
func (s *Service) allowed(b *Batch) (bool, error) {
	usr, err := s.cfg.Store.User(b.Owner)
	if errors.Is(err, fault.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	p := access.Principal{User: usr.ID, Email: usr.Email, Institution: usr.Institution, Role: access.Role(usr.Role), Scope: access.ScopeUpload}
	return !usr.Disabled && access.Decide(p, access.Upload, access.LibraryResource(b.Institution), time.Now()) == nil, nil
}

// refuse ends files that are not to be ingested: refused when their
// owner may no longer upload (their data removed), failed when the store
// could not say (err; kept for a later run).
func (s *Service) refuse(b *Batch, files []*File, err error) {
	o := ingest.Outcome{Status: ingest.Refused, Messages: []ingest.Message{{Kind: "upload_not_allowed", Args: []string{b.Institution}}}}
	if err != nil {
		o = ingest.Outcome{Status: ingest.Failed, Messages: []ingest.Message{ingest.MessageOf(err)}}
		s.cfg.Log.Error("checking the uploader of a batch", "batch", b.ID, "err", err)
	}
	o.Error = o.Messages[0].String()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range files {
		f.Outcome = o
		f.Outcome.File = f.Name
		if o.Status == ingest.Refused {
			s.remove(f.Upload)
		}
	}
	s.tallyLocked(b)
	s.saveLocked(b)
}

// tallyLocked counts the batch's files by status and says whether it is done:
// every expected file arrived (or the batch expired) and none is pending.
func (s *Service) tallyLocked(b *Batch) {
	b.Counts = map[string]int{}
	done := b.Expired || len(b.Files) >= b.Expected
	for _, f := range b.Files {
		b.Counts[f.Status]++
		done = done && !f.pending()
	}
	b.Done = done
	if !done {
		b.Finished = time.Time{}
	} else if b.Finished.IsZero() {
		b.Finished = s.cfg.Now().UTC()
	}
}

// remove deletes an upload's data and record, saying in the log if it
// cannot.
func (s *Service) remove(id string) {
	if err := s.uploads.remove(id); err != nil {
		s.cfg.Log.Warn("removing an upload", "upload", id, "err", err)
	}
}
