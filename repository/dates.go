package repository

import "strings"

// UnitDate is one date of a unit as its finding aid wrote it (EAD 2002
// <unitdate>, EAD3 <unitdate> or <unitdatestructured>): the words to show,
// the normal form the finding aid gave, its attributes, and the EDTF the
// archive read from it (empty when it could not read one).
type UnitDate struct {
	// Structured: an EAD3 <unitdatestructured>, of Points (single dates
	// and ranges); else a <unitdate> of Text and Normal.
	Structured bool   `json:"structured,omitempty"`
	Text       string `json:"text,omitempty"`   // the expression as written
	Normal     string `json:"normal,omitempty"` // EAD 2002 and EAD3 normal, as given
	// Type is inclusive, bulk or another word of the source (EAD 2002
	// type, EAD3 unitdatetype); "" when it says none.
	Type      string `json:"type,omitempty"`
	Era       string `json:"era,omitempty"`
	Calendar  string `json:"calendar,omitempty"`
	Certainty string `json:"certainty,omitempty"`
	// Ranges are a structured date's dates (a <dateset> holds several).
	Ranges []DateRange `json:"ranges,omitempty"`
	// Set: the ranges were a <dateset>.
	Set bool `json:"set,omitempty"`
	// Attrs are the element's other attributes (id, label, altrender,
	// localtype, lang…), kept to be written back.
	Attrs map[string]string `json:"attrs,omitempty"`
	// EDTF is the date the archive read, for search and sorting.
	EDTF string `json:"edtf,omitempty"`
}

// DateRange is a structured date: one <datesingle>, or a <daterange> of a
// <fromdate> and a <todate> (either may be absent).
type DateRange struct {
	Single *DatePoint `json:"single,omitempty"`
	From   *DatePoint `json:"from,omitempty"`
	To     *DatePoint `json:"to,omitempty"`
}

// DatePoint is an EAD3 <datesingle>, <fromdate> or <todate>.
type DatePoint struct {
	Text      string            `json:"text,omitempty"`
	Standard  string            `json:"standard,omitempty"` // standarddate
	NotBefore string            `json:"notBefore,omitempty"`
	NotAfter  string            `json:"notAfter,omitempty"`
	Attrs     map[string]string `json:"attrs,omitempty"`
}

// Bulk reports whether the date is of the bulk of the material: its type
// says so, or, when it has none, its words begin with "bulk".
func (d UnitDate) Bulk() bool {
	return strings.EqualFold(d.Type, "bulk") || d.Type == "" && strings.HasPrefix(strings.ToLower(strings.TrimSpace(d.Text)), "bulk")
}

// Expression is the date as written, for display: the text, else a
// structured date's altrender (the words its source shows for it)
// or its words (or standard forms) end to end, else the normal form.
func (d UnitDate) Expression() string {
	for _, s := range []string{d.Text, d.Attrs["altrender"]} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	var parts []string
	for _, r := range d.Ranges {
		switch {
		case r.Single != nil:
			parts = append(parts, r.Single.words())
		default:
			var from, to string
			if r.From != nil {
				from = r.From.words()
			}
			if r.To != nil {
				to = r.To.words()
			}
			parts = append(parts, strings.TrimSpace(from+" – "+to))
		}
	}
	if s := strings.Join(parts, "; "); s != "" {
		return s
	}
	return d.Normal
}

func (p *DatePoint) words() string {
	for _, s := range []string{p.Text, p.Standard} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	if p.NotBefore != "" || p.NotAfter != "" {
		return strings.TrimSpace(p.NotBefore + ".." + p.NotAfter)
	}
	return ""
}
