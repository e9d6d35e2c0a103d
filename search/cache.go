package search

import (
	"container/list"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/thaiarchives/archive/access"
)

// results remembers recent answers, as Solr's result cache does: the
// words people search for repeat, and the commonest are the dearest to
// count. An answer is kept under the query, the asker's audiences (their
// grants in force included) and the feed position the index had reached, so
// any change to the archive, and a grant's end, makes every earlier answer
// unreachable (they age out).
type results struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *cached, most recent first
	byKey map[string]*list.Element
}

type cached struct {
	key string
	res *Result
}

func newResults(max int) *results {
	return &results{max: max, order: list.New(), byKey: map[string]*list.Element{}}
}

func resultKey(p access.Principal, now time.Time, q Query, c cursor) string {
	aud, all := access.Audiences(p, now)
	b, _ := json.Marshal(struct {
		Q   Query
		Aud []string
		All bool
		C   cursor
	}{q, aud, all, c})
	return string(b)
}

func (r *results) get(key string) (*Result, bool) {
	if r == nil || r.max <= 0 {
		return nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.byKey[key]
	if !ok {
		return nil, false
	}
	r.order.MoveToFront(e)
	return e.Value.(*cached).res, true
}

func (r *results) put(key string, res *Result) {
	if r == nil || r.max <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.byKey[key]; ok {
		r.order.MoveToFront(e)
		return
	}
	r.byKey[key] = r.order.PushFront(&cached{key, res})
	for r.order.Len() > r.max {
		old := r.order.Remove(r.order.Back()).(*cached)
		delete(r.byKey, old.key)
	}
}

// maxQueryBytes and maxClauses bound what one query may ask of the index.
const (
	maxQueryBytes = 1000
	maxClauses    = 32
	maxFilters    = 20
)

func checkSize(q Query) bool {
	if len(q.Text) > maxQueryBytes || strings.Count(q.Text, " ") > 4*maxClauses {
		return false
	}
	for _, v := range q.Filters {
		if len(v) > maxFilters {
			return false
		}
	}
	return len(q.Filters) <= len(Facets)
}
