package cite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// Store is what citations read of the metadata store.
type Store interface {
	access.Lookup
	Item(id string) (*repository.Item, error)
}

// Service gathers the sources of citations, each as the reader may see
// it: the record after the one access decision, and of the units above
// it only those the reader may read.
type Service struct {
	Store Store
	// Now is the clock access is decided at (nil: time.Now).
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Item is the source of item id's citation for p, and the item as a
// resource (for the answer's caching). An item p may not know of is not
// found; one p may not read is p's refusal, as the item's own JSON has it.
func (s *Service) Item(ctx context.Context, p access.Principal, id string) (*Source, access.Resource, error) {
	it, res, err := access.LoadItem(ctx, s.Store, p, id, access.ReadMetadata, s.now())
	if err != nil {
		return nil, res, err
	}
	src, err := s.ItemSource(p, it)
	return src, res, err
}

// ItemSource is the source of the citation of an item p may read (its
// page has decided so already).
func (s *Service) ItemSource(p access.Principal, it *repository.Item) (*Source, error) {
	src := &Source{ID: it.ID, ARK: it.ARK, Type: it.Type, Title: it.Title, Creator: it.Creator, Date: it.Date, Language: it.Language}
	var err error
	if src.Library, err = s.library(it.Institution); err != nil {
		return nil, err
	}
	src.Path, err = s.path(p, it.Collection)
	return src, err
}

// Unit is the source of archival unit id's citation for p, and the unit
// as a resource; a curated collection is no unit.
func (s *Service) Unit(ctx context.Context, p access.Principal, id string) (*Source, access.Resource, error) {
	if !repository.ValidID(id) {
		return nil, access.Resource{}, fmt.Errorf("no archival unit %q: %w", id, fault.NotFound)
	}
	if err := ctx.Err(); err != nil {
		return nil, access.Resource{}, err
	}
	col, err := s.Store.Collection(id)
	if err != nil {
		return nil, access.Resource{}, err
	}
	if col.Level == repository.Curated {
		return nil, access.Resource{}, fmt.Errorf("collection %s is a curated collection, not an archival unit: %w", id, fault.NotFound)
	}
	res, err := access.CollectionResource(s.Store, col)
	if err != nil {
		return nil, res, err
	}
	if err := access.Decide(p, access.ReadMetadata, res, s.now()); err != nil {
		return nil, res, err
	}
	src, err := s.UnitSource(p, col)
	return src, res, err
}

// UnitSource is the source of the citation of an archival unit p may
// read (its page has decided so already).
func (s *Service) UnitSource(p access.Principal, col *repository.Collection) (*Source, error) {
	src := &Source{ID: col.ID, Unit: true, ARK: col.ARK, Title: col.Title}
	if d := col.Description; d != nil {
		src.Creator, src.Date, src.Language, src.Ref = d.Creator, d.Date, d.Language, d.ReferenceCode
	}
	var err error
	if src.Library, err = s.library(col.Institution); err != nil {
		return nil, err
	}
	src.Path, err = s.path(p, col.Parent)
	return src, err
}

func (s *Service) library(id string) (repository.Text, error) {
	in, err := s.Store.Institution(id)
	if err != nil {
		return nil, err
	}
	return in.Name, nil
}

// path is the units from the fonds down to unit that p may read: from
// the top, up to the first p may not (whatever is below it is not shown
// either); none inside a curated collection.
func (s *Service) path(p access.Principal, unit string) ([]*repository.Collection, error) {
	var chain []*repository.Collection
	for id := unit; id != "" && len(chain) < repository.MaxDepth; {
		col, err := s.Store.Collection(id)
		if errors.Is(err, fault.NotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		if col.Level == repository.Curated {
			return nil, nil
		}
		chain = append([]*repository.Collection{col}, chain...)
		id = col.Parent
	}
	now := s.now()
	for i, col := range chain {
		r, err := access.CollectionResource(s.Store, col)
		if err != nil {
			return nil, err
		}
		if access.Decide(p, access.ReadMetadata, r, now) != nil {
			return chain[:i], nil
		}
	}
	return chain, nil
}
