package thai

import (
	"slices"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// unit is one character of the normalised text with the byte span of the
// original text it came from, so that tokens report offsets into what the
// caller gave.
type unit struct {
	r          rune
	changed    bool // r is not what the text has at [start, end)
	start, end int
}

// normalize returns text as NFC characters, without zero-width characters,
// with Thai typing variants made canonical: a decomposed sara am (ํ า)
// becomes ำ, and an above or below vowel typed after a tone mark is put
// before it. Invalid UTF-8 bytes become U+FFFD, one per byte.
func normalize(text string, dst []unit) []unit {
	n := len(dst)
	dst, ok := appendThaiUnits(dst, text)
	if !ok {
		dst = appendNFCUnits(dst[:n], text)
	}
	return fixThai(dst)
}

// appendThaiUnits appends the characters of text if all are in
// quickRange, and reports whether they were. NFC then has nothing to
// compose, and the marks that it would reorder (below vowels, phinthu, tone
// marks) fixThai puts in the same order.
func appendThaiUnits(dst []unit, text string) ([]unit, bool) {
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
			if !quickRange(r) {
				return dst, false
			}
		}
		dst = append(dst, unit{r, false, i, i + size})
		i += size
	}
	return dst, true
}

// quickRange reports the characters that Thai text is mostly made of and
// that NFC never composes or changes: Latin up to the combining diacritics,
// the Thai block (whose marks NFC only reorders, as fixThai does), and
// general punctuation from the en space on (zero-width characters, dashes,
// curly quotes).
func quickRange(r rune) bool {
	return r < 0x0300 || (r >= 0x0e00 && r <= 0x0e7f) || (r >= 0x2002 && r <= 0x206f)
}

func appendNFCUnits(dst []unit, text string) []unit {
	var it norm.Iter
	it.InitString(norm.NFC, text)
	for !it.Done() {
		start := it.Pos()
		seg := it.Next()
		end := it.Pos()
		if string(seg) == text[start:end] {
			dst = appendUnits(dst, text[start:end], start)
			continue
		}
		// The segment was recomposed or reordered: every character of it
		// spans the whole segment.
		for _, r := range string(seg) {
			dst = append(dst, unit{r, true, start, end})
		}
	}
	return dst
}

func appendUnits(dst []unit, s string, base int) []unit {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		dst = append(dst, unit{r, false, base + i, base + i + size})
		i += size
	}
	return dst
}

// isIgnorable reports zero-width characters, which some Thai text carries
// as invisible line-break hints or by accident and which must not break or
// change a word.
func isIgnorable(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return true
	}
	return false
}

// fixThai rewrites u in place: drops ignorable characters, composes
// nikhahit + (tone marks) + sara aa into (tone marks) + sara am, and puts
// the marks over or under a consonant in their typing order: phinthu, then
// the vowel, then the tone mark. Spans stay in order: a composed ำ spans
// both characters it came from, and reordered marks keep the spans of the
// places they move to.
func fixThai(u []unit) []unit {
	out := u[:0]
	for i := 0; i < len(u); i++ {
		x := u[i]
		if isIgnorable(x.r) {
			continue
		}
		if x.r == nikhahit {
			j := i + 1
			for j < len(u) && isTone(u[j].r) {
				j++
			}
			if j < len(u) && u[j].r == saraAa {
				// Each tone mark moves one place left; ำ takes the last span.
				for k := i + 1; k < j; k++ {
					out = append(out, unit{u[k].r, true, u[k-1].start, u[k-1].end})
				}
				out = append(out, unit{saraAm, true, u[j-1].start, u[j].end})
				i = j
				continue
			}
		}
		out = append(out, x)
	}
	sortMarks(out)
	return out
}

// sortMarks puts each run of stacked marks in markRank order, keeping the
// spans in place.
func sortMarks(u []unit) {
	for i := 0; i < len(u); i++ {
		if markRank(u[i].r) == 0 {
			continue
		}
		j := i + 1
		for j < len(u) && markRank(u[j].r) > 0 {
			j++
		}
		run := u[i:j]
		if !slices.IsSortedFunc(run, byRank) {
			rs := make([]unit, len(run))
			copy(rs, run)
			slices.SortStableFunc(rs, byRank)
			for k := range run {
				run[k].r, run[k].changed = rs[k].r, true
			}
		}
		i = j
	}
}

func byRank(a, b unit) int { return markRank(a.r) - markRank(b.r) }

// markRank orders the marks that stack on a consonant: phinthu (1), the
// above and below vowels ั ิ ี ึ ื ุ ู (2), the tone marks (3); 0 for
// anything else, which is never moved. Among phinthu, ุ ู and the tone marks
// this is NFC's canonical order (combining classes 9, 103, 107).
func markRank(r rune) int {
	switch {
	case r == '\u0e3a':
		return 1
	case r == maiHanAkat || (r >= saraI && r <= '\u0e39'):
		return 2
	case isTone(r):
		return 3
	}
	return 0
}
