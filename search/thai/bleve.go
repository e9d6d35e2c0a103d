package thai

import (
	"fmt"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// Name is the type under which the tokenizer is registered with bleve. Its
// configuration takes one key, "dictionaries": a list of files for LoadDict
// (DefaultPaths if absent).
const Name = "thai"

// analyzerFilters are the token filters that AddAnalyzer chains after the
// tokenizer, for text that mixes Thai and English: English possessives
// dropped, lower case, then the Snowball English stemmer (Universities and
// university both become univers). Thai terms pass through them unchanged.
var analyzerFilters = []string{en.PossessiveName, lowercase.Name, en.SnowballStemmerName}

func init() {
	if err := registry.RegisterTokenizer(Name, construct); err != nil {
		panic(err)
	}
}

// New returns a bleve tokenizer that segments text with d. Thai words are
// of type analysis.Ideographic, numbers analysis.Numeric and other words
// analysis.AlphaNumeric; positions count from 1 without gaps.
func New(d *Dict) analysis.Tokenizer { return tokenizer{d} }

type tokenizer struct{ dict *Dict }

func (t tokenizer) Tokenize(input []byte) analysis.TokenStream {
	words := t.dict.Segment(string(input))
	tokens := make([]analysis.Token, len(words))
	stream := make(analysis.TokenStream, len(words))
	for i, w := range words {
		// Share the input's bytes when the term is spelt as in the text,
		// as bleve's own tokenizers do.
		term := input[w.Start:w.End]
		if string(term) != w.Term {
			term = []byte(w.Term)
		}
		tokens[i] = analysis.Token{
			Term: term, Start: w.Start, End: w.End, Position: i + 1, Type: tokenType[w.Kind],
		}
		stream[i] = &tokens[i]
	}
	return stream
}

var tokenType = [...]analysis.TokenType{
	Alphanumeric: analysis.AlphaNumeric,
	Ideographic:  analysis.Ideographic,
	Numeric:      analysis.Numeric,
}

// AddAnalyzer defines in m an analyzer called name: the thai tokenizer with
// the given dictionaries (DefaultPaths if none), then bleve's possessive_en,
// to_lower and stemmer_en_snowball filters. Use
// it as the analyzer of fields with Thai text, and for queries on them.
func AddAnalyzer(m *mapping.IndexMappingImpl, name string, dictionaries ...string) error {
	tok := Name
	if len(dictionaries) > 0 {
		tok = name + "_tokenizer"
		err := m.AddCustomTokenizer(tok, map[string]any{"type": Name, "dictionaries": dictionaries})
		if err != nil {
			return err
		}
	}
	return m.AddCustomAnalyzer(name, map[string]any{
		"type":          custom.Name,
		"tokenizer":     tok,
		"token_filters": analyzerFilters,
	})
}

// construct builds the tokenizer for bleve's registry, which asks for it by
// name with a configuration map; hence the cache of dictionaries below.
func construct(config map[string]any, _ *registry.Cache) (analysis.Tokenizer, error) {
	paths, err := configPaths(config["dictionaries"])
	if err != nil {
		return nil, err
	}
	d, err := loaded.get(paths)
	if err != nil {
		return nil, err
	}
	return New(d), nil
}

func configPaths(v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return DefaultPaths, nil
	case []string:
		return v, nil
	case []any:
		paths := make([]string, len(v))
		for i, p := range v {
			s, ok := p.(string)
			if !ok {
				return nil, fmt.Errorf("thai tokenizer: \"dictionaries\" must list file paths, not %v", p)
			}
			paths[i] = s
		}
		return paths, nil
	}
	return nil, fmt.Errorf("thai tokenizer: \"dictionaries\" must be a list of file paths, not %T", v)
}

// loaded keeps the dictionaries that tokenizers were built with, so that
// every index and analyzer using the same files shares one copy (about a
// megabyte each, and tens of milliseconds to load).
var loaded = dictCache{dicts: map[string]*Dict{}}

type dictCache struct {
	mu    sync.Mutex
	dicts map[string]*Dict // by paths joined with NUL
}

func (c *dictCache) get(paths []string) (*Dict, error) {
	key := strings.Join(paths, "\x00")
	c.mu.Lock()
	defer c.mu.Unlock()
	if d, ok := c.dicts[key]; ok {
		return d, nil
	}
	d, err := LoadDict(paths...)
	if err != nil {
		return nil, err
	}
	c.dicts[key] = d
	return d, nil
}

// Shared returns the dictionary of the given files (DefaultPaths if none),
// loaded once and shared with every tokenizer built from the same files,
// so that other searches segment Thai exactly as the index does.
func Shared(paths ...string) (*Dict, error) {
	if len(paths) == 0 {
		paths = DefaultPaths
	}
	return loaded.get(paths)
}
