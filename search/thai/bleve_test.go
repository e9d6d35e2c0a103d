package thai

import (
	"fmt"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"
)

func TestTokenizerGivesPositionsTypesAndOffsets(t *testing.T) {
	in := []byte("ปี ๒๕๖๒ ISO9001 มหาวิทยาลัย")
	got := New(libthai(t)).Tokenize(in)
	want := []struct {
		term string
		typ  analysis.TokenType
	}{
		{"ปี", analysis.Ideographic},
		{"2562", analysis.Numeric},
		{"ISO9001", analysis.AlphaNumeric},
		{"มหาวิทยาลัย", analysis.Ideographic},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i, w := range want {
		tok := got[i]
		if string(tok.Term) != w.term || tok.Type != w.typ || tok.Position != i+1 {
			t.Errorf("token %d: %v, want %s type %d position %d", i, tok, w.term, w.typ, i+1)
		}
	}
	if got[1].Start != len("ปี ") || got[1].End != len("ปี ๒๕๖๒") {
		t.Errorf("the Thai number spans [%d,%d)", got[1].Start, got[1].End)
	}
}

func TestRegisteredTokenizerReadsDictionariesFromConfig(t *testing.T) {
	names := writeFile(t, "พิมลกัลย์\n")
	cache := registry.NewCache()
	// A mapping read from JSON gives []any.
	tok, err := cache.DefineTokenizer("library", map[string]any{"type": Name, "dictionaries": []any{LibthaiPath, names}})
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Tokenize([]byte("ข่าวโดยพิมลกัลย์")); len(got) != 3 || string(got[2].Term) != "พิมลกัลย์" {
		t.Errorf("with the library's names: %v", got)
	}
	tok, err = cache.TokenizerNamed(Name)
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Tokenize([]byte("มหาวิทยาลัยเชียงใหม่")); len(got) != 2 {
		t.Errorf("default dictionaries: %v", got)
	}
	for _, bad := range []any{"one.dic", []any{1}} {
		if _, err := cache.DefineTokenizer(fmt.Sprint(bad), map[string]any{"type": Name, "dictionaries": bad}); err == nil {
			t.Errorf("dictionaries %v accepted", bad)
		}
	}
	if _, err := cache.DefineTokenizer("missing", map[string]any{"type": Name, "dictionaries": []string{"/nonexistent/th.dic"}}); err == nil {
		t.Error("a missing dictionary was accepted")
	}
}

func TestTokenizersShareLoadedDictionaries(t *testing.T) {
	a, err := loaded.get(DefaultPaths)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loaded.get(slices.Clone(DefaultPaths))
	if err != nil || a != b {
		t.Errorf("the same files loaded twice (%v)", err)
	}
}

func thaiMapping(t *testing.T) *mapping.IndexMappingImpl {
	t.Helper()
	m := bleve.NewIndexMapping()
	if err := AddAnalyzer(m, "thai"); err != nil {
		t.Fatal(err)
	}
	m.DefaultAnalyzer = "thai"
	return m
}

func TestAnalyzerBringsEnglishWordFormsTogetherAndKeepsThaiWords(t *testing.T) {
	m := thaiMapping(t)
	analyze := func(s string) []string {
		tokens, err := m.AnalyzeText("thai", []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tok := range tokens {
			out = append(out, string(tok.Term))
		}
		return out
	}
	if a, b := analyze("Universities"), analyze("university"); !slices.Equal(a, b) {
		t.Errorf("Universities → %q, university → %q", a, b)
	}
	if got := analyze("มหาวิทยาลัยเชียงใหม่"); !slices.Equal(got, []string{"มหาวิทยาลัย", "เชียงใหม่"}) {
		t.Errorf("มหาวิทยาลัยเชียงใหม่ → %q", got)
	}
	if got := analyze("The Library's ISO9001"); !slices.Equal(got, []string{"the", "librari", "iso9001"}) {
		t.Errorf("English → %q", got)
	}
}

func TestIndexFindsThaiWordsPartsOfNamesAndUnknownNames(t *testing.T) {
	index, err := bleve.NewMemOnly(thaiMapping(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { index.Close() })
	docs := map[string]string{
		"mou":   mou(t),
		"table": "ตารางเวลาเปิดบริการของห้องสมุด Universities",
	}
	for id, body := range docs {
		if err := index.Index(id, map[string]string{"body": body}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		query  query.Query
		want   []string
		reason string
	}{
		{bleve.NewMatchQuery("เชียงใหม่"), []string{"mou"}, "a part of มหาวิทยาลัยเชียงใหม่"},
		{bleve.NewMatchPhraseQuery("มหาวิทยาลัยเชียงใหม่"), []string{"mou"}, "the whole name as a phrase"},
		{bleve.NewMatchPhraseQuery("พิมลกัลย์ เดชะชัย"), []string{"mou"}, "a name no dictionary holds"},
		{bleve.NewMatchPhraseQuery("วรารักษ์"), []string{"mou"}, "a name no dictionary holds"},
		{bleve.NewMatchQuery("ตา"), nil, "ตา is not inside ตาราง"},
		{bleve.NewMatchQuery("ห้องสมุด"), []string{"mou", "table"}, "a word in both"},
		{bleve.NewMatchQuery("university"), []string{"table"}, "stemmed English"},
		{bleve.NewMatchQuery("๙๐๐๑"), []string{"mou"}, "Thai digits find ASCII ones"},
	} {
		res, err := index.Search(bleve.NewSearchRequest(c.query))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %#v found %q, want %q", c.reason, c.query, got, c.want)
		}
	}
}
