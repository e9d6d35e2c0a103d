// Package cite makes the citation of an item or an archival unit: its
// CSL-JSON (the data of the Citation Style Language, which the styles'
// own CSL files render in the browser), and the RIS and BibTeX that
// reference managers import. It names the holding library, the units
// above the record that the reader may see, the call number and the
// address to cite (the ARK where there is one).
package cite

import (
	"strings"
	"unicode"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

// Source is what a citation is made of: a record, its library and the
// units above it that the reader may see.
type Source struct {
	// ID is the item's or the unit's identifier; Unit says which.
	ID   string
	Unit bool
	ARK  string
	// Type is an item's DCMI type (Text, Image, Sound, MovingImage…).
	Type     string
	Title    repository.Text
	Creator  repository.Text
	Date     string // EDTF, in the Common Era
	Language []string
	Library  repository.Text
	// Path is the units from the fonds down to the one the record is in
	// (for a unit, down to its parent).
	Path []*repository.Collection
	// Ref is the unit's own reference code, if any.
	Ref string
}

// Name is a CSL name: a person's family and given names, or a name
// written whole (Literal), never inverted: Thai names, bodies.
type Name struct {
	Family  string `json:"family,omitempty"`
	Given   string `json:"given,omitempty"`
	Literal string `json:"literal,omitempty"`
}

// String is the name as a reference list writes it first: family, given.
func (n Name) String() string {
	if n.Literal != "" {
		return n.Literal
	}
	if n.Given == "" {
		return n.Family
	}
	return n.Family + ", " + n.Given
}

// Date is a CSL date: one or two points of [year, month, day] (each as
// long as is known), or a literal where EDTF says more than CSL can.
type Date struct {
	Parts   [][]int `json:"date-parts,omitempty"`
	Circa   bool    `json:"circa,omitempty"`
	Literal string  `json:"literal,omitempty"`
}

// Entry is one CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html),
// as the CSL-JSON schema has it (cite/testdata/csl-data.json).
type Entry struct {
	ID              string `json:"id"`
	Type            string `json:"type"`
	Title           string `json:"title"`
	Author          []Name `json:"author,omitempty"`
	Issued          *Date  `json:"issued,omitempty"`
	Archive         string `json:"archive,omitempty"`
	ArchiveLocation string `json:"archive_location,omitempty"`
	CallNumber      string `json:"call-number,omitempty"`
	Language        string `json:"language,omitempty"`
	URL             string `json:"URL"`
	// Custom holds what CSL has no variable for, where the CSL-JSON
	// schema puts it.
	Custom *Custom `json:"custom,omitempty"`
	// ARK is the bare identifier, which BibTeX names too.
	ARK string `json:"-"`
	// OtherTitle is the title in the other language, if it has one.
	OtherTitle string `json:"-"`
}

// Custom is what an archive's citation keeps beyond CSL's variables: the
// ARK, and the title in each language it has (CSL 1.0 has no variable
// for a parallel title: original-title is the title a work was first
// published under, which APA prints as such).
type Custom struct {
	ARK    string          `json:"ark,omitempty"`
	Titles repository.Text `json:"titles,omitempty"`
}

// CSL is the source's CSL-JSON entry for readers of lang ("th" or "en"):
// its texts in lang where they exist (the title in the other language
// kept beside it), dates in the Common Era (a style shows
// them in the Buddhist Era for Thai readers), and base the archive's
// address, to which the ARK or the page's path is added.
func (s *Source) CSL(lang, base string) Entry {
	e := Entry{ID: s.ID, Type: s.cslType(), Title: s.Title.Get(lang), Archive: s.Library.Get(lang), ARK: s.ARK}
	other := "en"
	if lang == "en" {
		other = "th"
	}
	if o := s.Title[other]; o != "" && o != e.Title {
		e.OtherTitle = o
	}
	if s.ARK != "" || e.OtherTitle != "" {
		e.Custom = &Custom{ARK: s.ARK}
		if e.OtherTitle != "" {
			e.Custom.Titles = s.Title
		}
	}
	e.Author = names(s.Creator.Get(lang))
	e.Issued = cslDate(s.Date, lang)
	var where []string
	for _, u := range s.Path {
		where = append(where, u.Title.Get(lang))
	}
	e.CallNumber = s.callNumber()
	if e.CallNumber != "" {
		where = append(where, e.CallNumber)
	}
	e.ArchiveLocation = strings.Join(where, ", ")
	if len(s.Language) > 0 {
		e.Language = s.Language[0]
	}
	switch {
	case s.ARK != "":
		e.URL = base + "/" + s.ARK
	case s.Unit:
		e.URL = base + "/fonds/" + s.ID
	default:
		e.URL = base + "/items/" + s.ID
	}
	return e
}

// cslType is the CSL type of the record: units are archival collections,
// items by their DCMI type, unpublished texts manuscripts.
func (s *Source) cslType() string {
	if s.Unit {
		return "collection"
	}
	switch strings.ToLower(s.Type) {
	case "text":
		return "manuscript"
	case "image", "stillimage":
		return "graphic"
	case "map", "cartographic":
		return "map"
	case "sound":
		return "song"
	case "movingimage":
		return "motion_picture"
	}
	return "document"
}

// callNumber is the record's call number (repository.CallNumber) from
// the reference codes of the units down to its own.
func (s *Source) callNumber() string {
	var codes []string
	for _, u := range s.Path {
		if u.Description != nil {
			codes = append(codes, u.Description.ReferenceCode)
		}
	}
	return repository.CallNumber(append(codes, s.Ref)...)
}

// names reads creators written as archives write them, one per ";":
// "Family, Given" (dates after a second comma left out) for a person in
// Latin letters; a name followed by its dates alone, that name whole;
// anything else, and every name in Thai script, whole and in its own
// order.
func names(s string) []Name {
	var out []Name
	for _, n := range strings.Split(s, ";") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		family, rest, ok := strings.Cut(n, ",")
		given, _, _ := strings.Cut(rest, ",")
		switch {
		case !ok || strings.TrimSpace(given) == "":
			out = append(out, Name{Literal: n})
			continue
		case strings.ContainsAny(given, "0123456789"):
			// A body or a name with its dates only ("Siam Society, 1904-").
			out = append(out, Name{Literal: strings.TrimSpace(family)})
			continue
		case thai(n):
			out = append(out, Name{Literal: n})
			continue
		}
		out = append(out, Name{Family: strings.TrimSpace(family), Given: strings.TrimSpace(given)})
	}
	return out
}

func thai(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Thai, r) })
}

// cslDate is an EDTF date as CSL has it: a point or a range of points,
// circa when approximate or uncertain; a year with unknown digits (199X)
// is said in words in lang, which CSL prints as it is.
func cslDate(s, lang string) *Date {
	d, err := edtf.Parse(s)
	if err != nil {
		return nil
	}
	if d.From.YearX > 0 || d.To.YearX > 0 || d.From.Year <= 0 && !d.From.Open && !d.From.Unknown {
		return &Date{Literal: d.Format(lang)}
	}
	out := &Date{}
	for _, p := range []edtf.Point{d.From, d.To} {
		if p.Open || p.Unknown {
			continue
		}
		parts := []int{p.Year}
		if p.Precision >= edtf.Month {
			parts = append(parts, p.Month)
		}
		if p.Precision >= edtf.Day {
			parts = append(parts, p.Day)
		}
		out.Parts = append(out.Parts, parts)
		out.Circa = out.Circa || p.Approximate || p.Uncertain
	}
	if !d.Interval && len(out.Parts) == 2 {
		out.Parts = out.Parts[:1]
	}
	return out
}
