package search

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"

	"github.com/thaiarchives/archive/search/searchtest"
)

// benchRecords is how many generated records the query benchmarks search
// (bench/search.sh measures 100,000): 20,000, or ARCHIVE_BENCH_RECORDS.
func benchRecords() int {
	if n, err := strconv.Atoi(os.Getenv("ARCHIVE_BENCH_RECORDS")); err == nil && n > 0 {
		return n
	}
	return 20000
}

var bench struct {
	once sync.Once
	src  *searchtest.Source
	x    *Index
	err  error
}

func benchIndex(b *testing.B) (*Index, *searchtest.Source) {
	bench.once.Do(func() {
		words, err := searchtest.Words()
		if err != nil {
			bench.err = err
			return
		}
		bench.src = searchtest.Generate(benchRecords(), words, nil)
		dir, err := os.MkdirTemp("", "searchbench")
		if err != nil {
			bench.err = err
			return
		}
		if bench.x, bench.err = Open(dir, bench.src, Options{Results: -1}); bench.err == nil {
			_, bench.err = bench.x.Rebuild(context.Background())
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.x, bench.src
}

func benchQueries(b *testing.B, q func(src *searchtest.Source, rng *rand.Rand) Query) {
	benchQueriesAs(b, cmuReader, q)
}

func benchQueriesAs(b *testing.B, p access.Principal, q func(src *searchtest.Source, rng *rand.Rand) Query) {
	x, src := benchIndex(b)
	rng := rand.New(rand.NewPCG(1, 1))
	b.ResetTimer()
	for b.Loop() {
		if _, err := x.Search(ctx, p, q(src, rng)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearchThaiWord(b *testing.B) {
	benchQueries(b, func(src *searchtest.Source, rng *rand.Rand) Query {
		return Query{Text: src.Words[rng.IntN(len(src.Words))]}
	})
}

func BenchmarkSearchCommonThaiWord(b *testing.B) {
	benchQueries(b, func(src *searchtest.Source, rng *rand.Rand) Query {
		return Query{Text: src.Common[rng.IntN(len(src.Common))]}
	})
}

func BenchmarkSearchPhrase(b *testing.B) {
	benchQueries(b, func(src *searchtest.Source, rng *rand.Rand) Query {
		return Query{Text: `"` + src.Titles[rng.IntN(len(src.Titles))] + `"`}
	})
}

func BenchmarkSearchFaceted(b *testing.B) {
	benchQueries(b, func(src *searchtest.Source, rng *rand.Rand) Query {
		return Query{Text: src.Words[rng.IntN(len(src.Words))], Filters: map[string][]string{"library": {"cmu", "tu"}}, From: 2500, To: 2560}
	})
}

// BenchmarkSearchByGrants measures what grants add to a search: an
// anonymous visitor's and a reader's searches, with none, one and twenty
// grants in force (a word and its facet counts, the commonest words first).
func BenchmarkSearchByGrants(b *testing.B) {
	until := time.Now().Add(24 * time.Hour)
	grants := func(n int) []access.Grant {
		var out []access.Grant
		for i := range n {
			out = append(out, access.Grant{Kind: "item", ID: "r" + strconv.Itoa(3*i+1), Institution: "tu", Until: until})
		}
		return out
	}
	for _, c := range []struct {
		name string
		p    access.Principal
	}{
		{"anonymous", anonymous},
		{"reader", cmuReader},
		{"one-grant", access.Principal{User: "u1", Institution: "cmu", Role: access.Reader, Grants: grants(1)}},
		{"twenty-grants", access.Principal{User: "u1", Institution: "cmu", Role: access.Reader, Grants: grants(20)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchQueriesAs(b, c.p, func(src *searchtest.Source, rng *rand.Rand) Query {
				return Query{Text: src.Common[rng.IntN(len(src.Common))]}
			})
		})
	}
}

func BenchmarkIndexRecords(b *testing.B) {
	words, err := searchtest.Words()
	if err != nil {
		b.Fatal(err)
	}
	src := searchtest.Generate(5000, words, nil)
	for b.Loop() {
		x, err := Open("", src, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := x.Rebuild(context.Background()); err != nil {
			b.Fatal(err)
		}
		x.Close()
	}
	b.ReportMetric(float64(5000*b.N)/b.Elapsed().Seconds(), "records/s")
}
