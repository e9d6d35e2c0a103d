// Package search is the archive's full-text index: bleve, with a Thai word
// segmenter, kept in step with the repository by following its change feed.
// Hits and facet counts come only from records the asker may read: each
// document carries the audiences access.Audience gives it (a restricted
// one, those of grants that would reach it), and every query is filtered by
// the asker's access.Audiences at the index's clock, grants in force then
// included.
package search

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/shingle"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/search/thai"
)

// layout names the mapping and analysis this program builds; an index
// made with another (or with other dictionaries) is rebuilt.
const layout = "13"

var (
	keyCursor = []byte("feed-cursor")
	keyLayout = []byte("layout")
)

// Options configure an index.
type Options struct {
	// Dictionaries are the Thai word lists (hunspell .dic or one word per
	// line); empty: thai.DefaultPaths.
	Dictionaries []string
	Log          *slog.Logger
	// Now is the clock (for embargoes and the end of grants); nil: time.Now.
	Now func() time.Time
	// Results is how many recent answers are kept (0: 512; negative: none).
	Results int
	// Texts reads the text kept beside pages (blob storage); nil: page
	// text is not indexed.
	Texts Texts
	// FacetSample bounds the hits facet values are counted over (0:
	// FacetSample); past it the counts are estimates.
	FacetSample int
	// Progress, when set, hears how many of how many items a rebuild of
	// the index has indexed, after each batch.
	Progress func(done, total int)
}

// Index is the search index of one archive.
type Index struct {
	path string
	src  Source
	opts Options
	text *textAnalyzer

	idxMu  sync.RWMutex // a rebuild swaps idx; a search holds it for reading
	idx    bleve.Index  // nil only when a failed swap left none
	closed bool
	fresh  bool   // created empty: nothing to answer with until the first rebuild
	want   string // the fingerprint of this program's layout and dictionaries

	results *results
	queries *queries
	hidden  hiddenSets

	mu      sync.Mutex // one writer: catching up is serialised
	stateMu sync.Mutex
	cursor  cursor
	applied chan struct{} // closed and replaced when the cursor moves
}

// cursor is how far into which feed the index has read.
type cursor struct {
	Epoch string `json:"epoch"`
	Seq   uint64 `json:"seq"`
}

// Open opens the index at path, or makes a new one; an index that cannot
// be read, or was built by another layout or dictionaries, is replaced
// and rebuilt by the next CatchUp. With path "" the index lives in memory.
func Open(path string, src Source, opts Options) (*Index, error) {
	if len(opts.Dictionaries) == 0 {
		opts.Dictionaries = thai.DefaultPaths
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Results == 0 {
		opts.Results = 512
	}
	if opts.FacetSample <= 0 {
		opts.FacetSample = FacetSample
	}
	x := &Index{path: path, src: src, opts: opts, applied: make(chan struct{}), results: newResults(opts.Results), queries: newQueries(runtime.GOMAXPROCS(0))}
	m, err := newMapping(opts.Dictionaries)
	if err != nil {
		return nil, err
	}
	if x.text, err = newTextAnalyzer(m); err != nil {
		return nil, err
	}
	if x.want, err = x.fingerprint(); err != nil {
		return nil, err
	}
	if path != "" {
		idx, err := bleve.Open(path)
		switch {
		case err == nil:
			x.idx = idx
			if got, err := idx.GetInternal(keyLayout); err != nil || string(got) != x.want {
				// It answers, as it is, until its rebuilt successor replaces it.
				opts.Log.Info("search index was built differently: rebuilding it", "path", path)
				return x, nil
			}
			if b, err := idx.GetInternal(keyCursor); err == nil && b != nil {
				if err := json.Unmarshal(b, &x.cursor); err != nil {
					opts.Log.Warn("search index position unreadable: rebuilding it", "err", err)
				}
			}
			return x, nil
		case !errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
			opts.Log.Warn("search index cannot be read: rebuilding it", "path", path, "err", err)
		}
	}
	if x.idx, err = x.create(path); err != nil {
		return nil, err
	}
	x.fresh = true
	return x, nil
}

// ErrRebuilding: the index holds nothing yet; it is being built.
var ErrRebuilding = fmt.Errorf("the search index is being built from the records: try again in a minute: %w", fault.Unavailable)

// fingerprint names the layout and the dictionaries (each file's path,
// size and time): a dictionary updated in place makes the index rebuild,
// so records and queries are always cut into words alike.
func (x *Index) fingerprint() (string, error) {
	parts := []string{layout}
	for _, d := range x.opts.Dictionaries {
		fi, err := os.Stat(d)
		if err != nil {
			return "", fmt.Errorf("thai dictionary %s: %w", d, err)
		}
		parts = append(parts, fmt.Sprintf("%s:%d:%d", d, fi.Size(), fi.ModTime().Unix()))
	}
	return strings.Join(parts, " "), nil
}

// create replaces whatever is at path with a new, empty index (in memory
// for path "").
func (x *Index) create(path string) (bleve.Index, error) {
	m, err := newMapping(x.opts.Dictionaries)
	if err != nil {
		return nil, err
	}
	var idx bleve.Index
	if path == "" {
		idx, err = bleve.NewMemOnly(m)
	} else if err = os.RemoveAll(path); err == nil {
		idx, err = bleve.New(path, m)
	}
	if err != nil {
		return nil, fmt.Errorf("creating the search index at %s: %w", path, err)
	}
	if err := idx.SetInternal(keyLayout, []byte(x.want)); err != nil {
		idx.Close()
		return nil, err
	}
	return idx, nil
}

// index is the open bleve index (a rebuild replaces it).
func (x *Index) index() bleve.Index {
	x.idxMu.RLock()
	defer x.idxMu.RUnlock()
	return x.idx
}

// errClosed: the index was closed; its follower stops.
var errClosed = errors.New("the search index is closed")

func (x *Index) isClosed() bool {
	x.idxMu.RLock()
	defer x.idxMu.RUnlock()
	return x.closed
}

// Close closes the index; closing it again does nothing.
func (x *Index) Close() error {
	x.idxMu.Lock()
	defer x.idxMu.Unlock()
	if x.closed || x.idx == nil {
		x.closed = true
		return nil
	}
	x.closed = true
	return x.idx.Close()
}

// Count is how many documents the index holds.
func (x *Index) Count() (uint64, error) {
	x.idxMu.RLock()
	defer x.idxMu.RUnlock()
	if x.idx == nil || x.closed {
		return 0, ErrRebuilding
	}
	return x.idx.DocCount()
}

// newMapping: every text field through the "text" analyzer (Thai words
// segmented; case and accents folded; English stemmed), facet fields as
// keywords, years as numbers.
func newMapping(dicts []string) (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	paths := make([]any, len(dicts))
	for i, d := range dicts {
		paths[i] = d
	}
	if err := m.AddCustomTokenizer("thai_words", map[string]any{"type": thai.Name, "dictionaries": paths}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer("text", map[string]any{
		"type":          custom.Name,
		"tokenizer":     "thai_words",
		"token_filters": []any{lowercase.Name, foldName, porter.Name},
	}); err != nil {
		return nil, err
	}
	// "pairs": each two words that stand together, as "text" makes them,
	// one term (a phrase is looked up by its pairs).
	if err := m.AddCustomTokenFilter("pair", map[string]any{"type": shingle.Name, "min": 2.0, "max": 2.0,
		"output_original": false, "separator": pairSep, "filler": ""}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer("pairs", map[string]any{
		"type":          custom.Name,
		"tokenizer":     "thai_words",
		"token_filters": []any{lowercase.Name, foldName, porter.Name, "pair"},
	}); err != nil {
		return nil, err
	}
	// "words": the same words unstemmed, for suggesting spellings.
	if err := m.AddCustomAnalyzer("words", map[string]any{
		"type":          custom.Name,
		"tokenizer":     "thai_words",
		"token_filters": []any{lowercase.Name, foldName},
	}); err != nil {
		return nil, err
	}
	doc := bleve.NewDocumentStaticMapping()
	words := bleve.NewTextFieldMapping()
	words.Analyzer, words.Store, words.IncludeTermVectors, words.IncludeInAll = "words", false, false, false
	doc.AddFieldMappingsAt("words", words)
	for _, f := range []string{"pairs", "title_pairs"} {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer, fm.Store, fm.IncludeTermVectors, fm.IncludeInAll = "pairs", false, false, false
		doc.AddFieldMappingsAt(f, fm)
	}
	rank := bleve.NewTextFieldMapping()
	rank.Analyzer, rank.Store, rank.IncludeTermVectors, rank.IncludeInAll = "text", false, false, false
	doc.AddFieldMappingsAt("rank", rank)
	// No field is in _all: rank takes its place.
	for _, f := range textFields {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = "text"
		fm.Store = f.stored
		fm.IncludeTermVectors = true
		fm.IncludeInAll = false
		doc.AddFieldMappingsAt(f.name, fm)
	}
	for _, f := range []string{"facet", "audience", "closed", "sort_title_th", "sort_title_en"} {
		fm := bleve.NewKeywordFieldMapping()
		fm.Analyzer = keyword.Name
		fm.Store = false
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		fm.DocValues = true
		doc.AddFieldMappingsAt(f, fm)
	}
	for _, f := range []string{"year_from", "year_to"} {
		fm := bleve.NewNumericFieldMapping()
		fm.Store = false
		fm.IncludeInAll = false
		doc.AddFieldMappingsAt(f, fm)
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = "text"
	return m, nil
}

type textField struct {
	name   string
	boost  float64
	stored bool
	filter string // the name a query may use (title:…)
}

// textFields are searched for words, each with a weight in ranking; the
// stored ones give snippets.
var textFields = []textField{
	{"title", 4, true, "title"},
	{"identifier", 4, false, "id"},
	{"creator", 2.5, false, "creator"},
	{"subjects", 2, false, "subject"},
	{"places", 2, false, "place"},
	{"collection", 1.5, false, "collection"},
	{"summary", 1, true, "summary"},
	{"metadata", 1, false, "metadata"},
	{"date", 1, false, "date"},
	{"library", 0.5, false, "library"},
	{"text", 0.8, true, "text"},
}
