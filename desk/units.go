package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// Units is the desk's work on archival units: making and describing them,
// filing items in them, moving them, and importing finding aids. Each
// change is decided for the person who makes it with access.Decide.
type Units struct {
	Store *bolt.Store
	// Ingest takes the digitised files an imported finding aid links to
	// (nil: they are reported and left out).
	Ingest Ingester
	// Now is the time decisions are made at (nil: the clock).
	Now func() time.Time
}

// Ingester is what a finding aid's import needs of the ingest pipeline.
type Ingester interface {
	Ingest(ctx context.Context, u ingest.Unit) []ingest.Outcome
}

// MissingUnit is a unit named in a request (as the unit to move, or as a
// parent) that does not exist or that the person may not know of: the
// request's mistake, said the same way in both cases.
type MissingUnit struct {
	Role string // "unit" or "parent"
	ID   string
}

func (e *MissingUnit) Error() string {
	if e.ID == "" {
		return "no " + e.Role + " unit is named"
	}
	return fmt.Sprintf("there is no %s unit %q", e.Role, e.ID)
}

// Unwrap makes a missing unit invalid input.
func (e *MissingUnit) Unwrap() error { return fault.Invalid }

// ItemRefused is an item named to be filed in a unit that cannot be: one
// the person may not see (Unseen, and no identifier is told), or one of
// another library or that they may not edit.
type ItemRefused struct {
	ID     string
	Unseen bool
}

func (e *ItemRefused) Error() string {
	if e.Unseen {
		return "an item named is not known"
	}
	return fmt.Sprintf("item %s is of another library or not yours to change", e.ID)
}

// Unwrap makes a refused item invalid input.
func (e *ItemRefused) Unwrap() error { return fault.Invalid }

// ErrFondsOnTop refuses to put a fonds inside another unit: a fonds is the
// top of its tree (ISAD(G) 1.2) until its level says it is part of one.
var ErrFondsOnTop = fmt.Errorf("a fonds is the top of its tree: give it a lower level before putting it inside another unit: %w", fault.Invalid)

func (u *Units) now() time.Time {
	if u.Now != nil {
		return u.Now()
	}
	return time.Now()
}

// agent names the person in the trail of what they change at the desk.
func agent(p access.Principal) string { return p.Email + " (desk)" }

// Unit reads unit id for a change by p: a unit p may not know of is not
// found, in the same words as one that does not exist; one p may see but
// not edit is forbidden. Nothing about it is told before that.
func (u *Units) Unit(ctx context.Context, p access.Principal, id string) (*repository.Collection, error) {
	col, err := u.Store.Collection(id)
	if err != nil {
		return nil, err
	}
	r, err := access.CollectionResource(u.Store, col)
	if err != nil {
		return nil, err
	}
	now := u.now()
	if err := access.Decide(p, access.ReadMetadata, r, now); errors.Is(err, fault.NotFound) {
		return nil, err
	}
	return col, access.Decide(p, access.Edit, access.LibraryResource(col.Institution), now)
}

// named is Unit for a unit a request names (as role): one that is not
// there, or not to be known of, is a MissingUnit.
func (u *Units) named(ctx context.Context, p access.Principal, id, role string) (*repository.Collection, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return nil, &MissingUnit{Role: role}
	}
	col, err := u.Unit(ctx, p, id)
	if errors.Is(err, fault.NotFound) {
		return nil, &MissingUnit{Role: role, ID: id}
	}
	return col, err
}

// Draft is a new unit for p to describe: inside parent (of its library, a
// level below), or at the top of institution ("" for p's own).
func (u *Units) Draft(ctx context.Context, p access.Principal, parent, institution string) (*repository.Collection, error) {
	col := &repository.Collection{Institution: institution, Parent: parent, Level: repository.Fonds}
	if parent != "" {
		up, err := u.Unit(ctx, p, parent)
		if err != nil {
			return nil, err
		}
		col.Institution, col.Level = up.Institution, ChildLevel(up.Level)
	}
	if col.Institution == "" {
		col.Institution = p.Institution
	}
	return col, access.Decide(p, access.Edit, access.LibraryResource(col.Institution), u.now())
}

// ChildLevel is the level a new unit inside a unit of level l usually has.
func ChildLevel(l repository.Level) repository.Level {
	if i := slices.Index(repository.StandardLevels, l); i >= 0 && i+1 < len(repository.StandardLevels) {
		return repository.StandardLevels[i+1]
	}
	return repository.ItemLevel
}

// FreeID refuses a new collection's chosen identifier when any collection,
// of any library, has it (ErrConflict): in the same words whoever holds
// it, and before anything about the holder could be told.
func (u *Units) FreeID(id string) error {
	if id == "" {
		return nil
	}
	_, err := u.Store.Collection(id)
	switch {
	case err == nil:
		return fmt.Errorf("the identifier %s is taken: %w", id, fault.Conflict)
	case errors.Is(err, fault.NotFound):
		return nil
	}
	return err
}

// Save creates (Version 0) or changes unit c for p, with the items its
// Members name filed in it in that order (those elsewhere are moved into
// it), all as one change. A new unit goes inside c.Parent (taking its
// library, last among its children) or at the top of c.Institution, under
// c.ID if that is free; a changed unit keeps its place and library, and
// the elements a finding aid gave it as written, but for those the change
// writes anew (ead.Reconcile).
func (u *Units) Save(ctx context.Context, p access.Principal, c *repository.Collection) error {
	now := u.now()
	if c.Version > 0 {
		stored, err := u.Unit(ctx, p, c.ID)
		if err != nil {
			return err
		}
		// What a finding aid said as written stays, except where this
		// edit says otherwise.
		keepImported(c, stored)
		ead.Reconcile(stored, c)
		c.Institution, c.Parent, c.Order = stored.Institution, stored.Parent, stored.Order
	} else {
		if err := u.FreeID(c.ID); err != nil {
			return err
		}
		if c.Parent != "" {
			up, err := u.named(ctx, p, c.Parent, "parent")
			if err != nil {
				return err
			}
			c.Institution = up.Institution
			if c.Order, err = u.Store.NextOrder(c.Parent); err != nil {
				return err
			}
		}
	}
	if err := access.Decide(p, access.Edit, access.LibraryResource(c.Institution), now); err != nil {
		return err
	}
	visible, err := access.Visible(u.Store, p, c.Members, now)
	if err != nil {
		return err
	}
	if len(visible) != len(c.Members) {
		return &ItemRefused{Unseen: true}
	}
	for _, it := range visible {
		if access.Decide(p, access.Edit, access.LibraryResource(it.Institution), now) != nil || it.Institution != c.Institution {
			return &ItemRefused{ID: it.ID}
		}
	}
	return u.Store.SaveUnit(ctx, c, agent(p))
}

// Move says where a unit goes.
type Move struct {
	Unit    string
	Version int // the version the move was decided on (0: the stored one)
	// Parent is the unit it goes into; Top puts it at the top level.
	Parent string
	Top    bool
	// Position is its place among the parent's children (0 first; beyond
	// the end, last). Step, when not 0, moves it that many places among
	// its siblings instead (-1 up, 1 down).
	Position int
	Step     int
}

// Move moves a unit (with everything below it) into another unit of its
// library, or to the top level, at a position among its new siblings:
// one recorded change. It returns the unit as it was before the move.
func (u *Units) Move(ctx context.Context, p access.Principal, m Move) (*repository.Collection, error) {
	col, err := u.named(ctx, p, m.Unit, "unit")
	if err != nil {
		return nil, err
	}
	version := col.Version
	if m.Version != 0 {
		version = m.Version
	}
	parent, position := strings.TrimSpace(m.Parent), m.Position
	if m.Step != 0 {
		parent, m.Top = col.Parent, false
		sibs, err := u.Store.Children(parent)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(sibs, func(x *repository.Collection) bool { return x.ID == col.ID })
		position = max(i+m.Step, 0)
	}
	if m.Top {
		parent = ""
	} else if _, err := u.named(ctx, p, parent, "parent"); err != nil {
		return nil, err
	}
	if col.Level == repository.Fonds && parent != "" && parent != col.Parent {
		return nil, ErrFondsOnTop
	}
	return col, u.Store.MoveCollection(ctx, col.ID, version, parent, position, agent(p))
}

// Root is the identifier of the top unit of the tree c is in.
func (u *Units) Root(c *repository.Collection) string {
	root := c.ID
	for id, depth := c.Parent, 0; id != "" && depth < 64; depth++ {
		root = id
		up, err := u.Store.Collection(id)
		if err != nil {
			break
		}
		id = up.Parent
	}
	return root
}
