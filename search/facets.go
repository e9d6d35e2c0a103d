package search

import (
	"context"
	"hash/fnv"
	"math"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
)

// FacetSample is how many hits facet counts are counted over at most,
// unless Options say otherwise: past it they are counted over a sample of
// about that many hits (a record is in the sample of level k when its
// identifier hashes to a multiple of 2^k) and scaled up, so a word found
// in a tenth of a million records costs the count of a few thousand.
// Ranking and the total still see every hit.
const FacetSample = 4096

// maxSampleLevel is the smallest sample kept: one record in 2^12.
const maxSampleLevel = 12

// sampleLevels are the sample levels a record with identifier id belongs
// to ("1" for half the records, "2" for a quarter, ...).
func sampleLevels(id string) []string {
	h := fnv.New32a()
	h.Write([]byte(id))
	sum := h.Sum32()
	var out []string
	for k := 1; k <= maxSampleLevel && sum%(1<<k) == 0; k++ {
		out = append(out, strconv.Itoa(k))
	}
	return out
}

// facets counts the values of every facet among the hits of main (total
// of them): all of them up to the bound (Options.FacetSample), else a sample of them, each
// count scaled and rounded to two figures (estimated). The sample is a
// conjunction, so its cost follows the sample, not the hits.
func (x *Index) facets(ctx context.Context, main *bleve.SearchRequest, total uint64) (map[string][]FacetValue, bool, error) {
	out := map[string][]FacetValue{}
	if total == 0 {
		return out, false, nil
	}
	level := 0
	for total>>level > uint64(x.opts.FacetSample) && level < maxSampleLevel {
		level++
	}
	q := main.Query
	if level > 0 {
		q = bleve.NewConjunctionQuery(q, termQuery("sample", strconv.Itoa(level), 0))
	}
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	req.Score = bleve.ScoreNone
	// One count over the combined field, wide enough to hold every value
	// (split by facet here).
	req.AddFacet("facet", bleve.NewFacetRequest("facet", 5000))
	res, err := x.run(ctx, req)
	if err != nil {
		return nil, false, err
	}
	if fr := res.Facets["facet"]; fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() { // by count, highest first
			name, value, _ := strings.Cut(t.Term, ":")
			out[name] = append(out[name], FacetValue{Value: value, Count: scale(t.Count, level)})
		}
	}
	for _, f := range Facets {
		if len(out[f.Name]) > f.size {
			out[f.Name] = out[f.Name][:f.size]
		}
	}
	return out, level > 0, nil
}

// scale is a count in a sample of level k as an estimate for all the
// hits, to two significant figures (no more are known).
func scale(n, k int) int {
	if k == 0 {
		return n
	}
	v := float64(n) * float64(int(1)<<k)
	unit := math.Pow(10, math.Floor(math.Log10(v))-1)
	return int(math.Round(v/unit) * unit)
}
