package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

// entryPage is a harvested catalogue entry's page: its description, and
// the original, the place to read it.
type entryPage struct {
	page
	TitleOther string
	Fields     []field
	Original   string // the handle, DOI or URL of the original
	Thumb      string // the source's thumbnail, if it gives one
	Source     string // the host the entry was harvested from
	Gone       bool
	// Manifest is the original's IIIF manifest on its own server, which
	// the archive's viewer opens when Viewer (the viewer is built).
	Manifest string
	Viewer   bool
}

// policy is the page's image sources and its connect-src directive (""
// for the default): the source's thumbnail on its server, and for a
// manifest its server and the image servers it names, which a page
// cannot know beforehand (any https server).
func (p entryPage) policy(img string) (string, string) {
	if o := origin(p.Thumb); o != "" {
		img += " " + o
	}
	if p.Manifest == "" || !p.Viewer {
		return img, ""
	}
	o := origin(p.Manifest)
	return img + " https: " + o, "; connect-src 'self' https: " + o
}

// entryPage answers GET /entries/:id.
func (s *Server) entryPage(c *gin.Context) {
	e, err := s.cfg.Store.Entry(c.Param("id"))
	if err == nil {
		err = access.Decide(who(c), access.ReadMetadata, access.EntryResource(e), time.Now())
	}
	switch {
	case errors.Is(err, fault.NotFound):
		s.notFoundPage(c)
	case errors.Is(err, fault.Gone):
		p := entryPage{page: s.newPage(c, ""), Gone: true}
		p.Title = t(p.Lang, "entry_gone")
		s.cache(c, publicDoc)
		s.render(c, http.StatusGone, "entry", p)
	case err != nil:
		s.fail(c, err)
	default:
		p, err := s.entryPageData(c, e)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.cache(c, publicDoc)
		s.render(c, http.StatusOK, "entry", p)
	}
}

func (s *Server) entryPageData(c *gin.Context, e *repository.Entry) (entryPage, error) {
	p := entryPage{page: s.newPage(c, ""), Original: safeLink(e.Link), Thumb: safeLink(e.Thumbnail), Manifest: safeLink(e.Manifest), Viewer: viewerBuilt()}
	p.Title = e.Title.Get(p.Lang)
	if o := e.Title[p.Other]; o != "" && o != p.Title {
		p.TitleOther = o
	}
	in, err := s.cfg.Store.Institution(e.Institution)
	if err != nil {
		return p, err
	}
	if src, err := s.cfg.Store.Source(e.Source); err == nil {
		if u, err := url.Parse(firstNonEmpty(src.OAI, src.IIIF)); err == nil {
			p.Source = u.Host
		}
	} else if !errors.Is(err, fault.NotFound) {
		return p, err
	}
	other := p.Other
	add := func(key string, v repository.Text) {
		if strings.TrimSpace(v.Get("")) == "" {
			return
		}
		f := field{Label: t(p.Lang, key), Value: v.Get(p.Lang)}
		if o := v[other]; o != "" && o != f.Value {
			f.Other, f.OtherLang = o, other
		}
		p.Fields = append(p.Fields, f)
	}
	if d, err := edtf.Parse(e.Date); err == nil {
		p.Fields = append(p.Fields, field{Label: t(p.Lang, "date"), Value: d.Format(p.Lang), Other: d.Format(other), OtherLang: other})
	}
	for _, cr := range e.Creators {
		p.Fields = append(p.Fields, field{Label: t(p.Lang, "creator"), Value: cr,
			Link: s.pointLink(repository.Text{"": cr}, repository.PersonPoint, repository.CorporatePoint, repository.FamilyPoint, repository.AgentPoint)})
	}
	add("summary", e.Summary)
	for _, sub := range e.Subjects {
		n := len(p.Fields)
		if add("subjects", sub); len(p.Fields) > n {
			p.Fields[n].Link = s.pointLink(sub, repository.SubjectPoint, repository.PlacePoint, repository.GenrePoint)
		}
	}
	if k, ok := typeWords[e.Type]; ok {
		p.Fields = append(p.Fields, field{Label: t(p.Lang, "facet_type"), Value: t(p.Lang, k)})
	}
	add("holding", in.Name)
	for _, id := range e.Identifiers {
		p.Fields = append(p.Fields, field{Label: t(p.Lang, "entry_identifier"), Value: id, Link: safeLink(id)})
	}
	return p, nil
}

// pointLink is the page of the archive's access point that a harvested
// creator or subject names (as an access point of one of kinds, without
// a source: a heading the same when folded), or "" when there is none:
// the archive's own records of that person or subject are a click away.
func (s *Server) pointLink(heading repository.Text, kinds ...repository.PointKind) string {
	for _, k := range kinds {
		if pt, err := s.cfg.Store.SamePoint(&repository.Point{Kind: k, Heading: heading}); err == nil {
			return "/points/" + pt.ID
		}
	}
	return ""
}

// safeLink is u when it is an http or https URL, else "": a harvested
// record's links are someone else's data.
func safeLink(u string) string {
	v, err := url.Parse(u)
	if err != nil || (v.Scheme != "http" && v.Scheme != "https") || v.Host == "" {
		return ""
	}
	return u
}

// origin is the scheme and host of a URL, for a page's image policy.
func origin(u string) string {
	v, err := url.Parse(u)
	if err != nil || v.Host == "" || strings.ContainsAny(v.Host, " ;'\"") {
		return ""
	}
	return v.Scheme + "://" + v.Host
}

// harvestedLinks lists library inst's sources, each by its host, leading to
// its entries in search.
func (s *Server) harvestedLinks(inst string) ([]link, error) {
	all, err := s.cfg.Store.Sources()
	if err != nil {
		return nil, err
	}
	var out []link
	for _, src := range all {
		if src.Institution != inst {
			continue
		}
		host := firstNonEmpty(src.OAI, src.IIIF)
		if u, err := url.Parse(host); err == nil && u.Host != "" {
			host = u.Host
		}
		out = append(out, link{URL: "/search?" + url.Values{"library": {inst}, "source": {src.ID}}.Encode(), Label: host})
	}
	return out, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
