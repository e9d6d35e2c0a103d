package s3

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
)

// Every call goes through do: it picks an endpoint (round robin over those
// that answered lately), bounds the call by its own timeout, and on a failure
// of the server or the network (not of the request) tries again on the next
// endpoint after a growing, jittered pause. A distributed MinIO answers on
// any node, so losing one node costs a caller one failed attempt, never an
// error, and a node that was seen failing is passed over for a while. A node
// that answers "slow down" or "no quorum" is alive and settling (the cluster
// has not yet passed over a lost node): then do waits for it, up to
// settleFor, instead of giving up after a fixed number of attempts.

// DefaultTimeout bounds one request's wait for an answer.
const DefaultTimeout = 20 * time.Second

const (
	attempts     = 6
	firstBackoff = 50 * time.Millisecond
	maxBackoff   = 2 * time.Second
	// downFor is how long an endpoint that failed is tried only after the others.
	downFor = 10 * time.Second
	// settleFor bounds the wait on a cluster that answers but is settling.
	settleFor = 30 * time.Second
)

// server is one endpoint (a node of a distributed MinIO, or a
// load balancer) and when it last failed.
type server struct {
	core minio.Core
	addr string
	down atomic.Int64 // unix nanoseconds until which it is passed over
}

// pick returns the endpoint to try next: the round robin's next one that
// did not fail lately, other than but (the one just tried); else but, if
// it did not fail lately; else the round robin's next one.
func (s *Store) pick(but *server) *server {
	n := len(s.endpoints)
	start := int(s.next.Add(1)) % n
	now := time.Now().UnixNano()
	for i := range n {
		if e := s.endpoints[(start+i)%n]; e != but && e.down.Load() <= now {
			return e
		}
	}
	if but != nil && but.down.Load() <= now {
		return but
	}
	return s.endpoints[start]
}

// do runs call against the endpoints until it succeeds, fails for a reason
// another try cannot mend, the attempts run out (and the cluster is not
// settling), or ctx ends. Each attempt gets a context bounded by the store's
// timeout (none when timeout is 0: the call itself bounds its wait, as Get
// does for a body it streams).
func (s *Store) do(ctx context.Context, timeout time.Duration, call func(ctx context.Context, core minio.Core) error) error {
	began := time.Now()
	pause := firstBackoff
	var e *server
	notFounds := 0
	for i := 0; ; i++ {
		e = s.pick(e)
		cctx, cancel := ctx, context.CancelFunc(func() {})
		if timeout > 0 {
			cctx, cancel = context.WithTimeout(ctx, timeout)
		}
		err := call(cctx, e.core)
		cancel()
		if err == nil {
			return nil
		}
		if notFound(err) {
			// While a node is being lost or taken back, a distributed MinIO
			// may answer "no such key" for an object it holds, from one node
			// or two: a key is missing once as many nodes as there are
			// have said so (a node passed over as down is not asked).
			if notFounds++; notFounds < len(s.endpoints) && !s.losingAll() {
				continue
			}
			return err
		}
		if !retryable(ctx, err) {
			return err
		}
		settling := settling(err)
		if !settling {
			e.down.Store(time.Now().Add(downFor).UnixNano())
		}
		if i+1 >= max(attempts, len(s.endpoints)+2) && !(settling && time.Since(began) < settleFor) {
			return err
		}
		if !settling && !s.losingAll() {
			continue // another endpoint that answered lately: try it at once
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause/2 + rand.N(pause/2+1)):
		}
		pause = min(2*pause, maxBackoff)
	}
}

// settling: a live server asks the caller to wait (its cluster is short of
// a quorum while it passes over a lost node, or it is starting).
func settling(err error) bool {
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) {
		return false
	}
	switch resp.Code {
	case "SlowDown", "SlowDownRead", "SlowDownWrite", "ServiceUnavailable", "XMinioServerNotInitialized",
		"XMinioReadQuorum", "XMinioWriteQuorum", "XMinioInsufficientReadQuorum", "XMinioInsufficientWriteQuorum":
		return true
	}
	return resp.StatusCode == http.StatusServiceUnavailable
}

// losingAll reports whether every endpoint failed lately.
func (s *Store) losingAll() bool {
	now := time.Now().UnixNano()
	for _, e := range s.endpoints {
		if e.down.Load() <= now {
			return false
		}
	}
	return true
}

func notFound(err error) bool {
	var resp minio.ErrorResponse
	return errors.As(err, &resp) && (resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound && resp.Code == "")
}

// retryable: a failure of the server or the network, which another attempt
// (on this node or another) may not meet, while the caller still waits.
// Answers about the request itself (no such key, bad range, wrong digest,
// access denied) are final.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if settling(err) {
		return true
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && (resp.Code != "" || resp.StatusCode != 0) {
		return resp.Code == "InternalError" || resp.Code == "RequestTimeout" || resp.StatusCode >= http.StatusInternalServerError
	}
	// Connection refused or reset, a timeout of our own, a cut-off answer.
	return true
}
