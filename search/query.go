package search

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository/edtf"
)

// Query is what a reader asks.
type Query struct {
	// Text: words (all must match, unless Any), "exact phrases", and
	// field:word or field:"phrase" (title, creator, subject, place,
	// collection, library, summary, date, id, text).
	Text string
	Any  bool
	// Filters: facet name → values; a record matches one value of each.
	Filters map[string][]string
	// From and To bound the years a record covers (0: open); years
	// 2400–2700 are read as the Buddhist Era.
	From, To int
	// Sort: "" (relevance), "date", "-date", "title".
	Sort string
	// Lang orders titles for Sort "title" (th or en).
	Lang          string
	Offset, Limit int
}

// Result is one page of hits, the facet counts of all of them, and a
// suggestion when nothing matched. Total is exact; past a bound
// (Options.FacetSample) the facet counts are estimates from the first hits
// in the index's order, and FacetsEstimated says so.
type Result struct {
	Total           uint64
	Hits            []Hit
	Facets          map[string][]FacetValue
	FacetsEstimated bool
	Suggest         string // a query with a misspelt word corrected, or ""
	Took            time.Duration
}

// Hit is a matching item and a snippet of where it matched: HTML-escaped
// text with the matched words in <mark>.
type Hit struct {
	ID      string
	Score   float64
	Snippet string
}

// FacetValue is one value of a facet and how many hits have it.
type FacetValue struct {
	Value string
	Count int
}

// Facets are what results are counted by, with how many values of each a
// result lists.
var Facets = []struct {
	Name string
	size int
}{{"library", 12}, {"collection", 30}, {"type", 12}, {"decade", 30}, {"language", 12}, {"access", 12}, {"point", 30}, {"source", 30}}

// MaxLimit is the most hits one page may hold.
const MaxLimit = 100

// A query that cannot be run as given is fault.Invalid; one refused because
// as many searches as can run or wait are under way is fault.Busy.

// queries bounds the searches run at once (about the cores) and the few
// waiting behind them, so that a flood of expensive searches is answered
// busy at once rather than starving every other request.
type queries struct{ run, waiting chan struct{} }

func newQueries(workers int) *queries {
	return &queries{run: make(chan struct{}, workers), waiting: make(chan struct{}, 4*workers)}
}

func (q *queries) acquire(ctx context.Context) (func(), error) {
	select {
	case q.waiting <- struct{}{}:
	default:
		return nil, fmt.Errorf("%d searches are under way or waiting: %w", cap(q.waiting), fault.Busy)
	}
	select {
	case q.run <- struct{}{}:
	case <-ctx.Done():
		<-q.waiting
		return nil, ctx.Err()
	}
	return func() { <-q.run; <-q.waiting }, nil
}

// Search runs q for p: only records p may read count, in hits and in facets.
func (x *Index) Search(ctx context.Context, p access.Principal, q Query) (*Result, error) {
	if q.Limit <= 0 {
		q.Limit = 20
	}
	if q.Limit > MaxLimit || q.Offset < 0 || q.Offset > 10000 {
		return nil, fmt.Errorf("a page holds at most %d hits and starts within the first 10,000: %w", MaxLimit, fault.Invalid)
	}
	clauses := readDates(parse(q.Text))
	if !checkSize(q) || len(clauses) > maxClauses {
		return nil, fmt.Errorf("a search holds at most %d words or phrases in %d characters, and %d values of each facet: %w", maxClauses, maxQueryBytes, maxFilters, fault.Invalid)
	}
	// One moment for the whole answer: a grant that ends meanwhile ends
	// for the key and the filter alike.
	now := x.opts.Now()
	key := resultKey(p, now, q, x.position())
	if res, ok := x.results.get(key); ok {
		return res, nil
	}
	release, err := x.queries.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	req, err := x.request(p, now, q, clauses)
	if err != nil {
		return nil, err
	}
	// Ranking reads no word positions: only the page's hits are
	// highlighted, afterwards.
	highlight := req.Highlight
	req.Highlight = nil
	facets := newFacetCounter(x.opts.FacetSample)
	res, err := x.run(facets.with(ctx), req)
	if err != nil {
		return nil, err
	}
	out := &Result{Total: res.Total, Took: res.Took}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, Hit{ID: h.ID, Score: h.Score})
	}
	if err := x.snippets(ctx, clauses, highlight, out.Hits); err != nil {
		return nil, err
	}
	out.Facets, out.FacetsEstimated = facets.result(res.Total)
	if out.Total == 0 && len(clauses) > 0 {
		if out.Suggest, err = x.suggest(ctx, p, now, q, clauses); err != nil {
			return nil, err
		}
	}
	x.results.put(key, out)
	return out, nil
}

func (x *Index) run(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	x.idxMu.RLock()
	defer x.idxMu.RUnlock()
	if x.idx == nil || x.fresh || x.closed {
		return nil, ErrRebuilding
	}
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("searching: %w", err)
	}
	return res, nil
}

// request builds the bleve request: the reader's words, the filters, and
// the access filter as of now (p's grants in force then included), which
// no query can leave out.
func (x *Index) request(p access.Principal, now time.Time, q Query, clauses []clause) (*bleve.SearchRequest, error) {
	var must, filters, words []query.Query
	for _, c := range clauses {
		wq, err := x.clauseQuery(c, false)
		if err != nil {
			return nil, err
		}
		if wq != nil {
			words = append(words, wq)
		}
	}
	switch {
	case len(words) == 0:
		must = append(must, bleve.NewMatchAllQuery())
	case q.Any:
		must = append(must, bleve.NewDisjunctionQuery(words...))
	default:
		must = append(must, words...)
	}
	for _, f := range Facets {
		vals := q.Filters[f.Name]
		if len(vals) == 0 {
			continue
		}
		var any []query.Query
		for _, v := range vals {
			any = append(any, termQuery("facet", f.Name+":"+v, 0))
		}
		filters = append(filters, bleve.NewDisjunctionQuery(any...))
	}
	if q.From != 0 || q.To != 0 {
		filters = append(filters, yearRange(q.From, q.To)...)
	}
	// Filters narrow without scoring. A query of one word adds them to
	// the word's own query rather than wrapping it: each layer costs a
	// step for every hit.
	bq := bleve.NewBooleanQuery()
	switch one, ok := must[0].(*query.BooleanQuery); {
	case ok && len(must) == 1 && one.MustNot == nil && one.Filter == nil:
		bq = one
	case len(must) == 1:
		bq.Must = must[0]
	default:
		bq.AddMust(must...)
	}
	if len(filters) > 0 {
		bq.AddFilter(bleve.NewConjunctionQuery(filters...))
	}
	var top query.Query = bq
	switch hidden, key := hiddenFrom(p, now); {
	case hidden == nil:
	case key == "":
		bq.MustNot = hidden // alone, not in a disjunction of one
	default:
		top = visible{q: bq, hidden: hidden, key: key, sets: &x.hidden}
	}
	req := bleve.NewSearchRequestOptions(top, q.Limit, q.Offset, false)
	switch q.Sort {
	case "", "relevance":
		if len(words) == 0 {
			req.SortBy([]string{"sort_title_" + sortLang(q.Lang)})
		}
	case "date":
		req.SortBy([]string{"year_from", "-_score"})
	case "-date":
		req.SortBy([]string{"-year_to", "-_score"})
	case "title":
		req.SortBy([]string{"sort_title_" + sortLang(q.Lang), "-_score"})
	default:
		return nil, fmt.Errorf("sort %q is not relevance, date, -date or title: %w", q.Sort, fault.Invalid)
	}
	if len(words) > 0 {
		req.Highlight = bleve.NewHighlightWithStyle("html")
		for _, f := range textFields {
			if f.stored {
				req.Highlight.AddField(f.name)
			}
		}
	}
	return req, nil
}

// hiddenFrom finds the records p may not read at now (nil: none): the
// closed records none of whose audiences is one of p's. Most records are
// open, so excluding the few closed ones a searcher passes costs far less
// per hit than looking each hit up among the open ones. key names p's
// audiences ("": p reads nothing).
func hiddenFrom(p access.Principal, now time.Time) (hidden query.Query, key string) {
	audiences, all := access.Audiences(p, now)
	if all {
		return nil, ""
	}
	if !slices.Contains(audiences, access.Everyone) {
		return bleve.NewMatchAllQuery(), "" // reads nothing
	}
	key = audiencesKey(audiences)
	closed := termQuery("closed", closedMark, 0)
	var reach []query.Query
	for _, a := range audiences {
		if a != access.Everyone {
			reach = append(reach, termQuery("audience", a, 0))
		}
	}
	if len(reach) == 0 {
		return closed, key
	}
	q := bleve.NewBooleanQuery()
	q.AddMust(closed)
	q.AddMustNot(reach...)
	return q, key
}

func sortLang(lang string) string {
	if lang == "th" {
		return "th"
	}
	return "en"
}

// yearRange: records whose years overlap from–to (Buddhist Era years read
// as such).
func yearRange(from, to int) []query.Query {
	var out []query.Query
	inclusive := true
	if from != 0 {
		f := float64(edtf.CommonEraYear(from))
		out = append(out, bleve.NewNumericRangeInclusiveQuery(&f, nil, &inclusive, nil))
		out[len(out)-1].(*query.NumericRangeQuery).SetField("year_to")
	}
	if to != 0 {
		t := float64(edtf.CommonEraYear(to))
		out = append(out, bleve.NewNumericRangeInclusiveQuery(nil, &t, nil, &inclusive))
		out[len(out)-1].(*query.NumericRangeQuery).SetField("year_from")
	}
	return out
}

func termQuery(field, term string, boost float64) query.Query {
	q := bleve.NewTermQuery(term)
	q.SetField(field)
	if boost > 0 {
		q.SetBoost(boost)
	}
	return q
}

// clauseQuery: one word or phrase, in one field or in every field (each
// with its weight); a date finds its words, or records dated within it.
func (x *Index) clauseQuery(c clause, exact bool) (query.Query, error) {
	wq, err := x.wordsQuery(c, exact)
	if err != nil || !c.date {
		return wq, err
	}
	inclusive := true
	after := bleve.NewNumericRangeInclusiveQuery(&c.from, nil, &inclusive, nil)
	after.SetField("year_to")
	before := bleve.NewNumericRangeInclusiveQuery(nil, &c.to, nil, &inclusive)
	before.SetField("year_from")
	dated := bleve.NewConjunctionQuery(after, before)
	if wq == nil {
		return dated, nil
	}
	return bleve.NewDisjunctionQuery(wq, dated), nil
}

// wordsQuery: one word or phrase, in one field or in every field. A word
// that segments into several (a Thai compound, a name the dictionary
// lacks) is a phrase of them, looked up by its pairs; exact: by the word
// positions in the fields that give snippets instead, which highlighting
// needs.
func (x *Index) wordsQuery(c clause, exact bool) (query.Query, error) {
	terms := x.text.terms(c.text)
	if len(terms) == 0 {
		return nil, nil
	}
	fieldQuery := func(field string, boost float64) query.Query {
		switch {
		case len(terms) == 1:
			return termQuery(field, terms[0], boost)
		case exact:
		case field == "title":
			return pairsQuery("title_pairs", terms, boost)
		}
		pq := bleve.NewPhraseQuery(terms, field)
		pq.SetBoost(boost)
		return pq
	}
	for _, f := range textFields {
		if c.field != "" && f.filter == c.field {
			return fieldQuery(f.name, f.boost), nil
		}
	}
	switch {
	case exact:
		var in []query.Query
		for _, f := range textFields {
			if f.stored {
				in = append(in, fieldQuery(f.name, f.boost))
			}
		}
		return bleve.NewDisjunctionQuery(in...), nil
	case len(terms) == 1:
		return word(terms[0]), nil
	}
	bq := bleve.NewBooleanQuery()
	bq.Must = pairsQuery("pairs", terms, 1) // alone, not in a conjunction of one: a step less per hit
	bq.AddShould(fieldQuery("title", 3))    // a phrase is ranked by the title alone
	return bq, nil
}

// pairSep joins the two words of a pair.
const pairSep = " "

// pairsQuery finds the words of a phrase standing together in field, a
// pairs field: by its one pair, or by each of its pairs (a phrase of three
// or more words whose pairs all stand in a record, though not in one run,
// is taken for it: rare, and the price of reading no word positions).
func pairsQuery(field string, terms []string, boost float64) query.Query {
	if len(terms) == 2 {
		return termQuery(field, terms[0]+pairSep+terms[1], boost)
	}
	var qs []query.Query
	for i := range len(terms) - 1 {
		qs = append(qs, termQuery(field, terms[i]+pairSep+terms[i+1], 0))
	}
	cq := bleve.NewConjunctionQuery(qs...)
	cq.SetBoost(boost)
	return cq
}

// clause is one word or "phrase" of a query, perhaps limited to a field,
// or a date (the Common Era years from–to it covers).
type clause struct {
	field, text string
	phrase      bool
	date        bool
	from, to    float64
}

// readDates joins the words of a date written as the site shows it
// (พ.ศ. 2516, 18 มิถุนายน 2562, June 1934) into one date clause. A word
// alone is a date only with its era (พ.ศ.2516): a bare 2516 is a word,
// which the index holds in both eras anyway.
func readDates(clauses []clause) []clause {
	var out []clause
	for i := 0; i < len(clauses); {
		c, n := dateAt(clauses[i:])
		if n == 0 {
			c, n = clauses[i], 1
		}
		out = append(out, c)
		i += n
	}
	return out
}

// dateAt reads the longest date the first few clauses make, and how many
// clauses it takes (0 for none).
func dateAt(clauses []clause) (clause, int) {
	for n := min(len(clauses), 4); n >= 1; n-- {
		words := make([]string, n)
		for i, c := range clauses[:n] {
			if c.phrase || c.field != "" && c.field != "date" {
				return clause{}, 0
			}
			words[i] = c.text
		}
		text := strings.Join(words, " ")
		if n == 1 && !strings.Contains(text, "พ.ศ.") && !strings.Contains(text, "ค.ศ.") {
			continue
		}
		norm, _, err := edtf.Normalize(text)
		if err != nil {
			continue
		}
		d, err := edtf.Parse(norm)
		if err != nil {
			continue
		}
		c := clause{field: clauses[0].field, text: text, date: true, from: -openYear, to: openYear}
		if s, ok := d.Start(); ok {
			c.from = float64(s.Year())
		}
		if e, ok := d.End(); ok {
			c.to = float64(e.Year())
		}
		return c, n
	}
	return clause{}, 0
}

// parse splits a query into words, "phrases" and field:clauses. Quotes
// may be straight or curly; an unclosed quote runs to the end.
func parse(s string) []clause {
	var out []clause
	s = strings.NewReplacer("“", `"`, "”", `"`, "„", `"`).Replace(s)
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		var c clause
		if i := strings.IndexAny(s, `: "`); i > 0 && s[i] == ':' && isFieldName(s[:i]) {
			c.field, s = strings.ToLower(s[:i]), s[i+1:]
		}
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				end = len(s) - 1
			}
			c.text, c.phrase, s = s[1:1+end], true, s[min(len(s), end+2):]
		} else {
			end := strings.IndexFunc(s, unicode.IsSpace)
			if end < 0 {
				end = len(s)
			}
			c.text, s = s[:end], s[end:]
		}
		if strings.TrimSpace(c.text) != "" {
			out = append(out, c)
		}
	}
	return out
}

// unparse writes clauses back as a query.
func unparse(clauses []clause) string {
	parts := make([]string, len(clauses))
	for i, c := range clauses {
		t := c.text
		if c.phrase {
			t = `"` + t + `"`
		}
		if c.field != "" {
			t = c.field + ":" + t
		}
		parts[i] = t
	}
	return strings.Join(parts, " ")
}

func isFieldName(s string) bool {
	s = strings.ToLower(s)
	return slices.ContainsFunc(textFields, func(f textField) bool { return f.filter == s })
}

// snippets highlights where q matched in each of hits (nothing without
// a highlight): one look-up of those hits alone, so its cost follows the
// page, not the hits.
func (x *Index) snippets(ctx context.Context, clauses []clause, highlight *bleve.HighlightRequest, hits []Hit) error {
	if highlight == nil || len(hits) == 0 {
		return nil
	}
	// Where the words matched: phrases by their words' positions (the
	// hits are few), any clause of the query.
	var words []query.Query
	for _, c := range clauses {
		wq, err := x.clauseQuery(c, true)
		if err != nil {
			return err
		}
		if wq != nil {
			words = append(words, wq)
		}
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	q := bleve.NewBooleanQuery()
	q.Must = bleve.NewDocIDQuery(ids) // each hit, whichever field it was found by
	if len(words) > 0 {
		q.AddShould(words...)
	}
	req := bleve.NewSearchRequestOptions(q, len(ids), 0, false)
	req.Highlight = highlight
	res, err := x.run(ctx, req)
	if err != nil {
		return err
	}
	frags := map[string]map[string][]string{}
	for _, h := range res.Hits {
		frags[h.ID] = h.Fragments
	}
	for i := range hits {
		hits[i].Snippet = snippet(frags[hits[i].ID])
	}
	return nil
}

// snippet picks the fragment that shows the words found, in the page text
// or the description (a listing shows the title anyway), else the
// description's start.
func snippet(frags map[string][]string) string {
	for _, f := range []string{"text", "summary"} {
		for _, fr := range frags[f] {
			if strings.Contains(fr, "<mark>") {
				return fr
			}
		}
	}
	if len(frags["summary"]) > 0 {
		return frags["summary"][0]
	}
	return ""
}

// ParseYear reads a year a reader typed (Thai digits allowed), or a date
// as the site shows it (พ.ศ. 2516, 18 มิถุนายน 2562, June 1934), which
// stands for its first year in the Common Era; 0 for none.
func ParseYear(s string) (int, error) {
	s = strings.Map(func(r rune) rune {
		if r >= '๐' && r <= '๙' {
			return '0' + r - '๐'
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" {
		return 0, nil
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		if c, n := dateAt(parse(s)); n > 0 && n == len(parse(s)) && c.from >= 1 && c.from < maxYear {
			return int(c.from), nil
		}
	}
	if err != nil || y < 1 || y >= maxYear {
		return 0, fmt.Errorf("year %q is not a year (e.g. 2505 or 1962): %w", s, fault.Invalid)
	}
	return y, nil
}

// maxYear bounds the years a search may name.
const maxYear = 10000
