package signin

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"github.com/crewjam/saml"

	"github.com/thaiarchives/archive/fault"
)

// flowTTL is how long a sign-in may take at the provider.
const flowTTL = 10 * time.Minute

// flow is a sign-in begun here, kept on the server under its state until
// the provider's answer comes back: once.
type flow struct {
	library, provider string
	nonce, verifier   string // OpenID Connect
	requestID         string // SAML
	next              string
	link              string // the account the person is linking, if any
	expires           time.Time
}

// flows are the sign-ins under way and the SAML assertions already taken.
// They live in the memory of the node that began them (a restart asks
// people to sign in again).
type flows struct {
	mu    sync.Mutex
	now   func() time.Time
	max   int // open flows at most: anyone may begin one
	open  map[string]flow
	taken map[string]time.Time // assertion ID → until when it is remembered
}

func newFlows(now func() time.Time) *flows {
	return &flows{now: now, max: 100_000, open: map[string]flow{}, taken: map[string]time.Time{}}
}

// begin keeps f and returns its state, a random value; when too many
// sign-ins are under way, it refuses (busy) rather than grow.
func (fs *flows) begin(f flow) (string, error) {
	state := random()
	fs.mu.Lock()
	defer fs.mu.Unlock()
	now := fs.now()
	for k, o := range fs.open {
		if now.After(o.expires) {
			delete(fs.open, k)
		}
	}
	if len(fs.open) >= fs.max {
		return "", fault.E("university sign-in", fault.Busy, f.library, errors.New("too many sign-ins are under way; try again in a moment"))
	}
	f.expires = now.Add(flowTTL)
	fs.open[state] = f
	return state, nil
}

// take returns the flow of state and forgets it, so an answer is taken
// once; false for an unknown or expired state.
func (fs *flows) take(state string) (flow, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, ok := fs.open[state]
	delete(fs.open, state)
	if !ok || fs.now().After(f.expires) {
		return flow{}, false
	}
	return f, true
}

// peek returns the flow of state, leaving it for take.
func (fs *flows) peek(state string) (flow, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, ok := fs.open[state]
	if !ok || fs.now().After(f.expires) {
		return flow{}, false
	}
	return f, true
}

// Consume records an accepted SAML assertion's ID until it expires, and
// refuses one seen before (saml.AssertionReplayCache).
func (fs *flows) Consume(id string, expires time.Time) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	now := fs.now()
	for k, until := range fs.taken {
		if now.After(until) {
			delete(fs.taken, k)
		}
	}
	if _, seen := fs.taken[id]; seen {
		return saml.ErrAssertionReplayed
	}
	fs.taken[id] = expires
	return nil
}

func random() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
