package search

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// maxHiddenSets bounds the kinds of visitor (sets of audiences) whose
// hidden records are kept for one state of the index; past it a set is
// made for its search alone.
const maxHiddenSets = 64

// hiddenSets keeps, for the state of the index searched last, which of its
// records each kind of visitor may not read, as a set of the index's
// document numbers: a search then leaves a hidden hit out by one look-up,
// where stepping through the list of closed records beside its words cost
// a third of it. A change to the index is a new state (a new snapshot),
// and the sets are made again for it as searches need them.
type hiddenSets struct {
	mu   sync.Mutex
	snap *scorch.IndexSnapshot // held, so that no other state takes its address
	sets map[string]*docSet
}

// visible is q less what hidden matches, for the visitor whose audiences
// key names.
type visible struct {
	q, hidden query.Query
	key       string
	sets      *hiddenSets
}

// Searcher searches q in r and leaves out the hidden records of this state.
func (v visible) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok { // an index of another kind numbers its records otherwise
		bq := query.NewBooleanQuery([]query.Query{v.q}, nil, []query.Query{v.hidden})
		return bq.Searcher(ctx, r, m, o)
	}
	set, err := v.sets.of(ctx, snap, m, v.key, v.hidden)
	if err != nil {
		return nil, err
	}
	s, err := v.q.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	return searcher.NewFilteringSearcher(ctx, s, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		return !set.has(d.IndexInternalID)
	}), nil
}

// MarshalJSON shows the query and what it leaves out.
func (v visible) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]query.Query{"query": v.q, "less": v.hidden})
}

// audiencesKey names a set of audiences whatever their order.
func audiencesKey(audiences []string) string {
	a := slices.Clone(audiences)
	slices.Sort(a)
	return strings.Join(a, "\x00")
}

// of is the set of records of snap that hidden matches, made once per
// state and kind of visitor.
func (h *hiddenSets) of(ctx context.Context, snap *scorch.IndexSnapshot, m mapping.IndexMapping, key string, hidden query.Query) (*docSet, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.snap != snap {
		h.snap, h.sets = snap, map[string]*docSet{}
	}
	if set := h.sets[key]; set != nil {
		return set, nil
	}
	s, err := hidden.Searcher(ctx, snap, m, search.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
	set := &docSet{}
	for {
		d, err := s.Next(sctx)
		if err != nil {
			return nil, err
		}
		if d == nil {
			break
		}
		set.add(d.IndexInternalID)
		sctx.DocumentMatchPool.Put(d)
	}
	if len(h.sets) < maxHiddenSets {
		h.sets[key] = set
	}
	return set, nil
}

// docSet is a set of the document numbers of one state of the index (a
// scorch snapshot numbers its documents 0…n as 8 bytes, big-endian).
type docSet struct{ bits []uint64 }

func (s *docSet) add(id index.IndexInternalID) {
	n := binary.BigEndian.Uint64(id)
	for uint64(len(s.bits)) <= n/64 {
		s.bits = append(s.bits, 0)
	}
	s.bits[n/64] |= 1 << (n % 64)
}

func (s *docSet) has(id index.IndexInternalID) bool {
	n := binary.BigEndian.Uint64(id)
	return n/64 < uint64(len(s.bits)) && s.bits[n/64]&(1<<(n%64)) != 0
}
