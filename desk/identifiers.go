package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ark"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// IdentifierStore is what Identifiers needs of the metadata store.
type IdentifierStore interface {
	access.Lookup
	Item(id string) (*repository.Item, error)
	ResolveARK(a string) (kind, id string, err error)
}

// Identifiers resolves the archive's ARKs (package ark) to the records
// they name, for whoever asks, as the one access decision lets them know
// of the records.
type Identifiers struct {
	Store IdentifierStore
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Named is what an ARK names: an item or a collection, the fonds a unit
// is within, and what the asker may know of it.
type Named struct {
	ARK        string
	Item       *repository.Item
	Collection *repository.Collection
	// Fonds is the top of a unit's tree ("" for a fonds, a curated
	// collection or an item).
	Fonds string
	// Described: the asker may read its description; Withdrawn: it was
	// withdrawn (its page is a tombstone).
	Described, Withdrawn bool
	Res                  access.Resource
}

// Resolve reads the ARK raw (ark:/NAAN/name or ark:NAAN/name) and the
// record it names, for p: not found when no record has it, or p may not
// know the record exists.
func (s *Identifiers) Resolve(ctx context.Context, p access.Principal, raw string) (*Named, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a, err := ark.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, fault.NotFound)
	}
	kind, id, err := s.Store.ResolveARK(a)
	if err != nil {
		return nil, err
	}
	n := &Named{ARK: a}
	if kind == "item" {
		if n.Item, err = s.Store.Item(id); err == nil {
			n.Res, err = access.ItemResource(s.Store, n.Item)
		}
	} else {
		if n.Collection, err = s.Store.Collection(id); err == nil {
			n.Res, err = access.CollectionResource(s.Store, n.Collection)
		}
		if err == nil && n.Collection.Parent != "" && n.Collection.Level != repository.Curated {
			n.Fonds, err = s.fonds(n.Collection)
		}
	}
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	switch err := access.Decide(p, access.ReadMetadata, n.Res, now); {
	case err == nil:
		n.Described = true
	case errors.Is(err, fault.Gone):
		n.Withdrawn = true
	case errors.Is(err, fault.Forbidden), errors.Is(err, fault.Unauthenticated):
		// a restricted record its library lets visitors know of
	default:
		return nil, err
	}
	return n, nil
}

// fonds is the top of c's tree.
func (s *Identifiers) fonds(c *repository.Collection) (string, error) {
	for range 64 {
		if c.Parent == "" {
			return c.ID, nil
		}
		parent, err := s.Store.Collection(c.Parent)
		if err != nil {
			return "", err
		}
		c = parent
	}
	return "", fmt.Errorf("unit %s is deeper than 64 levels: %w", c.ID, fault.Invalid)
}
