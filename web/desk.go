package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
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
	saved := "/desk/items/" + it.ID + "?saved=1"
	if d := strings.TrimSpace(c.PostForm("date")); d != "" {
		date, warning, err := ingest.ReadDate(d)
		if err != nil {
			it.Date = d // show what was typed, to correct it
			s.renderEdit(c, http.StatusBadRequest, it, say(s.lang(c), ingest.MessageOf(err)))
			return
		}
		it.Date = date
		if warning != nil {
			saved += "&date_read=" + url.QueryEscape(d)
		}
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
		if errors.Is(err, fault.Conflict) {
			it = fresh
		} else {
			it.Version = fresh.Version
		}
		s.renderEdit(c, status, it, s.deskReason(c, err))
		return
	}
	c.Redirect(http.StatusSeeOther, saved)
}

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
	switch st := Status(err); {
	case errors.Is(err, fault.Conflict), errors.Is(err, fault.Invalid):
		return say(lang, ingest.MessageOf(err))
	case st == http.StatusForbidden, st == http.StatusUnauthorized:
		return t(lang, "err_forbidden")
	}
	return reason(err)
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
		s.renderEdit(c, Status(err), it, s.deskReason(c, err))
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
	p, now := who(c), time.Now()
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
	if err := access.Decide(p, access.Edit, access.LibraryResource(col.Institution), now); err != nil {
		s.fail(c, err)
		return
	}
	if col.Parent != "" {
		if _, err := s.namedUnit(c, col.Parent, "outline_no_parent"); err != nil {
			s.fail(c, err)
			return
		}
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
		s.renderCollection(c, Status(err), col, s.deskReason(c, err))
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

// Bounds of the item list: rows on a page, items read at most to fill one
// (a narrow filter over a large library), items changed by one batch.
const (
	listPage  = 50
	listScan  = 5000
	batchMost = 500
)

// listFilter narrows the library's items.
type listFilter struct {
	Collection, Type, Level, Problem string
	Days                             int // changed within this many days (0: any time)
}

// Problems an item's description may have, for the list's filter.
var problemFilters = []string{"any", "notitle", "nodate", "norights"}

// filterOf reads a filter; get is the query (the list) or the form (a
// batch edit, which shows the same list again).
func filterOf(get func(string) string) (listFilter, error) {
	f := listFilter{Collection: get("collection"), Type: get("type"), Level: get("level"), Problem: get("problem")}
	if f.Level != "" && !slices.Contains(repository.Levels, f.Level) {
		return f, invalid(fmt.Sprintf("no access level %q", f.Level))
	}
	if f.Problem != "" && !slices.Contains(problemFilters, f.Problem) {
		return f, invalid(fmt.Sprintf("no problem filter %q", f.Problem))
	}
	if d := get("days"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 {
			return f, invalid(fmt.Sprintf("days %q is not a number of days", d))
		}
		f.Days = n
	}
	return f, nil
}

// query writes the filter as the list's query.
func (f listFilter) query() url.Values {
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

func (f listFilter) match(r listRow, now time.Time) bool {
	switch {
	case f.Collection != "" && r.Collection != f.Collection,
		f.Type != "" && r.Type != f.Type,
		f.Level != "" && r.Level != f.Level,
		f.Days > 0 && r.Modified.Before(now.AddDate(0, 0, -f.Days)):
		return false
	}
	switch f.Problem {
	case "any":
		return r.NoTitle || r.NoDate || r.NoRights
	case "notitle":
		return r.NoTitle
	case "nodate":
		return r.NoDate
	case "norights":
		return r.NoRights
	}
	return true
}

// listRow is an item in the list, with what its description lacks.
type listRow struct {
	ID, Date, Level, Collection, Type string
	Title                             repository.Text
	Version                           int
	Modified                          time.Time
	NoTitle, NoDate, NoRights         bool
}

func rowOf(it *repository.Item) listRow {
	return listRow{ID: it.ID, Date: it.Date, Level: it.Access.Level, Collection: it.Collection, Type: it.Type, Title: it.Title,
		Version: it.Version, Modified: it.Modified, NoTitle: it.Title["th"] == "" && it.Title["en"] == "", NoDate: it.Date == "", NoRights: it.Rights == ""}
}

// itemList is a page of the library's items and the addresses of the
// next and first pages ("" when there is none).
type itemList struct {
	Institution       string
	Filter            listFilter
	After             string // where this page starts
	Rows              []listRow
	NextURL, FirstURL string
}

// listLibrary reads a page of a library's items that match f, in
// identifier order after the cursor.
func (s *Server) listLibrary(inst string, f listFilter, after string) (*itemList, error) {
	l := &itemList{Institution: inst, Filter: f, After: after}
	now, cursor, scanned := time.Now(), after, 0
	for len(l.Rows) < listPage && scanned < listScan {
		pg, err := s.cfg.Store.ItemsOfInstitution(inst, cursor, 200)
		if err != nil {
			return nil, err
		}
		if len(pg.IDs) == 0 {
			return l, nil
		}
		for _, id := range pg.IDs {
			if len(l.Rows) == listPage || scanned == listScan {
				break
			}
			scanned++
			cursor = id
			it, err := s.cfg.Store.Item(id)
			if errors.Is(err, fault.NotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if r := rowOf(it); f.match(r, now) {
				l.Rows = append(l.Rows, r)
			}
		}
	}
	more, err := s.cfg.Store.ItemsOfInstitution(inst, cursor, 1)
	if err != nil {
		return nil, err
	}
	q := f.query()
	q.Set("institution", inst)
	if len(more.IDs) > 0 {
		q.Set("after", cursor)
		l.NextURL = "/desk/items?" + q.Encode()
	}
	if after != "" {
		q.Del("after")
		l.FirstURL = "/desk/items?" + q.Encode()
	}
	return l, nil
}

// deskItems lists the items of a library the person edits.
func (s *Server) deskItems(c *gin.Context) {
	libs, inst, err := s.chooseLibrary(c, c.Query("institution"))
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := filterOf(c.Query)
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

func (s *Server) renderList(c *gin.Context, status int, libs []*repository.Institution, inst string, f listFilter, after string, results []result) {
	p := editPage{page: s.newPage(c, ""), AccessLevels: repository.Levels, Results: results}
	p.Title, p.CSRF, p.Libraries = t(p.Lang, "library_items"), s.csrfToken(c), libs
	var err error
	if p.Collections, err = s.cfg.Store.Collections(inst); err == nil {
		p.List, err = s.listLibrary(inst, f, after)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, privateOnly)
	s.render(c, status, "edit", p)
}

// change sets one field of an item and says what it was and is now; old
// equals new when the item already said so.
type change func(it *repository.Item) (field, old, new string)

// batchChange reads the field a batch edit sets and its value.
func (s *Server) batchChange(c *gin.Context, inst string) (change, error) {
	lang := s.lang(c)
	switch c.PostForm("field") {
	case "access":
		level := c.PostForm("access")
		if !slices.Contains(repository.Levels, level) {
			return nil, invalid(t(lang, "batch_bad_value"))
		}
		return func(it *repository.Item) (string, string, string) {
			old := it.Access.Level
			it.Access.Level = level
			return "access", old, level
		}, nil
	case "collection":
		id := c.PostForm("collection")
		if id != "" {
			col, err := s.cfg.Store.Collection(id)
			if errors.Is(err, fault.NotFound) || err == nil && col.Institution != inst {
				return nil, invalid(t(lang, "batch_bad_value"))
			}
			if err != nil {
				return nil, err
			}
		}
		return func(it *repository.Item) (string, string, string) {
			old := it.Collection
			it.Collection = id
			return "collection", old, id
		}, nil
	case "rights":
		rights := strings.TrimSpace(c.PostForm("rights"))
		if !repository.ValidRights(rights) {
			return nil, invalid(t(lang, "batch_bad_rights"))
		}
		return func(it *repository.Item) (string, string, string) {
			old := it.Rights
			it.Rights = rights
			return "rights", old, rights
		}, nil
	case "subject":
		subject := formText(c, "subject")
		if subject.Empty() {
			return nil, invalid(t(lang, "batch_bad_value"))
		}
		return func(it *repository.Item) (string, string, string) {
			old := ingest.TextList(it.Subjects)
			if !slices.ContainsFunc(it.Subjects, func(x repository.Text) bool { return maps.Equal(x, subject) }) {
				it.Subjects = append(slices.Clip(it.Subjects), subject)
			}
			return "subject", old, ingest.TextList(it.Subjects)
		}, nil
	}
	return nil, invalid(t(lang, "batch_bad_field"))
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
	f, err := filterOf(func(k string) string { return c.PostForm("f_" + k) })
	if err != nil {
		s.fail(c, err)
		return
	}
	set, err := s.batchChange(c, inst)
	if err != nil {
		s.fail(c, err)
		return
	}
	ids := c.PostFormArray("item")
	if len(ids) == 0 || len(ids) > batchMost {
		s.fail(c, invalid(t(s.lang(c), "batch_none")))
		return
	}
	var results []result
	for _, id := range ids {
		results = append(results, s.batchOne(c, id, set))
	}
	s.renderList(c, http.StatusOK, libs, inst, f, c.PostForm("f_after"), results)
}

// batchOne applies a batch edit to one item.
func (s *Server) batchOne(c *gin.Context, id string, set change) result {
	r := result{Item: id}
	v, err := strconv.Atoi(c.PostForm("version_" + id))
	if err != nil || v < 1 {
		return s.rowResult(c, r, ingest.Refused, t(s.lang(c), "batch_no_version"))
	}
	it, _, err := s.loadItem(c, id, access.Edit)
	if err != nil {
		return s.rowError(c, r, err)
	}
	r.Title = it.Title
	if it.Deleted {
		return s.rowResult(c, r, ingest.Refused, say(s.lang(c), ingest.Message{Kind: "item_withdrawn", Args: []string{id}}))
	}
	field, old, new := set(it)
	if old == new {
		return s.rowResult(c, r, ingest.Unchanged, "")
	}
	r.Changes = []ingest.Change{{Field: field, Old: old, New: new}}
	it.Version = v
	if err := s.cfg.Store.SaveItem(c.Request.Context(), it, who(c).Email+" (desk)", repository.Event{Type: "modification", Outcome: "success",
		Detail: fmt.Sprintf("batch edit at the desk: %s set to %q", field, new)}); err != nil {
		return s.rowError(c, r, err)
	}
	return s.rowResult(c, r, ingest.Described, "")
}
