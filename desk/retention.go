package desk

import (
	"context"
	"time"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// DefaultRetention is how long a decided request is kept when its
// library sets nothing else.
const DefaultRetention = 365 * 24 * time.Hour

// Retention says how long each library keeps decided requests.
type Retention struct {
	// Keep is the period of each library (by id); Default for the others
	// (0: DefaultRetention).
	Keep    map[string]time.Duration
	Default time.Duration
	// Blobs removes the requests' records from storage.
	Blobs storage.Remover
}

// PruneStore is what pruning needs of the metadata store.
type PruneStore interface {
	Institutions() ([]*repository.Institution, error)
	RequestsOf(institution string) ([]*repository.Request, error)
	RemoveRequest(ctx context.Context, id string, blobs storage.Remover) error
}

// Prune removes for good the requests decided more than their library's
// period before now: a refusal from its decision, a grant from its end.
// Requests still waiting are kept. It returns how many went.
func (r Retention) Prune(ctx context.Context, st PruneStore, now time.Time) (int, error) {
	libs, err := st.Institutions()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, in := range libs {
		keep, ok := r.Keep[in.ID]
		switch {
		case ok:
		case r.Default > 0:
			keep = r.Default
		default:
			keep = DefaultRetention
		}
		rs, err := st.RequestsOf(in.ID)
		if err != nil {
			return n, err
		}
		for _, q := range rs {
			done := q.DecidedAt
			if q.Until.After(done) {
				done = q.Until
			}
			if q.Status == repository.Asked || done.IsZero() || !now.After(done.Add(keep)) {
				continue
			}
			if err := ctx.Err(); err != nil {
				return n, err
			}
			if err := st.RemoveRequest(ctx, q.ID, r.Blobs); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
