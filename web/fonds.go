package web

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/repository/edtf"
	"github.com/thaiarchives/archive/search"
)

// The public finding aid of an archival unit (a fonds, usually), its EAD3
// export and the viewer of a unit's pages. The tree is read once and
// every unit is decided through the one access decision, with the tree as
// its lookup.

// aidNode is one unit of a finding aid as a page shows it.
type aidNode struct {
	ID, Level, Title, Ref, Date string
	Lang                        string
	Fields                      []field
	Items                       []listed
	Kids                        []*aidNode
	Open                        bool
	ViewAll                     string // the viewer of every page of the unit's items
	Version                     int    // for the desk's forms
	ItemCount                   int
	Internal                    bool // marked internal, seen by the library's staff only
}

type aidPage struct {
	page
	Root              *aidNode
	RootID            string
	EAD, Tree, PDFURL string
	Desk              bool
	CSRF              string
	Units             int
	Message           string
	HTML              template.HTML // the units, written by treehtml.go
	Cite              citeBlock     // the root unit's citation
}

// readTree reads the tree of unit id and decides that p may read it: a
// unit p may not know of is not found.
func (s *Server) readTree(c *gin.Context, id string) (*repository.Tree, error) {
	if !repository.ValidID(id) {
		return nil, notFound("no archival unit " + id)
	}
	tr, err := s.cfg.Store.Tree(id)
	if err != nil {
		return nil, err
	}
	if tr.Root.Level == repository.Curated {
		return nil, notFound("collection " + id + " is a curated collection, not an archival unit")
	}
	r, err := access.CollectionResource(tr, tr.Root.Collection)
	if err != nil {
		return nil, err
	}
	return tr, access.Decide(who(c), access.ReadMetadata, r, time.Now())
}

// treeItems is the tree answering for collections and the store for items.
type treeItems struct {
	*repository.Tree
	s *bolt.Store
}

func (l treeItems) Item(id string) (*repository.Item, error) { return l.s.Item(id) }

// aidTree turns the units p may read into the page's nodes; items are
// listed (with thumbnails) when withItems.
func (s *Server) aidTree(c *gin.Context, tr *repository.Tree, lang string, withItems bool) (*aidNode, int, error) {
	p, now, site := who(c), time.Now(), s.site(c)
	seen, err := access.VisibleTree(p, tr, now)
	if err != nil {
		return nil, 0, err
	}
	count := 0
	var build func(n *repository.Node) (*aidNode, error)
	build = func(n *repository.Node) (*aidNode, error) {
		count++
		a := &aidNode{ID: n.ID, Level: word(lang, string(n.Level)), Title: n.Title.Get(lang), Lang: lang, Open: n.Depth == 0,
			Version: n.Version, ItemCount: len(n.Items), Internal: n.Access.Internal}
		if d := n.Description; d != nil {
			a.Ref = d.ReferenceCode
			if ds := unitDates(lang, d); len(ds) > 0 {
				a.Date = strings.Join(ds, "; ")
			} else if dt, err := edtf.Parse(d.Date); err == nil && d.Date != "" {
				a.Date = dt.Format(lang)
			} else if d.Date == "" {
				a.Date = d.DateText
			}
		}
		if withItems {
			a.Fields = describe(lang, n.Collection)
			if n.ARK != "" {
				u := site.Base + "/" + n.ARK
				a.Fields = append(a.Fields, field{Label: t(lang, "ark"), Value: u, Link: u})
			}
			boxes, err := s.containerFields(p, lang, n.Collection, now)
			if err != nil {
				return nil, err
			}
			a.Fields = append(a.Fields, boxes...)
			if len(n.Items) > 0 {
				listed, err := access.Listing(treeItems{tr, s.cfg.Store}, p, n.Items, now)
				if err != nil {
					return nil, err
				}
				// A kept dao that names one of the unit's items is that item, not a link elsewhere.
				a.Fields = slices.DeleteFunc(a.Fields, func(f field) bool {
					id, ok := ead.ItemAddress(f.Link, site.Base)
					return ok && slices.Contains(n.Items, id)
				})
				for _, x := range listed {
					a.Items = append(a.Items, listed1(site, x))
					if x.Images && viewable(x.Item) && a.ViewAll == "" {
						a.ViewAll = "/fonds/" + tr.Root.ID + "/view/" + n.ID
					}
				}
			}
		}
		for _, k := range seen.Children(n) {
			kid, err := build(k)
			if err != nil {
				return nil, err
			}
			a.Kids = append(a.Kids, kid)
		}
		return a, nil
	}
	root, err := build(tr.Root)
	return root, count, err
}

// describe lists a unit's description for a reader of lang: its summary
// and the ISAD(G) texts, each in the reader's language with the other
// beside it.
func describe(lang string, c *repository.Collection) []field {
	other := map[string]string{"th": "en", "en": "th"}[lang]
	var out []field
	add := func(key string, v repository.Text) {
		f := field{Label: t(lang, key), Value: v[lang], Lang: lang, Other: v[other], OtherLang: other}
		if f.Value == "" {
			f.Value, f.Lang, f.Other = v.Get(lang), "", ""
		}
		if f.Value != "" {
			out = append(out, f)
		}
	}
	add("summary", c.Summary)
	for _, nt := range c.Description.Texts() {
		if nt.Name == "creator" && originated(c.Description) {
			continue // the creators are listed as access points, below
		}
		add("isad_"+nt.Name, nt.Text)
	}
	if d := c.Description; d != nil && len(d.Language) > 0 {
		add("isad_language", repository.Text{"none": strings.Join(d.Language, ", ")})
	}
	if d := c.Description; d != nil {
		out = append(out, pointFields(lang, d.Points)...)
		out = append(out, keptFields(lang, d)...)
	}
	return out
}

// keptFields are the elements a finding aid gave the unit that no field
// shows, as written: notes in words, a digital object elsewhere as a link
// (a local file the import attached is one of the unit's items).
func keptFields(lang string, d *repository.Description) []field {
	var out []field
	var add func(m repository.Markup)
	add = func(m repository.Markup) {
		switch m.Name {
		case "daoset":
			for _, c := range m.Content {
				add(c)
			}
		case "dao":
			if href, title, ok := ead.Elsewhere(m); ok {
				out = append(out, field{Label: t(lang, "ead_el_dao"), Value: title, Link: href})
			}
		default:
			words := m
			words.Content = slices.DeleteFunc(slices.Clone(m.Content), func(c repository.Markup) bool { return c.Name == "head" })
			if v := words.String(); v != "" {
				out = append(out, field{Label: t(lang, "ead_el_"+m.Name), Value: v, Lang: m.Attr("lang")})
			}
		}
	}
	for _, m := range ead.Unshown(d) {
		add(m)
	}
	return out
}

// findingAid is the public page of an archival unit and everything below
// it that the reader may see.
func (s *Server) findingAid(c *gin.Context) {
	tr, ok := s.treePage(c, c.Param("id"))
	if !ok {
		return
	}
	var err error
	p := aidPage{page: s.newPage(c, ""), RootID: tr.Root.ID}
	p.Title = tr.Root.Title.Get(p.Lang)
	if p.Crumbs, err = s.crumbs(c, p.Lang, tr.Root.Institution, tr.Root.Parent); err != nil {
		s.fail(c, err)
		return
	}
	if p.Root, p.Units, err = s.aidTree(c, tr, p.Lang, true); err != nil {
		s.fail(c, err)
		return
	}
	p.HTML = aidHTML(p.Root, p.Units)
	site := s.site(c)
	p.EAD = "/api/v1/fonds/" + tr.Root.ID + "/ead.xml"
	p.Tree = site.TreeURL(tr.Root.ID)
	p.PDFURL = "/fonds/" + tr.Root.ID + "/print"
	p.Desk = access.Decide(who(c), access.Edit, access.LibraryResource(tr.Root.Institution), time.Now()) == nil
	if err := s.describeUnit(c, &p.page, tr.Root.Collection, "/fonds/"+tr.Root.ID); err != nil {
		s.fail(c, err)
		return
	}
	src, err := s.cfg.Cite.UnitSource(who(c), tr.Root.Collection)
	if err != nil {
		s.fail(c, err)
		return
	}
	p.Cite = citeBlock{Lang: p.Lang, Heading: "cite_unit", URL: "/api/v1/units/" + tr.Root.ID + "/citation", Plain: src.Plain(p.Lang, site.Base)}
	s.cache(c, publicShort)
	s.render(c, http.StatusOK, "findingaid", p)
}

// printAid is the finding aid laid out for paper: every unit open, no
// navigation; the reading room prints it, or saves it as PDF.
func (s *Server) printAid(c *gin.Context) {
	if p, ok := s.printPage(c); ok {
		s.cache(c, publicShort)
		s.render(c, http.StatusOK, "printaid", p)
	}
}

// printPage is the printable finding aid of the fonds in the address; it
// has answered when ok is false.
func (s *Server) printPage(c *gin.Context) (p aidPage, ok bool) {
	tr, ok := s.treePage(c, c.Param("id"))
	if !ok {
		return p, false
	}
	p = aidPage{page: s.newPage(c, ""), RootID: tr.Root.ID}
	p.Title = tr.Root.Title.Get(p.Lang)
	var err error
	if p.Root, p.Units, err = s.aidTree(c, tr, p.Lang, true); err != nil {
		s.fail(c, err)
		return p, false
	}
	p.HTML = printHTML(p.Root, p.Units)
	return p, true
}

// treePage reads the archival tree a page is about, as the reader may see
// it; when it cannot, it answers (a missing or withdrawn unit is the page
// not found) and ok is false.
func (s *Server) treePage(c *gin.Context, id string) (*repository.Tree, bool) {
	tr, err := s.readTree(c, id)
	if errors.Is(err, fault.NotFound) || errors.Is(err, fault.Gone) {
		s.notFoundPage(c)
		return nil, false
	}
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return tr, true
}

// unitViewer shows every page of a unit's items in the viewer, from the
// unit's manifest.
func (s *Server) unitViewer(c *gin.Context) {
	tr, ok := s.treePage(c, c.Param("unit"))
	if !ok {
		return
	}
	// The fonds in the address is named only when the reader may see it
	// and the unit is inside it.
	fonds, err := s.readTree(c, c.Param("id"))
	if err == nil && fonds.Node(tr.Root.ID) == nil {
		err = notFound("archival unit " + tr.Root.ID + " is not in " + fonds.Root.ID)
	}
	if err != nil {
		if errors.Is(err, fault.NotFound) || errors.Is(err, fault.Gone) || errors.Is(err, fault.Forbidden) || errors.Is(err, fault.Unauthenticated) {
			s.notFoundPage(c)
			return
		}
		s.fail(c, err)
		return
	}
	p := itemPage{page: s.newPage(c, ""), Manifest: s.site(c).UnitManifestURL(tr.Root.ID), Viewer: viewerBuilt()}
	p.Title = tr.Root.Title.Get(p.Lang)
	p.Crumbs = []link{{"/", t(p.Lang, "home")}, {"/fonds/" + fonds.Root.ID, fonds.Root.Title.Get(p.Lang)}}
	s.cache(c, publicShort)
	s.render(c, http.StatusOK, "unitview", p)
}

// eadExport answers the EAD3 finding aid of a unit, as the reader may see
// it, or with format=ead2002 the same in EAD 2002.
func (s *Server) eadExport(c *gin.Context) {
	format := c.Query("format")
	if format != "" && format != "ead3" && format != "ead2002" {
		s.fail(c, invalid(t(s.lang(c), "ead_format_unknown")))
		return
	}
	tr, err := s.readTree(c, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	site := s.site(c)
	var b bytes.Buffer
	// The newest change the reader may see dates the document, so the same
	// tree gives the same bytes (and ETag).
	// ?internal=1 asks for what the library keeps internal: honoured for its
	// staff only (ead.Export).
	e := ead.Export{Tree: tr, Items: s.cfg.Store, Principal: who(c), At: time.Now(), Manifest: site.ManifestURL, Points: s.cfg.Store.Point, Internal: c.Query("internal") == "1"}
	if e.Now, err = e.Newest(); err != nil {
		s.fail(c, err)
		return
	}
	write, name := e.Write, tr.Root.ID+".ead.xml"
	if format == "ead2002" {
		write, name = e.Write2002, tr.Root.ID+".ead2002.xml"
	}
	if err := write(&b); err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, publicDoc)
	c.Header("Content-Disposition", `inline; filename="`+name+`"`)
	s.send(c, http.StatusOK, "application/xml; charset=utf-8", b.Bytes())
}

// unitChain lists the units from the fonds down to unit (where an item
// is filed) that the reader may see: where a search hit sits in the tree.
func (s *Server) unitChain(c *gin.Context, unit string) ([]*repository.Collection, error) {
	var chain []*repository.Collection
	for id, depth := unit, 0; id != "" && depth < 64; depth++ {
		col, err := s.cfg.Store.Collection(id)
		if errors.Is(err, fault.NotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		if col.Level == repository.Curated {
			return nil, nil
		}
		chain = append([]*repository.Collection{col}, chain...)
		id = col.Parent
	}
	for i, col := range chain {
		r, err := access.CollectionResource(s.cfg.Store, col)
		if err != nil {
			return nil, err
		}
		if access.Decide(who(c), access.ReadMetadata, r, time.Now()) != nil {
			return chain[:i], nil
		}
	}
	return chain, nil
}

// unitPath is unitChain as links to each unit's place in the finding aid.
func (s *Server) unitPath(c *gin.Context, lang, unit string) ([]link, error) {
	chain, err := s.unitChain(c, unit)
	var out []link
	for _, col := range chain {
		out = append(out, link{"/fonds/" + chain[0].ID + "#unit-" + col.ID, col.Title.Get(lang)})
	}
	return out, err
}

// unitRef is a unit of a search hit's path, for the JSON API.
type unitRef struct {
	ID    string          `json:"id"`
	Level string          `json:"level"`
	Title repository.Text `json:"title"`
	URL   string          `json:"url"` // its place in the finding aid
}

func (s *Server) unitRefs(c *gin.Context, unit string) ([]unitRef, error) {
	chain, err := s.unitChain(c, unit)
	var out []unitRef
	for _, col := range chain {
		out = append(out, unitRef{col.ID, string(col.Level), col.Title, s.site(c).Base + "/fonds/" + chain[0].ID + "#unit-" + col.ID})
	}
	return out, err
}

// maxFound is how many items findItems lists.
const maxFound = 20

// findItems lists a library's items whose words (titles in Thai and
// English, and the rest the index holds) match q, for the unit form's
// picker: only to those who may edit the library, and only items they may
// see.
func (s *Server) findItems(c *gin.Context) {
	inst, lang := c.Query("institution"), s.lang(c)
	if err := access.Decide(who(c), access.Edit, access.LibraryResource(inst), time.Now()); err != nil {
		s.fail(c, err)
		return
	}
	type found struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Other string `json:"other,omitempty"`
	}
	out := []found{}
	s.cache(c, privateOnly)
	q := search.Query{Text: strings.TrimSpace(c.Query("q")), Filters: map[string][]string{"library": {inst}}, Lang: lang, Limit: maxFound}
	if q.Text == "" {
		c.JSON(http.StatusOK, out)
		return
	}
	_, listed, _, err := s.runSearch(c, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	other := map[string]string{"th": "en", "en": "th"}[lang]
	for _, l := range listed {
		f := found{ID: l.Item.ID, Title: l.Item.Title.Get(lang)}
		if o := l.Item.Title[other]; o != f.Title {
			f.Other = o
		}
		out = append(out, f)
	}
	c.JSON(http.StatusOK, out)
}
