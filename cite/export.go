package cite

import (
	"fmt"
	"strings"

	"github.com/thaiarchives/archive/repository/edtf"
)

// risTypes are RIS's reference types for CSL's, as reference managers
// read them back (Zotero: manuscript, artwork, audio recording, film,
// map). Archival material of no other type, units included, is
// unpublished: a manuscript (Zotero reads RIS's generic GEN as a journal
// article).
var risTypes = map[string]string{
	"manuscript":     "MANSCPT",
	"collection":     "MANSCPT",
	"document":       "MANSCPT",
	"graphic":        "ART",
	"map":            "MAP",
	"song":           "SOUND",
	"motion_picture": "MPCT",
}

// RIS is the entry as an RIS record (https://en.wikipedia.org/wiki/RIS_(file_format)):
// lines of a tag, two spaces, a hyphen and a space, ending in CR LF, with
// the tags Zotero's RIS translator reads into its archive fields: the
// library's name as the archive (DB), the units and call number as the
// place in it (AN, Zotero's "Loc. in Archive"), the call number (CN),
// and the address to cite, the ARK's where there is one (UR).
func RIS(e Entry) []byte {
	var b strings.Builder
	put := func(tag, v string) {
		if v = oneLine(v); v != "" {
			fmt.Fprintf(&b, "%s  - %s\r\n", tag, v)
		}
	}
	ty := risTypes[e.Type]
	if ty == "" {
		ty = "GEN"
	}
	put("TY", ty)
	put("TI", e.Title)
	put("TT", e.OtherTitle)
	for _, a := range e.Author {
		put("AU", a.String())
	}
	if e.Issued != nil && len(e.Issued.Parts) > 0 {
		p := e.Issued.Parts[0]
		put("PY", fmt.Sprintf("%04d", p[0]))
		da := fmt.Sprintf("%04d/", p[0])
		if len(p) > 1 {
			da += fmt.Sprintf("%02d/", p[1])
		} else {
			da += "/"
		}
		if len(p) > 2 {
			da += fmt.Sprintf("%02d/", p[2])
		} else {
			da += "/"
		}
		put("DA", da)
	} else if e.Issued != nil {
		put("DA", e.Issued.Literal)
	}
	put("DB", e.Archive)
	put("AN", e.ArchiveLocation)
	put("CN", e.CallNumber)
	put("LA", e.Language)
	put("UR", e.URL)
	b.WriteString("ER  - \r\n")
	return []byte(b.String())
}

// oneLine keeps a value on its line: RIS has no way to continue one.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// BibTeX is the entry as a BibTeX @misc, in UTF-8 (as biber and
// bibtexu read it), every TeX special of a text escaped, the title in
// braces so that styles keep its letters' case, names written whole kept
// whole, and the archive and its units as the note.
func BibTeX(e Entry) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "@misc{%s,\n", bibKey(e.ID))
	put := func(field, v string) {
		if v != "" {
			fmt.Fprintf(&b, "  %s = {%s},\n", field, v)
		}
	}
	put("title", "{"+texEscape(e.Title)+"}")
	var authors []string
	for _, a := range e.Author {
		if a.Literal != "" {
			authors = append(authors, "{"+texEscape(a.Literal)+"}")
		} else {
			authors = append(authors, texEscape(a.String()))
		}
	}
	put("author", strings.Join(authors, " and "))
	if e.Issued != nil && len(e.Issued.Parts) > 0 {
		p := e.Issued.Parts[0]
		put("year", fmt.Sprintf("%04d", p[0]))
		var date []string
		for _, q := range e.Issued.Parts {
			date = append(date, isoDate(q))
		}
		put("date", strings.Join(date, "/"))
	} else if e.Issued != nil {
		put("year", texEscape(e.Issued.Literal))
	}
	var note []string
	for _, s := range []string{e.ArchiveLocation, e.Archive} {
		if s != "" {
			note = append(note, texEscape(s))
		}
	}
	put("note", strings.Join(note, ". "))
	put("language", texEscape(e.Language))
	put("url", urlEscape(e.URL))
	put("ark", texEscape(e.ARK))
	b.WriteString("}\n")
	return []byte(b.String())
}

func isoDate(p []int) string {
	s := fmt.Sprintf("%04d", p[0])
	for _, n := range p[1:] {
		s += fmt.Sprintf("-%02d", n)
	}
	return s
}

// bibKey is the entry's key: the record's identifier, of letters, digits
// and hyphens, anything else left out.
func bibKey(id string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, id)
}

// texSpecials are the characters TeX reads as commands, and what prints
// each as itself.
var texSpecials = strings.NewReplacer(
	`\`, `\textbackslash{}`, `{`, `\{`, `}`, `\}`, `$`, `\$`, `&`, `\&`, `%`, `\%`,
	`#`, `\#`, `_`, `\_`, `~`, `\textasciitilde{}`, `^`, `\textasciicircum{}`,
)

func texEscape(s string) string { return texSpecials.Replace(oneLine(s)) }

// urlEscape keeps a URL as the url field wants it (read verbatim by
// biblatex and hyperref) but for what would end the field early: braces
// and spaces, percent-encoded.
func urlEscape(s string) string {
	return strings.NewReplacer("{", "%7B", "}", "%7D", " ", "%20").Replace(s)
}

// Plain is the citation as one line of text for readers of lang, which a
// page shows until its script renders the style chosen, and to readers
// without scripts: the authors, the title, the date (in the Buddhist Era
// in Thai), the units and the library, and the address to cite.
func (s *Source) Plain(lang, base string) string {
	e := s.CSL(lang, base)
	var parts []string
	var authors []string
	for _, a := range e.Author {
		authors = append(authors, a.String())
	}
	if len(authors) > 0 {
		parts = append(parts, strings.Join(authors, "; "))
	}
	parts = append(parts, e.Title)
	if d, err := edtf.Parse(s.Date); err == nil {
		parts = append(parts, d.Format(lang))
	}
	for _, v := range []string{e.ArchiveLocation, e.Archive} {
		if v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ". ") + ". " + e.URL
}
