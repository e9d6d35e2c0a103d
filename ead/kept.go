package ead

import (
	"slices"
	"strings"

	"github.com/thaiarchives/archive/repository"
)

// projections name, for each field the archive models, the kept elements
// it is read from: when the field is written at the desk, they no longer
// say what it says.
var projections = []struct {
	elements []string
	field    func(c *repository.Collection, d *repository.Description) any
}{
	{[]string{"unittitle"}, func(c *repository.Collection, _ *repository.Description) any { return c.Title }},
	{[]string{"abstract"}, func(c *repository.Collection, _ *repository.Description) any { return c.Summary }},
	{[]string{"physdesc", "physdescstructured", "physdescset"}, func(_ *repository.Collection, d *repository.Description) any { return d.Extent }},
	{[]string{"langmaterial"}, func(_ *repository.Collection, d *repository.Description) any { return d.Language }},
	{[]string{"bioghist"}, func(_ *repository.Collection, d *repository.Description) any { return d.History }},
	{[]string{"scopecontent"}, func(_ *repository.Collection, d *repository.Description) any { return d.Scope }},
	{[]string{"arrangement"}, func(_ *repository.Collection, d *repository.Description) any { return d.Arrangement }},
	{[]string{"accessrestrict"}, func(_ *repository.Collection, d *repository.Description) any { return d.Access }},
	{[]string{"userestrict"}, func(_ *repository.Collection, d *repository.Description) any { return d.Reproduction }},
	{[]string{"otherfindaid"}, func(_ *repository.Collection, d *repository.Description) any { return d.FindingAids }},
	{[]string{"odd"}, func(_ *repository.Collection, d *repository.Description) any { return d.Notes }},
}

// Reconcile carries the elements kept from a finding aid onto an edit of
// a unit (edited, which may come without them) and lets the edit win: an
// element whose field the edit changed (title, summary, a description
// text, language) is dropped, so the field is written instead, and a
// changed reference code replaces the first unitid's words (its
// attributes stay). Every save of a unit calls it.
func Reconcile(stored, edited *repository.Collection) {
	if stored == nil || stored.Description == nil || len(stored.Description.Kept) == 0 {
		return
	}
	if edited.Description == nil {
		edited.Description = &repository.Description{}
	}
	was, now := stored.Description, edited.Description
	kept := now.Kept
	if kept == nil {
		kept = slices.Clone(was.Kept)
	}
	drop := map[string]bool{}
	for _, p := range projections {
		if !same(p.field(stored, was), p.field(edited, now)) {
			for _, e := range p.elements {
				drop[e] = true
			}
		}
	}
	out := kept[:0:0]
	first := true
	for _, m := range kept {
		if m.Name == "unitid" && m.Attr("localtype") != "ark" && first {
			first = false
			if strings.TrimSpace(now.ReferenceCode) != strings.TrimSpace(was.ReferenceCode) {
				if now.ReferenceCode == "" {
					continue
				}
				m.Content = []repository.Markup{{Text: now.ReferenceCode}}
			}
		}
		if !drop[m.Name] {
			out = append(out, m)
		}
	}
	now.Kept = out
}

// same reports whether two values of a field say the same, line endings
// and spaces aside (a form sends CRLF).
func same(a, b any) bool {
	switch x := a.(type) {
	case repository.Text:
		y := b.(repository.Text)
		// The words, whatever language they are said to be in: a form
		// that shows a text in no language said sends it back as English.
		norm := func(t repository.Text) []string {
			var out []string
			for _, v := range t {
				if v = strings.Join(strings.Fields(v), " "); v != "" {
					out = append(out, v)
				}
			}
			slices.Sort(out)
			return out
		}
		return slices.Equal(norm(x), norm(y))
	case []string:
		return slices.Equal(x, b.([]string))
	}
	return false
}

// keptOut writes a unit's kept elements, each once, in the places the
// export gives them.
type keptOut struct {
	kept    []repository.Markup
	written []bool
	// swap, when set, may write something else in an element's place
	// (and says so).
	swap func(x *writer, m repository.Markup) bool
}

func keptOf(d *repository.Description) *keptOut {
	return &keptOut{kept: d.Kept, written: make([]bool, len(d.Kept))}
}

// write writes the kept elements named, in their order, and reports
// whether there were any.
func (k *keptOut) write(x *writer, names ...string) bool {
	any := false
	for i, m := range k.kept {
		if !k.written[i] && slices.Contains(names, m.Name) {
			k.written[i] = true
			if k.swap == nil || !k.swap(x, m) {
				x.markup(m)
			}
			any = true
		}
	}
	return any
}

// rest writes the kept description elements not yet written, in order.
func (k *keptOut) rest(x *writer) {
	for i, m := range k.kept {
		if !k.written[i] && keptInUnit[m.Name] && m.Name != "dao" && m.Name != "daogrp" {
			k.written[i] = true
			x.markup(m)
		}
	}
}

// didRest are the kept elements of <did> with no field of their own.
var didRest = []string{"repository", "physloc", "materialspec", "didnote", "dao", "daoset"}

// markup writes a kept element as the export writes its own: an element
// of elements with each on its own line, one of words on one line, as it
// was kept.
func (x *writer) markup(m repository.Markup) {
	if !block(m) {
		x.raw(strings.Repeat(" ", x.depth))
		x.inline(m)
		x.raw("\n")
		return
	}
	attrs := make([]string, 0, 2*len(m.Attrs))
	for _, a := range m.Attrs {
		attrs = append(attrs, a.Name, a.Value)
	}
	x.open(m.Name, attrs...)
	for _, c := range m.Content {
		x.markup(c)
	}
	x.close(m.Name)
}

// block reports an element that holds elements only (the spaces between
// them are layout: the import does not keep them).
func block(m repository.Markup) bool {
	if len(m.Content) == 0 || !(elementOnly[m.Name] || keptInUnit[m.Name] || names[m.Name]) {
		return false
	}
	for _, c := range m.Content {
		if c.Name == "" {
			return false
		}
	}
	return true
}

func (x *writer) inline(m repository.Markup) {
	if m.Name == "" {
		x.raw(escape(m.Text))
		return
	}
	x.raw("<" + m.Name)
	for _, a := range m.Attrs {
		x.attr(a.Name, a.Value)
	}
	if len(m.Content) == 0 {
		x.raw("/>")
		return
	}
	x.raw(">")
	for _, c := range m.Content {
		x.inline(c)
	}
	x.raw("</" + m.Name + ">")
}

// blocks writes the kept elements named, else the field's text.
func (k *keptOut) blocks(x *writer, name string, t repository.Text) {
	if !k.write(x, name) {
		x.blocks(name, "", t)
	}
}

// retarget points the kept references to a unit of the finding aid
// (target="ref54", a component's id in the document) at the unit as the
// export names it (IDPrefix and the identifier it was made with), so a
// link inside the finding aid still leads there.
func retarget(cols []*repository.Collection, ids map[string]string) {
	var walk func(ms []repository.Markup)
	walk = func(ms []repository.Markup) {
		for i := range ms {
			for j, a := range ms[i].Attrs {
				if a.Name != "target" {
					continue
				}
				if id, ok := ids[strings.TrimPrefix(a.Value, IDPrefix)]; ok {
					ms[i].Attrs[j].Value = IDPrefix + id
				}
			}
			walk(ms[i].Content)
		}
	}
	for _, c := range cols {
		if c.Description != nil {
			walk(c.Description.Kept)
		}
	}
}
