package search

import (
	"context"
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	index "github.com/blevesearch/bleve_index_api"
)

// textAnalyzer turns a reader's words into the index's terms, exactly as
// the records' text was turned.
type textAnalyzer struct{ a analysis.Analyzer }

func newTextAnalyzer(idx bleve.Index) (*textAnalyzer, error) {
	a := idx.Mapping().AnalyzerNamed("text")
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

// suggest proposes the query with each word that matches nothing replaced
// by the commonest indexed word within one or two edits of it, or "" when
// it has nothing better. Only single-term words are corrected.
func (x *Index) suggest(text string, clauses []clause) string {
	x.idxMu.RLock()
	defer x.idxMu.RUnlock()
	adv, err := x.idx.Advanced()
	if err != nil {
		return ""
	}
	r, err := adv.Reader()
	if err != nil {
		return ""
	}
	defer r.Close()
	changed := false
	out := text
	for _, c := range clauses {
		if c.phrase {
			continue
		}
		terms := x.text.terms(c.text)
		if len(terms) != 1 || len([]rune(c.text)) < 4 {
			continue
		}
		best := bestNear(r, "words", strings.ToLower(c.text))
		if best != "" && best != strings.ToLower(c.text) {
			out = strings.Replace(out, c.text, best, 1)
			changed = true
		}
	}
	if !changed {
		return ""
	}
	return out
}

// bestNear is the indexed word nearest to word (fewest edits), the one in
// most records among equals.
func bestNear(r index.IndexReader, field, word string) string {
	fr, ok := r.(index.IndexReaderFuzzy)
	if !ok {
		return ""
	}
	fuzz := 1
	if len([]rune(word)) > 6 {
		fuzz = 2
	}
	d, err := fr.FieldDictFuzzy(field, word, fuzz, "")
	if err != nil {
		return ""
	}
	defer d.Close()
	var best string
	var bestEdits uint8
	var bestCount uint64
	for e, err := d.Next(); err == nil && e != nil; e, err = d.Next() {
		if best != "" && e.EditDistance > bestEdits {
			continue
		}
		tr, err := r.TermFieldReader(context.Background(), []byte(e.Term), field, false, false, false)
		if err != nil {
			continue
		}
		n := tr.Count()
		tr.Close()
		if best == "" || e.EditDistance < bestEdits || n > bestCount {
			best, bestEdits, bestCount = e.Term, e.EditDistance, n
		}
	}
	return best
}
