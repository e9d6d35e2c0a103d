package bolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

func TestGroupsComeBackFromStorageAloneWithTheirMembersAndIndex(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	s := openStore(t, filepath.Join(dir, "a.db"), blobs)
	class := &repository.Group{Name: repository.Text{"th": "ชั้นเรียนประวัติศาสตร์ล้านนา"}, Owner: "u1", Members: []string{"u2", "u3"}}
	if err := s.SaveGroup(ctx, class); err != nil || !repository.ValidID(class.ID) || class.Version != 1 {
		t.Fatalf("a new group: %+v, %v", class, err)
	}
	team := &repository.Group{Name: repository.Text{"en": "Research team"}, Owner: "u2"}
	if err := s.SaveGroup(ctx, team); err != nil {
		t.Fatal(err)
	}
	gone := &repository.Group{Name: repository.Text{"en": "Gone"}, Owner: "u3", Members: []string{"u1"}}
	if err := s.SaveGroup(ctx, gone); err != nil {
		t.Fatal(err)
	}
	class.Members = []string{"u3", "u4"} // u2 removed, u4 added
	if err := s.SaveGroup(ctx, class); err != nil || class.Version != 2 {
		t.Fatalf("a change: version %d, %v", class.Version, err)
	}
	stale := *class
	stale.Version = 1
	if err := s.SaveGroup(ctx, &stale); !errors.Is(err, fault.Conflict) {
		t.Fatalf("a change from a stale version: %v, want a conflict", err)
	}
	gone.Deleted = true
	if err := s.SaveGroup(ctx, gone); err != nil {
		t.Fatal(err)
	}
	_, last, err := s.FeedEpoch()
	if err != nil {
		t.Fatal(err)
	}
	feed, err := s.Feed(0, int(last))
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, e := range feed {
		if e.Kind == "group" {
			ops = append(ops, e.Op)
		}
	}
	if want := []string{"create", "create", "create", "update", "withdraw"}; !slices.Equal(ops, want) {
		t.Fatalf("feed of groups %v, want %v", ops, want)
	}
	check := func(s *Store, when string) {
		t.Helper()
		want := map[string][]string{"u1": {class.ID}, "u2": {team.ID}, "u3": {class.ID}, "u4": {class.ID}, "u5": nil}
		for u, ids := range want {
			got, err := s.GroupIDsOf(u)
			if err != nil || !slices.Equal(got, ids) {
				t.Errorf("%s: %s's groups %v, %v; want %v", when, u, got, err, ids)
			}
		}
		mine, err := s.GroupsOf("u4")
		if err != nil || len(mine) != 1 || mine[0].Name.Get("th") != "ชั้นเรียนประวัติศาสตร์ล้านนา" || mine[0].Version != 2 || !slices.Equal(mine[0].Members, []string{"u3", "u4"}) {
			t.Fatalf("%s: u4's groups %+v, %v", when, mine, err)
		}
		if g, err := s.Group(gone.ID); err != nil || !g.Deleted {
			t.Fatalf("%s: the deleted group %+v, %v", when, g, err)
		}
	}
	check(s, "before")
	before := groupDump(t, s)
	s.Close()
	if err := os.Remove(filepath.Join(dir, "a.db")); err != nil {
		t.Fatal(err)
	}
	r := openStore(t, filepath.Join(dir, "a.db"), blobs)
	check(r, "after a rebuild")
	if after := groupDump(t, r); after != before || !strings.Contains(before, "ix_groups_by_user ") {
		t.Fatalf("the groups' buckets differ after a rebuild:\n%s\nthen\n%s", before, after)
	}
}

func TestGroupRefusesADuplicateMemberAnUnnamedGroupAnOverlongNameAndACrowd(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	for _, g := range []*repository.Group{
		{Name: repository.Text{"en": "Twice"}, Owner: "u1", Members: []string{"u2", "u2"}},
		{Name: repository.Text{"en": "Owner too"}, Owner: "u1", Members: []string{"u1"}},
		{Name: repository.Text{"en": " "}, Owner: "u1"},
		{Name: repository.Text{"fr": "Classe"}, Owner: "u1"},
		{Name: repository.Text{"en": strings.Repeat("ก", repository.MaxGroupName+1)}, Owner: "u1"},
		{Name: repository.Text{"en": "Crowd"}, Owner: "u1", Members: crowd(repository.MaxGroupMembers + 1)},
	} {
		if err := s.SaveGroup(ctx, g); !errors.Is(err, fault.Invalid) {
			t.Errorf("group %+v saved: %v, want invalid", g, err)
		}
	}
	if ids, err := s.GroupIDsOf("u1"); err != nil || len(ids) != 0 {
		t.Fatalf("refused groups left index entries: %v, %v", ids, err)
	}
}

// crowd is n distinct user ids.
func crowd(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("user%04d", i)
	}
	return out
}

// groupDump is what Dump shows of the groups' buckets.
func groupDump(t *testing.T, s *Store) string {
	t.Helper()
	var b strings.Builder
	if err := s.Dump(&b); err != nil {
		t.Fatal(err)
	}
	var out []string
	for l := range strings.Lines(b.String()) {
		if strings.HasPrefix(l, "groups ") || strings.HasPrefix(l, "ix_groups_by_user ") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

func TestReplicaHoldsTheWritersGroupsAndTheirMembers(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	w := openStore(t, filepath.Join(dir, "writer.db"), blobs)
	publish(t, w)
	r, err := OpenReplica(ctx, filepath.Join(dir, "replica.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	g := &repository.Group{Name: repository.Text{"en": "Class"}, Owner: "u1", Members: []string{"u2"}}
	if err := w.SaveGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, w, r, "after a group was made")
	if ids, err := r.GroupIDsOf("u2"); err != nil || !slices.Equal(ids, []string{g.ID}) {
		t.Fatalf("u2's groups on the replica: %v, %v", ids, err)
	}
	g.Members = nil
	if err := w.SaveGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, w, r, "after a member was removed")
	if ids, err := r.GroupIDsOf("u2"); err != nil || len(ids) != 0 {
		t.Fatalf("a removed member's groups on the replica: %v, %v", ids, err)
	}
	if ids, err := r.GroupIDsOf("u1"); err != nil || !slices.Equal(ids, []string{g.ID}) {
		t.Fatalf("the owner's groups on the replica: %v, %v", ids, err)
	}
}
