package search

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode"

	"github.com/thaiarchives/archive/repository"
)

// relevanceSet is the Thai test set: real Thai prose cut into records, and
// queries whose relevant records were judged by word boundaries found
// independently of this package (see testdata/relevance/README.md).
type relevanceSet struct {
	Records []struct {
		ID       string          `json:"id"`
		Title    repository.Text `json:"title"`
		Summary  repository.Text `json:"summary"`
		Subjects []string        `json:"subjects"`
	} `json:"records"`
	Queries []struct {
		Q        string   `json:"q"`
		Words    int      `json:"words"`
		Relevant []string `json:"relevant"`
	} `json:"queries"`
}

type scores struct{ precision, recall float64 }

// TestThaiRelevance scores single-word Thai queries by precision and recall
// (macro-averaged) for this index, and beside it for substring matching and
// a whitespace tokenizer on the same records.
func TestThaiRelevance(t *testing.T) {
	b, err := os.ReadFile("testdata/relevance/thai.json")
	if err != nil {
		t.Fatal(err)
	}
	var set relevanceSet
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Records) < 300 || len(set.Queries) < 60 {
		t.Fatalf("the set has %d records and %d queries; it needs 300 and 60", len(set.Records), len(set.Queries))
	}
	f := newFixture(t)
	// A library whose name shares no word with the records, so only the
	// records' own text is judged.
	lib := &repository.Institution{ID: "relevance", Name: repository.Text{"en": "Relevance"}}
	if err := f.store.SaveInstitution(ctx, lib); err != nil {
		t.Fatal(err)
	}
	byID := map[string]string{} // set id → item id
	texts := map[string]string{}
	for _, r := range set.Records {
		it := &repository.Item{Institution: lib.ID, Title: r.Title, Summary: r.Summary}
		if it.Title.Empty() {
			it.Title = repository.Text{"th": r.ID}
		}
		for _, s := range r.Subjects {
			it.Subjects = append(it.Subjects, repository.Text{"th": s})
		}
		f.save(t, it)
		byID[it.ID] = r.ID
		texts[r.ID] = strings.Join(append(append(values(r.Title), values(r.Summary)...), r.Subjects...), "\n")
	}
	ours := func(q string) map[string]bool {
		got := map[string]bool{}
		for offset := 0; ; offset += MaxLimit {
			r := f.find(t, anonymous, Query{Text: `"` + q + `"`, Limit: MaxLimit, Offset: offset})
			for _, h := range r.Hits {
				got[byID[h.ID]] = true
			}
			if len(r.Hits) < MaxLimit {
				return got
			}
		}
	}
	substring := func(q string) map[string]bool {
		got := map[string]bool{}
		for id, text := range texts {
			if strings.Contains(text, q) {
				got[id] = true
			}
		}
		return got
	}
	whitespace := func(q string) map[string]bool {
		got := map[string]bool{}
		for id, text := range texts {
			for _, w := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) {
				if w == q {
					got[id] = true
				}
			}
		}
		return got
	}
	score := func(search func(string) map[string]bool, report bool) scores {
		var s scores
		n := 0
		for _, q := range set.Queries {
			if q.Words != 1 {
				continue
			}
			got := search(q.Q)
			hits := 0
			for _, id := range q.Relevant {
				if got[id] {
					hits++
				}
			}
			p, r := 1.0, float64(hits)/float64(len(q.Relevant))
			if len(got) > 0 {
				p = float64(hits) / float64(len(got))
			}
			if report && (p < 0.75 || r < 0.75) {
				t.Logf("query %s: precision %.2f recall %.2f (%d found, %d relevant)", q.Q, p, r, len(got), len(q.Relevant))
			}
			s.precision += p
			s.recall += r
			n++
		}
		s.precision /= float64(n)
		s.recall /= float64(n)
		return s
	}
	got := score(ours, true)
	sub := score(substring, false)
	ws := score(whitespace, false)
	t.Logf("single-word Thai queries, macro-averaged: this index P %.3f R %.3f; substring P %.3f R %.3f; whitespace P %.3f R %.3f",
		got.precision, got.recall, sub.precision, sub.recall, ws.precision, ws.recall)
	if got.precision < 0.9 || got.recall < 0.9 {
		t.Errorf("precision %.3f, recall %.3f: both must reach 0.9", got.precision, got.recall)
	}
	if got.precision <= sub.precision {
		t.Errorf("precision %.3f is no better than substring matching's %.3f", got.precision, sub.precision)
	}
}
