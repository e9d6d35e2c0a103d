package search

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
)

// FacetSample is how many hits facet values are counted over at most,
// unless Options say otherwise: the first hits in the index's order, as the
// ranking pass meets them. Past it the counts are scaled to the total and
// said to be estimates, so a word found in a tenth of a million records
// costs the count of a few thousand; the ranking and the total still see
// every hit.
const FacetSample = 2048

// facetCounter counts the facet values of the first hits a search meets.
type facetCounter struct {
	limit, seen int
	counts      map[string]*int // a pointer: a term already seen is counted without a copy of it
}

func newFacetCounter(limit int) *facetCounter {
	return &facetCounter{limit: limit, counts: map[string]*int{}}
}

// with is ctx with the counter hooked into the ranking pass: each hit it
// meets, up to the limit, has its facet values read before it is ranked.
// Hits come in the index's order, so those read sit together and the
// chunks of values they are in are unpacked once each.
func (c *facetCounter) with(ctx context.Context) context.Context {
	return context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(c.handler))
}

func (c *facetCounter) handler(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
	rank, loadID, err := collector.MakeTopNDocumentMatchHandler(sctx)
	if err != nil {
		return nil, false, err
	}
	if rank == nil {
		return nil, false, errors.New("counting facets: the search has no ranking collector")
	}
	values, err := sctx.IndexReader.DocValueReader([]string{"facet"})
	if err != nil {
		return nil, false, err
	}
	count := func(_ string, term []byte) {
		if n := c.counts[string(term)]; n != nil {
			*n++
			return
		}
		n := 1
		c.counts[string(term)] = &n
	}
	return func(d *search.DocumentMatch) error {
		if d != nil && c.seen < c.limit {
			c.seen++
			if err := values.VisitDocValues(d.IndexInternalID, count); err != nil {
				return err
			}
		}
		return rank(d)
	}, loadID, nil
}

// result splits the counts by facet, highest first, each list cut to its
// facet's size; past the limit each count is scaled to the total hits, to
// two figures, and estimated is set.
func (c *facetCounter) result(total uint64) (out map[string][]FacetValue, estimated bool) {
	out = map[string][]FacetValue{}
	estimated = uint64(c.seen) < total
	terms := make([]string, 0, len(c.counts))
	for t := range c.counts {
		terms = append(terms, t)
	}
	slices.SortFunc(terms, func(a, b string) int {
		return cmp.Or(cmp.Compare(*c.counts[b], *c.counts[a]), strings.Compare(a, b))
	})
	for _, t := range terms {
		n := *c.counts[t]
		if estimated {
			n = scale(n, float64(total)/float64(c.seen))
		}
		name, value, _ := strings.Cut(t, ":")
		out[name] = append(out[name], FacetValue{Value: value, Count: n})
	}
	for _, f := range Facets {
		if len(out[f.Name]) > f.size {
			out[f.Name] = out[f.Name][:f.size]
		}
	}
	return out, estimated
}

// scale is a count among a sample times factor, to two significant
// figures (no more are known).
func scale(n int, factor float64) int {
	v := int(math.Round(float64(n) * factor))
	unit := 1
	for v >= 100*unit {
		unit *= 10
	}
	return max(1, (v+unit/2)/unit*unit)
}
