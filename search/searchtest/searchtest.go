// Package searchtest makes records for measuring the search index: Thai
// words from the system's Thai word list, Thai prose when given, English
// words, three libraries, a century and a half of dates, held in memory as
// the index's Source.
package searchtest

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/search/thai"
)

// Words reads the Thai word list (Debian's hunspell-th).
func Words() ([]string, error) {
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

// Source is a repository in memory: the records the index reads, and
// words and phrases that occur in them, to query.
type Source struct {
	items map[string]*repository.Item
	order map[string][]string
	// Words are the distinct Thai words that occur in titles, each once:
	// what a scholar might look for.
	Words []string
	// Common are Thai words drawn from titles as often as they occur there:
	// the commonest come up most, as a worst case.
	Common []string
	Titles []string // two-word Thai phrases that occur in titles
}

// Generate makes n records from the words and sentences.
func Generate(n int, words, sentences []string) *Source {
	rng := rand.New(rand.NewPCG(1, 2))
	src := &Source{items: map[string]*repository.Item{}, order: map[string][]string{}}
	// A Zipf-like vocabulary: most titles draw from a few thousand words.
	vocab := make([]string, 5000)
	for i := range vocab {
		vocab[i] = words[rng.IntN(len(words))]
	}
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 4, uint64(len(vocab)-1))
	libs := []string{"cmu", "tu", "chula"}
	titleWords := map[string][]string{}
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
		titleWords[it.ID] = th
		src.order[it.Institution] = append(src.order[it.Institution], it.ID)
		if i%50 == 0 {
			src.Common = append(src.Common, th[0])
			src.Titles = append(src.Titles, th[0]+th[1])
		}
	}
	seen := map[string]bool{}
	for _, it := range src.items {
		for _, w := range titleWords[it.ID] {
			if !seen[w] {
				seen[w] = true
				src.Words = append(src.Words, w)
			}
		}
	}
	slices.Sort(src.Words)
	return src
}

func (m *Source) Item(id string) (*repository.Item, error) {
	if it, ok := m.items[id]; ok {
		return it, nil
	}
	return nil, fault.NotFound
}
func (m *Source) Entry(string) (*repository.Entry, error) { return nil, fault.NotFound }
func (m *Source) EntryIDsOf(string) ([]string, error)     { return nil, nil }
func (m *Source) Collection(string) (*repository.Collection, error) {
	return nil, fault.NotFound
}
func (m *Source) Institution(id string) (*repository.Institution, error) {
	return &repository.Institution{ID: id, Name: repository.Text{"en": strings.ToUpper(id)}}, nil
}
func (m *Source) Institutions() ([]*repository.Institution, error) {
	var out []*repository.Institution
	for _, id := range []string{"cmu", "tu", "chula"} {
		in, _ := m.Institution(id)
		out = append(out, in)
	}
	return out, nil
}
func (m *Source) ItemsOfInstitutionAt(inst string, offset, limit int) ([]string, int, error) {
	ids := m.order[inst]
	return ids[min(offset, len(ids)):min(offset+limit, len(ids))], len(ids), nil
}
func (m *Source) ItemsOfInstitution(inst, after string, limit int) (repository.Page, error) {
	ids := m.order[inst]
	start := 0
	if after != "" {
		start = slices.Index(ids, after) + 1
	}
	p := repository.Page{IDs: ids[start:min(start+limit, len(ids))]}
	if start+limit < len(ids) {
		p.Next = p.IDs[len(p.IDs)-1]
	}
	return p, nil
}
func (m *Source) ItemsInCollectionAt(string, int, int) ([]string, int, error) { return nil, 0, nil }
func (m *Source) Children(string) ([]*repository.Collection, error)           { return nil, nil }
func (m *Source) FeedEpoch() (string, uint64, error)                          { return "bench", 0, nil }
func (m *Source) Feed(uint64, int) ([]repository.FeedEntry, error)            { return nil, nil }
