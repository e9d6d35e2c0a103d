package desk

import (
	"context"
	"fmt"
	"strings"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/signin"
)

// SetSignInRoles keeps mapping as the roles the library gives a person who
// signs in with the university's account for the first time (see
// signin.ParseRoles; "" leaves it to the operator's setting). Only the
// library's administrator or a system administrator may, with the
// library's record read at version.
func (s *Accounts) SetSignInRoles(ctx context.Context, p access.Principal, library string, version int, mapping string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := access.Decide(p, access.ManageUsers, access.LibraryResource(library), s.now()); err != nil {
		return err
	}
	mapping = strings.TrimSpace(mapping)
	if _, err := signin.ParseRoles(mapping); err != nil {
		return refuse(fault.Invalid, "bad_signin_roles", fmt.Sprintf("the roles for university sign-in: %v", err))
	}
	in, err := s.Store.Institution(library)
	if err != nil {
		return err
	}
	next := *in
	next.SignInRoles, next.Version = mapping, version
	return s.Store.SaveInstitution(ctx, &next)
}
