package harvest

import (
	"slices"
	"strings"

	"github.com/thaiarchives/archive/repository"
)

// mapMARC reads a MARC 21 record in MARCXML (https://www.loc.gov/standards/marcxml/)
// into e: 245 $a $b the title (246 a further one), 100/110/700/710 $a the creators, 264/260
// $c or else 008/07-10 the date, 600/610/611/650/651 $a the subjects, 520 $a the
// summary, 041 $a or else 008/35-37 the languages, 024 and 856 $u the
// identifiers, link and thumbnail, and the leader's type of record.
// An 880 is read as the field its $6 names. Each value goes into the
// language map by its script.
func mapMARC(e *repository.Entry, root *node) {
	var dates, fixed, coded, languages []string
	e.Type = marcType(root.first("leader"))
	for _, f := range root.Nodes {
		tag := f.attr("tag")
		switch f.XMLName.Local {
		case "controlfield":
			if v := f.Text; tag == "008" && len(v) >= 38 {
				if y := v[7:11]; strings.Trim(y, "0123456789") == "" {
					fixed = append(fixed, y)
				}
				languages = append(languages, v[35:38])
			}
			continue
		case "datafield":
			if tag == "880" {
				// Another script's form of the field $6 links to (a Thai
				// title beside its romanised 245): read as that field.
				if link := subfields(f, "6"); len(link) >= 3 {
					tag = link[:3]
				}
			}
		default:
			continue
		}
		switch tag {
		case "245":
			title := trimISBD(subfields(f, "a"))
			if b := trimISBD(subfields(f, "b")); b != "" {
				title += " : " + b
			}
			if title != "" {
				e.Title = add(e.Title, language("", title), title, " ; ")
			}
		case "246":
			if v := trimISBD(subfields(f, "a")); v != "" {
				if b := trimISBD(subfields(f, "b")); b != "" {
					v += " : " + b
				}
				e.Title = add(e.Title, language("", v), v, " ; ")
			}
		case "100", "110", "700", "710":
			if v := trimISBD(subfields(f, "a")); v != "" && !slices.Contains(e.Creators, v) {
				e.Creators = append(e.Creators, v)
			}
		case "260", "264":
			if tag == "264" && f.attr("ind2") != "1" && f.attr("ind2") != "" {
				continue // not the publication: production, distribution, copyright
			}
			for _, c := range subfieldValues(f, "c") {
				dates = append(dates, marcDate(c))
			}
		case "600", "610", "611", "650", "651":
			// A body's subordinate unit ($b) is part of its name.
			if v := trimISBD(strings.Join(append(subfieldValues(f, "a"), subfieldValues(f, "b")...), " ")); v != "" {
				e.Subjects = append(e.Subjects, repository.Text{language("", v): v})
			}
		case "520":
			if v := subfields(f, "a"); v != "" {
				e.Summary = add(e.Summary, language("", v), v, "\n\n")
			}
		case "041":
			for _, v := range subfieldValues(f, "a") {
				// Older records run the codes together ("thaeng").
				if len(v) <= 3 || len(v)%3 != 0 {
					coded = append(coded, v)
					continue
				}
				for i := 0; i+3 <= len(v); i += 3 {
					coded = append(coded, v[i:i+3])
				}
			}
		case "024":
			if v := marcStandard(f); v != "" {
				identify(e, "identifier", v)
			}
		case "856":
			marcLink(e, f)
		}
	}
	for _, l := range append(coded, languages...) {
		if c := languageCode(l); c != "" && !slices.Contains(e.Language, c) {
			e.Language = append(e.Language, c)
		}
	}
	if e.Date = pickDate(dates); e.Date == "" {
		e.Date = pickDate(fixed)
	}
}

// subfields is the values of a field's subfields of code, joined.
func subfields(f *node, code string) string {
	return strings.Join(subfieldValues(f, code), " ")
}

func subfieldValues(f *node, code string) []string {
	var out []string
	for _, s := range f.children("subfield") {
		if v := s.value(); v != "" && s.attr("code") == code {
			out = append(out, v)
		}
	}
	return out
}

// trimISBD takes off the punctuation that ends a subfield before the
// next one (" /", " :", ",", a final ".").
func trimISBD(v string) string {
	return strings.TrimSpace(strings.TrimRight(strings.TrimSpace(v), " /:;,=."))
}

// marcDate is a 260/264 $c as a date reads: without brackets, a
// copyright sign or a final full stop ("[2550]", "c2007.", "พ.ศ. 2545.").
func marcDate(v string) string {
	v = strings.NewReplacer("[", "", "]", "", "?", "", "©", "").Replace(v)
	v = strings.TrimSuffix(strings.TrimSpace(v), ".")
	if len(v) > 1 && (v[0] == 'c' || v[0] == 'p') && v[1] >= '0' && v[1] <= '9' {
		v = v[1:]
	}
	return strings.TrimSpace(v)
}

// marcType is the DCMI type of a record's leader/06.
func marcType(leader string) string {
	if len(leader) < 7 {
		return ""
	}
	switch leader[6] {
	case 'a', 't':
		return "Text"
	case 'e', 'f', 'k':
		return "Image"
	case 'i', 'j':
		return "Sound"
	case 'g':
		return "MovingImage"
	}
	return ""
}

// marcStandard is a 024's identifier: a handle or DOI by its source ($2),
// written as resolvable reads it.
func marcStandard(f *node) string {
	v := subfields(f, "a")
	if v == "" || strings.Contains(v, "://") {
		return v
	}
	switch strings.ToLower(subfields(f, "2")) {
	case "hdl", "handle":
		return "hdl:" + v
	case "doi":
		return "doi:" + v
	}
	return v
}

// marcLink keeps an 856's $u: the thumbnail when its $3, $y or $z says
// so (or it is an image), else the link when there is no handle or DOI.
func marcLink(e *repository.Entry, f *node) {
	label := strings.ToLower(subfields(f, "3") + " " + subfields(f, "y") + " " + subfields(f, "z"))
	for _, u := range subfieldValues(f, "u") {
		link, _ := resolvable(u)
		if link == "" {
			continue
		}
		if strings.Contains(label, "thumbnail") || strings.Contains(label, "preview") || strings.Contains(label, "cover") || strings.Contains(label, "ภาพปก") {
			if e.Thumbnail == "" {
				e.Thumbnail = link
			}
			continue
		}
		identify(e, "identifier", u)
	}
}
