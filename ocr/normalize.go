package ocr

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// isThai reports a character of the Thai block that is not a sign written
// apart (ฯ, ๆ, ๏, ๚, ๛): the letters, vowels and marks words are made of,
// and the digits numbers are.
func isThai(r rune) bool {
	return r >= 0x0e01 && r <= 0x0e59 && r != 0x0e2f && r != 0x0e46 && r != 0x0e4f
}

// Normalize makes a page's text what search expects: every word in NFC,
// without spaces inside Thai words, and adjacent pieces of Thai that the
// reader cut apart although nothing separates them on the page joined
// again into one word with one box. Thai is written without spaces between
// words, so a gap narrower than a space between two Thai pieces is not a
// word boundary; Tesseract's Thai model leaves such cuts, and puts spaces
// between characters in places. Thai digits are kept as printed.
func Normalize(p *Page) {
	for i := range p.Lines {
		l := &p.Lines[i]
		// Measured on Tesseract's boxes of Thai set at 300 dpi: pieces of
		// one word lie up to a quarter of the line's height apart, the
		// spaces between phrases a third or more.
		gap := max(2, l.Box.H*3/10)
		var out []Word
		for _, w := range l.Words {
			w.Text = cleanWord(w.Text)
			if w.Text == "" {
				continue
			}
			if n := len(out); n > 0 {
				prev := &out[n-1]
				last, _ := utf8.DecodeLastRuneInString(prev.Text)
				first, _ := utf8.DecodeRuneInString(w.Text)
				if isThai(last) && isThai(first) && w.Box.X-(prev.Box.X+prev.Box.W) < gap {
					prev.Text += w.Text
					prev.Box = prev.Box.Union(w.Box)
					prev.Conf = min(prev.Conf, w.Conf)
					continue
				}
			}
			out = append(out, w)
		}
		l.Words = out
	}
	lines := p.Lines[:0]
	for _, l := range p.Lines {
		if len(l.Words) > 0 {
			lines = append(lines, l)
		}
	}
	p.Lines = lines
}

// cleanWord is a word in NFC without control characters, zero-width
// characters or spaces, except spaces between words of other scripts.
func cleanWord(s string) string {
	s = norm.NFC.String(s)
	rs := []rune(strings.TrimSpace(s))
	var b strings.Builder
	for i, r := range rs {
		switch {
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || unicode.IsControl(r):
			continue
		case unicode.IsSpace(r):
			// A space with Thai on either side is a stray one.
			if i > 0 && i+1 < len(rs) && (isThai(rs[i-1]) || isThai(rs[i+1])) {
				continue
			}
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}
