package contentsearch

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/search/thai"
)

// token is one searchable word of an item's text: its term as search
// compares it, where it lies in its page's text, and its box.
type token struct {
	term       string
	page       int // file index
	line       int // line of the page
	start, end int // bytes of the page's text
	box        ocr.Box
}

// pageText is one page as read: its text (words spaced, lines on lines)
// and its lines' boxes.
type pageText struct {
	text  string
	lines []lineText
}

type lineText struct {
	text string
	box  ocr.Box
}

// itemText is what searching inside one item reads: every token in reading
// order, and where each term occurs.
type itemText struct {
	item   *repository.Item
	res    access.Resource
	gen    uint64 // the store's generation when item was read
	tokens []token
	pages  map[int]*pageText
	terms  map[string][]int32 // term → token positions
	// lineEnds are the positions of the last token of each line but a
	// page's last, by term.
	lineEnds map[string][]int32
}

// size is what an item's text counts against the cache's budget: its
// words, and its record (a word's worth a file).
func (x *itemText) size() int { return len(x.tokens) + len(x.item.Files) }

// fold is a term as search compares it: lower case (Thai has none).
func fold(term string) string { return strings.ToLower(term) }

// build reads the ALTO of every page of it that has text, a page per core
// at a time (reading and segmenting are most of the work), and puts the
// pages together in order.
func (s *Service) build(ctx context.Context, it *repository.Item) (*itemText, error) {
	x := &itemText{item: it, pages: map[int]*pageText{}, terms: map[string][]int32{}, lineEnds: map[string][]int32{}}
	var files []int
	for i, f := range it.Files {
		if f.Derivatives["alto"] != "" {
			files = append(files, i)
		}
	}
	read := make([]*pageTokens, len(files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.NumCPU())
	for k, i := range files {
		g.Go(func() error {
			rc, err := s.cfg.Blobs.Get(gctx, it.Files[i].Derivatives["alto"], 0, -1)
			if errors.Is(err, fault.NotFound) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("item %s: text of file %d: %w", it.ID, i+1, err)
			}
			p, err := ocr.ReadALTO(rc)
			rc.Close()
			if err != nil {
				return fmt.Errorf("item %s: text of file %d: %w", it.ID, i+1, err)
			}
			read[k] = segmentPage(s.cfg.Dict, i, p)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, pt := range read {
		if pt != nil {
			x.add(pt)
		}
	}
	return x, nil
}

// pageTokens is one page read and segmented, before it joins its item.
type pageTokens struct {
	page     int
	text     *pageText
	tokens   []token
	lineEnds []int // of tokens
}

// segmentPage segments a page's words with the search index's Thai
// tokenizer; a word that segments into several gives each a share of its
// box, by the characters before and in it.
func segmentPage(d *thai.Dict, page int, p *ocr.Page) *pageTokens {
	out := &pageTokens{page: page, text: &pageText{}}
	var b strings.Builder
	for li, l := range p.Lines {
		lineStart := b.Len()
		for wi, w := range l.Words {
			if wi > 0 {
				b.WriteByte(' ')
			}
			at := b.Len()
			b.WriteString(w.Text)
			n := utf8.RuneCountInString(w.Text)
			for _, t := range d.Segment(w.Text) {
				r0 := utf8.RuneCountInString(w.Text[:t.Start])
				r1 := utf8.RuneCountInString(w.Text[:t.End])
				box := w.Box
				if n > 0 && (r0 > 0 || r1 < n) {
					box.X = w.Box.X + w.Box.W*r0/n
					box.W = max(1, w.Box.W*(r1-r0)/n)
				}
				out.tokens = append(out.tokens, token{term: fold(t.Term), page: page, line: li, start: at + t.Start, end: at + t.End, box: box})
			}
		}
		out.text.lines = append(out.text.lines, lineText{text: b.String()[lineStart:], box: l.Box})
		if n := len(out.tokens); n > 0 && out.tokens[n-1].line == li && li < len(p.Lines)-1 {
			out.lineEnds = append(out.lineEnds, n-1)
		}
		b.WriteByte('\n')
	}
	out.text.text = strings.TrimSuffix(b.String(), "\n")
	return out
}

// add puts a page's tokens after the item's others.
func (x *itemText) add(p *pageTokens) {
	base := len(x.tokens)
	for k, t := range p.tokens {
		x.terms[t.term] = append(x.terms[t.term], int32(base+k))
	}
	x.tokens = append(x.tokens, p.tokens...)
	for _, k := range p.lineEnds {
		term := p.tokens[k].term
		x.lineEnds[term] = append(x.lineEnds[term], int32(base+k))
	}
	x.pages[p.page] = p.text
}

// Hit is one place where the query matched: its page, the part of each
// line it covers (two for a phrase that runs onto the next line), and the
// words before, in and after it.
type Hit struct {
	Page                 int // file index, from 0
	Boxes                []ocr.Box
	Before, Match, After string
}

// PageSize is how many hits one answer holds at most (default); more are
// on further pages.
const PageSize = 1000

// phrases turns a query into phrases of terms: each word alone, or words
// in double quotes together, segmented as the search index segments them.
func phrases(d *thai.Dict, q string) [][]string {
	var out [][]string
	parts := strings.Split(q, `"`)
	for i, part := range parts {
		var groups []string
		if i%2 == 1 {
			groups = []string{part}
		} else {
			groups = strings.Fields(part)
		}
		for _, g := range groups {
			var terms []string
			for _, t := range d.Segment(g) {
				terms = append(terms, fold(t.Term))
			}
			// A phrase asked twice is looked for once: each costs a pass
			// over every place its first word occurs.
			if len(terms) > 0 && !slices.ContainsFunc(out, func(o []string) bool { return slices.Equal(o, terms) }) {
				out = append(out, terms)
			}
		}
	}
	return out
}

// find lists where the query's phrases match, in reading order: each a
// token position and the tokens the match covers (hit makes a Hit of one).
func (x *itemText) find(phr [][]string) [][2]int {
	var starts [][2]int // token position, tokens covered
	for _, terms := range phr {
		try := func(i int) {
			if n := x.match(i, terms); n > 0 {
				starts = append(starts, [2]int{i, n})
			}
		}
		for _, at := range x.terms[terms[0]] {
			try(int(at))
		}
		// A word cut by the end of a line: its first part ends the line.
		for k := range terms[0] {
			if k > 0 {
				for _, at := range x.lineEnds[terms[0][:k]] {
					try(int(at))
				}
			}
		}
	}
	slices.SortFunc(starts, func(a, b [2]int) int { return a[0] - b[0] })
	// Two phrases (or a word and the same word cut by a line's end) may
	// match at one place: it is one hit.
	return slices.CompactFunc(starts, func(a, b [2]int) bool { return a[0] == b[0] })
}

// hits makes the hits of some matches.
func (x *itemText) hits(matches [][2]int) []Hit {
	out := make([]Hit, 0, len(matches))
	for _, m := range matches {
		out = append(out, x.hit(m[0], m[1]))
	}
	return out
}

// match reports how many tokens from i the phrase's terms cover on one
// page (0: they do not match there). A term may also be the last token of
// a line and the first of the next put together: a word the line's end cut
// in two (Thai breaks lines without hyphens), which the tokenizer saw as two.
func (x *itemText) match(i int, terms []string) int {
	start := i
	for _, term := range terms {
		if i >= len(x.tokens) || x.tokens[i].page != x.tokens[start].page {
			return 0
		}
		t := x.tokens[i]
		switch {
		case t.term == term:
			i++
		case i+1 < len(x.tokens) && x.tokens[i+1].page == t.page && x.tokens[i+1].line == t.line+1 &&
			len(t.term)+len(x.tokens[i+1].term) == len(term) && strings.HasPrefix(term, t.term) && strings.HasSuffix(term, x.tokens[i+1].term):
			i += 2
		default:
			return 0
		}
	}
	return i - start
}

// context is how many characters of text stand before and after a match.
const contextRunes = 40

func (x *itemText) hit(i, n int) Hit {
	first, last := x.tokens[i], x.tokens[i+n-1]
	h := Hit{Page: first.page}
	line := -1
	for k := i; k < i+n; k++ {
		t := x.tokens[k]
		if t.line != line {
			h.Boxes = append(h.Boxes, t.box)
			line = t.line
			continue
		}
		h.Boxes[len(h.Boxes)-1] = h.Boxes[len(h.Boxes)-1].Union(t.box)
	}
	text := x.pages[first.page].text
	h.Match = strings.ReplaceAll(text[first.start:last.end], "\n", " ")
	h.Before = strings.ReplaceAll(lastRunes(text[:first.start], contextRunes), "\n", " ")
	h.After = strings.ReplaceAll(firstRunes(text[last.end:], contextRunes), "\n", " ")
	return h
}

func lastRunes(s string, n int) string {
	for i := len(s); i > 0; {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
		if n--; n == 0 {
			return s[i:]
		}
	}
	return s
}

func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// complete lists the terms that start with prefix, commonest first.
func (x *itemText) complete(prefix string, limit int) []Term {
	var out []Term
	for term, at := range x.terms {
		if strings.HasPrefix(term, prefix) {
			out = append(out, Term{Value: term, Count: len(at)})
		}
	}
	slices.SortFunc(out, func(a, b Term) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// Term is a completion: a word of the item's text and how often it occurs.
type Term struct {
	Value string
	Count int
}
