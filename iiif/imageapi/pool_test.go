package imageapi

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPoolAnswersBusyWhenTheQueueIsFull(t *testing.T) {
	p := newPool(1, 1, 4)
	ctx := context.Background()
	r1, err := p.acquire(ctx, "a") // runs
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { // queued behind it
		r, err := p.acquire(ctx, "b")
		if err == nil {
			r()
		}
		got <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for len(p.waiting) < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling until the second request is queued
	}
	if _, err := p.acquire(ctx, "c"); !errors.Is(err, ErrBusy) {
		t.Fatalf("third request with one worker and a queue of one: %v", err)
	}
	r1()
	if err := <-got; err != nil {
		t.Fatalf("the queued request: %v", err)
	}
	if len(p.clients) != 0 || len(p.waiting) != 0 || len(p.run) != 0 {
		t.Fatalf("pool not empty after release: %d clients, %d waiting, %d running", len(p.clients), len(p.waiting), len(p.run))
	}
}

func TestOneClientCannotTakeTheWholeQueue(t *testing.T) {
	p := newPool(1, 3, 1)
	p.maxWait = 50 * time.Millisecond
	ctx := context.Background()
	r1, err := p.acquire(ctx, "greedy")
	if err != nil {
		t.Fatal(err)
	}
	// The greedy client's next request waits in its own line, then gives up…
	if _, err := p.acquire(ctx, "greedy"); !errors.Is(err, ErrBusy) {
		t.Fatalf("greedy client's second render: %v", err)
	}
	// …while another client still finds room in the shared queue.
	done := make(chan error, 1)
	go func() {
		r, err := p.acquire(ctx, "polite")
		if err == nil {
			r()
		}
		done <- err
	}()
	r1()
	if err := <-done; err != nil {
		t.Fatalf("the other client: %v", err)
	}
}

func TestPoolGivesUpWhenTheClientLeaves(t *testing.T) {
	p := newPool(1, 2, 2)
	r1, _ := p.acquire(context.Background(), "a")
	defer r1()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.acquire(ctx, "a"); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled request: %v", err)
	}
	if len(p.waiting) != 1 {
		t.Fatalf("the cancelled request kept its place: %d waiting", len(p.waiting))
	}
}

func TestAClientsLineIsShort(t *testing.T) {
	p := newPool(1, 1, 1)
	r1, _ := p.acquire(context.Background(), "a")
	defer r1()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 7 { // seven more wait in a's line (cancelled at the end)
		go p.acquire(ctx, "a")
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		n := p.clients["a"].users
		p.mu.Unlock()
		if n == 8 {
			break
		}
		time.Sleep(time.Millisecond) // polling until all seven wait
	}
	// Refused at once (not after waiting its turn in the line).
	if _, err := p.acquire(context.Background(), "a"); !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "renders asked for") {
		t.Fatalf("the ninth request of one client: %v", err)
	}
}
