package harvest

import (
	"slices"
	"strings"

	"github.com/thaiarchives/archive/repository"
)

// mapMODS reads a MODS 3 record (https://www.loc.gov/standards/mods/)
// into e: its titles, names (authors first, each name kept whole as
// written), the key date, subjects, abstract, type, languages,
// identifiers and the URLs of the object in context and its preview.
func mapMODS(e *repository.Entry, root *node) {
	var authors, others []string
	var keyDates, issued, created []string
	for _, n := range root.Nodes {
		switch n.XMLName.Local {
		case "titleInfo":
			if t := modsTitle(n); t != "" {
				e.Title = add(e.Title, language(langOf(n, n.children("title")), t), t, " ; ")
			}
		case "name":
			if name := modsName(n); name != "" {
				if modsAuthor(n) {
					authors = append(authors, name)
				} else {
					others = append(others, name)
				}
			}
		case "originInfo":
			for _, d := range n.Nodes {
				v := d.value()
				switch {
				case v == "":
				case d.attr("keyDate") == "yes":
					keyDates = append(keyDates, v)
				case d.XMLName.Local == "dateIssued":
					issued = append(issued, v)
				case d.XMLName.Local == "dateCreated":
					created = append(created, v)
				}
			}
		case "subject":
			for _, s := range n.Nodes {
				v := s.value()
				if s.XMLName.Local == "name" {
					v = modsName(s)
				}
				if v != "" && (s.XMLName.Local == "topic" || s.XMLName.Local == "geographic" || s.XMLName.Local == "name" || s.XMLName.Local == "temporal") {
					e.Subjects = append(e.Subjects, repository.Text{language(langOf(n, []*node{s}), v): v})
				}
			}
		case "abstract":
			if v := n.value(); v != "" {
				e.Summary = add(e.Summary, language(n.lang(), v), v, "\n\n")
			}
		case "typeOfResource":
			if t := modsType(n.value()); t != "" && e.Type == "" {
				e.Type = t
			}
		case "genre":
			if t := dcmiType(n.value()); t != "" && e.Type == "" {
				e.Type = t
			}
		case "language":
			for _, t := range n.children("languageTerm") {
				if l := languageCode(t.value()); l != "" && !slices.Contains(e.Language, l) {
					e.Language = append(e.Language, l)
				}
			}
		case "identifier":
			if v := modsIdentifier(n); v != "" {
				identify(e, "identifier", v)
			}
		case "location":
			for _, u := range n.children("url") {
				modsURL(e, u)
			}
		}
	}
	e.Creators = append(authors, others...)
	for _, dates := range [][]string{keyDates, issued, created} {
		if e.Date == "" {
			e.Date = pickDate(dates)
		}
	}
}

// langOf is the language attribute of n, or of the first of its children
// that has one.
func langOf(n *node, children []*node) string {
	if l := n.lang(); l != "" {
		return l
	}
	for _, c := range children {
		if l := c.lang(); l != "" {
			return l
		}
	}
	return ""
}

// modsTitle is a titleInfo's title: its non-sorting words, title and
// subtitle ("The", "Siam", "a history": "The Siam : a history").
func modsTitle(n *node) string {
	title := n.first("title")
	if title == "" {
		return ""
	}
	if ns := n.first("nonSort"); ns != "" {
		title = ns + " " + title
	}
	if sub := n.first("subTitle"); sub != "" {
		title += " : " + sub
	}
	return title
}

// modsName is a name as written: its untyped parts in their order, or
// "family, given" where the parts say which is which; dates and terms of
// address are left out. A Thai name, written whole in one part, stays so.
func modsName(n *node) string {
	var plain, family, given []string
	for _, p := range n.children("namePart") {
		v := p.value()
		if v == "" {
			continue
		}
		switch p.attr("type") {
		case "":
			plain = append(plain, v)
		case "family":
			family = append(family, v)
		case "given":
			given = append(given, v)
		}
	}
	switch {
	case len(plain) > 0:
		return strings.Join(plain, " ")
	case len(family) > 0 && len(given) > 0:
		return strings.Join(family, " ") + ", " + strings.Join(given, " ")
	}
	return strings.Join(append(family, given...), " ")
}

// modsAuthor is whether a name's role says it made the work (a name
// without a role is taken as its maker, as DSpace writes authors).
func modsAuthor(n *node) bool {
	var terms []*node
	for _, r := range n.children("role") {
		terms = append(terms, r.children("roleTerm")...)
	}
	if len(terms) == 0 {
		return true
	}
	for _, t := range terms {
		switch strings.ToLower(strings.TrimSuffix(t.value(), ".")) {
		case "creator", "author", "aut", "cre", "ผู้แต่ง", "ผู้สร้างสรรค์":
			return true
		}
	}
	return false
}

// modsType is the DCMI type a typeOfResource names.
func modsType(v string) string {
	switch l := strings.ToLower(v); {
	case l == "text":
		return "Text"
	case l == "still image" || l == "cartographic":
		return "Image"
	case strings.HasPrefix(l, "sound recording"):
		return "Sound"
	case l == "moving image":
		return "MovingImage"
	}
	return dcmiType(v)
}

// modsIdentifier is an identifier's value, a handle or DOI written as
// one that resolvable reads ("hdl:", "doi:").
func modsIdentifier(n *node) string {
	v := n.value()
	if v == "" || strings.Contains(v, "://") {
		return v
	}
	switch strings.ToLower(n.attr("type")) {
	case "hdl", "handle":
		if !strings.HasPrefix(strings.ToLower(v), "hdl:") {
			return "hdl:" + v
		}
	case "doi":
		if !strings.HasPrefix(strings.ToLower(v), "doi:") {
			return "doi:" + v
		}
	}
	return v
}

// modsURL keeps a location's URL: the object in context (or a URL that
// says nothing of itself) as the link when there is no handle or DOI, a
// preview as the thumbnail.
func modsURL(e *repository.Entry, u *node) {
	v := u.value()
	link, _ := resolvable(v)
	if link == "" {
		return
	}
	switch u.attr("access") {
	case "preview":
		if e.Thumbnail == "" {
			e.Thumbnail = link
		}
	case "object in context", "":
		identify(e, "identifier", v)
	}
}
