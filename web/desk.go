package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// The archivists' desk: edit items and collections, reorder pages, see the
// event trail, bring back an earlier version. Every form carries the CSRF
// token; every save carries the version it was read at.

type editPage struct {
	page
	Item         *repository.Item
	Coll         *repository.Collection
	Collections  []*repository.Collection
	Levels       []repository.Level
	Versions     []int
	Events       []repository.Event
	Saved        bool
	AccessLevels []string
}

func (s *Server) editItem(c *gin.Context) {
	it, _, err := s.loadItem(c, c.Param("id"), access.Edit)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderEdit(c, http.StatusOK, it, "")
}

func (s *Server) renderEdit(c *gin.Context, status int, it *repository.Item, msg string) {
	p := editPage{page: s.newPage(c, ""), Item: it, Saved: c.Query("saved") == "1", AccessLevels: repository.Levels}
	p.Title, p.Error, p.CSRF = t(p.Lang, "edit"), msg, s.csrfToken(c)
	var err error
	if p.Collections, err = s.cfg.Store.Collections(it.Institution); err == nil {
		if p.Versions, err = s.cfg.Store.ItemVersions(c.Request.Context(), it.ID); err == nil {
			p.Events, err = s.cfg.Store.Events(it.ID)
		}
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	private(c)
	s.render(c, status, "edit", p)
}

// formVersion is the version a form was read at.
func formVersion(c *gin.Context) (int, error) {
	v, err := strconv.Atoi(c.PostForm("version"))
	if err != nil || v < 0 {
		return 0, invalid("the form has no version; reload the page")
	}
	return v, nil
}

// saveItem applies the form to the item as a new version.
func (s *Server) saveItem(c *gin.Context) {
	it, _, err := s.loadItem(c, c.Param("id"), access.Edit)
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := formVersion(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	it.Version = v
	text := func(name string) repository.Text { return formText(c, name) }
	// Keep values in languages the form does not show.
	merge := func(old, new repository.Text) repository.Text {
		for k, v := range old {
			// "none" is the filename an upload was titled with: a title in
			// Thai or English replaces it.
			if k != "th" && k != "en" && new[k] == "" && !(k == "none" && !new.Empty()) {
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
		date, err := ingest.ParseDate(d)
		if err != nil {
			it.Date = d // show what was typed, to correct it
			s.renderEdit(c, http.StatusBadRequest, it, err.Error())
			return
		}
		it.Date = date
	} else {
		it.Date = ""
	}
	if len(it.Files) > 1 {
		it.Files = reorder(it.Files, func(i int) int { n, _ := strconv.Atoi(c.PostForm(fmt.Sprintf("order_%d", i))); return n })
	}
	if err := s.cfg.Store.SaveItem(c.Request.Context(), it, who(c).Email+" (desk)"); err != nil {
		status := Status(err)
		fresh, ferr := s.cfg.Store.Item(it.ID)
		if ferr != nil || status >= 500 {
			s.fail(c, err)
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
	it, _, err := s.loadItem(c, c.Param("id"), access.Edit)
	if err != nil {
		s.fail(c, err)
		return
	}
	n, _ := strconv.Atoi(c.PostForm("v"))
	old, err := s.cfg.Store.ItemVersion(c.Request.Context(), it.ID, n)
	if err != nil {
		s.renderEdit(c, Status(err), it, reason(err))
		return
	}
	cur, err := formVersion(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	restored := *old
	restored.Files, restored.Version, restored.Created, restored.Deleted, restored.Withdrawal = it.Files, cur, it.Created, it.Deleted, it.Withdrawal
	restored.Institution = it.Institution // an earlier version cannot move the item to another library
	if err := s.cfg.Store.SaveItem(c.Request.Context(), &restored, who(c).Email+" (desk)",
		repository.Event{Type: "modification", Outcome: "success", Detail: fmt.Sprintf("description of version %d restored", n)}); err != nil {
		s.renderEdit(c, Status(err), it, reason(err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/desk/items/"+it.ID+"?saved=1")
}

func (s *Server) editCollection(c *gin.Context) {
	col := &repository.Collection{Institution: c.Query("institution"), Level: repository.Fonds}
	if col.Institution == "" {
		col.Institution = who(c).Institution
	}
	if id := c.Param("id"); id != "" {
		var err error
		if col, err = s.cfg.Store.Collection(id); err != nil {
			s.fail(c, err)
			return
		}
	}
	if err := access.Decide(who(c), access.Edit, access.LibraryResource(col.Institution), time.Now()); err != nil {
		s.fail(c, err)
		return
	}
	s.renderCollection(c, http.StatusOK, col, "")
}

func (s *Server) renderCollection(c *gin.Context, status int, col *repository.Collection, msg string) {
	p := editPage{page: s.newPage(c, ""), Coll: col, AccessLevels: repository.Levels,
		Levels: []repository.Level{repository.Fonds, repository.Series, repository.Subseries, repository.FileLevel, repository.Curated}}
	p.Title, p.Error, p.CSRF = t(p.Lang, "new_collection"), msg, s.csrfToken(c)
	libs, err := s.cfg.Store.Institutions()
	if err != nil {
		s.fail(c, err)
		return
	}
	now := time.Now()
	for _, in := range libs {
		if access.Decide(who(c), access.Edit, access.LibraryResource(in.ID), now) != nil {
			continue
		}
		p.Libraries = append(p.Libraries, in)
		cols, err := s.cfg.Store.Collections(in.ID)
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, x := range cols {
			if x.ID != col.ID {
				p.Collections = append(p.Collections, x)
			}
		}
	}
	private(c)
	s.render(c, status, "colledit", p)
}

// saveCollection creates or changes a collection of a library the person
// edits; a shared (curated) collection lists only items they may see.
func (s *Server) saveCollection(c *gin.Context) {
	p, now := who(c), time.Now()
	col := &repository.Collection{ID: c.PostForm("id")}
	if id := c.Param("id"); id != "" {
		var err error
		if col, err = s.cfg.Store.Collection(id); err != nil {
			s.fail(c, err)
			return
		}
		if err := access.Decide(p, access.Edit, access.LibraryResource(col.Institution), now); err != nil {
			s.fail(c, err)
			return
		}
	}
	if c.Param("id") != "" {
		var err error
		if col.Version, err = formVersion(c); err != nil {
			s.fail(c, err)
			return
		}
	}
	col.Institution, col.Parent, col.Level = c.PostForm("institution"), c.PostForm("parent"), repository.Level(c.PostForm("level"))
	if err := access.Decide(p, access.Edit, access.LibraryResource(col.Institution), now); err != nil {
		s.fail(c, err)
		return
	}
	col.Access = repository.Access{Level: c.PostForm("access"), Embargo: c.PostForm("embargo")}
	col.Title = formText(c, "title")
	col.Summary = formText(c, "summary")
	col.Members = strings.Fields(c.PostForm("members"))
	if visible, err := access.Visible(s.cfg.Store, p, col.Members, now); err != nil {
		s.fail(c, err)
		return
	} else if len(visible) != len(col.Members) {
		s.renderCollection(c, http.StatusBadRequest, col, t(s.lang(c), "members_unseen"))
		return
	}
	if err := s.cfg.Store.SaveCollection(c.Request.Context(), col, p.Email+" (desk)"); err != nil {
		if Status(err) >= 500 {
			s.fail(c, err)
			return
		}
		s.renderCollection(c, Status(err), col, reason(err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/collections/"+col.ID)
}

// formText reads a field's Thai and English inputs.
func formText(c *gin.Context, name string) repository.Text {
	out := repository.Text{}
	for _, l := range []string{"th", "en"} {
		if v := strings.TrimSpace(c.PostForm(name + "_" + l)); v != "" {
			out[l] = v
		}
	}
	return out
}
