package thai

import (
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func normalized(s string) string {
	var b []byte
	for _, u := range normalize(s, nil) {
		b = utf8.AppendRune(b, u.r)
	}
	return string(b)
}

func TestNormalizeMakesThaiTypingVariantsCanonical(t *testing.T) {
	for _, c := range []struct{ in, want, why string }{
		{"น้ำ", "น้ำ", "already canonical"},
		{"น\u0e49\u0e4d\u0e32", "น้ำ", "tone mark, then nikhahit and sara aa"},
		{"น\u0e4d\u0e49\u0e32", "น้ำ", "nikhahit, tone mark, sara aa"},
		{"ก\u0e4d\u0e32", "กำ", "decomposed sara am"},
		{"ท\u0e48\u0e35", "ที่", "tone mark typed before the above vowel"},
		{"ผ\u0e49\u0e39", "ผู้", "tone mark typed before the below vowel (NFC's order too)"},
		{"ก\u200bา\u200cร\u200dก\ufeffิน", "การกิน", "zero-width characters"},
		{"e\u0301cole", "\u00e9cole", "NFC for Latin"},
		{"ฯลฯ", "ฯลฯ", "left to the segmenter"},
	} {
		if got := normalized(c.in); got != c.want {
			t.Errorf("%s: normalize(%+q) = %+q, want %+q", c.why, c.in, got, c.want)
		}
	}
}

func TestNormalizeKeepsOffsetsInOrderAndInTheText(t *testing.T) {
	for _, in := range []string{"น\u0e4d\u0e49\u0e32ตก", "a\u200bท\u0e48\u0e35b", "e\u0301\u0301x", "\xffก\xfe"} {
		// Characters that NFC rewrote together all span what they came from.
		var last unit
		for _, u := range normalize(in, nil) {
			if u.start < last.start || u.end < last.end || u.end <= u.start || u.end > len(in) {
				t.Errorf("%+q: unit %+q spans [%d,%d) after [%d,%d)", in, u.r, u.start, u.end, last.start, last.end)
			}
			last = u
		}
	}
}

// The fast path skips NFC for text in quickRange; it must give what NFC
// followed by fixThai gives.
func TestNormalizeFastPathAgreesWithNFC(t *testing.T) {
	marks := []rune{'ก', 'ร', '\u0e31', '\u0e34', '\u0e38', '\u0e39', '\u0e3a', '\u0e48', '\u0e49', '\u0e4c', '\u0e4d', '\u0e32', 'เ', 'a', '\u00e9', '\u200b'}
	var gen func(prefix []rune, n int)
	gen = func(prefix []rune, n int) {
		if n == 0 {
			s := string(prefix)
			fast, ok := appendThaiUnits(nil, s)
			if !ok {
				t.Fatalf("%+q not in the quick range", s)
			}
			slow := appendNFCUnits(nil, s)
			if a, b := runesOf(fixThai(fast)), runesOf(fixThai(slow)); a != b {
				t.Errorf("%+q: fast path %+q, NFC %+q", s, a, b)
			}
			return
		}
		for _, r := range marks {
			gen(append(prefix, r), n-1)
		}
	}
	gen(nil, 4)
}

func runesOf(u []unit) string {
	rs := make([]rune, len(u))
	for i, x := range u {
		rs[i] = x.r
	}
	return string(rs)
}

func TestQuickRangeIsLeftAloneByNFC(t *testing.T) {
	var in []rune
	for r := rune(0); r < 0x2070; r++ {
		if quickRange(r) && utf8.ValidRune(r) {
			in = append(in, r)
		}
	}
	for _, a := range in {
		if p := norm.NFC.PropertiesString(string(a)); p.CCC() != 0 && (a < 0x0e00 || a > 0x0e7f) {
			t.Errorf("%U has combining class %d", a, p.CCC())
		}
		if !norm.NFC.IsNormalString(string(a)) {
			t.Errorf("%U is not NFC", a)
		}
	}
	// No two characters of the range compose (sampled: every Latin-1 and Thai
	// character before every character of the range).
	for _, a := range in {
		if a > 0xff && (a < 0x0e00 || a > 0x0e7f) {
			continue
		}
		for _, b := range in {
			if s := string([]rune{a, b}); norm.NFC.String(s) != s && !(markRank(a) > 0 && markRank(b) > 0) {
				t.Errorf("%U %U: NFC changes it", a, b)
			}
		}
	}
}
