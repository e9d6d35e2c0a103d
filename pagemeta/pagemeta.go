// Package pagemeta writes what the page of a record tells machines about
// it: the Highwire Press (citation_*) and Dublin Core (DC.*) meta tags that
// reference managers read (Zotero's Embedded Metadata translator, Mendeley,
// Google Scholar), and a schema.org description in JSON-LD for search
// engines. It holds no rule of access: the page gives it only what its
// reader may read.
package pagemeta

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

// Part is a unit above a record (its fonds, series, file…), as its reader
// may see it.
type Part struct {
	Name repository.Text
	Ref  string // its reference code (EAD unitid), if any
	URL  string // its page
}

// Record is what a page says of its record.
type Record struct {
	Lang      string // the page's language: the one tags are written in
	Name      repository.Text
	Creators  []string
	Date      string // EDTF
	Languages []string
	Type      string // DCMI type (Image, Text, Sound, MovingImage), if known
	Rights    string
	Summary   repository.Text // only what the page shows its reader
	// Library is the holding library, and LibraryURL its page.
	Library    repository.Text
	LibraryURL string
	// Parts are the units above the record, its fonds first.
	Parts []Part
	Ref   string // the record's own reference code, for a unit
	Page  string // the page's address
	// ARK is the record's persistent identifier (ark:/NAAN/name) and Base
	// the archive's address that resolves it; no ARK: the page is cited.
	ARK, Base string
	// Image and Thumb are public pictures of it; PDF its PDF, if it has one
	// its reader may download.
	Image, Thumb, PDF string
}

// Tag is one <meta name content>.
type Tag struct{ Name, Content string }

// URL is the address to cite: the ARK's at the archive, else the page.
func (r Record) URL() string {
	if r.ARK != "" {
		return r.Base + "/" + r.ARK
	}
	return r.Page
}

// CallNumber is the record's call number (repository.CallNumber, as its
// citations give it: "TH-CU-01/02/7"), or "" when no unit has a reference
// code.
func (r Record) CallNumber() string {
	var refs []string
	for _, p := range r.Parts {
		refs = append(refs, p.Ref)
	}
	return repository.CallNumber(append(refs, r.Ref)...)
}

// zoteroType is the Zotero item type of a DCMI type: archival material
// is a manuscript unless it is a picture or a recording.
func zoteroType(dcmi string) string {
	switch dcmi {
	case "Image", "StillImage":
		return "artwork"
	case "Sound":
		return "audioRecording"
	case "MovingImage":
		return "videoRecording"
	}
	return "manuscript"
}

// Tags are the meta tags of the page, in the page's language. Zotero reads
// the Highwire tags first, Dublin Core's through its RDF import, and its
// own z: names (itemType, archive, archiveLocation, callNumber) as the
// fields they name: the call number is where the record is in its fonds.
func (r Record) Tags() []Tag {
	var out []Tag
	add := func(name, content string) {
		if content = strings.TrimSpace(content); content != "" {
			out = append(out, Tag{name, content})
		}
	}
	name, library := r.Name.Get(r.Lang), r.Library.Get(r.Lang)
	add("citation_title", name)
	for _, c := range r.Creators {
		add("citation_author", c)
	}
	d, dated := parseDate(r.Date)
	if dated {
		add("citation_publication_date", highwireDate(d))
		add("citation_date", highwireDate(d))
	}
	add("citation_publisher", library)
	for _, l := range r.Languages {
		add("citation_language", l)
	}
	add("citation_public_url", r.URL())
	add("citation_pdf_url", r.PDF)
	add("DC.title", name)
	for _, c := range r.Creators {
		add("DC.creator", c)
	}
	if dated {
		add("DC.date", isoDate(d))
	}
	if r.ARK != "" {
		add("DC.identifier", r.URL())
	}
	add("DC.identifier", r.Page)
	add("DC.publisher", library)
	add("DC.type", r.Type)
	for _, l := range r.Languages {
		add("DC.language", l)
	}
	add("DC.rights", r.Rights)
	add("DC.description", r.Summary.Get(r.Lang))
	for i := len(r.Parts) - 1; i >= 0; i-- {
		add("DC.relation.ispartof", r.Parts[i].Name.Get(r.Lang))
	}
	add("z:itemType", zoteroType(r.Type))
	add("z:archive", library)
	add("z:archiveLocation", r.CallNumber())
	add("z:callNumber", r.CallNumber())
	return out
}

// langValues is a language map as JSON-LD language-tagged strings, in a
// fixed order (th, en, then the rest as sorted by Text.Get's rules).
func langValues(t repository.Text) []map[string]string {
	var out []map[string]string
	for _, l := range []string{"th", "en"} {
		if v := strings.TrimSpace(t[l]); v != "" {
			out = append(out, map[string]string{"@language": l, "@value": v})
		}
	}
	if len(out) == 0 && !t.Empty() {
		out = append(out, map[string]string{"@value": t.Get("")})
	}
	return out
}

// JSONLD is the schema.org description of the record: an ArchiveComponent
// (a CreativeWork) held by its library, part of its units. It is safe
// inside a <script> element: encoding/json writes <, > and & as \u escapes,
// so no text of the record can close the element.
func (r Record) JSONLD() ([]byte, error) {
	doc := map[string]any{
		"@context":       "https://schema.org",
		"@type":          "ArchiveComponent",
		"@id":            r.URL(),
		"url":            r.Page,
		"name":           langValues(r.Name),
		"holdingArchive": map[string]any{"@type": "ArchiveOrganization", "name": langValues(r.Library), "url": r.LibraryURL},
	}
	if len(r.Creators) > 0 {
		doc["creator"] = r.Creators
	}
	if d, ok := parseDate(r.Date); ok {
		doc["dateCreated"] = isoDate(d)
	}
	var ids []map[string]string
	if r.ARK != "" {
		ids = append(ids, map[string]string{"@type": "PropertyValue", "propertyID": "ARK", "value": r.ARK, "url": r.URL()})
	}
	if cn := r.CallNumber(); cn != "" {
		ids = append(ids, map[string]string{"@type": "PropertyValue", "propertyID": "unitid", "value": cn})
	}
	if len(ids) > 0 {
		doc["identifier"] = ids
	}
	var parent map[string]any
	for _, p := range r.Parts { // the fonds first: each next part is inside the one before
		u := map[string]any{"@type": "ArchiveComponent", "name": langValues(p.Name), "url": p.URL,
			"holdingArchive": doc["holdingArchive"]}
		if p.Ref != "" {
			u["identifier"] = p.Ref
		}
		if parent != nil {
			u["isPartOf"] = parent
		}
		parent = u
	}
	if parent != nil {
		doc["isPartOf"] = parent
	}
	if !r.Summary.Empty() {
		doc["description"] = langValues(r.Summary)
	}
	if len(r.Languages) > 0 {
		doc["inLanguage"] = r.Languages
	}
	if r.Rights != "" {
		doc["license"] = r.Rights
	}
	if r.Image != "" {
		doc["image"] = r.Image
	}
	if r.Thumb != "" {
		doc["thumbnailUrl"] = r.Thumb
	}
	return json.Marshal(doc)
}

// parseDate reads an EDTF date whose start is a known year.
func parseDate(s string) (edtf.Point, bool) {
	d, err := edtf.Parse(s)
	if err != nil || s == "" || d.From.Open || d.From.Unknown || d.From.YearX > 0 || d.From.Year == 0 {
		return edtf.Point{}, false
	}
	return d.From, true
}

// highwireDate is a point as Highwire's tags write dates (2019/06/18,
// 2019/06, 2019): a citation names when the work begins.
func highwireDate(p edtf.Point) string { return strings.ReplaceAll(isoDate(p), "-", "/") }

// isoDate is a point in ISO 8601 at its precision (a season as its year).
func isoDate(p edtf.Point) string {
	switch {
	case p.Precision == edtf.Day && p.Month > 0 && p.Day > 0:
		return fmt.Sprintf("%04d-%02d-%02d", p.Year, p.Month, p.Day)
	case p.Precision >= edtf.Month && p.Month > 0:
		return fmt.Sprintf("%04d-%02d", p.Year, p.Month)
	}
	return fmt.Sprintf("%04d", p.Year)
}

// Library is the schema.org description of a library's page: an
// ArchiveOrganization, with its own site and logo when it has them.
func Library(name repository.Text, page, homepage, logo string) ([]byte, error) {
	doc := map[string]any{"@context": "https://schema.org", "@type": "ArchiveOrganization", "@id": page, "url": page, "name": langValues(name)}
	if homepage != "" {
		doc["sameAs"] = homepage
	}
	if logo != "" {
		doc["logo"] = logo
	}
	return json.Marshal(doc)
}
