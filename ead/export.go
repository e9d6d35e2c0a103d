// Package ead exchanges archival trees as Encoded Archival Description:
// it writes EAD3 finding aids of a fonds or any unit below it, and reads
// EAD3 and EAD 2002 finding aids (from AtoM, ArchivesSpace and others) into
// units of the repository, with the digitised files they link to.
package ead

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

// Namespace is EAD3's XML namespace.
const Namespace = "http://ead3.archivists.org/schema/"

// Namespace2002 is EAD 2002's XML namespace (older documents often have none).
const Namespace2002 = "urn:isbn:1-931666-22-9"

// IDPrefix starts each unit's id attribute: XML ids may not start with a
// digit, as ours may.
const IDPrefix = "unit-"

// Items reads the items a finding aid links to.
type Items interface {
	Item(id string) (*repository.Item, error)
}

// Export is what a finding aid is written for.
type Export struct {
	Tree *repository.Tree
	// Items reads the digitised items of each unit; nil leaves them out.
	Items Items
	// Principal reads the finding aid: units and items it may not read are
	// left out, with everything below them.
	Principal access.Principal
	// Now dates the maintenance event (the tree's newest change, so the
	// same tree gives the same bytes).
	Now time.Time
	// At decides access and embargoes: the moment the finding aid is asked
	// for (Now when zero).
	At time.Time
	// Manifest gives the address of an item's IIIF manifest (its <dao href>).
	Manifest func(item string) string
	// Internal asks for what the library keeps internal (units and texts
	// marked audience="internal"), marked so; honoured only for the
	// library's staff (access.ReadsInternal), else they are left out.
	Internal bool
	include  bool
	// Points reads the access points units name; nil writes them as the
	// source gave them.
	Points func(id string) (*repository.Point, error)
}

func (e *Export) at() time.Time {
	if e.At.IsZero() {
		return e.Now
	}
	return e.At
}

// lookup is the tree answering for collections, and the store for items.
type lookup struct {
	*repository.Tree
	items Items
}

func (l lookup) Item(id string) (*repository.Item, error) { return l.items.Item(id) }

// Newest is when what the principal may read of the tree last changed, to
// the second: the newest version of a unit it may read, or a change below
// that the units do not date (Tree.Touched). Units it may not read, and
// what is below them, do not date it, so an edit of a closed series does
// not show in an open fonds's date.
func (e *Export) Newest() (time.Time, error) {
	newest := e.Tree.Touched()
	seen, err := access.VisibleTree(e.Principal, e.Tree, e.at())
	if err != nil {
		return time.Time{}, err
	}
	e.Tree.Walk(func(n *repository.Node) bool {
		if !seen.Sees(n) {
			return false
		}
		if n.Modified.After(newest) {
			newest = n.Modified
		}
		return true
	})
	return newest.UTC().Truncate(time.Second), nil
}

// Write writes the EAD3 finding aid of the tree's root and what p may read
// below it. A root p may not read is refused with the access decision's
// error.
func (e *Export) Write(w io.Writer) error {
	root := e.Tree.Root
	r, err := access.CollectionResource(e.Tree, root.Collection)
	if err != nil {
		return err
	}
	if err := access.Decide(e.Principal, access.ReadMetadata, r, e.at()); err != nil {
		return err
	}
	seen, err := access.VisibleTree(e.Principal, e.Tree, e.at())
	if err != nil {
		return err
	}
	in, err := e.Tree.Institution(root.Institution)
	if err != nil {
		return err
	}
	e.include = e.Internal && access.ReadsInternal(e.Principal, root.Institution)
	x := &writer{w: bufio.NewWriter(w)}
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	x.open("ead", "xmlns", Namespace)
	e.control(x, root, in)
	if err := e.unit(x, seen, root, true); err != nil {
		return err
	}
	x.close("ead")
	if x.err != nil {
		return x.err
	}
	return x.w.Flush()
}

// standard levels EAD names itself; any other is otherlevel.
var eadLevels = []string{"class", "collection", "file", "fonds", "item", "recordgrp", "series", "subfonds", "subgrp", "subseries"}

func levelAttrs(l repository.Level) []string {
	if slices.Contains(eadLevels, string(l)) {
		return []string{"level", string(l)}
	}
	return []string{"level", "otherlevel", "otherlevel", string(l)}
}

func (e *Export) unit(x *writer, seen access.TreeView, n *repository.Node, top bool) error {
	name := "c"
	if top {
		name = "archdesc"
	}
	x.open(name, append(append(levelAttrs(n.Level), "id", IDPrefix+n.ID), e.audience(n)...)...)
	d := n.Description
	if d == nil {
		d = &repository.Description{}
	}
	if !e.include {
		d = publicView(d)
	}
	k := keptOf(d)
	x.open("did")
	k.write(x, "head")
	if !k.write(x, "unitid") && d.ReferenceCode != "" {
		x.elem("unitid", d.ReferenceCode)
	}
	if n.ARK != "" && !holds(d.Kept, "unitid", n.ARK) { // the identifier to cite
		x.elem("unitid", n.ARK, "localtype", "ark", "identifier", n.ARK)
	}
	// A unit its finding aid gave no title is shown by one the import
	// made (untitled), which is not written back while it says something
	// else in the did.
	made := len(d.Kept) > 0 && maps.Equal(n.Title, untitled(d)) && (len(d.Dates) > 0 || len(d.Containers) > 0 || d.ReferenceCode != "")
	if !k.write(x, "unittitle") && !made {
		x.texts("unittitle", n.Title)
	}
	writeDates(x, d)
	if d.Date != "" && !keptDate(d) {
		if p, err := edtf.Parse(d.Date); err == nil {
			x.elem("unitdate", p.Format("en"), "calendar", "gregorian", "era", "ce", "normal", d.Date)
			x.elem("unitdate", p.Format("th"), "calendar", "buddhist", "era", "be", "lang", "tha")
		}
	} else if d.DateText != "" && len(d.Dates) == 0 {
		x.elem("unitdate", d.DateText) // as written: no date to normalize
	}
	if !k.write(x, "physdesc", "physdescstructured", "physdescset") {
		x.texts("physdesc", d.Extent)
	}
	x.containers(e.containersFor(n.Institution, d.Containers))
	if !e.originationPoints(x, d) {
		for _, l := range langs(d.Creator) {
			x.open("origination", langAttrs(l)...)
			x.open("name")
			x.elem("part", d.Creator[l])
			x.close("name")
			x.close("origination")
		}
	}
	if !k.write(x, "langmaterial") && len(d.Language) > 0 {
		x.open("langmaterial")
		for _, l := range d.Language {
			code, _ := code3(l)
			x.empty("language", "langcode", code)
		}
		x.close("langmaterial")
	}
	if !k.write(x, "abstract") {
		x.texts("abstract", n.Summary)
	}
	listed, hidden, err := e.unitItems(n, d)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	k.swap = e.itemDaos(listed, hidden, done)
	k.write(x, didRest...)
	writeAsides(x, d, true)
	for _, it := range listed {
		if !done[it.Item.ID] {
			e.itemDao(x, it.Item)
		}
	}
	x.close("did")
	k.blocks(x, "bioghist", d.History)
	k.blocks(x, "scopecontent", d.Scope)
	k.blocks(x, "arrangement", d.Arrangement)
	k.blocks(x, "accessrestrict", d.Access)
	if lvl := n.Access.Level; lvl != "" && lvl != repository.Public {
		x.blocks("accessrestrict", "access-level", repository.Text{"none": lvl})
	}
	if n.Access.Embargo != "" {
		x.blocks("accessrestrict", "embargo", repository.Text{"none": n.Access.Embargo})
	}
	k.blocks(x, "userestrict", d.Reproduction)
	k.blocks(x, "otherfindaid", d.FindingAids)
	k.blocks(x, "odd", d.Notes)
	e.controlaccessPoints(x, d)
	k.rest(x)
	writeAsides(x, d, false)
	if kids := e.children(seen, n); len(kids) > 0 {
		if top {
			x.open("dsc")
		}
		for _, c := range kids {
			if err := e.unit(x, seen, c, false); err != nil {
				return err
			}
		}
		if top {
			x.close("dsc")
		}
	}
	x.close(name)
	return x.err
}

// langs lists a text's languages, Thai first, then English, then others.
func langs(t repository.Text) []string {
	var out []string
	for _, l := range []string{"th", "en"} {
		if strings.TrimSpace(t[l]) != "" {
			out = append(out, l)
		}
	}
	var rest []string
	for l, v := range t {
		if l != "th" && l != "en" && strings.TrimSpace(v) != "" {
			rest = append(rest, l)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// writer writes indented XML; the first error sticks.
type writer struct {
	w     *bufio.Writer
	depth int
	err   error
	ids   map[string]bool // the ids written, each once (attr)
}

func (x *writer) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

func (x *writer) start(name string, attrs []string, end string) {
	x.raw(strings.Repeat(" ", x.depth) + "<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		x.attr(attrs[i], attrs[i+1])
	}
	x.raw(end)
}

// attr writes one attribute. An id already written in the document is
// left out: XML allows each once, and real finding aids repeat some.
func (x *writer) attr(name, value string) {
	if name == "id" {
		if x.ids[value] {
			return
		}
		if x.ids == nil {
			x.ids = map[string]bool{}
		}
		x.ids[value] = true
	}
	x.raw(" " + name + `="` + escape(value) + `"`)
}

func (x *writer) open(name string, attrs ...string) {
	x.start(name, attrs, ">\n")
	x.depth++
}

func (x *writer) close(name string) {
	x.depth--
	x.raw(strings.Repeat(" ", x.depth) + "</" + name + ">\n")
}

func (x *writer) empty(name string, attrs ...string) { x.start(name, attrs, "/>\n") }

func (x *writer) elem(name, text string, attrs ...string) {
	x.start(name, attrs, ">")
	x.raw(escape(text) + "</" + name + ">\n")
}

// texts writes one element per language of t.
func (x *writer) texts(name string, t repository.Text) {
	for _, l := range langs(t) {
		x.elem(name, strings.TrimSpace(t[l]), langAttrs(l)...)
	}
}

// blocks writes one element of paragraphs per language of t.
func (x *writer) blocks(name, localtype string, t repository.Text) {
	for _, l := range langs(t) {
		attrs := langAttrs(l)
		if localtype != "" {
			attrs = append(attrs, "localtype", localtype)
		}
		x.open(name, attrs...)
		for _, p := range paragraphs(t[l]) {
			x.elem("p", p)
		}
		x.close(name)
	}
}

// paragraphs splits a text at blank lines.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func escape(s string) string {
	var b strings.Builder
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		return ""
	}
	return b.String()
}

// invalidf is a document that cannot be read as a finding aid.
func invalidf(format string, a ...any) error {
	return fmt.Errorf(format+": %w", append(a, fault.Invalid)...)
}
