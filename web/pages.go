package web

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/fulltext"
	"github.com/thaiarchives/archive/iiif/presentation"
	"github.com/thaiarchives/archive/pagemeta"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

//go:embed templates static
var assets embed.FS

var pageFuncs = template.FuncMap{
	"t":      t,
	"word":   word,
	"detail": detail,
	"text":   func(lang string, v repository.Text) string { return v.Get(lang) },
	"inc":    func(i int) int { return i + 1 },
	"join":   strings.Join,
	"dates":  unitDates,
	"date": func(lang, d string) string {
		if p, err := edtf.Parse(d); err == nil {
			return p.Format(lang)
		}
		return d
	},
}

// templates parses each page with the layout once.
func templates() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, page := range []string{"home", "list", "item", "desk", "edit", "colledit", "login", "logout", "users", "search",
		"findingaid", "printaid", "unitview", "outline", "unitedit", "fonds", "fixity", "requests", "account", "groups", "boxes", "point", "pointedit", "pointlist", "transcribe", "entry", "sources"} {
		out[page] = template.Must(template.New("").Funcs(pageFuncs).ParseFS(assets, "templates/layout.html", "templates/home.html", "templates/meta.html", "templates/"+page+".html"))
	}
	// The pages that offer their record's citation.
	for _, page := range []string{"item", "findingaid"} {
		template.Must(out[page].ParseFS(assets, "templates/cite.html"))
	}
	out["embed"] = template.Must(template.New("").Funcs(pageFuncs).ParseFS(assets, "templates/embed.html"))
	return out
}

// viewerBuilt reports whether the front-end bundles were built into the binary.
func viewerBuilt() bool {
	_, err := fs.Stat(assets, "static/vendor/mirador.min.js")
	return err == nil
}

// page is what every page template receives.
type page struct {
	Lang, Other, Title, Query, SwitchURL string
	Libraries                            []*repository.Institution
	Shared, Collections                  []*repository.Collection
	Items                                []listed
	Prev, Next, Summary, IIIF            string
	// UnitsFirst and UnitsNext lead to the first and the next of a
	// library's top-level units, of which its listing holds UnitCount.
	UnitsFirst, UnitsNext string
	UnitCount             int
	// Harvested: a library's own repositories whose records are in the
	// catalogue, each leading to its entries in search.
	Harvested              []link
	Crumbs                 []link
	SignedIn, SignIn       bool
	CSRF, Error, LoginNext string
	// Meta and JSONLD describe the page's record to reference managers
	// and search engines (meta.go).
	Meta   []pagemeta.Tag
	JSONLD template.JS
	// Address is the address of the record's page, whose Thai and
	// English versions the head names for search engines.
	Address string
}

type link struct{ URL, Label string }

type listed struct {
	ID, Thumb, Date string
	// Href leads to a harvested entry's page, Elsewhere marks it (a local
	// item's page is /items/ID).
	Href      string
	Elsewhere bool
	Kind      string // for an item with no picture: what its first file is (PDF, Text, Audio…)
	Title     repository.Text
}

// fileKind names what a file is for a card: its type in a word.
func fileKind(mediaType string) string {
	base := strings.TrimSpace(strings.Split(mediaType, ";")[0])
	switch {
	case base == "application/pdf":
		return "PDF"
	case strings.HasPrefix(base, "audio/"):
		return "Audio"
	case strings.HasPrefix(base, "video/"):
		return "Video"
	case strings.HasPrefix(base, "image/"):
		return "Image"
	case strings.HasPrefix(base, "text/"):
		return "Text"
	}
	return "File"
}

// card is a file shown as what it is, for an item with nothing to view.
type card struct {
	Kind, Name, Size, URL string
}

// viewable: the item has a picture or a recording a viewer can show.
func viewable(it *repository.Item) bool {
	for _, f := range it.Files {
		if f.Derivatives["access"] != "" || strings.HasPrefix(f.MediaType, "audio/") || strings.HasPrefix(f.MediaType, "video/") {
			return true
		}
	}
	return false
}

// newPage fills the parts every page has, and keeps the reader's language
// choice in a cookie.
func (s *Server) newPage(c *gin.Context, title string) page {
	c.SetSameSite(http.SameSiteLaxMode)
	lang := c.Query("lang")
	if lang == "th" || lang == "en" {
		c.SetCookie("lang", lang, 365*24*3600, "/", "", s.secure, false)
	} else {
		lang = s.lang(c)
	}
	other := map[string]string{"th": "en", "en": "th"}[lang]
	q := c.Request.URL.Query()
	q.Set("lang", other)
	return page{Lang: lang, Other: other, Title: title, Query: c.Query("q"), SwitchURL: c.Request.URL.Path + "?" + q.Encode(), SignedIn: who(c).SignedIn()}
}

func (s *Server) render(c *gin.Context, status int, name string, data any) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	ancestors := "'self'"
	if name == "embed" {
		// Partners frame the embed page: the configured sites, every site by default.
		if ancestors = s.cfg.FrameAncestors; ancestors == "" {
			ancestors = "*"
		}
	}
	img, connect := "'self' data: blob:", ""
	if p, ok := data.(entryPage); ok {
		img, connect = p.policy(img)
	}
	c.Header("Content-Security-Policy", "default-src 'self'; img-src "+img+connect+"; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors "+ancestors)
	varyPage(c)
	c.Writer.Header()["Referrer-Policy"] = referrer
	c.Status(status)
	tpl := s.pages[name]
	entry := "layout"
	if name == "embed" {
		entry = "embed"
	}
	if err := tpl.ExecuteTemplate(c.Writer, entry, data); err != nil {
		s.cfg.Log.Error("rendering page", "page", name, "err", err)
	}
}

// lang is the reader's preferred language, th or en.
func (s *Server) lang(c *gin.Context) string { return langOf(c.Request) }

// langOf is the language a request prefers, th or en: the lang parameter,
// then the lang cookie, then Accept-Language.
func langOf(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "th" || l == "en" {
		return l
	}
	if ck, err := r.Cookie("lang"); err == nil && (ck.Value == "th" || ck.Value == "en") {
		return ck.Value
	}
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Accept-Language")), "th") {
		return "th"
	}
	return "en"
}

// listItems loads the items the reader may see, for listings: titles only
// of what they may read, thumbnails only of what they may see.
func (s *Server) listItems(c *gin.Context, ids []string) ([]listed, error) {
	site := s.site(c)
	items, err := access.Listing(s.cfg.Store, who(c), ids, time.Now())
	if err != nil {
		return nil, err
	}
	var out []listed
	for _, x := range items {
		out = append(out, listed1(site, x))
	}
	return out, nil
}

// listed1 is an item as a listing shows it: a thumbnail when the reader
// may see its images, else a card naming what its first file is.
func listed1(site presentation.Site, x access.Listed) listed {
	it := x.Item
	l := listed{ID: it.ID, Title: it.Title, Date: it.Date}
	if x.Images {
		if th := site.Thumb(it); th != nil {
			l.Thumb, _ = th["id"].(string)
		}
	}
	if l.Thumb == "" && len(it.Files) > 0 {
		l.Kind = fileKind(it.Files[0].MediaType)
	}
	return l
}

// visibleCollections keeps the collections whose titles the reader may see.
func (s *Server) visibleCollections(c *gin.Context, cols []*repository.Collection, keep func(*repository.Collection) bool) ([]*repository.Collection, error) {
	var kept []*repository.Collection
	for _, col := range cols {
		if !col.Deleted && keep(col) {
			kept = append(kept, col)
		}
	}
	return access.VisibleCollections(s.cfg.Store, who(c), kept, time.Now())
}

func (s *Server) home(c *gin.Context) {
	p := s.newPage(c, "")
	p.Title = t(p.Lang, "home")
	var err error
	if p.Libraries, err = s.cfg.Store.Institutions(); err != nil {
		s.fail(c, err)
		return
	}
	p.Shared, err = s.sharedCollections(c, p.Libraries)
	if err == nil {
		var ids []string
		if ids, err = s.recentItems(12); err == nil {
			p.Items, err = s.listItems(c, ids)
		}
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, publicShort)
	s.render(c, http.StatusOK, "home", p)
}

// homeShared bounds the curated collections the home page shows of each
// library.
const homeShared = 48

// sharedCollections are the curated collections at the top of each library
// that the reader may see, at most homeShared of each, in their order
// among siblings: read from the store's listing of each library's tier
// (a seek), each still decided for the reader.
func (s *Server) sharedCollections(c *gin.Context, libs []*repository.Institution) ([]*repository.Collection, error) {
	var out []*repository.Collection
	for _, in := range libs {
		tier := access.ListTier(who(c), in.ID)
		if tier == "" {
			continue
		}
		cols, _, err := s.cfg.Store.TopUnits(in.ID, tier, true, "", homeShared)
		if err == nil {
			cols, err = s.visibleCollections(c, cols, func(*repository.Collection) bool { return true })
		}
		if err != nil {
			return nil, err
		}
		out = append(out, cols...)
	}
	slices.SortStableFunc(out, func(a, b *repository.Collection) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// recentItems are the items most recently created or changed, newest first.
func (s *Server) recentItems(n int) ([]string, error) {
	_, total, err := s.cfg.Store.Activities(0, 0)
	if err != nil {
		return nil, err
	}
	acts, _, err := s.cfg.Store.Activities(max(0, total-5*n), 5*n)
	seen := map[string]bool{}
	var ids []string
	for i := len(acts) - 1; i >= 0 && len(ids) < n; i-- {
		if a := acts[i]; a.Type != "Delete" && !seen[a.Item] {
			seen[a.Item] = true
			ids = append(ids, a.Item)
		}
	}
	return ids, err
}

const perPage = 48

// pageNumber is the ?page= of a listing, from 1, bounded so no offset overflows.
func pageNumber(c *gin.Context) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 1<<20)
}

// shownIDs are the identifiers of the items a page shows: a pager's links
// name only those (an item its reader may not see is in no link).
func shownIDs(items []listed) []string {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return ids
}

// pageAt is where the page of a kept listing asked for starts: right
// after, or before, the item its link names (a seek in the store's
// listing), else at the offset of its number (?page=, which older links
// carry alone).
func pageAt(c *gin.Context, n, per int) repository.At {
	at := repository.At{Offset: (n - 1) * per}
	if id := c.Query("after"); repository.ValidID(id) {
		at.After = id
	} else if id := c.Query("before"); repository.ValidID(id) {
		at.Before = id
	}
	return at
}

// pagerLinks are the addresses of the pages before and after page n of
// total entries, per to a page; for a page of a kept listing, the link
// before names its first entry and the link after its last (ids), so that
// each is a seek (pageAt).
func pagerLinks(c *gin.Context, n, per, total int, ids ...string) (prev, next string) {
	at := func(k int, key, id string) string {
		q := c.Request.URL.Query()
		q.Set("page", strconv.Itoa(k))
		q.Del("after")
		q.Del("before")
		if id != "" {
			q.Set(key, id)
		}
		return c.Request.URL.Path + "?" + q.Encode()
	}
	first, last := "", ""
	if len(ids) > 0 {
		first, last = ids[0], ids[len(ids)-1]
	}
	if n > 1 {
		prev = at(n-1, "before", first)
	}
	if n*per < total {
		next = at(n+1, "after", last)
	}
	return
}

// notFoundPage answers 404 with a page in the reader's language.
func (s *Server) notFoundPage(c *gin.Context) {
	p := s.newPage(c, "")
	p.Title = t(p.Lang, "not_found")
	s.cache(c, noStore)
	s.render(c, http.StatusNotFound, "list", p)
}

func (s *Server) libraryPage(c *gin.Context) {
	in, err := s.cfg.Store.Institution(c.Param("id"))
	if errors.Is(err, fault.NotFound) || !repository.ValidID(c.Param("id")) {
		s.notFoundPage(c)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	p := s.newPage(c, "")
	p.Title = in.Name.Get(p.Lang)
	p.Crumbs = []link{{"/", t(p.Lang, "home")}}
	err = s.libraryUnits(c, &p, in.ID)
	n := pageNumber(c)
	var ids []string
	var total int
	if err == nil {
		ids, total, err = s.pres.Lists.Library(who(c), in.ID, pageAt(c, n, perPage), perPage)
	}
	if err == nil {
		p.Items, err = s.listItems(c, ids)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	p.Prev, p.Next = pagerLinks(c, n, perPage, total, shownIDs(p.Items)...)
	if p.Harvested, err = s.harvestedLinks(in.ID); err != nil {
		s.fail(c, err)
		return
	}
	p.IIIF = s.site(c).CollectionURL(in.ID)
	if err := s.describeLibrary(c, &p, in); err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, publicShort)
	s.render(c, http.StatusOK, "list", p)
}

// unitsPerPage bounds the top-level units a library's page shows at once.
const unitsPerPage = 48

// libraryUnits puts on p library inst's top-level archival units that the
// reader may see: those of the reader's listing tier from the one after
// the ?units= cursor (a seek, however many the library holds), each still
// decided for the reader, with how many the tier holds and the links to
// the first and the next of them.
func (s *Server) libraryUnits(c *gin.Context, p *page, inst string) error {
	tier := access.ListTier(who(c), inst)
	if tier == "" {
		return nil
	}
	after := c.Query("units")
	if !repository.ValidID(after) {
		after = "" // not a unit's identifier: the first page
	}
	cols, total, err := s.cfg.Store.TopUnits(inst, tier, false, after, unitsPerPage+1)
	if err != nil {
		return err
	}
	if len(cols) > unitsPerPage {
		cols = cols[:unitsPerPage]
		p.UnitsNext = unitsLink(c, cols[len(cols)-1].ID)
	}
	if after != "" {
		p.UnitsFirst = unitsLink(c, "")
	}
	if p.UnitsFirst != "" || p.UnitsNext != "" {
		p.UnitCount = total
	}
	p.Collections, err = s.visibleCollections(c, cols, func(*repository.Collection) bool { return true })
	return err
}

// unitsLink is the address of this page with its units from the one
// after unit after ("": the first).
func unitsLink(c *gin.Context, after string) string {
	q := c.Request.URL.Query()
	if q.Del("units"); after != "" {
		q.Set("units", after)
	}
	if len(q) == 0 {
		return c.Request.URL.Path
	}
	return c.Request.URL.Path + "?" + q.Encode()
}

func (s *Server) collectionPage(c *gin.Context) {
	if !repository.ValidID(c.Param("id")) {
		s.notFoundPage(c)
		return
	}
	col, err := s.cfg.Store.Collection(c.Param("id"))
	if err == nil {
		var res access.Resource
		if res, err = access.CollectionResource(s.cfg.Store, col); err == nil {
			err = access.Decide(who(c), access.ReadMetadata, res, time.Now())
		}
	}
	if errors.Is(err, fault.NotFound) || errors.Is(err, fault.Gone) {
		s.notFoundPage(c)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	p := s.newPage(c, "")
	p.Title, p.Summary = col.Title.Get(p.Lang), col.Summary.Get(p.Lang)
	if p.Crumbs, err = s.crumbs(c, p.Lang, col.Institution, col.Parent); err != nil {
		s.fail(c, err)
		return
	}
	kids, err := s.cfg.Store.Children(col.ID)
	if err == nil {
		p.Collections, err = s.visibleCollections(c, kids, func(*repository.Collection) bool { return true })
	}
	n := pageNumber(c)
	var ids []string
	var total int
	if err == nil {
		all := func() ([]string, error) {
			ids, _, err := s.cfg.Store.CollectionItems(col, 0, math.MaxInt)
			return ids, err
		}
		ids, total, err = s.pres.Lists.Unit(who(c), col, all, pageAt(c, n, perPage), perPage, time.Now())
	}
	if err == nil {
		p.Items, err = s.listItems(c, ids)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	p.Prev, p.Next = pagerLinks(c, n, perPage, total, shownIDs(p.Items)...)
	p.IIIF = s.site(c).CollectionURL(col.ID)
	if err := s.describeUnit(c, &p, col, "/collections/"+col.ID); err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, publicShort)
	s.render(c, http.StatusOK, "list", p)
}

// crumbs leads from home through the library and the parent collections
// the reader may see.
func (s *Server) crumbs(c *gin.Context, lang, inst, parent string) ([]link, error) {
	out := []link{{"/", t(lang, "home")}}
	in, err := s.cfg.Store.Institution(inst)
	if err != nil {
		return nil, err
	}
	out = append(out, link{"/libraries/" + in.ID, in.Name.Get(lang)})
	var chain []link
	for id, depth := parent, 0; id != "" && depth < 32; depth++ {
		col, err := s.cfg.Store.Collection(id)
		if errors.Is(err, fault.NotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		if vis, err := s.visibleCollections(c, []*repository.Collection{col}, func(*repository.Collection) bool { return true }); err != nil {
			return nil, err
		} else if len(vis) == 1 {
			chain = append([]link{{"/collections/" + col.ID, col.Title.Get(lang)}}, chain...)
		}
		id = col.Parent
	}
	return append(out, chain...), nil
}

// field is one row of an item's metadata: the reader's language first, the
// other language beside it.
type field struct {
	Label, Value, Lang, Other, OtherLang string
	Link                                 string // where Value leads, if anywhere
	Rel                                  string // what Link is to the page (license), if anything
}

type itemPage struct {
	page
	Manifest, OEmbed, EmbedCode, ItemURL string
	ItemID                               string
	Cite                                 citeBlock
	TitleOther                           string
	Viewer, Restricted                   bool
	Fields                               []field
	Downloads                            []link
	Cards                                []card // the files, when there is nothing to view
	Media                                []player
	Withdrawal                           *repository.Withdrawal
	Edit                                 bool
	// Transcribe: the item has pages whose text may be read and
	// transcribed (transcribe.go).
	Transcribe bool
	// RoomNote says where reading-room material can be read, to a reader
	// outside its library's reading rooms.
	RoomNote string
	Ask      string // the item a signed-in person may ask to read (requests.go)
	// CrossSite is a restricted item's embed in another site's frame.
	CrossSite bool
	// Groups are the groups the signed-in person may address an annotation
	// to: their audiences and names.
	Groups []link
	// User is the signed-in person's account, who may annotate the item's
	// pages; "" for a visitor, who is shown the public annotations only.
	User string
}

func (s *Server) itemPageData(c *gin.Context, it *repository.Item, res access.Resource) (itemPage, error) {
	site := s.site(c)
	p := itemPage{page: s.newPage(c, ""), Manifest: site.ManifestURL(it.ID), Viewer: viewerBuilt(), ItemID: it.ID, User: who(c).User}
	p.Title = it.Title.Get(p.Lang)
	if o := it.Title[p.Other]; o != "" && o != p.Title {
		p.TitleOther = o
	}
	p.ItemURL = site.Base + "/items/" + it.ID
	p.OEmbed = site.Base + "/oembed?format=json&lang=" + p.Lang + "&url=" + url.QueryEscape(p.ItemURL)
	var err error
	if p.Crumbs, err = s.crumbs(c, p.Lang, it.Institution, it.Collection); err != nil {
		return p, err
	}
	in, err := s.cfg.Store.Institution(it.Institution)
	if err != nil {
		return p, err
	}
	other := p.Other
	add := func(key string, v repository.Text) {
		if v.Empty() {
			return
		}
		f := field{Label: t(p.Lang, key), Value: v.Get(p.Lang)}
		if o := v[other]; o != "" && o != f.Value {
			f.Other, f.OtherLang = o, other
		}
		p.Fields = append(p.Fields, f)
	}
	if d, err := edtf.Parse(it.Date); err == nil {
		p.Fields = append(p.Fields, field{Label: t(p.Lang, "date"), Value: d.Format(p.Lang), Other: d.Format(other), OtherLang: other})
	}
	add("creator", it.Creator)
	add("summary", it.Summary)
	for _, sub := range it.Subjects {
		add("subjects", sub)
	}
	linkPoints(p.Fields, it.Points)
	add("holding", in.Name)
	if it.ARK != "" {
		u := site.Base + "/" + it.ARK
		p.Fields = append(p.Fields, field{Label: t(p.Lang, "ark"), Value: u, Link: u, Rel: "cite-as"})
	}
	if it.Collection != "" {
		col, err := s.cfg.Store.Collection(it.Collection)
		if err != nil && !errors.Is(err, fault.NotFound) {
			return p, err
		}
		if err == nil {
			if vis, err := s.visibleCollections(c, []*repository.Collection{col}, func(*repository.Collection) bool { return true }); err != nil {
				return p, err
			} else if len(vis) == 1 {
				add("collection", col.Title)
			}
		}
	}
	attribution := it.Attribution
	if attribution.Empty() {
		attribution = in.Name
	}
	add("attribution", attribution)
	if it.Rights != "" {
		f := field{Label: t(p.Lang, "rights"), Value: it.Rights, Link: it.Rights, Rel: "license"}
		if l := rightsLabel(p.Lang, it.Rights); l != "" {
			f.Value, f.Other, f.OtherLang = l, rightsLabel(other, it.Rights), other
		}
		p.Fields = append(p.Fields, f)
	}
	if lvl := access.Effective(res.Access, time.Now()); lvl != repository.Public {
		p.Fields = append(p.Fields, field{Label: t(p.Lang, "access"), Value: t(p.Lang, "level_"+lvl)})
	}
	if res.Access.ReadingRoom {
		p.Fields = append(p.Fields, field{Label: t(p.Lang, "access"), Value: t(p.Lang, "access_room")})
	}
	for _, m := range it.Metadata {
		if !m.Value.Empty() {
			p.Fields = append(p.Fields, field{Label: m.Label.Get(p.Lang), Value: m.Value.Get(p.Lang)})
		}
	}
	src, err := s.cfg.Cite.ItemSource(who(c), it)
	if err != nil {
		return p, err
	}
	p.Cite = citeBlock{Lang: p.Lang, Heading: "cite", URL: "/api/v1/items/" + it.ID + "/citation", Plain: src.Plain(p.Lang, site.Base)}
	p.EmbedCode = embedHTML(site.Base, it.ID, p.Lang, p.Title, 800, 600)
	if err := access.Decide(who(c), access.ReadReduced, res, time.Now()); fault.KindOf(err) == fault.ReadingRoom {
		p.RoomNote = s.roomNote(p.Lang, err)
	}
	full := access.Decide(who(c), access.ReadContent, res, time.Now()) == nil
	if full {
		for i, f := range it.Files {
			p.Downloads = append(p.Downloads, link{site.FileURL(it.ID, i+1), fmt.Sprintf("%s (%s)", f.Name, f.MediaType)})
		}
		text, pdf := fulltext.Offers(it)
		if text {
			p.Downloads = append(p.Downloads, link{site.Base + "/api/v1/items/" + it.ID + "/text", t(p.Lang, "download_text")})
		}
		if pdf {
			p.Downloads = append(p.Downloads, link{site.Base + "/api/v1/items/" + it.ID + "/pdf", t(p.Lang, "download_pdf")})
		}
	}
	if !viewable(it) {
		// Nothing for a viewer: the files themselves, as cards.
		p.Viewer = false
		for i, f := range it.Files {
			cd := card{Kind: fileKind(f.MediaType), Name: f.Name, Size: presentation.Size(f.Size)}
			if full {
				cd.URL = site.FileURL(it.ID, i+1)
			}
			p.Cards = append(p.Cards, cd)
		}
	}
	if err := s.describeItem(c, &p.page, it, res, in, true); err != nil {
		return p, err
	}
	p.Edit = access.Decide(who(c), access.Edit, res, time.Now()) == nil
	if p.User != "" {
		gs, err := s.cfg.Groups.Mine(c.Request.Context(), who(c))
		if err != nil {
			return p, err
		}
		for _, g := range gs {
			p.Groups = append(p.Groups, link{repository.AudienceGroup(g.ID), g.Name.Get(p.Lang)})
		}
	}
	p.Transcribe = full && len(it.Files) > 0 && it.Files[0].Derivatives["access"] != ""
	if p.Media = s.players(site, p.Lang, it, full); len(p.Media) == len(it.Files) {
		p.Viewer = false // recordings only: the page plays them itself
	}
	return p, nil
}

// itemPage shows an item to whoever may read it; a withdrawn item's
// tombstone says when and why (410); a restricted item the library lets
// visitors know of says so and offers to sign in (401), with a viewer that
// can do the same.
func (s *Server) itemPage(c *gin.Context) {
	it, res, err := s.loadItem(c, c.Param("id"), access.ReadMetadata)
	switch {
	case errors.Is(err, fault.NotFound):
		s.notFoundPage(c)
	case errors.Is(err, fault.Gone):
		p := itemPage{page: s.newPage(c, ""), Withdrawal: it.Withdrawal}
		p.Title = t(p.Lang, "withdrawn")
		if p.Withdrawal == nil {
			p.Withdrawal = &repository.Withdrawal{Time: it.Modified}
		}
		s.cache(c, publicDoc)
		s.render(c, http.StatusGone, "item", p)
	case errors.Is(err, fault.Unauthenticated), errors.Is(err, fault.Forbidden):
		p := itemPage{page: s.newPage(c, ""), Restricted: true, Viewer: viewerBuilt(), Manifest: s.site(c).ManifestURL(it.ID), ItemID: it.ID}
		p.Title, p.SignIn = t(p.Lang, "restricted"), !who(c).SignedIn()
		p.LoginNext = "/items/" + it.ID
		s.offerAsk(c, &p, it.ID, res)
		s.cache(c, privateOnly)
		s.render(c, Status(err), "item", p)
	case err != nil:
		s.fail(c, err)
	default:
		p, err := s.itemPageData(c, it, res)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.offerAsk(c, &p, it.ID, res)
		s.cacheResource(c, res, publicFiles)
		s.render(c, http.StatusOK, "item", p)
		s.noteGrantView(c, it.ID)
	}
}
