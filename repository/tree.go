package repository

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

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
	Notes         Text     `json:"notes,omitempty"`         // 3.6.1
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

func sortSiblings(cols []*Collection) {
	slices.SortStableFunc(cols, func(a, b *Collection) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), strings.Compare(a.ID, b.ID))
	})
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

// treeCache keeps the trees read lately, each with the state of the store
// it was read at (a tree of 10,000 units takes a while to decode).
type treeCache struct {
	mu    sync.Mutex
	trees map[string]cachedTree
}

type cachedTree struct {
	*Tree
	stamp string // the state of the store it was read at
}

// treesKept bounds how many trees the cache holds.
const treesKept = 16

func (c *treeCache) get(id, stamp string) *Tree {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.trees[id]; t.Tree != nil && t.stamp == stamp {
		return t.Tree
	}
	return nil
}

func (c *treeCache) put(t *Tree, stamp string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.trees == nil || len(c.trees) >= treesKept {
		c.trees = map[string]cachedTree{}
	}
	c.trees[t.Root.ID] = cachedTree{t, stamp}
}

// MaxDepth bounds a walk up a tree (a cycle, which saving refuses, would
// not be followed for ever).
const MaxDepth = 64

// Touched is when something below the root last changed that the units
// do not date: a unit moved out or withdrawn, a unit's access changed, an
// item edited (zero if nothing such is known). Changes below a restricted
// unit stop at it.
func (t *Tree) Touched() time.Time { return t.touched }

// Tree reads the collection id and everything below it. Deleted units are
// left out. The tree is shared with other readers until the store changes:
// it must not be modified.
func (s *Store) Tree(id string) (*Tree, error) {
	var (
		cached, t *Tree
		stamp     string
	)
	err := s.view(func(tx *bolt.Tx) error {
		// Any change appends to the feed in its own transaction, and saving
		// an item or collection moves the generation: either names the state.
		stamp = fmt.Sprintf("%d/%d", s.gen.Load(), tx.Bucket(bFeed).Sequence())
		if cached = s.trees.get(id, stamp); cached != nil {
			return nil
		}
		var root Collection
		if err := getJSON(tx, bCollections, id, &root); err != nil {
			return err
		}
		if root.Deleted {
			return fmt.Errorf("collection %q: %w", id, fault.NotFound)
		}
		above := map[string]*Collection{}
		for p, depth := root.Parent, 0; p != "" && depth < MaxDepth; depth++ {
			var c Collection
			if err := getJSON(tx, bCollections, p, &c); err != nil {
				break
			}
			above[p] = &c
			p = c.Parent
		}
		var touched time.Time
		if v := tx.Bucket(ixTouched).Get([]byte(id)); len(v) == 8 {
			touched = time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
		}
		rootNode := &Node{Collection: &root}
		seen := map[string]bool{}
		queue := []*Node{rootNode}
		kids := tx.Bucket(ixChildren).Cursor()
		items := tx.Bucket(ixCollItems).Cursor()
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			seen[n.ID] = true
			prefix := join(n.ID, "")
			var cols []*Collection
			for k, _ := kids.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = kids.Next() {
				var c Collection
				if err := getJSON(tx, bCollections, string(k[len(prefix):]), &c); err != nil {
					return err
				}
				if !c.Deleted && !seen[c.ID] {
					cols = append(cols, &c)
				}
			}
			sortSiblings(cols)
			for _, c := range cols {
				child := &Node{Collection: c, Up: n, Depth: n.Depth + 1}
				n.Children = append(n.Children, child)
				queue = append(queue, child)
			}
			n.Items = slices.Clone(n.Members)
			for k, _ := items.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = items.Next() {
				if id := string(k[len(prefix):]); !slices.Contains(n.Members, id) {
					n.Items = append(n.Items, id)
				}
			}
		}
		t = NewTree(rootNode, above, touched, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if cached != nil {
		return cached, nil
	}
	s.trees.put(t, stamp)
	return t, nil
}

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

// NextOrder is the Order that puts a new unit last among parent's children.
func (s *Store) NextOrder(parent string) (float64, error) {
	kids, err := s.Children(parent)
	if err != nil || len(kids) == 0 {
		return 1, err
	}
	return max(kids[len(kids)-1].Order, 0) + 1, nil
}

// MoveCollection puts collection id (with everything below it) inside
// parent, at position among parent's other children (0 first; beyond the
// end, last). The units below keep pointing at it, so a move is one new
// version of one record and one event, with the siblings' when they are
// numbered again to make room, all registered together. version must be
// the one the move was decided on (fault.Conflict otherwise).
func (s *Store) MoveCollection(ctx context.Context, id string, version int, parent string, position int, agent string) error {
	unlock, kids := s.lockMove(id, parent)
	defer unlock()
	c, err := s.Collection(id)
	if err != nil {
		return err
	}
	if c.Version != version {
		return fmt.Errorf("collection %s was changed by someone else (now version %d, yours %d): %w", id, c.Version, version, fault.Conflict)
	}
	if c.Level == Curated {
		return fmt.Errorf("collection %s is a curated collection, not part of an archival tree: %w", id, fault.Invalid)
	}
	// Refused before the siblings are renumbered: a move into another
	// library's unit, or into itself, changes nothing.
	moved := *c
	moved.Parent = parent
	if err := s.checkCollection(&moved); err != nil {
		return err
	}
	kids = slices.DeleteFunc(kids, func(k *Collection) bool { return k.ID == id })
	position = min(max(position, 0), len(kids))
	now := s.Now()
	var changes []unitChange
	var room bool
	if moved.Order, room = between(kids, position); !room { // the siblings are numbered 1, 2, 3… again
		moved.Order = float64(2*position + 1)
		for i, k := range kids {
			next := *k
			next.Order = float64(2 * (i + 1))
			n, err := s.nextUnit(k, next, now)
			if err != nil {
				return err
			}
			changes = append(changes, unitChange{k, n, "renumbered among its siblings"})
		}
	}
	next, err := s.nextUnit(c, moved, now)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("moved from %s to %s, position %d", orTop(c.Parent), orTop(parent), position+1)
	return s.commitUnits(ctx, append(changes, unitChange{c, next, detail}), nil, nil, agent)
}

// lockMove locks unit id and parent's children (which a move may number
// again) for a move into parent, and shared every unit from parent up;
// it returns the children as they are while locked.
func (s *Store) lockMove(id, parent string) (unlock func(), kids []*Collection) {
	for {
		up := s.ancestors(parent)
		kids, err := s.Children(parent)
		if err != nil {
			kids = nil // the move reads them again and says why
		}
		mine := []string{"collection/" + id}
		for _, k := range kids {
			mine = append(mine, "collection/"+k.ID)
		}
		unlock := s.locks.lock(lockSet{mine: mine, on: up})
		again, err := s.Children(parent)
		if err == nil && slices.Equal(up, s.ancestors(parent)) && slices.EqualFunc(kids, again, func(a, b *Collection) bool { return a.ID == b.ID }) {
			return unlock, again
		}
		unlock()
	}
}

// nextUnit is the next version of unit old, changed to next, at now.
func (s *Store) nextUnit(old *Collection, next Collection, now time.Time) (*Collection, error) {
	was := &exposure{old.Access, old.Deleted, old.Parent, old.Published, old.Modified}
	var err error
	if next.Published, err = firstPublished(was, exposure{next.Access, next.Deleted, next.Parent, time.Time{}, now}, now, s.Collection); err != nil {
		return nil, err
	}
	next.Version = old.Version + 1
	next.Modified = now
	return &next, nil
}

func orTop(id string) string { return cmp.Or(id, "(top level)") }

// between finds an Order for a unit put at position among kids: halfway
// between its neighbours, or none (false) when they are too close for that.
func between(kids []*Collection, position int) (float64, bool) {
	lo := 0.0
	if position > 0 {
		lo = kids[position-1].Order
	}
	if position == len(kids) {
		return lo + 1, true
	}
	if hi := kids[position].Order; hi-lo > 1e-6 {
		return (lo + hi) / 2, true
	}
	return 0, false
}
