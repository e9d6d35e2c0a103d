package desk

import (
	"context"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/repository"
)

// SaveCollection creates (Version 0) or changes collection c for p: a
// library's collection, or a curated one whose members are items of any
// library that p may see (their order is the collection's). A named parent
// must be a unit p may edit (a MissingUnit otherwise); a member p may not
// see is refused without telling which (ItemRefused).
func (u *Units) SaveCollection(ctx context.Context, p access.Principal, c *repository.Collection) error {
	now := u.now()
	if c.Version > 0 {
		if _, err := u.Unit(ctx, p, c.ID); err != nil {
			return err
		}
	} else if err := u.FreeID(c.ID); err != nil {
		return err
	}
	if err := access.Decide(p, access.Edit, access.LibraryResource(c.Institution), now); err != nil {
		return err
	}
	if c.Parent != "" {
		if _, err := u.named(ctx, p, c.Parent, "parent"); err != nil {
			return err
		}
	}
	visible, err := access.Visible(u.Store, p, c.Members, now)
	if err != nil {
		return err
	}
	if len(visible) != len(c.Members) {
		return &ItemRefused{Unseen: true}
	}
	return u.Store.SaveCollection(ctx, c, agent(p))
}
