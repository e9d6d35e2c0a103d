package repository

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/thaiarchives/archive/fault"
)

// PointKind is what an access point names.
type PointKind string

// Kinds of access point, as EAD's elements name them (persname, famname,
// corpname, name, subject, geogname, genreform, function, occupation, title).
const (
	PersonPoint     PointKind = "person"
	FamilyPoint     PointKind = "family"
	CorporatePoint  PointKind = "corporate"
	AgentPoint      PointKind = "agent" // a name that does not say which kind of agent
	SubjectPoint    PointKind = "subject"
	PlacePoint      PointKind = "place"
	GenrePoint      PointKind = "genre"
	FunctionPoint   PointKind = "function"
	OccupationPoint PointKind = "occupation"
	TitlePoint      PointKind = "title"
)

// PointElements maps EAD's access point elements (both versions) to kinds.
var PointElements = map[string]PointKind{
	"persname": PersonPoint, "famname": FamilyPoint, "corpname": CorporatePoint, "name": AgentPoint,
	"subject": SubjectPoint, "geogname": PlacePoint, "genreform": GenrePoint, "function": FunctionPoint,
	"occupation": OccupationPoint, "title": TitlePoint,
}

// PointKinds lists the kinds in the order pages show them.
var PointKinds = []PointKind{PersonPoint, FamilyPoint, CorporatePoint, AgentPoint, SubjectPoint, PlacePoint,
	GenrePoint, FunctionPoint, OccupationPoint, TitlePoint}

// Agent reports whether the kind names someone who can make records
// (persons, families, corporate bodies, unspecified names).
func (k PointKind) Agent() bool {
	return k == PersonPoint || k == FamilyPoint || k == CorporatePoint || k == AgentPoint
}

// Point is an access point as a record of its own (an authority record in
// AtoM, an agent or subject in ArchivesSpace): one person, family,
// corporate body, subject, place, genre or the like, shared by the units
// and items of every library that name it.
type Point struct {
	ID      string    `json:"id"`
	Kind    PointKind `json:"kind"`
	Heading Text      `json:"heading"`
	// Source is the authority the heading comes from (lcnaf, lcsh, viaf,
	// wikidata, local…); Identifier its identifier or URI there.
	Source     string `json:"source,omitempty"`
	Identifier string `json:"identifier,omitempty"`
	// MergedInto names the point this one was merged into; a merged point
	// is kept (so that old links and a rebuild find where it went).
	MergedInto string    `json:"mergedInto,omitempty"`
	Version    int       `json:"version"`
	Created    time.Time `json:"created"`
	Modified   time.Time `json:"modified"`
}

// PointRef is a unit's or item's link to an access point, with what the
// source wrote of it, so that an export gives it back as it came.
type PointRef struct {
	Point string `json:"point"`
	// Role is "subject" (controlaccess) or "origination" (a creator).
	Role string `json:"role"`
	// Relator is the agent's role in the unit (EAD's role or relator).
	Relator string `json:"relator,omitempty"`
	// Element is the EAD element it was written as (persname, subject…).
	Element string `json:"element,omitempty"`
	// Heading is the heading as the source wrote it.
	Heading Text `json:"heading,omitempty"`
	// Parts are EAD3's <part> children as written.
	Parts []PointPart `json:"parts,omitempty"`
	// Attrs are the element's attributes as written (source,
	// authfilenumber, identifier, rules, normal, encodinganalog, localtype…).
	Attrs map[string]string `json:"attrs,omitempty"`
	// Group places it in nested <controlaccess> elements ("1", "1.2"…;
	// "" is the first), or in the unit's nth <origination>.
	Group string `json:"group,omitempty"`
	// Wrapper are the attributes of the <origination> it was in.
	Wrapper map[string]string `json:"wrapper,omitempty"`
}

// PointGroup is a <controlaccess> element as the source wrote it, but for
// the access points in it: its heading and attributes.
type PointGroup struct {
	Head  Text              `json:"head,omitempty"`
	Attrs map[string]string `json:"attrs,omitempty"`
}

// PointPart is one <part> of an EAD3 access point.
type PointPart struct {
	Text  string            `json:"text"`
	Attrs map[string]string `json:"attrs,omitempty"`
}

// Validate refuses a point without a kind the archive knows or a heading.
func (p *Point) Validate() error {
	if !slices.Contains(PointKinds, p.Kind) {
		return fmt.Errorf("access point kind %q is not one of person, family, corporate, agent, subject, place, genre, function, occupation, title: %w", p.Kind, fault.Invalid)
	}
	if strings.TrimSpace(p.Heading.Get("")) == "" {
		return fmt.Errorf("an access point needs a heading: %w", fault.Invalid)
	}
	if len(p.Source) > MaxPointSource || len(p.Identifier) > MaxPointIdentifier || strings.ContainsAny(p.Source+p.Identifier, "\x00\n\r") {
		return fmt.Errorf("access point %q: its source (at most %d bytes) or identifier (at most %d) is too long or has a line break: %w",
			p.Heading.Get(""), MaxPointSource, MaxPointIdentifier, fault.Invalid)
	}
	return nil
}

// The longest source and identifier an access point keeps.
const (
	MaxPointSource     = 64
	MaxPointIdentifier = 1024
)

// Keys are the keys that make two access points the same: the authority
// identifier, and the normalized heading in each language in the same
// source and kind.
func (p *Point) Keys() []string {
	var out []string
	if id := strings.TrimSpace(p.Identifier); id != "" {
		if strings.Contains(id, "://") {
			out = append(out, "id\x00"+NormalizeHeading(id))
		} else {
			out = append(out, "id\x00"+NormalizeHeading(p.Source)+"\x00"+NormalizeHeading(id))
		}
	}
	for _, l := range slices.Sorted(func(yield func(string) bool) {
		for l := range p.Heading {
			if !yield(l) {
				return
			}
		}
	}) {
		if h := NormalizeHeading(p.Heading[l]); h != "" {
			k := "h\x00" + string(p.Kind) + "\x00" + NormalizeHeading(p.Source) + "\x00" + h
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// NormalizeHeading folds a heading for comparison: Unicode NFC (which also
// puts Thai vowels and tone marks typed in either order in one order),
// SARA AM typed as NIKHAHIT and SARA AA made one, case folded, runs of
// spaces made one, and a final full stop or comma dropped (as authority
// files end headings).
func NormalizeHeading(s string) string {
	s = strings.ReplaceAll(norm.NFC.String(s), "\u0e4d\u0e32", "\u0e33")
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	s = strings.TrimRight(s, " .,;")
	return cases.Fold().String(s)
}
