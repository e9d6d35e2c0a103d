package imageapi

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/thaiarchives/archive/fault"
)

// pool bounds rendering: a few renders at once (about the cores) and a
// short queue behind them; a flood is answered "busy" at once instead of
// waiting without end. Each client (an address) has a share: its further
// requests wait in a line of their own, outside the shared queue, so one
// client cannot starve the rest. Renders also take their working memory
// from a budget in bytes, so several large ones wait for each other
// instead of together taking more than the budget.
type pool struct {
	mem       *semaphore.Weighted
	memBytes  int64
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

func newPool(workers, queue, perClient int, memBytes int64) *pool {
	return &pool{mem: semaphore.NewWeighted(memBytes), memBytes: memBytes, run: make(chan struct{}, workers), waiting: make(chan struct{}, workers+queue),
		perClient: perClient, maxWait: 10 * time.Second, clients: map[string]*share{}}
}

// acquire waits for a place to render and mem bytes of working memory (all
// of the budget at most), and returns its release, or fault.Busy when the
// shared queue is full or the client's line does not move.
func (p *pool) acquire(ctx context.Context, client string, mem int64) (func(), error) {
	mem = min(max(mem, 1), p.memBytes)
	p.mu.Lock()
	sh := p.clients[client]
	if sh == nil {
		sh = &share{slots: make(chan struct{}, p.perClient)}
		p.clients[client] = sh
	}
	if sh.users >= 8*p.perClient {
		p.mu.Unlock()
		return nil, fmt.Errorf("this client already has %d renders asked for: %w", sh.users, fault.Busy)
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
		return nil, fmt.Errorf("this client's renders did not finish within %s: %w", p.maxWait, fault.Busy)
	}
	select {
	case p.waiting <- struct{}{}:
	default:
		<-sh.slots
		leave()
		return nil, fmt.Errorf("the render queue is full: %w", fault.Busy)
	}
	if err := p.mem.Acquire(ctx, mem); err != nil {
		<-p.waiting
		<-sh.slots
		leave()
		return nil, err
	}
	select {
	case p.run <- struct{}{}:
	case <-ctx.Done():
		p.mem.Release(mem)
		<-p.waiting
		<-sh.slots
		leave()
		return nil, ctx.Err()
	}
	return func() { <-p.run; p.mem.Release(mem); <-p.waiting; <-sh.slots; leave() }, nil
}
