package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/thaiarchives/archive/access"
)

// textAnalyzer turns a reader's words into the index's terms, exactly as
// the records' text was turned (a), and into the unstemmed words offered as
// spellings (words).
type textAnalyzer struct{ a, words analysis.Analyzer }

func newTextAnalyzer(m *mapping.IndexMappingImpl) (*textAnalyzer, error) {
	a, w := m.AnalyzerNamed("text"), m.AnalyzerNamed("words")
	if a == nil || w == nil {
		return nil, fmt.Errorf("the search index has no text or words analyzer")
	}
	return &textAnalyzer{a, w}, nil
}

func (t *textAnalyzer) terms(s string) []string {
	var out []string
	for _, tok := range t.a.Analyze([]byte(s)) {
		out = append(out, string(tok.Term))
	}
	return out
}

// suggest proposes the query with a word that matches nothing replaced by
// an indexed word one or two edits from it, nearest and commonest first —
// but only a proposal that finds something for p: the words of records p
// may not read are never offered. Only short queries get suggestions, and
// at most a few are tried: one request never costs more than a handful.
func (x *Index) suggest(ctx context.Context, p access.Principal, now time.Time, q Query, clauses []clause) (string, error) {
	if len(clauses) > 3 {
		return "", nil
	}
	tries := 0
	for i, c := range clauses {
		if c.phrase || c.date || len([]rune(c.text)) < 4 {
			continue
		}
		for _, near := range x.spellings(c.text) {
			if tries++; tries > 6 {
				return "", nil
			}
			if err := ctx.Err(); err != nil {
				return "", err
			}
			changed := slices.Clone(clauses)
			changed[i].text = near
			try := q
			try.Text, try.Limit, try.Offset = unparse(changed), 1, 0
			req, err := x.request(p, now, try, changed)
			if err != nil {
				return "", err
			}
			req.Facets, req.Highlight = nil, nil
			res, err := x.run(ctx, req)
			if err != nil {
				return "", err
			}
			if res.Total > 0 {
				return try.Text, nil
			}
		}
	}
	return "", nil
}

// spellings lists what to try in place of a word that matches nothing:
// indexed words one or two edits from it, best first. Thai is written
// without spaces, so a misspelt Thai word is cut into fragments (ลอยกะทง
// into ลอย กะ ท ง): for Thai, the whole word is compared with the indexed
// words, and so is its run of fragments that no record holds (กะทง, near
// กระทง), put back between the words around it.
func (x *Index) spellings(text string) []string {
	x.idxMu.RLock()
	defer x.idxMu.RUnlock()
	adv, err := x.idx.Advanced()
	if err != nil {
		return nil
	}
	r, err := adv.Reader()
	if err != nil {
		return nil
	}
	defer r.Close()
	word := strings.ToLower(text)
	if !strings.ContainsFunc(text, isThaiLetter) {
		if len(x.text.terms(text)) != 1 {
			return nil
		}
		return bestNear(r, "words", word, 5)
	}
	out := bestNear(r, "words", word, 3)
	tokens := x.text.words.Analyze([]byte(word))
	if len(tokens) < 2 {
		return out
	}
	known := func(t *analysis.Token) bool {
		tr, err := r.TermFieldReader(context.Background(), t.Term, "words", false, false, false)
		if err != nil {
			return false
		}
		defer tr.Close()
		return tr.Count() > 0
	}
	first, last := -1, -1
	for i, t := range tokens {
		if known(t) {
			if first >= 0 {
				break
			}
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
	}
	if first < 0 {
		return out
	}
	start, end := tokens[first].Start, tokens[last].End
	if run := word[start:end]; len([]rune(run)) >= 3 {
		for _, near := range bestNear(r, "words", run, 3) {
			if try := word[:start] + near + word[end:]; !slices.Contains(out, try) {
				out = append(out, try)
			}
		}
	}
	return out
}

func isThaiLetter(r rune) bool { return r >= 0x0E01 && r <= 0x0E4E }

// bestNear lists up to n indexed words within one or two edits of word,
// fewest edits first, then the ones in most records.
func bestNear(r index.IndexReader, field, word string, n int) []string {
	fr, ok := r.(index.IndexReaderFuzzy)
	if !ok {
		return nil
	}
	fuzz := 1
	if len([]rune(word)) > 6 {
		fuzz = 2
	}
	d, err := fr.FieldDictFuzzy(field, word, fuzz, "")
	if err != nil {
		return nil
	}
	defer d.Close()
	type near struct {
		term  string
		edits uint8
		count uint64
	}
	var all []near
	for e, err := d.Next(); err == nil && e != nil && len(all) < 200; e, err = d.Next() {
		if e.Term == word {
			continue
		}
		tr, err := r.TermFieldReader(context.Background(), []byte(e.Term), field, false, false, false)
		if err != nil {
			continue
		}
		all = append(all, near{e.Term, e.EditDistance, tr.Count()})
		tr.Close()
	}
	slices.SortFunc(all, func(a, b near) int {
		if a.edits != b.edits {
			return int(a.edits) - int(b.edits)
		}
		return cmp.Compare(b.count, a.count)
	})
	var out []string
	for _, x := range all[:min(n, len(all))] {
		out = append(out, x.term)
	}
	return out
}
