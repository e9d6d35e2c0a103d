package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/repository"
)

// pointPage is an access point's public page, or its desk form.
type pointPage struct {
	page
	Point *repository.Point
	Units []*repository.Collection
	Items []access.Listed
	// Link: the identifier is a web address, shown as a link.
	Link           bool
	CanEdit, Saved bool
}

// pointPublic shows an access point with the units and items of every
// library that name it and the visitor may read; one nothing visible
// names is not found.
func (s *Server) pointPublic(c *gin.Context) {
	id := c.Param("id")
	if !repository.ValidID(id) {
		s.notFoundPage(c)
		return
	}
	got, err := s.cfg.Points.Read(c.Request.Context(), who(c), id)
	if err != nil {
		if Status(err) == http.StatusNotFound {
			s.notFoundPage(c)
			return
		}
		s.fail(c, err)
		return
	}
	if got.Point.ID != id { // merged: the kept point's page
		s.cache(c, noStore)
		c.Redirect(http.StatusMovedPermanently, "/points/"+got.Point.ID)
		return
	}
	p := pointPage{page: s.newPage(c, ""), Point: got.Point, Units: got.Units, Items: got.Items}
	p.Title = got.Point.Heading.Get(p.Lang)
	p.Crumbs = []link{{"/", t(p.Lang, "home")}}
	p.Link = strings.HasPrefix(got.Point.Identifier, "https://") || strings.HasPrefix(got.Point.Identifier, "http://")
	p.CanEdit = who(c).Role != access.Anonymous && who(c).Role != access.Reader
	if got.Public {
		s.cache(c, publicShort)
	} else {
		s.cache(c, privateOnly)
	}
	s.render(c, http.StatusOK, "point", p)
}

// pointForm shows the desk's form for an access point: its headings,
// source and identifier, and merging it into another.
func (s *Server) pointForm(c *gin.Context) {
	pt, err := s.cfg.Points.ForEdit(c.Request.Context(), who(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderPointForm(c, http.StatusOK, pt, "")
}

func (s *Server) renderPointForm(c *gin.Context, status int, pt *repository.Point, msg string) {
	p := pointPage{page: s.newPage(c, ""), Point: pt, Saved: c.Query("saved") != ""}
	p.Title, p.Error, p.CSRF = t(p.Lang, "point_edit"), msg, s.csrfToken(c)
	p.Crumbs = []link{{"/desk", t(p.Lang, "desk")}, {"/points/" + pt.ID, pt.Heading.Get(p.Lang)}}
	s.cache(c, privateOnly)
	s.render(c, status, "pointedit", p)
}

// savePoint saves the desk's form of an access point.
func (s *Server) savePoint(c *gin.Context) {
	version, err := strconv.Atoi(c.PostForm("version"))
	if err != nil {
		s.fail(c, &httpError{status: http.StatusBadRequest, msg: "the form's version is not a number"})
		return
	}
	e := desk.PointEdit{Version: version, Source: c.PostForm("source"), Identifier: c.PostForm("identifier"),
		Heading: repository.Text{"th": c.PostForm("heading_th"), "en": c.PostForm("heading_en")}}
	pt, err := s.cfg.Points.Edit(c.Request.Context(), who(c), c.Param("id"), e)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, noStore)
	c.Redirect(http.StatusSeeOther, "/desk/points/"+pt.ID+"?saved=1")
}

// mergePoint merges the access point into the one the form names.
func (s *Server) mergePoint(c *gin.Context) {
	// The other point's identifier, or its page's address.
	into := strings.TrimSpace(c.PostForm("into"))
	if i := strings.LastIndex(into, "/points/"); i >= 0 {
		into = strings.Trim(into[i+len("/points/"):], "/")
	}
	if _, err := s.cfg.Points.Merge(c.Request.Context(), who(c), c.Param("id"), into); err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, noStore)
	c.Redirect(http.StatusSeeOther, "/desk/points/"+into+"?saved=1")
}

// pointLabel names a value of the search's access point facet
// ("kind/id"): the point's heading and its kind.
func (s *Server) pointLabel(lang, value string) (string, error) {
	kind, id, _ := strings.Cut(value, "/")
	p, err := s.cfg.Store.Point(id)
	if err != nil {
		return value, ignoreNotFound(err)
	}
	return p.Heading.Get(lang) + " (" + t(lang, "point_kind."+kind) + ")", nil
}

// pointFields lists a unit's access points for a reader of lang, each
// named by its kind (creators as such) and leading to its page.
func pointFields(lang string, refs []repository.PointRef) []field {
	var out []field
	for _, r := range refs {
		label := t(lang, "point_kind."+string(repository.PointElements[r.Element]))
		if r.Role == "origination" {
			label = t(lang, "isad_creator")
		}
		f := field{Label: label, Value: r.Heading.Get(lang)}
		if r.Point != "" {
			f.Link = "/points/" + r.Point
		}
		if f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}

// originated reports whether a description names its creators as access
// points.
func originated(d *repository.Description) bool {
	for _, r := range d.Points {
		if r.Role == "origination" && r.Point != "" {
			return true
		}
	}
	return false
}

// pointsList is the desk's list of a library's access points.
type pointsList struct {
	page
	Library string
	Points  []*repository.Point
}

// deskPoints lists the access points a library's units and items name,
// each leading to its form.
func (s *Server) deskPoints(c *gin.Context) {
	lib := c.Query("institution")
	if lib == "" {
		lib = who(c).Institution
	}
	pts, err := s.cfg.Points.List(c.Request.Context(), who(c), lib)
	if err != nil {
		s.fail(c, err)
		return
	}
	p := pointsList{page: s.newPage(c, ""), Library: lib, Points: pts}
	p.Title = t(p.Lang, "points_of_library")
	p.Crumbs = []link{{"/desk", t(p.Lang, "desk")}}
	s.cache(c, privateOnly)
	s.render(c, http.StatusOK, "pointlist", p)
}

// pointsNote says in lang what an EAD import did with its access points.
func pointsNote(lang string, n ead.PointCount) string {
	return strings.NewReplacer("{1}", strconv.Itoa(n.Links), "{2}", strconv.Itoa(n.Found), "{3}", strconv.Itoa(n.Made), "{4}", strconv.Itoa(n.Merged)).
		Replace(t(lang, "ead_points"))
}

// linkPoints makes the item page's fields that show one of the item's
// access points (its creator, a subject) lead to the point's page.
func linkPoints(fields []field, refs []repository.PointRef) {
	for i := range fields {
		f := &fields[i]
		for _, r := range refs {
			if r.Point == "" || f.Link != "" {
				continue
			}
			for _, h := range r.Heading {
				if h != "" && h == f.Value {
					f.Link = "/points/" + r.Point
				}
			}
		}
	}
}
