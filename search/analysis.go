package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/thaiarchives/archive/access"
)

// textAnalyzer turns a reader's words into the index's terms, exactly as
// the records' text was turned.
type textAnalyzer struct{ a analysis.Analyzer }

func newTextAnalyzer(m *mapping.IndexMappingImpl) (*textAnalyzer, error) {
	a := m.AnalyzerNamed("text")
	if a == nil {
		return nil, fmt.Errorf("the search index has no text analyzer")
	}
	return &textAnalyzer{a}, nil
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
func (x *Index) suggest(ctx context.Context, p access.Principal, q Query, clauses []clause) (string, error) {
	if len(clauses) > 3 {
		return "", nil
	}
	tries := 0
	for i, c := range clauses {
		if c.phrase || len(x.text.terms(c.text)) != 1 || len([]rune(c.text)) < 4 {
			continue
		}
		for _, near := range x.nearWords(strings.ToLower(c.text)) {
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
			req, err := x.request(p, try, changed)
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

// nearWords lists up to five indexed words near word, best first.
func (x *Index) nearWords(word string) []string {
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
	return bestNear(r, "words", word, 5)
}

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
