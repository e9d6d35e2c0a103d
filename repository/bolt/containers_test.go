package bolt

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage/local"
)

func TestContainersKeepTheirUnitsCountsAndLocationAcrossARebuild(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	s := openStore(t, filepath.Join(dir, "a.db"), blobs)
	box := &repository.Container{Institution: "cmu", Type: "Box", Indicator: "12", Barcode: "39002", Location: "Room 2, shelf 4"}
	other := &repository.Container{Institution: "cmu", Type: "Box", Indicator: "13"}
	if err := s.AddContainers(ctx, []*repository.Container{box, other}, "t"); err != nil {
		t.Fatal(err)
	}
	in := func(top string, folder string) *repository.Description {
		return &repository.Description{Containers: []repository.ContainerRef{
			{Top: top, Type: "Box", Indicator: "12", ID: "b"},
			{Top: top, Type: "Folder", Indicator: folder, Parent: "b"}}}
	}
	f := &repository.Collection{ID: "cmu-f", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "F"}}
	a := &repository.Collection{ID: "cmu-a", Institution: "cmu", Parent: "cmu-f", Level: repository.FileLevel, Title: repository.Text{"en": "A"}, Description: in(box.ID, "1")}
	b := &repository.Collection{ID: "cmu-b", Institution: "cmu", Parent: "cmu-f", Level: repository.FileLevel, Title: repository.Text{"en": "B"}, Description: in(box.ID, "2")}
	if err := s.AddCollections(ctx, []*repository.Collection{f, a, b}, "t"); err != nil {
		t.Fatal(err)
	}
	// b moves to the other box: one unit each.
	b.Description = in(other.ID, "1")
	if err := s.SaveUnit(ctx, b, "t"); err != nil {
		t.Fatal(err)
	}
	box.Location = "Room 3, shelf 1"
	if err := s.SaveContainer(ctx, box, "t", repository.Event{Type: "modification", Outcome: "success", Detail: "moved"}); err != nil {
		t.Fatal(err)
	}
	check := func(s *Store, when string) {
		t.Helper()
		list, err := s.ContainersOf("cmu")
		if err != nil || len(list) != 2 {
			t.Fatalf("%s: %d boxes, %v", when, len(list), err)
		}
		for _, c := range list {
			if c.Units != 1 {
				t.Fatalf("%s: %s holds %d units, not 1", when, c.Name(), c.Units)
			}
		}
		got, err := s.ContainerByBarcode("cmu", "39002")
		if err != nil || got.Location != "Room 3, shelf 1" || got.Version != 2 {
			t.Fatalf("%s: box by barcode %+v, %v", when, got, err)
		}
		units, err := s.UnitsIn(box.ID)
		if err != nil || len(units) != 1 || units[0].ID != "cmu-a" {
			t.Fatalf("%s: units in box 12 %v, %v", when, units, err)
		}
		if l, _ := s.ContainersOf("tu"); len(l) != 0 {
			t.Fatalf("%s: tu lists cmu's boxes", when)
		}
	}
	check(s, "before")
	var before bytes.Buffer
	if err := s.Dump(&before); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Rebuild(ctx, filepath.Join(dir, "b.db"), blobs, false); err != nil {
		t.Fatal(err)
	}
	r := openStore(t, filepath.Join(dir, "b.db"), blobs)
	check(r, "after the rebuild")
	var after bytes.Buffer
	if err := r.Dump(&after); err != nil {
		t.Fatal(err)
	}
	if a, b := containerLines(before.String()), containerLines(after.String()); a != b || a == "" {
		t.Fatalf("the containers' records and indexes differ after the rebuild:\n%s\nvs\n%s", a, b)
	}
}

// containerLines are the lines of a dump from the containers' buckets.
func containerLines(dump string) string {
	var out []string
	for _, l := range strings.Split(dump, "\n") {
		b, _, _ := strings.Cut(l, " ")
		if slices.Contains([]string{"containers", "ix_institution_containers", "ix_container_barcodes", "ix_container_units", "ix_container_counts"}, b) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestAddContainersRefusesABarcodeTheLibraryUsesAndRegistersNone(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	if err := s.AddContainers(ctx, []*repository.Container{{Institution: "cmu", Type: "Box", Indicator: "1", Barcode: "x1"}}, "t"); err != nil {
		t.Fatal(err)
	}
	err := s.AddContainers(ctx, []*repository.Container{{Institution: "cmu", Type: "Box", Indicator: "2"}, {Institution: "cmu", Type: "Box", Indicator: "3", Barcode: "x1"}}, "t")
	if !errors.Is(err, fault.Conflict) {
		t.Fatalf("a second box with barcode x1: %v", err)
	}
	if l, _ := s.ContainersOf("cmu"); len(l) != 1 {
		t.Fatalf("%d boxes registered after a refused batch", len(l))
	}
	if err := s.AddContainers(ctx, []*repository.Container{{Institution: "tu", Type: "Box", Indicator: "1", Barcode: "x1"}}, "t"); err != nil {
		t.Fatalf("tu's own barcode x1: %v", err)
	}
	if err := s.AddContainers(ctx, []*repository.Container{{Institution: "cmu", Type: "", Indicator: "1"}}, "t"); !errors.Is(err, fault.Invalid) {
		t.Fatalf("a box without a type: %v", err)
	}
}

func TestAReplicaTakesInAContainerAndItsMove(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	w := openStore(t, filepath.Join(dir, "writer.db"), blobs)
	stop := publish(t, w)
	defer stop()
	box := &repository.Container{Institution: "cmu", Type: "Box", Indicator: "7", Location: "A1"}
	if err := w.AddContainers(ctx, []*repository.Container{box}, "t"); err != nil {
		t.Fatal(err)
	}
	box.Location = "B2"
	if err := w.SaveContainer(ctx, box, "t"); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReplica(ctx, filepath.Join(dir, "replica.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	caughtUp(t, w, r, "after the move")
	got, err := r.Container(box.ID)
	if err != nil || got.Location != "B2" {
		t.Fatalf("replica's box %+v, %v", got, err)
	}
}

// BenchmarkContainersOf lists a library of 3,000 boxes, each holding two
// units, as the desk's listing does.
func BenchmarkContainersOf(b *testing.B) {
	dir := b.TempDir()
	blobs, err := local.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	s, err := Open(ctx, filepath.Join(dir, "a.db"), blobs)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var boxes []*repository.Container
	for i := range 3000 {
		boxes = append(boxes, &repository.Container{Institution: "cmu", Type: "Box", Indicator: strconv.Itoa(i + 1)})
	}
	if err := s.AddContainers(ctx, boxes, "t"); err != nil {
		b.Fatal(err)
	}
	cols := []*repository.Collection{{ID: "ff", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "F"}}}
	for i, box := range boxes {
		for j := range 2 {
			cols = append(cols, &repository.Collection{ID: fmt.Sprintf("u%d-%d", i, j), Institution: "cmu", Parent: "ff", Level: repository.FileLevel,
				Title: repository.Text{"en": "U"}, Description: &repository.Description{Containers: []repository.ContainerRef{{Top: box.ID, Type: "Box", Indicator: box.Indicator}}}})
		}
	}
	if err := s.AddCollections(ctx, cols, "t"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		list, err := s.ContainersOf("cmu")
		if err != nil || len(list) != 3000 || list[0].Units != 2 {
			b.Fatalf("%d boxes, %v", len(list), err)
		}
	}
}

func TestAUnitDeletedLeavesItsBoxAndComesBackToItWhenRestored(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	box := &repository.Container{Institution: "cmu", Type: "Box", Indicator: "1"}
	if err := s.AddContainers(ctx, []*repository.Container{box}, "t"); err != nil {
		t.Fatal(err)
	}
	u := &repository.Collection{ID: "cmu-u", Institution: "cmu", Level: repository.FileLevel, Title: repository.Text{"en": "U"},
		Description: &repository.Description{Containers: []repository.ContainerRef{{Top: box.ID, Type: "Box", Indicator: "1"}}}}
	if err := s.SaveUnit(ctx, u, "t"); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		l, err := s.ContainersOf("cmu")
		if err != nil || len(l) != 1 {
			t.Fatalf("%d boxes, %v", len(l), err)
		}
		return l[0].Units
	}
	for _, deleted := range []bool{true, false} {
		u.Deleted = deleted
		if err := s.SaveUnit(ctx, u, "t"); err != nil {
			t.Fatal(err)
		}
		want := map[bool]int{true: 0, false: 1}[deleted]
		if n := count(); n != want {
			t.Fatalf("deleted %v: the box holds %d units, not %d", deleted, n, want)
		}
		if units, _ := s.UnitsIn(box.ID); len(units) != want {
			t.Fatalf("deleted %v: UnitsIn lists %d", deleted, len(units))
		}
	}
}

func TestTwoImportsGivingANewBarcodeAtOnceMakeOneBox(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			errs <- s.AddContainers(ctx, []*repository.Container{{Institution: "cmu", Type: "Box", Indicator: "1", Barcode: "same"}}, "t")
		}()
	}
	made := 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			made++
		case !errors.Is(err, fault.Conflict):
			t.Fatalf("a refused import: %v", err)
		}
	}
	if l, _ := s.ContainersOf("cmu"); made != 1 || len(l) != 1 {
		t.Fatalf("%d imports made a box, the library holds %d", made, len(l))
	}
}
