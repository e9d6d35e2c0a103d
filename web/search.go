package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/search"
)

// Searcher is the catalogue search behind the search page and the API.
type Searcher interface {
	Search(ctx context.Context, p access.Principal, q search.Query) (*search.Result, error)
	// WaitFor returns when the index holds every change made so far.
	WaitFor(ctx context.Context) error
}

// searchQuery reads a search from the address: q, op=any, a value per
// facet (library=cmu&type=Image…), from and to (years in either era),
// sort, page and limit.
func searchQuery(c *gin.Context, lang string, limit int) (search.Query, int, error) {
	q := search.Query{Text: strings.TrimSpace(c.Query("q")), Any: c.Query("op") == "any", Sort: c.Query("sort"), Lang: lang, Limit: limit, Filters: map[string][]string{}}
	for _, f := range search.Facets {
		if vals := c.QueryArray(f.Name); len(vals) > 0 {
			q.Filters[f.Name] = vals
		}
	}
	for _, d := range q.Filters["decade"] {
		if y, err := strconv.Atoi(d); err != nil || y%10 != 0 || y < 0 || y > 9990 {
			return q, 0, fmt.Errorf("decade %q is not the first year of a decade in the Common Era, such as 1960: %w", d, fault.Invalid)
		}
	}
	if op := c.Query("op"); op != "" && op != "all" && op != "any" {
		return q, 0, fmt.Errorf("op %q is not all (every word) or any (any word): %w", op, fault.Invalid)
	}
	var err error
	if q.From, err = search.ParseYear(c.Query("from")); err != nil {
		return q, 0, err
	}
	if q.To, err = search.ParseYear(c.Query("to")); err != nil {
		return q, 0, err
	}
	if l := c.Query("limit"); l != "" {
		if q.Limit, err = strconv.Atoi(l); err != nil || q.Limit < 1 || q.Limit > search.MaxLimit {
			return q, 0, fmt.Errorf("limit %q is not a number from 1 to %d: %w", l, search.MaxLimit, fault.Invalid)
		}
	}
	pageNo := 1
	if p := c.Query("page"); p != "" {
		if pageNo, err = strconv.Atoi(p); err != nil || pageNo < 1 || (pageNo-1)*q.Limit > 10000 {
			return q, 0, fmt.Errorf("page %q is not a page number within the first 10,000 results: %w", p, fault.Invalid)
		}
	}
	q.Offset = (pageNo - 1) * q.Limit
	return q, pageNo, nil
}

// runSearch waits (briefly) for the index to hold every change, so what
// an archivist has just saved is found, then searches as who(c). The hits
// are listed through the access decision again; when that drops one, the
// index is behind the store, and the answer (its counts come from the
// index) is kept from shared caches.
func (s *Server) runSearch(c *gin.Context, q search.Query) (*search.Result, []access.Listed, map[string]*repository.Entry, error) {
	wait, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	if err := s.cfg.Search.WaitFor(wait); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		cancel()
		return nil, nil, nil, err
	}
	cancel()
	res, err := s.cfg.Search.Search(c.Request.Context(), who(c), q)
	if err != nil {
		return nil, nil, nil, err
	}
	var ids []string
	entries := map[string]*repository.Entry{}
	now := time.Now()
	for _, h := range res.Hits {
		id, ok := search.EntryOf(h.ID)
		if !ok {
			ids = append(ids, h.ID)
			continue
		}
		e, err := s.cfg.Store.Entry(id)
		if err == nil {
			err = access.Decide(who(c), access.ReadMetadata, access.EntryResource(e), now)
		}
		switch {
		case err == nil:
			entries[h.ID] = e
		case fault.KindOf(err) != fault.NotFound && fault.KindOf(err) != fault.Gone:
			return nil, nil, nil, err
		}
	}
	listed, err := access.Listing(s.cfg.Store, who(c), ids, now)
	if err == nil && len(listed)+len(entries) < len(res.Hits) {
		s.cfg.Log.Warn("search index behind the store: an answer kept from shared caches", "hits", len(res.Hits), "readable", len(listed)+len(entries))
		s.cache(c, privateOnly)
		c.Set(staleKey, true)
	}
	return res, listed, entries, err
}

// staleKey marks a request whose search answer must not be cached.
const staleKey = "search-stale"

// cacheSearch lets shared caches keep a search answer for a minute, unless
// it was found stale.
func (s *Server) cacheSearch(c *gin.Context) {
	if !c.GetBool(staleKey) {
		s.cache(c, publicShort)
	}
}

// apiSearch answers GET /api/v1/search.
func (s *Server) apiSearch(c *gin.Context) {
	q, _, err := searchQuery(c, c.Query("lang"), 20)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, listed, entries, err := s.runSearch(c, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	type page struct {
		Page    int    `json:"page"`
		Snippet string `json:"snippet"`
		URL     string `json:"url"`
	}
	type hit struct {
		ID      string          `json:"id"`
		Title   repository.Text `json:"title"`
		Date    string          `json:"date,omitempty"`
		Snippet string          `json:"snippet,omitempty"`
		URL     string          `json:"url"`
		Pages   []page          `json:"pages,omitempty"`
		Path    []unitRef       `json:"path,omitempty"` // fonds › series › file
		// A harvested entry: its source, and the original, the place to read it.
		Source   string `json:"source,omitempty"`
		Original string `json:"original,omitempty"`
	}
	type facetValue struct {
		Value string `json:"value"`
		Count int    `json:"count"`
	}
	snippets := map[string]string{}
	for _, h := range res.Hits {
		snippets[h.ID] = h.Snippet
	}
	hits := []hit{}
	site := s.site(c)
	start := time.Now()
	items := map[string]access.Listed{}
	for _, l := range listed {
		items[l.Item.ID] = l
	}
	for _, r := range res.Hits {
		if e := entries[r.ID]; e != nil {
			hits = append(hits, hit{ID: e.ID, Title: e.Title, Date: e.Date, Snippet: r.Snippet, URL: site.Base + "/entries/" + e.ID, Source: e.Source, Original: e.Link})
			continue
		}
		l, ok := items[r.ID]
		if !ok {
			continue
		}
		h := hit{ID: l.Item.ID, Title: l.Item.Title, Date: l.Item.Date, Snippet: snippets[l.Item.ID], URL: site.Base + "/items/" + l.Item.ID}
		pages, err := s.pageHits(c, "en", l.Item, q.Text, time.Since(start) < pagesBudget)
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, p := range pages {
			h.Pages = append(h.Pages, page{Page: p.Page, Snippet: string(p.Snippet), URL: site.Base + p.URL})
		}
		if h.Path, err = s.unitRefs(c, l.Item.Collection); err != nil {
			s.fail(c, err)
			return
		}
		hits = append(hits, h)
	}
	facets := map[string][]facetValue{}
	for name, vals := range res.Facets {
		for _, v := range vals {
			facets[name] = append(facets[name], facetValue{v.Value, v.Count})
		}
	}
	out := gin.H{"total": res.Total, "offset": q.Offset, "limit": q.Limit, "hits": hits, "facets": facets, "facetsEstimated": res.FacetsEstimated}
	if res.Suggest != "" {
		out["suggest"] = res.Suggest
	}
	s.cacheSearch(c)
	c.JSON(http.StatusOK, out)
}

// searchView is what the search page shows.
type searchView struct {
	page
	Total            uint64
	Hits             []searchHit
	Facets           []facetView
	FacetsEstimated  bool // the counts are estimates from a sample of many hits
	Any              bool
	From, To, Sort   string
	Suggest, SuggURL string
	Sorts            []sortLink
}

type sortLink struct {
	URL, Label string
	On         bool
}

type searchHit struct {
	listed
	Path    []link        // where it sits in an archival tree: fonds › series › file
	Snippet template.HTML // escaped by the index, with <mark> around the words found
	// Pages are the pages whose text matched, each opening the viewer
	// there with the words marked.
	Pages []pageHit
}

// pagesBudget is how long a page of hits may spend reading items' text to
// list their matching pages before it leaves the rest to the background.
const pagesBudget = time.Second

// pageHit is a page of an item whose text holds the words searched for.
type pageHit struct {
	Page       int
	Label, URL string
	Snippet    template.HTML
}

// pageHits lists the first pages of an item whose text matched q; unless
// wait is set, an item whose text is not in memory yet lists none this time
// (see contentsearch.Service.Pages).
func (s *Server) pageHits(c *gin.Context, lang string, it *repository.Item, q string, wait bool) ([]pageHit, error) {
	if q == "" || !contentsearch.HasText(it) {
		return nil, nil
	}
	found, err := s.within.Pages(c.Request.Context(), who(c), it.ID, q, 3, wait)
	if err != nil {
		return nil, err
	}
	var out []pageHit
	for _, p := range found {
		out = append(out, pageHit{Page: p.Page, Label: fmt.Sprintf(t(lang, "page_n"), p.Page),
			URL:     fmt.Sprintf("/items/%s?page=%d&q=%s", it.ID, p.Page, url.QueryEscape(q)),
			Snippet: template.HTML(p.Snippet)})
	}
	return out, nil
}

type facetView struct {
	Label  string
	Values []facetLink
}

type facetLink struct {
	Label, URL string
	Count      int
	On         bool
}

// searchPage finds items by words in Thai and English among what the
// reader may see, with facets to narrow them, years in either era and
// paging; the same search as /api/v1/search.
func (s *Server) searchPage(c *gin.Context) {
	v := searchView{page: s.newPage(c, "")}
	v.Title = t(v.Lang, "results")
	q, pageNo, err := searchQuery(c, v.Lang, 24)
	if err != nil {
		s.fail(c, err)
		return
	}
	v.Any, v.From, v.To, v.Sort = q.Any, c.Query("from"), c.Query("to"), q.Sort
	if q.Text != "" || len(q.Filters) > 0 || q.From != 0 || q.To != 0 {
		res, listed, entries, err := s.runSearch(c, q)
		if err != nil {
			s.fail(c, err)
			return
		}
		if err := s.fillSearchView(c, &v, res, listed, entries); err != nil {
			s.fail(c, err)
			return
		}
		v.Prev, v.Next = pagerLinks(c, pageNo, q.Limit, int(min(res.Total, 1<<31)))
	}
	s.cacheSearch(c)
	s.render(c, http.StatusOK, "search", v)
}

func (s *Server) fillSearchView(c *gin.Context, v *searchView, res *search.Result, found []access.Listed, entries map[string]*repository.Entry) error {
	v.Total, v.FacetsEstimated = res.Total, res.FacetsEstimated
	snippets := map[string]string{}
	for _, h := range res.Hits {
		snippets[h.ID] = h.Snippet
	}
	site := s.site(c)
	start := time.Now()
	items := map[string]access.Listed{}
	for _, x := range found {
		items[x.Item.ID] = x
	}
	for _, r := range res.Hits {
		if e := entries[r.ID]; e != nil {
			l := listed{ID: e.ID, Title: e.Title, Date: e.Date, Href: "/entries/" + e.ID, Elsewhere: true}
			v.Hits = append(v.Hits, searchHit{listed: l, Snippet: template.HTML(r.Snippet)})
			continue
		}
		x, ok := items[r.ID]
		if !ok {
			continue
		}
		l := listed1(site, x)
		path, err := s.unitPath(c, v.Lang, x.Item.Collection)
		if err != nil {
			return err
		}
		// The pages of the first hits are read now; past a second, items
		// whose text is not in memory yet are read in the background.
		pages, err := s.pageHits(c, v.Lang, x.Item, c.Query("q"), time.Since(start) < pagesBudget)
		if err != nil {
			return err
		}
		v.Hits = append(v.Hits, searchHit{listed: l, Path: path, Snippet: template.HTML(snippets[x.Item.ID]), Pages: pages})
	}
	if res.Suggest != "" {
		v.Suggest, v.SuggURL = res.Suggest, withParam(c.Request.URL, "q", res.Suggest)
	}
	for _, f := range search.Facets {
		vals := res.Facets[f.Name]
		if len(vals) == 0 {
			continue
		}
		fv := facetView{Label: t(v.Lang, "facet_"+f.Name)}
		chosen := c.QueryArray(f.Name)
		for _, val := range vals {
			label, err := s.facetLabel(v.Lang, f.Name, val.Value)
			if err != nil {
				return err
			}
			on := slices.Contains(chosen, val.Value)
			fv.Values = append(fv.Values, facetLink{Label: label, Count: val.Count, On: on, URL: toggleParam(c.Request.URL, f.Name, val.Value)})
		}
		v.Facets = append(v.Facets, fv)
	}
	current := c.Query("sort")
	if current == "" {
		current = "relevance"
	}
	for _, so := range []string{"relevance", "date", "-date", "title"} {
		key := "sort_" + strings.TrimPrefix(so, "-")
		if strings.HasPrefix(so, "-") {
			key += "_desc"
		}
		v.Sorts = append(v.Sorts, sortLink{URL: withParam(c.Request.URL, "sort", so), Label: t(v.Lang, key), On: so == current})
	}
	return nil
}

// facetLabel names a facet's value for a reader of lang.
func (s *Server) facetLabel(lang, facet, value string) (string, error) {
	switch facet {
	case "library":
		in, err := s.cfg.Store.Institution(value)
		if err != nil {
			return value, ignoreNotFound(err)
		}
		return in.Name.Get(lang), nil
	case "collection":
		col, err := s.cfg.Store.Collection(value)
		if err != nil {
			return value, ignoreNotFound(err)
		}
		return col.Title.Get(lang), nil
	case "type":
		if k, ok := typeWords[value]; ok {
			return t(lang, k), nil
		}
	case "access":
		return t(lang, "level_"+value), nil
	case "source":
		src, err := s.cfg.Store.Source(value)
		if err != nil {
			return value, ignoreNotFound(err)
		}
		if u, err := url.Parse(firstNonEmpty(src.OAI, src.IIIF)); err == nil && u.Host != "" {
			return u.Host, nil
		}
	case "point":
		return s.pointLabel(lang, value)
	case "language":
		if k, ok := map[string]string{"th": "lang_th", "tha": "lang_th", "en": "lang_en", "eng": "lang_en"}[value]; ok {
			return t(lang, k), nil
		}
	case "decade":
		y, err := strconv.Atoi(value)
		if err != nil {
			return value, nil
		}
		if lang == "th" {
			return "พ.ศ. " + strconv.Itoa(y+543) + "–" + strconv.Itoa(y+552), nil
		}
		return value + "s", nil
	}
	return value, nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, fault.NotFound) {
		return nil
	}
	return err
}

// withParam is u with one query parameter set (and the page reset unless
// it is the page being set).
func withParam(u *url.URL, name, value string) string {
	q := u.Query()
	q.Set(name, value)
	if name != "page" {
		q.Del("page")
	}
	return u.Path + "?" + q.Encode()
}

// toggleParam is u with value added to (or removed from) a repeated
// parameter, back on the first page.
func toggleParam(u *url.URL, name, value string) string {
	q := u.Query()
	vals := q[name]
	if i := slices.Index(vals, value); i >= 0 {
		vals = slices.Delete(slices.Clone(vals), i, i+1)
	} else {
		vals = append(slices.Clone(vals), value)
	}
	q[name] = vals
	q.Del("page")
	return u.Path + "?" + q.Encode()
}

// typeWords are the message keys of the DCMI types records and entries have.
var typeWords = map[string]string{"Image": "type_image", "Text": "type_text", "Sound": "type_sound", "MovingImage": "type_moving", "Dataset": "type_dataset"}
