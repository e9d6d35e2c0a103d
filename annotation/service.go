// Package annotation is the archive's W3C Web Annotation store
// (https://www.w3.org/TR/annotation-protocol/): a container of
// annotations per item and per canvas, paged; annotations created,
// changed and deleted by signed-in people; who may read each (its author
// only, a group its author is in, or everyone who may see the item); as
// plain Go, below the HTTP layer, deciding with access.Decide.
package annotation

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// Store is what the service needs of the metadata store.
type Store interface {
	access.Items
	Annotation(id string) (*repository.Annotation, error)
	AnnotationVersion(ctx context.Context, id string, v int) (*repository.Annotation, error)
	AnnotationsOn(item string, canvas int) ([]repository.AnnotationEntry, error)
	PublicCanvases(item string) ([]int, error)
	Annotations(ids []string) ([]*repository.Annotation, error)
	SaveAnnotation(ctx context.Context, a *repository.Annotation) error
	SaveItem(ctx context.Context, it *repository.Item, agent string, events ...repository.Event) error
	AddAnnotations(ctx context.Context, as []*repository.Annotation) error
}

// Service answers the annotation protocol for a principal.
type Service struct {
	Store Store
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// PerMinute is how many annotations one account may create in a
	// minute (0: DefaultPerMinute).
	PerMinute int
	// Blobs keeps the text of pages that approved transcriptions make.
	Blobs storage.Blobs

	mu     sync.Mutex
	recent map[string][]time.Time // account → its creations in the last minute
	pageMu sync.Mutex             // one page's text written at a time
}

// PageSize is how many annotations a container page holds.
const PageSize = 100

// MaxBody is the largest annotation taken, in bytes.
const MaxBody = 64 << 10

// DefaultPerMinute is how many annotations an account may create a minute.
const DefaultPerMinute = 30

// Where names a container: an item's (Canvas 0) or one canvas's, on the
// site whose public address is Base.
type Where struct {
	Base, Item string
	Canvas     int
}

// Container is the container's IRI.
func (w Where) Container() string {
	if w.Canvas == 0 {
		return w.Base + "/annotations/" + w.Item + "/"
	}
	return fmt.Sprintf("%s/annotations/%s/%d/", w.Base, w.Item, w.Canvas)
}

// CanvasURI is the IIIF canvas n of the item, as its manifest names it.
func (w Where) CanvasURI(n int) string {
	return fmt.Sprintf("%s/iiif/3/manifest/%s/canvas/%d", w.Base, w.Item, n)
}

// IRI is an annotation's address.
func (w Where) IRI(a *repository.Annotation) string {
	return fmt.Sprintf("%s/annotations/%s/%d/%s", w.Base, a.Item, a.Canvas, a.ID)
}

// LimitError refuses a creation past the account's limit a minute; Wait
// is how long until the next is taken.
type LimitError struct{ Wait time.Duration }

func (e *LimitError) Error() string {
	return fmt.Sprintf("too many annotations in a minute: try again in %d s", int(e.Wait.Seconds()+0.999))
}

// Unwrap makes it a fault.Busy.
func (e *LimitError) Unwrap() error { return fault.Busy }

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// load reads the item of w and what access decides it by, deciding
// nothing.
func (s *Service) load(w Where) (*repository.Item, access.Resource, error) {
	if !repository.ValidID(w.Item) {
		return nil, access.Resource{}, fmt.Errorf("no item %q: %w", w.Item, fault.NotFound)
	}
	it, err := s.Store.Item(w.Item)
	if err != nil {
		return nil, access.Resource{}, err
	}
	res, err := access.ItemResource(s.Store, it)
	return it, res, err
}

// item reads the item of w for p: refused as its manifest is (not found
// for what p may not know exists), with the canvas checked against its
// pages.
func (s *Service) item(p access.Principal, w Where) (*repository.Item, access.Resource, error) {
	it, res, err := s.load(w)
	if err != nil {
		return nil, res, err
	}
	if err := access.Decide(p, access.ReadMetadata, res, s.now()); err != nil {
		return nil, res, err
	}
	if w.Canvas < 0 || w.Canvas > len(it.Files) {
		return nil, res, fmt.Errorf("item %s has no canvas %d: %w", it.ID, w.Canvas, fault.NotFound)
	}
	return it, res, nil
}

// find reads annotation id in the container w for p: not found when it is
// not there or p may not read it, gone when deleted.
func (s *Service) find(p access.Principal, w Where, id string) (*repository.Annotation, access.Resource, error) {
	_, res, err := s.item(p, w)
	if err != nil {
		return nil, res, err
	}
	notFound := fmt.Errorf("no annotation %q in %s: %w", id, w.Container(), fault.NotFound)
	if !repository.ValidUUID(id) {
		return nil, res, notFound
	}
	a, err := s.Store.Annotation(id)
	if errors.Is(err, fault.NotFound) {
		return nil, res, notFound
	}
	if err != nil {
		return nil, res, err
	}
	if a.Item != w.Item || a.Canvas != w.Canvas || !s.reads(p, res)(entryOf(a)) {
		return nil, res, notFound
	}
	if a.Deleted {
		return a, res, fmt.Errorf("annotation %s was deleted: %w", id, fault.Gone)
	}
	return a, res, nil
}

// Get is annotation id of container w, as p may read it, or its version v
// (0: the newest).
func (s *Service) Get(ctx context.Context, p access.Principal, w Where, id string, v int) (*Answer, error) {
	a, res, err := s.find(p, w, id)
	if err != nil {
		return nil, err
	}
	if v != 0 && v != a.Version {
		if v < 1 || v > a.Version {
			return nil, fmt.Errorf("annotation %s has no version %d: %w", id, v, fault.NotFound)
		}
		if a, err = s.Store.AnnotationVersion(ctx, id, v); err != nil {
			return nil, err
		}
		// A version that was private is its author's, whatever the
		// newest says.
		if !s.reads(p, res)(entryOf(a)) {
			return nil, fmt.Errorf("no version %d of annotation %q: %w", v, id, fault.NotFound)
		}
	}
	return s.answer(p, w, res, a)
}

// Create adds the annotation in body to container w (a canvas's) as p's.
func (s *Service) Create(ctx context.Context, p access.Principal, w Where, body []byte) (*Answer, error) {
	it, res, err := s.item(p, w)
	if err != nil {
		return nil, err
	}
	if !p.SignedIn() {
		return nil, fmt.Errorf("to annotate, sign in: %w", fault.Unauthenticated)
	}
	if p.Scope == access.ScopeRead {
		return nil, fmt.Errorf("a read-only token may not annotate: %w", fault.Forbidden)
	}
	if w.Canvas == 0 {
		return nil, invalid("post to a canvas's container, %s{n}/", w.Container())
	}
	// Nobody annotates a page they may not see.
	if err := access.Decide(p, access.ReadReduced, res, s.now()); err != nil {
		return nil, err
	}
	in, err := parse(body, w.CanvasURI(w.Canvas))
	if err != nil {
		return nil, err
	}
	if err := mayAddress(p, in.audience); err != nil {
		return nil, err
	}
	if err := s.allow(p.User); err != nil {
		return nil, err
	}
	a := &repository.Annotation{ID: newUUID(), Item: it.ID, Canvas: w.Canvas, Institution: it.Institution,
		Creator: p.User, Audience: in.audience, Doc: in.doc}
	if in.transcription {
		if err := s.judge(p, res, a); err != nil {
			return nil, err
		}
	}
	if err := s.Store.SaveAnnotation(ctx, a); err != nil {
		return nil, err
	}
	if err := s.afterSave(ctx, p, a, false); err != nil {
		return nil, err
	}
	return s.answer(p, w, res, a)
}

// change reads annotation id for a change by p at version v: only its
// author or the holding library's staff change it.
func (s *Service) change(p access.Principal, w Where, id string, v int) (*repository.Annotation, access.Resource, error) {
	a, res, err := s.find(p, w, id)
	if err != nil {
		return nil, res, err
	}
	if !p.SignedIn() {
		return nil, res, fmt.Errorf("to change an annotation, sign in: %w", fault.Unauthenticated)
	}
	if p.Scope == access.ScopeRead {
		return nil, res, fmt.Errorf("a read-only token may not change annotations: %w", fault.Forbidden)
	}
	if p.User != a.Creator {
		if err := access.Decide(p, access.Edit, res, s.now()); err != nil {
			return nil, res, fmt.Errorf("only its author or the library's staff change annotation %s: %w", id, fault.Forbidden)
		}
	}
	if v != a.Version {
		return nil, res, fmt.Errorf("annotation %s is at version %d, not %d: %w", id, a.Version, v, fault.Conflict)
	}
	if a.Review != "" && p.User == a.Creator && access.Decide(p, access.Edit, res, s.now()) != nil && !access.Transcribes(p, res, s.now()) {
		return nil, res, fmt.Errorf("transcription %s may be changed by the library's staff and its transcribers only: %w", id, fault.Forbidden)
	}
	return a, res, nil
}

// Replace puts body in place of annotation id, read by p at version v.
func (s *Service) Replace(ctx context.Context, p access.Principal, w Where, id string, v int, body []byte) (*Answer, error) {
	a, res, err := s.change(p, w, id, v)
	if err != nil {
		return nil, err
	}
	in, err := parse(body, w.CanvasURI(w.Canvas))
	if err != nil {
		return nil, err
	}
	if err := mayAddress(p, in.audience); err != nil {
		return nil, err
	}
	was := a.Review == repository.ReviewApproved
	a.Doc, a.Audience = in.doc, in.audience
	a.Review, a.ReviewedBy, a.ReviewedAt = "", "", time.Time{}
	if in.transcription {
		if err := s.judge(p, res, a); err != nil {
			return nil, err
		}
	}
	if err := s.Store.SaveAnnotation(ctx, a); err != nil {
		return nil, err
	}
	if err := s.afterSave(ctx, p, a, was); err != nil {
		return nil, err
	}
	return s.answer(p, w, res, a)
}

// Delete removes annotation id, read by p at version v; its address then
// answers gone.
func (s *Service) Delete(ctx context.Context, p access.Principal, w Where, id string, v int) error {
	a, _, err := s.change(p, w, id, v)
	if err != nil {
		return err
	}
	a.Deleted = true
	if err := s.Store.SaveAnnotation(ctx, a); err != nil {
		return err
	}
	return s.afterSave(ctx, p, a, a.Review == repository.ReviewApproved)
}

// allow counts a creation by user, or refuses it past the limit.
func (s *Service) allow(user string) error {
	limit := s.PerMinute
	if limit == 0 {
		limit = DefaultPerMinute
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recent == nil {
		s.recent = map[string][]time.Time{}
	}
	var kept []time.Time
	for _, t := range s.recent[user] {
		if now.Sub(t) < time.Minute {
			kept = append(kept, t)
		}
	}
	if len(kept) >= limit {
		s.recent[user] = kept
		return &LimitError{Wait: kept[0].Add(time.Minute).Sub(now)}
	}
	s.recent[user] = append(kept, now)
	if len(s.recent) > 100_000 {
		s.forget(now)
	}
	return nil
}

// forget drops the accounts quiet for a minute.
func (s *Service) forget(now time.Time) {
	for u, ts := range s.recent {
		if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= time.Minute {
			delete(s.recent, u)
		}
	}
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// ETag is the entity tag of an annotation's version.
func ETag(v int) string { return `"v` + strconv.Itoa(v) + `"` }

// ParseETag is the version an If-Match names (0: none of ours).
func ParseETag(s string) int {
	if len(s) < 4 || s[0] != '"' || s[1] != 'v' || s[len(s)-1] != '"' {
		return 0
	}
	v, err := strconv.Atoi(s[2 : len(s)-1])
	if err != nil || v < 1 {
		return 0
	}
	return v
}

// document is an annotation as answered: its kept document with the
// fields the archive sets.
func (w Where) document(a *repository.Annotation) (map[string]any, error) {
	var doc map[string]any
	if err := json.Unmarshal(a.Doc, &doc); err != nil {
		return nil, fmt.Errorf("annotation %s's document: %w", a.ID, err)
	}
	doc["id"] = w.IRI(a)
	doc["created"] = a.Created.UTC().Format(time.RFC3339)
	doc["modified"] = a.Modified.UTC().Format(time.RFC3339)
	// The account's number, never its address: a public annotation
	// names no one's e-mail.
	doc["creator"] = map[string]string{"id": "urn:x-archive:user:" + a.Creator, "type": "Person"}
	doc["audience"] = a.Audience
	if a.Review != "" {
		doc["review"] = a.Review // a transcription's: pending, approved or rejected
	}
	return doc, nil
}
