package web

import (
	"cmp"
	"errors"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// The desk's side of archival trees: the fonds of the person's libraries,
// the outline of one (expand, collapse, move, reorder, add), a unit's
// description and items, and the import of EAD finding aids.

type fondsPage struct {
	page
	CSRF    string
	Fonds   []*repository.Collection
	Uploads []*repository.Institution
	Made    []ead.Made
	Outcome []ingest.Outcome
	Notes   []string
}

// editable lists the libraries p may edit.
func (s *Server) editable(c *gin.Context) ([]*repository.Institution, error) {
	libs, err := s.cfg.Store.Institutions()
	if err != nil {
		return nil, err
	}
	var out []*repository.Institution
	for _, in := range libs {
		if access.Decide(who(c), access.Edit, access.LibraryResource(in.ID), time.Now()) == nil {
			out = append(out, in)
		}
	}
	return out, nil
}

// deskFonds lists the fonds (top-level archival units) of the libraries the
// person edits, with the form to import a finding aid.
func (s *Server) deskFonds(c *gin.Context) {
	p := fondsPage{page: s.newPage(c, ""), CSRF: s.csrfToken(c)}
	p.Title = t(p.Lang, "fonds_title")
	var err error
	if p.Uploads, err = s.editable(c); err != nil {
		s.fail(c, err)
		return
	}
	if len(p.Uploads) == 0 {
		s.fail(c, fault.Forbidden)
		return
	}
	for _, in := range p.Uploads { // each library's top-level units, as its staff list them
		cols, _, err := s.cfg.Store.TopUnits(in.ID, repository.TierStaff, false, "", math.MaxInt)
		if err != nil {
			s.fail(c, err)
			return
		}
		slices.SortStableFunc(cols, func(a, b *repository.Collection) int {
			return cmp.Or(cmp.Compare(a.Order, b.Order), strings.Compare(a.ID, b.ID))
		})
		for _, col := range cols {
			if !col.Deleted {
				p.Fonds = append(p.Fonds, col)
			}
		}
	}
	s.cache(c, privateOnly)
	s.render(c, http.StatusOK, "fonds", p)
}

// outline is the desk's view of a whole tree: every unit (restricted ones
// too, for the library's staff), to expand, collapse, move and reorder.
func (s *Server) outline(c *gin.Context) {
	tr, err := s.readTree(c, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := access.Decide(who(c), access.Edit, access.LibraryResource(tr.Root.Institution), time.Now()); err != nil {
		s.fail(c, err)
		return
	}
	p := aidPage{page: s.newPage(c, ""), RootID: tr.Root.ID, CSRF: s.csrfToken(c), Desk: true}
	p.Title = t(p.Lang, "outline") + ": " + tr.Root.Title.Get(p.Lang)
	p.Crumbs = []link{{"/desk", t(p.Lang, "desk")}, {"/desk/fonds", t(p.Lang, "fonds_title")}}
	if c.Query("moved") == "top" {
		p.Message = t(p.Lang, "outline_moved_top")
	} else if c.Query("moved") != "" {
		p.Message = t(p.Lang, "outline_moved")
	}
	if u := tr.Node(c.Query("unit")); u != nil && u.Description != nil {
		// Say how a date just saved was read, while the unit still has it.
		p.Message = dateNote(p.Lang, &repository.Item{Date: u.Description.Date}, c.Query("date_read"))
	}
	if p.Root, p.Units, err = s.aidTree(c, tr, p.Lang, false); err != nil {
		s.fail(c, err)
		return
	}
	p.HTML = outlineHTML(p.Root, p.Units)
	s.cache(c, privateOnly)
	s.render(c, http.StatusOK, "outline", p)
}

// moveUnit moves a unit (with everything below it) into another unit of
// the same library, at a position among its children: one recorded change.
// up=1 and down=1 move it one place among its siblings.
func (s *Server) moveUnit(c *gin.Context) {
	m := desk.Move{Unit: c.PostForm("unit"), Parent: c.PostForm("parent")}
	if u := c.PostForm("up") + c.PostForm("down"); u != "" && u != "1" {
		m.Unit = u // an arrow of the outline, naming its unit
	}
	if v := c.PostForm("version"); v != "" {
		var err error
		if m.Version, err = strconv.Atoi(v); err != nil || m.Version < 1 {
			s.fail(c, invalid(t(s.lang(c), "outline_bad_version")))
			return
		}
	}
	m.Position = 1 << 30
	switch {
	case c.PostForm("up") != "":
		m.Step = -1
	case c.PostForm("down") != "":
		m.Step = 1
	case c.PostForm("position") != "":
		n, err := strconv.Atoi(c.PostForm("position"))
		if err != nil || n < 1 {
			s.fail(c, invalid(t(s.lang(c), "outline_bad_position")))
			return
		}
		m.Position = n - 1
	}
	m.Top = c.PostForm("top") == "1" && m.Step == 0
	col, err := s.cfg.Units.Move(c.Request.Context(), who(c), m)
	if err != nil {
		s.fail(c, s.unitError(c, err))
		return
	}
	if m.Top { // it has left this outline: its own is where it is now
		c.Redirect(http.StatusSeeOther, "/desk/fonds/"+col.ID+"?moved=top")
		return
	}
	c.Redirect(http.StatusSeeOther, "/desk/fonds/"+c.Param("id")+"?moved=1#unit-"+col.ID)
}

// unitError says the desk's refusals of a unit in the person's language.
func (s *Server) unitError(c *gin.Context, err error) error {
	var missing *desk.MissingUnit
	switch {
	case errors.As(err, &missing):
		return invalid(t(s.lang(c), "outline_no_"+missing.Role))
	case errors.Is(err, desk.ErrFondsOnTop):
		return invalid(t(s.lang(c), "outline_fonds_top"))
	}
	return err
}

// deskUnit reads collection id for a change at the desk (desk.Units.Unit):
// one the person may not know of is not found, one they may see but not
// edit is forbidden.
func (s *Server) deskUnit(c *gin.Context, id string) (*repository.Collection, error) {
	return s.cfg.Units.Unit(c.Request.Context(), who(c), id)
}

// freeID refuses a new collection's chosen identifier when any collection,
// of any library, has it (desk.Units.FreeID), in the person's language.
func (s *Server) freeID(c *gin.Context, id string) error {
	err := s.cfg.Units.FreeID(id)
	if errors.Is(err, fault.Conflict) {
		return &httpError{status: http.StatusConflict, msg: t(s.lang(c), "id_taken") + " (" + id + ")"}
	}
	return err
}

type unitPage struct {
	page
	CSRF         string
	Unit         *repository.Collection
	D            *repository.Description
	Fonds        string
	Levels       []repository.Level
	AccessLevels []string
	Items        string
	OwnLevel     string // a level of the library's own
}

// isadTexts are the description's text fields the form edits, by name.
var isadTexts = []string{"extent", "creator", "history", "scope", "arrangement", "access", "reproduction", "findingAids", "notes"}

// editUnit shows the form of a unit's description (a new child with
// ?parent=, a new fonds with ?institution=).
func (s *Server) editUnit(c *gin.Context) {
	var col *repository.Collection
	var err error
	if id := c.Param("id"); id != "" {
		col, err = s.deskUnit(c, id)
	} else {
		col, err = s.cfg.Units.Draft(c.Request.Context(), who(c), c.Query("parent"), c.Query("institution"))
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderUnit(c, http.StatusOK, col, "")
}

func (s *Server) renderUnit(c *gin.Context, status int, col *repository.Collection, msg string) {
	p := unitPage{page: s.newPage(c, ""), CSRF: s.csrfToken(c), Unit: col, D: col.Description, Levels: repository.StandardLevels, AccessLevels: repository.Levels}
	if p.D == nil {
		p.D = &repository.Description{}
	}
	p.Items = strings.Join(col.Members, " ")
	if !slices.Contains(repository.StandardLevels, col.Level) {
		p.OwnLevel = string(col.Level)
	}
	p.Title, p.Error = t(p.Lang, "unit_new"), msg
	if col.ID != "" {
		p.Title = t(p.Lang, "edit") + ": " + col.Title.Get(p.Lang)
		if tr, err := s.cfg.Store.Tree(col.ID); err == nil {
			p.Items = strings.Join(tr.Root.Items, " ")
		}
	}
	p.Fonds = col.ID
	for id, depth := col.Parent, 0; id != "" && depth < 64; depth++ {
		p.Fonds = id
		up, err := s.cfg.Store.Collection(id)
		if err != nil {
			break
		}
		id = up.Parent
	}
	p.Crumbs = []link{{"/desk", t(p.Lang, "desk")}, {"/desk/fonds", t(p.Lang, "fonds_title")}}
	if p.Fonds != "" {
		p.Crumbs = append(p.Crumbs, link{"/desk/fonds/" + p.Fonds, t(p.Lang, "outline")})
	}
	s.cache(c, privateOnly)
	s.render(c, status, "unitedit", p)
}

// saveUnit creates or changes a unit: its level, titles, access, ISAD(G)
// description, and the items filed in it, in order (items named here that
// are elsewhere are moved into it, all in one change).
func (s *Server) saveUnit(c *gin.Context) {
	p, ctx := who(c), c.Request.Context()
	col := &repository.Collection{Institution: c.PostForm("institution"), Parent: c.PostForm("parent"), ID: strings.TrimSpace(c.PostForm("id"))}
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
	}
	col.Level = repository.Level(strings.TrimSpace(c.PostForm("level")))
	if own := strings.TrimSpace(c.PostForm("own_level")); own != "" {
		col.Level = repository.Level(strings.ToLower(own))
	}
	col.Title, col.Summary = formText(c, "title"), formText(c, "summary")
	col.Access = *formAccess(c)
	old := col.Description
	d := &repository.Description{ReferenceCode: strings.TrimSpace(c.PostForm("ref")), Date: strings.TrimSpace(c.PostForm("date")),
		Language: strings.Fields(strings.ReplaceAll(c.PostForm("language"), ",", " "))}
	typedDate := d.Date
	dateRead := false
	if d.Date != "" {
		date, warning, err := ingest.ReadDate(d.Date)
		if err != nil {
			col.Description = d // show what was typed, to correct it
			s.renderUnit(c, http.StatusBadRequest, col, say(s.lang(c), ingest.MessageOf(err)))
			return
		}
		d.Date, dateRead = date, warning != nil
	} else if old != nil {
		d.DateText = old.DateText // a date imported as text stays until a date is typed
	}
	if old != nil {
		d.Containers = old.Containers                         // the form does not show them (the desk's boxes do)
		d.Points, d.PointGroups = old.Points, old.PointGroups // the form does not edit the access points (their own pages do)
	}
	texts := map[string]*repository.Text{"extent": &d.Extent, "creator": &d.Creator, "history": &d.History, "scope": &d.Scope, "arrangement": &d.Arrangement,
		"access": &d.Access, "reproduction": &d.Reproduction, "findingAids": &d.FindingAids, "notes": &d.Notes}
	for _, name := range isadTexts {
		if v := formText(c, "isad_"+name); len(v) > 0 {
			*texts[name] = v
		}
	}
	col.Description = d
	col.Members = strings.Fields(c.PostForm("items"))
	fresh := col.Version == 0
	if err := s.cfg.Units.Save(ctx, p, col); err != nil {
		var refused *desk.ItemRefused
		switch {
		case errors.As(err, &refused) && refused.Unseen:
			s.renderUnit(c, http.StatusBadRequest, col, t(s.lang(c), "members_unseen"))
		case errors.As(err, &refused):
			s.renderUnit(c, http.StatusBadRequest, col, t(s.lang(c), "unit_item_elsewhere")+" "+refused.ID)
		case fresh && errors.Is(err, fault.Conflict):
			s.fail(c, &httpError{status: http.StatusConflict, msg: t(s.lang(c), "id_taken") + " (" + col.ID + ")"})
		case errors.Is(err, fault.Invalid) && !errors.As(err, new(*desk.MissingUnit)), errors.Is(err, fault.Conflict):
			s.renderUnit(c, Status(err), col, s.deskReason(c, err))
		default:
			s.fail(c, s.unitError(c, err))
		}
		return
	}
	to := "/desk/fonds/" + s.cfg.Units.Root(col)
	if dateRead {
		to += "?" + url.Values{"unit": {col.ID}, "date_read": {typedDate}}.Encode()
	}
	c.Redirect(http.StatusSeeOther, to+"#unit-"+col.ID)
}

// importEAD builds a tree from an EAD finding aid sent in the desk, with
// the digitised files its <dao> links name sent beside it, and reports
// every unit made and every file's outcome.
func (s *Server) importEAD(c *gin.Context) {
	in := desk.EADImport{Institution: c.PostForm("institution"), Parent: strings.TrimSpace(c.PostForm("parent")), Ingest: true}
	lang := s.lang(c)
	// Who may import here is decided first (a dry run is the checks):
	// the form's mistakes are told only to those who may.
	if _, err := s.cfg.Units.ImportEAD(c.Request.Context(), who(c), desk.EADImport{Institution: in.Institution, Parent: in.Parent, Dry: true}); err != nil {
		s.fail(c, s.unitError(c, err))
		return
	}
	form, err := c.MultipartForm()
	if err != nil || len(form.File["ead"]) != 1 {
		s.fail(c, invalid(t(lang, "ead_missing")))
		return
	}
	// The finding aid itself is a form's worth of XML; only the files
	// beside it may be as large as an upload.
	if form.File["ead"][0].Size > maxBody {
		s.fail(c, tooLarge(lang, "err_ead_too_large", maxBody))
		return
	}
	doc, err := form.File["ead"][0].Open()
	if err != nil {
		s.fail(c, err)
		return
	}
	in.Finding, err = ead.Read(doc)
	doc.Close()
	if err != nil {
		s.fail(c, err)
		return
	}
	dir, err := os.MkdirTemp(s.cfg.UploadDir, "ead-")
	if err != nil {
		s.fail(c, err)
		return
	}
	defer os.RemoveAll(dir)
	// Every file is written and linked through root: nothing a name or a
	// <dao> says can put it outside the import's own folder.
	if in.Sent, err = os.OpenRoot(dir); err != nil {
		s.fail(c, err)
		return
	}
	defer in.Sent.Close()
	if err := errors.Join(in.Sent.Mkdir("sent", 0o700), in.Sent.Mkdir("beside", 0o700)); err != nil {
		s.fail(c, err)
		return
	}
	sent := map[string]bool{} // base names of the files sent
	for _, fh := range form.File["files"] {
		name := filepath.Base(filepath.Clean("/" + fh.Filename))
		if !filepath.IsLocal(name) || strings.HasPrefix(name, ".") || sent[name] {
			continue
		}
		if err := saveInto(in.Sent, path.Join("sent", name), fh); err != nil {
			s.fail(c, err)
			return
		}
		sent[name] = true
	}
	in.Base = s.baseURL(c)
	r, err := s.cfg.Units.ImportEAD(c.Request.Context(), who(c), in)
	if err != nil {
		s.fail(c, s.unitError(c, err))
		return
	}
	v := fondsPage{page: s.newPage(c, ""), Made: r.Made, Outcome: r.Outcome}
	for _, n := range in.Finding.Report() {
		v.Notes = append(v.Notes, sayNote(v.Lang, n))
	}
	for _, m := range r.Made {
		for _, n := range m.Notes {
			v.Notes = append(v.Notes, sayNote(v.Lang, n))
		}
	}
	for _, n := range r.Daos {
		v.Notes = append(v.Notes, sayNote(v.Lang, n))
	}
	if pl := in.Finding.Placed; pl.Containers > 0 {
		v.Notes = append(v.Notes, placedNote(v.Lang, pl))
	}
	if n := r.Points; n.Links > 0 {
		v.Notes = append(v.Notes, pointsNote(v.Lang, n))
	}
	v.Title = t(v.Lang, "ead_report")
	v.Crumbs = []link{{"/desk", t(v.Lang, "desk")}, {"/desk/fonds", t(v.Lang, "fonds_title")}}
	if r.NoIngest {
		v.Notes = append(v.Notes, t(v.Lang, "ead_no_ingest"))
	}
	s.cache(c, privateOnly)
	s.render(c, http.StatusOK, "fonds", v)
}

// sayNote says what an import tells of a unit in lang, in the words of
// messages["ead_note_"+kind].
func sayNote(lang string, n ead.Note) string {
	return n.Say(func(kind string) string {
		if _, ok := messages["ead_note_"+kind]; !ok {
			return ""
		}
		return t(lang, "ead_note_"+kind)
	})
}

// saveInto writes a file sent in a form at name inside root.
func saveInto(root *os.Root, name string, fh *multipart.FileHeader) error {
	src, err := fh.Open()
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
