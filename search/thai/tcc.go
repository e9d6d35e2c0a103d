package thai

// Thai Character Clusters: the smallest stretches of a Thai run that a word
// boundary may not cut. A consonant keeps the vowels and marks written
// around it, so no word ends between a leading vowel and its consonant, or
// before a tone mark, an above or below vowel, ะ, า or ำ.
//
// The rules follow the idea of Theeramunkong et al., "Character Cluster
// Based Thai Information Retrieval" (IRAL 2000), written as "may a boundary
// fall before this character" rather than as the paper's patterns.

const (
	maiHanAkat  = '\u0e31' // ั
	saraI       = '\u0e34' // ิ
	saraII      = '\u0e35' // ี
	saraUee     = '\u0e37' // ื
	saraU       = '\u0e38' // ุ
	maiTaikhu   = '\u0e47' // ็
	thanthakhat = '\u0e4c' // ์
	nikhahit    = '\u0e4d' // ํ
	saraAa      = '\u0e32' // า
	saraAm      = '\u0e33' // ำ
	saraE       = '\u0e40' // เ
	saraAe      = '\u0e41' // แ
	paiyannoi   = '\u0e2f' // ฯ
	maiYamok    = '\u0e46' // ๆ
	thaiZero    = '\u0e50' // ๐
	thaiNine    = '\u0e59' // ๙
)

func isConsonant(r rune) bool    { return r >= 'ก' && r <= 'ฮ' }
func isLeadingVowel(r rune) bool { return r >= 'เ' && r <= 'ไ' }
func isTone(r rune) bool         { return r >= '\u0e48' && r <= '\u0e4b' }

// isFollowingVowel reports ะ า ำ and ๅ (lakkhangyao, after ฤ and ฦ).
func isFollowingVowel(r rune) bool {
	return r == '\u0e30' || r == saraAa || r == saraAm || r == '\u0e45'
}

// isMark reports the combining marks: ั, the above and below vowels, phinthu,
// ็, the tone marks, ์, ํ and ๎.
func isMark(r rune) bool {
	return r == maiHanAkat || (r >= saraI && r <= '\u0e3a') || (r >= maiTaikhu && r <= '\u0e4e')
}

// isThaiLetter reports the characters that make up a Thai run: consonants,
// vowels and marks, but not digits, ๆ, ฯ or the Thai punctuation signs.
func isThaiLetter(r rune) bool {
	return (r >= 'ก' && r <= 'ฮ') || (r >= '\u0e30' && r <= '\u0e3a') ||
		(r >= 'เ' && r <= '\u0e45') || (r >= maiTaikhu && r <= '\u0e4e')
}

// clusterBounds appends to dst the rune offsets in rs at which a cluster
// starts, followed by len(rs); an empty rs yields just 0.
func clusterBounds(rs []rune, dst []int) []int {
	dst = append(dst, 0)
	start := 0
	for i := 1; i < len(rs); i++ {
		if breakable(rs, i, start) {
			dst = append(dst, i)
			start = i
		}
	}
	if len(rs) > 0 {
		dst = append(dst, len(rs))
	}
	return dst
}

// breakable reports whether a cluster may end before rs[i], given that the
// current cluster started at rs[start].
func breakable(rs []rune, i, start int) bool {
	r := rs[i]
	if isMark(r) || isFollowingVowel(r) || isLeadingVowel(rs[i-1]) {
		return false
	}
	if !isConsonant(r) {
		return true
	}
	if silenced(rs, i) {
		return false
	}
	if i == start+2 && (rs[start] == saraE || rs[start] == saraAe) && isConsonant(rs[i-1]) &&
		i+1 < len(rs) && (rs[i+1] == saraII || rs[i+1] == saraUee || rs[i+1] == maiTaikhu) {
		// เ-ีย, เ-ือ, เ-็ and แ-็ written around two consonants: one
		// syllable (เปลี่ยน, เกลือ, เสด็จ). Not so for other marks:
		// ไปร่วม is ไป ร่วม.
		return false
	}
	v := vowelBefore(rs, i, start)
	switch {
	case v == maiHanAkat:
		// ั never ends a syllable: the next consonant is its final or the
		// ว of ัว (กัน, ตัว, สัตว์).
		return false
	case v == saraUee && r == 'อ':
		// ือ (มือ, เมือง).
		return false
	case v == saraII && r == 'ย' && rs[start] == saraE:
		// เ-ีย (เรียน, เปลี่ยน).
		return false
	case v == maiTaikhu && (rs[start] == saraE || rs[start] == saraAe):
		// เ-็ and แ-็ take a final consonant (เล็ก, แข็ง).
		return false
	}
	return true
}

// silenced reports whether the consonant rs[i] is made silent by a
// thanthakhat, alone or with the consonant or vowel after it (จันทร์,
// ศาสตร์, พันธุ์): it then belongs to the syllable before.
func silenced(rs []rune, i int) bool {
	at := func(k int) rune {
		if k < len(rs) {
			return rs[k]
		}
		return 0
	}
	next := at(i + 1)
	if next == thanthakhat {
		return true
	}
	return (next == saraI || next == saraU || isConsonant(next)) && at(i+2) == thanthakhat
}

// vowelBefore returns the mark before rs[i] within the current cluster,
// skipping tone marks, or 0.
func vowelBefore(rs []rune, i, start int) rune {
	j := i - 1
	for j > start && isTone(rs[j]) {
		j--
	}
	if j < start || !isMark(rs[j]) {
		return 0
	}
	return rs[j]
}
