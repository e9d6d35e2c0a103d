package desk

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
)

// TestSetSignInRolesIsTheLibraryAdminsAndRefusesABadMapping: a reader, an
// archivist and another library's administrator are refused, a malformed
// mapping is invalid with a message naming the pair, and the library's
// administrator's mapping is kept on the library's record.
func TestSetSignInRolesIsTheLibraryAdminsAndRefusesABadMapping(t *testing.T) {
	a, st, head := accountsFixture(t)
	ctx := context.Background()
	in, err := st.Institution("cmu")
	if err != nil {
		t.Fatal(err)
	}
	v := in.Version
	for _, c := range []struct {
		name    string
		p       access.Principal
		mapping string
		kind    error
	}{
		{"a reader", access.Principal{User: "u-r", Email: "r@cmu.example", Institution: "cmu", Role: access.Reader}, "staff=archivist", fault.Forbidden},
		{"an archivist", access.Principal{User: "u-a", Email: "a@cmu.example", Institution: "cmu", Role: access.Archivist}, "staff=archivist", fault.Forbidden},
		{"another library's administrator", accountsTUHead, "staff=archivist", fault.Forbidden},
		{"a role above archivist", head, "staff=library-admin", fault.Invalid},
		{"no role", head, "staff", fault.Invalid},
	} {
		if err := a.SetSignInRoles(ctx, c.p, "cmu", v, c.mapping); !errors.Is(err, c.kind) {
			t.Errorf("%s: %v, want %v", c.name, err, c.kind)
		}
	}
	if err := a.SetSignInRoles(ctx, head, "cmu", v, "staff"); err == nil || !strings.Contains(err.Error(), `"staff" is not affiliation=role`) {
		t.Errorf("a malformed mapping says %v, want the pair named", err)
	}
	if got, _ := st.Institution("cmu"); got.SignInRoles != "" || got.Version != v {
		t.Errorf("refused changes left %+v", got)
	}
	if err := a.SetSignInRoles(ctx, head, "cmu", v, " staff=archivist,*=reader "); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Institution("cmu"); got.SignInRoles != "staff=archivist,*=reader" || got.Version != v+1 {
		t.Errorf("saved: %q at version %d, want the mapping at %d", got.SignInRoles, got.Version, v+1)
	}
	if err := a.SetSignInRoles(ctx, accountsCommand, "cmu", v, "*=archivist"); !errors.Is(err, fault.Conflict) {
		t.Errorf("a change read at an old version: %v, want a conflict", err)
	}
}
