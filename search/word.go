package search

import (
	"context"
	"math"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// word is one word, in any field: found in rank (every word of the
// description, weighted by field) and in the pages' text, with one
// look-up per hit where only one of them holds it. A field's weight
// counts how rare the word is there, and a word rare in pages' text but
// common in descriptions would rank the pages above the descriptions:
// the pages' weight is set as if the word were as rare there as in the
// descriptions.
type word string

// pageTextBoost weighs a word in the pages' text against one in the
// description.
const pageTextBoost = 0.8

// Searcher searches the fields of r that hold the word.
func (w word) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	inRank, err := docFreq(ctx, r, string(w), "rank")
	if err != nil {
		return nil, err
	}
	inText, err := docFreq(ctx, r, string(w), "text")
	if err != nil {
		return nil, err
	}
	switch {
	case inText == 0:
		return termQuery("rank", string(w), 1).Searcher(ctx, r, m, o)
	case inRank == 0:
		return termQuery("text", string(w), pageTextBoost).Searcher(ctx, r, m, o)
	}
	total, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	// A term's score grows with the square of its idf (bleve's TF-IDF).
	boost := pageTextBoost * math.Pow(idf(total, inRank)/idf(total, inText), 2)
	return bleve.NewDisjunctionQuery(termQuery("rank", string(w), 1), termQuery("text", string(w), boost)).Searcher(ctx, r, m, o)
}

func docFreq(ctx context.Context, r index.IndexReader, term, field string) (uint64, error) {
	tr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0, err
	}
	defer tr.Close()
	return tr.Count(), nil
}

// idf is bleve's inverse document frequency.
func idf(total, n uint64) float64 {
	return 1 + math.Log(float64(total)/float64(n+1))
}
