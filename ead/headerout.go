package ead

import (
	"regexp"
	"slices"
	"time"

	"github.com/thaiarchives/archive/repository"
)

// headerMarkup writes a kept element of the header: one that holds only
// elements with each on its own line.
func (x *writer) headerMarkup(m repository.Markup) {
	if !headerOnly[m.Name] || len(m.Content) == 0 {
		x.markup(m)
		return
	}
	attrs := make([]string, 0, 2*len(m.Attrs))
	for _, a := range m.Attrs {
		attrs = append(attrs, a.Name, a.Value)
	}
	x.open(m.Name, attrs...)
	for _, c := range m.Content {
		x.headerMarkup(c)
	}
	x.close(m.Name)
}

// writeHeader writes the kept parts of the header named, in their order,
// and reports whether there were any.
func (x *writer) writeHeader(h []repository.Markup, names ...string) bool {
	any := false
	for _, m := range h {
		if slices.Contains(names, m.Name) {
			x.headerMarkup(m)
			any = true
		}
	}
	return any
}

// singleDate is a date EAD 2002's normal takes.
var singleDate = regexp.MustCompile(`^\d{4}(-\d\d(-\d\d)?)?$`)

// control writes the finding aid's <control>: the archive's record id,
// the source's identifiers and file description (else the title), the
// archive's status and agency, the source's declarations and local
// controls, its events and then the archive's own, its sources.
func (e *Export) control(x *writer, root *repository.Node, in *repository.Institution) {
	var h []repository.Markup
	if root.Description != nil {
		h = root.Description.Header
	}
	x.open("control")
	x.elem("recordid", root.ID)
	x.writeHeader(h, "otherrecordid")
	if root.ARK != "" && !holds(h, "otherrecordid", root.ARK) {
		x.elem("otherrecordid", root.ARK, "localtype", "ark")
	}
	x.writeHeader(h, "representation")
	if !x.writeHeader(h, "filedesc") {
		x.open("filedesc")
		x.open("titlestmt")
		x.texts("titleproper", root.Title)
		x.close("titlestmt")
		x.close("filedesc")
	}
	x.empty("maintenancestatus", "value", "derived")
	x.writeHeader(h, "publicationstatus")
	x.open("maintenanceagency")
	x.elem("agencycode", in.ID)
	x.texts("agencyname", in.Name)
	x.close("maintenanceagency")
	x.writeHeader(h, "languagedeclaration", "conventiondeclaration", "rightsdeclaration", "localtypedeclaration", "localcontrol")
	x.open("maintenancehistory")
	x.writeHeader(h, "maintenanceevent")
	x.open("maintenanceevent")
	x.empty("eventtype", "value", "derived")
	x.elem("eventdatetime", e.Now.UTC().Format(time.RFC3339), "standarddatetime", e.Now.UTC().Format(time.RFC3339))
	x.empty("agenttype", "value", "machine")
	x.elem("agent", "archive")
	x.close("maintenanceevent")
	x.close("maintenancehistory")
	x.writeHeader(h, "sources")
	x.close("control")
}

// eadheader2002 is EAD 2002's <eadheader> for the export's <control>:
// the record's id as eadid, the file description, the created event,
// language and convention declarations as profiledesc, and the other
// events as revisiondesc's changes.
func eadheader2002(n *node) repository.Markup {
	text := func(s string) []repository.Markup { return []repository.Markup{{Text: s}} }
	h := repository.Markup{Name: "eadheader"}
	if id := n.child("recordid"); id != nil {
		h.Content = append(h.Content, repository.Markup{Name: "eadid", Content: text(id.all())})
	}
	if f := n.child("filedesc"); f != nil {
		if ns := f.child("notestmt"); ns != nil {
			for _, c := range ns.kids {
				if c.name == "controlnote" {
					c.name = "note"
				}
			}
		}
		h.Content = append(h.Content, to2002(f, "eadheader")...)
	}
	profile := repository.Markup{Name: "profiledesc"}
	changes := repository.Markup{Name: "revisiondesc"}
	var langs, rules []repository.Markup
	for _, c := range n.kids {
		switch c.name {
		case "languagedeclaration":
			for _, l := range c.kids {
				if l.name == "language" {
					m := repository.Markup{Name: "language", Attrs: attrs2002(l, "language"), Content: text(l.all())}
					if s := c.child("script"); s != nil && s.attr["scriptcode"] != "Zyyy" && patterns2002["scriptcode"].MatchString(s.attr["scriptcode"]) {
						m.Attrs = append(m.Attrs, repository.Attr{Name: "scriptcode", Value: s.attr["scriptcode"]})
					}
					langs = append(langs, m)
				}
			}
			if d := c.child("descriptivenote"); d != nil && len(langs) > 0 {
				langs = append(langs, repository.Markup{Text: " " + d.all()})
			}
		case "conventiondeclaration":
			rules = appendText(rules, repository.Markup{Text: c.all()})
		case "maintenancehistory":
			for _, e := range c.kids {
				date, words := event2002(e)
				if e.child("eventtype").attr["value"] == "created" && len(profile.Content) == 0 {
					profile.Content = append(profile.Content, repository.Markup{Name: "creation", Content: []repository.Markup{{Text: words + " "}, date}})
					continue
				}
				item := words
				changes.Content = append(changes.Content, repository.Markup{Name: "change", Content: []repository.Markup{date, {Name: "item", Content: text(item)}}})
			}
		}
	}
	if len(langs) > 0 {
		profile.Content = append(profile.Content, repository.Markup{Name: "langusage", Content: langs})
	}
	if len(rules) > 0 {
		profile.Content = append(profile.Content, repository.Markup{Name: "descrules", Content: rules})
	}
	if len(profile.Content) > 0 {
		h.Content = append(h.Content, profile)
	}
	if len(changes.Content) > 0 {
		h.Content = append(h.Content, changes)
	}
	return h
}

// event2002 is an EAD3 maintenance event's date, as EAD 2002's <date>,
// and its words: its description (or what its type says, else the type)
// and its agent in brackets, but for one the import did not know; a
// creation's words that the import read as its agent, alone.
func event2002(e *node) (repository.Markup, string) {
	when := firstKid(e)
	if w := e.child("eventdatetime"); w != nil {
		when = w
	}
	v := when.attr["standarddatetime"]
	date := repository.Markup{Name: "date", Content: []repository.Markup{{Text: cmpOr(when.all(), v)}}}
	if singleDate.MatchString(v) {
		date.Attrs = []repository.Attr{{Name: "normal", Value: v}}
	}
	typ := firstKid(e)
	if t := e.child("eventtype"); t != nil {
		typ = t
	}
	words, agent := cmpOr(childText(e, "eventdescription"), typ.all()), childText(e, "agent")
	if agent == "unknown" {
		agent = ""
	}
	switch {
	case words == "" && typ.attr["value"] == "created":
		return date, agent // EAD 2002's creation, which the import read as the agent's
	case words == "":
		words = typ.attr["value"]
	}
	if agent != "" {
		words += " (" + agent + ")"
	}
	return date, words
}

// holds reports whether kept markup has an element name saying text: an
// identifier the finding aid came with, not written twice.
func holds(kept []repository.Markup, name, text string) bool {
	return slices.ContainsFunc(kept, func(m repository.Markup) bool { return m.Name == name && m.String() == text })
}
