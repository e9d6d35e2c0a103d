package signin

import (
	"context"
	"testing"
)

// TestSAMLSignInTakesTheLibrarysStoredRolesOverTheSetting: once psu's
// administrator keeps a mapping on the library's record, a person's first
// sign-in is given the role it says, not the one of the operator's setting.
func TestSAMLSignInTakesTheLibrarysStoredRolesOverTheSetting(t *testing.T) {
	f := newFixture(t, "", "faculty=archivist,student=reader")
	ctx := context.Background()
	in, err := f.store.Institution("psu")
	if err != nil {
		t.Fatal(err)
	}
	in.SignInRoles = "faculty=reader,student=archivist,*=reader"
	if err := f.store.SaveInstitution(ctx, in); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		n    int
		role string
	}{{0, "reader"}, {1, "archivist"}} {
		who := f.idp.Users[c.n]
		start, state, err := f.svc.Begin(ctx, "psu", "/")
		if err != nil {
			t.Fatal(err)
		}
		u, _, err := f.svc.ACS(ctx, f.acsRequest(f.samlAnswer(t, browser(t), start, who)), state)
		if err != nil {
			t.Fatalf("%s's sign-in: %v", who.Name, err)
		}
		if u.Role != c.role {
			t.Errorf("%s (%v) is given %s, want %s as the library's mapping says", who.Name, who.Affiliations, u.Role, c.role)
		}
	}
}
