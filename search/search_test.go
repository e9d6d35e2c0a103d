package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/search/thai"
	"github.com/thaiarchives/archive/storage/local"
)

var ctx = context.Background()

var (
	anonymous = access.Principal{}
	cmuReader = access.Principal{User: "u1", Email: "r@cmu", Institution: "cmu", Role: access.Reader}
	tuReader  = access.Principal{User: "u2", Email: "r@tu", Institution: "tu", Role: access.Reader}
)

type fixture struct {
	store *bolt.Store
	index *Index
	path  string
	opts  Options
	stop  func() // ends the index's following, and closes it
}

// newFixture opens a real store and an index on disk that follows it.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, Options{})
}

// newFixtureWith is newFixture with the index's options.
func newFixtureWith(t *testing.T, opts Options) *fixture {
	t.Helper()
	dir := t.TempDir()
	blobs, err := local.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(ctx, filepath.Join(dir, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &fixture{store: store, path: filepath.Join(dir, "index"), opts: opts}
	f.open(t)
	return f
}

func (f *fixture) open(t *testing.T) {
	t.Helper()
	x, err := Open(f.path, f.store, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { x.Follow(c, f.store); close(done) }()
	f.stop = func() { cancel(); <-done; x.Close() }
	t.Cleanup(f.stop)
	f.index = x
}

// closeIndex closes the fixture's index once nothing of it runs any more
// (a rebuild under way included), so that another may open its folder.
func (f *fixture) closeIndex() { f.stop() }

func (f *fixture) save(t *testing.T, it *repository.Item) *repository.Item {
	t.Helper()
	if it.Institution == "" {
		it.Institution = "cmu"
	}
	if err := f.store.SaveItem(ctx, it, "tester"); err != nil {
		t.Fatal(err)
	}
	return it
}

// find searches as p once the index holds every change so far.
func (f *fixture) find(t *testing.T, p access.Principal, q Query) *Result {
	t.Helper()
	if err := f.index.WaitFor(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := f.index.Search(ctx, p, q)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ids(r *Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	slices.Sort(out)
	return out
}

func facet(r *Result, name, value string) int {
	for _, v := range r.Facets[name] {
		if v.Value == value {
			return v.Count
		}
	}
	return 0
}

func TestAnEditIsSearchableAtOnce(t *testing.T) {
	f := newFixture(t)
	it := f.save(t, &repository.Item{Title: repository.Text{"th": "จดหมายเหตุมหาวิทยาลัยเชียงใหม่", "en": "University archives"}})
	if got := ids(f.find(t, anonymous, Query{Text: "จดหมายเหตุ"})); !slices.Equal(got, []string{it.ID}) {
		t.Fatalf("new item: hits %v", got)
	}
	it.Title = repository.Text{"th": "ภาพถ่ายดอยสุเทพ", "en": "Photographs of Doi Suthep"}
	f.save(t, it)
	if got := ids(f.find(t, anonymous, Query{Text: "ดอยสุเทพ"})); !slices.Equal(got, []string{it.ID}) {
		t.Errorf("edited title: hits %v", got)
	}
	if got := f.find(t, anonymous, Query{Text: "จดหมายเหตุ"}).Total; got != 0 {
		t.Errorf("the old title still finds the item (%d hits)", got)
	}
	if got := ids(f.find(t, anonymous, Query{Text: "photograph"})); !slices.Equal(got, []string{it.ID}) {
		t.Errorf("English stemming: 'photograph' finds %v", got)
	}
}

func TestAWithdrawnItemDisappears(t *testing.T) {
	f := newFixture(t)
	it := f.save(t, &repository.Item{Title: repository.Text{"en": "Duplicate scan of the charter"}})
	if f.find(t, anonymous, Query{Text: "charter"}).Total != 1 {
		t.Fatal("not found before withdrawal")
	}
	if err := f.store.Withdraw(ctx, it.ID, "tester", "duplicate"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []access.Principal{anonymous, cmuReader, {User: "a", Role: access.SystemAdmin}} {
		if r := f.find(t, p, Query{Text: "charter"}); r.Total != 0 || facet(r, "library", "cmu") != 0 {
			t.Errorf("%+v still finds the withdrawn item: %d hits", p, r.Total)
		}
	}
}

func TestALostIndexIsRebuiltByItself(t *testing.T) {
	f := newFixture(t)
	for i := range 30 {
		f.save(t, &repository.Item{Title: repository.Text{"en": fmt.Sprintf("Letter number %d", i)}})
	}
	if n := f.find(t, anonymous, Query{Text: "letter"}).Total; n != 30 {
		t.Fatalf("%d hits before the loss", n)
	}
	f.closeIndex()
	if err := os.RemoveAll(f.path); err != nil {
		t.Fatal(err)
	}
	f.open(t)
	if n := f.find(t, anonymous, Query{Text: "letter"}).Total; n != 30 {
		t.Errorf("%d hits after the index was lost, want 30", n)
	}
	// An index of another feed (the store was rebuilt) starts again too.
	f.index.setCursor(cursor{Epoch: "another", Seq: 1})
	if _, err := f.index.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.index.Count(); n != 30 {
		t.Errorf("%d documents after a rebuild, want 30", n)
	}
}

func TestRestrictedItemsAreInvisibleInHitsAndCounts(t *testing.T) {
	f := newFixture(t)
	f.save(t, &repository.Item{Title: repository.Text{"th": "ภาพถ่ายงานรับปริญญา"}, Type: "Image"})
	closed := f.save(t, &repository.Item{Title: repository.Text{"th": "ภาพถ่ายเอกสารลับ"}, Type: "Text", Access: repository.Access{Level: repository.Restricted}})
	embargoed := f.save(t, &repository.Item{Title: repository.Text{"th": "ภาพถ่ายคณะกรรมการ"}, Type: "Sound", Access: repository.Access{Embargo: "2999-01-01"}})

	r := f.find(t, anonymous, Query{Text: "ภาพถ่าย"})
	if r.Total != 1 || slices.Contains(ids(r), closed.ID) || slices.Contains(ids(r), embargoed.ID) {
		t.Errorf("anonymous: %d hits %v", r.Total, ids(r))
	}
	if facet(r, "type", "Text") != 0 || facet(r, "type", "Sound") != 0 || facet(r, "access", repository.Restricted) != 0 || facet(r, "library", "cmu") != 1 {
		t.Errorf("anonymous facet counts reveal restricted items: %v", r.Facets)
	}
	if r := f.find(t, tuReader, Query{Text: "ภาพถ่าย"}); r.Total != 1 {
		t.Errorf("a reader of another library: %d hits", r.Total)
	}
	r = f.find(t, cmuReader, Query{Text: "ภาพถ่าย"})
	if r.Total != 3 || facet(r, "type", "Text") != 1 || facet(r, "access", repository.Restricted) != 2 {
		t.Errorf("cmu reader: %d hits, facets %v", r.Total, r.Facets)
	}
	// Restricting a collection restricts the items in it.
	col := &repository.Collection{Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Council papers"}}
	if err := f.store.SaveCollection(ctx, col, "tester"); err != nil {
		t.Fatal(err)
	}
	open := f.save(t, &repository.Item{Title: repository.Text{"en": "Minutes of the council"}, Collection: col.ID})
	if f.find(t, anonymous, Query{Text: "minutes"}).Total != 1 {
		t.Fatal("open item in an open collection not found")
	}
	col.Access.Level = repository.Restricted
	if err := f.store.SaveCollection(ctx, col, "tester"); err != nil {
		t.Fatal(err)
	}
	if r := f.find(t, anonymous, Query{Text: "minutes"}); r.Total != 0 {
		t.Errorf("item %s of a collection made restricted still found anonymously", open.ID)
	}
	if r := f.find(t, cmuReader, Query{Text: "council"}); r.Total != 1 {
		t.Errorf("cmu reader finds %d items by the collection's title", r.Total)
	}
}

func TestBothCalendarsFindTheSameYear(t *testing.T) {
	f := newFixture(t)
	mou := f.save(t, &repository.Item{Title: repository.Text{"th": "บันทึกข้อตกลงความร่วมมือ"}, Date: "2019-06-18"})
	old := f.save(t, &repository.Item{Title: repository.Text{"th": "บันทึกการประชุม"}, Date: "1962"})
	for _, q := range []Query{{Text: "2562"}, {Text: "2019"}, {Text: "date:๒๕๖๒"}, {From: 2560, To: 2563}, {From: 2015, To: 2020}, {Text: "บันทึก", From: 2019}} {
		if got := ids(f.find(t, anonymous, q)); !slices.Equal(got, []string{mou.ID}) {
			t.Errorf("%+v: hits %v, want only %s", q, got, mou.ID)
		}
	}
	r := f.find(t, anonymous, Query{Text: "บันทึก", To: 2505})
	if got := ids(r); !slices.Equal(got, []string{old.ID}) {
		t.Errorf("to 2505 BE: %v", got)
	}
	if r := f.find(t, anonymous, Query{Text: "บันทึก"}); facet(r, "decade", "1960") != 1 || facet(r, "decade", "2010") != 1 {
		t.Errorf("decades %v", r.Facets["decade"])
	}
}

func TestQueriesPhrasesFieldsAnyAndSorting(t *testing.T) {
	f := newFixture(t)
	a := f.save(t, &repository.Item{Title: repository.Text{"en": "Royal letter to the university"}, Creator: repository.Text{"en": "Prince Damrong"}, Date: "1930"})
	b := f.save(t, &repository.Item{Title: repository.Text{"en": "A letter from the royal court"}, Summary: repository.Text{"en": "Mentions Prince Damrong"}, Date: "1910", Institution: "tu"})
	c := f.save(t, &repository.Item{Title: repository.Text{"en": "University map"}, Date: "1950"})
	cases := []struct {
		q    Query
		want []string
	}{
		{Query{Text: "royal letter"}, []string{a.ID, b.ID}},
		{Query{Text: `"royal letter"`}, []string{a.ID}},
		{Query{Text: `creator:damrong`}, []string{a.ID}},
		{Query{Text: `damrong`}, []string{a.ID, b.ID}},
		{Query{Text: `map court`, Any: true}, []string{b.ID, c.ID}},
		{Query{Text: `map court`}, nil},
		{Query{Text: "letter", Filters: map[string][]string{"library": {"tu"}}}, []string{b.ID}},
		{Query{Filters: map[string][]string{"library": {"cmu"}}}, []string{a.ID, c.ID}},
	}
	for _, tc := range cases {
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if got := ids(f.find(t, anonymous, tc.q)); !slices.Equal(got, want) {
			t.Errorf("%+v: %v, want %v", tc.q, got, want)
		}
	}
	order := func(q Query) []string {
		var out []string
		for _, h := range f.find(t, anonymous, q).Hits {
			out = append(out, h.ID)
		}
		return out
	}
	if got := order(Query{Sort: "date", Filters: map[string][]string{"library": {"cmu", "tu"}}}); !slices.Equal(got, []string{b.ID, a.ID, c.ID}) {
		t.Errorf("by date: %v", got)
	}
	if got := order(Query{Sort: "-date", Filters: map[string][]string{"library": {"cmu", "tu"}}}); !slices.Equal(got, []string{c.ID, a.ID, b.ID}) {
		t.Errorf("by date, newest first: %v", got)
	}
	if got := order(Query{Sort: "title", Lang: "en", Filters: map[string][]string{"library": {"cmu", "tu"}}}); !slices.Equal(got, []string{b.ID, a.ID, c.ID}) {
		t.Errorf("by title: %v", got)
	}
	// "university" is in cmu's and tu's names: every item has it there.
	if got := order(Query{Text: "library:university", Limit: 1, Offset: 1, Sort: "date"}); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("second page of one: %v", got)
	}
	for _, h := range f.find(t, anonymous, Query{Text: "damrong"}).Hits {
		switch {
		case h.ID == b.ID && !strings.Contains(h.Snippet, "<mark>Damrong</mark>"):
			t.Errorf("snippet %q does not mark the word in the description", h.Snippet)
		case h.ID == a.ID && h.Snippet != "":
			t.Errorf("snippet %q of an item with no description: a listing shows the title already", h.Snippet)
		}
	}
	if got := ids(f.find(t, anonymous, Query{Text: "court:royal"})); len(got) != 0 {
		t.Errorf("a word with a colon that names no field is a word: %v", got)
	}
	if _, err := f.index.Search(ctx, anonymous, Query{Limit: 1000}); err == nil {
		t.Error("a page of 1000 should be refused")
	}
	if _, err := f.index.Search(ctx, anonymous, Query{Sort: "colour"}); err == nil {
		t.Error("an unknown sort should be refused")
	}
	if r := f.find(t, anonymous, Query{Text: "univercity"}); r.Total != 0 || r.Suggest != "university" {
		t.Errorf("misspelt word: %d hits, suggestion %q", r.Total, r.Suggest)
	}
}

func TestThaiWordsAreFoundAsWordsNotSubstrings(t *testing.T) {
	f := newFixture(t)
	eye := f.save(t, &repository.Item{Title: repository.Text{"th": "ตาของช้าง"}})
	f.save(t, &repository.Item{Title: repository.Text{"th": "ตารางเรียน"}})
	f.save(t, &repository.Item{Title: repository.Text{"th": "ธรรมดาสามัญ"}})
	digits := f.save(t, &repository.Item{Title: repository.Text{"th": "รายงานประจำปี ๒๕๖๒"}})
	if got := ids(f.find(t, anonymous, Query{Text: "ตา"})); !slices.Equal(got, []string{eye.ID}) {
		t.Errorf("ตา finds %v, want only the elephant's eye", got)
	}
	if got := ids(f.find(t, anonymous, Query{Text: "2562"})); !slices.Equal(got, []string{digits.ID}) {
		t.Errorf("2562 in Thai digits: %v", got)
	}
	if n := f.find(t, anonymous, Query{Text: "มา"}).Total; n != 0 {
		t.Errorf("มา inside ธรรมดา: %d hits", n)
	}
}

func TestCaseAndAccentsFoldInBothDirections(t *testing.T) {
	f := newFixture(t)
	it := f.save(t, &repository.Item{Title: repository.Text{"en": "Letters of José Rizal to the Siamese court"}, Creator: repository.Text{"en": "Émile Jottrand"}})
	for _, q := range []string{"jose", "JOSÉ", "emile", "Jottrand", "siamese letter"} {
		if got := ids(f.find(t, anonymous, Query{Text: q})); !slices.Equal(got, []string{it.ID}) {
			t.Errorf("%q finds %v", q, got)
		}
	}
}

func TestSuggestionsNeverOfferTheWordsOfRestrictedRecords(t *testing.T) {
	f := newFixture(t)
	f.save(t, &repository.Item{Title: repository.Text{"en": "Confidential negotiations"}, Access: repository.Access{Level: repository.Restricted}})
	f.save(t, &repository.Item{Title: repository.Text{"en": "Public lectures"}})
	if r := f.find(t, anonymous, Query{Text: "negotiatons"}); r.Suggest != "" {
		t.Errorf("anonymous visitor offered %q, a word only a restricted record holds", r.Suggest)
	}
	if r := f.find(t, cmuReader, Query{Text: "negotiatons"}); r.Suggest != "negotiations" {
		t.Errorf("a reader of the library: suggestion %q", r.Suggest)
	}
	if r := f.find(t, anonymous, Query{Text: "lectres"}); r.Suggest != "lectures" {
		t.Errorf("anonymous, public word: suggestion %q", r.Suggest)
	}
}

func TestAnIndexBuiltOtherwiseAnswersUntilItsSuccessorIsReady(t *testing.T) {
	f := newFixture(t)
	it := f.save(t, &repository.Item{Title: repository.Text{"th": "ภาพถ่ายดอยสุเทพ"}})
	f.find(t, anonymous, Query{Text: "ดอยสุเทพ"})
	f.closeIndex()
	// A library's own word list, added: the index must be rebuilt.
	words := filepath.Join(t.TempDir(), "words.txt")
	os.WriteFile(words, []byte("ดอยสุเทพ\n"), 0o644)
	dicts := append(slices.Clone(thaiDefault()), words)
	x, err := Open(f.path, f.store, Options{Dictionaries: dicts})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.position() != (cursor{}) {
		t.Fatalf("an index built with other dictionaries kept its position %+v", x.position())
	}
	if r, err := x.Search(ctx, anonymous, Query{Text: "ภาพถ่าย"}); err != nil || r.Total != 1 {
		t.Fatalf("the old index does not answer meanwhile: %v %v", r, err)
	}
	if _, err := x.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err := x.Search(ctx, anonymous, Query{Text: "ดอยสุเทพ"}); err != nil || len(r.Hits) != 1 || r.Hits[0].ID != it.ID {
		t.Fatalf("after the rebuild: %v %v", r, err)
	}
	x.Close()
	// The same list changed in place: rebuilt again.
	os.WriteFile(words, []byte("ดอยสุเทพ\nดอยปุย\n"), 0o644)
	y, err := Open(f.path, f.store, Options{Dictionaries: dicts})
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if y.position() != (cursor{}) {
		t.Error("a dictionary changed in place did not make the index rebuild")
	}
}

func TestANewIndexSaysItIsBeingBuiltInsteadOfFindingNothing(t *testing.T) {
	f := newFixture(t)
	x, err := Open(filepath.Join(t.TempDir(), "new"), f.store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if _, err := x.Search(ctx, anonymous, Query{Text: "x"}); !errors.Is(err, fault.Unavailable) {
		t.Errorf("a new, empty index answered %v, want unavailable", err)
	}
	if _, err := x.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Search(ctx, anonymous, Query{Text: "x"}); err != nil {
		t.Errorf("after building: %v", err)
	}
}

func thaiDefault() []string { return thai.DefaultPaths }

func TestACollectionsEmbargoEndingOpensItsItemsInSearch(t *testing.T) {
	f := newFixture(t)
	col := &repository.Collection{Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Thesis drafts"}, Access: repository.Access{Embargo: "2030-01-01"}}
	if err := f.store.SaveCollection(ctx, col, "tester"); err != nil {
		t.Fatal(err)
	}
	f.save(t, &repository.Item{Title: repository.Text{"en": "Draft chapter"}, Collection: col.ID})
	if n := f.find(t, anonymous, Query{Text: "draft"}).Total; n != 0 {
		t.Fatalf("an item of an embargoed collection found anonymously (%d)", n)
	}
	if n, err := f.store.ReleaseEmbargoes(ctx, time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)); err != nil || n != 1 {
		t.Fatalf("released %d, %v", n, err)
	}
	if n := f.find(t, anonymous, Query{Text: "draft"}).Total; n != 1 {
		t.Errorf("after the collection's embargo ended: %d hits", n)
	}
}

// memTexts is page text by key, as blob storage would hold it.
type memTexts map[string]string

func (m memTexts) Get(_ context.Context, key string, _, _ int64) (io.ReadCloser, error) {
	if s, ok := m[key]; ok {
		return io.NopCloser(strings.NewReader(s)), nil
	}
	return nil, fault.NotFound
}

func TestTheTextOfPagesIsSearched(t *testing.T) {
	f := newFixture(t)
	f.closeIndex()
	texts := memTexts{"derivatives/p2.txt": "สนธิสัญญาเบาว์ริง ลงนามที่กรุงเทพ"}
	x, err := Open(f.path, f.store, Options{Texts: texts})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	it := f.save(t, &repository.Item{Title: repository.Text{"en": "A treaty"}, Files: []repository.File{
		{Name: "t.pdf", SHA256: strings.Repeat("a", 64), MediaType: "application/pdf", Page: 1, Derivatives: map[string]string{"access": "x"}},
		{Name: "t.pdf", SHA256: strings.Repeat("a", 64), MediaType: "application/pdf", Page: 2, Derivatives: map[string]string{"access": "y", "text": "derivatives/p2.txt"}},
	}})
	if _, err := x.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := x.Search(ctx, anonymous, Query{Text: "เบาว์ริง"})
	if err != nil || len(r.Hits) != 1 || r.Hits[0].ID != it.ID || !strings.Contains(r.Hits[0].Snippet, "<mark>") {
		t.Fatalf("a word of page 2's text: %+v %v", r, err)
	}
}

// The text of the pages is content: an item whose description anyone may
// read but whose pages only its library may see is not found by it.
func TestTheTextOfPagesOnlyTheLibraryMaySeeIsNotSearched(t *testing.T) {
	f := newFixture(t)
	f.closeIndex()
	texts := memTexts{"derivatives/p1.txt": "บันทึกการประชุมลับ"}
	x, err := Open(f.path, f.store, Options{Texts: texts})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	f.save(t, &repository.Item{Title: repository.Text{"en": "Minutes"}, Access: repository.Access{Level: repository.MetadataOnly}, Files: []repository.File{
		{Name: "m.tif", SHA256: strings.Repeat("b", 64), MediaType: "image/tiff", Derivatives: map[string]string{"access": "x", "text": "derivatives/p1.txt"}},
	}})
	if _, err := x.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ประชุม", "Minutes"} {
		r, err := x.Search(ctx, anonymous, Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]uint64{"ประชุม": 0, "Minutes": 1}[q]; r.Total != want {
			t.Errorf("%q: %d hits, want %d", q, r.Total, want)
		}
	}
}

// Searches run a few at a time with a few waiting: past that, a search is
// answered busy at once (a flood cannot starve the rest), a search whose
// reader gives up while it waits leaves its place, and an answer already
// made is given without waiting.
func TestSearchesAreBoundedAndAFloodIsAnsweredBusy(t *testing.T) {
	f := newFixture(t)
	f.save(t, &repository.Item{Title: repository.Text{"en": "Lanna letters"}})
	cached := f.find(t, anonymous, Query{Text: "letters"})
	// Every place to run taken, and every place in the queue.
	q := f.index.queries
	var releases []func()
	for range cap(q.run) {
		release, err := q.acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, release)
	}
	for range cap(q.waiting) - cap(q.run) {
		q.waiting <- struct{}{}
		releases = append(releases, func() { <-q.waiting })
	}
	if _, err := f.index.Search(ctx, anonymous, Query{Text: "lanna"}); !errors.Is(err, fault.Busy) {
		t.Fatalf("a search past the queue: %v, want fault.Busy", err)
	}
	if r, err := f.index.Search(ctx, anonymous, Query{Text: "letters"}); err != nil || len(r.Hits) != len(cached.Hits) {
		t.Fatalf("an answer already made: %v", err)
	}
	releases[len(releases)-1]() // one place in the queue, none to run
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.index.Search(gone, anonymous, Query{Text: "lanna"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("a search whose reader left while it waited: %v", err)
	}
	for _, release := range releases[:len(releases)-1] {
		release()
	}
	if r := f.find(t, anonymous, Query{Text: "lanna"}); len(r.Hits) != 1 {
		t.Fatalf("after the flood: %d hits", len(r.Hits))
	}
}

// TestDateRangesReadEveryEDTFForm: an unspecified 19XX covers 1900–1999,
// open ends are open, and seasons and date-times are dated by their year,
// for filters and for sorting.
func TestDateRangesReadEveryEDTFForm(t *testing.T) {
	f := newFixture(t)
	century := f.save(t, &repository.Item{Title: repository.Text{"en": "Zqdate century"}, Date: "19XX"})
	until := f.save(t, &repository.Item{Title: repository.Text{"en": "Zqdate until"}, Date: "../1850"})
	since := f.save(t, &repository.Item{Title: repository.Text{"en": "Zqdate since"}, Date: "1985/"})
	spring := f.save(t, &repository.Item{Title: repository.Text{"en": "Zqdate spring"}, Date: "2001-21"})
	clock := f.save(t, &repository.Item{Title: repository.Text{"en": "Zqdate clock"}, Date: "1985-04-12T23:20:30+04:30"})
	cases := []struct {
		q    Query
		want []*repository.Item
	}{
		{Query{From: 1950, To: 1950}, []*repository.Item{century}},
		{Query{From: 1999, To: 1999}, []*repository.Item{century, since}},
		{Query{From: 1700, To: 1700}, []*repository.Item{until}},
		{Query{To: 1899}, []*repository.Item{until}},
		{Query{From: 3000}, []*repository.Item{since}},
		{Query{From: 1985, To: 1985}, []*repository.Item{century, since, clock}},
		{Query{From: 2001, To: 2001}, []*repository.Item{since, spring}},
		{Query{Text: "2544"}, []*repository.Item{spring}},
		{Query{Text: "1850"}, []*repository.Item{until}},
	}
	for _, c := range cases {
		c.q.Text = strings.TrimSpace("zqdate " + c.q.Text)
		var want []string
		for _, it := range c.want {
			want = append(want, it.ID)
		}
		slices.Sort(want)
		if got := ids(f.find(t, anonymous, c.q)); !slices.Equal(got, want) {
			t.Errorf("%+v: %v, want %v", c.q, got, want)
		}
	}
	var order []string
	for _, h := range f.find(t, anonymous, Query{Text: "zqdate", Sort: "date"}).Hits {
		order = append(order, h.ID)
	}
	if want := []string{until.ID, century.ID}; len(order) != 5 || !slices.Equal(order[:2], want) {
		t.Errorf("sorted by date: %v; want the open start, then 19XX, first", order)
	}
}

// TestThaiMisspellingsGetADidYouMean: Thai misspellings are offered the
// indexed word they are near, as English ones are, though a misspelt Thai
// word segments into fragments.
func TestThaiMisspellingsGetADidYouMean(t *testing.T) {
	f := newFixture(t)
	f.save(t, &repository.Item{Title: repository.Text{"th": "ประเพณีลอยกระทงที่เชียงใหม่"}, Summary: repository.Text{"th": "ศิลปะล้านนา"}})
	for q, want := range map[string]string{"เชียงไหม่": "เชียงใหม่", "ลอยกะทง": "ลอยกระทง", "ลานนา": "ล้านนา", "ประเพณี ลานนา": "ประเพณี ล้านนา"} {
		r := f.find(t, anonymous, Query{Text: q})
		if r.Total != 0 || r.Suggest != want {
			t.Errorf("%q: %d hits, suggests %q; want none and %q", q, r.Total, r.Suggest, want)
			continue
		}
		if again := f.find(t, anonymous, Query{Text: r.Suggest}); again.Total != 1 {
			t.Errorf("the suggestion %q finds %d", r.Suggest, again.Total)
		}
	}
}

// TestDatesAsTheSiteShowsThemAreFound: a date typed as the pages show it,
// in the query or in the from/to fields, finds the records dated then.
func TestDatesAsTheSiteShowsThemAreFound(t *testing.T) {
	f := newFixture(t)
	day := f.save(t, &repository.Item{Title: repository.Text{"th": "บันทึกข้อตกลง"}, Date: "2019-06-18"})
	year := f.save(t, &repository.Item{Title: repository.Text{"th": "ภาพถ่ายน้ำท่วม"}, Date: "1973"})
	month := f.save(t, &repository.Item{Title: repository.Text{"en": "Letter home"}, Date: "1934-06"})
	f.save(t, &repository.Item{Title: repository.Text{"en": "Letter abroad"}, Date: "1950"}) // a letter of another year
	for q, want := range map[string]*repository.Item{
		"พ.ศ. 2516": year, "พ.ศ.2516": year, "2516": year, "ค.ศ. 1973": year, "1973 CE": year,
		"18 มิถุนายน 2562": day, "18 มิ.ย. ๒๕๖๒": day, "มิถุนายน 2562": day, "June 2019": day,
		"June 1934": month, "letter June 1934": month, "มิถุนายน 2477": month, "date:June 1934": month,
	} {
		if got := ids(f.find(t, anonymous, Query{Text: q})); !slices.Equal(got, []string{want.ID}) {
			t.Errorf("%q finds %v; want %s", q, got, want.ID)
		}
	}
	for _, c := range []struct{ from, to string }{{"พ.ศ. 2516", "พ.ศ. 2516"}, {"มกราคม 2516", "ธันวาคม 2516"}, {"1973", "1973 CE"}, {"January 1973", "พ.ศ.๒๕๑๖"}} {
		from, err1 := ParseYear(c.from)
		to, err2 := ParseYear(c.to)
		if err1 != nil || err2 != nil {
			t.Errorf("from %q to %q: %v, %v", c.from, c.to, err1, err2)
			continue
		}
		if got := ids(f.find(t, anonymous, Query{From: from, To: to})); !slices.Equal(got, []string{year.ID}) {
			t.Errorf("from %q to %q finds %v; want %s", c.from, c.to, got, year.ID)
		}
	}
	for _, bad := range []string{"yesterday", "18 มิถุนายน", "June", "0", "10000"} {
		if _, err := ParseYear(bad); !errors.Is(err, fault.Invalid) {
			t.Errorf("ParseYear(%q) = %v; want fault.Invalid", bad, err)
		}
	}
}

// A phrase, a Thai compound the segmenter splits among them, is looked up
// by its pairs of words, reading no word positions, and still means the
// words standing together, in any text field; its snippet still marks it.
func TestAPhraseIsLookedUpByItsPairsAndStillMeansWordsTogether(t *testing.T) {
	f := newFixture(t)
	rail := f.save(t, &repository.Item{Title: repository.Text{"th": "ภาพทางรถไฟสายเหนือ"}})
	apart := f.save(t, &repository.Item{Title: repository.Text{"th": "ทางเดินและรถไฟ"}})
	summary := f.save(t, &repository.Item{Title: repository.Text{"en": "Northern line"}, Summary: repository.Text{"th": "สถานีและทางรถไฟเชียงใหม่"}})
	royal := f.save(t, &repository.Item{Title: repository.Text{"en": "Royal letter to the university"}})
	court := f.save(t, &repository.Item{Title: repository.Text{"en": "A letter from the royal court"}, Summary: repository.Text{"en": "the old royal letter to the university"}})
	if terms := f.index.text.terms("ทางรถไฟ"); len(terms) < 2 {
		t.Fatalf("ทางรถไฟ segments into %v: this test needs a compound of two words or more", terms)
	}
	cases := []struct {
		q    string
		want []string
	}{
		{"ทางรถไฟ", []string{rail.ID, summary.ID}},
		{"title:ทางรถไฟ", []string{rail.ID}},
		{`"royal letter"`, []string{royal.ID, court.ID}},
		{`"royal letter to the university"`, []string{royal.ID, court.ID}},
		{`"letter from the royal"`, []string{court.ID}},
		{`"royal court letter"`, nil},
	}
	for _, tc := range cases {
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if got := ids(f.find(t, anonymous, Query{Text: tc.q})); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v (%s stands apart)", tc.q, got, want, apart.ID)
		}
	}
	// Ranked with the title's pairs first: the phrase in a title outranks
	// it in a summary.
	if hits := f.find(t, anonymous, Query{Text: `"royal letter"`}).Hits; len(hits) != 2 || hits[0].ID != royal.ID {
		t.Errorf("the phrase in a title should rank first: %+v", hits)
	}
	for _, h := range f.find(t, anonymous, Query{Text: "ทางรถไฟ"}).Hits {
		if h.ID == summary.ID && !strings.Contains(h.Snippet, "<mark>") {
			t.Errorf("the summary's snippet marks nothing: %q", h.Snippet)
		}
	}
	// The ranking query reads no word positions: no phrase in it.
	clauses := readDates(parse("ทางรถไฟ"))
	req, err := f.index.request(anonymous, time.Now(), Query{Text: "ทางรถไฟ"}, clauses)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(req.Query); strings.Contains(string(b), `"terms"`) || !strings.Contains(string(b), `"pairs"`) {
		t.Errorf("the ranking query should look pairs up, not a phrase: %s", b)
	}
}

// A word ranks a record by where it stands: in the title above the
// creator, the creator above the description, and a description above a
// page of text it is one word of, though few records have pages and the
// word is rarer among them.
func TestAWordRanksByWhereItStands(t *testing.T) {
	f := newFixture(t)
	f.closeIndex()
	// A page as a page reads: tens of words, the one looked for among them.
	texts := memTexts{"derivatives/p1.txt": strings.Repeat("the forest office reports on the teak concessions of the northern provinces and their workers. ", 5) +
		"a survey of the elephant camps followed."}
	x, err := Open(f.path, f.store, Options{Texts: texts, Results: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	record := func(title, creator, summary string, files ...repository.File) *repository.Item {
		return f.save(t, &repository.Item{Title: repository.Text{"en": title}, Creator: repository.Text{"en": creator},
			Summary: repository.Text{"en": summary}, Files: files})
	}
	inPages := record("minutes of the council", "forest office", "the council met about a temple and the river",
		repository.File{Name: "m.pdf", SHA256: strings.Repeat("a", 64), MediaType: "application/pdf", Page: 1,
			Derivatives: map[string]string{"access": "x", "text": "derivatives/p1.txt"}})
	inTitle := record("minutes of the elephant", "forest office", "the council met about a temple and the river")
	inCreator := record("minutes of the council", "elephant office", "the council met about a temple and the river")
	var inSummary []string
	for range 8 {
		inSummary = append(inSummary, record("minutes of the council", "forest office", "the council met about an elephant and the river").ID)
	}
	if _, err := x.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := x.Search(ctx, anonymous, Query{Text: "elephant"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string // in rank order
	for _, h := range r.Hits {
		got = append(got, h.ID)
	}
	want := slices.Concat([]string{inTitle.ID, inCreator.ID}, inSummary, []string{inPages.ID})
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[len(got)-1] != inPages.ID {
		t.Errorf("elephant: %v; want %s (title), %s (creator), then %v (description), then %s (pages)", got, inTitle.ID, inCreator.ID, inSummary, inPages.ID)
	}
	if r, err := x.Search(ctx, anonymous, Query{Text: "camps"}); err != nil || len(r.Hits) != 1 || r.Hits[0].ID != inPages.ID {
		t.Errorf("a word only the pages hold: %+v %v", r, err)
	}
}

// The name of the library that holds a record is not a word of the record:
// a search for Chiang Mai finds what is about Chiang Mai, not everything
// Chiang Mai University holds; library: finds those.
func TestTheHoldingLibrarysNameFindsOnlyWhatIsAboutIt(t *testing.T) {
	f := newFixture(t)
	minutes := f.save(t, &repository.Item{Title: repository.Text{"th": "บันทึกการประชุมสภา", "en": "Minutes of the senate"}, Institution: "cmu"})
	chiangMai := f.save(t, &repository.Item{Title: repository.Text{"th": "แผนที่เมืองเชียงใหม่", "en": "Map of Chiang Mai"}, Institution: "tu"})
	for q, want := range map[string][]string{
		"เชียงใหม่":         {chiangMai.ID},
		"chiang mai":        {chiangMai.ID},
		`"chiang mai"`:      {chiangMai.ID},
		"library:เชียงใหม่": {minutes.ID},
		"library:chiang":    {minutes.ID},
	} {
		if got := ids(f.find(t, anonymous, Query{Text: q})); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
}
