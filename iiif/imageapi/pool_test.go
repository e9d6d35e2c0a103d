package imageapi

import (
	"context"
	"errors"
	"image"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
)

func TestPoolAnswersBusyWhenTheQueueIsFull(t *testing.T) {
	p := newPool(1, 1, 4, 1<<20)
	ctx := context.Background()
	r1, err := p.acquire(ctx, "a", 1) // runs
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { // queued behind it
		r, err := p.acquire(ctx, "b", 1)
		if err == nil {
			r()
		}
		got <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for len(p.waiting) < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling until the second request is queued
	}
	if _, err := p.acquire(ctx, "c", 1); !errors.Is(err, fault.Busy) {
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
	p := newPool(1, 3, 1, 1<<20)
	p.maxWait = 50 * time.Millisecond
	ctx := context.Background()
	r1, err := p.acquire(ctx, "greedy", 1)
	if err != nil {
		t.Fatal(err)
	}
	// The greedy client's next request waits in its own line, then gives up…
	if _, err := p.acquire(ctx, "greedy", 1); !errors.Is(err, fault.Busy) {
		t.Fatalf("greedy client's second render: %v", err)
	}
	// …while another client still finds room in the shared queue.
	done := make(chan error, 1)
	go func() {
		r, err := p.acquire(ctx, "polite", 1)
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
	p := newPool(1, 2, 2, 1<<20)
	r1, _ := p.acquire(context.Background(), "a", 1)
	defer r1()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.acquire(ctx, "a", 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled request: %v", err)
	}
	if len(p.waiting) != 1 {
		t.Fatalf("the cancelled request kept its place: %d waiting", len(p.waiting))
	}
}

func TestAClientsLineIsShort(t *testing.T) {
	p := newPool(1, 1, 1, 1<<20)
	r1, _ := p.acquire(context.Background(), "a", 1)
	defer r1()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 7 { // seven more wait in a's line (cancelled at the end)
		go p.acquire(ctx, "a", 1)
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
	if _, err := p.acquire(context.Background(), "a", 1); !errors.Is(err, fault.Busy) || !strings.Contains(err.Error(), "renders asked for") {
		t.Fatalf("the ninth request of one client: %v", err)
	}
}

func TestLargeRendersWaitForMemory(t *testing.T) {
	p := newPool(2, 2, 4, 100)
	r1, err := p.acquire(context.Background(), "a", 70)
	if err != nil {
		t.Fatal(err)
	}
	// A second large render has a worker free but not the memory: it waits.
	got := make(chan func(), 1)
	go func() {
		r, err := p.acquire(context.Background(), "b", 1000) // more than the whole budget: takes all of it
		if err != nil {
			t.Error(err)
		}
		got <- r
	}()
	select {
	case <-got:
		t.Fatal("a render that does not fit in the memory left started")
	case <-time.After(50 * time.Millisecond): // it should still be waiting
	}
	r1()
	r2 := <-got
	if p.mem.TryAcquire(1) {
		t.Fatal("the budget is not all taken by the render that asked for more than all of it")
	}
	r2()
	if !p.mem.TryAcquire(100) {
		t.Fatal("memory not given back")
	}
}

func TestWorkingBytesFollowTheLevelsAndScales(t *testing.T) {
	levels := []image.Point{{8000, 6000}, {4000, 3000}, {2000, 1500}, {1000, 750}, {500, 375}, {250, 188}}
	full := Plan{Region: image.Rect(0, 0, 8000, 6000), W: 1000, H: 750}
	if got, want := WorkingBytes(full, levels, 256), int64(1000*750*4*4); got != want {
		t.Errorf("whole image at level 3: %d bytes, want %d", got, want)
	}
	view := Plan{Region: image.Rect(0, 0, 8000, 6000), W: 1400, H: 1050}
	// level 2 (2000×1500) decoded whole: only halvings are done at decoding
	if got, want := WorkingBytes(view, levels, 256), int64(2000*1500*4+3*1400*1050*4); got != want {
		t.Errorf("1400 px view: %d bytes, want %d", got, want)
	}
	thumb := Plan{Region: image.Rect(0, 0, 8000, 6000), W: 100, H: 75}
	// below the last level (250×188): decoded at 4/8, 125×94
	if got, want := WorkingBytes(thumb, levels, 256), int64(125*94*4+3*100*75*4); got != want {
		t.Errorf("100 px thumbnail: %d bytes, want %d", got, want)
	}
}
