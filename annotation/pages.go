package annotation

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// Transcriptions: who writes them, who reviews them, and the text of a
// page they make.

// entryOf is what the index keeps of a.
func entryOf(a *repository.Annotation) repository.AnnotationEntry {
	return repository.AnnotationEntry{ID: a.ID, Creator: a.Creator, Audience: a.Audience, Canvas: a.Canvas, Review: a.Review}
}

// toAll: everyone who may see the item may read it, so an answer of it
// alone may be shared.
func toAll(e repository.AnnotationEntry) bool {
	if e.Review != "" {
		return e.Review == repository.ReviewApproved
	}
	return e.Audience == repository.AudiencePublic
}

// reads is whom p may read of the annotations on the item res: what
// sees lets them; approved transcriptions, which are the page's text; and,
// for the holding library's staff, the transcriptions they review.
func (s *Service) reads(p access.Principal, res access.Resource) func(repository.AnnotationEntry) bool {
	staff := access.Decide(p, access.Edit, res, s.now()) == nil
	return func(e repository.AnnotationEntry) bool {
		if e.Review != "" && (e.Review == repository.ReviewApproved || staff) {
			return true
		}
		return sees(p, e.Creator, e.Audience)
	}
}

// judge sets the standing of transcription a as p saves it: approved
// when p is the holding library's staff, waiting for them when p is a
// transcriber the library invited. Nobody else transcribes.
func (s *Service) judge(p access.Principal, res access.Resource, a *repository.Annotation) error {
	now := s.now()
	switch {
	case access.Decide(p, access.Edit, res, now) == nil:
		a.Review, a.ReviewedBy, a.ReviewedAt = repository.ReviewApproved, p.User, now
	case access.Transcribes(p, res, now):
		a.Review, a.ReviewedBy, a.ReviewedAt = repository.ReviewPending, "", time.Time{}
	default:
		return fmt.Errorf("only the holding library's staff and the transcribers it invites transcribe its pages: ask the library to invite you: %w", fault.Forbidden)
	}
	return nil
}

// Review approves (or rejects) transcription id of container w, read by
// p at version v: the holding library's staff only. An approved one's
// text becomes its page's at once.
func (s *Service) Review(ctx context.Context, p access.Principal, w Where, id string, v int, approve bool) (*Answer, error) {
	a, res, err := s.change(p, w, id, v)
	if err != nil {
		return nil, err
	}
	if err := access.Decide(p, access.Edit, res, s.now()); err != nil {
		return nil, fmt.Errorf("only the holding library's staff review transcriptions: %w", fault.Forbidden)
	}
	if a.Review == "" {
		return nil, invalid("annotation %s is not a transcription (its motivation is not supplementing or transcribing)", id)
	}
	was := a.Review == repository.ReviewApproved
	a.Review, a.ReviewedBy, a.ReviewedAt = repository.ReviewRejected, p.User, s.now()
	if approve {
		a.Review = repository.ReviewApproved
	}
	if err := s.Store.SaveAnnotation(ctx, a); err != nil {
		return nil, err
	}
	if err := s.afterSave(ctx, p, a, was); err != nil {
		return nil, err
	}
	return s.answer(p, w, res, a)
}

// afterSave brings the text of a's page in step when a is, or was before
// this change, an approved transcription.
func (s *Service) afterSave(ctx context.Context, p access.Principal, a *repository.Annotation, wasApproved bool) error {
	if !wasApproved && (a.Review != repository.ReviewApproved || a.Deleted) {
		return nil
	}
	if err := s.refresh(ctx, a.Item, a.Canvas, p.Email+" (transcription)"); err != nil {
		return unwritten(a.Canvas, err)
	}
	return nil
}

// unwritten is the error of a page whose text could not be written after
// its transcriptions were saved: the next approval writes it.
func unwritten(canvas int, err error) error {
	return fmt.Errorf("the transcriptions are saved, but the text of page %d could not be written (%v): approve one of its transcriptions again to write it: %w", canvas, err, fault.Unavailable)
}

// refresh writes the text of page canvas of item: what the machine read,
// with the page's approved transcriptions put in, in the order they were
// approved, as the page's "alto" and "text" (see repository.File's
// Transcribed); with none, the machine's again. One page at a time, so
// that two approvals at once both count.
func (s *Service) refresh(ctx context.Context, item string, canvas int, agent string) error {
	if s.Blobs == nil {
		return fmt.Errorf("no storage for the text of pages: %w", fault.Unavailable)
	}
	s.pageMu.Lock()
	defer s.pageMu.Unlock()
	entries, err := s.Store.AnnotationsOn(item, canvas)
	if err != nil {
		return err
	}
	var ids []string
	for _, e := range entries {
		if e.Review == repository.ReviewApproved {
			ids = append(ids, e.ID)
		}
	}
	approved, err := s.Store.Annotations(ids)
	if err != nil {
		return err
	}
	slices.SortStableFunc(approved, func(a, b *repository.Annotation) int { return a.ReviewedAt.Compare(b.ReviewedAt) })
	for range 5 {
		it, err := s.Store.Item(item)
		if err != nil {
			return err
		}
		if canvas > len(it.Files) {
			return fmt.Errorf("item %s has no page %d: %w", item, canvas, fault.NotFound)
		}
		f := &it.Files[canvas-1]
		d, sums := maps.Clone(f.Derivatives), maps.Clone(f.Digests)
		if d == nil {
			d = map[string]string{}
		}
		if sums == nil {
			sums = map[string]string{}
		}
		machine := map[string]string{"alto": d["alto"], "text": d["text"]}
		if f.Transcribed {
			machine = map[string]string{"alto": d["machine-alto"], "text": d["machine-text"]}
		}
		var detail string
		if len(approved) == 0 {
			if !f.Transcribed {
				return nil
			}
			for _, k := range []string{"alto", "text"} {
				d[k], sums[k] = d["machine-"+k], sums["machine-"+k]
				delete(d, "machine-"+k)
				delete(sums, "machine-"+k)
				if d[k] == "" {
					delete(d, k)
					delete(sums, k)
				}
			}
			f.Transcribed = false
			detail = fmt.Sprintf("page %d: the machine's text again, no transcription approved", canvas)
		} else {
			page, err := s.machinePage(ctx, f, machine["alto"])
			if err != nil {
				return err
			}
			ts := make([]transcript, len(approved))
			for i, a := range approved {
				ts[i] = readTranscript(a.Doc, page.Width, page.Height)
			}
			page = transcribe(page, ts)
			alto := page.WriteALTO(fmt.Sprintf("%s page %d", item, canvas), "transcription")
			if !f.Transcribed {
				for _, k := range []string{"alto", "text"} {
					if d[k] != "" {
						d["machine-"+k], sums["machine-"+k] = d[k], sums[k]
					}
				}
			}
			ak, asum, err := s.putText(ctx, f.SHA256, canvas, "alto.xml", alto, "application/xml; charset=utf-8")
			if err != nil {
				return err
			}
			tk, tsum, err := s.putText(ctx, f.SHA256, canvas, "txt", []byte(strings.TrimSpace(page.Text())), "text/plain; charset=utf-8")
			if err != nil {
				return err
			}
			if f.Transcribed && d["alto"] == ak && d["text"] == tk {
				return nil // the same text again
			}
			d["alto"], sums["alto"], d["text"], sums["text"] = ak, asum, tk, tsum
			f.Transcribed = true
			detail = fmt.Sprintf("page %d: text of %d approved transcriptions", canvas, len(approved))
		}
		f.Derivatives, f.Digests = d, sums
		err = s.Store.SaveItem(ctx, it, agent, repository.Event{Type: "transcription", Outcome: "success", Detail: detail})
		if !errors.Is(err, fault.Conflict) {
			return err
		}
	}
	return fmt.Errorf("item %s kept changing while the text of page %d was written: %w", item, canvas, fault.Conflict)
}

// machinePage is what the machine read of page f (its ALTO at key), or an
// empty page of its size.
func (s *Service) machinePage(ctx context.Context, f *repository.File, key string) (*ocr.Page, error) {
	empty := &ocr.Page{Width: cmp.Or(f.Width, 1000), Height: cmp.Or(f.Height, 1414)}
	if key == "" {
		return empty, nil
	}
	rc, err := s.Blobs.Get(ctx, key, 0, -1)
	if errors.Is(err, fault.NotFound) {
		return empty, nil
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return ocr.ReadALTO(rc)
}

// putText stores a page's transcribed text beside its other derivatives,
// named by its own digest, so that the same text is the same blob.
func (s *Service) putText(ctx context.Context, file string, canvas int, ext string, data []byte, ctype string) (key, digest string, err error) {
	sum := sha256.Sum256(data)
	digest = hex.EncodeToString(sum[:])
	key = fmt.Sprintf("derivatives/%s/%s/%s/p%d.transcribed.%s.%s", file[:2], file[2:4], file, canvas, digest[:16], ext)
	_, err = s.Blobs.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{SHA256: digest, Size: int64(len(data)), ContentType: ctype})
	return key, digest, err
}
