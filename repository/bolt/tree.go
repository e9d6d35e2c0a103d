package bolt

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

func sortSiblings(cols []*repository.Collection) {
	slices.SortStableFunc(cols, func(a, b *repository.Collection) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), strings.Compare(a.ID, b.ID))
	})
}

// treeCache keeps the trees read lately, each with the state of the store
// it was read at (a tree of 10,000 units takes a while to decode).
type treeCache struct {
	mu    sync.Mutex
	trees map[string]cachedTree
}

type cachedTree struct {
	*repository.Tree
	stamp string // the state of the store it was read at
}

// treesKept bounds how many trees the cache holds.
const treesKept = 16

func (c *treeCache) get(id, stamp string) *repository.Tree {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.trees[id]; t.Tree != nil && t.stamp == stamp {
		return t.Tree
	}
	return nil
}

func (c *treeCache) put(t *repository.Tree, stamp string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.trees == nil || len(c.trees) >= treesKept {
		c.trees = map[string]cachedTree{}
	}
	c.trees[t.Root.ID] = cachedTree{t, stamp}
}

// Tree reads the collection id and everything below it. Deleted units are
// left out. The tree is shared with other readers until the store changes:
// it must not be modified.
func (s *Store) Tree(id string) (*repository.Tree, error) {
	var (
		cached, t *repository.Tree
		stamp     string
	)
	err := s.view(func(tx *bbolt.Tx) error {
		// Any change appends to the feed in its own transaction, and saving
		// an item or collection moves the generation: either names the state.
		stamp = fmt.Sprintf("%d/%d", s.gen.Load(), tx.Bucket(bFeed).Sequence())
		if cached = s.trees.get(id, stamp); cached != nil {
			return nil
		}
		var root repository.Collection
		if err := getJSON(tx, bCollections, id, &root); err != nil {
			return err
		}
		if root.Deleted {
			return fmt.Errorf("collection %q: %w", id, fault.NotFound)
		}
		above := map[string]*repository.Collection{}
		for p, depth := root.Parent, 0; p != "" && depth < repository.MaxDepth; depth++ {
			var c repository.Collection
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
		rootNode := &repository.Node{Collection: &root}
		seen := map[string]bool{}
		queue := []*repository.Node{rootNode}
		kids := tx.Bucket(ixChildren).Cursor()
		items := tx.Bucket(ixCollItems).Cursor()
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			seen[n.ID] = true
			prefix := join(n.ID, "")
			var cols []*repository.Collection
			for k, _ := kids.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = kids.Next() {
				var c repository.Collection
				if err := getJSON(tx, bCollections, string(k[len(prefix):]), &c); err != nil {
					return err
				}
				if !c.Deleted && !seen[c.ID] {
					cols = append(cols, &c)
				}
			}
			sortSiblings(cols)
			for _, c := range cols {
				child := &repository.Node{Collection: c, Up: n, Depth: n.Depth + 1}
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
		t = repository.NewTree(rootNode, above, touched, s)
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
	if err := s.moveCollection(ctx, id, version, parent, position, agent); err != nil {
		return err
	}
	return s.relist() // with the units' locks let go (relist.go)
}

func (s *Store) moveCollection(ctx context.Context, id string, version int, parent string, position int, agent string) error {
	unlock, kids := s.lockMove(id, parent)
	defer unlock()
	c, err := s.Collection(id)
	if err != nil {
		return err
	}
	if c.Version != version {
		return fmt.Errorf("collection %s was changed by someone else (now version %d, yours %d): %w", id, c.Version, version, fault.Conflict)
	}
	if c.Level == repository.Curated {
		return fmt.Errorf("collection %s is a curated collection, not part of an archival tree: %w", id, fault.Invalid)
	}
	// Refused before the siblings are renumbered: a move into another
	// library's unit, or into itself, changes nothing.
	moved := *c
	moved.Parent = parent
	if err := s.checkCollection(&moved); err != nil {
		return err
	}
	kids = slices.DeleteFunc(kids, func(k *repository.Collection) bool { return k.ID == id })
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
func (s *Store) lockMove(id, parent string) (unlock func(), kids []*repository.Collection) {
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
		if err == nil && slices.Equal(up, s.ancestors(parent)) && slices.EqualFunc(kids, again, func(a, b *repository.Collection) bool { return a.ID == b.ID }) {
			return unlock, again
		}
		unlock()
	}
}

// nextUnit is the next version of unit old, changed to next, at now.
func (s *Store) nextUnit(old *repository.Collection, next repository.Collection, now time.Time) (*repository.Collection, error) {
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
func between(kids []*repository.Collection, position int) (float64, bool) {
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
