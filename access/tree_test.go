package access

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// treeStore holds, for cmu (which reveals its restricted records) and tu
// (which hides them), a public fonds with a series of every access level
// and embargo, a file of every level below each series, and a fonds of
// every level with one public series below it.
func treeStore(t *testing.T) (*bolt.Store, []string) {
	t.Helper()
	ctx := context.Background()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	add := func(id, inst, parent string, level repository.Level, a repository.Access) {
		c := &repository.Collection{ID: id, Institution: inst, Parent: parent, Level: level, Title: repository.Text{"en": id}, Access: a}
		if err := s.SaveCollection(ctx, c, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	var roots []string
	for _, inst := range []string{"cmu", "tu"} {
		in, err := s.Institution(inst)
		if err != nil {
			t.Fatal(err)
		}
		in.RevealRestricted = inst == "cmu"
		if err := s.SaveInstitution(ctx, in); err != nil {
			t.Fatal(err)
		}
		root := inst + "-fonds"
		add(root, inst, "", repository.Fonds, repository.Access{Level: repository.Public})
		roots = append(roots, root)
		for _, level := range repository.Levels {
			for i, embargo := range []string{"", "2025-06-01", "2027-06-01"} {
				series := fmt.Sprintf("%s-%s-%d", root, level, i)
				add(series, inst, root, repository.Series, repository.Access{Level: level, Embargo: embargo})
				for _, below := range repository.Levels {
					add(series+"-"+below, inst, series, repository.FileLevel, repository.Access{Level: below})
				}
			}
			top := inst + "-" + level
			add(top, inst, "", repository.Fonds, repository.Access{Level: level})
			add(top+"-open", inst, top, repository.Series, repository.Access{Level: repository.Public})
			roots = append(roots, top)
		}
	}
	return s, roots
}

// TestVisibleTreeAgreesWithDecide: for every role, library and token scope,
// and units of every access level and embargo, a reader sees a unit of a
// tree exactly when Decide lets them read its description and they see
// the unit above it; the units they see are listed in the tree's order.
func TestVisibleTreeAgreesWithDecide(t *testing.T) {
	s, roots := treeStore(t)
	var principals []Principal
	for _, role := range append([]Role{Anonymous}, Roles...) {
		for _, inst := range []string{"", "cmu", "tu"} {
			for _, scope := range []Scope{"", ScopeRead, ScopeUpload, ScopeWrite, "bogus"} {
				user := ""
				if role != Anonymous {
					user = "u1"
				}
				principals = append(principals, Principal{User: user, Role: role, Institution: inst, Scope: scope})
			}
		}
	}
	cases, hidden, shown := 0, 0, 0
	for _, id := range roots {
		tr, err := s.Tree(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range principals {
			v, err := VisibleTree(p, tr, now)
			if err != nil {
				t.Fatalf("%+v, tree %s: %v", p, id, err)
			}
			want := map[string]bool{}
			tr.Walk(func(n *repository.Node) bool {
				r, err := CollectionResource(tr, n.Collection)
				if err != nil {
					t.Fatal(err)
				}
				want[n.ID] = Decide(p, ReadMetadata, r, now) == nil && (n.Up == nil || want[n.Up.ID])
				if v.Sees(n) != want[n.ID] {
					t.Errorf("%+v, unit %s: VisibleTree says %v, Decide %v", p, n.ID, v.Sees(n), want[n.ID])
				}
				if want[n.ID] {
					shown++
				} else {
					hidden++
				}
				cases++
				return true
			})
			tr.Walk(func(n *repository.Node) bool {
				kids := slices.DeleteFunc(slices.Clone(n.Children), func(c *repository.Node) bool { return !want[c.ID] })
				if got := v.Children(n); !slices.Equal(got, kids) {
					t.Errorf("%+v, unit %s: children %d, want %d", p, n.ID, len(got), len(kids))
				}
				return true
			})
			seen := 0
			for _, ok := range want {
				if ok {
					seen++
				}
			}
			if v.Len() != seen {
				t.Errorf("%+v, tree %s: sees %d units, want %d", p, id, v.Len(), seen)
			}
		}
	}
	if cases < 10000 || hidden == 0 || shown == 0 {
		t.Fatalf("only %d cases (%d hidden, %d shown)", cases, hidden, shown)
	}
}

// TestVisibleTreeLeavesOutWhatIsBelowAHiddenUnit: a public file below a
// restricted series of a library that hides its restricted records is
// not seen by a visitor, nor is anything of a restricted fonds.
func TestVisibleTreeLeavesOutWhatIsBelowAHiddenUnit(t *testing.T) {
	s, _ := treeStore(t)
	tr, err := s.Tree("tu-fonds")
	if err != nil {
		t.Fatal(err)
	}
	v, err := VisibleTree(anonymous, tr, now)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Sees(tr.Root) || !v.Sees(tr.Node("tu-fonds-public-0-public")) {
		t.Fatal("a visitor does not see the public fonds and its public series' public file")
	}
	for _, id := range []string{"tu-fonds-restricted-0", "tu-fonds-restricted-0-public", "tu-fonds-public-2", "tu-fonds-public-2-public"} {
		if v.Sees(tr.Node(id)) {
			t.Errorf("a visitor sees %s", id)
		}
	}
	closed, err := s.Tree("tu-restricted")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := VisibleTree(anonymous, closed, now); err != nil || v.Len() != 0 {
		t.Fatalf("a visitor sees %d units of a restricted fonds (%v)", v.Len(), err)
	}
}
