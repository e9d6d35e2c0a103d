package batch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// pipe is a pipeline that records the units it is given and ingests each
// file as an item of its own, or runs hold first when it is set.
type pipe struct {
	mu    sync.Mutex
	units []ingest.Unit
	hold  func(ctx context.Context)
}

func (p *pipe) Ingest(ctx context.Context, u ingest.Unit) []ingest.Outcome {
	if p.hold != nil {
		p.hold(ctx)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.units = append(p.units, u)
	var out []ingest.Outcome
	for _, f := range u.Files {
		out = append(out, ingest.Outcome{File: f.Name, Status: ingest.Ingested, Item: "item-" + f.Name})
	}
	return out
}

// env is a store with an archivist of tu, and an upload folder.
type env struct {
	store *bolt.Store
	dir   string
	who   access.Principal
}

func newEnv(t *testing.T) *env {
	t.Helper()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	u := &repository.User{Email: "archivist@tu.example", Institution: "tu", Role: "archivist"}
	if err := store.SaveUser(context.Background(), u, "test"); err != nil {
		t.Fatal(err)
	}
	return &env{store: store, dir: t.TempDir(),
		who: access.Principal{User: u.ID, Email: u.Email, Institution: "tu", Role: access.Archivist, Scope: access.ScopeUpload}}
}

func (e *env) service(t *testing.T, cfg Config) *Service {
	t.Helper()
	cfg.Store, cfg.Dir = e.store, e.dir
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// run runs s until the test ends or the returned stop is called, which
// returns once Run has.
func run(t *testing.T, s *Service) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { s.Run(ctx); close(ran) }()
	stop = sync.OnceFunc(func() { cancel(); <-ran })
	t.Cleanup(stop)
	return stop
}

// upload stores an upload of data into the batch, as the upload endpoint
// does, the first sent bytes of it; it returns what is stored of it.
func (e *env) upload(t *testing.T, s *Service, batch, name string, data []byte, sent int) Info {
	t.Helper()
	ctx := context.Background()
	up, err := s.Uploads().NewUpload(ctx, Info{Size: int64(len(data)), MetaData: map[string]string{"batch": batch, "filename": name}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := up.WriteChunk(ctx, 0, strings.NewReader(string(data[:sent]))); err != nil {
		t.Fatal(err)
	}
	info, err := up.GetInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info, err = s.Uploads().Info(ctx, info.ID)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// waitFor polls batch id until ok holds, for a minute at most.
func waitFor(t *testing.T, s *Service, who access.Principal, id string, ok func(*Batch) bool) *Batch {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		b, err := s.Get(context.Background(), who, id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(b) {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch %s: %+v", id, b)
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
}

// TestNewOnTheSameFolderResumesWhatAStopInterrupted: a service stopped
// while an ingest runs (Run returns only once it has ended) leaves its
// files for the next service on the same folder, which ingests them with
// the batch's settings.
func TestNewOnTheSameFolderResumesWhatAStopInterrupted(t *testing.T) {
	e := newEnv(t)
	started := make(chan struct{})
	var ended atomic.Bool
	first := &pipe{hold: func(ctx context.Context) {
		close(started)
		<-ctx.Done()
		ended.Store(true)
	}}
	s := e.service(t, Config{Pipeline: first, Workers: 1})
	b, err := s.Create(context.Background(), e.who, Batch{Institution: "tu", Expected: 2, Access: repository.Access{Level: repository.Restricted}})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.jpg", "b.jpg"} {
		data := []byte("data of " + name)
		s.Completed(e.upload(t, s, b.ID, name, data, len(data)))
	}
	stop := run(t, s)
	<-started
	waitFor(t, s, e.who, b.ID, func(b *Batch) bool { return b.Counts[Ingesting] == 1 && b.Counts[Uploaded] == 1 })
	stop()
	if !ended.Load() {
		t.Fatal("Run returned before the ingest it started had ended")
	}

	second := &pipe{}
	s = e.service(t, Config{Pipeline: second})
	run(t, s)
	got := waitFor(t, s, e.who, b.ID, func(b *Batch) bool { return b.Done })
	if got.Counts[ingest.Ingested] != 2 {
		t.Fatalf("after the restart: %+v", got.Counts)
	}
	second.mu.Lock()
	defer second.mu.Unlock()
	if len(second.units) != 2 {
		t.Fatalf("%d units ingested after the restart, want 2", len(second.units))
	}
	for _, u := range second.units {
		if u.Meta.Institution != "tu" || u.Meta.Access.Level != repository.Restricted || filepath.Dir(u.Files[0].Path) != e.dir {
			t.Errorf("unit after the restart: %+v", u)
		}
		if _, err := os.Stat(u.Files[0].Path); err == nil {
			t.Errorf("the ingested upload's data %s is kept", u.Files[0].Name)
		}
	}
}

// TestSweepExpiresIdleUploadsAndForgetsOldBatches: an upload idle past
// the expiry loses its data and its batch closes; an hour of report
// later, the batch leaves memory and disk, and a restart does not bring
// it back.
func TestSweepExpiresIdleUploadsAndForgetsOldBatches(t *testing.T) {
	e := newEnv(t)
	start := time.Now()
	var ahead atomic.Int64
	cfg := Config{Pipeline: &pipe{}, Expiry: time.Hour, Now: func() time.Time { return start.Add(time.Duration(ahead.Load())) }}
	s := e.service(t, cfg)
	b, err := s.Create(context.Background(), e.who, Batch{Institution: "tu", Expected: 1})
	if err != nil {
		t.Fatal(err)
	}
	info := e.upload(t, s, b.ID, "left.jpg", []byte("half of a file"), 4)
	s.Touch(context.Background(), info.ID)

	ahead.Store(int64(90 * time.Minute))
	s.Sweep()
	got, err := s.Get(context.Background(), e.who, b.ID)
	if err != nil || !got.Expired || !got.Done || got.Files[0].Status != Expired {
		t.Fatalf("after the expiry: %+v %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, info.ID)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the idle upload's data is kept: %v", err)
	}
	if err := s.Check(context.Background(), e.who, b.ID, "late.jpg", false, nil); !errors.Is(err, fault.Gone) {
		t.Fatalf("an upload into the expired batch: %v", err)
	}

	ahead.Store(int64(3 * time.Hour))
	s.Sweep()
	if _, err := s.Get(context.Background(), e.who, b.ID); !errors.Is(err, fault.NotFound) {
		t.Fatalf("the batch after its report's time: %v", err)
	}
	if n := len(s.batches); n != 0 {
		t.Fatalf("%d batches held in memory, want none", n)
	}
	if s = e.service(t, cfg); len(s.batches) != 0 {
		t.Fatalf("a restart brought back %d batches", len(s.batches))
	}
}

// TestEachPersonKeepsAtMostMaxKept: beyond the bound, a person's oldest
// finished batches go first; unfinished ones and other people's stay.
func TestEachPersonKeepsAtMostMaxKept(t *testing.T) {
	e := newEnv(t)
	s := e.service(t, Config{Pipeline: &pipe{}})
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	add := func(id, owner string, done bool, finished time.Time) {
		s.batches[id] = &Batch{ID: id, Owner: owner, Created: finished, Done: done, Finished: finished}
	}
	for i := range MaxKept + 10 {
		add(fmt.Sprintf("f%04d", i), "a", true, now.Add(time.Duration(i)*time.Second-time.Minute*30))
	}
	add("open", "a", false, now.Add(-time.Hour*24*30))
	add("theirs", "b", true, now.Add(-time.Hour))
	s.pruneLocked()
	if len(s.batches) != MaxKept+1 {
		t.Fatalf("%d batches kept, want %d", len(s.batches), MaxKept+1)
	}
	for _, id := range []string{"open", "theirs", fmt.Sprintf("f%04d", 11), fmt.Sprintf("f%04d", MaxKept+9)} {
		if s.batches[id] == nil {
			t.Errorf("batch %s was pruned", id)
		}
	}
	for i := range 11 {
		if id := fmt.Sprintf("f%04d", i); s.batches[id] != nil {
			t.Errorf("old batch %s was kept", id)
		}
	}
}

// TestUploadWorkIsTakenInTurnAcrossPeople: with one worker, a person's
// next file waits while another person's file, queued after it, runs.
func TestUploadWorkIsTakenInTurnAcrossPeople(t *testing.T) {
	q := newQueue(1)
	a, b := &Batch{Institution: "tu", Owner: "a"}, &Batch{Institution: "tu", Owner: "b"}
	for _, j := range []job{{b: a}, {b: a}, {b: a}, {b: b}} {
		q.add(j)
	}
	var order []string
	for range 4 {
		j, ok := q.next()
		if !ok {
			t.Fatalf("no job for a free worker after %v", order)
		}
		if _, again := q.next(); again {
			t.Fatalf("a second job ran on the one worker after %v", order)
		}
		order = append(order, j.b.Owner)
		q.done(j)
	}
	if want := []string{"a", "b", "a", "a"}; !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
}

// TestQueueForgetsWhoHasNoWorkLeft: the turns the queue keeps are of the
// libraries and people with work in it, not of everyone who ever uploaded.
func TestQueueForgetsWhoHasNoWorkLeft(t *testing.T) {
	q := newQueue(2)
	for i := range 1000 {
		j := job{b: &Batch{Institution: "tu", Owner: fmt.Sprintf("person %d", i)}}
		q.add(j)
		j, ok := q.next()
		if !ok {
			t.Fatalf("no job for a free worker at person %d", i)
		}
		q.done(j)
	}
	if len(q.served) != 0 || len(q.running) != 0 || q.busy != 0 {
		t.Fatalf("an empty queue holds %d turns, %d running, %d busy", len(q.served), len(q.running), q.busy)
	}
}
