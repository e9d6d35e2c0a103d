package search

import (
	"os"
	"slices"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

func TestHarvestedEntriesAreFoundByThaiWordsAndFacetedBySourceBesideLocalItems(t *testing.T) {
	f := newFixture(t)
	local := f.save(t, &repository.Item{Title: repository.Text{"th": "ภาพถ่ายประวัติศาสตร์ล้านนา"}, Type: "Image", Date: "1932"})
	entry := func(ident, title, date string) *repository.Entry {
		e := &repository.Entry{Source: "src1", Institution: "cmu", Identifier: ident, Title: repository.Text{"th": title}, Date: date, Type: "Text",
			Language: []string{"th"}, Creators: []string{"สมชาย ใจดี"}, Digest: ident}
		if _, err := f.store.SaveEntry(ctx, e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	thesis := entry("oai:x:1", "การศึกษาประวัติศาสตร์ล้านนาจากเอกสารใบลาน", "2007")
	gone := entry("oai:x:2", "เพลงพื้นบ้านล้านนา", "2005")
	r := f.find(t, anonymous, Query{Text: "ล้านนา"})
	if got := ids(r); !slices.Equal(got, inOrder(entryKey(gone.ID), entryKey(thesis.ID), local.ID)) {
		t.Fatalf("hits for ล้านนา: %v", got)
	}
	if facet(r, "source", "src1") != 2 || facet(r, "library", "cmu") != 3 || facet(r, "type", "Text") != 2 || facet(r, "decade", "2000") != 2 || facet(r, "language", "th") != 2 {
		t.Fatalf("facets: %v", r.Facets)
	}
	if got := ids(f.find(t, anonymous, Query{Text: "ใบลาน"})); !slices.Equal(got, []string{entryKey(thesis.ID)}) {
		t.Fatalf("a Thai word inside the title: %v", got)
	}
	if got := ids(f.find(t, anonymous, Query{Text: "2550"})); !slices.Equal(got, []string{entryKey(thesis.ID)}) {
		t.Fatalf("the year in the Buddhist Era: %v", got)
	}
	if id, ok := EntryOf(entryKey(thesis.ID)); !ok || id != thesis.ID {
		t.Fatalf("EntryOf(%q) = %q, %v", entryKey(thesis.ID), id, ok)
	}
	if _, ok := EntryOf(local.ID); ok {
		t.Fatal("a local item's hit is taken for an entry")
	}
	// A library renamed: its entries are found by its new name, as its
	// items are.
	lib, err := f.store.Institution("cmu")
	if err != nil {
		t.Fatal(err)
	}
	lib.Name = repository.Text{"en": "Lannaworth Library", "th": "หอสมุดลานนาเวิร์ธ"}
	if err := f.store.SaveInstitution(ctx, lib); err != nil {
		t.Fatal(err)
	}
	if got := ids(f.find(t, anonymous, Query{Text: "library:Lannaworth"})); !slices.Equal(got, inOrder(entryKey(gone.ID), entryKey(thesis.ID), local.ID)) {
		t.Fatalf("hits for the library's new name: %v", got)
	}
	// The source deletes a record: it leaves the index.
	if _, err := f.store.SaveEntry(ctx, &repository.Entry{Source: "src1", Institution: "cmu", Identifier: "oai:x:2", Deleted: true}); err != nil {
		t.Fatal(err)
	}
	if got := ids(f.find(t, anonymous, Query{Text: "เพลงพื้นบ้าน"})); len(got) != 0 {
		t.Fatalf("a deleted entry is still found: %v", got)
	}
	// A lost index is rebuilt with the entries.
	f.closeIndex()
	if err := os.RemoveAll(f.path); err != nil {
		t.Fatal(err)
	}
	f.open(t)
	if got := ids(f.find(t, anonymous, Query{Text: "ล้านนา"})); !slices.Equal(got, inOrder(entryKey(thesis.ID), local.ID)) {
		t.Fatalf("hits after a rebuild of the index: %v", got)
	}
}

// inOrder is ids in the order ids() gives hits.
func inOrder(ids ...string) []string {
	slices.Sort(ids)
	return ids
}
