package ead

import (
	"slices"
	"strings"

	"github.com/thaiarchives/archive/repository"
)

// xlinkNS is the XLink namespace EAD 2002 links use.
const xlinkNS = "http://www.w3.org/1999/xlink"

// renamed are EAD 2002 elements that EAD3 has under another name (the
// Tag Library's crosswalk; the migration stylesheet in SAA-SDT/EAD3).
var renamed = map[string]string{
	"extref": "ref", "extrefloc": "ref", "refloc": "ref", "extptr": "ptr", "extptrloc": "ptr", "ptrloc": "ptr",
	"daoloc": "dao", "daodesc": "descriptivenote", "eventgrp": "chronitemset",
}

// unwrapped are wrappers EAD3 does not have: their content is kept in
// their place.
var unwrapped = map[string]bool{"linkgrp": true, "ptrgrp": true, "tgroup": false}

// gone are EAD 2002 elements with no place in EAD3: reported, not kept.
var gone = map[string]bool{"arc": true, "resource": true, "runner": true, "frontmatter": true, "titlepage": true, "div": true,
	"objectxmlwrap": true} // (XML of another namespace, which kept elements do not hold)

// spoken are the elements whose words the unit's fields read (put), so
// whose language the export says.
var spoken = map[string]bool{"unittitle": true, "abstract": true, "physdesc": true, "bioghist": true, "scopecontent": true,
	"arrangement": true, "accessrestrict": true, "userestrict": true, "otherfindaid": true, "odd": true}

// names are the access terms EAD3 writes with <part>.
var names = map[string]bool{
	"persname": true, "corpname": true, "famname": true, "geogname": true, "name": true, "subject": true,
	"genreform": true, "function": true, "occupation": true, "title": true,
}

// convert keeps n in EAD3's form: one element, or its content when EAD3
// has no such wrapper, or nothing (noted) when EAD3 has no place for it.
// in is the element's parent (its EAD3 name).
func (k *keeper) convert(n *node, in string) []repository.Markup {
	if internal(n) {
		return nil // kept apart, for the library's staff (aside)
	}
	name := n.name
	if r, ok := renamed[name]; ok {
		name = r
	}
	switch {
	case gone[name]:
		k.lose("not_kept", n, in+"/"+n.name)
		return nil
	case unwrapped[name]:
		return k.content(n, in)
	case name == "note" && in != "did":
		name = "footnote"
	case name == "daogrp":
		return k.daoset(n)
	case name == "unitdate" && in == "unittitle", in == "physdesc" && (name == "extent" || name == "dimensions" || name == "physfacet" || name == "genreform"),
		ead3Attrs[name] == "" && name != "lb":
		// EAD3 has no such element, or none here: the words stay in place.
		k.lose("unwrapped", n, in+"/"+n.name)
		return k.content(n, in)
	}
	m := repository.Markup{Name: name, Attrs: k.attrs(n, name)}
	if spoken[name] && m.Attr("lang") == "" {
		// The language the text is in, said, as the fields read it
		// (textLang): the element's, the finding aid's, or its script's.
		// Latin letters alone say no language: left unsaid.
		l := langAttrs(textLang(n, n.all()))
		if len(l) > 3 && l[3] == "Latn" {
			l = nil
		}
		for i := 0; i+1 < len(l); i += 2 {
			if allowed(name, l[i]) {
				m.Attrs = append(m.Attrs, repository.Attr{Name: l[i], Value: l[i+1]})
			}
		}
	}
	m.Content = k.content(n, name)
	switch {
	case name == "dao":
		if m.Attr("daotype") == "" {
			m.Attrs = append([]repository.Attr{{Name: "daotype", Value: "unknown"}}, m.Attrs...)
		}
	case name == "didnote":
		m.Content = flatten(m.Content)
	case names[name] && !hasChild(m, "part"):
		m.Content = []repository.Markup{{Name: "part", Content: m.Content}}
	case name == "repository":
		m.Content = repository3(m.Content)
	case name == "langmaterial":
		m.Content = langmaterial(m.Content)
	case name == "chronitem":
		m.Content = k.chronitem(n, m.Content)
	case name == "p":
		return splitBlocks(m)
	}
	return []repository.Markup{m}
}

// splitBlocks splits a paragraph around the blocks EAD 2002 allows inside
// one and EAD3 only beside it (blockquote, chronlist, table): the words
// before and after stay paragraphs of their own, with its attributes.
func splitBlocks(p repository.Markup) []repository.Markup {
	var out []repository.Markup
	cur := repository.Markup{Name: "p", Attrs: p.Attrs}
	flush := func() {
		if hasText(cur.Content) || slices.ContainsFunc(cur.Content, func(c repository.Markup) bool { return c.Name != "" }) {
			out = append(out, cur)
		}
		cur = repository.Markup{Name: "p", Attrs: slices.Clone(p.Attrs)}
	}
	for _, c := range p.Content {
		switch c.Name {
		case "blockquote", "chronlist", "table":
			flush()
			out = append(out, c)
		default:
			cur.Content = append(cur.Content, c)
		}
	}
	if len(out) == 0 {
		return []repository.Markup{p}
	}
	flush()
	return out
}

// elementOnly are the elements that hold elements, not words: the spaces
// between their elements are layout, not kept.
var elementOnly = map[string]bool{
	"list": true, "chronlist": true, "chronitem": true, "chronitemset": true, "listhead": true, "defitem": true,
	"table": true, "tgroup": true, "thead": true, "tbody": true, "row": true, "daoset": true, "langmaterial": true,
	"languageset": true, "index": true, "indexentry": true, "blockquote": true, "footnote": true,
	"descriptivenote": true, "physdescstructured": true, "physdescset": true, "repository": true, "did": true,
	"unit": true, "address": true, "dao": true,
}

// content keeps n's text and elements in order, a text next to a text
// joined.
func (k *keeper) content(n *node, name string) []repository.Markup {
	var out []repository.Markup
	for _, o := range n.order {
		switch v := o.(type) {
		case string:
			if elementOnly[name] || keptInUnit[name] || names[name] {
				if strings.TrimSpace(v) == "" {
					continue
				}
			}
			out = appendText(out, repository.Markup{Text: v})
		case *node:
			out = appendText(out, k.within(name, v, k.convert(v, name))...)
		}
	}
	return out
}

// within keeps in element name the elements EAD3 allows there, and the
// words of the others in their place (noted with the line of v, the
// element they came from).
func (k *keeper) within(name string, v *node, ms []repository.Markup) []repository.Markup {
	var out []repository.Markup
	for _, m := range ms {
		if m.Name == "" || inside(name, m.Name) {
			out = appendText(out, m)
			continue
		}
		if m.Name == "dao" || m.Name == "daoset" {
			// EAD 2002 links an object from a note; EAD3 from <did>.
			k.lose("moved", v, name+"/"+m.Name)
			k.add(m)
			continue
		}
		k.lose("unwrapped", v, name+"/"+m.Name)
		out = appendText(out, k.within(name, v, m.Content)...)
	}
	return out
}

// appendText appends ms to out, a text after a text joined to it.
func appendText(out []repository.Markup, ms ...repository.Markup) []repository.Markup {
	for _, m := range ms {
		if m.Name == "" && len(out) > 0 && out[len(out)-1].Name == "" {
			out[len(out)-1].Text += m.Text
			continue
		}
		out = append(out, m)
	}
	return out
}

// attrs are n's attributes in EAD3's names: type is localtype (listtype
// on a list), XLink's become EAD3's own, the rest keep their names.
// Namespace declarations are the document's, not the element's.
func (k *keeper) attrs(n *node, name string) []repository.Attr {
	var out []repository.Attr
	for _, a := range n.attrs {
		local, v := a.Name.Local, a.Value
		switch {
		case a.Name.Space == "xmlns" || local == "xmlns" && a.Name.Space == "":
			continue
		case a.Name.Space == "http://www.w3.org/2001/XMLSchema-instance":
			continue
		case a.Name.Space == "http://www.w3.org/XML/1998/namespace" || a.Name.Space == "xml":
			if local != "lang" {
				k.lose("attr_not_kept", n, name+"@xml:"+local)
				continue
			}
		case a.Name.Space == xlinkNS || a.Name.Space == "xlink" || a.Name.Space == "":
		default:
			k.lose("attr_not_kept", n, name+"@"+a.Name.Space+":"+local)
			continue
		}
		switch local {
		case "type":
			if a.Name.Space == xlinkNS || a.Name.Space == "xlink" {
				continue // XLink's kind of link, which EAD3's elements say themselves
			}
			if name == "list" {
				out = append(out, listType(v)...)
				continue
			}
			local = "localtype"
		case "title":
			local = "linktitle"
		case "role":
			local = "linkrole"
			if names[name] {
				local = "relator"
			}
		case "actuate", "show":
			v = strings.ToLower(v)
		case "authfilenumber":
			local = "identifier"
		case "numeration":
			v = numeration(v)
		case "mark":
			if v = listMark(v); v == "" {
				k.lose("attr_not_kept", n, name+"@mark")
				continue
			}
		}
		if !allowed(name, local) {
			k.lose("attr_not_kept", n, name+"@"+local)
			continue
		}
		out = append(out, repository.Attr{Name: local, Value: v})
	}
	return out
}

// numeration is EAD3's name of an EAD 2002 list numeration.
func numeration(v string) string {
	switch v {
	case "arabic":
		return "decimal"
	case "upperalpha", "loweralpha", "upperroman", "lowerroman":
		return v[:5] + "-" + v[5:]
	}
	return v
}

// listMark is EAD3's word for a list's mark, which EAD 2002 wrote as the
// character; "" for one EAD3 has no word for.
func listMark(v string) string {
	switch strings.TrimSpace(v) {
	case "disc", "•", "*", "●":
		return "disc"
	case "circle", "◦", "○", "o":
		return "circle"
	case "square", "▪", "■", "□":
		return "square"
	case "none", "inherit":
		return v
	}
	return ""
}

// listType is EAD3's listtype for EAD 2002's list type.
func listType(t string) []repository.Attr {
	switch t {
	case "ordered":
		return []repository.Attr{{Name: "listtype", Value: "ordered"}}
	case "deflist":
		return []repository.Attr{{Name: "listtype", Value: "deflist"}}
	}
	return []repository.Attr{{Name: "listtype", Value: "unordered"}}
}

// daoset is EAD3's form of an EAD 2002 <daogrp>: its locations as <dao>s
// (one alone when there is only one), its description last.
func (k *keeper) daoset(n *node) []repository.Markup {
	var daos, desc []repository.Markup
	for _, c := range n.kids {
		switch c.name {
		case "daoloc", "dao":
			daos = append(daos, k.convert(c, "daoset")...)
		case "daodesc":
			desc = append(desc, k.convert(c, "daoset")...)
		default:
			k.lose("not_kept", c, "daogrp/"+c.name)
		}
	}
	if len(daos) == 1 {
		if len(desc) > 0 {
			daos[0].Content = desc
		}
		return daos
	}
	if len(daos) == 0 {
		return nil
	}
	return []repository.Markup{{Name: "daoset", Attrs: k.attrs(n, "daoset"), Content: append(daos, desc...)}}
}

func hasChild(m repository.Markup, name string) bool {
	for _, c := range m.Content {
		if c.Name == name {
			return true
		}
	}
	return false
}

func hasText(ms []repository.Markup) bool {
	for _, m := range ms {
		if m.Name == "" && strings.TrimSpace(m.Text) != "" {
			return true
		}
	}
	return false
}

// flatten takes the paragraphs out of a note that EAD3 writes as a
// phrase (the spaces between them were layout).
func flatten(ms []repository.Markup) []repository.Markup {
	if !slices.ContainsFunc(ms, func(m repository.Markup) bool { return m.Name == "p" }) {
		return ms
	}
	var out []repository.Markup
	for _, m := range ms {
		switch {
		case m.Name == "p":
			out = appendText(out, m.Content...)
		case m.Name == "" && strings.TrimSpace(m.Text) == "":
		default:
			out = appendText(out, m)
		}
	}
	return out
}

// langmaterial keeps EAD 2002's words around <language> as EAD3's
// descriptive note, with a <language> of the words when none is coded.
func langmaterial(ms []repository.Markup) []repository.Markup {
	var langs []repository.Markup
	var words []repository.Markup
	said := false // words beside the languages
	for _, m := range ms {
		switch m.Name {
		case "language", "languageset":
			langs = append(langs, m)
			words = appendText(words, repository.Markup{Text: m.String()})
		case "descriptivenote":
			return ms // already EAD3
		default:
			words = appendText(words, m)
			said = said || m.Name != "" || strings.TrimSpace(m.Text) != ""
		}
	}
	if !said && len(langs) > 0 {
		return langs
	}
	if len(langs) == 0 {
		return []repository.Markup{{Name: "language", Content: words}}
	}
	return append(langs, repository.Markup{Name: "descriptivenote", Content: []repository.Markup{{Name: "p", Content: words}}})
}

// chronitem writes EAD 2002's date of an event as EAD3's datesingle, its
// normal form as standarddate (a range has no place there: noted).
func (k *keeper) chronitem(n *node, ms []repository.Markup) []repository.Markup {
	for i, m := range ms {
		if m.Name != "date" {
			continue
		}
		m.Name = "datesingle"
		var attrs []repository.Attr
		for _, a := range m.Attrs {
			switch {
			case a.Name == "normal" && strings.Contains(a.Value, "/"):
				k.lose("attr_not_kept", n, "chronitem/date@normal="+a.Value)
				continue
			case a.Name == "normal":
				a.Name = "standarddate"
			}
			attrs = append(attrs, a)
		}
		m.Attrs = attrs
		ms[i] = m
	}
	if !slices.ContainsFunc(ms, func(m repository.Markup) bool {
		return m.Name == "datesingle" || m.Name == "daterange" || m.Name == "dateset"
	}) {
		// EAD3 requires the date an event is at, as EAD 2002 did: an
		// empty one is written, and said.
		k.lose("chronitem_undated", n, "chronitem")
		ms = append([]repository.Markup{{Name: "datesingle"}}, ms...)
	}
	return ms
}

// repository3 is EAD3's order for a repository: its names (the words
// EAD 2002 wrote beside them as a corporate name's), then its address.
func repository3(ms []repository.Markup) []repository.Markup {
	var named, address, words []repository.Markup
	for _, m := range ms {
		switch m.Name {
		case "corpname", "famname", "name", "persname":
			named = append(named, m)
		case "address":
			if len(address) == 0 {
				address = append(address, m)
				continue
			}
			words = appendText(words, repository.Markup{Text: " " + m.String()})
		default:
			words = appendText(words, m)
		}
	}
	if hasText(words) {
		named = append(named, repository.Markup{Name: "corpname", Content: []repository.Markup{{Name: "part", Content: words}}})
	}
	if len(named) == 0 && len(address) > 0 && len(address[0].Content) > 0 {
		// EAD3 names a repository before its address: an address alone
		// names it by its first line (ArchivesSpace writes the name there).
		first := address[0].Content[0]
		named = append(named, repository.Markup{Name: "corpname", Content: []repository.Markup{{Name: "part", Content: first.Content}}})
	}
	return append(named, address...)
}
