package repository

import "testing"

// TestHeadingsWrittenOtherwiseNormalizeAlike: Thai typed with its marks in
// another order or SARA AM in two characters, Latin decomposed, in other
// case or spacing, or ending in a full stop, is the same heading; other
// words are not.
func TestHeadingsWrittenOtherwiseNormalizeAlike(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"กำแพงเพชร", "ก\u0e4d\u0e32แพงเพชร"},
		{"ผ\u0e39\u0e49ใหญ่บ้าน", "ผ\u0e49\u0e39ใหญ่บ้าน"},
		{"Café society", "CAFE\u0301  society."},
		{"Chulalongkorn, King of Siam, 1853-1910", " chulalongkorn,\tking of siam, 1853-1910,"},
	} {
		if x, y := NormalizeHeading(tc.a), NormalizeHeading(tc.b); x != y {
			t.Errorf("%q and %q normalize to %q and %q", tc.a, tc.b, x, y)
		}
	}
	for _, tc := range []struct{ a, b string }{{"เชียงใหม่", "เชียงราย"}, {"Siam", "Sian"}} {
		if NormalizeHeading(tc.a) == NormalizeHeading(tc.b) {
			t.Errorf("%q and %q normalize alike", tc.a, tc.b)
		}
	}
}
