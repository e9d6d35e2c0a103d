package annotation

import (
	"fmt"
	"slices"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// validAudience reports whether a is an audience an annotation may name:
// "public", "private" or "group:" and a group's id.
func validAudience(a string) bool {
	_, group := repository.GroupOf(a)
	return a == repository.AudiencePublic || a == repository.AudiencePrivate || group
}

// sees reports whether p may read an annotation made by creator for
// audience: everyone a public one, its author any, and a group's owner
// and members (as they are when p's groups were read) one addressed to
// the group. Whether p may see the item at all is decided before.
func sees(p access.Principal, creator, audience string) bool {
	if audience == repository.AudiencePublic {
		return true
	}
	if !p.SignedIn() {
		return false
	}
	if p.User == creator {
		return true
	}
	id, group := repository.GroupOf(audience)
	return group && slices.Contains(p.Groups, id)
}

// mayAddress refuses an annotation by p for an audience p may not
// address: a group p neither owns nor is a member of.
func mayAddress(p access.Principal, audience string) error {
	if id, group := repository.GroupOf(audience); group && !slices.Contains(p.Groups, id) {
		return fmt.Errorf("you are not in group %s, so you may not address annotations to it: %w", id, fault.Forbidden)
	}
	return nil
}
