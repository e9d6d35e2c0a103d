package ead

import (
	"bufio"
	"bytes"
	"io"
	"regexp"
	"strings"

	"github.com/thaiarchives/archive/repository"
)

// Write2002 writes the finding aid as Write does, in EAD 2002 for
// partners whose tools read only that: the EAD3 document converted back
// (the inverse of what the import does to EAD 2002). What EAD 2002 has no
// place for is left out: the language of each text (lang), EAD3's
// relations, a digital object's type, the normal form of a date range
// (its official schema takes single dates only), and attributes its
// schema does not allow on an element; an element it does not have keeps
// its words in place.
func (e *Export) Write2002(w io.Writer) error {
	var b bytes.Buffer
	if err := e.Write(&b); err != nil {
		return err
	}
	root, err := parse(&b)
	if err != nil {
		return err
	}
	x := &writer{w: bufio.NewWriter(w)}
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	x.open("ead", "xmlns", Namespace2002, "xmlns:xlink", xlinkNS)
	for _, k := range root.kids {
		for _, m := range to2002(k, "ead") {
			x.markup2002(m)
		}
	}
	x.close("ead")
	if x.err != nil {
		return x.err
	}
	return x.w.Flush()
}

// renamed2002 are EAD3's elements under EAD 2002's names.
var renamed2002 = map[string]string{"didnote": "note", "footnote": "note", "chronitemset": "eventgrp", "descriptivenote": "daodesc", "daoset": "daogrp"}

// to2002 converts an element of our EAD3 export to EAD 2002.
func to2002(n *node, in string) []repository.Markup {
	name := n.name
	if r, ok := renamed2002[name]; ok {
		name = r
	}
	switch {
	case name == "control":
		return []repository.Markup{eadheader2002(n)}
	case name == "relations", name == "localtypedeclaration":
		return nil
	case names[name] && n.child("part") != nil:
		// EAD 2002 writes a name's words without parts.
		var words []string
		for _, p := range n.kids {
			if p.name == "part" {
				words = append(words, p.allKeepLines())
			}
		}
		n.kids, n.order = nil, []any{strings.Join(words, " -- ")}
	case name == "ref" && n.attr["href"] != "":
		name = "extref"
	case name == "ptr" && n.attr["href"] != "":
		name = "extptr"
	case name == "dao" && in == "daogrp":
		name = "daoloc"
	case name == "datesingle" || name == "daterange" || name == "dateset":
		return []repository.Markup{date2002(n)}
	case name == "unitdatestructured":
		d := date2002(firstKid(n))
		d.Name = "unitdate"
		return []repository.Markup{d}
	case name == "legalstatus" && in != "accessrestrict":
		// EAD 2002 has a legal status only inside conditions of access.
		m := repository.Markup{Name: "accessrestrict", Attrs: attrs2002(n, "accessrestrict")}
		var words []string
		for _, k := range n.kids {
			if k.name == "head" {
				m.Content = append(m.Content, to2002(k, "accessrestrict")...)
			} else {
				words = append(words, k.all())
			}
		}
		m.Content = append(m.Content, repository.Markup{Name: "legalstatus", Content: []repository.Markup{{Text: strings.Join(words, " ")}}})
		return []repository.Markup{m}
	case name == "physdescstructured":
		return []repository.Markup{{Name: "physdesc", Content: []repository.Markup{{Name: "extent", Content: []repository.Markup{{Text: strings.TrimSpace(childText(n, "quantity") + " " + childText(n, "unittype"))}}}}}}
	case ead2002Attrs[name] == "" && name != "lb":
		// EAD 2002 has no such element: its words stay in place.
		return content2002(n, in)
	}
	m := repository.Markup{Name: name, Attrs: attrs2002(n, name)}
	m.Content = content2002(n, name)
	switch {
	case name == "note" && in == "did", name == "note" && n.name == "didnote":
		m.Content = []repository.Markup{{Name: "p", Content: m.Content}}
	case name == "langmaterial":
		m.Content = unwrapNotes(m.Content)
	case name == "daogrp":
		// Its description comes first.
		var desc, locs []repository.Markup
		for _, c := range m.Content {
			if c.Name == "daodesc" {
				desc = append(desc, c)
			} else {
				locs = append(locs, c)
			}
		}
		m.Content = append(desc, locs...)
	}
	return []repository.Markup{m}
}

func firstKid(n *node) *node {
	if len(n.kids) == 0 {
		return &node{attr: map[string]string{}}
	}
	return n.kids[0]
}

func childText(n *node, name string) string {
	if k := n.child(name); k != nil {
		return k.all()
	}
	return ""
}

// unwrapNotes writes a descriptive note's paragraphs as words.
func unwrapNotes(ms []repository.Markup) []repository.Markup {
	var out []repository.Markup
	for _, m := range ms {
		if m.Name != "daodesc" {
			out = append(out, m)
			continue
		}
		for _, p := range m.Content {
			out = appendText(out, repository.Markup{Text: " "})
			out = append(out, p.Content...)
		}
	}
	return out
}

// date2002 is EAD 2002's <date> for EAD3's structured dates: the words
// as written (a range's ends joined), the standard form as normal when it
// is one date.
func date2002(n *node) repository.Markup {
	m := repository.Markup{Name: "date"}
	switch n.name {
	case "datesingle":
		m.Content = []repository.Markup{{Text: n.all()}}
		if sd := n.attr["standarddate"]; sd != "" && !strings.Contains(sd, "/") {
			m.Attrs = append(m.Attrs, repository.Attr{Name: "normal", Value: sd})
		}
	default:
		var ends []string
		var walk func(*node)
		walk = func(x *node) {
			for _, k := range x.kids {
				if k.name == "fromdate" || k.name == "todate" || k.name == "datesingle" {
					ends = append(ends, k.all())
				} else {
					walk(k)
				}
			}
		}
		walk(n)
		m.Content = []repository.Markup{{Text: strings.Join(ends, " – ")}}
	}
	return m
}

func content2002(n *node, name string) []repository.Markup {
	var out []repository.Markup
	for _, o := range n.order {
		switch v := o.(type) {
		case string:
			if strings.TrimSpace(v) == "" && len(n.kids) > 0 && !hasWords(n) {
				continue
			}
			out = appendText(out, repository.Markup{Text: v})
		case *node:
			out = appendText(out, to2002(v, name)...)
		}
	}
	return out
}

// hasWords reports whether an element has words of its own beside its
// elements (mixed content), whose spaces are words too.
func hasWords(n *node) bool {
	for _, o := range n.order {
		if s, ok := o.(string); ok && strings.TrimSpace(s) != "" {
			return true
		}
	}
	return false
}

// xlink2002 are EAD3's link attributes under XLink's names.
var xlink2002 = map[string]string{"href": "xlink:href", "linktitle": "xlink:title", "linkrole": "xlink:role", "arcrole": "xlink:arcrole",
	"show": "xlink:show", "actuate": "xlink:actuate"}

// attrs2002 are n's attributes as EAD 2002 names them, those its schema
// allows on the element.
func attrs2002(n *node, name string) []repository.Attr {
	var out []repository.Attr
	add := func(a, v string) {
		if allowed2002(name, a) {
			out = append(out, repository.Attr{Name: a, Value: v})
		}
	}
	switch name {
	case "dao", "extref", "extptr", "archref", "bibref", "title":
		if n.attr["href"] != "" {
			add("xlink:type", "simple")
		}
	case "daogrp":
		add("xlink:type", "extended")
	case "daoloc":
		add("xlink:type", "locator")
	}
	for _, a := range n.attrs {
		if a.Name.Space != "" || a.Name.Local == "xmlns" {
			continue
		}
		local, v := a.Name.Local, a.Value
		switch local {
		case "localtype", "unitdatetype":
			local = "type"
		case "listtype":
			local, v = "type", listType2002(v, n.attr["mark"])
		case "numeration":
			v = numeration2002(v)
		case "relator":
			local = "role"
		case "identifier":
			if names[name] || name == "title" {
				local = "authfilenumber"
			}
		case "standarddate":
			local = "normal"
		case "actuate":
			if camel, ok := map[string]string{"onload": "onLoad", "onrequest": "onRequest"}[v]; ok {
				v = camel
			}
		}
		if local == "normal" && strings.Contains(v, "/") {
			continue // the official schema takes single dates only
		}
		if x, ok := xlink2002[local]; ok {
			local = x
		}
		if p, ok := patterns2002[local]; ok && !p.MatchString(v) {
			continue // a code the official schema does not take
		}
		if v != "" {
			add(local, v)
		}
	}
	return out
}

// patterns2002 are the forms the official schema takes for codes.
var patterns2002 = map[string]*regexp.Regexp{
	"repositorycode": regexp.MustCompile(`^(([A-Z]{2})|([a-zA-Z]{1})|([a-zA-Z]{3,4}))(-[a-zA-Z0-9:/\-]{1,11})$`),
	"countrycode":    regexp.MustCompile(`^([A-Z]{2,3}|[0-9]{2,3})$`),
	"langcode":       regexp.MustCompile(`^[a-z]{2}.*$`),
	"scriptcode":     regexp.MustCompile(`^[A-Z][a-z]{3}$`),
}

func allowed2002(name, attr string) bool {
	for _, a := range strings.Fields(ead2002Attrs[name]) {
		if a == attr {
			return true
		}
	}
	return false
}

// listType2002 is EAD 2002's list type for EAD3's listtype.
func listType2002(t, mark string) string {
	switch t {
	case "ordered", "deflist":
		return t
	}
	if mark != "" && mark != "none" {
		return "marked"
	}
	return "simple"
}

// numeration2002 is EAD 2002's numeration for EAD3's ("" when it has
// none).
func numeration2002(v string) string {
	return map[string]string{"decimal": "arabic", "upper-alpha": "upperalpha", "upper-latin": "upperalpha", "lower-alpha": "loweralpha",
		"lower-latin": "loweralpha", "upper-roman": "upperroman", "lower-roman": "lowerroman"}[v]
}

// markup2002 writes an element as markup does, an element of elements
// one to a line.
func (x *writer) markup2002(m repository.Markup) {
	if len(m.Content) == 0 || slicesHasText(m.Content) {
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
		x.markup2002(c)
	}
	x.close(m.Name)
}

func slicesHasText(ms []repository.Markup) bool {
	for _, m := range ms {
		if m.Name == "" {
			return true
		}
	}
	return false
}
