package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/thaiarchives/archive/ingest"
)

// Batches are kept as JSON files so a restart keeps their reports.
func (s *Service) saveLocked(b *Batch) {
	data, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		s.cfg.Log.Error("saving an upload batch", "batch", b.ID, "err", err)
		return
	}
	p := s.keptAt(b.ID)
	if err := os.WriteFile(p+".tmp", data, 0o600); err != nil {
		s.cfg.Log.Error("saving an upload batch", "batch", b.ID, "err", err)
		return
	}
	if err := os.Rename(p+".tmp", p); err != nil {
		s.cfg.Log.Error("saving an upload batch", "batch", b.ID, "err", err)
	}
}

// keptAt is where batch id is kept.
func (s *Service) keptAt(id string) string { return filepath.Join(s.cfg.Dir, "batches", id+".json") }

func (s *Service) load() {
	entries, err := os.ReadDir(filepath.Join(s.cfg.Dir, "batches"))
	if err != nil {
		s.cfg.Log.Error("reading the upload batches", "err", err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.cfg.Dir, "batches", e.Name()))
		var b Batch
		if err == nil {
			err = json.Unmarshal(data, &b)
		}
		if err != nil || b.ID == "" {
			s.cfg.Log.Warn("an upload batch cannot be read", "file", e.Name(), "err", err)
			continue
		}
		s.batches[b.ID] = &b
	}
}

// resume picks up what a crash or a stop interrupted: uploads that finished
// without being handed on, and ingests that never reported back. The
// pipeline is idempotent (a file already registered is linked as a
// duplicate), so running an interrupted unit again finishes it.
func (s *Service) resume(ctx context.Context) {
	ids, err := s.uploads.onDisk()
	if err != nil {
		s.cfg.Log.Error("reading the upload folder", "err", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		info, err := s.uploads.Info(ctx, id)
		b := s.batches[info.MetaData["batch"]]
		if err != nil || b == nil || b.Done || b.Expired || info.IsPartial {
			continue
		}
		f := b.file(id)
		if f == nil { // the crash came before the upload was first recorded
			f = &File{Upload: id, Name: filepath.Base(info.MetaData["filename"]), Size: info.Size, Touched: s.cfg.Now().UTC()}
			f.Status = Uploading
			b.Files = append(b.Files, f)
		}
		if !f.pending() {
			continue
		}
		f.Received = info.Offset
		if !info.SizeIsDeferred && info.Offset == info.Size {
			f.Status, f.path = Uploaded, s.uploads.dataPath(id)
		}
	}
	for _, b := range s.batches {
		if b.Done {
			continue
		}
		var again []*File
		for _, f := range b.Files {
			if f.Status != Uploaded && f.Status != Ingesting {
				continue
			}
			if f.path == "" {
				f.Status, f.Error = ingest.Failed, LostUpload
				continue
			}
			f.Status = Uploaded
			again = append(again, f)
		}
		if len(again) > 0 {
			s.cfg.Log.Info("resuming an interrupted upload batch", "batch", b.ID, "files", len(again))
		}
		if b.Group {
			s.startGroupLocked(b)
		} else {
			for _, f := range again {
				s.queueLocked(b, []*File{f})
			}
		}
		s.tallyLocked(b)
		s.saveLocked(b)
	}
}

// openLocked counts the batches of owner that are not done.
func (s *Service) openLocked(owner string) int {
	n := 0
	for _, b := range s.batches {
		if b.Owner == owner && !b.Done {
			n++
		}
	}
	return n
}

// pruneLocked forgets finished batches (done, or closed by expiry) whose
// report has been kept for the upload expiry, and each person's oldest
// finished batches beyond MaxKept: their kept state and whatever upload
// data is left of their files go with them.
func (s *Service) pruneLocked() {
	now := s.cfg.Now()
	kept := map[string]int{}          // batches per person
	finished := map[string][]*Batch{} // of them, those finished
	for _, b := range s.batches {
		if b.Done && now.Sub(b.finished()) > s.cfg.Expiry {
			s.forgetLocked(b)
			continue
		}
		kept[b.Owner]++
		if b.Done {
			finished[b.Owner] = append(finished[b.Owner], b)
		}
	}
	for owner, bs := range finished {
		extra := min(kept[owner]-MaxKept, len(bs))
		if extra <= 0 {
			continue
		}
		slices.SortFunc(bs, func(a, b *Batch) int { return a.finished().Compare(b.finished()) })
		for _, b := range bs[:extra] {
			s.forgetLocked(b)
		}
	}
}

// finished is when a done batch finished; a batch kept from before that
// was recorded finished at its last activity.
func (b *Batch) finished() time.Time {
	if !b.Finished.IsZero() {
		return b.Finished
	}
	return b.lastActive()
}

// lastActive is when the batch was made or one of its uploads last moved.
func (b *Batch) lastActive() time.Time {
	last := b.Created
	for _, f := range b.Files {
		if f.Touched.After(last) {
			last = f.Touched
		}
	}
	return last
}

// forgetLocked removes a finished batch: from memory, its kept state, and
// its files' upload data (none is pending in a finished batch).
func (s *Service) forgetLocked(b *Batch) {
	delete(s.batches, b.ID)
	if err := os.Remove(s.keptAt(b.ID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.cfg.Log.Warn("removing an upload batch", "batch", b.ID, "err", err)
	}
	for _, f := range b.Files {
		s.remove(f.Upload)
	}
}

// Sweep expires what lay idle longer than the upload expiry: unfinished
// uploads (their data is removed and they are marked "expired"), batches
// that never received all their files (closed, their report kept), and
// upload data no batch waits for any more (refused or failed files,
// batches long gone); and forgets batches whose report was kept long
// enough. Run sweeps regularly.
func (s *Service) Sweep() {
	s.mu.Lock()
	now := s.cfg.Now()
	old := func(t time.Time) bool { return now.Sub(t) > s.cfg.Expiry }
	live := map[string]bool{} // uploads a batch still waits for
	var gone []string
	for _, b := range s.batches {
		idle, busy, changed := old(b.lastActive()), false, false
		for _, f := range b.Files {
			touched := f.Touched
			if touched.IsZero() {
				touched = b.Created
			}
			// A grouped batch's arrived files wait for the rest: they
			// go when the batch does. An ungrouped one's are queued.
			if f.Status == Uploading && old(touched) || f.Status == Uploaded && b.Group && idle {
				f.Status, f.Error, changed = Expired, fmt.Sprintf("the upload lay idle longer than %s", s.cfg.Expiry), true
				gone = append(gone, f.Upload)
				continue
			}
			if f.pending() {
				live[f.Upload], busy = true, true
			}
		}
		if idle && !busy && !b.Done {
			b.Expired, changed = true, true
		}
		if changed {
			s.tallyLocked(b)
			s.saveLocked(b)
		}
	}
	s.pruneLocked()
	s.mu.Unlock()
	for _, id := range gone {
		s.remove(id)
	}
	// Data that no batch waits for: by the age of its files.
	ids, err := s.uploads.onDisk()
	if err != nil {
		s.cfg.Log.Error("reading the upload folder", "err", err)
	}
	for _, id := range ids {
		if live[id] {
			continue
		}
		if mod, ok := s.uploads.modified(id); ok && old(mod) {
			s.remove(id)
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 {
		s.cfg.Log.Info("abandoned uploads removed", "uploads", len(gone), "expiry", s.cfg.Expiry)
	}
}
