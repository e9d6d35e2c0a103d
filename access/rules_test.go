package access

import (
	"errors"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// MayGrant is Decide's user management with one rule more: only a system
// administrator grants the system administrator's role.
func TestMayGrantIsDecideForManagingUsersAndNoMore(t *testing.T) {
	cmuReadToken := Principal{User: "u5", Email: "l@cmu", Institution: "cmu", Role: LibraryAdmin, Scope: ScopeRead}
	for _, p := range []Principal{anonymous, cmuReader, tuReader, cmuArch, tuArch, cmuAdmin, sysAdmin, cmuReadToken} {
		for _, lib := range []string{"cmu", "tu"} {
			manage := Decide(p, ManageUsers, LibraryResource(lib), now)
			for _, role := range Roles {
				err := MayGrant(p, role, lib, now)
				want := manage
				if want == nil && role == SystemAdmin && p.Role != SystemAdmin {
					want = fault.Forbidden
				}
				if want == nil && err != nil || want != nil && !errors.Is(err, unwrapKind(want)) {
					t.Errorf("%s (%s, scope %q) grants %s in %s: %v, want %v", p.Email, p.Role, p.Scope, role, lib, err, want)
				}
			}
			if err := MayGrant(p, "owner", lib, now); err == nil || manage == nil && !errors.Is(err, fault.Invalid) {
				t.Errorf("%s grants a role that does not exist in %s: %v", p.Email, lib, err)
			}
		}
	}
	if got := Grantable(cmuAdmin, "cmu", now); len(got) != 3 || got[2] != LibraryAdmin {
		t.Errorf("a library administrator may grant %v, want reader, archivist, library-admin", got)
	}
	if got := Grantable(cmuArch, "cmu", now); len(got) != 0 {
		t.Errorf("an archivist may grant %v, want none", got)
	}
}

// unwrapKind is the kind a refusal wraps.
func unwrapKind(err error) error {
	for _, k := range []error{fault.Unauthenticated, fault.Forbidden, fault.NotFound, fault.Gone} {
		if errors.Is(err, k) {
			return k
		}
	}
	return err
}

// EmbargoOver is what Decide does with an embargo: a public item under an
// embargo that is not over is hidden from anonymous visitors, and open
// once it is.
func TestEmbargoOverAgreesWithDecide(t *testing.T) {
	for _, c := range []struct {
		embargo string
		over    bool
	}{
		{"", true},
		{"2026-11-24", true},
		{"2026-11-25", true}, // the day itself
		{"2026-11-26", false},
		{"2027-01-01", false},
		{"soon", false},
		{"2026-13-01", false},
		{"25/11/2026", false},
	} {
		r := item(repository.Public, c.embargo, false)
		if got := EmbargoOver(r, now); got != c.over {
			t.Errorf("embargo %q: over %v, want %v", c.embargo, got, c.over)
		}
		if open := Decide(anonymous, ReadContent, r, now) == nil; open != c.over {
			t.Errorf("embargo %q: Decide opens it %v, EmbargoOver says %v", c.embargo, open, c.over)
		}
		if c.embargo != "" && r.Access.EmbargoEnded(now) != c.over {
			t.Errorf("embargo %q: the store reads it as ended %v, want %v", c.embargo, !c.over, c.over)
		}
	}
}

// CachePolicy lets shared caches keep an answer only when Decide lets an
// anonymous visitor see all of it and the asker is not signed in.
func TestCachePolicyIsPublicOnlyWhatDecideOpensToEveryone(t *testing.T) {
	resources := []Resource{
		item(repository.Public, "", false), item(repository.Reduced, "", false), item(repository.MetadataOnly, "", false),
		item(repository.Restricted, "", true), item(repository.Public, "2027-01-01", false), item(repository.Public, "2026-01-01", false),
		{ID: "x", Institution: "cmu", Withdrawn: true},
	}
	for _, r := range resources {
		for _, p := range []Principal{anonymous, cmuReader, tuReader, sysAdmin} {
			want := Private
			if !p.SignedIn() && Decide(anonymous, ReadContent, r, now) == nil {
				want = Public
			}
			if got := CachePolicy(r, p, now); got != want {
				t.Errorf("%+v for %q: %v, want %v", r, p.Email, got, want)
			}
		}
	}
}
