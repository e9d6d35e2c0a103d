package ead

import (
	"strings"
	"unicode"
)

// language is one of the languages the archive names by code: its ISO
// 639-1 code (our key), ISO 639-2/B (EAD's), ISO 639-2/T, and the script
// it is written in (ISO 15924).
type language struct{ two, bib, term, script string }

var languages = []language{
	{"th", "tha", "tha", "Thai"}, {"en", "eng", "eng", "Latn"}, {"he", "heb", "heb", "Hebr"}, {"yi", "yid", "yid", "Hebr"},
	{"uk", "ukr", "ukr", "Cyrl"}, {"ru", "rus", "rus", "Cyrl"}, {"be", "bel", "bel", "Cyrl"}, {"bg", "bul", "bul", "Cyrl"},
	{"mk", "mac", "mkd", "Cyrl"}, {"sr", "srp", "srp", "Cyrl"}, {"ar", "ara", "ara", "Arab"}, {"fa", "per", "fas", "Arab"},
	{"ur", "urd", "urd", "Arab"}, {"el", "gre", "ell", "Grek"}, {"zh", "chi", "zho", "Hani"}, {"ja", "jpn", "jpn", "Jpan"},
	{"ko", "kor", "kor", "Hang"}, {"lo", "lao", "lao", "Laoo"}, {"km", "khm", "khm", "Khmr"}, {"my", "bur", "mya", "Mymr"},
	{"hi", "hin", "hin", "Deva"}, {"sa", "san", "san", "Deva"}, {"de", "ger", "deu", "Latn"}, {"fr", "fre", "fra", "Latn"},
	{"es", "spa", "spa", "Latn"}, {"it", "ita", "ita", "Latn"}, {"pt", "por", "por", "Latn"}, {"nl", "dut", "nld", "Latn"},
	{"pl", "pol", "pol", "Latn"}, {"cs", "cze", "ces", "Latn"}, {"la", "lat", "lat", "Latn"}, {"id", "ind", "ind", "Latn"},
	{"ms", "may", "msa", "Latn"}, {"vi", "vie", "vie", "Latn"}, {"tr", "tur", "tur", "Latn"}, {"sv", "swe", "swe", "Latn"},
	{"da", "dan", "dan", "Latn"}, {"no", "nor", "nor", "Latn"}, {"fi", "fin", "fin", "Latn"}, {"hu", "hun", "hun", "Latn"},
	{"ro", "rum", "ron", "Latn"}, {"hr", "hrv", "hrv", "Latn"}, {"sk", "slo", "slk", "Latn"}, {"sl", "slv", "slv", "Latn"},
	{"lt", "lit", "lit", "Latn"}, {"lv", "lav", "lav", "Latn"}, {"et", "est", "est", "Latn"}, {"ga", "gle", "gle", "Latn"},
	{"cy", "wel", "cym", "Latn"}, {"is", "ice", "isl", "Latn"}, {"sq", "alb", "sqi", "Latn"}, {"eu", "baq", "eus", "Latn"},
	{"ca", "cat", "cat", "Latn"},
}

func lookupLang(code string) (language, bool) {
	for _, l := range languages {
		if code == l.two || code == l.bib || code == l.term {
			return l, true
		}
	}
	return language{}, false
}

// code2 is our language code for EAD's (ISO 639-2/B or /T, 639-1, or a
// language tag): the ISO 639-1 code where there is one, else the code as
// given, lower-case. "und" with a script is "und-" and the script.
func code2(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	primary, rest, _ := strings.Cut(l, "-")
	if primary == "und" && len(rest) == 4 {
		return "und-" + strings.ToUpper(rest[:1]) + rest[1:]
	}
	if x, ok := lookupLang(primary); ok {
		return x.two
	}
	return l
}

// code3 is EAD's language code (ISO 639-2/B) for ours, and the script
// (ISO 15924) when the language is not known ("und-Cyrl": "und", "Cyrl").
func code3(l string) (code, script string) {
	if s, ok := strings.CutPrefix(l, "und-"); ok {
		return "und", s
	}
	if x, ok := lookupLang(l); ok {
		return x.bib, ""
	}
	return l, ""
}

// langAttrs are the lang (and script) attributes of a text in l; none for
// a text in no language ("none").
func langAttrs(l string) []string {
	if l == "none" || l == "" {
		return nil
	}
	code, script := code3(l)
	if script != "" {
		return []string{"lang", code, "script", script}
	}
	return []string{"lang", code}
}

// languageNames are the codes of languages a finding aid names in words
// only (<language>English</language>, without langcode).
var languageNames = map[string]string{"english": "en", "thai": "th", "ไทย": "th", "ภาษาไทย": "th", "อังกฤษ": "en", "ภาษาอังกฤษ": "en",
	"french": "fr", "german": "de", "spanish": "es", "hebrew": "he", "ukrainian": "uk", "russian": "ru", "chinese": "zh", "japanese": "ja"}

// declared lists the finding aid's languages of description (EAD 2002
// <profiledesc><langusage><language langcode>, EAD3 <control>
// <languagedeclaration><language langcode>, or a language named in words),
// as our codes.
func declared(root *node) []string {
	var out []string
	var walk func(n *node, in bool)
	walk = func(n *node, in bool) {
		for _, k := range n.kids {
			switch {
			case k.name == "archdesc":
				continue
			case in && k.name == "language" && k.attr["langcode"] != "":
				out = append(out, code2(k.attr["langcode"]))
			case in && k.name == "language" && languageNames[strings.ToLower(strings.Trim(k.all(), " ."))] != "":
				out = append(out, languageNames[strings.ToLower(strings.Trim(k.all(), " ."))])
			}
			walk(k, in || k.name == "langusage" || k.name == "languagedeclaration")
		}
	}
	walk(root, false)
	return out
}

// textLang is the language of text read from k: the lang (xml:lang) of k
// or its nearest ancestor that has one; else the first language the
// finding aid declares that is written in the text's script; else the
// language the script is written in when only one is (Thai, Hebrew,
// Greek…); else "und" with the script (Latin and Cyrillic serve many
// languages), never a blanket English. Text without letters is in no
// language ("none") unless the finding aid declares one.
func textLang(k *node, text string) string {
	root := k
	for n := k; n != nil; n = n.up {
		if l := n.attr["lang"]; l != "" {
			if s := n.attr["script"]; code2(l) == "und" && len(s) == 4 {
				return code2("und-" + s)
			}
			return code2(l)
		}
		root = n
	}
	script := scriptOf(text)
	if script == "" {
		if len(root.declared) > 0 {
			return root.declared[0]
		}
		return "none"
	}
	for _, d := range root.declared {
		x, known := lookupLang(d)
		if known && (x.script == script || x.script == "Jpan" && script == "Hani") || !known && script == "Latn" {
			return d
		}
	}
	for _, only := range []string{"Thai", "Hebr", "Arab", "Grek", "Hani", "Hang", "Jpan", "Laoo", "Khmr", "Mymr"} {
		if script == only {
			for _, x := range languages {
				if x.script == only {
					return x.two
				}
			}
		}
	}
	return "und-" + script
}

// scripts are those textLang tells apart, with their ISO 15924 codes.
var scripts = []struct {
	table *unicode.RangeTable
	code  string
}{
	{unicode.Latin, "Latn"}, {unicode.Thai, "Thai"}, {unicode.Cyrillic, "Cyrl"}, {unicode.Hebrew, "Hebr"},
	{unicode.Arabic, "Arab"}, {unicode.Greek, "Grek"}, {unicode.Han, "Hani"}, {unicode.Hangul, "Hang"},
	{unicode.Hiragana, "Jpan"}, {unicode.Katakana, "Jpan"}, {unicode.Lao, "Laoo"}, {unicode.Khmer, "Khmr"},
	{unicode.Myanmar, "Mymr"}, {unicode.Devanagari, "Deva"},
}

// scriptOf is the script most of the text's letters are in; any kana
// makes Han Japanese. "" for text without letters.
func scriptOf(text string) string {
	count := map[string]int{}
	for _, r := range text {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
			continue
		}
		for _, s := range scripts {
			if unicode.Is(s.table, r) {
				count[s.code]++
				break
			}
		}
	}
	if count["Jpan"] > 0 {
		count["Jpan"] += count["Hani"]
		delete(count, "Hani")
	}
	best := ""
	for _, s := range scripts {
		if count[s.code] > count[best] {
			best = s.code
		}
	}
	return best
}
