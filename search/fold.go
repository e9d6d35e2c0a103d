package search

import (
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"golang.org/x/text/unicode/norm"
)

// foldName is the token filter that folds accents off Latin letters
// (é → e, ü → u) and leaves every other script's marks alone: Thai vowels
// and tone marks are combining marks too, and part of the word.
const foldName = "fold_latin_accents"

func init() {
	if err := registry.RegisterTokenFilter(foldName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	}); err != nil {
		panic(err)
	}
}

type foldFilter struct{}

func (foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = foldAccents(t.Term)
	}
	return in
}

func foldAccents(b []byte) []byte {
	latinMark := false
	for _, r := range string(b) {
		if r >= 0x80 && (unicode.Is(unicode.Latin, r) || r >= 0x300 && r <= 0x36f) {
			latinMark = true
			break
		}
	}
	if !latinMark {
		return b
	}
	d := norm.NFD.Bytes(b)
	out := d[:0]
	for _, r := range string(d) {
		if r >= 0x300 && r <= 0x36f {
			continue
		}
		out = append(out, string(r)...)
	}
	return norm.NFC.Bytes(out)
}
