package annotation

import (
	"context"
	"fmt"
	"slices"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// Answer is a document of the protocol.
type Answer struct {
	Doc any
	// ETag is an annotation's entity tag ("" for containers and pages).
	ETag string
	// Private: it holds what only its asker may read, or is about an item
	// anonymous visitors may not see whole, so no shared cache may keep it.
	Private bool
	// ID is an annotation's identifier.
	ID string
}

// ContainerContext is a container's JSON-LD context.
var ContainerContext = []string{Context, "http://www.w3.org/ns/ldp.jsonld"}

func (s *Service) answer(p access.Principal, w Where, res access.Resource, a *repository.Annotation) (*Answer, error) {
	doc, err := w.document(a)
	if err != nil {
		return nil, err
	}
	doc["@context"] = Context
	private := !toAll(entryOf(a)) || access.CachePolicy(res, p, s.now()) != access.Public
	return &Answer{Doc: doc, ETag: ETag(a.Version), Private: private, ID: a.ID}, nil
}

// visible lists the annotations of container w that p may read, and the
// item's resource.
func (s *Service) visible(p access.Principal, w Where) ([]repository.AnnotationEntry, access.Resource, error) {
	_, res, err := s.item(p, w)
	if err != nil {
		return nil, res, err
	}
	all, err := s.Store.AnnotationsOn(w.Item, w.Canvas)
	if err != nil {
		return nil, res, err
	}
	reads := s.reads(p, res)
	return slices.DeleteFunc(all, func(e repository.AnnotationEntry) bool { return !reads(e) }), res, nil
}

// pageIRI is page n of container w, naming the preference for IRIs.
func (w Where) pageIRI(n int, iris bool) string {
	if iris {
		return fmt.Sprintf("%s?iris=1&page=%d", w.Container(), n)
	}
	return fmt.Sprintf("%s?page=%d", w.Container(), n)
}

// Collection is container w as p sees it: an AnnotationCollection with
// its total and its first and last pages (none when empty).
func (s *Service) Collection(ctx context.Context, p access.Principal, w Where, iris bool) (*Answer, error) {
	list, res, err := s.visible(p, w)
	if err != nil {
		return nil, err
	}
	doc := map[string]any{"@context": ContainerContext, "id": w.Container(), "type": []string{"BasicContainer", "AnnotationCollection"},
		"total": len(list)}
	if len(list) > 0 {
		doc["first"] = w.pageIRI(0, iris)
		doc["last"] = w.pageIRI((len(list)-1)/PageSize, iris)
	}
	return &Answer{Doc: doc, Private: s.private(p, res, list)}, nil
}

// private: the answer holds an annotation only p may read, or is about an
// item not public to everyone.
func (s *Service) private(p access.Principal, res access.Resource, list []repository.AnnotationEntry) bool {
	if access.CachePolicy(res, p, s.now()) != access.Public {
		return true
	}
	return slices.ContainsFunc(list, func(e repository.AnnotationEntry) bool { return !toAll(e) })
}

// Page is page n (from 0) of container w as p sees it: at most PageSize
// annotations, whole or (iris) by their IRIs only.
func (s *Service) Page(ctx context.Context, p access.Principal, w Where, n int, iris bool) (*Answer, error) {
	list, res, err := s.visible(p, w)
	if err != nil {
		return nil, err
	}
	last := max(0, (len(list)-1)/PageSize)
	if n < 0 || n > last {
		return nil, fmt.Errorf("container %s has no page %d: %w", w.Container(), n, fault.NotFound)
	}
	on := list[n*PageSize : min(len(list), (n+1)*PageSize)]
	ids := make([]string, len(on))
	for i, e := range on {
		ids[i] = e.ID
	}
	annos, err := s.Store.Annotations(ids)
	if err != nil {
		return nil, err
	}
	items := make([]any, 0, len(on))
	for _, a := range annos {
		if iris {
			items = append(items, w.IRI(a))
			continue
		}
		doc, err := w.document(a)
		if err != nil {
			return nil, err
		}
		items = append(items, doc)
	}
	doc := map[string]any{"@context": Context, "id": w.pageIRI(n, iris), "type": "AnnotationPage",
		"partOf":     map[string]any{"id": w.Container(), "total": len(list)},
		"startIndex": n * PageSize, "items": items}
	if n > 0 {
		doc["prev"] = w.pageIRI(n-1, iris)
	}
	if n < last {
		doc["next"] = w.pageIRI(n+1, iris)
	}
	return &Answer{Doc: doc, Private: s.private(p, res, on)}, nil
}

// PublicCanvases are the canvases of item that hold public annotations,
// in order: those its manifest points to.
func (s *Service) PublicCanvases(item string) ([]int, error) {
	return s.Store.PublicCanvases(item)
}
