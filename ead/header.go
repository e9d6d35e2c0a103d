package ead

import (
	"cmp"
	"slices"
	"strings"

	"github.com/thaiarchives/archive/repository"
)

// headerOrder is EAD3's order of the parts of <control> the import keeps
// (Description.Header): the export writes the archive's own recordid,
// maintenance status and agency, and its own event, among them.
var headerOrder = []string{"otherrecordid", "representation", "filedesc", "publicationstatus", "languagedeclaration",
	"conventiondeclaration", "rightsdeclaration", "localtypedeclaration", "localcontrol", "maintenanceevent", "sources"}

// headerOnly are the header's elements that hold elements, not words.
var headerOnly = map[string]bool{
	"filedesc": true, "titlestmt": true, "editionstmt": true, "publicationstmt": true, "seriesstmt": true, "notestmt": true,
	"controlnote": true, "languagedeclaration": true, "conventiondeclaration": true, "rightsdeclaration": true,
	"localtypedeclaration": true, "localcontrol": true, "maintenanceevent": true, "sources": true, "source": true,
	"address": true, "descriptivenote": true,
}

// readHeader keeps the finding aid's own header (EAD 2002's <eadheader>,
// EAD3's <control>) in EAD3's form, in headerOrder, as the EAD3
// migration does: eadid and a recordid become otherrecordids, langusage
// languagedeclarations, descrules a conventiondeclaration, creation and
// each change maintenance events, filedesc stays; the source's agency
// and status become localcontrols. A document the archive wrote (its
// recordid is its archdesc's id) gives back only what was the source's.
func (f *Finding) readHeader(root *node, u *Unit) []repository.Markup {
	k := &keeper{f: f, notes: &u.Notes}
	var out []repository.Markup
	for _, h := range root.kids {
		var kept []repository.Markup
		switch {
		case h.name != "eadheader" && h.name != "control":
		case internal(h):
			k.lose("header_internal", h, h.name)
		case h.name == "control":
			k.prune(h)
			kept = k.control(h, ours(root, h.child("recordid")))
		default:
			k.prune(h)
			kept = k.eadheader(h, ours(root, h.child("eadid")))
		}
		for _, m := range kept {
			k.count(m)
			out = append(out, k.tidy(m, h))
		}
	}
	slices.SortStableFunc(out, func(a, b repository.Markup) int {
		return cmp.Compare(slices.Index(headerOrder, a.Name), slices.Index(headerOrder, b.Name))
	})
	return out
}

// prune takes out of the header the parts for the library's staff alone
// (audience="internal"), each reported: the export is public.
func (k *keeper) prune(n *node) {
	kids, order := n.kids[:0:0], n.order[:0:0]
	for _, o := range n.order {
		if c, ok := o.(*node); ok {
			if internal(c) {
				k.lose("header_internal", c, c.name)
				continue
			}
			k.prune(c)
			kids = append(kids, c)
		}
		order = append(order, o)
	}
	n.kids, n.order = kids, order
}

// ours reports a header the archive's export wrote: its record's id is
// the one of the archdesc (IDPrefix and the root's id).
func ours(root, id *node) bool {
	arch := root.child("archdesc")
	return id != nil && arch != nil && strings.HasPrefix(arch.attr["id"], IDPrefix) && IDPrefix+id.all() == arch.attr["id"]
}

// control keeps EAD3's <control>.
func (k *keeper) control(h *node, ours bool) []repository.Markup {
	var out []repository.Markup
	for _, c := range h.kids {
		switch c.name {
		case "recordid":
			if !ours {
				out = append(out, k.otherRecordID(c, "recordid"))
			}
		case "maintenancestatus", "maintenanceagency":
			if !ours {
				out = append(out, k.localControl(c))
			}
		case "maintenancehistory":
			events := c.kids
			if ours && len(events) > 0 {
				events = events[:len(events)-1] // the archive's own, which the export writes anew
			}
			for _, e := range events {
				out = append(out, k.convert(e, "maintenancehistory")...)
			}
		default:
			out = append(out, k.convert(c, "control")...)
		}
	}
	return out
}

// otherRecordID keeps an identifier of the finding aid as an otherrecordid
// of the localtype it was (its own, else what it was).
func (k *keeper) otherRecordID(c *node, was string) repository.Markup {
	m := repository.Markup{Name: "otherrecordid", Attrs: k.attrs(c, "otherrecordid"), Content: []repository.Markup{{Text: c.all()}}}
	if m.Attr("localtype") == "" {
		m.Attrs = append([]repository.Attr{{Name: "localtype", Value: was}}, m.Attrs...)
	}
	return m
}

// localControl keeps the source's maintenance agency or status, whose
// places the archive's own take, as a localcontrol of that localtype: a
// term of the agency's names (its code as identifier) or of the status.
func (k *keeper) localControl(c *node) repository.Markup {
	term := repository.Markup{Name: "term"}
	if c.name == "maintenancestatus" {
		term.Content = []repository.Markup{{Text: c.attr["value"]}}
	} else {
		var words []string
		for _, a := range c.kids {
			switch a.name {
			case "agencycode":
				term.Attrs = []repository.Attr{{Name: "identifier", Value: a.all()}}
			case "agencyname":
				words = append(words, a.all())
			default:
				k.lose("not_kept", a, "maintenanceagency/"+a.name)
			}
		}
		term.Content = []repository.Markup{{Text: strings.Join(words, "; ")}}
	}
	return repository.Markup{Name: "localcontrol", Attrs: []repository.Attr{{Name: "localtype", Value: c.name}}, Content: []repository.Markup{term}}
}

// eadheader keeps EAD 2002's <eadheader> in EAD3's form.
func (k *keeper) eadheader(h *node, ours bool) []repository.Markup {
	var out []repository.Markup
	for _, a := range h.attrs {
		switch a.Name.Local {
		case "findaidstatus":
			out = append(out, repository.Markup{Name: "localcontrol", Attrs: []repository.Attr{{Name: "localtype", Value: "findaidstatus"}},
				Content: []repository.Markup{{Name: "term", Content: []repository.Markup{{Text: a.Value}}}}})
		case "id", "audience", "encodinganalog", "altrender":
		default:
			k.lose("attr_not_kept", h, "eadheader@"+a.Name.Local)
		}
	}
	for _, c := range h.kids {
		switch c.name {
		case "eadid":
			if !ours {
				out = append(out, k.eadid(c)...)
			}
		case "filedesc":
			notes(c)
			out = append(out, k.convert(c, "control")...)
		case "profiledesc":
			for _, p := range c.kids {
				switch p.name {
				case "creation":
					out = append(out, k.event(p, "created"))
				case "langusage":
					out = append(out, k.langusage(p)...)
				case "descrules":
					out = append(out, repository.Markup{Name: "conventiondeclaration",
						Content: []repository.Markup{{Name: "citation", Content: k.content(p, "citation")}}})
				default:
					k.lose("not_kept", p, "profiledesc/"+p.name)
				}
			}
		case "revisiondesc":
			changes := c.kids
			if ours && len(changes) > 0 {
				changes = changes[:len(changes)-1]
			}
			for _, ch := range changes {
				if ch.name != "change" {
					k.lose("not_kept", ch, "revisiondesc/"+ch.name)
					continue
				}
				out = append(out, k.event(ch, "revised"))
			}
		default:
			k.lose("not_kept", c, "eadheader/"+c.name)
		}
	}
	return out
}

// notes names a note of a note statement as EAD3 does (controlnote).
func notes(filedesc *node) {
	if ns := filedesc.child("notestmt"); ns != nil {
		for _, n := range ns.kids {
			if n.name == "note" {
				n.name = "controlnote"
			}
		}
	}
}

// eadid keeps EAD 2002's eadid: its words and its identifier and public
// id as otherrecordids, its address as a representation, its agency's
// code as a localcontrol.
func (k *keeper) eadid(c *node) []repository.Markup {
	text := func(s string) []repository.Markup { return []repository.Markup{{Text: s}} }
	id := repository.Markup{Name: "otherrecordid", Attrs: []repository.Attr{{Name: "localtype", Value: "eadid"}}, Content: text(c.all())}
	out := []repository.Markup{id}
	for _, a := range c.attrs {
		switch v := a.Value; a.Name.Local {
		case "encodinganalog":
			out[0].Attrs = append(out[0].Attrs, repository.Attr{Name: "encodinganalog", Value: v})
		case "identifier", "publicid":
			out = append(out, repository.Markup{Name: "otherrecordid", Attrs: []repository.Attr{{Name: "localtype", Value: a.Name.Local}}, Content: text(v)})
		case "url":
			out = append(out, repository.Markup{Name: "representation", Attrs: []repository.Attr{{Name: "href", Value: v}, {Name: "localtype", Value: "eadid"}}})
		case "mainagencycode":
			out = append(out, repository.Markup{Name: "localcontrol", Attrs: []repository.Attr{{Name: "localtype", Value: "maintenanceagency"}},
				Content: []repository.Markup{{Name: "term", Attrs: []repository.Attr{{Name: "identifier", Value: v}}, Content: text(v)}}})
		case "countrycode":
			out = append(out, repository.Markup{Name: "localcontrol", Attrs: []repository.Attr{{Name: "localtype", Value: "countrycode"}},
				Content: []repository.Markup{{Name: "term", Content: text(v)}}})
		default:
			k.lose("attr_not_kept", c, "eadid@"+a.Name.Local)
		}
	}
	return out
}

// event is a maintenance event of EAD 2002's creation or change: its
// date as eventdatetime (a normal form EAD3 takes, a day, month or year,
// as standarddatetime), a creation's other words as the agent, a
// change's items as its descriptions.
func (k *keeper) event(n *node, kind string) repository.Markup {
	when := repository.Markup{Name: "eventdatetime"}
	if d := n.child("date"); d != nil {
		when.Content = []repository.Markup{{Text: d.all()}}
		switch v := d.attr["normal"]; {
		case singleDate.MatchString(v):
			when.Attrs = []repository.Attr{{Name: "standarddatetime", Value: v}}
		case v != "":
			k.lose("attr_not_kept", d, n.name+"/date@normal="+v)
		}
	}
	agent := "unknown"
	if kind == "created" {
		agent = cmp.Or(strings.Join(strings.Fields(withoutDate(n)), " "), agent)
	}
	ev := repository.Markup{Name: "maintenanceevent", Content: []repository.Markup{
		{Name: "eventtype", Attrs: []repository.Attr{{Name: "value", Value: kind}}},
		when,
		{Name: "agenttype", Attrs: []repository.Attr{{Name: "value", Value: "unknown"}}},
		{Name: "agent", Content: []repository.Markup{{Text: agent}}},
	}}
	for _, c := range n.kids {
		switch {
		case c.name == "item" && kind == "revised":
			ev.Content = append(ev.Content, repository.Markup{Name: "eventdescription", Content: k.content(c, "eventdescription")})
		case c.name != "date" && kind == "created":
			k.lose("unwrapped", c, n.name+"/"+c.name) // its words are the agent's
		case c.name != "date":
			k.lose("not_kept", c, n.name+"/"+c.name)
		}
	}
	return ev
}

// withoutDate is the words of n but those of its dates.
func withoutDate(n *node) string {
	var b strings.Builder
	for _, o := range n.order {
		switch v := o.(type) {
		case string:
			b.WriteString(v)
		case *node:
			if v.name != "date" {
				b.WriteString(v.all())
			}
		}
	}
	return b.String()
}

// langScripts are the scripts of the languages finding aids declare most,
// for a languagedeclaration, which names one (Zyyy, undetermined, else).
var langScripts = map[string]string{"tha": "Thai", "eng": "Latn", "fre": "Latn", "fra": "Latn", "ger": "Latn", "deu": "Latn",
	"spa": "Latn", "ita": "Latn", "por": "Latn", "dut": "Latn", "lat": "Latn", "heb": "Hebr", "rus": "Cyrl", "ukr": "Cyrl",
	"chi": "Hani", "zho": "Hani", "jpn": "Jpan", "kor": "Kore", "ara": "Arab", "gre": "Grek"}

// langusage is a languagedeclaration for each language EAD 2002's
// langusage codes, the first with its words as a descriptive note.
func (k *keeper) langusage(n *node) []repository.Markup {
	var out []repository.Markup
	for _, l := range n.kids {
		if l.name != "language" {
			k.lose("not_kept", l, "langusage/"+l.name)
			continue
		}
		lang := repository.Markup{Name: "language", Content: []repository.Markup{{Text: l.all()}}}
		if c := l.attr["langcode"]; c != "" {
			lang.Attrs = []repository.Attr{{Name: "langcode", Value: c}}
		}
		script := cmp.Or(l.attr["scriptcode"], langScripts[l.attr["langcode"]], "Zyyy")
		out = append(out, repository.Markup{Name: "languagedeclaration", Content: []repository.Markup{lang,
			{Name: "script", Attrs: []repository.Attr{{Name: "scriptcode", Value: script}}}}})
	}
	if len(out) == 0 {
		// Its words alone are its descriptive note: a language of the
		// words would say more than the source did (ead.declared).
		out = append(out, repository.Markup{Name: "languagedeclaration", Content: []repository.Markup{
			{Name: "language"},
			{Name: "script", Attrs: []repository.Attr{{Name: "scriptcode", Value: "Zyyy"}}}}})
	}
	var named []string
	for _, l := range n.kids {
		named = append(named, l.all())
	}
	// Its words, when they say more than the languages' names.
	if words := strings.Join(strings.Fields(n.allKeepLines()), " "); words != "" && words != strings.Join(named, " ") {
		out[0].Content = append(out[0].Content, repository.Markup{Name: "descriptivenote",
			Content: []repository.Markup{{Name: "p", Content: []repository.Markup{{Text: words}}}}})
	}
	return out
}

// tidy drops the spaces between the elements of an element that holds
// only elements, which were layout; words there have no place in EAD3
// and are reported.
func (k *keeper) tidy(m repository.Markup, h *node) repository.Markup {
	if m.Name == "" {
		return m
	}
	var content []repository.Markup
	for _, c := range m.Content {
		if headerOnly[m.Name] && c.Name == "" {
			if s := strings.TrimSpace(c.Text); s != "" {
				k.lose("not_kept", h, m.Name+": "+s)
			}
			continue
		}
		content = append(content, k.tidy(c, h))
	}
	m.Content = content
	return m
}
