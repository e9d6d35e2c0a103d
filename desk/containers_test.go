package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// boxesFixture adds cmu's Box 10, Box 2 and Box 12 (shelved at "A-1") to
// the units fixture, with three files in Box 12 in folders 10, 1 and 3.
func boxesFixture(t *testing.T) (*Containers, *Units, *repository.Container) {
	t.Helper()
	ctx := context.Background()
	u, _, _ := unitsFixture(t)
	box12 := &repository.Container{Institution: "cmu", Type: "Box", Indicator: "12", Location: "A-1"}
	boxes := []*repository.Container{{Institution: "cmu", Type: "Box", Indicator: "10"}, {Institution: "cmu", Type: "Box", Indicator: "2"}, box12}
	if err := u.Store.AddContainers(ctx, boxes, "t"); err != nil {
		t.Fatal(err)
	}
	var files []*repository.Collection
	for i, folder := range []string{"10", "1", "3"} {
		files = append(files, &repository.Collection{ID: fmt.Sprint("cmu-file-", i), Institution: "cmu", Parent: "cmu-f-b", Order: float64(i + 1),
			Level: repository.FileLevel, Title: repository.Text{"en": "Folder " + folder},
			Description: &repository.Description{Containers: []repository.ContainerRef{
				{Top: box12.ID, Type: "Box", Indicator: "12", ID: fmt.Sprint("b", i)},
				{Top: box12.ID, Type: "Folder", Indicator: folder, Parent: fmt.Sprint("b", i)}}}})
	}
	if err := u.Store.AddCollections(ctx, files, "t"); err != nil {
		t.Fatal(err)
	}
	return &Containers{Store: u.Store}, u, box12
}

func TestArchivistsListTheirBoxesInNumberOrderWithTheUnitsInEach(t *testing.T) {
	ctx := context.Background()
	c, _, box12 := boxesFixture(t)
	list, err := c.List(ctx, unitsCMU, "cmu")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range list {
		got = append(got, fmt.Sprintf("%s:%d:%s", b.Name(), b.Units, b.Location))
	}
	if fmt.Sprint(got) != "[Box 2:0: Box 10:0: Box 12:3:A-1]" {
		t.Fatalf("cmu's boxes %v", got)
	}
	box, err := c.Open(ctx, unitsCMU, box12.ID)
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, u := range box.Units {
		got = append(got, u.Title.Get("en")+"="+repository.ContainerNames(u.Subs, "en")[0])
	}
	if fmt.Sprint(got) != "[Folder 1=Folder 1 Folder 3=Folder 3 Folder 10=Folder 10]" {
		t.Fatalf("box 12 holds %v", got)
	}
	for _, p := range []access.Principal{unitsReader, unitsTU, {}} {
		if _, err := c.List(ctx, p, "cmu"); !errors.Is(err, fault.Forbidden) && !errors.Is(err, fault.Unauthenticated) {
			t.Errorf("%q lists cmu's boxes: %v", p.Email, err)
		}
		if _, err := c.Open(ctx, p, box12.ID); !errors.Is(err, fault.Forbidden) && !errors.Is(err, fault.Unauthenticated) {
			t.Errorf("%q opens cmu's box 12: %v", p.Email, err)
		}
	}
	if _, err := c.Open(ctx, unitsCMU, "no-such-box"); !errors.Is(err, fault.NotFound) {
		t.Errorf("an unknown box: %v", err)
	}
}

func TestMovingABoxIsOneSaveWithAnEventAndOnlyTheLibrarysStaffMayDoIt(t *testing.T) {
	ctx := context.Background()
	c, u, box12 := boxesFixture(t)
	for _, p := range []access.Principal{unitsReader, unitsTU, {}} {
		if _, err := c.Move(ctx, p, box12.ID, 1, "B-7"); !errors.Is(err, fault.Forbidden) && !errors.Is(err, fault.Unauthenticated) {
			t.Errorf("%q moved cmu's box: %v", p.Email, err)
		}
	}
	if _, err := c.Move(ctx, unitsCMU, box12.ID, 1, "  "); !errors.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "the new location of Box 12 is empty") {
		t.Errorf("a move nowhere: %v", err)
	}
	moved, err := c.Move(ctx, unitsCMU, box12.ID, 1, "B-7")
	if err != nil || moved.Location != "B-7" || moved.Version != 2 {
		t.Fatalf("moved %+v, %v", moved, err)
	}
	if _, err := c.Move(ctx, unitsCMU, box12.ID, 1, "C-3"); !errors.Is(err, fault.Conflict) {
		t.Errorf("a move from a stale page: %v", err)
	}
	if got, _ := u.Store.Container(box12.ID); got.Location != "B-7" || got.Version != 2 {
		t.Errorf("stored box %+v", got)
	}
	evs, err := u.Store.Events(box12.ID)
	if err != nil || len(evs) == 0 || !strings.Contains(evs[len(evs)-1].Detail, "Box 12 moved from A-1 to B-7") || evs[len(evs)-1].Agent != unitsCMU.Email {
		t.Fatalf("events %+v, %v", evs, err)
	}
}
