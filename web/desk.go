package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// The archivists' desk: edit items and collections, reorder pages, see the
// event trail, bring back an earlier version. Every form carries the CSRF
// token; every save carries the version it was read at.

func (s *Server) mountDesk(r *gin.Engine) {
	d := r.Group("/desk", s.requireSession)
	d.GET("/items/:id", s.editItem)
	d.POST("/items/:id", s.saveItem)
	d.POST("/items/:id/restore", s.restoreItem)
	d.GET("/collections/new", s.editCollection)
	d.GET("/collections/:id", s.editCollection)
	d.POST("/collections", s.saveCollection)
	d.POST("/collections/:id", s.saveCollection)
}

func (s *Server) requireSession(c *gin.Context) {
	if s.session(c) == "" {
		c.Redirect(http.StatusSeeOther, "/desk")
		c.Abort()
		return
	}
	if c.Request.Method == http.MethodPost && !s.checkCSRF(c) {
		fail(c, http.StatusForbidden, "the form has expired; reload the page and try again")
	}
}

type editPage struct {
	page
	Item        *repository.Item
	Coll        *repository.Collection
	Collections []*repository.Collection
	Levels      []repository.Level
	Versions    []int
	Events      []repository.Event
	Saved       bool
}

func (s *Server) editItem(c *gin.Context) {
	it, err := s.cfg.Store.Item(c.Param("id"))
	if err != nil {
		s.notFound(c)
		return
	}
	s.renderEdit(c, http.StatusOK, it, "")
}

func (s *Server) renderEdit(c *gin.Context, status int, it *repository.Item, msg string) {
	p := editPage{page: s.newPage(c, ""), Item: it, Saved: c.Query("saved") == "1"}
	p.Title, p.Error, p.CSRF, p.SignedIn = t(p.Lang, "edit"), msg, s.csrfToken(c), true
	p.Collections, _ = s.cfg.Store.Collections(it.Institution)
	p.Versions, _ = s.cfg.Store.ItemVersions(c.Request.Context(), it.ID)
	p.Events, _ = s.cfg.Store.Events(it.ID)
	c.Header("Cache-Control", "no-store")
	s.render(c, status, "edit", p)
}

// saveItem applies the form to the item as a new version.
func (s *Server) saveItem(c *gin.Context) {
	it, err := s.cfg.Store.Item(c.Param("id"))
	if err != nil {
		s.notFound(c)
		return
	}
	v, _ := strconv.Atoi(c.PostForm("version"))
	it.Version = v
	text := func(name string) repository.Text {
		out := repository.Text{}
		for _, l := range []string{"th", "en"} {
			if val := strings.TrimSpace(c.PostForm(name + "_" + l)); val != "" {
				out[l] = val
			}
		}
		return out
	}
	// Keep values in languages the form does not show.
	merge := func(old, new repository.Text) repository.Text {
		for k, v := range old {
			if k != "th" && k != "en" && new[k] == "" {
				new[k] = v
			}
		}
		return new
	}
	it.Title, it.Summary, it.Creator = merge(it.Title, text("title")), merge(it.Summary, text("summary")), merge(it.Creator, text("creator"))
	it.Rights = strings.TrimSpace(c.PostForm("rights"))
	it.Access = repository.Access{Level: c.PostForm("access"), Embargo: c.PostForm("embargo")}
	it.Collection = c.PostForm("collection")
	if d := strings.TrimSpace(c.PostForm("date")); d != "" {
		if it.Date, err = ingest.ParseDate(d); err != nil {
			s.renderEdit(c, http.StatusBadRequest, it, err.Error())
			return
		}
	} else {
		it.Date = ""
	}
	if len(it.Files) > 1 {
		it.Files = reorder(it.Files, func(i int) int { n, _ := strconv.Atoi(c.PostForm(fmt.Sprintf("order_%d", i))); return n })
	}
	if err := s.cfg.Store.SaveItem(c.Request.Context(), it, "archivist (desk)"); err != nil {
		status := Status(err)
		if errors.Is(err, repository.ErrConflict) {
			status = http.StatusConflict
		}
		fresh, ferr := s.cfg.Store.Item(it.ID)
		if ferr != nil || status >= 500 {
			s.failErr(c, err)
			return
		}
		// Show the form again with what was typed, at the current version.
		if errors.Is(err, repository.ErrConflict) {
			it = fresh
		} else {
			it.Version = fresh.Version
		}
		s.renderEdit(c, status, it, reason(err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/desk/items/"+it.ID+"?saved=1")
}

// reorder sorts files by the positions typed in the form (ties keep order).
func reorder(files []repository.File, pos func(int) int) []repository.File {
	idx := make([]int, len(files))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		pa, pb := pos(a), pos(b)
		if pa <= 0 {
			pa = a + 1
		}
		if pb <= 0 {
			pb = b + 1
		}
		return pa - pb
	})
	out := make([]repository.File, len(files))
	for i, j := range idx {
		out[i] = files[j]
	}
	return out
}

// restoreItem brings back the description of an earlier version (files
// stay as they are now), saved as a new version: nothing is lost.
func (s *Server) restoreItem(c *gin.Context) {
	it, err := s.cfg.Store.Item(c.Param("id"))
	if err != nil {
		s.notFound(c)
		return
	}
	n, _ := strconv.Atoi(c.PostForm("v"))
	old, err := s.cfg.Store.ItemVersion(c.Request.Context(), it.ID, n)
	if err != nil {
		s.renderEdit(c, Status(err), it, reason(err))
		return
	}
	cur, _ := strconv.Atoi(c.PostForm("version"))
	restored := *old
	restored.Files, restored.Version, restored.Created, restored.Deleted = it.Files, cur, it.Created, it.Deleted
	if err := s.cfg.Store.SaveItem(c.Request.Context(), &restored, "archivist (desk)",
		repository.Event{Type: "modification", Outcome: "success", Detail: fmt.Sprintf("description of version %d restored", n)}); err != nil {
		s.renderEdit(c, Status(err), it, reason(err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/desk/items/"+it.ID+"?saved=1")
}

func (s *Server) editCollection(c *gin.Context) {
	col := &repository.Collection{Institution: c.Query("institution"), Level: repository.Fonds}
	if id := c.Param("id"); id != "" {
		var err error
		if col, err = s.cfg.Store.Collection(id); err != nil {
			s.notFound(c)
			return
		}
	}
	s.renderCollection(c, http.StatusOK, col, "")
}

func (s *Server) renderCollection(c *gin.Context, status int, col *repository.Collection, msg string) {
	p := editPage{page: s.newPage(c, ""), Coll: col,
		Levels: []repository.Level{repository.Fonds, repository.Series, repository.Subseries, repository.FileLevel, repository.Curated}}
	p.Title, p.Error, p.CSRF, p.SignedIn = t(p.Lang, "new_collection"), msg, s.csrfToken(c), true
	p.Libraries, _ = s.cfg.Store.Institutions()
	for _, in := range p.Libraries {
		cols, _ := s.cfg.Store.Collections(in.ID)
		for _, x := range cols {
			if x.ID != col.ID {
				p.Collections = append(p.Collections, x)
			}
		}
	}
	s.render(c, status, "colledit", p)
}

func (s *Server) saveCollection(c *gin.Context) {
	col := &repository.Collection{ID: c.PostForm("id")}
	if id := c.Param("id"); id != "" {
		var err error
		if col, err = s.cfg.Store.Collection(id); err != nil {
			s.notFound(c)
			return
		}
	}
	col.Version, _ = strconv.Atoi(c.PostForm("version"))
	col.Institution, col.Parent, col.Level = c.PostForm("institution"), c.PostForm("parent"), repository.Level(c.PostForm("level"))
	col.Title = repository.Text{"th": strings.TrimSpace(c.PostForm("title_th")), "en": strings.TrimSpace(c.PostForm("title_en"))}
	col.Summary = repository.Text{"th": strings.TrimSpace(c.PostForm("summary_th")), "en": strings.TrimSpace(c.PostForm("summary_en"))}
	col.Members = strings.Fields(c.PostForm("members"))
	for k, v := range col.Title {
		if v == "" {
			delete(col.Title, k)
		}
	}
	for k, v := range col.Summary {
		if v == "" {
			delete(col.Summary, k)
		}
	}
	if err := s.cfg.Store.SaveCollection(c.Request.Context(), col, "archivist (desk)"); err != nil {
		s.renderCollection(c, Status(err), col, reason(err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/collections/"+col.ID)
}
