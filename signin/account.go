package signin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// account is the user id signs in as: the account linked to the provider's
// subject (its e-mail address and name brought up to date), or a new one in
// the provider's library with the role the library's mapping gives. A
// disabled account is refused, whatever the provider says. With linkTo, the
// person is linked to that account instead (see BeginLink).
func (s *Service) account(ctx context.Context, id Identity, linkTo string) (*repository.User, error) {
	link := repository.SignInLink{Library: id.Library, Provider: id.Provider, Subject: id.Subject}
	agent := "university sign-in of " + id.Library
	if linkTo != "" {
		return s.link(ctx, link, linkTo, agent)
	}
	email := strings.ToLower(id.Email)
	u, err := s.cfg.Store.UserBySignIn(link)
	switch {
	case err == nil:
		if u.Disabled {
			return nil, fault.E("university sign-in", fault.Forbidden, id.Library, errors.New("this account is disabled; ask the library"))
		}
		if (email != "" && email != u.Email) || (id.Name != "" && id.Name != u.Name) {
			next := *u
			if email != "" {
				next.Email = email
			}
			if id.Name != "" {
				next.Name = id.Name
			}
			switch err := s.cfg.Store.SaveUser(ctx, &next, agent); {
			case err == nil:
				return &next, nil
			case fault.KindOf(err) == fault.Conflict || fault.KindOf(err) == fault.Invalid:
				// The new address is another account's, or not one the
				// archive takes: the person is still who the link says.
				return u, nil
			default:
				return nil, err
			}
		}
		return u, nil
	case !errors.Is(err, fault.NotFound):
		return nil, err
	}
	if email == "" {
		return nil, fault.E("university sign-in", fault.Invalid, id.Library, errors.New("the identity provider gave no e-mail address, which an account needs"))
	}
	roles, err := s.roles(id.Library)
	if err != nil {
		return nil, err
	}
	role := roles.For(id.Affiliations)
	u = &repository.User{Email: email, Name: id.Name, Institution: id.Library, Role: role, SignInLinks: []repository.SignInLink{link}}
	err = s.cfg.Store.SaveUser(ctx, u, agent)
	if fault.KindOf(err) == fault.Conflict {
		return nil, fault.E("university sign-in", fault.Conflict, id.Library,
			fmt.Errorf("%s already has an account of its own; a library administrator can link it to the university account", email))
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// roles is the library's mapping: the one its administrator keeps on the
// library's record when there is one, else the setting's.
func (s *Service) roles(library string) (Roles, error) {
	in, err := s.cfg.Store.Institution(library)
	if errors.Is(err, fault.NotFound) || err == nil && strings.TrimSpace(in.SignInRoles) == "" {
		return s.libs[library].Roles, nil
	}
	if err != nil {
		return Roles{}, err
	}
	r, err := ParseRoles(in.SignInRoles)
	if err != nil {
		return Roles{}, fault.E("university sign-in", fault.Invalid, library, fmt.Errorf("the library's roles for university sign-in: %w", err))
	}
	return r, nil
}

// link adds the link to the account linkTo; a person already linked to
// another account is refused (the store's index says so).
func (s *Service) link(ctx context.Context, link repository.SignInLink, linkTo, agent string) (*repository.User, error) {
	u, err := s.cfg.Store.User(linkTo)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, fault.E("university sign-in", fault.Forbidden, link.Library, errors.New("this account is disabled; ask the library"))
	}
	for _, l := range u.SignInLinks {
		if l == link {
			return u, nil
		}
	}
	next := *u
	next.SignInLinks = append(slices.Clone(u.SignInLinks), link)
	if err := s.cfg.Store.SaveUser(ctx, &next, agent); err != nil {
		return nil, err
	}
	return &next, nil
}
