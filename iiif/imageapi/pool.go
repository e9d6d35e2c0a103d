package imageapi

import (
	"context"
	"fmt"
	"sync"
)

// pool bounds rendering: a few renders at once (about the cores), a short
// queue behind them, and a share per client, so one client cannot starve
// the rest and a flood is answered "busy" at once instead of waiting.
type pool struct {
	run       chan struct{} // a token per render under way
	waiting   chan struct{} // a token per render under way or queued
	perClient int
	mu        sync.Mutex
	clients   map[string]int
}

func newPool(workers, queue, perClient int) *pool {
	return &pool{run: make(chan struct{}, workers), waiting: make(chan struct{}, workers+queue),
		perClient: perClient, clients: map[string]int{}}
}

// acquire waits for a place to render and returns its release, or ErrBusy
// at once when the queue or the client's share is full.
func (p *pool) acquire(ctx context.Context, client string) (func(), error) {
	p.mu.Lock()
	if p.clients[client] >= p.perClient {
		p.mu.Unlock()
		return nil, fmt.Errorf("this client already has %d renders under way: %w", p.perClient, ErrBusy)
	}
	p.clients[client]++
	p.mu.Unlock()
	leave := func() {
		p.mu.Lock()
		if p.clients[client]--; p.clients[client] == 0 {
			delete(p.clients, client)
		}
		p.mu.Unlock()
	}
	select {
	case p.waiting <- struct{}{}:
	default:
		leave()
		return nil, fmt.Errorf("the render queue is full: %w", ErrBusy)
	}
	select {
	case p.run <- struct{}{}:
	case <-ctx.Done():
		<-p.waiting
		leave()
		return nil, ctx.Err()
	}
	return func() { <-p.run; <-p.waiting; leave() }, nil
}
