package thai

import (
	"unicode"
	"unicode/utf8"
)

// Token is one word of a segmented text.
type Token struct {
	// Term is the word, normalised: NFC, Thai typing variants made
	// canonical, Thai digits as ASCII digits. Letter case is kept. It is a
	// substring of the text when the text spells it so.
	Term string
	// Start and End are the byte offsets of the word in the original text.
	Start, End int
	// Known is false for a Thai cluster that is part of a stretch that no
	// dictionary word covers (a name, a transliteration, a typing error),
	// and true for dictionary words, numbers and non-Thai words.
	Known bool
	// Kind tells Thai words, numbers and other words apart.
	Kind Kind
}

// Kind classifies a token.
type Kind uint8

// The kinds of tokens.
const (
	Alphanumeric Kind = iota // letters of a script written with spaces, maybe with digits (ISO9001)
	Ideographic              // a Thai word or cluster, a CJK ideograph or kana
	Numeric                  // digits only, Thai digits converted
)

// Segment splits text into words. Thai runs are segmented with d; runs of
// other letters and digits are words as they stand; everything else
// (spaces, punctuation, ๆ, ฯ, ฯลฯ) only separates words.
func (d *Dict) Segment(text string) []Token {
	s, _ := d.pool.Get().(*segmenter)
	if s == nil {
		s = &segmenter{dict: d}
	}
	defer func() {
		s.text, s.tokens = "", nil
		d.pool.Put(s)
	}()
	s.text = text
	s.units = normalize(text, s.units[:0])
	u := s.units
	// Thai words average about six characters; most texts then need no
	// second allocation.
	s.tokens = make([]Token, 0, len(u)/5+1)
	for i := 0; i < len(u); {
		r := u[i].r
		switch {
		case r == paiyannoi && i+2 < len(u) && u[i+1].r == 'ล' && u[i+2].r == paiyannoi:
			i += 3 // ฯลฯ, "and so on"
		case isThaiLetter(r):
			j := i + 1
			for j < len(u) && isThaiLetter(u[j].r) {
				j++
			}
			s.thaiRun(u[i:j])
			i = j
		case isIdeograph(r):
			s.emit(u[i:i+1], Ideographic, true)
			i++
		case isWordChar(r):
			i = s.word(i)
		default:
			i++
		}
	}
	return clampOverlaps(s.tokens)
}

type segmenter struct {
	dict   *Dict
	text   string
	units  []unit
	tokens []Token
	// scratch
	term   []byte
	rs     []rune
	bounds []int
	at     []int // at[i]: index in bounds of rune offset i, or -1
	best   []cost
}

// cost of segmenting a prefix of a Thai run: unknown clusters first, then
// words; from is where its last word starts (a bounds index) and known
// whether that word is a dictionary word.
type cost struct {
	unknown, words int
	from           int
	known          bool
}

func (c cost) less(o cost) bool {
	return c.unknown < o.unknown || (c.unknown == o.unknown && c.words < o.words)
}

// thaiRun segments one run of Thai letters by maximal matching: of all ways
// to cut it at cluster boundaries into dictionary words and single unknown
// clusters, it takes one with the fewest unknown clusters, then the fewest
// words. Unknown clusters are emitted one token each, so that a name that no
// dictionary has is found by the phrase of its clusters.
func (s *segmenter) thaiRun(run []unit) {
	s.rs = s.rs[:0]
	for _, u := range run {
		s.rs = append(s.rs, u.r)
	}
	rs := s.rs
	s.bounds = clusterBounds(rs, s.bounds[:0])
	b := s.bounds
	s.at = s.at[:0]
	for range len(rs) + 1 {
		s.at = append(s.at, -1)
	}
	for k, p := range b {
		s.at[p] = k
	}
	n := len(b) - 1
	s.best = s.best[:0]
	for range n + 1 {
		s.best = append(s.best, cost{unknown: len(rs) + 1})
	}
	best := s.best
	best[0] = cost{}
	for j := range n {
		c := best[j]
		relax(best, j+1, cost{c.unknown + 1, c.words + 1, j, false})
		state := uint32(0)
		for p := b[j]; p < len(rs); p++ {
			var ok bool
			if state, ok = s.dict.step(state, rs[p]); !ok {
				break
			}
			if k := s.at[p+1]; k >= 0 && s.dict.nodes[state].final {
				relax(best, k, cost{c.unknown, c.words + 1, j, true})
			}
		}
	}
	// Walk back from the end, then emit in order.
	first := len(s.tokens)
	for k := n; k > 0; k = best[k].from {
		c := best[k]
		s.emit(run[b[c.from]:b[k]], Ideographic, c.known)
	}
	reverse(s.tokens[first:])
}

func relax(best []cost, k int, c cost) {
	if c.less(best[k]) {
		best[k] = c
	}
}

func reverse(t []Token) {
	for i, j := 0, len(t)-1; i < j; i, j = i+1, j-1 {
		t[i], t[j] = t[j], t[i]
	}
}

// word reads a word of letters, marks and digits starting at u[i]; an
// apostrophe between two letters stays inside (library's, O’Brien), for
// bleve's possessive filter. Letters and digits that touch make one word
// (ISO9001, COVID19) so that a code is found as typed. It returns the index
// after the word.
func (s *segmenter) word(i int) int {
	u := s.units
	j := i
	letters := false
	for ; j < len(u); j++ {
		r := u[j].r
		if isWordChar(r) {
			letters = letters || !unicode.IsDigit(r)
			continue
		}
		if (r == '\'' || r == '’') && j > i && j+1 < len(u) &&
			unicode.IsLetter(u[j-1].r) && unicode.IsLetter(u[j+1].r) && isWordChar(u[j+1].r) {
			continue
		}
		break
	}
	kind := Numeric
	if letters {
		kind = Alphanumeric
	}
	s.emit(u[i:j], kind, true)
	return j
}

// isWordChar reports the characters of a non-Thai word: letters, digits
// (Thai digits included) and combining marks, except Thai letters and
// ideographs, which are segmented on their own.
func isWordChar(r rune) bool {
	if isThaiLetter(r) || isIdeograph(r) || r == maiYamok || r == paiyannoi {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// isIdeograph reports characters of scripts written without spaces that
// this package has no dictionary for; each is a token of its own, as in
// bleve's unicode tokenizer.
func isIdeograph(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

func (s *segmenter) emit(u []unit, kind Kind, known bool) {
	start, end := u[0].start, u[len(u)-1].end
	term := s.text[start:end]
	if !verbatim(u) {
		s.term = s.term[:0]
		for _, x := range u {
			if x.r >= thaiZero && x.r <= thaiNine {
				x.r = '0' + x.r - thaiZero
			}
			s.term = utf8.AppendRune(s.term, x.r)
		}
		term = string(s.term)
	}
	s.tokens = append(s.tokens, Token{Term: term, Start: start, End: end, Known: known, Kind: kind})
}

// verbatim reports whether u is spelt in the text as it is normalised, so
// that a term can share the text's bytes.
func verbatim(u []unit) bool {
	for i, x := range u {
		if x.changed || (x.r >= thaiZero && x.r <= thaiNine) || (i > 0 && x.start != u[i-1].end) {
			return false
		}
	}
	return true
}

// clampOverlaps keeps offsets increasing where a token was cut inside a
// character sequence that NFC rewrote as a whole (its characters all span
// the whole sequence): the later token starts where the earlier one ends,
// and is dropped if nothing is left.
func clampOverlaps(t []Token) []Token {
	out := t[:0]
	end := 0
	for _, x := range t {
		if x.Start < end {
			x.Start = end
		}
		if x.End <= x.Start {
			continue
		}
		out = append(out, x)
		end = x.End
	}
	return out
}
