package cite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// memStore is a store of a few records in memory.
type memStore struct {
	items map[string]*repository.Item
	cols  map[string]*repository.Collection
	insts map[string]*repository.Institution
	fail  error // every read answers this, when set
}

func (m *memStore) Item(id string) (*repository.Item, error) {
	if m.fail != nil {
		return nil, m.fail
	}
	if it, ok := m.items[id]; ok {
		return it, nil
	}
	return nil, fmt.Errorf("no item %s: %w", id, fault.NotFound)
}

func (m *memStore) Collection(id string) (*repository.Collection, error) {
	if m.fail != nil {
		return nil, m.fail
	}
	if c, ok := m.cols[id]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("no collection %s: %w", id, fault.NotFound)
}

func (m *memStore) Institution(id string) (*repository.Institution, error) {
	if m.fail != nil {
		return nil, m.fail
	}
	if in, ok := m.insts[id]; ok {
		return in, nil
	}
	return nil, fmt.Errorf("no institution %s: %w", id, fault.NotFound)
}

var public = repository.Access{Level: repository.Public}

// archive is a fonds with a series and a file, a Thai letter filed in
// the file and an English photograph in the series.
func archive() *memStore {
	return &memStore{
		insts: map[string]*repository.Institution{"cu": {ID: "cu", Name: repository.Text{"th": "หอจดหมายเหตุจุฬาลงกรณ์มหาวิทยาลัย", "en": "Chulalongkorn University Archives"}}},
		cols: map[string]*repository.Collection{
			"fonds-1":  {ID: "fonds-1", Institution: "cu", Level: repository.Fonds, Access: public, Title: repository.Text{"th": "เอกสารส่วนบุคคล พระยาอนุมานราชธน", "en": "Phraya Anuman Rajadhon Papers"}, Description: &repository.Description{ReferenceCode: "CU-AR"}},
			"series-1": {ID: "series-1", Institution: "cu", Parent: "fonds-1", Level: repository.Series, Access: public, Title: repository.Text{"th": "จดหมาย", "en": "Letters"}, Description: &repository.Description{ReferenceCode: "CU-AR/1"}},
			"file-1": {ID: "file-1", ARK: "ark:/99999/c1file1x", Institution: "cu", Parent: "series-1", Level: repository.FileLevel, Access: public, Title: repository.Text{"en": "Letters to the Fine Arts Department"},
				Description: &repository.Description{ReferenceCode: "3", Creator: repository.Text{"en": "Anuman Rajadhon, Phraya, 1888-1969"}, Date: "1934/1936"}},
		},
		items: map[string]*repository.Item{
			"letter-1": {ID: "letter-1", ARK: "ark:/99999/b1letter1q", Institution: "cu", Collection: "file-1", Type: "Text", Access: public,
				Title: repository.Text{"th": "จดหมายถึงกรมศิลปากร", "en": "Letter to the Fine Arts Department"}, Creator: repository.Text{"th": "ยง เสฐียรโกเศศ"}, Date: "1934-06-18", Language: []string{"th"}},
			"photo-1": {ID: "photo-1", Institution: "cu", Collection: "series-1", Type: "Image", Access: public,
				Title: repository.Text{"en": "The Grand Palace from the river"}, Creator: repository.Text{"en": "Smith, John; Royal Thai Survey Department"}, Date: "1932~", Language: []string{"en"}},
		},
	}
}

func source(t *testing.T, st *memStore, unit bool, id string, p access.Principal) *Source {
	t.Helper()
	s := &Service{Store: st}
	get := s.Item
	if unit {
		get = s.Unit
	}
	src, _, err := get(context.Background(), p, id)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestThaiItemsCSLHasItsThaiTitleNameInThaiOrderDateLibraryUnitsAndARK(t *testing.T) {
	e := source(t, archive(), false, "letter-1", access.Principal{}).CSL("th", "https://archive.example")
	want := Entry{
		ID: "letter-1", Type: "manuscript", Title: "จดหมายถึงกรมศิลปากร", OtherTitle: "Letter to the Fine Arts Department",
		Custom: &Custom{ARK: "ark:/99999/b1letter1q",
			Titles: repository.Text{"th": "จดหมายถึงกรมศิลปากร", "en": "Letter to the Fine Arts Department"}},
		Author:          []Name{{Literal: "ยง เสฐียรโกเศศ"}},
		Issued:          &Date{Parts: [][]int{{1934, 6, 18}}},
		Archive:         "หอจดหมายเหตุจุฬาลงกรณ์มหาวิทยาลัย",
		ArchiveLocation: "เอกสารส่วนบุคคล พระยาอนุมานราชธน, จดหมาย, Letters to the Fine Arts Department, CU-AR/1/3",
		CallNumber:      "CU-AR/1/3", Language: "th",
		URL: "https://archive.example/ark:/99999/b1letter1q", ARK: "ark:/99999/b1letter1q",
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("got\n%+v\nwant\n%+v", e, want)
	}
	js, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"type":"manuscript"`, `"custom":{"ark":"ark:/99999/b1letter1q","titles":{"en":"Letter to the Fine Arts Department","th":"จดหมายถึงกรมศิลปากร"}}`, `"date-parts":[[1934,6,18]]`, `"archive_location":`, `"call-number":"CU-AR/1/3"`, `"URL":"https://archive.example/ark:/99999/b1letter1q"`} {
		if !strings.Contains(string(js), s) {
			t.Errorf("CSL-JSON %s lacks %s", js, s)
		}
	}
}

func TestEnglishItemsCSLInvertsOnlyCommaWrittenNamesAndKeepsCirca(t *testing.T) {
	e := source(t, archive(), false, "photo-1", access.Principal{}).CSL("en", "https://archive.example")
	if e.Type != "graphic" || e.Title != "The Grand Palace from the river" || e.OtherTitle != "" || e.Custom != nil {
		t.Errorf("type and titles: %q %q %q %v", e.Type, e.Title, e.OtherTitle, e.Custom)
	}
	if want := []Name{{Family: "Smith", Given: "John"}, {Literal: "Royal Thai Survey Department"}}; !reflect.DeepEqual(e.Author, want) {
		t.Errorf("authors %+v, want %+v", e.Author, want)
	}
	if want := (&Date{Parts: [][]int{{1932}}, Circa: true}); !reflect.DeepEqual(e.Issued, want) {
		t.Errorf("issued %+v, want %+v", e.Issued, want)
	}
	// Without an ARK the item's page is the address to cite.
	if e.URL != "https://archive.example/items/photo-1" || e.ArchiveLocation != "Phraya Anuman Rajadhon Papers, Letters, CU-AR/1" {
		t.Errorf("url %q, location %q", e.URL, e.ArchiveLocation)
	}
}

func TestUnitsCSLIsACollectionWithItsCreatorDatesAndThePathAboveIt(t *testing.T) {
	e := source(t, archive(), true, "file-1", access.Principal{}).CSL("en", "https://archive.example")
	if e.Type != "collection" || e.URL != "https://archive.example/ark:/99999/c1file1x" {
		t.Errorf("type %q url %q", e.Type, e.URL)
	}
	if want := []Name{{Family: "Anuman Rajadhon", Given: "Phraya"}}; !reflect.DeepEqual(e.Author, want) {
		t.Errorf("authors %+v", e.Author)
	}
	if want := (&Date{Parts: [][]int{{1934}, {1936}}}); !reflect.DeepEqual(e.Issued, want) {
		t.Errorf("issued %+v", e.Issued)
	}
	if e.ArchiveLocation != "Phraya Anuman Rajadhon Papers, Letters, CU-AR/1/3" {
		t.Errorf("location %q", e.ArchiveLocation)
	}
	st := archive()
	st.cols["file-1"].ARK = ""
	if e := source(t, st, true, "file-1", access.Principal{}).CSL("en", "https://h"); e.URL != "https://h/fonds/file-1" {
		t.Errorf("a unit without an ARK is cited at %q", e.URL)
	}
}

func TestUnitsTheReaderMayNotSeeAreLeftOutOfThePathFromTheFirstOneDown(t *testing.T) {
	st := archive()
	st.cols["series-1"].Access = repository.Access{Level: repository.Restricted}
	st.insts["cu"].RevealRestricted = true
	st.items["letter-1"].Collection = "fonds-1"
	e := source(t, st, false, "letter-1", access.Principal{}).CSL("en", "https://h")
	if e.ArchiveLocation != "Phraya Anuman Rajadhon Papers, CU-AR" {
		t.Errorf("anonymous location %q", e.ArchiveLocation)
	}
	st.items["photo-1"].Collection = "file-1"
	st.items["photo-1"].Access = public
	_, _, err := (&Service{Store: st}).Item(context.Background(), access.Principal{}, "photo-1")
	if !errors.Is(err, fault.Unauthenticated) {
		t.Errorf("an item below a restricted series: %v", err)
	}
	staff := access.Principal{User: "u1", Institution: "cu", Role: access.Archivist}
	e = source(t, st, false, "photo-1", staff).CSL("en", "https://h")
	if e.ArchiveLocation != "Phraya Anuman Rajadhon Papers, Letters, Letters to the Fine Arts Department, CU-AR/1/3" {
		t.Errorf("staff location %q", e.ArchiveLocation)
	}
}

func TestCitationRefusesWhatTheItemRefusesAndSaysAnOutageAsItIs(t *testing.T) {
	st := archive()
	st.items["letter-1"].Access = repository.Access{Level: repository.Restricted}
	s := &Service{Store: st}
	for _, c := range []struct {
		id   string
		unit bool
		kind fault.Kind
	}{{"letter-1", false, fault.NotFound}, {"nothing", false, fault.NotFound}, {"Bad/ID", false, fault.NotFound}, {"photo-1", true, fault.NotFound}} {
		get := s.Item
		if c.unit {
			get = s.Unit
		}
		if _, _, err := get(context.Background(), access.Principal{}, c.id); fault.KindOf(err) != c.kind {
			t.Errorf("%s: %v, want %v", c.id, err, c.kind)
		}
	}
	st.fail = fmt.Errorf("store: %w", fault.Unavailable)
	if _, _, err := s.Item(context.Background(), access.Principal{}, "photo-1"); fault.KindOf(err) != fault.Unavailable {
		t.Errorf("an outage: %v", err)
	}
}

func TestNamesAreInvertedOnlyWhenWrittenFamilyCommaGiven(t *testing.T) {
	got := names("Anuman Rajadhon, Phraya, 1888-1969; Siam Society, 1904-; ปรีดี พนมยงค์; กรมศิลปากร, 2454-; Royal Thai Survey Department;  ")
	want := []Name{{Family: "Anuman Rajadhon", Given: "Phraya"}, {Literal: "Siam Society"}, {Literal: "ปรีดี พนมยงค์"},
		{Literal: "กรมศิลปากร"}, {Literal: "Royal Thai Survey Department"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestDatesCSLCannotSayAreInWordsAndRangesKeepBothEnds(t *testing.T) {
	for _, c := range []struct {
		edtf, lang string
		want       *Date
	}{
		{"1934-06", "en", &Date{Parts: [][]int{{1934, 6}}}},
		{"1932/1945", "en", &Date{Parts: [][]int{{1932}, {1945}}}},
		{"1932?", "en", &Date{Parts: [][]int{{1932}}, Circa: true}},
		{"1932/..", "en", &Date{Parts: [][]int{{1932}}}},
		{"195X", "en", &Date{Literal: "1950s"}},
		{"195X", "th", &Date{Literal: "พ.ศ. 2493–2502"}},
		{"", "en", nil},
	} {
		if got := cslDate(c.edtf, c.lang); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q in %s: %+v, want %+v", c.edtf, c.lang, got, c.want)
		}
	}
}

func TestRISWritesEachFieldOnItsTaggedLine(t *testing.T) {
	e := source(t, archive(), false, "letter-1", access.Principal{}).CSL("th", "https://archive.example")
	got := string(RIS(e))
	want := "TY  - MANSCPT\r\n" +
		"TI  - จดหมายถึงกรมศิลปากร\r\n" +
		"TT  - Letter to the Fine Arts Department\r\n" +
		"AU  - ยง เสฐียรโกเศศ\r\n" +
		"PY  - 1934\r\n" +
		"DA  - 1934/06/18/\r\n" +
		"DB  - หอจดหมายเหตุจุฬาลงกรณ์มหาวิทยาลัย\r\n" +
		"AN  - เอกสารส่วนบุคคล พระยาอนุมานราชธน, จดหมาย, Letters to the Fine Arts Department, CU-AR/1/3\r\n" +
		"CN  - CU-AR/1/3\r\n" +
		"LA  - th\r\n" +
		"UR  - https://archive.example/ark:/99999/b1letter1q\r\n" +
		"ER  - \r\n"
	if got != want {
		t.Errorf("RIS\n%q\nwant\n%q", got, want)
	}
	e = Entry{ID: "x", Type: "graphic", Title: "two\nlines", Author: []Name{{Family: "Smith", Given: "John"}}, Issued: &Date{Parts: [][]int{{1932}}}, URL: "u"}
	got = string(RIS(e))
	for _, line := range []string{"TY  - ART\r\n", "TI  - two lines\r\n", "AU  - Smith, John\r\n", "DA  - 1932///\r\n"} {
		if !strings.Contains(got, line) {
			t.Errorf("RIS %q lacks %q", got, line)
		}
	}
	// A unit, or an item of no known type, is unpublished archival
	// material, never RIS's generic type (a journal article to Zotero).
	for _, ty := range []string{"collection", "document"} {
		if got := string(RIS(Entry{Type: ty, Title: "x"})); !strings.HasPrefix(got, "TY  - MANSCPT\r\n") {
			t.Errorf("a %s is %q", ty, got)
		}
	}
}

func TestBibTeXEscapesTeXSpecialsAndKeepsWholeNamesWhole(t *testing.T) {
	e := Entry{ID: "photo-1", Type: "graphic", Title: `Rice & 50% of {all} $ #1 a_b ~x^ C:\dir`,
		Author:          []Name{{Family: "Smith", Given: "John"}, {Literal: "ยง เสฐียรโกเศศ"}, {Literal: "Royal Thai Survey Department"}},
		Issued:          &Date{Parts: [][]int{{1934, 6, 18}, {1936}}},
		Archive:         "Chulalongkorn University Archives",
		ArchiveLocation: "Papers, Letters, CU-AR/1",
		Language:        "en", URL: "https://h/ark:/99999/x{1}", ARK: "ark:/99999/x"}
	got := string(BibTeX(e))
	want := "@misc{photo-1,\n" +
		`  title = {{Rice \& 50\% of \{all\} \$ \#1 a\_b \textasciitilde{}x\textasciicircum{} C:\textbackslash{}dir}},` + "\n" +
		"  author = {Smith, John and {ยง เสฐียรโกเศศ} and {Royal Thai Survey Department}},\n" +
		"  year = {1934},\n" +
		"  date = {1934-06-18/1936},\n" +
		"  note = {Papers, Letters, CU-AR/1. Chulalongkorn University Archives},\n" +
		"  language = {en},\n" +
		"  url = {https://h/ark:/99999/x%7B1%7D},\n" +
		"  ark = {ark:/99999/x},\n" +
		"}\n"
	if got != want {
		t.Errorf("BibTeX\n%s\nwant\n%s", got, want)
	}
	// Braces stay balanced whatever a title holds.
	if strings.Count(got, "{")-strings.Count(got, `\{`) != strings.Count(got, "}")-strings.Count(got, `\}`) {
		t.Errorf("unbalanced braces in\n%s", got)
	}
}

func TestPlainCitationSaysTheDateInTheReadersEraAndEndsWithTheAddress(t *testing.T) {
	src := source(t, archive(), false, "letter-1", access.Principal{})
	for lang, want := range map[string]string{
		"th": "ยง เสฐียรโกเศศ. จดหมายถึงกรมศิลปากร. 18 มิถุนายน 2477. เอกสารส่วนบุคคล พระยาอนุมานราชธน, จดหมาย, Letters to the Fine Arts Department, CU-AR/1/3. หอจดหมายเหตุจุฬาลงกรณ์มหาวิทยาลัย. https://h/ark:/99999/b1letter1q",
		// A creator known only in Thai is named in Thai.
		"en": "ยง เสฐียรโกเศศ. Letter to the Fine Arts Department. 18 June 1934. Phraya Anuman Rajadhon Papers, Letters, Letters to the Fine Arts Department, CU-AR/1/3. Chulalongkorn University Archives. https://h/ark:/99999/b1letter1q",
	} {
		if got := src.Plain(lang, "https://h"); got != want {
			t.Errorf("%s:\n%s\nwant\n%s", lang, got, want)
		}
	}
}

// FuzzBibTeXAndRISStayWellFormed: whatever a record's texts hold, the
// BibTeX entry's braces balance (escaped ones aside) and each of its
// fields, and each RIS field, stays on its line.
func FuzzBibTeXAndRISStayWellFormed(f *testing.F) {
	for _, s := range []string{`Rice & {50%} $x_1^2$ \end`, "two\nlines\r\n}", "ปรีดี พนมยงค์, 2443-", `\{`, "{{}"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, title, creator string) {
		e := (&Source{ID: "x-1", Title: repository.Text{"en": title}, Creator: repository.Text{"en": creator}, Date: "1934",
			Library: repository.Text{"en": creator}, Path: []*repository.Collection{{Title: repository.Text{"en": title}}}}).CSL("en", "https://h")
		bib := string(BibTeX(e))
		plain := strings.NewReplacer(`\\`, "", `\{`, "", `\}`, "").Replace(bib)
		depth := 0
		for _, r := range plain {
			switch r {
			case '{':
				depth++
			case '}':
				depth--
			}
			if depth < 0 {
				t.Fatalf("a brace closes what was never opened in\n%s", bib)
			}
		}
		if depth != 0 {
			t.Fatalf("unbalanced braces in\n%s", bib)
		}
		lines := strings.Split(strings.TrimSuffix(bib, "\n"), "\n")
		for _, l := range lines[1 : len(lines)-1] {
			if !strings.HasPrefix(l, "  ") || !strings.HasSuffix(l, "},") {
				t.Fatalf("a field spans lines in\n%s", bib)
			}
		}
		for _, l := range strings.Split(strings.TrimSuffix(string(RIS(e)), "\r\n"), "\r\n") {
			if len(l) < 6 || l[2:6] != "  - " || strings.ContainsAny(l, "\r\n") {
				t.Fatalf("a RIS line %q is not a tagged line", l)
			}
		}
	})
}
