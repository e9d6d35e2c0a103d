// Package contentsearch answers IIIF Content Search 2.0 and 1.0 requests
// inside an item's pages (https://iiif.io/api/search/2.0/,
// https://iiif.io/api/search/1.0/), their autocomplete, and the text of
// each canvas as an annotation page, from the ALTO that package ocr keeps
// beside each page. Words are segmented with the search index's Thai
// tokenizer, so searching inside an item and searching the catalogue
// agree. Like the other IIIF services it takes a context, a principal and
// a parsed request, and returns bytes or a typed error.
package contentsearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/search/thai"
	"github.com/thaiarchives/archive/storage"
)

// Items is what the service needs of the metadata store.
type Items interface {
	access.Lookup
	Item(id string) (*repository.Item, error)
	// Generation changes whenever a record changes.
	Generation() uint64
}

// Config is what the service is built from.
type Config struct {
	Items Items
	Blobs storage.Fetcher
	// Dict segments Thai: the search index's dictionaries.
	Dict *thai.Dict
	// CacheTokens bounds the words of the items kept in memory (default
	// two million, about 200 MB).
	CacheTokens int
	// Readers bounds the items whose text is read at once (default the
	// number of cores): reading a large item's pages takes seconds, and a
	// crawler asking for many items must not take every core. A search
	// that waits ReadWait (default 10 s) for a place is answered fault.Busy.
	Readers  int
	ReadWait time.Duration
	// PageSize is how many hits an answer holds (default PageSize); more
	// are on pages of their own, linked from each.
	PageSize int
	Now      func() time.Time
}

// Service searches inside items.
type Service struct {
	cfg    Config
	flight singleflight.Group
	mu     sync.Mutex
	cache  map[string]*itemText // by item
	order  []string             // least recently used first
	tokens int
	// warming holds a place for each item read in the background (Warm,
	// Pages without waiting): a crawler opening many manifests or a page
	// of many hits starts no more than this at once; the others are read
	// by their first search.
	warming chan struct{}
	reading chan struct{}  // a place per item being read
	bg      sync.WaitGroup // the background reads under way
	stopped bool           // Run has returned or is returning: no read starts (under mu)
}

// maxWarming is how many items' text is read in the background at once.
const maxWarming = 2

// New returns a service.
func New(cfg Config) *Service {
	if cfg.CacheTokens <= 0 {
		cfg.CacheTokens = 2_000_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Readers <= 0 {
		cfg.Readers = runtime.NumCPU()
	}
	if cfg.ReadWait <= 0 {
		cfg.ReadWait = 10 * time.Second
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = PageSize
	}
	return &Service{cfg: cfg, cache: map[string]*itemText{}, warming: make(chan struct{}, maxWarming), reading: make(chan struct{}, cfg.Readers)}
}

// Errors are fault.Invalid, fault.NotFound and fault.Busy (too many items'
// text is being read; try again shortly).

// SearchURL is the Content Search service (API version 2 or 1) of an item,
// on a site whose address is base.
func SearchURL(base, item string, version int) string {
	return fmt.Sprintf("%s/iiif/search/%d/%s", base, version, item)
}

// AutocompleteURL is the autocomplete service of an item's search.
func AutocompleteURL(base, item string, version int) string {
	return fmt.Sprintf("%s/iiif/autocomplete/%d/%s", base, version, item)
}

// TextURL is the annotation page of the text of an item's file n.
func TextURL(base, item string, n int) string {
	return fmt.Sprintf("%s/iiif/text/%s/%d", base, item, n)
}

// canvasURL is the id of canvas n in the item's Presentation 3 manifest
// (or 2.1 manifest, for presentation 2).
func canvasURL(base, item string, n int, presentation ...int) string {
	v := 3
	if len(presentation) > 0 && presentation[0] == 2 {
		v = 2
	}
	return fmt.Sprintf("%s/iiif/%d/manifest/%s/canvas/%d", base, v, item, n)
}

// SearchURL2 and AutocompleteURL2 are the Content Search 1.0 services of
// an item's Presentation 2.1 manifest, whose answers point at its canvases.
func SearchURL2(base, item string) string { return base + "/iiif/2/search/" + item }

// AutocompleteURL2: see SearchURL2.
func AutocompleteURL2(base, item string) string { return base + "/iiif/2/autocomplete/" + item }

// HasText reports whether any page of an item has its text read.
func HasText(it *repository.Item) bool {
	for _, f := range it.Files {
		if f.Derivatives["alto"] != "" {
			return true
		}
	}
	return false
}

// Answer is a JSON document and whether anyone may have it: a shared
// cache may keep a public item's answers, never another's.
type Answer struct {
	Body   []byte
	Public bool
}

func (s *Service) answer(x *itemText, doc any) (*Answer, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return &Answer{Body: b, Public: s.decide(access.Principal{}, x) == nil}, nil
}

// Request is a search or autocomplete request.
type Request struct {
	Item string
	// Base is the site's address (scheme://host), for the ids written.
	Base string
	// Version is the Content Search API: 2 or 1.
	Version int
	// Presentation is the manifest whose canvases the answer points at: 3
	// (the default) or 2 (2.1, with Content Search 1.0).
	Presentation int
	Q            string
	// Page is the page of hits asked for, from 1 (0: the first).
	Page int
}

const maxQuery = 256

// text finds the item, decides whether p may read its pages, and returns
// its text, read once per version and kept while there is room. While no
// record changes (the store's generation), the item and its access are
// taken from memory: a 500-page item's record is 4 ms to decode.
func (s *Service) text(ctx context.Context, p access.Principal, id string) (*itemText, error) {
	return s.textOf(ctx, p, id, true)
}

// errReading: the item's text is being read in the background.
var errReading = errors.New("the item's text is being read")

// textOf is text; when wait is false and the item's text is not in
// memory, it is read in the background and errReading returned at once.
func (s *Service) textOf(ctx context.Context, p access.Principal, id string, wait bool) (*itemText, error) {
	if !repository.ValidID(id) {
		return nil, fmt.Errorf("no item %q: %w", id, fault.NotFound)
	}
	gen := s.cfg.Items.Generation()
	s.mu.Lock()
	x := s.cache[id]
	if x != nil && x.gen == gen {
		s.touch(id)
		s.mu.Unlock()
		return x, s.decide(p, x)
	}
	s.mu.Unlock()
	it, err := s.cfg.Items.Item(id)
	if err != nil {
		return nil, err
	}
	res, err := access.ItemResource(s.cfg.Items, it)
	if err != nil {
		return nil, err
	}
	if x != nil && x.item.Version == it.Version {
		// Another record changed: this item's text is the same.
		s.mu.Lock()
		nx := *x
		nx.item, nx.res, nx.gen = it, res, gen
		x = &nx
		s.keepLocked(id, x)
		s.mu.Unlock()
		return x, s.decide(p, x)
	}
	// The text is read only for one who may read it.
	if err := access.Decide(p, access.ReadContent, res, s.cfg.Now()); err != nil {
		return nil, err
	}
	read := func() (any, error) {
		timer := time.NewTimer(s.cfg.ReadWait)
		defer timer.Stop()
		select {
		case s.reading <- struct{}{}:
			defer func() { <-s.reading }()
		case <-timer.C:
			return nil, fmt.Errorf("the text of %d items is being read: %w", cap(s.reading), fault.Busy)
		}
		// Built apart from the request that asked first: its going away
		// should not fail the others waiting.
		x, err := s.build(context.WithoutCancel(ctx), it)
		if err != nil {
			return nil, err
		}
		x.res, x.gen = res, gen
		if len(x.pages) > 0 { // an item without text is not worth keeping
			s.mu.Lock()
			s.keepLocked(id, x)
			s.mu.Unlock()
		}
		return x, nil
	}
	key := fmt.Sprintf("%s/%d", id, it.Version)
	if !wait {
		select {
		case s.warming <- struct{}{}:
			s.mu.Lock()
			if s.stopped {
				<-s.warming
			} else {
				s.bg.Go(func() {
					defer func() { <-s.warming }()
					s.flight.Do(key, read)
				})
			}
			s.mu.Unlock()
		default:
		}
		return nil, errReading
	}
	v, err, _ := s.flight.Do(key, read)
	if err != nil {
		return nil, err
	}
	return v.(*itemText), nil
}

// Run returns once ctx has ended and the reads started in the background
// have finished; none starts after. The command that runs the service
// waits for it before it closes the store.
func (s *Service) Run(ctx context.Context) error {
	<-ctx.Done()
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.bg.Wait()
	return nil
}

// Warm reads an item's text in the background, if p may read it and it is
// not in memory: a viewer that has just opened the item's manifest may
// soon search inside it.
func (s *Service) Warm(p access.Principal, id string) {
	// Nothing to report here: a search meets the same refusal or failure
	// and says it.
	s.textOf(context.Background(), p, id, false)
}

// decide: the text of a page is its content, so who may not see the full
// page may not search or read it.
func (s *Service) decide(p access.Principal, x *itemText) error {
	return access.Decide(p, access.ReadContent, x.res, s.cfg.Now())
}

func (s *Service) touch(id string) {
	for i, o := range s.order {
		if o == id {
			s.order = append(append(s.order[:i:i], s.order[i+1:]...), id)
			return
		}
	}
}

// keepLocked keeps x as id's text (s.mu held), dropping the least
// recently used beyond the budget.
func (s *Service) keepLocked(id string, x *itemText) {
	if old := s.cache[id]; old != nil {
		s.tokens -= old.size()
		s.touch(id)
	} else {
		s.order = append(s.order, id)
	}
	s.cache[id] = x
	s.tokens += x.size()
	for s.tokens > s.cfg.CacheTokens && len(s.order) > 1 {
		drop := s.order[0]
		s.order = s.order[1:]
		s.tokens -= s.cache[drop].size()
		delete(s.cache, drop)
	}
}

func checkQuery(q string) (string, error) {
	q = strings.TrimSpace(q)
	if len(q) > maxQuery {
		return "", fmt.Errorf("a search holds at most %d characters: %w", maxQuery, fault.Invalid)
	}
	return q, nil
}

// Search answers a search request with the hits as annotations on the
// canvases of the item's Presentation 3 manifest.
func (s *Service) Search(ctx context.Context, p access.Principal, r Request) (*Answer, error) {
	q, err := checkQuery(r.Q)
	if err != nil {
		return nil, err
	}
	if r.Page < 0 {
		return nil, fmt.Errorf("page is the number of a page of hits, from 1: %w", fault.Invalid)
	}
	x, err := s.text(ctx, p, r.Item)
	if err != nil {
		return nil, err
	}
	var matches [][2]int
	if q != "" {
		matches = x.find(phrases(s.cfg.Dict, q))
	}
	pg := paging{total: len(matches), size: s.cfg.PageSize, page: max(r.Page, 1)}
	pg.last = max(1, (pg.total+pg.size-1)/pg.size)
	if pg.page > pg.last {
		return nil, fmt.Errorf("page %d of a search with %d pages: %w", pg.page, pg.last, fault.NotFound)
	}
	pg.start = (pg.page - 1) * pg.size
	hits := x.hits(matches[pg.start:min(pg.total, pg.start+pg.size)])
	if r.Version == 1 || r.Presentation == 2 {
		return s.answer(x, s.v1(r, q, pg, hits))
	}
	return s.answer(x, s.v2(r, q, pg, hits))
}

// paging is where an answer's hits stand among all of the search's:
// page (from 1) of last, each of size hits, the first of this one at start.
type paging struct{ total, size, page, last, start int }

// pageURL is the address of page n of a search's hits: the search's own
// when they take one page; when more, the search's own address stands for
// all of them (the collection) and each page has a number, the first too.
func (r Request) pageURL(q string, pg paging, n int) string {
	if pg.last == 1 {
		return r.self(false, q, 0)
	}
	return r.self(false, q, n)
}

func (s *Service) target(r Request, h Hit, b int) string {
	return canvasURL(r.Base, r.Item, h.Page+1, r.Presentation) + "#" + h.Boxes[b].XYWH()
}

// self is a request's own address (page: of its hits, 0 for none).
func (r Request) self(autocomplete bool, q string, page int) string {
	var u string
	switch {
	case r.Presentation == 2 && autocomplete:
		u = AutocompleteURL2(r.Base, r.Item)
	case r.Presentation == 2:
		u = SearchURL2(r.Base, r.Item)
	case autocomplete:
		u = AutocompleteURL(r.Base, r.Item, r.Version)
	default:
		u = SearchURL(r.Base, r.Item, r.Version)
	}
	u += "?q=" + url.QueryEscape(q)
	if page > 0 {
		u += "&page=" + strconv.Itoa(page)
	}
	return u
}

func annoID(r Request, i, b int) string {
	return fmt.Sprintf("%s/iiif/search/%s/hit/%d-%d", r.Base, r.Item, i+1, b+1)
}

// Autocomplete lists the words of the item's text that begin as q does.
func (s *Service) Autocomplete(ctx context.Context, p access.Principal, r Request) (*Answer, error) {
	q, err := checkQuery(r.Q)
	if err != nil {
		return nil, err
	}
	x, err := s.text(ctx, p, r.Item)
	if err != nil {
		return nil, err
	}
	var prefix strings.Builder
	for _, t := range s.cfg.Dict.Segment(q) {
		prefix.WriteString(fold(t.Term))
	}
	var terms []Term
	if prefix.Len() > 0 {
		terms = x.complete(prefix.String(), 10)
	}
	self := r.self(true, q, 0)
	if r.Version == 1 || r.Presentation == 2 {
		list := []map[string]any{}
		for _, t := range terms {
			search := r
			search.Version = 1
			list = append(list, map[string]any{"match": t.Value, "count": t.Count, "url": search.self(false, t.Value, 0)})
		}
		return s.answer(x, map[string]any{"@context": "http://iiif.io/api/search/1/context.json", "@id": self, "@type": "search:TermList", "terms": list})
	}
	items := []map[string]any{}
	for _, t := range terms {
		items = append(items, map[string]any{"value": t.Value, "total": t.Count,
			"service": []map[string]any{{"id": SearchURL(r.Base, r.Item, 2) + "?q=" + url.QueryEscape(t.Value), "type": "SearchService2"}}})
	}
	return s.answer(x, map[string]any{"@context": "http://iiif.io/api/search/2/context.json", "id": self, "type": "TermPage", "items": items})
}

// TextPage is the text of the item's file n as an annotation page: a
// supplementing annotation per line, on the line's place on the canvas,
// so that a viewer can show or copy the text of a page (none while the
// page's text is not read).
func (s *Service) TextPage(ctx context.Context, p access.Principal, base, item string, n int) (*Answer, error) {
	x, err := s.text(ctx, p, item)
	if err != nil {
		return nil, err
	}
	if n < 1 || n > len(x.item.Files) {
		return nil, fmt.Errorf("item %s has no file %d: %w", item, n, fault.NotFound)
	}
	items := []map[string]any{}
	canvas := canvasURL(base, item, n)
	var lines []lineText
	if pt := x.pages[n-1]; pt != nil {
		lines = pt.lines
	}
	for i, l := range lines {
		items = append(items, map[string]any{
			"id": fmt.Sprintf("%s/line/%d", TextURL(base, item, n), i+1), "type": "Annotation", "motivation": "supplementing",
			"body":   map[string]any{"type": "TextualBody", "value": l.text, "format": "text/plain"},
			"target": canvas + "#" + l.box.XYWH(),
		})
	}
	return s.answer(x, map[string]any{"@context": "http://iiif.io/api/presentation/3/context.json", "id": TextURL(base, item, n),
		"type": "AnnotationPage", "items": items})
}

// PageHit is a page of an item where a catalogue search matched: its
// number (from 1) and a snippet, HTML-escaped, the match in <mark>.
type PageHit struct {
	Page    int
	Snippet string
}

// Pages lists the first pages of an item whose text holds q's words (at
// most limit), for a catalogue search's hit; none when the item has no
// text or p may not read it. Unless wait is set, an item whose text is not
// in memory yet has none listed this time and is read in the background,
// so that a page of hits never waits for many large items.
func (s *Service) Pages(ctx context.Context, p access.Principal, item, q string, limit int, wait bool) ([]PageHit, error) {
	q, err := checkQuery(q)
	if err != nil || q == "" {
		return nil, nil
	}
	x, err := s.textOf(ctx, p, item, wait)
	switch {
	case errors.Is(err, errReading):
		return nil, nil
	case errors.Is(err, fault.Forbidden), errors.Is(err, fault.Unauthenticated), errors.Is(err, fault.Gone), errors.Is(err, fault.NotFound):
		return nil, nil // pages the reader may not read are not listed
	case err != nil:
		return nil, err
	}
	var out []PageHit
	last := -1
	for _, m := range x.find(phrases(s.cfg.Dict, q)) {
		if x.tokens[m[0]].page == last {
			continue
		}
		h := x.hit(m[0], m[1])
		last = h.Page
		out = append(out, PageHit{Page: h.Page + 1,
			Snippet: html.EscapeString(h.Before) + "<mark>" + html.EscapeString(h.Match) + "</mark>" + html.EscapeString(h.After)})
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
