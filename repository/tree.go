package repository

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository/edtf"
)

// Further archival levels; a library may also use levels of its own (any
// lower-case word, such as "volume" or "box"), which EAD calls otherlevel.
const (
	SubFonds  Level = "subfonds"
	ItemLevel Level = "item"
)

// StandardLevels are the levels of ISAD(G) and EAD, from the widest.
var StandardLevels = []Level{Fonds, SubFonds, Series, Subseries, FileLevel, ItemLevel}

var levelPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}$`)

// ValidLevel reports whether l is a standard level, curated, or a
// library's own level (a lower-case word of 2–32 letters, digits, hyphens).
func ValidLevel(l Level) bool { return l == Curated || levelPattern.MatchString(string(l)) }

// Description is a unit's archival description: the ISAD(G) elements
// archivists fill in (numbers are ISAD(G)'s), each text in Thai and English.
// The title (3.1.2) and level (3.1.4) are the collection's own.
type Description struct {
	ReferenceCode string   `json:"referenceCode,omitempty"` // 3.1.1
	Date          string   `json:"date,omitempty"`          // 3.1.3, EDTF
	DateText      string   `json:"dateText,omitempty"`      // 3.1.3 as a finding aid wrote it, when it is no date to read (Date is empty)
	Extent        Text     `json:"extent,omitempty"`        // 3.1.5
	Creator       Text     `json:"creator,omitempty"`       // 3.2.1
	History       Text     `json:"history,omitempty"`       // 3.2.2 administrative or biographical history
	Scope         Text     `json:"scope,omitempty"`         // 3.3.1 scope and content
	Arrangement   Text     `json:"arrangement,omitempty"`   // 3.3.4
	Access        Text     `json:"access,omitempty"`        // 3.4.1 conditions governing access
	Reproduction  Text     `json:"reproduction,omitempty"`  // 3.4.2 conditions governing reproduction
	Language      []string `json:"language,omitempty"`      // 3.4.3, ISO 639 codes
	FindingAids   Text     `json:"findingAids,omitempty"`   // 3.4.5
	Kept          []Markup `json:"kept,omitempty"`          // elements of a finding aid kept as written, in order
	// Header is a fonds's finding aid's own header as it wrote it, in
	// EAD3's form: the parts of <control> its export writes back.
	Header []Markup `json:"header,omitempty"`
	Notes  Text     `json:"notes,omitempty"` // 3.6.1
	// Dates are every date of the unit as its finding aid wrote them;
	// Date is read from the first inclusive one that gives EDTF.
	Dates []UnitDate `json:"dates,omitempty"`
	// Internal are the texts the finding aid kept for the library's staff
	// (audience="internal"): shown at the desk, never published.
	Internal []Aside `json:"internal,omitempty"`
	// Containers are the boxes and folders the unit is in (containers.go).
	Containers []ContainerRef `json:"containers,omitempty"`

	// Points are the unit's access points (controlaccess, origination);
	// PointGroups its <controlaccess> elements by Group, as written.
	Points      []PointRef            `json:"points,omitempty"`
	PointGroups map[string]PointGroup `json:"pointGroups,omitempty"`
}

// Texts lists the description's texts with their names, in ISAD(G)'s order.
func (d *Description) Texts() []NamedText {
	if d == nil {
		return nil
	}
	return []NamedText{{"extent", d.Extent}, {"creator", d.Creator}, {"history", d.History}, {"scope", d.Scope},
		{"arrangement", d.Arrangement}, {"access", d.Access}, {"reproduction", d.Reproduction},
		{"findingAids", d.FindingAids}, {"notes", d.Notes}}
}

// NamedText is one text element of a description.
type NamedText struct {
	Name string
	Text Text
}

// CheckDescription refuses a unit whose level or description is not one
// the archive keeps, naming every problem.
func (c *Collection) CheckDescription() error {
	var problems []string
	if !ValidLevel(c.Level) {
		problems = append(problems, fmt.Sprintf("level %q is not fonds, subfonds, series, subseries, file, item, curated or a word of the library's own (lower-case letters, digits, hyphens)", c.Level))
	}
	if d := c.Description; d != nil {
		if d.Date != "" && !edtf.Valid(d.Date) {
			problems = append(problems, fmt.Sprintf("date %q is not EDTF (e.g. 1957~, 1932/1945, 19XX)", d.Date))
		}
		for _, l := range d.Language {
			if len(l) < 2 || len(l) > 3 || strings.ToLower(l) != l {
				problems = append(problems, fmt.Sprintf("language %q is not an ISO 639 code (th, tha, en, eng…)", l))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("collection %s: %s: %w", c.ID, strings.Join(problems, "; "), fault.Invalid)
	}
	return nil
}

// Node is a unit of an archival tree: its collection, the units below it
// in order, and its items in order.
type Node struct {
	*Collection
	Up       *Node
	Depth    int // 0 at the tree's root
	Children []*Node
	Items    []string
}

// Tree is a collection and every unit below it, read in one transaction.
// It is also an access lookup (see access.Lookup): the inherited access of
// any unit is decided without going back to the store.
type Tree struct {
	Root  *Node
	nodes map[string]*Node
	above map[string]*Collection // the root's ancestors
	src   TreeSource
	// touched: the newest change below the root the nodes do not date
	// (ixTouched).
	touched time.Time
	mu      sync.Mutex
	insts   map[string]*Institution
}

// TreeSource is what a tree asks of the store beyond its own units.
type TreeSource interface {
	Collection(id string) (*Collection, error)
	Institution(id string) (*Institution, error)
}

// NewTree is the tree below root (whose nodes are linked already), with
// the root's ancestors, the newest change below it that its units do not
// date (see Touched), and the store it asks for anything else.
func NewTree(root *Node, above map[string]*Collection, touched time.Time, src TreeSource) *Tree {
	t := &Tree{Root: root, nodes: map[string]*Node{}, above: above, src: src, touched: touched, insts: map[string]*Institution{}}
	t.Walk(func(n *Node) bool { t.nodes[n.ID] = n; return true })
	return t
}

// MaxDepth bounds a walk up a tree (a cycle, which saving refuses, would
// not be followed for ever).
const MaxDepth = 64

// Touched is when something below the root last changed that the units
// do not date: a unit moved out or withdrawn, a unit's access changed, an
// item edited (zero if nothing such is known). Changes below a restricted
// unit stop at it.
func (t *Tree) Touched() time.Time { return t.touched }

// Node returns the unit id of the tree, or nil.
func (t *Tree) Node(id string) *Node { return t.nodes[id] }

// Len is the number of units in the tree.
func (t *Tree) Len() int { return len(t.nodes) }

// Walk visits the units in reading order (depth first, siblings in order);
// when fn returns false, the units below n are skipped.
func (t *Tree) Walk(fn func(n *Node) bool) {
	var walk func(n *Node)
	walk = func(n *Node) {
		if fn(n) {
			for _, c := range n.Children {
				walk(c)
			}
		}
	}
	walk(t.Root)
}

// Path lists the units from the tree's root down to n.
func (n *Node) Path() []*Node {
	var out []*Node
	for x := n; x != nil; x = x.Up {
		out = append(out, x)
	}
	slices.Reverse(out)
	return out
}

// Collection answers from the tree (and the root's ancestors), else the store.
func (t *Tree) Collection(id string) (*Collection, error) {
	if n := t.nodes[id]; n != nil {
		return n.Collection, nil
	}
	if c := t.above[id]; c != nil {
		return c, nil
	}
	return t.src.Collection(id)
}

// Institution answers from the store, once per library.
func (t *Tree) Institution(id string) (*Institution, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if in := t.insts[id]; in != nil {
		return in, nil
	}
	in, err := t.src.Institution(id)
	if err == nil {
		t.insts[id] = in
	}
	return in, err
}

// CallNumber is the call number of a record filed in units whose
// reference codes, from the fonds down, are codes (the record's own
// last): each added only where it does not already begin with those above
// it, as a finding aid may write each unit's code whole or its own part
// (TU-PB, 1, 3 → TU-PB/1/3; TU-PB, TU-PB/1 → TU-PB/1).
func CallNumber(codes ...string) string {
	call := ""
	for _, c := range codes {
		switch c = strings.TrimSpace(c); {
		case c == "":
		case call == "" || strings.HasPrefix(c, call):
			call = c
		default:
			call += "/" + c
		}
	}
	return call
}
