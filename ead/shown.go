package ead

import (
	"net/url"

	"github.com/thaiarchives/archive/repository"
)

// Unshown are the kept elements of a description that none of the unit's
// fields shows, in order: the finding aid's notes the archive does not
// model (acquisition, custodial history, related material…), identifiers
// after the first, the repository, physical location, and digital objects
// kept as links elsewhere; pages show them as written. Internal elements
// are never among the kept ones.
func Unshown(d *repository.Description) []repository.Markup {
	if d == nil {
		return nil
	}
	projected := map[string]bool{"head": true}
	for _, p := range projections {
		for _, e := range p.elements {
			projected[e] = true
		}
	}
	var out []repository.Markup
	first := true
	for _, m := range d.Kept {
		if m.Name == "unitid" && m.Attr("localtype") != "ark" && first {
			first = false
			continue
		}
		if !projected[m.Name] {
			out = append(out, m)
		}
	}
	return out
}

// Elsewhere is the address a kept digital object links to, when it is a
// web address a page may lead to (http or https), with its title.
func Elsewhere(m repository.Markup) (href, title string, ok bool) {
	href = m.Attr("href")
	u, err := url.Parse(href)
	if m.Name != "dao" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", false
	}
	title = m.Attr("linktitle")
	if title == "" {
		title = m.String()
	}
	if title == "" {
		title = href
	}
	return href, title, true
}
