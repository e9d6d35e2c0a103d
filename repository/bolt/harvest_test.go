package bolt

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

func TestSourcesAndEntriesComeBackFromStorageAloneWithTheirIndexes(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	s := openStore(t, filepath.Join(dir, "a.db"), blobs)
	src := &repository.Source{Institution: "cmu", OAI: "http://127.0.0.1:1/oai", Set: "theses", Format: "oai_dc", Every: "24h"}
	if err := s.SaveSource(ctx, src); err != nil || src.Version != 1 {
		t.Fatalf("a new source: %+v, %v", src, err)
	}
	src.Run.Token, src.Run.Read, src.Run.Errors = "page-2", 10, []repository.RecordError{{Identifier: "oai:x:9", Error: "record oai:x:9 has no title"}}
	if err := s.SaveSource(ctx, src); err != nil || src.Version != 2 {
		t.Fatalf("a run's state: %+v, %v", src, err)
	}
	stale := *src
	stale.Version = 1
	if err := s.SaveSource(ctx, &stale); !errors.Is(err, fault.Conflict) {
		t.Fatalf("a stale change: %v, want a conflict", err)
	}
	entry := func(id, title, digest string) *repository.Entry {
		return &repository.Entry{Source: src.ID, Institution: "cmu", Identifier: id, Title: repository.Text{"th": title}, Digest: digest}
	}
	one := entry("oai:x:1", "วิทยานิพนธ์", "d1")
	if wrote, err := s.SaveEntry(ctx, one); err != nil || !wrote || one.Version != 1 {
		t.Fatalf("a new entry: %v %+v, %v", wrote, one, err)
	}
	same := entry("oai:x:1", "วิทยานิพนธ์", "d1")
	if wrote, err := s.SaveEntry(ctx, same); err != nil || wrote || same.ID != one.ID || same.Version != 1 {
		t.Fatalf("the same entry again wrote %v (%+v), %v", wrote, same, err)
	}
	changed := entry("oai:x:1", "วิทยานิพนธ์ ฉบับแก้ไข", "d2")
	if wrote, err := s.SaveEntry(ctx, changed); err != nil || !wrote || changed.ID != one.ID || changed.Version != 2 {
		t.Fatalf("a changed entry: %v %+v, %v", wrote, changed, err)
	}
	two := entry("oai:x:2", "Thesis", "d3")
	if _, err := s.SaveEntry(ctx, two); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveEntry(ctx, &repository.Entry{Source: src.ID, Institution: "cmu", Identifier: "oai:x:2", Deleted: true}); err != nil {
		t.Fatal(err)
	}
	if wrote, err := s.SaveEntry(ctx, &repository.Entry{Source: src.ID, Institution: "cmu", Identifier: "oai:x:never", Deleted: true}); err != nil || wrote {
		t.Fatalf("deleting a record never harvested wrote %v, %v", wrote, err)
	}
	if _, err := s.SaveEntry(ctx, entry("oai:x:3", " ", "d4")); !errors.Is(err, fault.Invalid) {
		t.Fatalf("an entry without a title: %v, want invalid", err)
	}
	check := func(s *Store, when string) {
		t.Helper()
		got, err := s.Source(src.ID)
		if err != nil || got.Run.Token != "page-2" || len(got.Run.Errors) != 1 || got.Version != 2 {
			t.Fatalf("%s: the source %+v, %v", when, got, err)
		}
		if ids, err := s.EntryIdentifiers(src.ID); err != nil || !slices.Equal(ids, []string{"oai:x:1"}) {
			t.Fatalf("%s: the source's entries %v, %v", when, ids, err)
		}
		if ids, err := s.EntryIDsOf("cmu"); err != nil || !slices.Equal(ids, []string{one.ID}) {
			t.Fatalf("%s: the library's entries %v, %v", when, ids, err)
		}
		if e, err := s.EntryOf(src.ID, "oai:x:2"); err != nil || !e.Deleted || e.ID != two.ID {
			t.Fatalf("%s: the deleted record %+v, %v", when, e, err)
		}
		if e, err := s.EntryOf(src.ID, "oai:x:1"); err != nil || e.Title.Get("th") != "วิทยานิพนธ์ ฉบับแก้ไข" || e.Version != 2 {
			t.Fatalf("%s: the changed record %+v, %v", when, e, err)
		}
	}
	check(s, "before")
	before := harvestDump(t, s)
	s.Close()
	if err := os.Remove(filepath.Join(dir, "a.db")); err != nil {
		t.Fatal(err)
	}
	r := openStore(t, filepath.Join(dir, "a.db"), blobs)
	check(r, "after a rebuild")
	if after := harvestDump(t, r); after != before || !strings.Contains(before, "ix_entry_key ") {
		t.Fatalf("the harvest's buckets differ after a rebuild:\n%s\nthen\n%s", before, after)
	}
}

func TestSourceRefusesABadURLFormatScheduleAndSet(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	good := repository.Source{Institution: "cmu", OAI: "https://dspace.example.org/oai/request", Format: "oai_dc", Every: "24h"}
	for what, bad := range map[string]func(*repository.Source){
		"ftp URL":        func(s *repository.Source) { s.OAI = "ftp://example.org/oai" },
		"URL with query": func(s *repository.Source) { s.OAI = "https://example.org/oai?verb=Identify" },
		"format":         func(s *repository.Source) { s.Format = "marc" },
		"schedule":       func(s *repository.Source) { s.Every = "daily" },
		"too often":      func(s *repository.Source) { s.Every = "1s" },
		"set":            func(s *repository.Source) { s.Set = "a b" },
	} {
		src := good
		bad(&src)
		if err := s.SaveSource(ctx, &src); !errors.Is(err, fault.Invalid) {
			t.Errorf("%s: %v, want invalid", what, err)
		}
	}
	if all, err := s.Sources(); err != nil || len(all) != 0 {
		t.Fatalf("refused sources were kept: %v, %v", all, err)
	}
}

// harvestDump is what Dump shows of the harvest's buckets.
func harvestDump(t *testing.T, s *Store) string {
	t.Helper()
	var b strings.Builder
	if err := s.Dump(&b); err != nil {
		t.Fatal(err)
	}
	var out []string
	for l := range strings.Lines(b.String()) {
		for _, p := range []string{"sources ", "entries ", "ix_entry_key ", "ix_institution_entries "} {
			if strings.HasPrefix(l, p) {
				out = append(out, l)
			}
		}
	}
	return strings.Join(out, "")
}

func TestSaveEntriesWritesAPageInOneGoAsSaveEntryWouldOneByOne(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	s := openStore(t, filepath.Join(dir, "a.db"), blobs)
	e := func(ident, title, digest string, deleted bool) *repository.Entry {
		return &repository.Entry{Source: "src", Institution: "cmu", Identifier: ident, Title: repository.Text{"th": title}, Digest: digest, Deleted: deleted}
	}
	if _, err := s.SaveEntry(ctx, e("a", "เดิม", "da", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveEntry(ctx, e("b", "จะเปลี่ยน", "db", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveEntry(ctx, e("c", "จะลบ", "dc", false)); err != nil {
		t.Fatal(err)
	}
	_, before, _ := s.FeedEpoch()
	page := []*repository.Entry{
		e("a", "เดิม", "da", false),         // unchanged
		e("b", "เปลี่ยนแล้ว", "db2", false), // changed
		e("c", "", "", true),                // deleted
		e("d", "ใหม่", "dd", false),         // new
		e("e", " ", "de", false),            // no title: refused
		e("f", "", "", true),                // deleted, never seen
		e("d", "ใหม่กว่า", "dd2", false),    // d again: the last is taken
	}
	wrote, refused, err := s.SaveEntries(ctx, page)
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, true, true, false, false, false, true}; !slices.Equal(wrote, want) {
		t.Fatalf("written %v, want %v", wrote, want)
	}
	for i, err := range refused {
		if (i == 4) != errors.Is(err, fault.Invalid) {
			t.Errorf("entry %d refused: %v", i, err)
		}
	}
	if page[1].Version != 2 || page[6].Version != 1 || page[0].Version != 1 || page[0].ID == "" {
		t.Fatalf("versions after the page: %+v %+v %+v", page[0], page[1], page[6])
	}
	_, after, _ := s.FeedEpoch()
	if after-before != 3 {
		t.Fatalf("the page announced %d changes, want 3", after-before)
	}
	if ids, err := s.EntryIdentifiers("src"); err != nil || !slices.Equal(ids, []string{"a", "b", "d"}) {
		t.Fatalf("entries %v, %v", ids, err)
	}
	if d, err := s.EntryOf("src", "d"); err != nil || d.Title.Get("th") != "ใหม่กว่า" {
		t.Fatalf("d: %+v, %v", d, err)
	}
	dumped := harvestDump(t, s)
	s.Close()
	if err := os.Remove(filepath.Join(dir, "a.db")); err != nil {
		t.Fatal(err)
	}
	if r := openStore(t, filepath.Join(dir, "a.db"), blobs); harvestDump(t, r) != dumped {
		t.Fatal("a page of entries does not come back the same from storage")
	}
}

func TestReplicaHoldsTheWritersSourcesAndEntries(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	w := openStore(t, filepath.Join(dir, "writer.db"), blobs)
	publish(t, w)
	r, err := OpenReplica(ctx, filepath.Join(dir, "replica.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	src := &repository.Source{Institution: "tu", OAI: "https://dspace.tu.ac.th/oai/request", Format: "oai_dc", Every: "24h"}
	if err := w.SaveSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	page := []*repository.Entry{
		{Source: src.ID, Institution: "tu", Identifier: "oai:tu:1", Title: repository.Text{"th": "หนึ่ง"}, Digest: "1"},
		{Source: src.ID, Institution: "tu", Identifier: "oai:tu:2", Title: repository.Text{"th": "สอง"}, Digest: "2"},
	}
	if _, _, err := w.SaveEntries(ctx, page); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, w, r, "after a page of entries")
	if ids, err := r.EntryIDsOf("tu"); err != nil || len(ids) != 2 {
		t.Fatalf("the library's entries on the replica: %v, %v", ids, err)
	}
	if got, err := r.Source(src.ID); err != nil || got.OAI != src.OAI {
		t.Fatalf("the source on the replica: %+v, %v", got, err)
	}
	if _, err := w.SaveEntry(ctx, &repository.Entry{Source: src.ID, Institution: "tu", Identifier: "oai:tu:1", Deleted: true}); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, w, r, "after a deletion")
	if ids, err := r.EntryIdentifiers(src.ID); err != nil || !slices.Equal(ids, []string{"oai:tu:2"}) {
		t.Fatalf("the source's entries on the replica after a deletion: %v, %v", ids, err)
	}
}
