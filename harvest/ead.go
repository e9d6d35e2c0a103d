package harvest

import (
	"slices"
	"strings"

	"github.com/thaiarchives/archive/repository"
)

// mapEAD reads an EAD 2002 or EAD3 finding aid's archdesc into e as one
// entry: unittitle, unitdate (its normal or structured
// form first), origination, abstract and scopecontent, controlaccess,
// the languages of the material, and the finding aid's own URL (eadid
// url, EAD3's representation) as the link, a dao's as a further one or
// the thumbnail.
func mapEAD(e *repository.Entry, root *node) {
	// No type: a fonds holds material of every kind, and the catalogue's
	// types (Text, Image, Sound, MovingImage) would say one.
	arch := child(root, "archdesc")
	did := child(arch, "did")
	var normal, texts []string
	for _, n := range did.Nodes {
		switch n.XMLName.Local {
		case "unittitle":
			if v := n.deepText(); v != "" {
				e.Title = add(e.Title, language(n.lang(), v), v, " ; ")
			}
		case "unitdate":
			if v := n.attr("normal"); v != "" {
				normal = append(normal, v)
			}
			texts = append(texts, n.deepText())
		case "unitdatestructured":
			normal = append(normal, eadStructuredDate(n))
		case "origination":
			for _, c := range n.Nodes {
				if v := eadName(c); v != "" && !slices.Contains(e.Creators, v) {
					e.Creators = append(e.Creators, v)
				}
			}
		case "abstract":
			if v := n.deepText(); v != "" {
				e.Summary = add(e.Summary, language(n.lang(), v), v, "\n\n")
			}
		case "langmaterial":
			for _, l := range descendants(n, "language") {
				if c := languageCode(l.attr("langcode")); c != "" && !slices.Contains(e.Language, c) {
					e.Language = append(e.Language, c)
				}
			}
		case "unitid":
			if v := n.deepText(); v != "" && n.attr("type") == "" {
				e.Identifiers = append(e.Identifiers, v)
			}
		}
	}
	for _, sc := range arch.children("scopecontent") {
		for _, p := range descendants(sc, "p") {
			if v := p.deepText(); v != "" {
				e.Summary = add(e.Summary, language(p.lang(), v), v, "\n\n")
			}
		}
	}
	// The collection's own access points, not its components'.
	var access []*node
	for _, ca := range arch.children("controlaccess") {
		access = append(append(access, ca), descendants(ca, "controlaccess")...)
	}
	for _, ca := range access {
		for _, c := range ca.Nodes {
			switch c.XMLName.Local {
			case "subject", "geogname", "persname", "corpname", "famname", "genreform", "function", "occupation":
				if v := eadName(c); v != "" {
					e.Subjects = append(e.Subjects, repository.Text{language(c.lang(), v): v})
				}
			}
		}
	}
	if e.Title == nil {
		for _, t := range descendants(root, "titleproper") {
			if v := t.deepText(); v != "" && t.attr("type") != "filing" {
				e.Title = add(e.Title, language(t.lang(), v), v, " ; ")
			}
		}
	}
	if e.Date = pickDate(normal); e.Date == "" {
		e.Date = pickDate(texts)
	}
	for _, id := range descendants(root, "eadid") {
		eadLink(e, id.attr("url"))
	}
	for _, r := range descendants(child(root, "control"), "representation") {
		eadLink(e, r.attr("href"))
	}
	for _, d := range descendants(did, "dao") {
		eadLink(e, d.attr("href"))
	}
}

// child is n's first child element named local, or an empty element.
func child(n *node, local string) *node {
	if c := n.children(local); len(c) > 0 {
		return c[0]
	}
	return &node{}
}

// descendants are the elements named local in n, at any depth, in order.
func descendants(n *node, local string) []*node {
	var out []*node
	for _, c := range n.Nodes {
		if c.XMLName.Local == local {
			out = append(out, c)
		}
		out = append(out, descendants(c, local)...)
	}
	return out
}

// eadName is a name or term as written; an EAD3 one of parts is
// "surname, forename" where its parts say which is which, else its parts
// in order.
func eadName(n *node) string {
	parts := n.children("part")
	if len(parts) == 0 {
		return n.deepText()
	}
	var sur, fore string
	var all []string
	for _, p := range parts {
		v := p.deepText()
		switch p.attr("localtype") {
		case "surname":
			sur = v
		case "forename":
			fore = v
		}
		all = append(all, v)
	}
	if sur != "" && fore != "" {
		return sur + ", " + fore
	}
	return strings.Join(all, " -- ")
}

// eadStructuredDate is an EAD3 unitdatestructured as EDTF: a range's
// standard dates (or texts) joined by a slash, or a single date.
func eadStructuredDate(n *node) string {
	date := func(d *node) string {
		if v := d.attr("standarddate"); v != "" {
			return v
		}
		return d.deepText()
	}
	if r := n.children("daterange"); len(r) > 0 {
		from, to := date(child(r[0], "fromdate")), date(child(r[0], "todate"))
		if from != "" && to != "" {
			return from + "/" + to
		}
		return from + to
	}
	for _, d := range descendants(n, "datesingle") {
		return date(d)
	}
	return ""
}

// eadLink keeps a URL the finding aid gives for itself or its objects.
func eadLink(e *repository.Entry, v string) {
	if link, _ := resolvable(strings.TrimSpace(v)); link != "" {
		identify(e, "identifier", strings.TrimSpace(v))
	}
}
