package bolt

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// buildFonds makes a fonds of five levels: fonds › subfonds › series ›
// file › item (a unit with no digital object), with two series.
func buildFonds(t *testing.T, s *Store) map[string]*repository.Collection {
	t.Helper()
	out := map[string]*repository.Collection{}
	add := func(id, parent string, level repository.Level, en string) {
		c := &repository.Collection{ID: id, Institution: "tu", Parent: parent, Level: level, Title: repository.Text{"th": "ไทย " + en, "en": en},
			Description: &repository.Description{ReferenceCode: "TU-" + id, Date: "1957/1960", Scope: repository.Text{"en": "Papers of " + en}}}
		var err error
		if c.Order, err = s.NextOrder(parent); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveCollection(ctx, c, "tester"); err != nil {
			t.Fatal(err)
		}
		out[id] = c
	}
	add("law", "", repository.Fonds, "Faculty of Law")
	add("law-dean", "law", repository.SubFonds, "Dean's office")
	add("law-minutes", "law-dean", repository.Series, "Minutes")
	add("law-letters", "law-dean", repository.Series, "Letters")
	add("law-1957", "law-minutes", repository.FileLevel, "Minutes 1957")
	add("law-1957-01", "law-1957", repository.ItemLevel, "Meeting of January 1957")
	return out
}

func TestTreeKeepsLevelsOrderAndDescriptions(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	buildFonds(t, s)
	tr, err := s.Tree("law")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 6 {
		t.Fatalf("tree has %d units, want 6", tr.Len())
	}
	var got []string
	tr.Walk(func(n *repository.Node) bool {
		got = append(got, fmt.Sprintf("%d:%s:%s", n.Depth, n.Level, n.ID))
		return true
	})
	want := "[0:fonds:law 1:subfonds:law-dean 2:series:law-minutes 3:file:law-1957 4:item:law-1957-01 2:series:law-letters]"
	if fmt.Sprint(got) != want {
		t.Fatalf("walk:\n got %v\nwant %s", got, want)
	}
	leaf := tr.Node("law-1957-01")
	if p := leaf.Path(); len(p) != 5 || p[0].ID != "law" || leaf.Description.ReferenceCode != "TU-law-1957-01" {
		t.Fatalf("path or description lost: %v %+v", p, leaf.Description)
	}
	// A library's own level is accepted; a malformed one and a non-EDTF date are not.
	own := &repository.Collection{Institution: "tu", Parent: "law", Level: "box", Title: repository.Text{"en": "Box 1"}}
	if err := s.SaveCollection(ctx, own, "tester"); err != nil {
		t.Fatalf("own level refused: %v", err)
	}
	if again, _ := s.Tree("law"); again == tr || again.Node(own.ID) == nil {
		t.Fatal("a tree read after a change does not have it")
	}
	if same, _ := s.Tree("law"); same.Node(own.ID) == nil || same.Len() != 7 {
		t.Fatal("the tree read again lost the new unit")
	}
	for _, bad := range []*repository.Collection{
		{Institution: "tu", Level: "Box 1", Title: repository.Text{"en": "x"}},
		{Institution: "tu", Level: repository.Series, Title: repository.Text{"en": "x"}, Description: &repository.Description{Date: "sometime"}},
	} {
		if err := s.SaveCollection(ctx, bad, "tester"); !errors.Is(err, fault.Invalid) {
			t.Errorf("%+v: got %v, want fault.Invalid", bad, err)
		}
	}
}

func TestMovingASubtreeIsOneChangeAndSurvivesRebuild(t *testing.T) {
	dir := t.TempDir()
	blobs := newBlobs(t)
	s := openStore(t, filepath.Join(dir, "a.db"), blobs)
	cols := buildFonds(t, s)
	before, err := s.Events("law-minutes")
	if err != nil {
		t.Fatal(err)
	}
	seqBefore := lastSeq(t, s)
	// Move the minutes (with its file and item) under letters' parent, first.
	m := cols["law-minutes"]
	if err := s.MoveCollection(ctx, m.ID, m.Version, "law", 0, "archivist"); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Events("law-minutes")
	if len(after) != len(before)+1 || after[len(after)-1].Type != "modification" {
		t.Fatalf("events: %d before, %d after: %+v", len(before), len(after), after)
	}
	if n := lastSeq(t, s) - seqBefore; n != 1 {
		t.Fatalf("the move made %d feed entries, want 1", n)
	}
	for _, id := range []string{"law-1957", "law-1957-01"} {
		if c, _ := s.Collection(id); c.Version != 1 {
			t.Errorf("%s changed by the move (version %d)", id, c.Version)
		}
	}
	if err := s.MoveCollection(ctx, m.ID, m.Version, "law", 0, "archivist"); !errors.Is(err, fault.Conflict) {
		t.Fatalf("stale move: %v, want fault.Conflict", err)
	}
	if err := s.MoveCollection(ctx, "law", 1, "law-1957", 0, "archivist"); !errors.Is(err, fault.Invalid) {
		t.Fatalf("moving a fonds into its own file: %v, want fault.Invalid", err)
	}
	// Reorder: letters before the dean's office, then the minutes between them.
	l := cols["law-letters"]
	if err := s.MoveCollection(ctx, l.ID, l.Version, "law", 0, "archivist"); err != nil {
		t.Fatal(err)
	}
	kids, _ := s.Children("law")
	var order []string
	for _, k := range kids {
		order = append(order, k.ID)
	}
	if fmt.Sprint(order) != "[law-letters law-minutes law-dean]" {
		t.Fatalf("children of law in order %v", order)
	}
	var dump bytes.Buffer
	if err := s.Dump(&dump); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Rebuild(ctx, filepath.Join(dir, "b.db"), blobs, false); err != nil {
		t.Fatal(err)
	}
	r := openStore(t, filepath.Join(dir, "b.db"), blobs)
	tr, err := r.Tree("law")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	tr.Walk(func(n *repository.Node) bool { got = append(got, n.ID); return true })
	if fmt.Sprint(got) != "[law law-letters law-minutes law-1957 law-1957-01 law-dean]" {
		t.Fatalf("rebuilt tree %v", got)
	}
}

func TestAddCollectionsRegistersATreeAtOnce(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	root := &repository.Collection{Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Root"}}
	kid := &repository.Collection{ID: "kid-1", Institution: "cmu", Level: repository.Series, Title: repository.Text{"en": "Kid"}}
	if err := s.AddCollections(ctx, []*repository.Collection{root}, "t"); err != nil {
		t.Fatal(err)
	}
	kid.Parent = root.ID
	grandkid := &repository.Collection{Institution: "cmu", Parent: "kid-1", Level: repository.FileLevel, Title: repository.Text{"en": "File"}, Order: 1}
	if err := s.AddCollections(ctx, []*repository.Collection{kid, grandkid}, "t"); err != nil {
		t.Fatal(err)
	}
	tr, err := s.Tree(root.ID)
	if err != nil || tr.Len() != 3 || tr.Node(grandkid.ID).Up.ID != "kid-1" {
		t.Fatalf("tree: %v %v", tr, err)
	}
	// One bad unit refuses the whole batch.
	bad := []*repository.Collection{{Institution: "cmu", Level: repository.Series, Title: repository.Text{"en": "ok"}}, {Institution: "chula", Parent: root.ID, Level: repository.Series, Title: repository.Text{"en": "other library"}}}
	if err := s.AddCollections(ctx, bad, "t"); !errors.Is(err, fault.Invalid) {
		t.Fatalf("got %v, want fault.Invalid", err)
	}
	if cols, _ := s.Collections("cmu"); len(cols) != 3 {
		t.Fatalf("%d collections after a refused batch, want 3", len(cols))
	}
}

func lastSeq(t *testing.T, s *Store) uint64 {
	t.Helper()
	_, seq, err := s.FeedEpoch()
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// A move refused (into a unit of another library) changes nothing, even
// where the siblings it would have gone between are too close to split and
// would have been numbered again first.
func TestARefusedMoveChangesNothing(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	for _, c := range []*repository.Collection{
		{ID: "cmu-f", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "F"}},
		{ID: "cmu-f-a", Institution: "cmu", Parent: "cmu-f", Level: repository.Series, Order: 1, Title: repository.Text{"en": "A"}},
		{ID: "cmu-f-b", Institution: "cmu", Parent: "cmu-f", Level: repository.Series, Order: 1 + 1e-9, Title: repository.Text{"en": "B"}},
		{ID: "tu-x", Institution: "tu", Level: repository.Series, Title: repository.Text{"en": "X"}},
	} {
		if err := s.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	seq := lastSeq(t, s)
	if err := s.MoveCollection(ctx, "tu-x", 1, "cmu-f", 1, "tu archivist"); !errors.Is(err, fault.Invalid) {
		t.Fatalf("a move into another library's unit: %v, want fault.Invalid", err)
	}
	if n := lastSeq(t, s) - seq; n != 0 {
		t.Fatalf("the refused move made %d changes", n)
	}
	for _, id := range []string{"cmu-f-a", "cmu-f-b"} {
		if c, _ := s.Collection(id); c.Version != 1 {
			t.Errorf("%s renumbered by a refused move (version %d)", id, c.Version)
		}
	}
}
