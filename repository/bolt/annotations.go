package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"
	"golang.org/x/sync/errgroup"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

var (
	// bAnnotations: id → the annotation's newest version, tombstones too.
	bAnnotations = []byte("annotations")
	// ixAnnotations: item \x00 canvas (4 bytes) \x00 created (timeKey) →
	// audience \x00 creator [\x00 review], for the annotations not deleted: a canvas's
	// annotations in the order they were made, and who may see each.
	ixAnnotations = []byte("ix_annotations")
	// ixAnnoPublic: item \x00 canvas (4 bytes) → how many public
	// annotations it holds (8 bytes), for the manifests: kept, not counted.
	ixAnnoPublic = []byte("ix_annotations_public")
)

// SaveAnnotation creates (Version 0) or changes an annotation, versioned
// like every record: storage first, then the index and the change feed.
// A change must carry the version it was read at (fault.Conflict
// otherwise); the earlier versions stay in storage.
func (s *Store) SaveAnnotation(ctx context.Context, a *repository.Annotation) error {
	next := *a
	if err := next.Validate(); err != nil {
		return err
	}
	defer s.locks.lock(lockSet{mine: []string{"annotation/" + next.ID}})()
	var old *repository.Annotation
	if o, err := s.Annotation(next.ID); err == nil {
		if o.Version != next.Version || o.Deleted {
			return fmt.Errorf("annotation %s was changed by someone else: %w", next.ID, fault.Conflict)
		}
		old = o
	} else if next.Version != 0 {
		return err
	}
	now := s.Now()
	next.Version++
	next.Modified = now
	if old == nil {
		next.Created = now
	}
	if err := s.putRecord(ctx, repository.RecordKey("annotations", next.ID, next.Version), record{Kind: "annotation", Annotation: &next}); err != nil {
		return err
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		if err := insertAnnotation(tx, old, &next); err != nil {
			return err
		}
		return appendFeed(tx, repository.FeedEntry{Time: now, Kind: "annotation", ID: next.ID, Version: next.Version, Op: feedOp(old == nil, next.Deleted)})
	}); err != nil {
		return err
	}
	s.announce()
	*a = next
	return nil
}

// AddAnnotations creates annotations as one change (an import): every
// record goes to storage first, eight at a time, then one transaction
// registers them all, so the archive shows all of them or none. Each is
// made a nanosecond after the one before, so they keep their order.
func (s *Store) AddAnnotations(ctx context.Context, as []*repository.Annotation) error {
	now := s.Now()
	next := make([]*repository.Annotation, len(as))
	for i, a := range as {
		n := *a
		if n.Version != 0 {
			return fmt.Errorf("annotation %s exists already: %w", n.ID, fault.Conflict)
		}
		if err := n.Validate(); err != nil {
			return err
		}
		n.Version = 1
		n.Created = now.Add(time.Duration(i))
		n.Modified = n.Created
		next[i] = &n
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, n := range next {
		g.Go(func() error {
			return s.putRecord(gctx, repository.RecordKey("annotations", n.ID, n.Version), record{Kind: "annotation", Annotation: n})
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		for _, n := range next {
			if tx.Bucket(bAnnotations).Get([]byte(n.ID)) != nil {
				return fmt.Errorf("annotation %s exists already: %w", n.ID, fault.Conflict)
			}
			if err := insertAnnotation(tx, nil, n); err != nil {
				return err
			}
			if err := appendFeed(tx, repository.FeedEntry{Time: n.Created, Kind: "annotation", ID: n.ID, Version: n.Version, Op: feedOp(true, false)}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	s.announce()
	for i := range as {
		*as[i] = *next[i]
	}
	return nil
}

func annotationKey(a *repository.Annotation) []byte {
	k := annotationPrefix(a.Item, a.Canvas)
	return append(k, timeKey(a.Created, a.ID)...)
}

// annotationPrefix is the index prefix of an item's annotations (canvas 0)
// or of one canvas's.
func annotationPrefix(item string, canvas int) []byte {
	k := append([]byte(item), 0)
	if canvas > 0 {
		k = binary.BigEndian.AppendUint32(k, uint32(canvas))
		k = append(k, 0)
	}
	return k
}

// insertAnnotation stores a's newest version and indexes it in place of
// old (nil: none); a deleted annotation leaves the index.
func insertAnnotation(tx *bbolt.Tx, old, a *repository.Annotation) error {
	if old != nil && !old.Deleted {
		if err := unindex(tx, ixAnnotations, annotationKey(old)); err != nil {
			return err
		}
		if err := countPublic(tx, old, -1); err != nil {
			return err
		}
	}
	if err := putJSON(tx, bAnnotations, a.ID, a); err != nil {
		return err
	}
	if a.Deleted {
		return nil
	}
	if err := countPublic(tx, a, 1); err != nil {
		return err
	}
	v := a.Audience + "\x00" + a.Creator
	if a.Review != "" {
		v += "\x00" + a.Review
	}
	return tx.Bucket(ixAnnotations).Put(annotationKey(a), []byte(v))
}

// countPublic adds d to the count of public annotations of a's canvas
// when a is public; a count of none leaves the index.
func countPublic(tx *bbolt.Tx, a *repository.Annotation, d int64) error {
	if a.Audience != repository.AudiencePublic || a.Review != "" {
		return nil // a transcription's text is the page's, not an annotation page's
	}
	b := tx.Bucket(ixAnnoPublic)
	k := annotationPrefix(a.Item, a.Canvas)
	k = k[:len(k)-1]
	n := int64(0)
	if v := b.Get(k); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v))
	}
	if n += d; n <= 0 {
		return b.Delete(k)
	}
	return b.Put(k, binary.BigEndian.AppendUint64(nil, uint64(n)))
}

// PublicCanvases are the canvases of item that hold public annotations,
// in order, from their kept counts.
func (s *Store) PublicCanvases(item string) ([]int, error) {
	var out []int
	prefix := annotationPrefix(item, 0)
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(ixAnnoPublic).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(k) != len(prefix)+4 {
				return fmt.Errorf("public annotation count %q is malformed: %w", k, fault.Invalid)
			}
			out = append(out, int(binary.BigEndian.Uint32(k[len(prefix):])))
		}
		return nil
	})
	return out, err
}

// Annotation returns an annotation's newest version, a tombstone too.
func (s *Store) Annotation(id string) (*repository.Annotation, error) {
	var a repository.Annotation
	if err := s.view(func(tx *bbolt.Tx) error { return getJSON(tx, bAnnotations, id, &a) }); err != nil {
		return nil, err
	}
	return &a, nil
}

// Annotations returns the newest versions of the annotations ids, in
// their order, read in one transaction.
func (s *Store) Annotations(ids []string) ([]*repository.Annotation, error) {
	out := make([]*repository.Annotation, len(ids))
	err := s.view(func(tx *bbolt.Tx) error {
		for i, id := range ids {
			out[i] = new(repository.Annotation)
			if err := getJSON(tx, bAnnotations, id, out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// AnnotationVersion reads version v of an annotation from storage.
func (s *Store) AnnotationVersion(ctx context.Context, id string, v int) (*repository.Annotation, error) {
	if !repository.ValidUUID(id) || v < 1 {
		return nil, fmt.Errorf("annotation %q version %d: %w", id, v, fault.NotFound)
	}
	r, err := s.readRecord(ctx, repository.RecordKey("annotations", id, v))
	if err != nil {
		return nil, err
	}
	if r.Annotation == nil {
		return nil, fmt.Errorf("record of annotation %s version %d holds no annotation: %w", id, v, fault.Invalid)
	}
	return r.Annotation, nil
}

// AnnotationsOn lists the annotations of an item's canvas (0: of all its
// canvases) that are not deleted, canvas by canvas in the order they were
// made, from the index alone.
func (s *Store) AnnotationsOn(item string, canvas int) ([]repository.AnnotationEntry, error) {
	var out []repository.AnnotationEntry
	prefix := annotationPrefix(item, canvas)
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(ixAnnotations).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			rest := k[len(item)+1:]
			if len(rest) < 4+1+8+1 {
				return fmt.Errorf("annotation index entry %q is malformed: %w", k, fault.Invalid)
			}
			audience, v, _ := bytes.Cut(v, []byte{0})
			creator, review, _ := bytes.Cut(v, []byte{0})
			out = append(out, repository.AnnotationEntry{ID: string(rest[4+1+8+1:]), Canvas: int(binary.BigEndian.Uint32(rest)),
				Audience: string(audience), Creator: string(creator), Review: string(review)})
		}
		return nil
	})
	return out, err
}
