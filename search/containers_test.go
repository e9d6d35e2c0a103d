package search

import (
	"slices"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

func TestAReaderFindsWhatIsInBox12InEnglishAndThaiButNotItsShelf(t *testing.T) {
	f := newFixture(t)
	unit := func(id, box, folder string) string {
		c := &repository.Collection{ID: id, Institution: "cmu", Level: repository.FileLevel, Title: repository.Text{"th": "จดหมาย", "en": "Letters"},
			Description: &repository.Description{Containers: []repository.ContainerRef{
				{Type: "Box", Indicator: box, ID: id + "-b", Barcode: "CMU00" + box},
				{Type: "Folder", Indicator: folder, Parent: id + "-b"}}}}
		if err := f.store.SaveCollection(ctx, c, "tester"); err != nil {
			t.Fatal(err)
		}
		return f.save(t, &repository.Item{Title: repository.Text{"en": "Letter"}, Collection: id}).ID
	}
	in12 := unit("letters-a", "12", "3")
	unit("letters-b", "13", "4")
	for _, q := range []string{"Box 12", "box 12", "กล่อง 12", "Folder 3 box 12", "แฟ้ม 3"} {
		if got := ids(f.find(t, anonymous, Query{Text: q})); !slices.Equal(got, []string{in12}) {
			t.Errorf("%q finds %v, not the letter in Box 12", q, got)
		}
	}
	if n := f.find(t, anonymous, Query{Text: "CMU0012"}).Total; n != 0 {
		t.Errorf("a barcode finds %d items", n)
	}
}

func TestABoxKeptForStaffDoesNotFindWhatIsInIt(t *testing.T) {
	f := newFixture(t)
	c := &repository.Collection{ID: "letters-c", Institution: "cmu", Level: repository.FileLevel, Title: repository.Text{"en": "Letters"},
		Description: &repository.Description{Containers: []repository.ContainerRef{
			{Type: "Box", Indicator: "9", ID: "b9", Attrs: map[string]string{"audience": "internal"}},
			{Type: "Folder", Indicator: "1", Parent: "b9"}}}}
	if err := f.store.SaveCollection(ctx, c, "tester"); err != nil {
		t.Fatal(err)
	}
	f.save(t, &repository.Item{Title: repository.Text{"en": "Letter"}, Collection: c.ID})
	for _, q := range []string{"Box 9", "กล่อง 9", "Folder 1"} {
		if n := f.find(t, anonymous, Query{Text: q}).Total; n != 0 {
			t.Errorf("%q finds %d items through a box kept for staff", q, n)
		}
	}
}
