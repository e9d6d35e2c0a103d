// Command searchload measures the search index at scale: it generates
// bilingual records (Thai words from the system's Thai dictionary, Thai
// prose from the shared sample, English words), indexes them, and reports
// throughput, index size on disk and peak memory, then the latency of a
// Thai word, a phrase and a faceted query. Run by bench/search.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/search"
	"github.com/thaiarchives/archive/search/searchtest"
)

func main() {
	n := flag.Int("records", 100000, "records to generate and index")
	dir := flag.String("dir", "", "folder for the index (default a temporary one)")
	prose := flag.String("prose", "", "a file of real Thai prose to draw sentences from")
	queries := flag.Int("queries", 500, "queries of each kind")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the queries to `file`")
	flag.Parse()
	profilePath = *profile
	if err := run(*n, *dir, *prose, *queries); err != nil {
		fmt.Fprintln(os.Stderr, "searchload:", err)
		os.Exit(1)
	}
}

func run(n int, dir, prosePath string, nq int) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "searchload")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	words, err := searchtest.Words()
	if err != nil {
		return err
	}
	var sentences []string
	if prosePath != "" {
		b, err := os.ReadFile(prosePath)
		if err != nil {
			return err
		}
		for _, s := range strings.Fields(string(b)) {
			if len([]rune(s)) > 20 {
				sentences = append(sentences, s)
			}
		}
	}
	src := searchtest.Generate(n, words, sentences)
	path := filepath.Join(dir, "index")
	// No result cache: every query is counted cold.
	x, err := search.Open(path, src, search.Options{Results: -1})
	if err != nil {
		return err
	}
	defer x.Close()
	start := time.Now()
	if _, err := x.Rebuild(context.Background()); err != nil {
		return err
	}
	took := time.Since(start)
	size, _ := du(path)
	fmt.Printf("indexed %d records in %.1f s: %.0f records/s; index %.1f MiB on disk; peak RSS %d MiB\n",
		n, took.Seconds(), float64(n)/took.Seconds(), float64(size)/(1<<20), peakRSS()>>10)

	rng := rand.New(rand.NewPCG(2, 3))
	kinds := []struct {
		name string
		make func() search.Query
	}{
		{"one Thai word", func() search.Query { return search.Query{Text: src.Words[rng.IntN(len(src.Words))]} }},
		{"common word", func() search.Query { return search.Query{Text: src.Common[rng.IntN(len(src.Common))]} }},
		{"phrase", func() search.Query {
			return search.Query{Text: `"` + src.Titles[rng.IntN(len(src.Titles))] + `"`}
		}},
		{"faceted", func() search.Query {
			return search.Query{Text: src.Words[rng.IntN(len(src.Words))], Filters: map[string][]string{"library": {"cmu", "tu"}}, From: 2500, To: 2560}
		}},
	}
	reader := access.Principal{User: "u", Institution: "cmu", Role: access.Reader}
	if profilePath != "" {
		f, err := os.Create(profilePath)
		if err != nil {
			return err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	for _, k := range kinds {
		var lat []time.Duration
		hits := uint64(0)
		for range nq {
			q := k.make()
			t0 := time.Now()
			r, err := x.Search(context.Background(), reader, q)
			if err != nil {
				return err
			}
			lat = append(lat, time.Since(t0))
			hits += r.Total
		}
		slices.Sort(lat)
		fmt.Printf("%-14s p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms  (%d queries, %.0f hits each on average)\n", k.name,
			ms(lat[len(lat)/2]), ms(lat[len(lat)*95/100]), ms(lat[len(lat)*99/100]), nq, float64(hits)/float64(nq))
	}
	fmt.Printf("peak RSS %d MiB\n", peakRSS()>>10)
	return nil
}

var profilePath string

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func du(path string) (int64, error) {
	var n int64
	err := filepath.Walk(path, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return err
	})
	return n, err
}

// peakRSS is the process's peak resident memory, in KiB (Linux).
func peakRSS() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
