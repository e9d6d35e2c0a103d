package ingest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
)

// Describing later: a metadata sheet whose rows name items already in the
// archive — by a file's name or SHA-256 (column files) or by identifier
// (column item) — gives those items the description it holds, each as a
// new version, instead of reporting their files as duplicates. The sheet
// is read by the same code as an ingest sheet; only what names the item
// differs.

// DescribeRow is one row of a describe sheet: what names the item and the
// description it gives. Meta holds only what the row's cells say: an empty
// cell changes nothing.
type DescribeRow struct {
	Row    int    // line of the sheet, the header being 1
	Origin string // "sheet metadata.csv, row 3", for the event trail
	// Item is an identifier (column item); Files are file names or SHA-256
	// digests (column files) of files the item holds.
	Item        string
	Files       []string
	Institution string // column institution: only this library's items
	Meta        repository.Item
	// ReadingRoom is what the column readingroom says, when the row gives
	// it (no turns the reading room off, which Meta cannot say).
	ReadingRoom *bool
	Notes       []Message // warnings, such as a year read in the Buddhist Era
	Problems    []Problem // bad cells: the row changes nothing
}

// ReadDescribeSheet reads a describe sheet (CSV, or an Excel workbook's
// first worksheet) with the columns of an ingest sheet and a column item,
// calling it name in messages. A sheet that cannot be read, has an unknown
// column or names no item is an error; a bad cell is a problem of its row.
func ReadDescribeSheet(file, name string) ([]DescribeRow, error) {
	rows, err := sheetRows(file, name)
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 {
		return nil, fail("sheet_no_rows", name)
	}
	header := make([]string, len(rows[0]))
	var unknown []string
	names := false
	for i, h := range rows[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		header[i] = h
		switch h {
		case "item", "file", "files":
			names = true
			continue
		}
		m := langColumn.FindStringSubmatch(h)
		if m == nil || !(textColumns[m[1]] || plainColumns[m[1]] && m[2] == "") {
			unknown = append(unknown, strconv.Quote(h))
		}
	}
	if len(unknown) > 0 {
		return nil, fail("sheet_unknown_columns", name, strings.Join(unknown, ", "))
	}
	if !names {
		return nil, fail("sheet_no_names", name)
	}
	var out []DescribeRow
	for n, row := range rows[1:] {
		rowNo := n + 2
		if len(strings.Join(row, "")) == 0 {
			continue
		}
		out = append(out, describeRow(file, name, header, row, rowNo))
	}
	if len(out) == 0 {
		return nil, fail("sheet_no_rows", name)
	}
	return out, nil
}

// describeRow reads one row: the cells that name the item here, the rest
// through sheetRow, as an ingest sheet's row.
func describeRow(file, name string, header, row []string, rowNo int) DescribeRow {
	r := DescribeRow{Row: rowNo}
	described := make([]string, len(row))
	for i, v := range row {
		if i >= len(header) {
			break
		}
		v = strings.TrimSpace(v)
		switch header[i] {
		case "item":
			r.Item = strings.ToLower(v)
		case "file", "files":
			r.Files = append(r.Files, splitList(v)...)
		case "institution":
			r.Institution = strings.ToLower(v)
		case "readingroom":
			if room, ok := readingRoom(v); ok {
				r.ReadingRoom = &room
			}
			described[i] = v // sheetRow reports a cell that is neither
		default:
			described[i] = v
		}
	}
	u, problems := sheetRow(filepath.Dir(file), name, header, described, rowNo, Defaults{})
	// An ingest row must name its files on disk and its library; a describe
	// row names an item already in the archive instead.
	for _, p := range problems {
		if c := p.Message.Column; c != "files" && c != "institution" {
			r.Problems = append(r.Problems, p)
		}
	}
	if r.Item != "" && !repository.ValidID(r.Item) {
		r.Problems = append(r.Problems, problem(Message{Kind: "item_id_invalid", Args: []string{r.Item}, Row: rowNo, Column: "item"}))
	}
	if r.Item == "" && len(r.Files) == 0 {
		r.Problems = append(r.Problems, problem(Message{Kind: "row_names_nothing", Row: rowNo}))
	}
	r.Origin, r.Meta, r.Notes = u.Origin, u.Meta, u.Notes
	return r
}

// DescribeStore is what describing needs of the metadata store.
type DescribeStore interface {
	access.Lookup
	Item(id string) (*repository.Item, error)
	ItemsWithDigest(sha256 string) ([]string, error)
	ItemsOfInstitution(institution, after string, limit int) (repository.Page, error)
	Institutions() ([]*repository.Institution, error)
	SaveItem(ctx context.Context, it *repository.Item, agent string, events ...repository.Event) error
}

var _ DescribeStore = (*bolt.Store)(nil)

// DescribeConfig says who describes, and how.
type DescribeConfig struct {
	Store DescribeStore
	// Principal is who asks: only items they may edit are changed.
	Principal access.Principal
	// Agent is recorded in the events.
	Agent string
	// Institution, when set, keeps to that library's items: a row naming
	// another library's item is refused.
	Institution string
	// DryRun says what would change and writes nothing.
	DryRun bool
}

// Statuses of a row's outcome, besides Refused and Failed.
const (
	Described     = "described"      // saved as a new version
	WouldDescribe = "would describe" // a dry run's row that would change
	Unchanged     = "unchanged"      // the item already says all that
	Unknown       = "unknown"        // names nothing in the archive
	Conflict      = "conflict"       // the item changed meanwhile; nothing overwritten
)

// Change is one field a row changes, as the sheet names it (title.th,
// date, access…).
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// RowOutcome is what became of one row.
type RowOutcome struct {
	Row     int      `json:"row"`
	Item    string   `json:"item,omitempty"`
	Status  string   `json:"status"`
	Changes []Change `json:"changes,omitempty"`
	// Reason says why the row changed nothing (its bad cells, an item
	// refused or not found); Warnings what reading it noted (a year read
	// in the Buddhist Era). Error and Notes say them in English, for the
	// command line.
	Reason   []Message `json:"reason,omitempty"`
	Warnings []Message `json:"warnings,omitempty"`
	Error    string    `json:"error,omitempty"`
	Notes    []string  `json:"notes,omitempty"`
}

// set gives the outcome a status and the reason for it.
func (o *RowOutcome) set(status string, why ...Message) {
	o.Status, o.Reason, o.Error = status, why, sayAll(why)
}

// Describe applies rows to the items they name, in order, each as a new
// version saved at the version it was read at. Only items the principal
// may edit are named: another's is unknown, as one that does not exist. A
// row that names nothing known, an item another row already described, or
// that has a bad cell changes nothing and says why.
func Describe(ctx context.Context, cfg DescribeConfig, rows []DescribeRow) []RowOutcome {
	d := &describer{cfg: cfg, seen: map[string]int{}}
	if d.cfg.Agent == "" {
		d.cfg.Agent = "archive describe"
	}
	var out []RowOutcome
	for _, r := range rows {
		o := RowOutcome{Row: r.Row, Warnings: r.Notes}
		for _, n := range r.Notes {
			o.Notes = append(o.Notes, n.String())
		}
		if err := ctx.Err(); err != nil {
			o.set(Failed, Message{Kind: "stopped", Args: []string{err.Error()}})
		} else {
			d.describe(ctx, r, &o)
		}
		out = append(out, o)
	}
	return out
}

type describer struct {
	cfg    DescribeConfig
	seen   map[string]int      // item → the row that described it
	byName map[string][]string // file name (and base name) → items, built when first needed
}

func (d *describer) describe(ctx context.Context, r DescribeRow, o *RowOutcome) {
	if r.Item == "" && len(r.Files) == 0 {
		o.set(Refused, problems(r.Problems)...)
		return
	}
	it, status, why := d.resolve(r)
	if it != nil {
		o.Item = it.ID
	}
	if status != "" {
		o.set(status, why)
		return
	}
	if len(r.Problems) > 0 {
		o.set(Refused, problems(r.Problems)...)
		return
	}
	if prev, ok := d.seen[it.ID]; ok {
		o.set(Refused, Message{Kind: "described_twice", Args: []string{it.ID, strconv.Itoa(prev)}})
		return
	}
	d.seen[it.ID] = r.Row
	next := *it
	o.Changes = append(describeItem(&next, r.Meta), describeRoom(&next, r.ReadingRoom)...)
	if len(o.Changes) == 0 {
		o.Status = Unchanged
		return
	}
	if err := d.check(&next); err != nil {
		if errors.Is(err, fault.Invalid) || errors.As(err, new(*Error)) {
			o.set(Refused, MessageOf(err))
		} else {
			o.set(Failed, MessageOf(err))
		}
		return
	}
	if d.cfg.DryRun {
		o.Status = WouldDescribe
		return
	}
	var fields []string
	for _, c := range o.Changes {
		fields = append(fields, c.Field)
	}
	ev := repository.Event{Type: "modification", Outcome: "success",
		Detail: fmt.Sprintf("described by %s: %s", cmpOr(r.Origin, fmt.Sprintf("row %d", r.Row)), strings.Join(slices.Compact(fields), ", "))}
	switch err := d.cfg.Store.SaveItem(ctx, &next, d.cfg.Agent, ev); {
	case err == nil:
		o.Status = Described
	case errors.Is(err, fault.Conflict):
		o.set(Conflict, MessageOf(err))
	case errors.Is(err, fault.Invalid):
		o.set(Refused, MessageOf(err))
	default:
		o.set(Failed, MessageOf(err))
	}
}

func problems(ps []Problem) []Message {
	out := make([]Message, len(ps))
	for i, p := range ps {
		out[i] = p.Message
	}
	return out
}

// check refuses what saving would refuse, so that a dry run does not
// promise a change that cannot be made.
func (d *describer) check(it *repository.Item) error {
	if err := it.Validate(); err != nil {
		return err
	}
	if it.Collection == "" {
		return nil
	}
	c, err := d.cfg.Store.Collection(it.Collection)
	if errors.Is(err, fault.NotFound) {
		return refuse("collection_not_found", it.Collection)
	}
	if err != nil {
		return err
	}
	if c.Institution != it.Institution {
		return refuse("collection_mismatch", c.ID, c.Institution, it.Institution, it.ID)
	}
	return nil
}

// resolve finds the one item a row names among the items the principal
// may edit: access is decided before anything else is looked at, so that
// another library's item, hidden or not, is not found, as one that does not
// exist. When it cannot describe the item, it says why with a status, and
// still returns the item it found, if one.
func (d *describer) resolve(r DescribeRow) (*repository.Item, string, Message) {
	say := func(kind string, args ...string) Message { return Message{Kind: kind, Args: args} }
	var items []*repository.Item
	if r.Item != "" {
		it, err := d.editable(r.Item)
		if err != nil {
			return nil, Failed, MessageOf(err)
		}
		if it == nil {
			return nil, Unknown, say("no_item", r.Item)
		}
		for _, f := range r.Files {
			if !holds(it, f) {
				return it, Refused, say("item_lacks_file", it.ID, f)
			}
		}
		if it.Deleted {
			return it, Refused, say("item_withdrawn", it.ID)
		}
		items = append(items, it)
	} else {
		var ids []string
		for i, f := range r.Files {
			found, err := d.itemsWith(f)
			if err != nil {
				return nil, Failed, MessageOf(err)
			}
			if i == 0 {
				ids = found
			} else {
				ids = slices.DeleteFunc(ids, func(id string) bool { return !slices.Contains(found, id) })
			}
		}
		for _, id := range ids {
			it, err := d.editable(id)
			if err != nil {
				return nil, Failed, MessageOf(err)
			}
			if it != nil && !it.Deleted {
				items = append(items, it)
			}
		}
		if len(items) == 0 {
			return nil, Unknown, say("no_item_holds", strings.Join(r.Files, " and "))
		}
	}
	// A file found in several items names the one of the library asked
	// for.
	for _, want := range []string{r.Institution, d.cfg.Institution} {
		if want != "" {
			items = prefer(items, func(it *repository.Item) bool { return it.Institution == want })
		}
	}
	if len(items) > 1 {
		var names []string
		for _, it := range items[:min(len(items), 5)] {
			names = append(names, it.ID)
		}
		return nil, Refused, say("file_in_many", strings.Join(r.Files, " and "), strconv.Itoa(len(items)), strings.Join(names, ", "))
	}
	it := items[0]
	for _, want := range []string{r.Institution, d.cfg.Institution} {
		if want != "" && it.Institution != want {
			return it, Refused, say("item_other_library", it.ID, it.Institution, want)
		}
	}
	return it, "", Message{}
}

// editable reads an item if the principal may edit it; an item they may
// not is nil, as one that does not exist.
func (d *describer) editable(id string) (*repository.Item, error) {
	it, err := d.cfg.Store.Item(id)
	if errors.Is(err, fault.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	res, err := access.ItemResource(d.cfg.Store, it)
	if err != nil {
		return nil, err
	}
	if access.Decide(d.cfg.Principal, access.Edit, res, time.Now()) != nil {
		return nil, nil
	}
	return it, nil
}

// prefer keeps the items that match when some do, else all of them.
func prefer(items []*repository.Item, match func(*repository.Item) bool) []*repository.Item {
	var out []*repository.Item
	for _, it := range items {
		if match(it) {
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		return items
	}
	return out
}

// holds reports whether the item has a file with this name, base name or
// SHA-256.
func holds(it *repository.Item, f string) bool {
	for _, x := range it.Files {
		if x.SHA256 == strings.ToLower(f) || x.Name == f || path.Base(x.Name) == f {
			return true
		}
	}
	return false
}

// itemsWith finds the items holding a file, by SHA-256 through the
// store's index, or by name through an index of every item's file names
// made on first use.
func (d *describer) itemsWith(f string) ([]string, error) {
	if digest := strings.ToLower(f); storage.IsHexDigest(digest) {
		return d.cfg.Store.ItemsWithDigest(digest)
	}
	if d.byName == nil {
		if err := d.indexNames(); err != nil {
			return nil, err
		}
	}
	return d.byName[f], nil
}

// indexNames reads once every item of the libraries the principal edits
// and indexes its files' names and base names (scan-0042.tif is found as
// itself and as box3/scan-0042.tif).
func (d *describer) indexNames() error {
	libs, err := d.cfg.Store.Institutions()
	if err != nil {
		return err
	}
	byName := map[string][]string{}
	now := time.Now()
	for _, lib := range libs {
		if access.Decide(d.cfg.Principal, access.Edit, access.LibraryResource(lib.ID), now) != nil {
			continue // its items are not candidates: see resolve
		}
		for after := ""; ; {
			page, err := d.cfg.Store.ItemsOfInstitution(lib.ID, after, 1000)
			if err != nil {
				return err
			}
			for _, id := range page.IDs {
				it, err := d.cfg.Store.Item(id)
				if errors.Is(err, fault.NotFound) {
					continue
				}
				if err != nil {
					return err
				}
				for _, f := range it.Files {
					for _, n := range []string{f.Name, path.Base(f.Name)} {
						if !slices.Contains(byName[n], id) {
							byName[n] = append(byName[n], id)
						}
					}
				}
			}
			if page.Next == "" {
				break
			}
			after = page.Next
		}
	}
	d.byName = byName
	return nil
}

// describeItem gives it what m says, field by field, and returns the
// changes, named as the sheet's columns. Text in a language the row does
// not give is kept, but a title in Thai or English replaces the file name
// an upload was titled with (language "none"), as on the desk.
func describeItem(it *repository.Item, m repository.Item) []Change {
	var out []Change
	text := func(column string, t *repository.Text, v repository.Text) {
		out = append(out, describeText(column, t, v)...)
	}
	text("title", &it.Title, m.Title)
	text("description", &it.Summary, m.Summary)
	text("creator", &it.Creator, m.Creator)
	text("attribution", &it.Attribution, m.Attribution)
	plain := func(column string, s *string, v string) {
		if v != "" && v != *s {
			out = append(out, Change{column, *s, v})
			*s = v
		}
	}
	plain("date", &it.Date, m.Date)
	plain("rights", &it.Rights, m.Rights)
	plain("access", &it.Access.Level, m.Access.Level)
	plain("embargo", &it.Access.Embargo, m.Access.Embargo)
	plain("collection", &it.Collection, m.Collection)
	plain("type", &it.Type, m.Type)
	plain("viewingdirection", &it.ViewingDirection, m.ViewingDirection)
	list := func(column string, l *[]string, v []string) {
		if len(v) > 0 && !slices.Equal(*l, v) {
			out = append(out, Change{column, strings.Join(*l, "; "), strings.Join(v, "; ")})
			*l = v
		}
	}
	list("language", &it.Language, m.Language)
	list("behavior", &it.Behavior, m.Behavior)
	if len(m.Subjects) > 0 && !slices.EqualFunc(it.Subjects, m.Subjects, maps.Equal) {
		out = append(out, Change{"subject", TextList(it.Subjects), TextList(m.Subjects)})
		it.Subjects = m.Subjects
	}
	if len(m.Structures) > 0 {
		old, new := tocString(it.Structures), tocString(m.Structures)
		if old != new {
			out = append(out, Change{"toc", old, new})
			it.Structures = m.Structures
		}
	}
	for _, f := range m.Metadata {
		column := "metadata"
		for name, label := range extraLabels {
			if maps.Equal(label, f.Label) {
				column = name
			}
		}
		i := slices.IndexFunc(it.Metadata, func(x repository.Field) bool { return maps.Equal(x.Label, f.Label) })
		if i < 0 {
			it.Metadata = append(slices.Clip(it.Metadata), repository.Field{Label: f.Label})
			i = len(it.Metadata) - 1
		} else {
			it.Metadata = slices.Clone(it.Metadata)
		}
		out = append(out, describeText(column, &it.Metadata[i].Value, f.Value)...)
	}
	return out
}

// describeText sets the languages v gives in *t (a copy: the item read
// from the store is left alone) and returns the changes.
func describeText(column string, t *repository.Text, v repository.Text) []Change {
	if len(v) == 0 {
		return nil
	}
	next := maps.Clone(*t)
	if next == nil {
		next = repository.Text{}
	}
	name := func(lang string) string {
		if lang == "none" {
			return column
		}
		return column + "." + lang
	}
	var out []Change
	for _, lang := range slices.Sorted(maps.Keys(v)) {
		if next[lang] != v[lang] {
			out = append(out, Change{name(lang), next[lang], v[lang]})
			next[lang] = v[lang]
		}
	}
	if (v["th"] != "" || v["en"] != "") && v["none"] == "" && next["none"] != "" {
		out = append(out, Change{name("none"), next["none"], ""})
		delete(next, "none")
	}
	*t = next
	return out
}

// TextList writes a list of language maps as "ช้าง / elephant; …"
// (languages in order).
func TextList(l []repository.Text) string {
	var out []string
	for _, t := range l {
		var vs []string
		for _, lang := range slices.Sorted(maps.Keys(t)) {
			vs = append(vs, t[lang])
		}
		out = append(out, strings.Join(vs, " / "))
	}
	return strings.Join(out, "; ")
}

// tocString writes a table of contents as a sheet does: label=pages.
func tocString(rs []repository.Range) string {
	var out []string
	for _, r := range rs {
		var pages []string
		for _, c := range r.Canvases {
			pages = append(pages, fmt.Sprint(c+1))
		}
		out = append(out, TextList([]repository.Text{r.Label})+"="+strings.Join(pages, ","))
	}
	return strings.Join(out, "; ")
}
