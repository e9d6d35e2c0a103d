package desk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
)

var (
	unitsCMU    = access.Principal{User: "u-cmu", Email: "archivist@cmu.example", Institution: "cmu", Role: access.Archivist}
	unitsTU     = access.Principal{User: "u-tu", Email: "archivist@tu.example", Institution: "tu", Role: access.Archivist}
	unitsReader = access.Principal{User: "u-r", Email: "reader@cmu.example", Institution: "cmu", Role: access.Reader}
)

// unitsBlobs fails the put of one key, once armed.
type unitsBlobs struct {
	storage.Blobs
	mu   sync.Mutex
	fail string
}

func (b *unitsBlobs) Put(ctx context.Context, key string, r io.Reader, o storage.PutOptions) (storage.Info, error) {
	b.mu.Lock()
	fail := key == b.fail
	b.mu.Unlock()
	if fail {
		return storage.Info{}, fmt.Errorf("put: injected failure: %w", fault.Unavailable)
	}
	return b.Blobs.Put(ctx, key, r, o)
}

func (b *unitsBlobs) arm(key string) {
	b.mu.Lock()
	b.fail = key
	b.mu.Unlock()
}

// unitsFixture is a store with a fonds of cmu (cmu-f) holding two series
// (cmu-f-a with three items, cmu-f-b empty), and a restricted fonds of tu.
func unitsFixture(t testing.TB) (*Units, *unitsBlobs, []string) {
	t.Helper()
	ctx := context.Background()
	lb, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	blobs := &unitsBlobs{Blobs: lb}
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	for _, c := range []*repository.Collection{
		{ID: "cmu-f", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "F"}},
		{ID: "cmu-f-a", Institution: "cmu", Parent: "cmu-f", Level: repository.Series, Order: 1, Title: repository.Text{"en": "A"}},
		{ID: "cmu-f-b", Institution: "cmu", Parent: "cmu-f", Level: repository.Series, Order: 2, Title: repository.Text{"en": "B"}},
		{ID: "tu-closed", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Closed"}, Access: repository.Access{Level: repository.Restricted}},
	} {
		if err := store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for i := range 3 {
		it := &repository.Item{Institution: "cmu", Collection: "cmu-f-a", Title: repository.Text{"en": fmt.Sprint("letter ", i)}}
		if err := store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, it.ID)
	}
	return &Units{Store: store}, blobs, ids
}

func unitsFiled(t *testing.T, u *Units, id string) []string {
	t.Helper()
	tr, err := u.Store.Tree("cmu-f")
	if err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(slices.Values(tr.Node(id).Items))
}

func TestUnitsSaveFilesItemsAllOrNoneWhenStorageFailsMidway(t *testing.T) {
	ctx := context.Background()
	u, blobs, ids := unitsFixture(t)
	b, err := u.Unit(ctx, unitsCMU, "cmu-f-b")
	if err != nil {
		t.Fatal(err)
	}
	b.Members = ids
	blobs.arm(repository.RecordKey("items", ids[2], 2)) // the last item's new record
	if err := u.Save(ctx, unitsCMU, b); !errors.Is(err, fault.Unavailable) {
		t.Fatalf("save with storage failing midway: %v, want ErrUnavailable", err)
	}
	if got, want := unitsFiled(t, u, "cmu-f-a"), slices.Sorted(slices.Values(ids)); !slices.Equal(got, want) {
		t.Errorf("after the failure A holds %v, want %v", got, want)
	}
	if got := unitsFiled(t, u, "cmu-f-b"); len(got) != 0 {
		t.Errorf("after the failure B holds %v, want nothing", got)
	}
	if c, _ := u.Store.Collection("cmu-f-b"); c.Version != 1 {
		t.Errorf("unit B saved by the failed change (version %d)", c.Version)
	}
	blobs.arm("")
	b.Version = 1
	if err := u.Save(ctx, unitsCMU, b); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if got := unitsFiled(t, u, "cmu-f-b"); len(got) != len(ids) {
		t.Errorf("after the retry B holds %v, want %v", got, ids)
	}
	if got := unitsFiled(t, u, "cmu-f-a"); len(got) != 0 {
		t.Errorf("after the retry A holds %v, want nothing", got)
	}
}

func TestUnitsSaveRefusesItemsTheEditorMayNotFile(t *testing.T) {
	ctx := context.Background()
	u, _, ids := unitsFixture(t)
	theirs := &repository.Item{Institution: "tu", Title: repository.Text{"en": "theirs"}}
	if err := u.Store.SaveItem(ctx, theirs, "t"); err != nil {
		t.Fatal(err)
	}
	hidden := &repository.Item{Institution: "tu", Title: repository.Text{"en": "hidden"}, Access: repository.Access{Level: repository.Restricted}}
	if err := u.Store.SaveItem(ctx, hidden, "t"); err != nil {
		t.Fatal(err)
	}
	b, err := u.Unit(ctx, unitsCMU, "cmu-f-b")
	if err != nil {
		t.Fatal(err)
	}
	var refused *ItemRefused
	b.Members = []string{ids[0], theirs.ID}
	if err := u.Save(ctx, unitsCMU, b); !errors.As(err, &refused) || refused.ID != theirs.ID || !errors.Is(err, fault.Invalid) {
		t.Errorf("filing another library's item: %v, want ItemRefused %s (invalid)", err, theirs.ID)
	}
	b.Members = []string{ids[0], hidden.ID}
	if err := u.Save(ctx, unitsCMU, b); !errors.As(err, &refused) || !refused.Unseen || refused.ID != "" {
		t.Errorf("filing an item the editor may not see: %v, want ItemRefused unseen, without its identifier", err)
	}
	if it, _ := u.Store.Item(ids[0]); it.Collection != "cmu-f-a" || it.Version != 1 {
		t.Errorf("a refused save moved %s to %s", ids[0], it.Collection)
	}
}

func TestUnitsSaveDecidesWhoMayCreateAndWhere(t *testing.T) {
	ctx := context.Background()
	u, _, _ := unitsFixture(t)
	title := repository.Text{"en": "New"}
	if err := u.Save(ctx, unitsReader, &repository.Collection{Parent: "cmu-f", Level: repository.Series, Title: title}); !errors.Is(err, fault.Forbidden) {
		t.Errorf("a reader's new unit: %v, want forbidden", err)
	}
	if err := u.Save(ctx, unitsTU, &repository.Collection{Parent: "cmu-f", Level: repository.Series, Title: title}); !errors.Is(err, fault.Forbidden) {
		t.Errorf("another library's archivist's unit in cmu-f: %v, want forbidden", err)
	}
	var missing *MissingUnit
	if err := u.Save(ctx, unitsCMU, &repository.Collection{Parent: "tu-closed", Level: repository.Series, Title: title}); !errors.As(err, &missing) || missing.Role != "parent" {
		t.Errorf("a unit inside another library's closed fonds: %v, want a missing parent", err)
	}
	if err := u.Save(ctx, unitsCMU, &repository.Collection{ID: "tu-closed", Institution: "cmu", Level: repository.Fonds, Title: title}); !errors.Is(err, fault.Conflict) {
		t.Errorf("an identifier another library holds: %v, want conflict", err)
	}
	c := &repository.Collection{ID: "cmu-f-c", Parent: "cmu-f", Level: repository.Series, Title: title}
	if err := u.Save(ctx, unitsCMU, c); err != nil {
		t.Fatal(err)
	}
	if c.Institution != "cmu" || c.Order != 3 || c.Version != 1 {
		t.Errorf("new unit: institution %q, order %v, version %d; want cmu, 3 (last), 1", c.Institution, c.Order, c.Version)
	}
	if got := u.Root(c); got != "cmu-f" {
		t.Errorf("root of the new unit: %q", got)
	}
}

func TestUnitsUnitHidesAnotherLibrarysClosedUnitAsNotFound(t *testing.T) {
	ctx := context.Background()
	u, _, _ := unitsFixture(t)
	if _, err := u.Unit(ctx, unitsCMU, "tu-closed"); !errors.Is(err, fault.NotFound) {
		t.Errorf("another library's closed unit: %v, want not found", err)
	}
	if _, err := u.Unit(ctx, unitsTU, "cmu-f"); !errors.Is(err, fault.Forbidden) {
		t.Errorf("another library's open unit: %v, want forbidden", err)
	}
}

func TestUnitsDraftIsALevelBelowItsParentInItsLibrary(t *testing.T) {
	ctx := context.Background()
	u, _, _ := unitsFixture(t)
	d, err := u.Draft(ctx, unitsCMU, "cmu-f-a", "tu")
	if err != nil {
		t.Fatal(err)
	}
	if d.Institution != "cmu" || d.Level != repository.Subseries {
		t.Errorf("draft inside a series: %s, %s; want cmu, subseries", d.Institution, d.Level)
	}
	if d, err = u.Draft(ctx, unitsCMU, "", ""); err != nil || d.Institution != "cmu" || d.Level != repository.Fonds {
		t.Errorf("draft at the top: %+v, %v", d, err)
	}
	if _, err := u.Draft(ctx, unitsCMU, "", "tu"); !errors.Is(err, fault.Forbidden) {
		t.Errorf("draft in another library: %v, want forbidden", err)
	}
	if got := ChildLevel("box"); got != repository.ItemLevel {
		t.Errorf("the level below a library's own: %s", got)
	}
}

func TestUnitsMoveKeepsFondsOnTopAndNamesWhatIsMissing(t *testing.T) {
	ctx := context.Background()
	u, _, _ := unitsFixture(t)
	other := &repository.Collection{ID: "cmu-g", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "G"}}
	if err := u.Store.SaveCollection(ctx, other, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Move(ctx, unitsCMU, Move{Unit: "cmu-g", Parent: "cmu-f"}); !errors.Is(err, ErrFondsOnTop) || !errors.Is(err, fault.Invalid) {
		t.Errorf("a fonds into another unit: %v, want ErrFondsOnTop (invalid)", err)
	}
	var missing *MissingUnit
	if _, err := u.Move(ctx, unitsCMU, Move{Unit: "cmu-f-a", Parent: "tu-closed"}); !errors.As(err, &missing) || missing.Role != "parent" {
		t.Errorf("into another library's closed unit: %v, want a missing parent", err)
	}
	if _, err := u.Move(ctx, unitsCMU, Move{Unit: "cmu-f-a"}); !errors.As(err, &missing) || missing.Role != "parent" {
		t.Errorf("a move naming no parent: %v, want a missing parent", err)
	}
	if _, err := u.Move(ctx, unitsCMU, Move{Unit: "nothing", Top: true}); !errors.As(err, &missing) || missing.Role != "unit" {
		t.Errorf("moving a unit that does not exist: %v, want a missing unit", err)
	}
	if _, err := u.Move(ctx, unitsCMU, Move{Unit: "cmu-f-a", Version: 7, Parent: "cmu-g"}); !errors.Is(err, fault.Conflict) {
		t.Errorf("a move decided on another version: %v, want conflict", err)
	}
	if _, err := u.Move(ctx, unitsCMU, Move{Unit: "cmu-f-b", Step: -1}); err != nil {
		t.Fatal(err)
	}
	kids, err := u.Store.Children("cmu-f")
	if err != nil || len(kids) != 2 || kids[0].ID != "cmu-f-b" {
		t.Fatalf("after moving B up: %v, %v", kids, err)
	}
	if _, err := u.Move(ctx, unitsCMU, Move{Unit: "cmu-f-a", Parent: "cmu-g", Position: 5}); err != nil {
		t.Fatal(err)
	}
	if c, _ := u.Store.Collection("cmu-f-a"); c.Parent != "cmu-g" {
		t.Errorf("after the move A is in %q", c.Parent)
	}
}
