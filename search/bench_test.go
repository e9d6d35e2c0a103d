package search

import (
	"context"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/thaiarchives/archive/search/searchtest"
)

// benchRecords is how many generated records the query benchmarks search
// (bench/search.sh measures 100,000).
const benchRecords = 20000

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
		bench.src = searchtest.Generate(benchRecords, words, nil)
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
	x, src := benchIndex(b)
	rng := rand.New(rand.NewPCG(1, 1))
	b.ResetTimer()
	for b.Loop() {
		if _, err := x.Search(ctx, cmuReader, q(src, rng)); err != nil {
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
