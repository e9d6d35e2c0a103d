package desk

import (
	"context"
	"errors"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// TestUnitsSaveCollectionDecidesLibraryParentAndMembers: a curated
// collection takes items of another library that the editor may see, and
// refuses one they may not see without naming it; a missing parent is the
// request's mistake; another library's editor may not make one for cmu.
func TestUnitsSaveCollectionDecidesLibraryParentAndMembers(t *testing.T) {
	ctx := context.Background()
	u, _, ids := unitsFixture(t)
	hidden := &repository.Item{Institution: "tu", Collection: "tu-closed", Title: repository.Text{"en": "closed letter"}}
	if err := u.Store.SaveItem(ctx, hidden, "t"); err != nil {
		t.Fatal(err)
	}
	curated := func(members ...string) *repository.Collection {
		return &repository.Collection{Institution: "tu", Level: repository.Curated, Title: repository.Text{"en": "Letters"}, Members: members}
	}
	c := curated(ids[0], ids[1])
	if err := u.SaveCollection(ctx, unitsTU, c); err != nil {
		t.Fatalf("a curated collection of cmu's public items by tu: %v", err)
	}
	if got, err := u.Store.Collection(c.ID); err != nil || len(got.Members) != 2 || got.Members[0] != ids[0] {
		t.Fatalf("saved: %+v, %v", got, err)
	}
	var refused *ItemRefused
	if err := u.SaveCollection(ctx, unitsCMU, &repository.Collection{Institution: "cmu", Level: repository.Curated,
		Title: repository.Text{"en": "x"}, Members: []string{ids[0], hidden.ID}}); !errors.As(err, &refused) || !refused.Unseen || refused.ID != "" {
		t.Fatalf("a member the editor may not see: %v, want an unseen refusal naming nothing", err)
	}
	var missing *MissingUnit
	withParent := curated()
	withParent.Parent = "tu-nothing"
	if err := u.SaveCollection(ctx, unitsTU, withParent); !errors.As(err, &missing) || missing.Role != "parent" {
		t.Fatalf("a missing parent: %v", err)
	}
	other := curated()
	other.Institution = "cmu"
	if err := u.SaveCollection(ctx, unitsTU, other); !errors.Is(err, fault.Forbidden) {
		t.Fatalf("tu's archivist making a cmu collection: %v, want forbidden", err)
	}
	taken := curated()
	taken.ID = "cmu-f"
	if err := u.SaveCollection(ctx, unitsTU, taken); !errors.Is(err, fault.Conflict) {
		t.Fatalf("a taken identifier: %v, want conflict", err)
	}
}
