package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// GroupStore is what Groups needs of the metadata store.
type GroupStore interface {
	Group(id string) (*repository.Group, error)
	GroupIDsOf(user string) ([]string, error)
	GroupsOf(user string) ([]*repository.Group, error)
	SaveGroup(ctx context.Context, g *repository.Group) error
	User(id string) (*repository.User, error)
	UserByEmail(email string) (*repository.User, error)
}

// Groups are the groups signed-in people make to share annotations with:
// a class, a research team. Anyone signed in may make one and is its
// owner; only the owner renames it, adds and removes members (people of
// any library, by their e-mail address) and deletes it; a member may
// leave. A group opens nothing of the archive: annotations addressed to
// it are still read only past access.Decide.
type Groups struct {
	Store GroupStore
}

// MaxOwnedGroups is how many groups one person may own at once.
const MaxOwnedGroups = 100

// GroupView is a group as one of its people sees it: the owner's
// address, and the members' addresses for the owner only (a member sees
// how many there are).
type GroupView struct {
	ID       string
	Name     repository.Text
	Version  int
	Owner    string // the owner's e-mail address
	Mine     bool   // the asker owns it
	Members  []string
	NMembers int
}

// IDsOf are the ids of the groups user owns or is a member of now: what
// access.Principal carries (Groups) into every request of theirs.
func (s *Groups) IDsOf(user string) ([]string, error) {
	if user == "" {
		return nil, nil
	}
	return s.Store.GroupIDsOf(user)
}

// Mine lists the groups p owns or is a member of.
func (s *Groups) Mine(ctx context.Context, p access.Principal) ([]GroupView, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !p.SignedIn() {
		return nil, fmt.Errorf("to see your groups, sign in: %w", fault.Unauthenticated)
	}
	gs, err := s.Store.GroupsOf(p.User)
	if err != nil {
		return nil, err
	}
	out := make([]GroupView, 0, len(gs))
	for _, g := range gs {
		v, err := s.View(p, g)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// View is g as p sees it.
func (s *Groups) View(p access.Principal, g *repository.Group) (GroupView, error) {
	v := GroupView{ID: g.ID, Name: g.Name, Version: g.Version, Mine: g.Owner == p.User, NMembers: len(g.Members)}
	var err error
	if v.Owner, err = s.email(g.Owner); err != nil {
		return v, err
	}
	if v.Mine {
		for _, m := range g.Members {
			e, err := s.email(m)
			if err != nil {
				return v, err
			}
			v.Members = append(v.Members, e)
		}
	}
	return v, nil
}

// email is a user's address ("" for an account that is no more).
func (s *Groups) email(user string) (string, error) {
	u, err := s.Store.User(user)
	if errors.Is(err, fault.NotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return u.Email, nil
}

// Create makes a group named name, owned by p.
func (s *Groups) Create(ctx context.Context, p access.Principal, name repository.Text) (*repository.Group, error) {
	if err := s.acting(ctx, p); err != nil {
		return nil, err
	}
	name, err := groupName(name)
	if err != nil {
		return nil, err
	}
	gs, err := s.Store.GroupsOf(p.User)
	if err != nil {
		return nil, err
	}
	if n := len(slices.DeleteFunc(gs, func(g *repository.Group) bool { return g.Owner != p.User })); n >= MaxOwnedGroups {
		return nil, refuse(fault.Invalid, "group.too_many", fmt.Sprintf("you own %d groups, the most one person may", n))
	}
	g := &repository.Group{Name: name, Owner: p.User}
	if err := s.Store.SaveGroup(ctx, g); err != nil {
		return nil, err
	}
	return g, nil
}

// Rename gives group id, owned by p, the name name.
func (s *Groups) Rename(ctx context.Context, p access.Principal, id string, name repository.Text) (*repository.Group, error) {
	name, err := groupName(name)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, p, id, true, func(g *repository.Group) error { g.Name = name; return nil })
}

// Add makes the person whose address is email a member of group id,
// owned by p.
func (s *Groups) Add(ctx context.Context, p access.Principal, id, email string) (*repository.Group, error) {
	return s.change(ctx, p, id, true, func(g *repository.Group) error {
		u, err := s.person(email)
		if err != nil {
			return err
		}
		switch {
		case u.ID == g.Owner:
			return refuse(fault.Invalid, "group.owner", "the group's owner is in it already")
		case slices.Contains(g.Members, u.ID):
			return refuse(fault.Conflict, "group.member_already", fmt.Sprintf("%s is a member already", u.Email))
		case len(g.Members) >= repository.MaxGroupMembers:
			return refuse(fault.Invalid, "group.full", fmt.Sprintf("a group has at most %d members", repository.MaxGroupMembers))
		}
		g.Members = append(g.Members, u.ID)
		return nil
	})
}

// Remove takes the person whose address is email out of group id, owned
// by p.
func (s *Groups) Remove(ctx context.Context, p access.Principal, id, email string) (*repository.Group, error) {
	return s.change(ctx, p, id, true, func(g *repository.Group) error {
		u, err := s.person(email)
		if err != nil {
			return err
		}
		if !slices.Contains(g.Members, u.ID) {
			return refuse(fault.Invalid, "group.not_member", fmt.Sprintf("%s is not a member", u.Email))
		}
		g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == u.ID })
		return nil
	})
}

// Leave takes p out of group id, of which p is a member.
func (s *Groups) Leave(ctx context.Context, p access.Principal, id string) error {
	_, err := s.change(ctx, p, id, false, func(g *repository.Group) error {
		if g.Owner == p.User {
			return refuse(fault.Invalid, "group.owner_leaves", "the owner of a group deletes it rather than leave it")
		}
		g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == p.User })
		return nil
	})
	return err
}

// Delete deletes group id, owned by p: annotations addressed to it are
// then their authors' only.
func (s *Groups) Delete(ctx context.Context, p access.Principal, id string) error {
	_, err := s.change(ctx, p, id, true, func(g *repository.Group) error { g.Deleted = true; return nil })
	return err
}

// acting refuses what p may not change: nobody's, or a read-only token's.
func (s *Groups) acting(ctx context.Context, p access.Principal) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !p.SignedIn() {
		return fmt.Errorf("to make or change a group, sign in: %w", fault.Unauthenticated)
	}
	if p.Scope == access.ScopeRead {
		return fmt.Errorf("a read-only token may not change groups: %w", fault.Forbidden)
	}
	return nil
}

// change applies f to group id for p, who must own it (owner) or be in it,
// and saves it; a save that meets another's change reads the group again
// and applies f once more, a few times.
func (s *Groups) change(ctx context.Context, p access.Principal, id string, owner bool, f func(*repository.Group) error) (*repository.Group, error) {
	if err := s.acting(ctx, p); err != nil {
		return nil, err
	}
	for try := 0; ; try++ {
		g, err := s.Store.Group(id)
		if errors.Is(err, fault.NotFound) || err == nil && !g.In(p.User) {
			// Whom it does not concern may not learn it exists.
			return nil, fmt.Errorf("no group %q: %w", id, fault.NotFound)
		}
		if err != nil {
			return nil, err
		}
		if owner && g.Owner != p.User {
			return nil, refuse(fault.Forbidden, "group.owner_only", "only the group's owner changes it")
		}
		if err := f(g); err != nil {
			return nil, err
		}
		err = s.Store.SaveGroup(ctx, g)
		if !errors.Is(err, fault.Conflict) || try == 2 {
			return g, err
		}
	}
}

// person is the account whose address is email.
func (s *Groups) person(email string) (*repository.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return nil, refuse(fault.Invalid, "group.email", "give the member's e-mail address")
	}
	u, err := s.Store.UserByEmail(email)
	if errors.Is(err, fault.NotFound) || err == nil && u.Disabled {
		return nil, refuse(fault.Invalid, "group.no_account", fmt.Sprintf("no account has the address %s", email))
	}
	return u, err
}

// groupName is name trimmed, in Thai and/or English, of a bounded length.
func groupName(name repository.Text) (repository.Text, error) {
	out := repository.Text{}
	for lang, v := range name {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		if lang != "th" && lang != "en" {
			return nil, refuse(fault.Invalid, "group.name_lang", fmt.Sprintf("a group's name is in Thai (th) or English (en), not %q", lang))
		}
		if len([]rune(v)) > repository.MaxGroupName {
			return nil, refuse(fault.Invalid, "group.name_long", fmt.Sprintf("a group's name has at most %d characters", repository.MaxGroupName))
		}
		out[lang] = v
	}
	if len(out) == 0 {
		return nil, refuse(fault.Invalid, "group.name", "give the group a name, in Thai or English")
	}
	return out, nil
}
