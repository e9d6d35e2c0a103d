package annotation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// MaxImport is the most annotations one import takes.
const MaxImport = 5000

// MaxImportBody is the largest import taken, in bytes.
const MaxImportBody = 8 << 20

// maxProblems is how many refused annotations an import's error names.
const maxProblems = 20

// Imported is what an import made: the new annotations' addresses, in the
// order they were read.
type Imported struct {
	IRIs []string
}

// Import adds the annotations of body to item w.Item as p's, all or none:
// p must be one whom access.Decide lets edit the item (its library's
// staff). body is a W3C or IIIF AnnotationPage, an AnnotationCollection
// with its pages embedded, a list of annotations, or an object of
// AnnotationPages by canvas (Mirador's local storage). Each annotation
// must target a canvas of this item by its IIIF URI and pass the checks of
// a POST; its own id is kept as "via". When any is refused, none is kept
// and the error names each refused one by its place (from 1) and why.
func (s *Service) Import(ctx context.Context, p access.Principal, w Where, body []byte) (*Imported, error) {
	w.Canvas = 0
	it, err := s.editable(p, w)
	if err != nil {
		return nil, err
	}
	raws, err := unwrap(body)
	if err != nil {
		return nil, err
	}
	if len(raws) == 0 {
		return nil, invalid("the import holds no annotations")
	}
	if len(raws) > MaxImport {
		return nil, fmt.Errorf("an import holds at most %d annotations, not %d: %w", MaxImport, len(raws), fault.TooLarge)
	}
	var (
		made     []*repository.Annotation
		problems []string
	)
	for i, raw := range raws {
		a, err := w.imported(it, p.User, raw)
		if err == nil {
			err = mayAddress(p, a.Audience)
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("annotation %d: %s", i+1, reason(err)))
			continue
		}
		made = append(made, a)
	}
	if len(problems) > 0 {
		more := ""
		if len(problems) > maxProblems {
			more = fmt.Sprintf("; and %d more", len(problems)-maxProblems)
			problems = problems[:maxProblems]
		}
		return nil, fmt.Errorf("nothing was imported: %s%s: %w", strings.Join(problems, "; "), more, fault.Invalid)
	}
	if err := s.Store.AddAnnotations(ctx, made); err != nil {
		return nil, fmt.Errorf("nothing was imported: %w", err)
	}
	out := &Imported{}
	var pages []int
	for _, a := range made {
		out.IRIs = append(out.IRIs, w.IRI(a))
		if a.Review == repository.ReviewApproved && !slices.Contains(pages, a.Canvas) {
			pages = append(pages, a.Canvas)
		}
	}
	for _, n := range pages {
		if err := s.refresh(ctx, it.ID, n, p.Email+" (transcription import)"); err != nil {
			return out, unwritten(n, err)
		}
	}
	return out, nil
}

// editable reads item w.Item for an import by p: refused as not found
// to whom may not know of it, else to all but whom access.Decide lets
// edit it; a withdrawn item is gone.
func (s *Service) editable(p access.Principal, w Where) (*repository.Item, error) {
	it, res, err := s.load(w)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := access.Decide(p, access.Edit, res, now); err != nil {
		if rerr := access.Decide(p, access.ReadMetadata, res, now); rerr != nil && !errors.Is(rerr, fault.Gone) {
			return nil, rerr
		}
		if !p.SignedIn() {
			return nil, fmt.Errorf("to import annotations, sign in: %w", fault.Unauthenticated)
		}
		return nil, fmt.Errorf("only the holding library's staff import annotations to item %s: %w", it.ID, fault.Forbidden)
	}
	if p.Scope == access.ScopeRead {
		return nil, fmt.Errorf("a read-only token may not import annotations: %w", fault.Forbidden)
	}
	// A withdrawn item takes no annotations, from its staff neither.
	if err := access.Decide(p, access.ReadMetadata, res, now); err != nil {
		return nil, err
	}
	return it, nil
}

// reason is why the data model refused an annotation.
func reason(err error) string {
	var m *modelError
	if errors.As(err, &m) {
		return m.reason
	}
	return err.Error()
}

// imported checks one annotation of an import and makes it user's, on
// the canvas its target names.
func (w Where) imported(it *repository.Item, user string, raw json.RawMessage) (*repository.Annotation, error) {
	if len(raw) > MaxBody {
		return nil, invalid("larger than %d KiB", MaxBody>>10)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, invalid("not a JSON object")
	}
	n, err := w.canvasOf(doc["target"], len(it.Files))
	if err != nil {
		return nil, err
	}
	// An annotation embedded in a page takes the page's context (Mirador
	// writes none on the annotation itself); one that names a context must
	// name the data model's.
	if _, ok := doc["@context"]; !ok {
		doc["@context"], _ = json.Marshal(Context)
	}
	var id string
	if json.Unmarshal(doc["id"], &id) == nil && id != "" {
		doc["via"], _ = json.Marshal(id)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	in, err := parse(b, w.CanvasURI(n))
	if err != nil {
		return nil, err
	}
	a := &repository.Annotation{ID: newUUID(), Item: it.ID, Canvas: n, Institution: it.Institution,
		Creator: user, Audience: in.audience, Doc: in.doc}
	if in.transcription { // the staff's, approved as they are imported
		a.Review, a.ReviewedBy = repository.ReviewApproved, user
	}
	return a, nil
}

// canvasOf is the canvas (from 1) of the item's that a target names by its
// IIIF URI.
func (w Where) canvasOf(raw json.RawMessage, canvases int) (int, error) {
	var src string
	if json.Unmarshal(raw, &src) != nil {
		var t struct {
			Source json.RawMessage `json:"source"`
		}
		if json.Unmarshal(raw, &t) != nil {
			return 0, invalid(`"target" must be a canvas's URI or an object with a "source"`)
		}
		if json.Unmarshal(t.Source, &src) != nil {
			var obj struct {
				ID string `json:"id"`
			}
			json.Unmarshal(t.Source, &obj)
			src = obj.ID
		}
	}
	src, _, _ = strings.Cut(src, "#")
	if src == "" {
		return 0, invalid(`a "target" is required: a canvas of this item, %s`, w.CanvasURI(1))
	}
	prefix := strings.TrimSuffix(w.CanvasURI(1), "1")
	n, err := strconv.Atoi(strings.TrimPrefix(src, prefix))
	if !strings.HasPrefix(src, prefix) || err != nil || strconv.Itoa(n) != strings.TrimPrefix(src, prefix) {
		return 0, invalid("the target %q is not a canvas of this item (%s{n})", src, prefix)
	}
	if n < 1 || n > canvases {
		return 0, invalid("the target %q names canvas %d; this item has %d", src, n, canvases)
	}
	return n, nil
}

// unwrap lists the annotations of an import, whichever shape it has.
func unwrap(body []byte) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	shape := invalid("an import is an AnnotationPage, an AnnotationCollection with its pages embedded, a list of annotations, or an object of AnnotationPages by canvas")
	if len(body) > 0 && body[0] == '[' {
		var list []json.RawMessage
		if json.Unmarshal(body, &list) != nil {
			return nil, shape
		}
		return list, nil
	}
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return nil, shape
	}
	var kind string
	json.Unmarshal(doc["type"], &kind)
	switch {
	case kind == "AnnotationPage":
		return pageItems(doc)
	case kind == "AnnotationCollection":
		var pages []map[string]json.RawMessage
		if json.Unmarshal(doc["items"], &pages) != nil || len(pages) == 0 {
			return nil, invalid(`an AnnotationCollection is imported with its pages embedded in "items"`)
		}
		var all []json.RawMessage
		for _, pg := range pages {
			items, err := pageItems(pg)
			if err != nil {
				return nil, err
			}
			all = append(all, items...)
		}
		return all, nil
	case kind == "" && doc["@context"] == nil:
		// Mirador's local storage: canvas URI → AnnotationPage.
		var all []json.RawMessage
		canvases := make([]string, 0, len(doc))
		for c := range doc {
			canvases = append(canvases, c)
		}
		slices.Sort(canvases)
		for _, c := range canvases {
			var pg map[string]json.RawMessage
			if json.Unmarshal(doc[c], &pg) != nil {
				return nil, shape
			}
			items, err := pageItems(pg)
			if err != nil {
				return nil, err
			}
			all = append(all, items...)
		}
		return all, nil
	}
	return nil, shape
}

// pageItems are the annotations of an AnnotationPage.
func pageItems(pg map[string]json.RawMessage) ([]json.RawMessage, error) {
	if !names(pg["type"], "AnnotationPage") {
		return nil, invalid(`a page of an import must be of "type" "AnnotationPage"`)
	}
	var items []json.RawMessage
	if len(pg["items"]) > 0 && json.Unmarshal(pg["items"], &items) != nil {
		return nil, invalid(`an AnnotationPage's "items" must be a list of annotations`)
	}
	return items, nil
}
