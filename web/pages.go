package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

//go:embed templates static
var assets embed.FS

var pageFuncs = template.FuncMap{
	"t":    t,
	"text": func(lang string, v repository.Text) string { return v.Get(lang) },
	"inc":  func(i int) int { return i + 1 },
	"join": strings.Join,
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
	for _, page := range []string{"home", "list", "item", "desk", "edit", "colledit"} {
		out[page] = template.Must(template.New("").Funcs(pageFuncs).ParseFS(assets, "templates/layout.html", "templates/home.html", "templates/"+page+".html"))
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
	Crumbs                               []link
	SignedIn                             bool
	CSRF, Error                          string
}

type link struct{ URL, Label string }

type listed struct {
	ID, Thumb, Date string
	Title           repository.Text
}

// newPage fills the parts every page has, and keeps the reader's language
// choice in a cookie.
func (s *Server) newPage(c *gin.Context, title string) page {
	c.SetSameSite(http.SameSiteLaxMode)
	lang := c.Query("lang")
	if lang == "th" || lang == "en" {
		c.SetCookie("lang", lang, 365*24*3600, "/", "", false, false)
	} else if ck, err := c.Cookie("lang"); err == nil && (ck == "th" || ck == "en") {
		lang = ck
	} else {
		lang = s.lang(c)
	}
	other := map[string]string{"th": "en", "en": "th"}[lang]
	q := c.Request.URL.Query()
	q.Set("lang", other)
	return page{Lang: lang, Other: other, Title: title, Query: c.Query("q"), SwitchURL: c.Request.URL.Path + "?" + q.Encode()}
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
	c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors "+ancestors)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Vary", "Accept-Language, Cookie")
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

func (s *Server) mountPages(r *gin.Engine) {
	static, _ := fs.Sub(assets, "static")
	r.StaticFS("/static", http.FS(static))
	r.GET("/", s.home)
	r.GET("/libraries/:id", s.libraryPage)
	r.GET("/collections/:id", s.collectionPage)
	r.GET("/items/:id", s.itemPage)
	r.GET("/search", s.searchPage)
	r.GET("/embed/:id", s.embedPage)
	r.GET("/oembed", s.oembed)
	r.GET("/desk", s.desk)
	r.POST("/desk/signin", s.signin)
	r.POST("/desk/signout", s.signout)
	s.mountDesk(r)
}

// listItems loads the items the reader may see, for listings.
func (s *Server) listItems(c *gin.Context, ids []string) []listed {
	site := s.site(c)
	auth := s.authorised(c)
	now := time.Now()
	var out []listed
	for _, id := range ids {
		it, err := s.cfg.Store.Item(id)
		if err != nil || it.Deleted || !it.Access.Open(now) && !auth {
			continue
		}
		l := listed{ID: it.ID, Title: it.Title, Date: it.Date}
		if th := site.Thumb(it); th != nil {
			l.Thumb, _ = th["id"].(string)
		}
		out = append(out, l)
	}
	return out
}

func (s *Server) home(c *gin.Context) {
	p := s.newPage(c, t("en", "home"))
	p.Title = t(p.Lang, "home")
	p.Libraries, _ = s.cfg.Store.Institutions()
	cols, _ := s.cfg.Store.Children("")
	for _, col := range cols {
		if col.Level == repository.Curated && !col.Deleted {
			p.Shared = append(p.Shared, col)
		}
	}
	ids := s.recentItems(12)
	p.Items = s.listItems(c, ids)
	s.render(c, http.StatusOK, "home", p)
}

// recentItems are the items most recently created or changed, newest first.
func (s *Server) recentItems(n int) []string {
	_, total, _ := s.cfg.Store.Activities(0, 0)
	acts, _, _ := s.cfg.Store.Activities(max(0, total-5*n), 5*n)
	seen := map[string]bool{}
	var ids []string
	for i := len(acts) - 1; i >= 0 && len(ids) < n; i-- {
		if a := acts[i]; a.Type != "Delete" && !seen[a.Item] {
			seen[a.Item] = true
			ids = append(ids, a.Item)
		}
	}
	return ids
}

const perPage = 48

func pageNumber(c *gin.Context) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

func pagerLinks(c *gin.Context, n, total int) (prev, next string) {
	at := func(k int) string {
		q := c.Request.URL.Query()
		q.Set("page", strconv.Itoa(k))
		return c.Request.URL.Path + "?" + q.Encode()
	}
	if n > 1 {
		prev = at(n - 1)
	}
	if n*perPage < total {
		next = at(n + 1)
	}
	return
}

func (s *Server) notFound(c *gin.Context) {
	p := s.newPage(c, "")
	p.Title = t(p.Lang, "not_found")
	s.render(c, http.StatusNotFound, "list", p)
}

func (s *Server) libraryPage(c *gin.Context) {
	in, err := s.cfg.Store.Institution(c.Param("id"))
	if err != nil {
		s.notFound(c)
		return
	}
	p := s.newPage(c, "")
	p.Title = in.Name.Get(p.Lang)
	p.Crumbs = []link{{"/", t(p.Lang, "home")}}
	cols, _ := s.cfg.Store.Collections(in.ID)
	for _, col := range cols {
		if col.Parent == "" && !col.Deleted && col.Level != repository.Curated {
			p.Collections = append(p.Collections, col)
		}
	}
	n := pageNumber(c)
	ids, total, _ := s.cfg.Store.ItemsOfInstitutionAt(in.ID, (n-1)*perPage, perPage)
	p.Items = s.listItems(c, ids)
	p.Prev, p.Next = pagerLinks(c, n, total)
	p.IIIF = s.site(c).CollectionURL(in.ID)
	s.render(c, http.StatusOK, "list", p)
}

func (s *Server) collectionPage(c *gin.Context) {
	col, err := s.cfg.Store.Collection(c.Param("id"))
	if err != nil || col.Deleted {
		s.notFound(c)
		return
	}
	p := s.newPage(c, "")
	p.Title, p.Summary = col.Title.Get(p.Lang), col.Summary.Get(p.Lang)
	p.Crumbs = s.crumbs(p.Lang, col.Institution, col.Parent)
	kids, _ := s.cfg.Store.Children(col.ID)
	p.Collections = kids
	n := pageNumber(c)
	var ids []string
	total := len(col.Members)
	if col.Level == repository.Curated {
		ids = col.Members[min((n-1)*perPage, total):min(n*perPage, total)]
	} else {
		ids, total, _ = s.cfg.Store.ItemsInCollectionAt(col.ID, (n-1)*perPage, perPage)
	}
	p.Items = s.listItems(c, ids)
	p.Prev, p.Next = pagerLinks(c, n, total)
	p.IIIF = s.site(c).CollectionURL(col.ID)
	s.render(c, http.StatusOK, "list", p)
}

// crumbs leads from home through the library and the parent collections.
func (s *Server) crumbs(lang, inst, parent string) []link {
	out := []link{{"/", t(lang, "home")}}
	if in, err := s.cfg.Store.Institution(inst); err == nil {
		out = append(out, link{"/libraries/" + in.ID, in.Name.Get(lang)})
	}
	var chain []link
	for id, depth := parent, 0; id != "" && depth < 32; depth++ {
		col, err := s.cfg.Store.Collection(id)
		if err != nil {
			break
		}
		chain = append([]link{{"/collections/" + col.ID, col.Title.Get(lang)}}, chain...)
		id = col.Parent
	}
	return append(out, chain...)
}

// field is one row of an item's metadata: the reader's language first, the
// other language beside it.
type field struct {
	Label, Value, Lang, Other, OtherLang string
}

type itemPage struct {
	page
	Manifest, OEmbed, Citation, EmbedCode, ItemURL string
	TitleOther                                     string
	Viewer                                         bool
	Fields                                         []field
	Downloads                                      []link
}

func (s *Server) itemPageData(c *gin.Context, it *repository.Item) itemPage {
	site := s.site(c)
	p := itemPage{page: s.newPage(c, ""), Manifest: site.ManifestURL(it.ID), Viewer: viewerBuilt()}
	p.Title = it.Title.Get(p.Lang)
	if o := it.Title[p.Other]; o != "" && o != p.Title {
		p.TitleOther = o
	}
	p.ItemURL = site.Base + "/items/" + it.ID
	p.OEmbed = site.Base + "/oembed?format=json&url=" + url.QueryEscape(p.ItemURL)
	p.Crumbs = s.crumbs(p.Lang, it.Institution, it.Collection)
	in, _ := s.cfg.Store.Institution(it.Institution)
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
	if in != nil {
		add("holding", in.Name)
	}
	if it.Collection != "" {
		if col, err := s.cfg.Store.Collection(it.Collection); err == nil {
			add("collection", col.Title)
		}
	}
	attribution := it.Attribution
	if attribution.Empty() && in != nil {
		attribution = in.Name
	}
	add("attribution", attribution)
	if it.Rights != "" {
		p.Fields = append(p.Fields, field{Label: t(p.Lang, "rights"), Value: it.Rights})
	}
	for _, m := range it.Metadata {
		if !m.Value.Empty() {
			p.Fields = append(p.Fields, field{Label: m.Label.Get(p.Lang), Value: m.Value.Get(p.Lang)})
		}
	}
	year := ""
	if d, err := edtf.Parse(it.Date); err == nil {
		year = " (" + d.Format(p.Lang) + ")"
	}
	holder := ""
	if in != nil {
		holder = in.Name.Get(p.Lang) + ". "
	}
	p.Citation = fmt.Sprintf("%s%s. %s%s. %s", it.Title.Get(p.Lang), year, holder, t(p.Lang, "site"), p.ItemURL)
	p.EmbedCode = fmt.Sprintf(`<iframe src="%s/embed/%s" width="800" height="600" style="border:0" allowfullscreen title="%s"></iframe>`, site.Base, it.ID, template.HTMLEscapeString(p.Title))
	for i, f := range it.Files {
		p.Downloads = append(p.Downloads, link{site.FileURL(it.ID, i+1), fmt.Sprintf("%s (%s)", f.Name, f.MediaType)})
	}
	return p
}

func (s *Server) itemPage(c *gin.Context) {
	it, err := s.cfg.Store.Item(c.Param("id"))
	if err != nil || it.Deleted || !repository.ValidID(c.Param("id")) {
		s.notFound(c)
		return
	}
	if !it.Access.Open(time.Now()) && !s.authorised(c) {
		p := s.newPage(c, "")
		p.Title = t(p.Lang, "restricted")
		s.render(c, http.StatusUnauthorized, "list", p)
		return
	}
	s.render(c, http.StatusOK, "item", s.itemPageData(c, it))
}

// searchPage finds items whose title, description, creator or subjects
// contain the query in any language. Thai is written without spaces, so
// matching is by substring, not by word.
func (s *Server) searchPage(c *gin.Context) {
	p := s.newPage(c, "")
	p.Title = t(p.Lang, "results")
	q := strings.ToLower(strings.TrimSpace(c.Query("q")))
	if q != "" {
		auth := s.authorised(c)
		now := time.Now()
		var hits []string
		ins, _ := s.cfg.Store.Institutions()
		for _, in := range ins {
			ids, _, _ := s.cfg.Store.ItemsOfInstitutionAt(in.ID, 0, 1<<30)
			for _, id := range ids {
				it, err := s.cfg.Store.Item(id)
				if err != nil || it.Deleted || !it.Access.Open(now) && !auth {
					continue
				}
				if matches(it, q) {
					hits = append(hits, id)
				}
				if len(hits) >= 200 {
					break
				}
			}
		}
		p.Items = s.listItems(c, hits)
	}
	s.render(c, http.StatusOK, "list", p)
}

func matches(it *repository.Item, q string) bool {
	texts := []repository.Text{it.Title, it.Summary, it.Creator}
	texts = append(texts, it.Subjects...)
	for _, tx := range texts {
		for _, v := range tx {
			if strings.Contains(strings.ToLower(v), q) {
				return true
			}
		}
	}
	return false
}
