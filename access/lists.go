package access

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// Lists pages through the items of a scope (a library, a unit) that a
// principal may list, so that a listing's pages and its count hold only
// those: a library that hides its restricted items must not have them
// counted, nor show them as the gaps of short or empty pages.
//
// For each scope and kind of principal (an anonymous visitor, a library's
// readers, its staff: what Decide looks at) the list is kept, and brought
// up to date from the store's change feed, at most every Refresh: an item
// changed since is decided again, one new to the scope decided when met,
// and every item is decided again when a collection or a library changed
// what the decisions read of it (access is inherited). Each page is still
// decided afresh by its reader, so an item that closed meanwhile may make
// a page short by one for a moment, and is never shown.
//
// A library's listing, and a unit's that holds only the items filed in it,
// are not kept here: the store keeps them by tier (Library, Unit).
type Lists struct {
	Items   Items
	Feed    Feed
	Refresh time.Duration // 0: one second
	// Libraries is the store's listings of libraries, by tier.
	Libraries Libraries

	mu   sync.Mutex
	kept map[string]*list
}

// Libraries reads the listings the store keeps of each library, by tier
// (repository.Tiers): the items a tier shows, at most limit from at, and
// how many it shows.
type Libraries interface {
	ListedItems(inst, tier string, at repository.At, limit int) ([]string, int, error)
	ListedInUnit(unit, tier string, at repository.At, limit int) ([]string, int, error)
}

// ListTier is the tier of a library's listing that p reads: the staff's,
// the members', everyone's, or none ("") for a token that reads nothing.
// A grant is not a tier: the items it opens are found by their pages and
// in search, not in the library's listing. (repository.Tiers is the
// record's side; a test holds the two to Decide.)
func ListTier(p Principal, inst string) string {
	switch {
	case p.Scope != "" && p.Scope != ScopeRead && p.Scope != ScopeUpload && p.Scope != ScopeWrite:
		return ""
	case staff(p, inst):
		return repository.TierStaff
	case member(p, inst):
		return repository.TierMembers
	}
	return repository.TierAnyone
}

// Library returns at most limit items of library inst from at, of those p
// may list, and how many p may list, from the store's listings: a seek,
// however many items the library holds (a page reached by its offset steps
// over those before it). Each page is still decided afresh by its reader.
func (l *Lists) Library(p Principal, inst string, at repository.At, limit int) ([]string, int, error) {
	tier := ListTier(p, inst)
	if tier == "" {
		return nil, 0, nil
	}
	at.Offset = max(at.Offset, 0)
	return l.Libraries.ListedItems(inst, tier, at, limit)
}

// Unit is Page for a collection: an archival unit without members of its
// own order lists the items filed in it from the store's listings, like
// Library; a curated collection, or a unit whose members come first, from
// the lists kept here, at at's offset (a slice of a list in memory). all
// reads every item of c, in its order.
func (l *Lists) Unit(p Principal, c *repository.Collection, all func() ([]string, error), at repository.At, limit int, now time.Time) ([]string, int, error) {
	if c.Level == repository.Curated || len(c.Members) > 0 {
		return l.Page(p, c.ID, all, at.Offset, limit, now)
	}
	tier := ListTier(p, c.Institution)
	if tier == "" {
		return nil, 0, nil
	}
	at.Offset = max(at.Offset, 0)
	return l.Libraries.ListedInUnit(c.ID, tier, at, limit)
}

// Feed is the store's change feed, as Lists reads it.
type Feed interface {
	FeedEpoch() (epoch string, last uint64, err error)
	Feed(after uint64, limit int) ([]repository.FeedEntry, error)
}

const (
	// listsKept bounds the scopes and kinds of principal kept at once.
	listsKept = 256
	// feedRead bounds the changes read to bring a list up to date; past
	// it, every item is decided again.
	feedRead = 10_000
)

type list struct {
	mu      sync.Mutex
	epoch   string
	seq     uint64 // the feed's last entry taken in
	checked time.Time
	visible []string        // in the scope's order
	hidden  map[string]bool // the items of the scope p may not list
	// uses: the collections and libraries the decisions read, each with
	// what of it they used (a change of anything else changes none).
	uses map[string]string
}

// Page returns the items at [offset, offset+limit) of those in scope that
// p may list, and how many p may list. all reads every item of the scope,
// in its order.
func (l *Lists) Page(p Principal, scope string, all func() ([]string, error), offset, limit int, now time.Time) ([]string, int, error) {
	k := l.list(p, scope)
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := l.update(k, p, all, now); err != nil {
		return nil, 0, err
	}
	n := len(k.visible)
	lo := min(max(offset, 0), n)
	return slices.Clone(k.visible[lo:min(lo+max(limit, 0), n)]), n, nil
}

func (l *Lists) list(p Principal, scope string) *list {
	key := scope + "\x00" + p.Institution + "\x00" + string(p.Role) + "\x00" + string(p.Scope)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kept == nil || len(l.kept) >= listsKept && l.kept[key] == nil {
		l.kept = map[string]*list{}
	}
	k := l.kept[key]
	if k == nil {
		k = &list{}
		l.kept[key] = k
	}
	return k
}

// update brings k up to date with the store.
func (l *Lists) update(k *list, p Principal, all func() ([]string, error), now time.Time) error {
	refresh := l.Refresh
	if refresh == 0 {
		refresh = time.Second
	}
	if k.visible != nil && time.Since(k.checked) < refresh {
		return nil
	}
	epoch, seq, err := l.Feed.FeedEpoch()
	if err != nil {
		return err
	}
	if k.visible != nil && epoch == k.epoch && seq == k.seq {
		k.checked = time.Now()
		return nil
	}
	// What changed since: those items are decided again; anything else
	// that decides access (a collection, a library), every item.
	redo := map[string]bool{}
	whole := k.visible == nil || epoch != k.epoch || seq-k.seq > feedRead
	if !whole {
		changes, err := l.Feed.Feed(k.seq, int(seq-k.seq))
		if err != nil {
			return err
		}
		for _, c := range changes {
			if c.Kind == "item" {
				redo[c.ID] = true
			} else if changed, err := l.changed(k, c); err != nil {
				return err
			} else if changed {
				whole = true
			}
		}
	}
	old := k.visible
	if whole {
		old, k.hidden, k.uses = nil, map[string]bool{}, map[string]string{}
	}
	d := newUses(l.Items, k.uses)
	ids, err := all()
	if err != nil {
		return err
	}
	// The scope's order is kept from one reading to the next, so the last
	// list is walked beside this one; items gone from it changed, and are
	// in redo.
	visible := make([]string, 0, len(ids))
	j := 0
	for _, id := range ids {
		for j < len(old) && redo[old[j]] {
			j++
		}
		switch {
		case redo[id]:
		case j < len(old) && old[j] == id:
			j++
			visible = append(visible, id)
			continue
		case k.hidden[id]:
			continue
		}
		hide, err := hides(d, p, id, now)
		if err != nil {
			return err
		}
		delete(k.hidden, id)
		if hide {
			k.hidden[id] = true
		} else {
			visible = append(visible, id)
		}
	}
	k.epoch, k.seq, k.checked, k.visible = epoch, seq, time.Now(), visible
	return nil
}

// changed reports whether a collection or library that the list's
// decisions read has changed what they used of it.
func (l *Lists) changed(k *list, c repository.FeedEntry) (bool, error) {
	var key, now string
	switch c.Kind {
	case "collection":
		key = "c:" + c.ID
		col, err := l.Items.Collection(c.ID)
		if err != nil && !errors.Is(err, fault.NotFound) {
			return false, err
		}
		now = collectionUse(col)
	case "institution":
		key = "i:" + c.ID
		in, err := l.Items.Institution(c.ID)
		if err != nil && !errors.Is(err, fault.NotFound) {
			return false, err
		}
		now = institutionUse(in)
	default:
		return false, nil
	}
	was, used := k.uses[key]
	return used && was != now, nil
}

// What a decision uses of a collection (its access, and where its own
// comes from) and of a library (whether it reveals restricted items).
func collectionUse(c *repository.Collection) string {
	if c == nil {
		return "none"
	}
	return c.Access.Level + "|" + c.Access.Embargo + "|" + c.Parent
}

func institutionUse(in *repository.Institution) string {
	if in == nil {
		return "none"
	}
	return strconv.FormatBool(in.RevealRestricted)
}

// uses is a lookup for one pass over many items (a list's update, a
// listing): each collection and library is read once, and what the
// decisions used of it noted in used.
type uses struct {
	Items
	used  map[string]string
	cols  map[string]*repository.Collection
	insts map[string]*repository.Institution
}

func newUses(l Items, used map[string]string) *uses {
	return &uses{Items: l, used: used, cols: map[string]*repository.Collection{}, insts: map[string]*repository.Institution{}}
}

func (u *uses) Collection(id string) (*repository.Collection, error) {
	c, ok := u.cols[id]
	if !ok {
		var err error
		if c, err = u.Items.Collection(id); err != nil && !errors.Is(err, fault.NotFound) {
			return nil, err
		}
		u.cols[id], u.used["c:"+id] = c, collectionUse(c)
	}
	if c == nil {
		return nil, fmt.Errorf("collection %s: %w", id, fault.NotFound)
	}
	return c, nil
}

func (u *uses) Institution(id string) (*repository.Institution, error) {
	in, ok := u.insts[id]
	if !ok {
		var err error
		if in, err = u.Items.Institution(id); err != nil && !errors.Is(err, fault.NotFound) {
			return nil, err
		}
		u.insts[id], u.used["i:"+id] = in, institutionUse(in)
	}
	if in == nil {
		return nil, fmt.Errorf("library %s: %w", id, fault.NotFound)
	}
	return in, nil
}

// hides reports whether p may not list item id.
func hides(l Items, p Principal, id string, now time.Time) (bool, error) {
	it, err := l.Item(id)
	if errors.Is(err, fault.NotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	r, err := ItemResource(l, it)
	if errors.Is(err, fault.NotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return Decide(p, ReadMetadata, r, now) != nil, nil
}
