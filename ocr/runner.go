package ocr

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
)

// Config is what a Runner needs.
type Config struct {
	Store *bolt.Store
	Blobs storage.Blobs
	// Workers is how many pages are read at once (default the cores).
	Workers int
	// Agent is recorded in the derivation events.
	Agent string
	Log   *slog.Logger
	// TempDir holds a page image while it is read (default the system's).
	TempDir string
	// RetryAfter is the wait before a failed item is tried again; it
	// doubles with each failure, up to six hours (default a minute).
	RetryAfter time.Duration
	// SaveEvery is how many pages are read before they are saved, so that
	// a long item becomes searchable as it goes (default 25).
	SaveEvery int
	// Tesseract reads the pages (default: found in PATH).
	Tesseract *Tesseract
}

// Runner reads, in the background, the text of the pages of items whose
// type is Text (and of any item asked for with Request): with Tesseract
// from the access copy, or from a PDF's own text layer where it has one.
// Each page gets an "alto" derivative (its words and their boxes) and a
// "text" one (what the catalogue indexes). An item is registered at once
// by ingest and becomes searchable as its pages are read; a failure is
// recorded as an event and tried again later, and the item never changes
// but for what is added to it.
type Runner struct {
	cfg    Config
	pages  chan struct{} // a token per page being read
	mu     sync.Mutex
	jobs   map[string]*job
	queue  []string
	asked  map[string]bool // items asked for whatever their type
	signal chan struct{}
}

// Job states, as Progress reports them.
const (
	Waiting = "waiting"
	Reading = "reading"
	Failed  = "failed"
)

// Progress is how the reading of one item's pages comes along.
type Progress struct {
	Item  string `json:"item"`
	State string `json:"state"`
	Pages int    `json:"pages"` // pages to read in this pass
	Done  int    `json:"done"`
	// Message says why the last attempt failed; Retry is when the next begins.
	Message  string    `json:"message,omitempty"`
	Attempts int       `json:"attempts,omitempty"`
	Retry    time.Time `json:"retry,omitzero"`
}

type job struct {
	Progress
	queued bool
}

// NewRunner returns a runner with defaults filled in; Run starts it.
func NewRunner(cfg Config) *Runner {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.Agent == "" {
		cfg.Agent = "archive ocr"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = time.Minute
	}
	if cfg.TempDir == "" {
		cfg.TempDir = os.TempDir()
	}
	if cfg.SaveEvery <= 0 {
		cfg.SaveEvery = 25
	}
	if cfg.Tesseract == nil {
		cfg.Tesseract = &Tesseract{}
	}
	return &Runner{cfg: cfg, pages: make(chan struct{}, cfg.Workers), jobs: map[string]*job{}, asked: map[string]bool{},
		signal: make(chan struct{}, 1)}
}

// Run takes the store's queue of items of type Text with pages unread,
// then follows the change feed, until ctx ends; tesseract runs under ctx,
// so a stop kills it (what was not saved is read again at the next start,
// the item being still in the queue).
func (r *Runner) Run(ctx context.Context) error {
	if err := r.cfg.Tesseract.Check(); err != nil {
		return err
	}
	var wg sync.WaitGroup
	for range r.cfg.Workers {
		wg.Go(func() { r.work(ctx) })
	}
	defer wg.Wait()
	return r.cfg.Store.FollowWork(ctx, repository.WorkText, r.consider, func(err error) {
		r.cfg.Log.Warn("ocr: looking for pages without text", "err", err)
	})
}

// Request asks for an item's pages to be read whatever its type.
func (r *Runner) Request(id string) {
	r.mu.Lock()
	r.asked[id] = true
	r.mu.Unlock()
	r.consider(id)
}

// Unread lists the files (indexes from 0) of an item whose text is still
// to be read: pages with an access copy and no "alto" derivative.
func Unread(it *repository.Item) []int {
	var out []int
	for i := range it.Files {
		if it.Files[i].TextUnread() {
			out = append(out, i)
		}
	}
	return out
}

// consider queues an item whose pages need reading.
func (r *Runner) consider(id string) {
	it, err := r.cfg.Store.Item(id)
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	j := r.jobs[id]
	if it.Deleted || (it.Type != "Text" && !r.asked[id]) || len(Unread(it)) == 0 {
		if j != nil && j.State != Reading {
			delete(r.jobs, id)
		}
		if j == nil || j.State != Reading {
			delete(r.asked, id) // nothing (more) to read
		}
		return
	}
	if j == nil {
		j = &job{Progress: Progress{Item: id, State: Waiting}}
		r.jobs[id] = j
	}
	if j.queued || j.State == Reading || j.State == Failed && time.Now().Before(j.Retry) {
		return
	}
	j.queued = true
	r.queue = append(r.queue, id)
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

func (r *Runner) next() (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.queue) > 0 {
		id := r.queue[0]
		r.queue = r.queue[1:]
		if j := r.jobs[id]; j != nil && j.queued {
			j.queued, j.State, j.Done, j.Pages = false, Reading, 0, 0
			j.Attempts++
			if len(r.queue) > 0 {
				select {
				case r.signal <- struct{}{}:
				default:
				}
			}
			return id, true
		}
	}
	return "", false
}

func (r *Runner) work(ctx context.Context) {
	for {
		id, ok := r.next()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-r.signal:
			}
			continue
		}
		err := r.Item(ctx, id, func(done, total int) { r.setProgress(id, done, total) })
		r.finish(ctx, id, err)
	}
}

func (r *Runner) setProgress(id string, done, total int) {
	r.mu.Lock()
	if j := r.jobs[id]; j != nil {
		j.Done, j.Pages = done, total
	}
	r.mu.Unlock()
}

// finish records what became of an item: gone when done; when it failed,
// an event first, then a retry after a wait that doubles each time.
func (r *Runner) finish(ctx context.Context, id string, err error) {
	if err != nil && ctx.Err() == nil {
		r.cfg.Log.Warn("ocr: pages not read", "item", id, "err", err)
		detail := fmt.Sprintf("text of the pages not read (tried again later): %v", err)
		if rerr := r.cfg.Store.Record(ctx, repository.Event{Type: "derivation", Object: id, Agent: r.cfg.Agent, Outcome: "failure", Detail: detail}); rerr != nil {
			r.cfg.Log.Warn("ocr: recording a failure", "item", id, "err", rerr)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	j := r.jobs[id]
	switch {
	case j == nil:
	case err == nil:
		delete(r.jobs, id)
		delete(r.asked, id)
	case ctx.Err() != nil:
		j.State = Waiting
	default:
		wait := min(r.cfg.RetryAfter<<min(j.Attempts-1, 20), 6*time.Hour)
		j.State, j.Message, j.Retry = Failed, err.Error(), time.Now().Add(wait)
		time.AfterFunc(wait, func() {
			if ctx.Err() == nil {
				r.consider(id)
			}
		})
	}
}

// Progress reports how the reading of an item's pages comes along; nil
// when nothing is waiting to be read.
func (r *Runner) Progress(item string) *Progress {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if j := r.jobs[item]; j != nil {
		p := j.Progress
		return &p
	}
	return nil
}
