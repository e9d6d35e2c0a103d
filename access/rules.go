package access

import (
	"fmt"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// The rules that stand beside Decide, each written once: who may grant
// which role, whether an embargo is over, who may keep an answer, and
// which units of a tree a reader sees. Tests hold each to Decide.

// MayGrant returns nil when p may give role to a user of library at now
// (or change, disable or enable a user who holds it): p manages the
// library's users, and only a system administrator grants the system
// administrator's role. Otherwise it returns Decide's refusal, fault.Forbidden
// for a role beyond p, or fault.Invalid for a role that does not
// exist.
func MayGrant(p Principal, role Role, library string, now time.Time) error {
	if err := Decide(p, ManageUsers, LibraryResource(library), now); err != nil {
		return err
	}
	if !ValidRole(role) {
		return fmt.Errorf("no role %q: %w", role, fault.Invalid)
	}
	if role == SystemAdmin && p.Role != SystemAdmin {
		return fmt.Errorf("%s may not grant the role %s: %w", p.Email, role, fault.Forbidden)
	}
	return nil
}

// EmbargoOver reports whether r is under no embargo at now: it has none,
// or its day has come. Until then r is restricted whatever its level. A
// date that is not one keeps r closed.
func EmbargoOver(r Resource, now time.Time) bool { return embargoOver(r.Access, now) }

func embargoOver(a repository.Access, now time.Time) bool {
	return a.Embargo == "" || a.EmbargoEnded(now)
}

// Cache is who may keep an answer.
type Cache int

const (
	// Private: only the asker's own browser; the answer differs by who asks.
	Private Cache = iota
	// Public: shared caches too; the answer is the same for every visitor.
	Public
)

// CachePolicy says who may keep an answer about r given to p at now: shared
// caches only when anyone, signed in or not, may read all of r, and p is
// not signed in (an answer built for a person is theirs alone). An answer
// about reading-room material depends on the reader's address, which no
// Vary header names: it is never shared.
func CachePolicy(r Resource, p Principal, now time.Time) Cache {
	if p.SignedIn() || r.Access.ReadingRoom || r.Withdrawn || Effective(r.Access, now) != repository.Public || Decide(Principal{}, ReadContent, r, now) != nil {
		return Private
	}
	return Public
}

// Grantable lists the roles p may give to a user of library at now.
func Grantable(p Principal, library string, now time.Time) []Role {
	var out []Role
	for _, r := range Roles {
		if MayGrant(p, r, library, now) == nil {
			out = append(out, r)
		}
	}
	return out
}

// TreeView is the part of an archival tree a reader sees.
type TreeView struct{ seen map[string]bool }

// VisibleTree decides which units of t p may see at now: each unit whose
// description p may read (Decide, ReadMetadata), below a unit p sees. A
// unit p may not read is left out with everything below it; so is the
// whole tree when p may not read its root (callers that must say why ask
// Decide of the root). A unit whose access cannot be read is an error.
func VisibleTree(p Principal, t *repository.Tree, now time.Time) (TreeView, error) {
	v := TreeView{seen: map[string]bool{}}
	var err error
	t.Walk(func(n *repository.Node) bool {
		if err != nil {
			return false
		}
		var r Resource
		if r, err = CollectionResource(t, n.Collection); err != nil {
			return false
		}
		if Decide(p, ReadMetadata, r, now) != nil {
			return false
		}
		v.seen[n.ID] = true
		return true
	})
	if err != nil {
		return TreeView{}, err
	}
	return v, nil
}

// Sees reports whether the reader sees unit n.
func (v TreeView) Sees(n *repository.Node) bool { return v.seen[n.ID] }

// Children lists the units right below n that the reader sees, in order.
func (v TreeView) Children(n *repository.Node) []*repository.Node {
	var out []*repository.Node
	for _, c := range n.Children {
		if v.seen[c.ID] {
			out = append(out, c)
		}
	}
	return out
}

// Len is the number of units the reader sees.
func (v TreeView) Len() int { return len(v.seen) }

// ReadsInternal reports whether p may read what library keeps internal
// (units and texts a finding aid marked audience="internal"): Decide's
// answer for an internal record of that library, so the library's staff
// and the system administrators.
func ReadsInternal(p Principal, library string) bool {
	r := Resource{Kind: "library", ID: library, Institution: library, Access: repository.Access{Internal: true}}
	return Decide(p, ReadMetadata, r, time.Time{}) == nil
}
