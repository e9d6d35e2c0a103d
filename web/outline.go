package web

import (
	"errors"
	"io"
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
	for _, in := range p.Uploads {
		cols, err := s.cfg.Store.Children("")
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, col := range cols {
			if col.Institution == in.ID && col.Level != repository.Curated && !col.Deleted {
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
	unit := c.PostForm("unit")
	if u := c.PostForm("up") + c.PostForm("down"); u != "" && u != "1" {
		unit = u // an arrow of the outline, naming its unit
	}
	col, err := s.namedUnit(c, unit, "outline_no_unit")
	if err != nil {
		s.fail(c, err)
		return
	}
	version := col.Version
	if v := c.PostForm("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil {
			s.fail(c, invalid("version "+v+" is not a number"))
			return
		}
	}
	parent := strings.TrimSpace(c.PostForm("parent"))
	position := 1 << 30
	if c.PostForm("up") != "" || c.PostForm("down") != "" {
		parent = col.Parent
		sibs, err := s.cfg.Store.Children(parent)
		if err != nil {
			s.fail(c, err)
			return
		}
		i := slices.IndexFunc(sibs, func(x *repository.Collection) bool { return x.ID == col.ID })
		if position = i - 1; c.PostForm("down") != "" {
			position = i + 1
		}
		position = max(position, 0)
	} else if v := c.PostForm("position"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.fail(c, invalid(t(s.lang(c), "outline_bad_position")))
			return
		}
		position = n - 1
	}
	top := c.PostForm("top") == "1" && c.PostForm("up") == "" && c.PostForm("down") == ""
	if top {
		parent = ""
	} else if parent == "" {
		s.fail(c, invalid(t(s.lang(c), "outline_no_parent")))
		return
	} else if _, err := s.namedUnit(c, parent, "outline_no_parent"); err != nil {
		s.fail(c, err)
		return
	}
	// A fonds is the top of its tree (ISAD(G) 1.2): it goes under another
	// unit only once its level says it is part of one (sub-fonds, series).
	if col.Level == repository.Fonds && parent != "" && parent != col.Parent {
		s.fail(c, invalid(t(s.lang(c), "outline_fonds_top")))
		return
	}
	if err := s.cfg.Store.MoveCollection(c.Request.Context(), col.ID, version, parent, position, who(c).Email+" (desk)"); err != nil {
		s.fail(c, err)
		return
	}
	if top { // it has left this outline: its own is where it is now
		c.Redirect(http.StatusSeeOther, "/desk/fonds/"+col.ID+"?moved=top")
		return
	}
	c.Redirect(http.StatusSeeOther, "/desk/fonds/"+c.Param("id")+"?moved=1#unit-"+col.ID)
}

// deskUnit reads collection id for a change at the desk, decided by the
// one access decision: a collection the person may not know of is not
// found, in the same words as one that does not exist; one they may see
// but not edit is forbidden. Nothing about it (its version, its library)
// is told before that.
func (s *Server) deskUnit(c *gin.Context, id string) (*repository.Collection, error) {
	col, err := s.cfg.Store.Collection(id)
	if err != nil {
		return nil, err
	}
	r, err := access.CollectionResource(s.cfg.Store, col)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if err := access.Decide(who(c), access.ReadMetadata, r, now); errors.Is(err, fault.NotFound) {
		return nil, err
	}
	return col, access.Decide(who(c), access.Edit, access.LibraryResource(col.Institution), now)
}

// namedUnit is deskUnit for a unit named in a form (a parent, a unit to
// move): one that is not there, or not to be known, is the form's mistake,
// said as missing.
func (s *Server) namedUnit(c *gin.Context, id, missing string) (*repository.Collection, error) {
	col, err := s.deskUnit(c, strings.TrimSpace(id))
	if errors.Is(err, fault.NotFound) {
		return nil, invalid(t(s.lang(c), missing))
	}
	return col, err
}

// freeID refuses a new collection's chosen identifier when any collection,
// of any library, has it: in the same words whoever holds it, and before
// anything about the holder (its version) could be told.
func (s *Server) freeID(c *gin.Context, id string) error {
	if id == "" {
		return nil
	}
	_, err := s.cfg.Store.Collection(id)
	switch {
	case err == nil:
		return &httpError{status: http.StatusConflict, msg: t(s.lang(c), "id_taken") + " (" + id + ")"}
	case errors.Is(err, fault.NotFound):
		return nil
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
	col := &repository.Collection{Institution: c.Query("institution"), Parent: c.Query("parent"), Level: repository.Fonds}
	if id := c.Param("id"); id != "" {
		var err error
		if col, err = s.deskUnit(c, id); err != nil {
			s.fail(c, err)
			return
		}
	} else if col.Parent != "" {
		parent, err := s.deskUnit(c, col.Parent)
		if err != nil {
			s.fail(c, err)
			return
		}
		col.Institution, col.Level = parent.Institution, childLevel(parent.Level)
	}
	if col.Institution == "" {
		col.Institution = who(c).Institution
	}
	if err := access.Decide(who(c), access.Edit, access.LibraryResource(col.Institution), time.Now()); err != nil {
		s.fail(c, err)
		return
	}
	s.renderUnit(c, http.StatusOK, col, "")
}

// childLevel is the level a new unit inside a unit of level l usually has.
func childLevel(l repository.Level) repository.Level {
	if i := slices.Index(repository.StandardLevels, l); i >= 0 && i+1 < len(repository.StandardLevels) {
		return repository.StandardLevels[i+1]
	}
	return repository.ItemLevel
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
// are elsewhere are moved into it).
func (s *Server) saveUnit(c *gin.Context) {
	p, now, ctx := who(c), time.Now(), c.Request.Context()
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
	} else if err := s.freeID(c, col.ID); err != nil {
		s.fail(c, err)
		return
	} else if col.Parent != "" {
		parent, err := s.namedUnit(c, col.Parent, "outline_no_parent")
		if err != nil {
			s.fail(c, err)
			return
		}
		col.Institution = parent.Institution
		if col.Order, err = s.cfg.Store.NextOrder(col.Parent); err != nil {
			s.fail(c, err)
			return
		}
	}
	if err := access.Decide(p, access.Edit, access.LibraryResource(col.Institution), now); err != nil {
		s.fail(c, err)
		return
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
	texts := map[string]*repository.Text{"extent": &d.Extent, "creator": &d.Creator, "history": &d.History, "scope": &d.Scope, "arrangement": &d.Arrangement,
		"access": &d.Access, "reproduction": &d.Reproduction, "findingAids": &d.FindingAids, "notes": &d.Notes}
	for _, name := range isadTexts {
		if v := formText(c, "isad_"+name); len(v) > 0 {
			*texts[name] = v
		}
	}
	col.Description = d
	items := strings.Fields(c.PostForm("items"))
	visible, err := access.Visible(s.cfg.Store, p, items, now)
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(visible) != len(items) {
		s.renderUnit(c, http.StatusBadRequest, col, t(s.lang(c), "members_unseen"))
		return
	}
	for _, it := range visible {
		if access.Decide(p, access.Edit, access.LibraryResource(it.Institution), now) != nil || it.Institution != col.Institution {
			s.renderUnit(c, http.StatusBadRequest, col, t(s.lang(c), "unit_item_elsewhere")+" "+it.ID)
			return
		}
	}
	col.Members = items
	if err := s.cfg.Store.SaveCollection(ctx, col, p.Email+" (desk)"); err != nil {
		if Status(err) >= 500 {
			s.fail(c, err)
			return
		}
		s.renderUnit(c, Status(err), col, s.deskReason(c, err))
		return
	}
	for _, it := range visible {
		if it.Collection == col.ID {
			continue
		}
		it.Collection = col.ID
		if err := s.cfg.Store.SaveItem(ctx, it, p.Email+" (desk)"); err != nil {
			s.fail(c, err)
			return
		}
	}
	root := col.ID
	for id, depth := col.Parent, 0; id != "" && depth < 64; depth++ {
		root = id
		up, err := s.cfg.Store.Collection(id)
		if err != nil {
			break
		}
		id = up.Parent
	}
	to := "/desk/fonds/" + root
	if dateRead {
		to += "?" + url.Values{"unit": {col.ID}, "date_read": {typedDate}}.Encode()
	}
	c.Redirect(http.StatusSeeOther, to+"#unit-"+col.ID)
}

// importEAD builds a tree from an EAD finding aid sent in the desk, with
// the digitised files its <dao> links name sent beside it, and reports
// every unit made and every file's outcome.
func (s *Server) importEAD(c *gin.Context) {
	p, lang := who(c), s.lang(c)
	inst, parent := c.PostForm("institution"), strings.TrimSpace(c.PostForm("parent"))
	if parent != "" {
		col, err := s.namedUnit(c, parent, "outline_no_parent")
		if err != nil {
			s.fail(c, err)
			return
		}
		inst = col.Institution
	}
	if err := access.Decide(p, access.Edit, access.LibraryResource(inst), time.Now()); err != nil {
		s.fail(c, err)
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
	dir, err := os.MkdirTemp(s.cfg.UploadDir, "ead-")
	if err != nil {
		s.fail(c, err)
		return
	}
	defer os.RemoveAll(dir)
	doc, err := form.File["ead"][0].Open()
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := ead.Read(doc)
	doc.Close()
	if err != nil {
		s.fail(c, err)
		return
	}
	// Every file is written and linked through root: nothing a name or a
	// <dao> says can put it outside the import's own folder.
	root, err := os.OpenRoot(dir)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer root.Close()
	if err := errors.Join(root.Mkdir("sent", 0o700), root.Mkdir("beside", 0o700)); err != nil {
		s.fail(c, err)
		return
	}
	sent := map[string]bool{} // base names of the files sent
	for _, fh := range form.File["files"] {
		name := filepath.Base(filepath.Clean("/" + fh.Filename))
		if !filepath.IsLocal(name) || strings.HasPrefix(name, ".") || sent[name] {
			continue
		}
		if err := saveInto(root, path.Join("sent", name), fh); err != nil {
			s.fail(c, err)
			return
		}
		sent[name] = true
	}
	made, atts, err := f.Build(c.Request.Context(), s.cfg.Store, inst, parent, p.Email+" (desk, EAD import)")
	if err != nil {
		s.fail(c, err)
		return
	}
	// A <dao href="scans/p1.tif"> is matched with a file sent as p1.tif,
	// linked at the path the link names once checked (ead.Dao.Path).
	for _, a := range atts {
		rel, ok := ead.Dao{Href: a.Href}.Path()
		if !ok || !sent[path.Base(rel)] {
			continue
		}
		at := path.Join("beside", rel)
		if err := root.MkdirAll(path.Dir(at), 0o700); err != nil {
			continue // ead.Units reports the file as missing
		}
		root.Link(path.Join("sent", path.Base(rel)), at)
	}
	beside := filepath.Join(dir, "beside")
	units, notes := ead.Units(atts, beside, inst)
	v := fondsPage{page: s.newPage(c, ""), Made: made}
	for _, m := range made {
		for _, n := range m.Notes {
			v.Notes = append(v.Notes, sayNote(v.Lang, n))
		}
	}
	v.Notes = append(v.Notes, notes...)
	v.Title = t(v.Lang, "ead_report")
	v.Crumbs = []link{{"/desk", t(v.Lang, "desk")}, {"/desk/fonds", t(v.Lang, "fonds_title")}}
	if len(units) > 0 && s.cfg.Ingest == nil {
		v.Notes = append(v.Notes, t(v.Lang, "ead_no_ingest"))
		units = nil
	}
	for _, o := range units {
		u := ingest.Unit{Files: []ingest.Input{{Path: o.Path, Name: o.Name}}, Meta: o.Meta, Origin: o.Origin}
		v.Outcome = append(v.Outcome, s.cfg.Ingest.Ingest(c.Request.Context(), u)...)
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
