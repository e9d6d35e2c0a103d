package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// groupsFixture: the Groups service on a store with a teacher at cmu and
// two students, at tu and at chula.
func groupsFixture(t *testing.T) (*Groups, access.Principal, access.Principal, access.Principal) {
	t.Helper()
	_, st := itemsFixture(t)
	var ps []access.Principal
	for _, who := range [][2]string{{"teacher@cmu.example", "cmu"}, {"student@tu.example", "tu"}, {"student@chula.example", "chula"}} {
		u := &repository.User{Email: who[0], Institution: who[1], Role: "reader"}
		if err := st.SaveUser(context.Background(), u, "tester"); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, access.Principal{User: u.ID, Email: u.Email, Institution: who[1], Role: access.Reader})
	}
	return &Groups{Store: st}, ps[0], ps[1], ps[2]
}

func TestGroupOwnerAddsAndRemovesMembersOfAnyLibraryAndMembersLeave(t *testing.T) {
	gs, teacher, tu, chula := groupsFixture(t)
	ctx := context.Background()
	g, err := gs.Create(ctx, teacher, repository.Text{"th": "  ชั้นเรียนจารึกล้านนา ", "en": ""})
	if err != nil || g.Owner != teacher.User || g.Name["th"] != "ชั้นเรียนจารึกล้านนา" || len(g.Name) != 1 {
		t.Fatalf("a new group: %+v, %v", g, err)
	}
	for _, p := range []access.Principal{tu, chula} {
		if _, err := gs.Add(ctx, teacher, g.ID, strings.ToUpper(p.Email)); err != nil {
			t.Fatalf("adding %s: %v", p.Email, err)
		}
	}
	if ids, err := gs.IDsOf(chula.User); err != nil || !slices.Equal(ids, []string{g.ID}) {
		t.Fatalf("chula's student's groups: %v, %v", ids, err)
	}
	mine, err := gs.Mine(ctx, teacher)
	if err != nil || len(mine) != 1 || !mine[0].Mine || !slices.Equal(mine[0].Members, []string{tu.Email, chula.Email}) {
		t.Fatalf("the teacher's groups: %+v, %v", mine, err)
	}
	theirs, err := gs.Mine(ctx, tu)
	if err != nil || len(theirs) != 1 || theirs[0].Mine || theirs[0].Owner != teacher.Email || theirs[0].Members != nil || theirs[0].NMembers != 2 {
		t.Fatalf("a member's view shows the others' addresses or not the owner's: %+v, %v", theirs, err)
	}
	if _, err := gs.Remove(ctx, teacher, g.ID, tu.Email); err != nil {
		t.Fatal(err)
	}
	if ids, err := gs.IDsOf(tu.User); err != nil || len(ids) != 0 {
		t.Fatalf("a removed member's groups: %v, %v", ids, err)
	}
	if err := gs.Leave(ctx, chula, g.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := gs.Mine(ctx, teacher); err != nil || len(got[0].Members) != 0 || got[0].Version != 5 {
		t.Fatalf("after a removal and a leave: %+v, %v", got, err)
	}
	if _, err := gs.Rename(ctx, teacher, g.ID, repository.Text{"en": "Lanna inscriptions"}); err != nil {
		t.Fatal(err)
	}
	if err := gs.Delete(ctx, teacher, g.ID); err != nil {
		t.Fatal(err)
	}
	if ids, err := gs.IDsOf(teacher.User); err != nil || len(ids) != 0 {
		t.Fatalf("a deleted group's owner still in it: %v, %v", ids, err)
	}
	if _, err := gs.Rename(ctx, teacher, g.ID, repository.Text{"en": "Back"}); !errors.Is(err, fault.NotFound) {
		t.Fatalf("renaming a deleted group: %v, want not found", err)
	}
}

func TestGroupIsChangedByItsOwnerOnlyAndUnknownToOthers(t *testing.T) {
	gs, teacher, tu, chula := groupsFixture(t)
	ctx := context.Background()
	g, err := gs.Create(ctx, teacher, repository.Text{"en": "Research team"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gs.Add(ctx, teacher, g.ID, tu.Email); err != nil {
		t.Fatal(err)
	}
	var reason *Reason
	if _, err := gs.Add(ctx, tu, g.ID, chula.Email); !errors.Is(err, fault.Forbidden) || !errors.As(err, &reason) || reason.Key != "group.owner_only" {
		t.Fatalf("a member adds someone: %v, want forbidden", err)
	}
	if err := gs.Delete(ctx, tu, g.ID); !errors.Is(err, fault.Forbidden) {
		t.Fatalf("a member deletes the group: %v, want forbidden", err)
	}
	if _, err := gs.Rename(ctx, chula, g.ID, repository.Text{"en": "Mine now"}); !errors.Is(err, fault.NotFound) {
		t.Fatalf("an outsider renames the group: %v, want not found", err)
	}
	if err := gs.Leave(ctx, chula, g.ID); !errors.Is(err, fault.NotFound) {
		t.Fatalf("an outsider leaves the group: %v, want not found", err)
	}
	if err := gs.Leave(ctx, teacher, g.ID); !errors.Is(err, fault.Invalid) {
		t.Fatalf("the owner leaves: %v, want invalid", err)
	}
	if _, err := gs.Create(ctx, access.Principal{}, repository.Text{"en": "Anyone"}); !errors.Is(err, fault.Unauthenticated) {
		t.Fatalf("an anonymous visitor makes a group: %v", err)
	}
	ro := teacher
	ro.Scope = access.ScopeRead
	if _, err := gs.Add(ctx, ro, g.ID, chula.Email); !errors.Is(err, fault.Forbidden) {
		t.Fatalf("a read-only token adds a member: %v, want forbidden", err)
	}
	for _, c := range []struct {
		email, key string
		kind       error
	}{
		{"nobody@example.org", "group.no_account", fault.Invalid},
		{"", "group.email", fault.Invalid},
		{tu.Email, "group.member_already", fault.Conflict},
		{teacher.Email, "group.owner", fault.Invalid},
	} {
		if _, err := gs.Add(ctx, teacher, g.ID, c.email); !errors.Is(err, c.kind) || !errors.As(err, &reason) || reason.Key != c.key {
			t.Errorf("adding %q: %v, want %s (%v)", c.email, err, c.key, c.kind)
		}
	}
	for _, name := range []repository.Text{{"en": "  "}, nil, {"fr": "Équipe"}, {"th": strings.Repeat("ก", repository.MaxGroupName+1)}} {
		if _, err := gs.Create(ctx, teacher, name); !errors.Is(err, fault.Invalid) {
			t.Errorf("a group named %q: %v, want invalid", name, err)
		}
	}
	if got, err := gs.Mine(ctx, teacher); err != nil || len(got) != 1 || !slices.Equal(got[0].Members, []string{tu.Email}) || got[0].Version != 2 {
		t.Fatalf("refusals changed the group: %+v, %v", got, err)
	}
}

func TestOnePersonOwnsAtMostAHundredGroups(t *testing.T) {
	gs, teacher, tu, _ := groupsFixture(t)
	ctx := context.Background()
	for i := range MaxOwnedGroups {
		if _, err := gs.Create(ctx, teacher, repository.Text{"en": fmt.Sprintf("Class %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var reason *Reason
	if _, err := gs.Create(ctx, teacher, repository.Text{"en": "One more"}); !errors.Is(err, fault.Invalid) || !errors.As(err, &reason) || reason.Key != "group.too_many" {
		t.Fatalf("the 101st group: %v, want group.too_many", err)
	}
	if _, err := gs.Create(ctx, tu, repository.Text{"en": "Another's"}); err != nil {
		t.Fatalf("another person's first group: %v", err)
	}
}
