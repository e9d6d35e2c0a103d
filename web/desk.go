package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// The archivists' desk: edit items and collections, reorder pages, see the
// event trail, bring back an earlier version. Every form carries the CSRF
// token; every save carries the version it was read at.

type editPage struct {
	page
	Item        *repository.Item
	Coll        *repository.Collection
	Collections []*repository.Collection
	Levels      []repository.Level
	Versions    []int
	Events      []repository.Event
	// Copies say how each recording's copy for browsers comes along while
	// it is being made.
	Copies []copyNote
	// PageText says how the reading of the pages' text comes along.
	PageText string
	Saved    bool
	// DateNote says how the date typed in the form was read, when it was
	// a bare year read in the Buddhist Era.
	DateNote     string
	AccessLevels []string
	// List is the library's items (/desk/items); Results what a batch edit
	// or a describe sheet did to each; Sheet names the sheet and DryRun
	// says it was only checked.
	List    *itemList
	Results []result
	Sheet   string
	DryRun  bool
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
	p.DateNote = dateNote(p.Lang, it, c.Query("date_read"), c.PostForm("date"))
	p.Copies = s.copyList(p.Lang, it)
	p.PageText = s.ocrNote(p.Lang, it)
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
	s.cache(c, privateOnly)
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

// itemVersion is the version a form of the desk's services (an item, an
// account) was read at; -1 when it gives none, which the desk refuses once
// it has decided access.
func itemVersion(c *gin.Context) int {
	v, err := formVersion(c)
	if err != nil {
		return -1
	}
	return v
}

// saveItem applies the form to the item as a new version.
func (s *Server) saveItem(c *gin.Context) {
	e := desk.Edit{Version: itemVersion(c), Title: formText(c, "title"), Summary: formText(c, "summary"), Creator: formText(c, "creator"), ThaiEnglish: true,
		Date: ptr(c.PostForm("date")), Rights: ptr(c.PostForm("rights")), Collection: ptr(c.PostForm("collection")),
		Access: formAccess(c), Via: "desk"}
	for i := 0; ; i++ {
		o, ok := c.GetPostForm(fmt.Sprintf("order_%d", i))
		if !ok {
			break
		}
		n, _ := strconv.Atoi(o) // not a number: where it is
		e.Order = append(e.Order, n)
	}
	it, note, err := s.cfg.Items.Save(c.Request.Context(), who(c), c.Param("id"), e)
	if err != nil {
		if it == nil || Status(err) >= 500 {
			s.fail(c, err)
			return
		}
		// Show the form again with what was typed.
		s.renderEdit(c, Status(err), it, s.deskReason(c, err))
		return
	}
	saved := "/desk/items/" + it.ID + "?saved=1"
	if note != nil {
		saved += "&date_read=" + url.QueryEscape(strings.TrimSpace(c.PostForm("date")))
	}
	c.Redirect(http.StatusSeeOther, saved)
}

// ptr is the address of a form's value.
func ptr(s string) *string { return &s }

// dateNote says, in lang, how a date typed in the edit form was read when
// it was a bare year taken as the Buddhist Era ("read as B.E. 2505 = 1962
// CE"): after a save, from what was typed (carried in the address, and
// shown only while the item still has the date it gave), or on a form shown
// again, from the form.
func dateNote(lang string, it *repository.Item, typed ...string) string {
	for _, d := range typed {
		if d == "" {
			continue
		}
		date, warning, err := ingest.ReadDate(d)
		if err == nil && warning != nil && date == it.Date {
			return say(lang, *warning)
		}
	}
	return ""
}

// deskReason says why the store refused a change, in the reader's
// language where it has the words: a conflict, an invalid description, a
// refusal of access; anything else as the store said it.
func (s *Server) deskReason(c *gin.Context, err error) string {
	lang := s.lang(c)
	var r *desk.Reason
	var ie *ingest.Error
	switch st := Status(err); {
	case errors.As(err, &r):
		return t(lang, r.Key)
	case errors.As(err, &ie), errors.Is(err, fault.Conflict), errors.Is(err, fault.Invalid):
		return say(lang, ingest.MessageOf(err))
	case st == http.StatusForbidden, st == http.StatusUnauthorized:
		return t(lang, "err_forbidden")
	}
	return reason(err)
}

// restoreItem brings back the description of an earlier version (files
// stay as they are now), saved as a new version: nothing is lost.
func (s *Server) restoreItem(c *gin.Context) {
	it, _, err := s.loadItem(c, c.Param("id"), access.Edit)
	if err != nil {
		s.fail(c, err)
		return
	}
	n, _ := strconv.Atoi(c.PostForm("v")) // not a number: no version 0
	if err := s.cfg.Items.Restore(c.Request.Context(), who(c), it.ID, n, itemVersion(c)); err != nil {
		s.renderEdit(c, Status(err), it, s.deskReason(c, err))
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
		if col, err = s.deskUnit(c, id); err != nil {
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
	s.cache(c, privateOnly)
	s.render(c, status, "colledit", p)
}

// saveCollection creates or changes a collection of a library the person
// edits; a shared (curated) collection lists only items they may see.
func (s *Server) saveCollection(c *gin.Context) {
	col := &repository.Collection{ID: c.PostForm("id")}
	if id := c.Param("id"); id != "" {
		var err error
		if col, err = s.deskUnit(c, id); err != nil {
			s.fail(c, err)
			return
		}
		if col.Version, err = formVersion(c); err != nil {
			s.fail(c, err)
			return
		}
	} else if err := s.freeID(c, col.ID); err != nil {
		s.fail(c, err)
		return
	}
	col.Institution, col.Parent, col.Level = c.PostForm("institution"), c.PostForm("parent"), repository.Level(c.PostForm("level"))
	col.Access = *formAccess(c)
	col.Title = formText(c, "title")
	col.Summary = formText(c, "summary")
	col.Members = strings.Fields(c.PostForm("members"))
	var missing *desk.MissingUnit
	var unseen *desk.ItemRefused
	switch err := s.cfg.Units.SaveCollection(c.Request.Context(), who(c), col); {
	case errors.As(err, &missing):
		s.fail(c, invalid(t(s.lang(c), "outline_no_parent")))
		return
	case errors.As(err, &unseen):
		s.renderCollection(c, http.StatusBadRequest, col, t(s.lang(c), "members_unseen"))
		return
	case err != nil && Status(err) < 500 && Status(err) != http.StatusForbidden && Status(err) != http.StatusNotFound:
		s.renderCollection(c, Status(err), col, s.deskReason(c, err))
		return
	case err != nil:
		s.fail(c, err)
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

// --- the library's items: filters, pages, batch edit ---

// listPage is how many items a page of the list shows.
const listPage = desk.ListPage

// itemList is a page of the library's items and the addresses of the
// next and first pages ("" when there is none).
type itemList struct {
	*desk.List
	NextURL, FirstURL string
}

// filterQuery writes a filter as the list's query.
func filterQuery(f desk.Filter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"collection": f.Collection, "type": f.Type, "level": f.Level, "problem": f.Problem} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Days > 0 {
		q.Set("days", strconv.Itoa(f.Days))
	}
	return q
}

// listLibrary reads a page of a library's items that match f, after the
// cursor, with the addresses of the pages beside it.
func (s *Server) listLibrary(c *gin.Context, inst string, f desk.Filter, after string) (*itemList, error) {
	l, err := s.cfg.Items.List(c.Request.Context(), who(c), inst, f, after)
	if err != nil {
		return nil, err
	}
	out := &itemList{List: l}
	q := filterQuery(f)
	q.Set("institution", inst)
	if l.Next != "" {
		q.Set("after", l.Next)
		out.NextURL = "/desk/items?" + q.Encode()
	}
	if after != "" {
		q.Del("after")
		out.FirstURL = "/desk/items?" + q.Encode()
	}
	return out, nil
}

// deskItems lists the items of a library the person edits.
func (s *Server) deskItems(c *gin.Context) {
	libs, inst, err := s.chooseLibrary(c, c.Query("institution"))
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := desk.ParseFilter(c.Query)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderList(c, http.StatusOK, libs, inst, f, c.Query("after"), nil)
}

// CollectionTitle is the title of the page's collection id in the page's
// language, or id when it is not one of them.
func (p editPage) CollectionTitle(id string) string {
	for _, c := range p.Collections {
		if c.ID == id {
			return c.Title.Get(p.Lang)
		}
	}
	return id
}

func (s *Server) renderList(c *gin.Context, status int, libs []*repository.Institution, inst string, f desk.Filter, after string, results []result) {
	p := editPage{page: s.newPage(c, ""), AccessLevels: repository.Levels, Results: results}
	p.Title, p.CSRF, p.Libraries = t(p.Lang, "library_items"), s.csrfToken(c), libs
	var err error
	if p.Collections, err = s.cfg.Store.Collections(inst); err == nil {
		p.List, err = s.listLibrary(c, inst, f, after)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, privateOnly)
	s.render(c, status, "edit", p)
}

// batchEdit sets one field of every ticked item, each saved as a new
// version at the version the list was read at: an item changed meanwhile
// is reported, not overwritten.
func (s *Server) batchEdit(c *gin.Context) {
	libs, inst, err := s.chooseLibrary(c, c.PostForm("institution"))
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := desk.ParseFilter(func(k string) string { return c.PostForm("f_" + k) })
	if err != nil {
		s.fail(c, err)
		return
	}
	change := desk.BatchChange{Field: c.PostForm("field"), Access: c.PostForm("access"), Collection: c.PostForm("collection"),
		Rights: c.PostForm("rights"), Subject: formText(c, "subject")}
	var items []desk.BatchItem
	for _, id := range c.PostFormArray("item") {
		v, err := strconv.Atoi(c.PostForm("version_" + id))
		if err != nil {
			v = 0 // no version: refused for this item
		}
		items = append(items, desk.BatchItem{ID: id, Version: v})
	}
	outcomes, err := s.cfg.Items.Batch(c.Request.Context(), who(c), inst, change, items)
	if err != nil {
		s.fail(c, s.deskError(c, err))
		return
	}
	var results []result
	for _, o := range outcomes {
		r := result{Item: o.Item, Title: o.Title, Changes: o.Changes}
		if o.Err != nil {
			r = s.rowError(c, r, o.Err)
		} else {
			r = s.rowResult(c, r, o.Status, "")
		}
		results = append(results, r)
	}
	s.renderList(c, http.StatusOK, libs, inst, f, c.PostForm("f_after"), results)
}

// deskError is a refusal the desk gave in the reader's words, at the
// status of its kind; any other error as it is.
func (s *Server) deskError(c *gin.Context, err error) error {
	var r *desk.Reason
	var ie *ingest.Error
	if st := Status(err); st < 500 && (errors.As(err, &r) || errors.As(err, &ie)) {
		return &httpError{status: st, msg: s.deskReason(c, err)}
	}
	return err
}
