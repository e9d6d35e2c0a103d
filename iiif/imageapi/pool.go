package imageapi

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// pool bounds rendering: a few renders at once (about the cores) and a
// short queue behind them; a flood is answered "busy" at once instead of
// waiting without end. Each client (an address) has a share: its further
// requests wait in a line of their own, outside the shared queue, so one
// client cannot starve the rest.
type pool struct {
	run       chan struct{} // a token per render under way
	waiting   chan struct{} // a token per render under way or queued
	perClient int
	maxWait   time.Duration // how long a client's request waits for its share
	mu        sync.Mutex
	clients   map[string]*share
}

type share struct {
	slots chan struct{}
	users int
}

func newPool(workers, queue, perClient int) *pool {
	return &pool{run: make(chan struct{}, workers), waiting: make(chan struct{}, workers+queue),
		perClient: perClient, maxWait: 10 * time.Second, clients: map[string]*share{}}
}

// acquire waits for a place to render and returns its release, or ErrBusy
// when the shared queue is full or the client's line does not move.
func (p *pool) acquire(ctx context.Context, client string) (func(), error) {
	p.mu.Lock()
	sh := p.clients[client]
	if sh == nil {
		sh = &share{slots: make(chan struct{}, p.perClient)}
		p.clients[client] = sh
	}
	if sh.users >= 8*p.perClient {
		p.mu.Unlock()
		return nil, fmt.Errorf("this client already has %d renders asked for: %w", sh.users, ErrBusy)
	}
	sh.users++
	p.mu.Unlock()
	leave := func() {
		p.mu.Lock()
		if sh.users--; sh.users == 0 {
			delete(p.clients, client)
		}
		p.mu.Unlock()
	}
	timer := time.NewTimer(p.maxWait)
	defer timer.Stop()
	select {
	case sh.slots <- struct{}{}:
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	case <-timer.C:
		leave()
		return nil, fmt.Errorf("this client's renders did not finish within %s: %w", p.maxWait, ErrBusy)
	}
	select {
	case p.waiting <- struct{}{}:
	default:
		<-sh.slots
		leave()
		return nil, fmt.Errorf("the render queue is full: %w", ErrBusy)
	}
	select {
	case p.run <- struct{}{}:
	case <-ctx.Done():
		<-p.waiting
		<-sh.slots
		leave()
		return nil, ctx.Err()
	}
	return func() { <-p.run; <-p.waiting; <-sh.slots; leave() }, nil
}
