package access

import (
	"errors"
	"sync"
	"time"

	"github.com/thaiarchives/archive/repository"
)

// Lists pages through the items of a scope (a library, a unit) that a
// principal may list, so that a listing's pages and its count hold only
// those: a library that hides its restricted items must not have them
// counted, nor show them as the gaps of short or empty pages. What each
// kind of principal (an anonymous visitor, a library's readers, its staff:
// what Decide looks at) may list in a scope is decided once per item and
// kept; items new to the scope are decided when first met, and the whole
// is decided again once the store has changed, at most every Refresh.
// Each page is still decided afresh, so an item that closed meanwhile
// makes a page short by one for a while, and is never shown.
type Lists struct {
	Items      Items
	Generation func() uint64
	Refresh    time.Duration // 0: ten seconds

	mu   sync.Mutex
	kept map[string]*hiddenSet
}

// listsKept bounds the scopes and kinds of principal kept at once.
const listsKept = 1024

type hiddenSet struct {
	mu     sync.Mutex
	gen    uint64
	made   time.Time
	seen   map[string]bool // the items decided
	hidden map[string]bool // those p may not list
}

// Page returns the items at [offset, offset+limit) of those among all (in
// order) that p may list, and how many p may list.
func (l *Lists) Page(p Principal, scope string, all []string, offset, limit int, now time.Time) ([]string, int, error) {
	h := l.set(p, scope)
	h.mu.Lock()
	defer h.mu.Unlock()
	refresh := l.Refresh
	if refresh == 0 {
		refresh = 10 * time.Second
	}
	if gen := l.Generation(); h.gen != gen && time.Since(h.made) >= refresh {
		h.gen, h.made, h.seen, h.hidden = gen, time.Now(), map[string]bool{}, map[string]bool{}
	}
	var page []string
	n := 0
	for _, id := range all {
		if !h.seen[id] { // new since the set was made: decided now
			hide, err := l.hides(p, id, now)
			if err != nil {
				return nil, 0, err
			}
			h.seen[id], h.hidden[id] = true, hide
		}
		if h.hidden[id] {
			continue
		}
		if n >= offset && len(page) < limit {
			page = append(page, id)
		}
		n++
	}
	return page, n, nil
}

// set is the set kept for p's kind of principal in scope.
func (l *Lists) set(p Principal, scope string) *hiddenSet {
	key := scope + "\x00" + p.Institution + "\x00" + string(p.Role) + "\x00" + string(p.Scope)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kept == nil || len(l.kept) >= listsKept && l.kept[key] == nil {
		l.kept = map[string]*hiddenSet{}
	}
	h := l.kept[key]
	if h == nil {
		h = &hiddenSet{gen: l.Generation(), made: time.Now(), seen: map[string]bool{}, hidden: map[string]bool{}}
		l.kept[key] = h
	}
	return h
}

// hides reports whether p may not list item id.
func (l *Lists) hides(p Principal, id string, now time.Time) (bool, error) {
	it, err := l.Items.Item(id)
	if errors.Is(err, repository.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	r, err := ItemResource(l.Items, it)
	if err != nil {
		return false, err
	}
	return Decide(p, ReadMetadata, r, now) != nil, nil
}
