package desk

import (
	"context"
	"errors"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

var (
	accountsHead    = access.Principal{User: "", Email: "head@cmu.example", Institution: "cmu", Role: access.LibraryAdmin}
	accountsTUHead  = access.Principal{User: "u-tuhead", Email: "head@tu.example", Institution: "tu", Role: access.LibraryAdmin}
	accountsCommand = System("command line")
)

// accountsFixture is the Accounts service over a fresh store, with the
// principal of cmu's library administrator (saved, so that they are
// someone) returned.
func accountsFixture(t *testing.T) (*Accounts, *bolt.Store, access.Principal) {
	t.Helper()
	_, st := itemsFixture(t)
	a := &Accounts{Store: st}
	u, _, err := a.Add(context.Background(), accountsCommand, NewUser{Email: accountsHead.Email, Institution: "cmu", Role: access.LibraryAdmin})
	if err != nil {
		t.Fatal(err)
	}
	head := accountsHead
	head.User = u.ID
	return a, st, head
}

func TestAccountsAddChecksEachRuleBeforeAnyoneIsAdded(t *testing.T) {
	a, st, head := accountsFixture(t)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		p    access.Principal
		n    NewUser
		kind error
	}{
		{"bad role", accountsCommand, NewUser{Email: "b@cmu.example", Institution: "cmu", Role: "boss"}, fault.Invalid},
		{"no e-mail", accountsCommand, NewUser{Institution: "cmu", Role: access.Reader}, fault.Invalid},
		{"malformed e-mail", accountsCommand, NewUser{Email: "not-an-email", Institution: "cmu", Role: access.Reader}, fault.Invalid},
		{"unknown library", accountsCommand, NewUser{Email: "b@cmu.example", Institution: "mit", Role: access.Reader}, fault.Invalid},
		{"duplicate e-mail", accountsCommand, NewUser{Email: "HEAD@cmu.example", Institution: "tu", Role: access.Reader}, fault.Conflict},
		{"short password", accountsCommand, NewUser{Email: "b@cmu.example", Institution: "cmu", Role: access.Reader, Password: "short"}, fault.Invalid},
		{"another library", head, NewUser{Email: "b@tu.example", Institution: "tu", Role: access.Reader}, fault.Forbidden},
		{"a role above theirs", head, NewUser{Email: "b@cmu.example", Institution: "cmu", Role: access.SystemAdmin}, fault.Forbidden},
		{"not signed in", access.Principal{}, NewUser{Email: "b@cmu.example", Institution: "cmu", Role: access.Reader}, fault.Unauthenticated},
	} {
		if _, _, err := a.Add(ctx, c.p, c.n); !errors.Is(err, c.kind) {
			t.Errorf("%s: %v, want %v", c.name, err, c.kind)
		}
	}
	if us, _ := st.Users(""); len(us) != 1 {
		t.Errorf("refused adds left %d users, want the one there was", len(us))
	}
	u, pw, err := a.Add(ctx, head, NewUser{Email: " New.Reader@CMU.example", Institution: "cmu", Role: access.Reader})
	if err != nil || pw == "" || u.Email != "new.reader@cmu.example" || !repository.CheckPassword(u.PasswordHash, pw) {
		t.Errorf("adding a reader: %+v, password %q, %v; want one made up that works", u, pw, err)
	}
	if _, made, err := a.Add(ctx, head, NewUser{Email: "chosen@cmu.example", Institution: "cmu", Role: access.Reader, Password: "long enough password"}); err != nil || made != "" {
		t.Errorf("a chosen password: made %q, %v; want none made", made, err)
	}
}

func TestAccountsChangeAsksToGrantBothRolesAndHidesOtherLibraries(t *testing.T) {
	a, st, head := accountsFixture(t)
	ctx := context.Background()
	reader, _, err := a.Add(ctx, head, NewUser{Email: "r@cmu.example", Institution: "cmu", Role: access.Reader})
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := a.Add(ctx, accountsCommand, NewUser{Email: "sys@cmu.example", Institution: "cmu", Role: access.SystemAdmin})
	if err != nil {
		t.Fatal(err)
	}
	var r *Reason
	if _, _, err := a.Change(ctx, head, UserChange{ID: reader.ID, Version: reader.Version, Role: access.SystemAdmin}); !errors.Is(err, fault.Forbidden) || !errors.As(err, &r) || r.Key != "bad_role" {
		t.Errorf("a library administrator makes a system administrator: %v, want forbidden, bad_role", err)
	}
	if _, _, err := a.Change(ctx, head, UserChange{ID: admin.ID, Version: admin.Version, Action: Disable}); !errors.Is(err, fault.Forbidden) {
		t.Errorf("a library administrator disables a system administrator: %v, want forbidden", err)
	}
	if _, _, err := a.Change(ctx, accountsTUHead, UserChange{ID: reader.ID, Version: reader.Version, Action: Disable}); !errors.Is(err, fault.NotFound) {
		t.Errorf("another library's administrator disables a reader: %v, want not found", err)
	}
	if _, _, err := a.Change(ctx, head, UserChange{ID: head.User, Version: 1, Role: access.Reader}); !errors.As(err, &r) || r.Key != "own_role" || !errors.Is(err, fault.Invalid) {
		t.Errorf("changing one's own role: %v, want invalid, own_role", err)
	}
	if _, _, err := a.Change(ctx, head, UserChange{ID: reader.ID, Version: reader.Version, Action: "delete"}); !errors.Is(err, fault.Invalid) {
		t.Errorf("an action there is none of: %v, want invalid", err)
	}
	if _, _, err := a.Change(ctx, head, UserChange{ID: reader.ID, Version: reader.Version, Action: Password, Password: "short"}); !errors.Is(err, fault.Invalid) {
		t.Errorf("a short password: %v, want invalid", err)
	}
	if got, _ := st.User(reader.ID); got.Version != reader.Version || got.Disabled {
		t.Fatalf("refused changes changed the reader: %+v", got)
	}
	u, _, err := a.Change(ctx, head, UserChange{ID: reader.ID, Version: reader.Version, Role: access.Archivist, Action: Disable})
	if err != nil || u.Role != string(access.Archivist) || !u.Disabled {
		t.Fatalf("a role and a disabling: %+v, %v", u, err)
	}
	events, err := st.Events(reader.ID)
	if err != nil || len(events) < 2 || events[len(events)-1].Type != "account disabled" || events[len(events)-2].Type != "role change" || events[len(events)-1].Agent != head.Email {
		t.Errorf("the events of the change: %+v, %v", events, err)
	}
	if _, _, err := a.Change(ctx, head, UserChange{ID: reader.ID, Version: reader.Version, Action: Enable}); !errors.Is(err, fault.Conflict) {
		t.Errorf("a change at a stale version: %v, want a conflict", err)
	}
	u, pw, err := a.Change(ctx, head, UserChange{ID: reader.ID, Version: u.Version, Action: Password})
	if err != nil || pw == "" || !repository.CheckPassword(u.PasswordHash, pw) {
		t.Errorf("a new password: %q, %v; want one made up that works", pw, err)
	}
}

func TestAccountsManageableAndByEmailSeeOnlyTheLibrariesManaged(t *testing.T) {
	a, _, head := accountsFixture(t)
	ctx := context.Background()
	if _, _, err := a.Add(ctx, accountsCommand, NewUser{Email: "x@tu.example", Institution: "tu", Role: access.Reader}); err != nil {
		t.Fatal(err)
	}
	libs, err := a.Manageable(ctx, head)
	if err != nil || len(libs) != 1 || libs[0].ID != "cmu" {
		t.Errorf("cmu's administrator manages %v, %v; want cmu", libs, err)
	}
	if libs, err := a.Manageable(ctx, accountsCommand); err != nil || len(libs) != 3 {
		t.Errorf("the command line manages %d libraries, %v; want all 3", len(libs), err)
	}
	if _, err := a.Manageable(ctx, access.Principal{User: "u", Email: "r@cmu.example", Institution: "cmu", Role: access.Reader}); !errors.Is(err, fault.Forbidden) {
		t.Errorf("a reader manages: %v, want forbidden", err)
	}
	us, err := a.Users(ctx, head)
	if err != nil || len(us) != 1 || us[0].Email != head.Email {
		t.Errorf("cmu's administrator lists %v, %v; want only cmu's", us, err)
	}
	if _, err := a.ByEmail(ctx, head, "x@tu.example"); !errors.Is(err, fault.NotFound) {
		t.Errorf("another library's person by address: %v, want not found", err)
	}
	if _, err := a.ByEmail(ctx, accountsCommand, "nobody@cmu.example"); !errors.Is(err, fault.NotFound) {
		t.Errorf("nobody by address: %v, want not found", err)
	}
	if u, err := a.ByEmail(ctx, accountsCommand, "x@tu.example"); err != nil || u.Institution != "tu" {
		t.Errorf("the command line finds %+v, %v", u, err)
	}
}

func TestAccountsChangeWithoutAVersionIsRefusedOnlyOnceAccessIsDecided(t *testing.T) {
	a, st, head := accountsFixture(t)
	ctx := context.Background()
	other, _, err := a.Add(ctx, accountsCommand, NewUser{Email: "x@tu.example", Institution: "tu", Role: access.Reader})
	if err != nil {
		t.Fatal(err)
	}
	own, _, err := a.Add(ctx, head, NewUser{Email: "r@cmu.example", Institution: "cmu", Role: access.Reader})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Change(ctx, head, UserChange{ID: other.ID, Version: -1, Action: Disable}); !errors.Is(err, fault.NotFound) {
		t.Errorf("another library's person without a version: %v, want not found", err)
	}
	if _, _, err := a.Change(ctx, head, UserChange{ID: own.ID, Version: -1, Action: Disable}); !errors.Is(err, fault.Invalid) {
		t.Errorf("their own library's person without a version: %v, want invalid", err)
	}
	for _, u := range []*repository.User{other, own} {
		if got, _ := st.User(u.ID); got.Disabled || got.Version != u.Version {
			t.Errorf("a change without a version changed %s: %+v", u.Email, got)
		}
	}
}
