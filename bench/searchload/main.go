// Command searchload measures the search index at scale: it generates
// bilingual records (Thai words from the system's Thai dictionary, Thai
// prose from the shared sample, English words), indexes them, and reports
// throughput, index size on disk and peak memory, then the latency of a
// Thai word, a phrase and a faceted query. Run by bench/search.sh.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/search"
	"github.com/thaiarchives/archive/search/thai"
)

func main() {
	n := flag.Int("records", 100000, "records to generate and index")
	dir := flag.String("dir", "", "folder for the index (default a temporary one)")
	prose := flag.String("prose", "", "a file of real Thai prose to draw sentences from")
	queries := flag.Int("queries", 500, "queries of each kind")
	flag.Parse()
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
	words, err := thaiWords()
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
	src := generate(n, words, sentences)
	path := filepath.Join(dir, "index")
	x, err := search.Open(path, src, search.Options{})
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
		{"one Thai word", func() search.Query { return search.Query{Text: src.used[rng.IntN(len(src.used))]} }},
		{"phrase", func() search.Query {
			return search.Query{Text: `"` + src.titles[rng.IntN(len(src.titles))] + `"`}
		}},
		{"faceted", func() search.Query {
			return search.Query{Text: src.used[rng.IntN(len(src.used))], Filters: map[string][]string{"library": {"cmu", "tu"}}, From: 2500, To: 2560}
		}},
	}
	reader := access.Principal{User: "u", Institution: "cmu", Role: access.Reader}
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

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func thaiWords() ([]string, error) {
	f, err := os.Open(thai.HunspellPath)
	if err != nil {
		return nil, fmt.Errorf("the Thai word list (Debian hunspell-th): %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Scan() // the count
	for sc.Scan() {
		w, _, _ := strings.Cut(sc.Text(), "/")
		if r := []rune(w); len(r) >= 2 && len(r) <= 8 {
			out = append(out, w)
		}
	}
	return out, sc.Err()
}

var english = strings.Fields(`letter photograph map manuscript university library archive report minutes council king royal
temple river city province school student faculty medicine law history survey census newspaper gazette poem song
festival market railway bridge palace monastery document record decree treaty speech lecture thesis`)

// memSource is a repository in memory: the records the index reads.
type memSource struct {
	items  map[string]*repository.Item
	order  map[string][]string
	used   []string // Thai words that occur in titles
	titles []string // two-word Thai phrases that occur in titles
}

func generate(n int, words, sentences []string) *memSource {
	rng := rand.New(rand.NewPCG(1, 2))
	src := &memSource{items: map[string]*repository.Item{}, order: map[string][]string{}}
	// A Zipf-like vocabulary: most titles draw from a few thousand words.
	vocab := make([]string, 5000)
	for i := range vocab {
		vocab[i] = words[rng.IntN(len(words))]
	}
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 4, uint64(len(vocab)-1))
	libs := []string{"cmu", "tu", "chula"}
	for i := range n {
		var th []string
		for range 3 + rng.IntN(4) {
			th = append(th, vocab[zipf.Uint64()])
		}
		var en []string
		for range 2 + rng.IntN(4) {
			en = append(en, english[rng.IntN(len(english))])
		}
		summary := strings.Join(th[1:], "") + " " + strings.Join(en, " ")
		if len(sentences) > 0 {
			summary = sentences[rng.IntN(len(sentences))] + " " + summary
		}
		it := &repository.Item{
			ID: "r" + strconv.Itoa(i), Institution: libs[i%3], Type: []string{"Image", "Text", "Sound"}[rng.IntN(3)],
			Title:   repository.Text{"th": strings.Join(th, ""), "en": strings.Join(en, " ")},
			Summary: repository.Text{"th": summary},
			Creator: repository.Text{"th": vocab[rng.IntN(200)] + vocab[rng.IntN(200)]},
			Date:    strconv.Itoa(1880 + rng.IntN(140)), Language: []string{"th"},
		}
		src.items[it.ID] = it
		src.order[it.Institution] = append(src.order[it.Institution], it.ID)
		if i%50 == 0 {
			src.used = append(src.used, th[0])
			src.titles = append(src.titles, th[0]+th[1])
		}
	}
	return src
}

func (m *memSource) Item(id string) (*repository.Item, error) {
	if it, ok := m.items[id]; ok {
		return it, nil
	}
	return nil, repository.ErrNotFound
}
func (m *memSource) Collection(string) (*repository.Collection, error) {
	return nil, repository.ErrNotFound
}
func (m *memSource) Institution(id string) (*repository.Institution, error) {
	return &repository.Institution{ID: id, Name: repository.Text{"en": strings.ToUpper(id)}}, nil
}
func (m *memSource) Institutions() ([]*repository.Institution, error) {
	var out []*repository.Institution
	for _, id := range []string{"cmu", "tu", "chula"} {
		in, _ := m.Institution(id)
		out = append(out, in)
	}
	return out, nil
}
func (m *memSource) ItemsOfInstitutionAt(inst string, offset, limit int) ([]string, int, error) {
	ids := m.order[inst]
	return ids[min(offset, len(ids)):min(offset+limit, len(ids))], len(ids), nil
}
func (m *memSource) ItemsInCollectionAt(string, int, int) ([]string, int, error) { return nil, 0, nil }
func (m *memSource) Children(string) ([]*repository.Collection, error)           { return nil, nil }
func (m *memSource) FeedEpoch() (string, uint64, error)                          { return "bench", 0, nil }
func (m *memSource) Feed(uint64, int) ([]repository.FeedEntry, error)            { return nil, nil }

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
