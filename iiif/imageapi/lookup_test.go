package imageapi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/repository"
)

// brokenItems is a metadata store whose item reads fail with err.
type brokenItems struct{ err error }

func (b *brokenItems) Item(string) (*repository.Item, error) { return nil, b.err }
func (b *brokenItems) Collection(string) (*repository.Collection, error) {
	return nil, b.err
}
func (b *brokenItems) Institution(string) (*repository.Institution, error) {
	return nil, b.err
}
func (b *brokenItems) Generation() uint64 { return 1 }

// TestImageOfAStoreThatFailsIsNotAMissingImage: an item read that fails for
// any reason but a missing record is passed up as it came (unavailable, or
// an internal error), never answered as "no such image" — which viewers and
// caches would take for good — and is not remembered.
func TestImageOfAStoreThatFailsIsNotAMissingImage(t *testing.T) {
	for _, cause := range []error{
		errors.New("decoding item cmu-1: unexpected end of JSON input"),
		fault.E("get item", fault.Unavailable, "cmu-1", nil),
	} {
		items := &brokenItems{err: cause}
		s := imageapi.NewService(imageapi.Config{Items: items})
		call := imageapi.Call{Version: 3, ID: "cmu-1-1", Base: "http://x/iiif/3/cmu-1-1"}
		_, err := s.Info(context.Background(), access.Principal{}, call)
		if !errors.Is(err, cause) || errors.Is(err, fault.NotFound) {
			t.Errorf("item read failing with %q: Info answers %v (kind %v), want the failure itself", cause, err, fault.KindOf(err))
		}
		if res, err := s.Probe(access.Principal{}, call.ID); !errors.Is(err, cause) {
			t.Errorf("item read failing with %q: the probe answers %v, %v; want the failure itself", cause, res, err)
		}
		items.err = fault.E("get item", fault.NotFound, "cmu-1", nil)
		if _, err := s.Info(context.Background(), access.Principal{}, call); !errors.Is(err, fault.NotFound) {
			t.Errorf("after the store answers again: %v, want not found (the failure was remembered)", err)
		}
	}
}
