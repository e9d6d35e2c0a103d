package thai

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

const mouPath = "../../testdata/samples/cmu-library-mou-2562.txt"

func mou(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(mouPath)
	if err != nil {
		t.Fatalf("the Thai sample is needed: %v", err)
	}
	return string(b)
}

func terms(ts []Token) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Term
	}
	return out
}

// render shows tokens as a|b|[c]: brackets mark unknown clusters.
func render(ts []Token) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Term
		if !t.Known {
			out[i] = "[" + t.Term + "]"
		}
	}
	return strings.Join(out, "|")
}

func TestSegmentThaiSentences(t *testing.T) {
	d := libthai(t)
	for _, c := range []struct{ in, want, why string }{
		{"", "", "empty"},
		{"มหาวิทยาลัยเชียงใหม่", "มหาวิทยาลัย|เชียงใหม่", "known words of a compound name"},
		{"จุฬาลงกรณ์มหาวิทยาลัย", "จุฬาลงกรณ์|มหาวิทยาลัย", "known words of a compound name"},
		{"ลงนามความร่วมมือทางวิชาการ", "ลง|นาม|ความ|ร่วมมือ|ทาง|วิชาการ", "a phrase of the sample"},
		{"ส่งเสริมการใช้ทรัพยากรสารสนเทศ", "ส่งเสริม|การ|ใช้|ทรัพยากร|สารสนเทศ", "a phrase of the sample"},
		{"ภาษาไทยเป็นภาษาที่ไม่มีการเว้นวรรค", "ภาษา|ไทย|เป็น|ภาษา|ที่|ไม่|มี|การ|เว้น|วรรค", "a sentence"},
		{"แมวกินปลา", "แมว|กิน|ปลา", "short words"},
		{"ตาราง", "ตาราง", "ตา is not found inside ตาราง"},
		{"ดูตา", "ดู|ตา", "but is a word after ดู"},
		{"ธรรมดา", "ธรรมดา", "มา is not found inside ธรรมดา"},
		{"เปลี่ยนแปลง", "เปลี่ยนแปลง", "a word with two leading vowels"},
		{"อิเล็กทรอนิกส์", "อิเล็กทรอนิกส์", "a loanword"},
		{"ไปร่วมงาน", "ไป|ร่วม|งาน", "ไป then a word on ร"},
		{"กรุงเทพฯ", "กรุงเทพ", "ฯ ends an abbreviation and is no token"},
		{"นายกฯ ไปกรุงเทพฯ", "นายก|ไป|กรุงเทพ", "ฯ inside a sentence"},
		{"หนังสือ ตำรา ฯลฯ", "หนังสือ|ตำรา", "ฯลฯ is dropped"},
		{"หนังสือฯลฯ", "หนังสือ", "ฯลฯ right after a word"},
		{"ต่างๆ", "ต่าง", "ๆ is no token"},
		{"ใหม่ ๆ", "ใหม่", "ๆ after a space"},
		{"ทุกๆด้าน", "ทุก|ด้าน", "ๆ does not glue words"},
		{"ปี ๒๕๖๒", "ปี|2562", "Thai digits, one number"},
		{"๓สถาบัน", "3|สถาบัน", "a digit before Thai"},
	} {
		if got := render(d.Segment(c.in)); got != c.want {
			t.Errorf("%s: Segment(%s) = %s, want %s", c.why, c.in, got, c.want)
		}
	}
}

func TestSegmentMixedScripts(t *testing.T) {
	d := libthai(t)
	for _, c := range []struct{ in, want, why string }{
		{"ISO 9001:2015", "ISO|9001|2015", "letters and numbers"},
		{"ISO9001", "ISO9001", "letters and digits that touch stay one word"},
		{"มาตรฐาน ISO 9001:2015 เพื่อ", "มาตรฐาน|ISO|9001|2015|เพื่อ", "Thai around Latin"},
		{"ระบบOpenAccessของห้องสมุด", "ระบบ|OpenAccess|ของ|ห้องสมุด", "Latin inside Thai, no spaces"},
		{"18 มิถุนายน 2562 , 09:28 น.", "18|มิถุนายน|2562|09|28|[น]", "a dateline"},
		{"the library's Universities", "the|library's|Universities", "apostrophe inside a word, case kept"},
		{"'quoted' text", "quoted|text", "quotes around a word are not part of it"},
		{"Café e\u0301cole", "Café|\u00e9cole", "NFC"},
		{"ปี๒๕๖๒ISO", "ปี|2562ISO", "Thai digits then Latin"},
		{"東京タワー", "東|京|タ|ワ|ー", "ideographs and kana one by one"},
		{"โควิด-19", "โควิด|19", "a hyphen separates"},
	} {
		if got := render(d.Segment(c.in)); got != c.want {
			t.Errorf("%s: Segment(%s) = %s, want %s", c.why, c.in, got, c.want)
		}
	}
}

func TestSegmentNormalisesThaiTerms(t *testing.T) {
	d := libthai(t)
	// Decomposed sara am, a tone mark before its vowel, a zero-width space.
	in := "น\u0e4d\u0e49\u0e32ท\u0e48\u0e35ห้อง\u200bสมุด"
	got := d.Segment(in)
	if r := render(got); r != "น้ำ|ที่|ห้องสมุด" {
		t.Fatalf("Segment(%+q) = %s", in, r)
	}
	if got[0].Start != 0 || got[0].End != len("น\u0e4d\u0e49\u0e32") || got[2].End != len(in) {
		t.Errorf("offsets %+v", got)
	}
}

func TestSegmentOffsetsPointIntoTheText(t *testing.T) {
	d := libthai(t)
	text := mou(t)
	for _, tok := range d.Segment(text) {
		if text[tok.Start:tok.End] != tok.Term && !strings.ContainsAny(text[tok.Start:tok.End], "๐๑๒๓๔๕๖๗๘๙") {
			t.Errorf("token %q has offsets [%d,%d) = %q", tok.Term, tok.Start, tok.End, text[tok.Start:tok.End])
		}
	}
}

func TestSegmentNeverCutsACluster(t *testing.T) {
	d := libthai(t)
	text := mou(t)
	cut := map[int]bool{}
	for _, tok := range d.Segment(text) {
		cut[tok.Start], cut[tok.End] = true, true
	}
	// Check every Thai run of the sample against its clusters.
	for _, run := range thaiRuns(text) {
		rs := []rune(text[run[0]:run[1]])
		allowed := map[int]bool{}
		off := run[0]
		b := clusterBounds(rs, nil)
		for i, k := 0, 0; i <= len(rs); i++ {
			if k < len(b) && b[k] == i {
				allowed[off] = true
				k++
			}
			if i < len(rs) {
				off += utf8.RuneLen(rs[i])
			}
		}
		for p := run[0]; p <= run[1]; p++ {
			if cut[p] && !allowed[p] {
				t.Errorf("a token boundary cuts a cluster at %d: %q|%q", p, text[run[0]:p], text[p:run[1]])
			}
		}
	}
}

// thaiRuns returns the byte ranges of the runs of Thai letters in text.
func thaiRuns(text string) [][2]int {
	var runs [][2]int
	start := -1
	for i, r := range text {
		switch {
		case isThaiLetter(r) && start < 0:
			start = i
		case !isThaiLetter(r) && start >= 0:
			runs = append(runs, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		runs = append(runs, [2]int{start, len(text)})
	}
	return runs
}

func TestSegmentFindsUnknownNamesAsPhrases(t *testing.T) {
	d := libthai(t)
	text := mou(t)
	inText := terms(d.Segment(text))
	// Names from the sample that the dictionary does not hold whole, and a
	// transliteration with a spelling of its own.
	for _, name := range []string{"วรารักษ์", "พัฒนเกียรติพงศ์", "พิมลกัลย์", "เดชะชัย", "คอลเลคชัน", "นางสาววรารักษ์ พัฒนเกียรติพงศ์"} {
		if d.Contains(name) {
			t.Errorf("%s is in the dictionary; pick another name", name)
		}
		query := terms(d.Segment(name))
		if !containsRun(inText, query) {
			t.Errorf("%s: query tokens %q do not occur in a row in the text", name, query)
		}
	}
	// The same names in other sentences.
	for _, c := range []struct{ sentence, name string }{
		{"คุณพิมลกัลย์ เดชะชัยเขียนข่าวนี้", "พิมลกัลย์ เดชะชัย"},
		{"ผู้อำนวยการชื่อวรารักษ์ไปประชุม", "วรารักษ์"},
		{"ห้องสมุดมีคอลเลคชันพิเศษ", "คอลเลคชัน"},
	} {
		if q, s := terms(d.Segment(c.name)), terms(d.Segment(c.sentence)); !containsRun(s, q) {
			t.Errorf("%s in %s: %q not in %q", c.name, c.sentence, q, s)
		}
	}
}

func TestSegmentMarksUnknownClusters(t *testing.T) {
	d := libthai(t)
	got := d.Segment("ข่าวโดยพิมลกัลย์")
	if render(got) != "ข่าว|โดย|พิมล|[กัลย์]" {
		t.Fatalf("got %s", render(got))
	}
}

func containsRun(hay, needle []string) bool {
	if len(needle) == 0 {
		return false
	}
	for i := range hay {
		if i+len(needle) <= len(hay) && slices.Equal(hay[i:i+len(needle)], needle) {
			return true
		}
	}
	return false
}

func TestSegmentSurvivesGarbage(t *testing.T) {
	d := libthai(t)
	for _, in := range []string{"\xff\xfe\xfd", "ก\xe0\xb8", "\xe0\xb8\x81\xe0", "่่่่", "ๆๆฯฯ", "ฯล", "ฯลฯฯลฯ", "\u0e4d", "\u0e4d\u0e48", "ะาำ", "เเเ", "ก\u0301\u0e48", "\x00\x01", strings.Repeat("ก", 5000), strings.Repeat("\u0e48", 50000) + strings.Repeat("\u0e34", 50000)} {
		checkTokens(t, in, d.Segment(in))
	}
}

// checkTokens verifies what FuzzSegment promises: offsets in range and in
// order, terms not empty and already normal.
func checkTokens(t *testing.T, in string, ts []Token) {
	t.Helper()
	end := 0
	for _, tok := range ts {
		if tok.Term == "" || tok.Start < end || tok.End <= tok.Start || tok.End > len(in) {
			t.Fatalf("Segment(%s): bad token %+v after offset %d", abbrev(in), tok, end)
		}
		if n := normalized(tok.Term); n != tok.Term {
			t.Fatalf("Segment(%s): term %s normalises to %s", abbrev(in), abbrev(tok.Term), abbrev(n))
		}
		end = tok.End
	}
}

// abbrev quotes s, cut short if long.
func abbrev(s string) string {
	if len(s) > 60 {
		return fmt.Sprintf("%+q… (%d bytes)", s[:60], len(s))
	}
	return fmt.Sprintf("%+q", s)
}

func FuzzSegment(f *testing.F) {
	d := libthai(f)
	for _, s := range []string{"", "มหาวิทยาลัยเชียงใหม่", "กรุงเทพฯ ต่างๆ ฯลฯ", "ISO9001 ๒๕๖๒", "น\u0e4d\u0e49\u0e32", "e\u0301\u0301", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkTokens(t, in, d.Segment(in))
	})
}

func BenchmarkSegment(b *testing.B) {
	d := libthai(b)
	text := mou(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		d.Segment(text)
	}
}
