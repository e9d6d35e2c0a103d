package bolt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// unitsFailingPut fails the put of one key, once armed, as a disk that
// fills up midway through a change would.
type unitsFailingPut struct {
	repository.Blobs
	mu  sync.Mutex
	key string
}

func (b *unitsFailingPut) Put(ctx context.Context, key string, r io.Reader, o storage.PutOptions) (storage.Info, error) {
	b.mu.Lock()
	fail := key == b.key
	b.mu.Unlock()
	if fail {
		return storage.Info{}, fmt.Errorf("put: injected failure: %w", fault.Unavailable)
	}
	return b.Blobs.Put(ctx, key, r, o)
}

func (b *unitsFailingPut) arm(key string) {
	b.mu.Lock()
	b.key = key
	b.mu.Unlock()
}

// unitsItems lists the items the tree files in unit id.
func unitsItems(t *testing.T, s *Store, root, id string) []string {
	t.Helper()
	tr, err := s.Tree(root)
	if err != nil {
		t.Fatal(err)
	}
	return tr.Node(id).Items
}

func TestSaveUnitLeavesTheTreeWholeWhenStorageFailsMidwayAndARetryMovesAll(t *testing.T) {
	blobs := &unitsFailingPut{Blobs: newBlobs(t)}
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), blobs)
	for _, c := range []*repository.Collection{
		{ID: "cmu-f", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "F"}},
		{ID: "cmu-f-a", Institution: "cmu", Parent: "cmu-f", Level: repository.Series, Order: 1, Title: repository.Text{"en": "A"}},
		{ID: "cmu-f-b", Institution: "cmu", Parent: "cmu-f", Level: repository.Series, Order: 2, Title: repository.Text{"en": "B"}},
	} {
		if err := s.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for i := range 3 {
		it := &repository.Item{Institution: "cmu", Collection: "cmu-f-a", Title: repository.Text{"en": fmt.Sprint("letter ", i)}}
		if err := s.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, it.ID)
	}
	b, err := s.Collection("cmu-f-b")
	if err != nil {
		t.Fatal(err)
	}
	seq := lastSeq(t, s)
	// The second item's new record cannot be written: the unit's and the
	// first item's are already.
	blobs.arm(repository.RecordKey("items", ids[1], 2))
	b.Members = ids
	if err := s.SaveUnit(ctx, b, "t"); !errors.Is(err, fault.Unavailable) {
		t.Fatalf("save with storage failing midway: %v, want fault.Unavailable", err)
	}
	if n := lastSeq(t, s) - seq; n != 0 {
		t.Errorf("the failed save registered %d changes", n)
	}
	if got := unitsItems(t, s, "cmu-f", "cmu-f-a"); !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(ids))) {
		t.Errorf("after the failure unit A holds %v, want %v", got, ids)
	}
	if got := unitsItems(t, s, "cmu-f", "cmu-f-b"); len(got) != 0 {
		t.Errorf("after the failure unit B holds %v, want nothing", got)
	}
	for _, id := range ids {
		it, err := s.Item(id)
		if err != nil || it.Collection != "cmu-f-a" || it.Version != 1 {
			t.Errorf("item %s after the failure: %+v, %v", id, it, err)
		}
	}
	if c, _ := s.Collection("cmu-f-b"); c.Version != 1 || len(c.Members) != 0 {
		t.Errorf("unit B after the failure: version %d, members %v", c.Version, c.Members)
	}

	blobs.arm("")
	if err := s.SaveUnit(ctx, b, "t"); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if got := unitsItems(t, s, "cmu-f", "cmu-f-b"); !slices.Equal(got, ids) {
		t.Errorf("after the retry unit B holds %v, want %v", got, ids)
	}
	if got := unitsItems(t, s, "cmu-f", "cmu-f-a"); len(got) != 0 {
		t.Errorf("after the retry unit A holds %v, want nothing", got)
	}
	for _, id := range ids {
		if it, _ := s.Item(id); it.Collection != "cmu-f-b" || it.Version != 2 {
			t.Errorf("item %s after the retry: in %s at version %d", id, it.Collection, it.Version)
		}
	}
}

func TestSaveUnitRefusesAnItemOfAnotherLibraryAndChangesNothing(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	u := &repository.Collection{ID: "cmu-f", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "F"}}
	if err := s.SaveCollection(ctx, u, "t"); err != nil {
		t.Fatal(err)
	}
	mine := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "mine"}}
	theirs := &repository.Item{Institution: "tu", Title: repository.Text{"en": "theirs"}}
	for _, it := range []*repository.Item{mine, theirs} {
		if err := s.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	seq := lastSeq(t, s)
	u.Members = []string{mine.ID, theirs.ID}
	if err := s.SaveUnit(ctx, u, "t"); !errors.Is(err, fault.Invalid) {
		t.Fatalf("a unit holding another library's item: %v, want fault.Invalid", err)
	}
	u.Members = []string{mine.ID, "no-such-item"}
	if err := s.SaveUnit(ctx, u, "t"); !errors.Is(err, fault.Invalid) {
		t.Fatalf("a unit holding an unknown item: %v, want fault.Invalid", err)
	}
	if n := lastSeq(t, s) - seq; n != 0 {
		t.Errorf("the refused saves registered %d changes", n)
	}
	if it, _ := s.Item(mine.ID); it.Collection != "" || it.Version != 1 {
		t.Errorf("the refused save moved %s into %q (version %d)", mine.ID, it.Collection, it.Version)
	}
}

func TestAMoveThatRenumbersItsSiblingsIsOneChangeWhenStorageFailsMidway(t *testing.T) {
	blobs := &unitsFailingPut{Blobs: newBlobs(t)}
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), blobs)
	for _, c := range []*repository.Collection{
		{ID: "cmu-f", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "F"}},
		{ID: "cmu-f-a", Institution: "cmu", Parent: "cmu-f", Level: repository.Series, Order: 1, Title: repository.Text{"en": "A"}},
		{ID: "cmu-f-b", Institution: "cmu", Parent: "cmu-f", Level: repository.Series, Order: 1 + 1e-9, Title: repository.Text{"en": "B"}},
		{ID: "cmu-g", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "G"}},
		{ID: "cmu-g-c", Institution: "cmu", Parent: "cmu-g", Level: repository.Series, Title: repository.Text{"en": "C"}},
	} {
		if err := s.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	seq := lastSeq(t, s)
	// Between A and B there is no room: both are numbered again, and the
	// moved unit's own record, written last, cannot be.
	blobs.arm(repository.RecordKey("collections", "cmu-g-c", 2))
	if err := s.MoveCollection(ctx, "cmu-g-c", 1, "cmu-f", 1, "t"); !errors.Is(err, fault.Unavailable) {
		t.Fatalf("a move with storage failing midway: %v, want fault.Unavailable", err)
	}
	if n := lastSeq(t, s) - seq; n != 0 {
		t.Errorf("the failed move registered %d changes", n)
	}
	for _, id := range []string{"cmu-f-a", "cmu-f-b", "cmu-g-c"} {
		if c, _ := s.Collection(id); c.Version != 1 {
			t.Errorf("%s changed by the failed move (version %d)", id, c.Version)
		}
	}
	blobs.arm("")
	if err := s.MoveCollection(ctx, "cmu-g-c", 1, "cmu-f", 1, "t"); err != nil {
		t.Fatalf("retry: %v", err)
	}
	kids, err := s.Children("cmu-f")
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, k := range kids {
		order = append(order, k.ID)
	}
	if !slices.Equal(order, []string{"cmu-f-a", "cmu-g-c", "cmu-f-b"}) {
		t.Errorf("after the retry the children are %v", order)
	}
}
