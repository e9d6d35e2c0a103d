package thai

import (
	"strings"
	"testing"
)

func clusters(s string) string {
	rs := []rune(s)
	b := clusterBounds(rs, nil)
	parts := make([]string, 0, len(b))
	for i := 0; i+1 < len(b); i++ {
		parts = append(parts, string(rs[b[i]:b[i+1]]))
	}
	return strings.Join(parts, "|")
}

func TestClustersKeepVowelsAndMarksWithTheirConsonant(t *testing.T) {
	for _, c := range []struct{ word, want, why string }{
		{"", "", "nothing"},
		{"ก", "ก", "a lone consonant"},
		{"เกาะ", "เกาะ", "เ attaches forward, า and ะ backward"},
		{"ไม้", "ไม้", "ไ forward, tone mark backward"},
		{"ที่", "ที่", "above vowel and tone mark"},
		{"ผู้", "ผู้", "below vowel and tone mark"},
		{"โต๊ะ", "โต๊ะ", "โ, tone mark, ะ"},
		{"น้ำ", "น้ำ", "ำ attaches backward"},
		{"สำนัก", "สำ|นัก", "ั takes its final consonant"},
		{"ตัว", "ตัว", "ัว"},
		{"กลัว", "ก|ลัว", "ัว after a second consonant"},
		{"เมือง", "เมือ|ง", "ือ"},
		{"เรียน", "เรีย|น", "เ-ีย"},
		{"เปลี่ยน", "เปลี่ย|น", "เ-ีย around two consonants"},
		{"เล็ก", "เล็ก", "เ-็ takes a final"},
		{"แข็ง", "แข็ง", "แ-็ takes a final"},
		{"เสด็จ", "เสด็จ", "เ-็ around two consonants"},
		{"ก็", "ก็", "็ alone"},
		{"จันทร์", "จันทร์", "์ silences two consonants"},
		{"ศาสตร์", "ศา|สตร์", "์ silences ตร, which go with ส"},
		{"พันธุ์", "พันธุ์", "์ over a below vowel"},
		{"สัตว์", "สัตว์", "ั then ว์"},
		{"การ์ตูน", "การ์|ตู|น", "ร์ stays with กา"},
		{"เบอร์", "เบอร์", "อร์ after เ-"},
		{"ฤๅษี", "ฤๅ|ษี", "ๅ after ฤ"},
		{"ความ", "ค|วา|ม", "plain consonants may split"},
		{"ธรรมดา", "ธ|ร|ร|ม|ดา", "ร ร as consonants"},
		{"ใหม่", "ให|ม่", "ไ- and ใ- take one consonant only (ไปร่วม is ไป ร่วม)"},
		{"ไปร่วม", "ไป|ร่|ว|ม", "the tone mark stays on ร"},
		{"่ก", "่|ก", "a stray mark at the start of a run"},
	} {
		if got := clusters(c.word); got != c.want {
			t.Errorf("%s (%s): clusters %s, want %s", c.word, c.why, got, c.want)
		}
	}
}
