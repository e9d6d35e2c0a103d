package ead

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

// Limits on what one finding aid may hold.
const (
	MaxBytes = 64 << 20
	MaxUnits = 200_000
	maxDepth = 64
)

// Unit is a described unit read from a finding aid: its description, the
// digitised files it links to, and the units below it in order.
type Unit struct {
	Collection repository.Collection
	// IDAttr is the unit's id in the document; kept as its identifier
	// when it is free and well-formed.
	IDAttr   string
	Daos     []Dao
	Children []*Unit
	// Notes are what the import tells of the unit (their Unit is set
	// when it is made).
	Notes []Note
}

// Dao is a link to a digital object: a file beside the document (which an
// import attaches as an item) or an address elsewhere.
type Dao struct {
	Href  string
	Title string
	Lang  string // the title's (textLang)
	// ID is its identifier attribute: an item of the archive it may name.
	ID string
}

// Local reports whether the link names a file beside the document (see
// Path).
func (d Dao) Local() bool {
	_, ok := d.Path()
	return ok
}

// Path is the file a local link names: its URL path decoded, cleaned and
// slash-separated, relative to the document's folder. It is the one path
// that is both checked and used. ok is false for an address elsewhere, a
// link with a query or a fragment (a file name cannot hold them: only the
// part before would be checked), and a path that leaves the folder.
func (d Dao) Path() (string, bool) {
	if d.Href == "" || strings.ContainsAny(d.Href, "?#\\") || strings.HasPrefix(d.Href, "/") {
		return "", false
	}
	u, err := url.Parse(d.Href)
	if err != nil || u.Scheme != "" || u.Opaque != "" || u.User != nil || u.Host != "" {
		return "", false
	}
	clean := path.Clean(u.Path)
	if clean == "." || strings.ContainsFunc(clean, func(r rune) bool { return r == '\\' || unicode.IsControl(r) }) ||
		!filepath.IsLocal(filepath.FromSlash(clean)) {
		return "", false
	}
	return clean, true
}

// Finding is a finding aid read from a document.
type Finding struct {
	Version string // "EAD3" or "EAD 2002"
	Root    *Unit
	Count   int
	// Placed says, once built, how many containers the units name and in
	// how many boxes (containers.go).
	Placed Placed
	// Read counts the document's elements by name; Kept the elements
	// kept as written, by their EAD3 name (see keep.go).
	Read, Kept map[string]int
	// Notes are what the import tells of the finding aid as a whole (see
	// Report).
	Notes []Note
}

// Sniff reports whether the start of a document is an EAD finding aid:
// EAD 2002 (with its namespace or none, with a DOCTYPE or not) or EAD3 (in
// its namespace or the undeprecated one), after a byte-order mark or not.
func Sniff(head []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(head, bom)))
	d.Strict = false
	d.CharsetReader = charsetReader
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "ead" && slices.Contains(namespaces, se.Name.Space)
		}
	}
}

// node is an element of the document.
type node struct {
	name  string
	attr  map[string]string // by local name
	attrs []xml.Attr        // as written, in order
	line  int               // where it starts in the document
	kids  []*node
	text  strings.Builder // character data directly inside
	order []any           // kids and text in document order, for all()
	up    *node           // the parent; nil at the root
	// declared are the root's languages of description (see declared).
	declared []string
}

// all is the element's text, without what is internal inside a public
// element.
func (n *node) all() string {
	return strings.Join(strings.Fields(n.allKeepLines()), " ")
}

func (n *node) child(name string) *node {
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

func parse(r io.Reader) (*node, error) {
	d := xml.NewDecoder(io.LimitReader(r, MaxBytes+1))
	d.Strict = false
	d.CharsetReader = charsetReader
	d.Entity = xml.HTMLEntity
	var stack []*node
	var root *node
	count := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, invalidf("the document is not well-formed XML (%v)", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if count++; count > 50*MaxUnits || len(stack) > 4*maxDepth {
				return nil, invalidf("the finding aid is too large or too deep to read (at most %d units, %d levels)", MaxUnits, maxDepth)
			}
			n := &node{name: t.Name.Local, attr: map[string]string{}}
			if len(stack) > 0 {
				n.up = stack[len(stack)-1]
			}
			for _, a := range t.Attr {
				if _, dup := n.attr[a.Name.Local]; !dup || a.Name.Space == "" {
					n.attr[a.Name.Local] = a.Value
				}
			}
			n.attrs = t.Attr
			n.line, _ = d.InputPos()
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
				p.order = append(p.order, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.text.Write(t)
				p.order = append(p.order, string(t))
			}
		}
	}
	if root == nil || root.name != "ead" {
		return nil, invalidf("the document is not an EAD finding aid (its root element is not <ead>)")
	}
	return root, nil
}

// Read reads an EAD3 or EAD 2002 finding aid.
func Read(r io.Reader) (*Finding, error) {
	root, err := parse(r)
	if err != nil {
		return nil, err
	}
	root.declared = declared(root)
	f := &Finding{Version: "EAD 2002"}
	f.Read, f.Kept = countElements(root), map[string]int{}
	if root.child("control") != nil {
		f.Version = "EAD3"
	}
	f.noteHeader(root)
	arch := root.child("archdesc")
	if arch == nil {
		return nil, invalidf("the finding aid has no <archdesc>: nothing to import")
	}
	if f.Root, err = f.unit(arch, 0); err != nil {
		return nil, err
	}
	if h := f.readHeader(root, f.Root); len(h) > 0 {
		if f.Root.Collection.Description == nil {
			f.Root.Collection.Description = &repository.Description{}
		}
		f.Root.Collection.Description.Header = h
	}
	return f, nil
}

// untitled is the title a unit the finding aid gives none is shown by:
// its reference code, else "Untitled". The export does not write it back.
func untitled(d *repository.Description) repository.Text {
	if d.ReferenceCode != "" {
		return repository.Text{"none": d.ReferenceCode}
	}
	return repository.Text{"th": "ไม่มีชื่อ", "en": "Untitled"}
}

var cName = regexp.MustCompile(`^c(0[1-9]|1[0-2])?$`)

func (f *Finding) unit(n *node, depth int) (*Unit, error) {
	if depth > maxDepth {
		return nil, invalidf("the finding aid nests units more than %d deep", maxDepth)
	}
	if f.Count++; f.Count > MaxUnits {
		return nil, invalidf("the finding aid has more than %d units: split it", MaxUnits)
	}
	u := &Unit{IDAttr: strings.TrimPrefix(n.attr["id"], IDPrefix)}
	c := &u.Collection
	c.Level = readLevel(n.attr["level"], n.attr["otherlevel"])
	c.Access.Internal = internal(n)
	d := &repository.Description{}
	kp := &keeper{f: f, notes: &u.Notes}
	did := n.child("did")
	if did == nil {
		did = &node{}
	}
	groups, origs := 0, 0 // <controlaccess> and <origination> elements read
	for _, k := range did.kids {
		if internal(k) && k.name != "container" { // a container keeps its own audience (repository.Published)
			aside(d, k, true, "")
			continue
		}
		asidesWithin(d, k, true)
		switch k.name {
		case "unitid":
			if d.ReferenceCode == "" && k.attr["localtype"] != "ark" { // an ARK is an identifier, no reference code
				d.ReferenceCode = k.all()
			}
		case "unittitle":
			put(&c.Title, k, f.title(u, d, k))
		case "unitdate", "unitdatestructured":
			u.addDate(d, k)
		case "physdesc", "physdescstructured", "physdescset":
			put(&d.Extent, k, k.all())
		case "origination":
			put(&d.Creator, k, k.all())
			origs++
			d.Points = append(d.Points, originations(k, strconv.Itoa(origs))...)
		case "langmaterial":
			var walk func(*node)
			walk = func(x *node) {
				for _, l := range x.kids {
					if l.name == "language" && l.attr["langcode"] != "" {
						d.Language = append(d.Language, code2(l.attr["langcode"]))
					}
					walk(l)
				}
			}
			walk(k)
		case "abstract":
			put(&c.Summary, k, k.all())
		case "container":
			d.Containers = append(d.Containers, readContainer(k))
		case "dao", "daoloc", "daogrp", "daoset":
			u.Daos = append(u.Daos, daos(k)...)
		}
		kp.did(k)
	}
	for _, k := range n.kids {
		if k.name != "did" && k.name != "dsc" && !cName.MatchString(k.name) {
			if internal(k) {
				aside(d, k, false, "")
				continue
			}
			asidesWithin(d, k, false)
		}
		switch k.name {
		case "bioghist":
			put(&d.History, k, blocks(k))
		case "scopecontent":
			put(&d.Scope, k, blocks(k))
		case "arrangement":
			put(&d.Arrangement, k, blocks(k))
		case "accessrestrict":
			switch k.attr["localtype"] {
			case "access-level":
				c.Access.Level = strings.TrimSpace(blocks(k))
			case "embargo":
				c.Access.Embargo = strings.TrimSpace(blocks(k))
			default:
				put(&d.Access, k, blocks(k))
			}
		case "userestrict":
			put(&d.Reproduction, k, blocks(k))
		case "otherfindaid":
			put(&d.FindingAids, k, blocks(k))
		case "odd", "note":
			put(&d.Notes, k, blocks(k))
		case "dao", "daogrp", "daoset":
			u.Daos = append(u.Daos, daos(k)...)
		case "controlaccess":
			groups++
			readControlaccess(d, k, strconv.Itoa(groups))
		}
		kp.unit(k)
	}
	settleDates(u, d)
	if c.Title.Empty() {
		c.Title = untitled(d)
	}
	if c.Access.Level == repository.Public {
		c.Access.Level = ""
	}
	d.Kept = kp.kept
	if !emptyDescription(d) {
		c.Description = d
	}
	// Components are the element's own and those of every <dsc> (a
	// finding aid may have more than one).
	var kids []*node
	for _, k := range n.kids {
		if k.name == "dsc" {
			kids = append(kids, k.kids...)
			continue
		}
		kids = append(kids, k)
	}
	for _, k := range kids {
		if cName.MatchString(k.name) {
			child, err := f.unit(k, depth+1)
			if err != nil {
				return nil, err
			}
			u.Children = append(u.Children, child)
		}
	}
	return u, nil
}

// readLevel maps EAD's level to ours; otherlevel and EAD's own extra
// levels become the library's own (a lower-case word).
func readLevel(level, other string) repository.Level {
	if level == "otherlevel" && other != "" {
		level = other
	}
	w := strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return unicode.ToLower(r)
		}
		return '-'
	}, level), "-")
	if len(w) > 32 {
		w = w[:32]
	}
	if !repository.ValidLevel(repository.Level(w)) || w == string(repository.Curated) {
		return repository.FileLevel
	}
	return repository.Level(w)
}

// readDate takes the normal form of a unit's date (EDTF or ISO 8601),
// else reads its words (Thai dates, Buddhist Era years), else returns its
// text as written, for the caller to keep. A date in the Buddhist Era that
// merely repeats the Common Era one is skipped. The note says when the
// words are in the Buddhist Era and read as another date than the normal
// form, which is kept.
//
// Every date is read as edtf.Normalize reads one, as the desk and sheets
// do: a normal form is ISO 8601 in the Common Era unless the unit date says
// its calendar is the Buddhist one; words are read as a cataloguer's, where
// a bare year of 2400–2700 is the Buddhist Era.
func readDate(k *node) (date, text string, note *Note) {
	buddhist := k.attr["era"] == "be" || k.attr["calendar"] == "buddhist"
	// read takes a date: a normal form as EDTF in the calendar the
	// element names, words through the one reader (in the Buddhist Era
	// when the element says so).
	read := func(s string, normal bool) string {
		if s == "" {
			return ""
		}
		if buddhist {
			if d, _, err := edtf.Normalize("พ.ศ. " + s); err == nil {
				return d
			}
		}
		if normal {
			if !buddhist && edtf.Valid(s) {
				return s
			}
			return ""
		}
		if d, _, err := edtf.Normalize(s); err == nil {
			return d
		}
		return ""
	}
	text = k.all()
	if normal := k.attr["normal"]; normal != "" {
		if d := read(normal, true); d != "" {
			if !buddhist {
				note = disagreement(text, d, k.attr["calendar"] == "gregorian" || k.attr["era"] == "ce")
			}
			return d, "", note
		}
		text = cmpOr(text, normal)
	}
	if k.name == "unitdatestructured" {
		d, words := readEnds(k, read)
		if d != "" {
			return d, "", nil
		}
		text = cmpOr(words, text)
	}
	if d := read(k.all(), false); d != "" {
		return d, "", nil
	}
	return "", text, nil
}

// readEnds reads a structured date (<datesingle>, or <fromdate> and
// <todate>) end by end: each end's standarddate, else its words. words is
// the date as written, for keeping when it cannot be read.
func readEnds(k *node, read func(s string, normal bool) string) (date, words string) {
	var from, to *node
	var walk func(*node)
	walk = func(x *node) {
		for _, y := range x.kids {
			switch y.name {
			case "fromdate", "datesingle":
				from = y
			case "todate":
				to = y
			}
			walk(y)
		}
	}
	walk(k)
	var ends, texts []string
	readable := true
	for _, e := range []*node{from, to} {
		if e == nil {
			continue
		}
		d := read(e.attr["standarddate"], true)
		if d == "" {
			d = read(e.all(), false)
		}
		if d == "" {
			d = bounds(e, read)
		}
		readable = readable && d != ""
		ends, texts = append(ends, d), append(texts, cmpOr(e.all(), e.attr["standarddate"]))
	}
	words = strings.Join(texts, " – ")
	if date = strings.Join(ends, "/"); !readable || !edtf.Valid(date) {
		return "", words
	}
	return date, words
}

// disagreement notes a unit date whose words are in the Buddhist Era and
// read as another date than its normal form (normal, in the Common Era as
// EAD says), which is the one kept. When the element names the Common Era
// (gregorian), only words that name the Buddhist Era are so read, not a
// bare year of 2400–2700.
func disagreement(text, normal string, gregorian bool) *Note {
	words := text
	be, guessed, err := edtf.Normalize(words)
	if err != nil || (gregorian && guessed != "") {
		return nil
	}
	if ce, _, err := edtf.Normalize("ค.ศ. " + words); err == nil && ce == be {
		return nil // the words are in the Common Era
	}
	if sameSpan(be, normal) {
		return nil
	}
	return &Note{Kind: "date_disagrees", Args: []string{text, be, normal}}
}

// sameSpan reports whether two EDTF dates cover the same days (1958/1967
// and 1958-01-01/1967-12-31 do).
func sameSpan(a, b string) bool {
	x, errX := edtf.Parse(a)
	y, errY := edtf.Parse(b)
	if errX != nil || errY != nil {
		return a == b
	}
	xs, _ := x.Start()
	ys, _ := y.Start()
	xe, _ := x.End()
	ye, _ := y.End()
	return xs.Equal(ys) && xe.Equal(ye)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func daos(k *node) []Dao {
	if k.name == "dao" || k.name == "daoloc" {
		href := k.attr["href"]
		if href == "" {
			return nil
		}
		title := cmpOr(k.attr["linktitle"], k.attr["title"])
		return []Dao{{Href: href, Title: title, Lang: textLang(k, title), ID: strings.TrimSpace(k.attr["identifier"])}}
	}
	var out []Dao
	for _, x := range k.kids {
		out = append(out, daos(x)...)
	}
	return out
}

// blocks reads an element's paragraphs, separated by blank lines.
func blocks(k *node) string {
	var ps []string
	var walk func(*node)
	walk = func(x *node) {
		for _, y := range x.kids {
			if internal(y) && !internal(k) {
				continue // kept apart (asidesWithin)
			}
			switch y.name {
			case "p":
				if t := strings.TrimSpace(y.allKeepLines()); t != "" {
					ps = append(ps, t)
				}
			case "head":
			default:
				walk(y)
			}
		}
	}
	walk(k)
	if len(ps) == 0 {
		return k.all()
	}
	return strings.Join(ps, "\n\n")
}

// allKeepLines is the element's text with its line breaks kept, without
// what is internal inside a public element.
func (n *node) allKeepLines() string {
	var b strings.Builder
	public, left := !internal(n), false
	var walk func(*node)
	walk = func(n *node) {
		for _, o := range n.order {
			switch v := o.(type) {
			case string:
				b.WriteString(v)
			case *node:
				if !public || !internal(v) {
					walk(v)
				} else {
					left = true
				}
			}
		}
	}
	walk(n)
	if left { // the spaces either side of what was left out
		return gap.ReplaceAllString(b.String(), " ")
	}
	return b.String()
}

var gap = regexp.MustCompile(`[ \t]{2,}`)

// put sets the text in t under the language it is in (textLang).
func put(t *repository.Text, k *node, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	l := textLang(k, text)
	if *t == nil {
		*t = repository.Text{}
	}
	if old := (*t)[l]; old != "" {
		text = old + "\n\n" + text
	}
	(*t)[l] = text
}

// Store is what building a finding aid's tree needs.
type Store interface {
	Collection(id string) (*repository.Collection, error)
	NextOrder(parent string) (float64, error)
	AddCollections(ctx context.Context, cols []*repository.Collection, agent string) error
	ContainerStore
}

// Made is a unit an import made, for the report.
type Made struct {
	ID     string           `json:"id"`
	Level  repository.Level `json:"level"`
	Title  repository.Text  `json:"title"`
	Path   string           `json:"path"` // titles from the root, joined by " › "
	Depth  int              `json:"depth"`
	Parent string           `json:"parent,omitempty"`
	Notes  []Note           `json:"notes,omitempty"` // what the import tells of the unit
}

// Attachment is a digitised file to attach as an item of a unit.
type Attachment struct {
	Unit  string // collection id
	Href  string
	Title repository.Text
	ID    string // the dao's identifier attribute
}

// Build makes the finding aid's units in institution, inside parent (""
// for a new fonds at the top level), as one batch: all or none. It returns
// every unit made, in reading order, and the digitised files the units
// link to (left for the caller to ingest).
func (f *Finding) Build(ctx context.Context, s Store, institution, parent, agent string) ([]Made, []Attachment, error) {
	var cols []*repository.Collection
	var made []Made
	var atts []Attachment
	seen := map[string]bool{}
	ids := map[string]string{} // the units' ids in the document, to those made
	order, err := s.NextOrder(parent)
	if err != nil {
		return nil, nil, err
	}
	var walk func(u *Unit, up string, path string, depth int, order float64) error
	walk = func(u *Unit, up string, trail string, depth int, order float64) error {
		c := u.Collection
		c.Institution, c.Parent, c.Order = institution, up, order
		if id := u.IDAttr; repository.ValidID(id) && !seen[id] {
			if _, err := s.Collection(id); errors.Is(err, fault.NotFound) {
				c.ID = id
			} else if err != nil {
				return err
			}
		}
		if c.ID == "" {
			c.ID = freshID(seen, s)
		}
		seen[c.ID] = true
		if u.IDAttr != "" {
			ids[u.IDAttr] = c.ID
		}
		title := c.Title.Get("th")
		if trail != "" {
			title = trail + " › " + title
		}
		cols = append(cols, &c)
		m := Made{ID: c.ID, Level: c.Level, Title: c.Title, Path: title, Depth: depth, Parent: up}
		for _, n := range u.Notes {
			n.Unit = c.ID
			m.Notes = append(m.Notes, n)
		}
		made = append(made, m)
		for _, d := range u.Daos {
			t := c.Title
			if d.Title != "" {
				t = repository.Text{cmpOr(d.Lang, "none"): d.Title}
			}
			atts = append(atts, Attachment{Unit: c.ID, Href: d.Href, Title: t, ID: d.ID})
		}
		for i, k := range u.Children {
			if err := walk(k, c.ID, title, depth+1, float64(i+1)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(f.Root, parent, "", 0, order); err != nil {
		return nil, nil, err
	}
	retarget(cols, ids)
	if f.Placed, err = place(ctx, s, institution, cols, agent); err != nil {
		return nil, nil, err
	}
	if err := s.AddCollections(ctx, cols, agent); err != nil {
		return nil, nil, err
	}
	return made, atts, nil
}

// freshID gives an identifier the store and this import do not use; the
// store gives it its own when the unit is added (AddCollections), so this
// only needs to be unique and well-formed.
func freshID(seen map[string]bool, s Store) string {
	for i := len(seen) + 1; ; i++ {
		id := fmt.Sprintf("u%07d-%s", i, randomSuffix())
		if _, err := s.Collection(id); !seen[id] && errors.Is(err, fault.NotFound) {
			return id
		}
	}
}

const idAlphabet = "0123456789bcdfghjkmnpqrstvwxz"

func randomSuffix() string {
	var b [6]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b[:])
}

func emptyDescription(d *repository.Description) bool {
	if d.ReferenceCode != "" || d.Date != "" || d.DateText != "" || len(d.Language) > 0 || len(d.Dates) > 0 || len(d.Containers) > 0 || len(d.Points) > 0 {
		return false
	}
	if len(d.Kept) > 0 || len(d.Header) > 0 {
		return false
	}
	for _, t := range d.Texts() {
		if !t.Text.Empty() {
			return false
		}
	}
	return true
}
