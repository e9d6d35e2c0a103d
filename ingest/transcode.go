package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
)

// TranscodeConfig is what a Transcoder needs.
type TranscodeConfig struct {
	Store *bolt.Store
	Blobs storage.Blobs
	// Workers is how many recordings are transcoded at once: at least one,
	// at most one per core (default half the cores).
	Workers int
	// Agent is recorded in the derivation events.
	Agent string
	Log   *slog.Logger
	// FFmpeg and FFprobe are the programs' paths (default: found in PATH).
	FFmpeg, FFprobe string
	// TempDir holds a master and its copy while one is made (default the
	// system's temporary folder).
	TempDir string
	// RetryAfter is the wait before a failed copy is tried again; it
	// doubles with each failure, up to six hours (default a minute).
	RetryAfter time.Duration
}

// Transcoder makes, in the background, the copies of audio and video that
// browsers play (see WebCopy), and the waveform thumbnails of recordings.
// An item is registered at once by the pipeline; the transcoder follows the
// store's change feed and gives each recording its copy when it is made, in
// a new version of the item with a derivation event. A failure is recorded
// as an event and tried again later; the item and its master never change.
type Transcoder struct {
	cfg    TranscodeConfig
	mu     sync.Mutex
	jobs   map[string]*job // by item and file number
	queue  []string
	signal chan struct{}
}

// Job states, as Progress reports them.
const (
	JobWaiting = "waiting"
	JobWorking = "transcoding"
	JobFailed  = "failed"
)

// Progress is the state of one recording's browser copy while it is made.
type Progress struct {
	Item    string  `json:"item"`
	File    int     `json:"file"` // from 1
	State   string  `json:"state"`
	Percent float64 `json:"percent"`
	// Message says why the last attempt failed; Retry is when the next begins.
	Message  *Message  `json:"message,omitempty"`
	Attempts int       `json:"attempts,omitempty"`
	Retry    time.Time `json:"retry,omitzero"`
}

type job struct {
	Progress
	sha256 string
	queued bool
}

func jobKey(item string, n int) string { return fmt.Sprintf("%s/%d", item, n) }

// NewTranscoder returns a transcoder with defaults filled in; Run starts it.
func NewTranscoder(cfg TranscodeConfig) *Transcoder {
	if cfg.Workers <= 0 {
		cfg.Workers = max(1, runtime.NumCPU()/2)
	}
	cfg.Workers = min(cfg.Workers, runtime.NumCPU())
	if cfg.Agent == "" {
		cfg.Agent = "archive transcoder"
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
	return &Transcoder{cfg: cfg, jobs: map[string]*job{}, signal: make(chan struct{}, 1)}
}

// Run takes the store's queue of recordings, then follows the change
// feed, giving each recording that lacks one its browser copy, until ctx
// ends; ffmpeg runs under ctx, so a stop kills it (the work is done again
// at the next start, the item being still in the queue).
func (t *Transcoder) Run(ctx context.Context) error {
	if t.cfg.FFmpeg == "" || t.cfg.FFprobe == "" {
		ffmpeg, err1 := exec.LookPath("ffmpeg")
		ffprobe, err2 := exec.LookPath("ffprobe")
		if err := errors.Join(err1, err2); err != nil {
			return &Error{Message: Message{Kind: "media_no_tools"}, Err: err}
		}
		t.cfg.FFmpeg, t.cfg.FFprobe = cmpOr(t.cfg.FFmpeg, ffmpeg), cmpOr(t.cfg.FFprobe, ffprobe)
	}
	var wg sync.WaitGroup
	for range t.cfg.Workers {
		wg.Go(func() { t.work(ctx) })
	}
	defer wg.Wait()
	return t.cfg.Store.FollowWork(ctx, repository.WorkTranscode, t.consider, func(err error) {
		t.cfg.Log.Warn("transcoder: looking for recordings without a browser copy", "err", err)
	})
}

// consider queues the recordings of an item that need work.
func (t *Transcoder) consider(id string) {
	it, err := t.cfg.Store.Item(id)
	if err != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range it.Files {
		f := &it.Files[i]
		key := jobKey(id, i+1)
		j := t.jobs[key]
		if it.Deleted || !f.NeedsTranscode() {
			if j != nil && j.State != JobWorking {
				delete(t.jobs, key)
			}
			continue
		}
		if j == nil {
			j = &job{Progress: Progress{Item: id, File: i + 1, State: JobWaiting}}
			t.jobs[key] = j
		}
		j.sha256 = f.SHA256
		if j.queued || j.State == JobWorking || j.State == JobFailed && time.Now().Before(j.Retry) {
			continue
		}
		j.queued = true
		t.queue = append(t.queue, key)
	}
	if len(t.queue) > 0 {
		t.wake()
	}
}

func (t *Transcoder) wake() {
	select {
	case t.signal <- struct{}{}:
	default:
	}
}

// next takes the first queued job, marking it as being worked on.
func (t *Transcoder) next() (job, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.queue) > 0 {
		key := t.queue[0]
		t.queue = t.queue[1:]
		if j := t.jobs[key]; j != nil && j.queued {
			j.queued, j.State, j.Percent = false, JobWorking, 0
			j.Attempts++
			if len(t.queue) > 0 {
				t.wake() // another worker may take the rest
			}
			return *j, true
		}
	}
	return job{}, false
}

func (t *Transcoder) work(ctx context.Context) {
	for {
		j, ok := t.next()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-t.signal:
			}
			continue
		}
		err := t.make(ctx, j)
		t.finish(ctx, j, err)
	}
}

// finish records what became of a job: gone when done; when it failed, an
// event first (so whoever sees the failure can read it), then a retry.
func (t *Transcoder) finish(ctx context.Context, j job, err error) {
	_, vanished := err.(gone)
	if err != nil && ctx.Err() == nil {
		m := MessageOf(err)
		t.cfg.Log.Warn("transcoder: no browser copy made", "item", j.Item, "file", j.File, "err", m.String())
		if !vanished {
			detail := fmt.Sprintf("file %d: browser copy not made (attempt %d, tried again later): %s", j.File, j.Attempts, m.String())
			if rerr := t.cfg.Store.Record(ctx, repository.Event{Type: "derivation", Object: j.Item, Agent: t.cfg.Agent, Outcome: "failure", Detail: detail}); rerr != nil {
				t.cfg.Log.Warn("transcoder: recording a failure", "item", j.Item, "err", rerr)
			}
		}
	}
	key := jobKey(j.Item, j.File)
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := t.jobs[key]
	if cur == nil && err != nil && !vanished && ctx.Err() == nil {
		// The item could not be saved after the job was taken off (see save).
		cur = &job{Progress: j.Progress, sha256: j.sha256}
		t.jobs[key] = cur
	}
	switch {
	case cur == nil:
	case err == nil || vanished:
		delete(t.jobs, key)
	case ctx.Err() != nil:
		cur.State = JobWaiting // stopped: done again at the next start
	default:
		m := MessageOf(err)
		wait := min(t.cfg.RetryAfter<<min(cur.Attempts-1, 20), 6*time.Hour)
		cur.State, cur.Message, cur.Retry, cur.Percent = JobFailed, &m, time.Now().Add(wait), 0
		time.AfterFunc(wait, func() {
			if ctx.Err() == nil {
				t.consider(j.Item)
			}
		})
	}
}

// gone is the error of a job whose file was changed or withdrawn meanwhile.
type gone struct{ error }

// setPercent records a running job's progress.
func (t *Transcoder) setPercent(j job, pct float64) {
	t.mu.Lock()
	if cur := t.jobs[jobKey(j.Item, j.File)]; cur != nil && cur.State == JobWorking {
		cur.Percent = pct
	}
	t.mu.Unlock()
}

// Progress reports the recordings of an item whose browser copies are
// still to be made, in file order; none when all are made.
func (t *Transcoder) Progress(item string) []Progress {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Progress
	for _, j := range t.jobs {
		if j.Item == item {
			out = append(out, j.Progress)
		}
	}
	slices.SortFunc(out, func(a, b Progress) int { return a.File - b.File })
	return out
}

// make gives one recording its browser copy (and audio its waveform), and
// saves them into a new version of the item.
func (t *Transcoder) make(ctx context.Context, j job) error {
	it, err := t.cfg.Store.Item(j.Item)
	if err != nil {
		return gone{err}
	}
	if it.Deleted || j.File > len(it.Files) || it.Files[j.File-1].SHA256 != j.sha256 {
		return gone{fmt.Errorf("item %s changed meanwhile", j.Item)}
	}
	f := it.Files[j.File-1]
	dir, err := os.MkdirTemp(t.cfg.TempDir, "transcode-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	master := filepath.Join(dir, "master")
	if err := t.fetch(ctx, storage.DigestKey(f.SHA256), master); err != nil {
		return err
	}
	pr, err := t.probe(ctx, master, f.MediaType)
	if err != nil {
		return err
	}
	var notes []string
	derived := map[string]string{}
	web := f.Web
	if web == nil {
		web, notes, err = t.webCopy(ctx, j, f, pr, dir, master, derived)
		if err != nil {
			return err
		}
	}
	if strings.HasPrefix(f.MediaType, "audio/") && f.Derivatives["thumb"] == "" {
		key := DerivativeKey(f.SHA256, "waveform.jpg")
		if err := t.waveform(ctx, f.MediaType, master, key); err != nil {
			return err
		}
		derived["thumb"] = key
		notes = append(notes, "waveform thumbnail")
	}
	return t.save(ctx, j, web, derived, fmt.Sprintf("%s: %s", f.Name, strings.Join(notes, ", ")))
}

// fetch copies a blob into a local file, for ffmpeg to seek in.
func (t *Transcoder) fetch(ctx context.Context, key, to string) error {
	rc, err := t.cfg.Blobs.Get(ctx, key, 0, -1)
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(out, storage.ContextReader(ctx, rc), make([]byte, 1<<20)); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// put stores a local file under key.
func (t *Transcoder) put(ctx context.Context, key, from, ctype string) error {
	f, err := os.Open(from)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	_, err = t.cfg.Blobs.Put(ctx, key, f, storage.PutOptions{Size: st.Size(), ContentType: ctype})
	return err
}

// save writes what was made into a new version of the item, reading it
// again when an archivist saved it meanwhile.
func (t *Transcoder) save(ctx context.Context, j job, web *repository.WebCopy, derived map[string]string, detail string) error {
	for range 5 {
		it, err := t.cfg.Store.Item(j.Item)
		if err != nil {
			return err
		}
		if it.Deleted || j.File > len(it.Files) || it.Files[j.File-1].SHA256 != j.sha256 {
			return gone{fmt.Errorf("item %s changed meanwhile", j.Item)}
		}
		f := &it.Files[j.File-1]
		f.Web = web
		if len(derived) > 0 {
			f.Derivatives = cloneMap(f.Derivatives)
			for role, key := range derived {
				f.Derivatives[role] = key
			}
		}
		if err := sealDerivatives(ctx, t.cfg.Blobs, it.Files[j.File-1:j.File]); err != nil {
			return err
		}
		// Done once saved: no progress is shown beside a copy that is there.
		t.mu.Lock()
		delete(t.jobs, jobKey(j.Item, j.File))
		t.mu.Unlock()
		err = t.cfg.Store.SaveItem(ctx, it, t.cfg.Agent, repository.Event{Type: "derivation", Outcome: "success", Detail: detail})
		if !errors.Is(err, fault.Conflict) {
			return err
		}
	}
	return fmt.Errorf("item %s kept changing while its browser copy was saved", j.Item)
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+2)
	for k, v := range m {
		out[k] = v
	}
	return out
}
