package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/thaiarchives/archive/pyramid"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// Config is what a Runner needs.
type Config struct {
	Store *repository.Store
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

// Run looks at every item once, then follows the change feed, until ctx
// ends; tesseract runs under ctx, so a stop kills it (what was not saved is
// read again at the next start).
func (r *Runner) Run(ctx context.Context) error {
	if err := r.cfg.Tesseract.Check(); err != nil {
		return err
	}
	_, last, err := r.cfg.Store.FeedEpoch()
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	for range r.cfg.Workers {
		wg.Go(func() { r.work(ctx) })
	}
	defer wg.Wait()
	if err := r.scanAll(ctx); err != nil && ctx.Err() == nil {
		r.cfg.Log.Warn("ocr: looking for pages without text", "err", err)
	}
	for {
		if err := r.cfg.Store.FeedWait(ctx, last); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		entries, err := r.cfg.Store.Feed(last, 500)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.Kind == "item" {
				r.consider(e.ID)
			}
			last = e.Seq
		}
	}
}

// Request asks for an item's pages to be read whatever its type.
func (r *Runner) Request(id string) {
	r.mu.Lock()
	r.asked[id] = true
	r.mu.Unlock()
	r.consider(id)
}

func (r *Runner) scanAll(ctx context.Context) error {
	ins, err := r.cfg.Store.Institutions()
	if err != nil {
		return err
	}
	for _, in := range ins {
		after := ""
		for ctx.Err() == nil {
			page, err := r.cfg.Store.ItemsOfInstitution(in.ID, after, 500)
			if err != nil {
				return err
			}
			for _, id := range page.IDs {
				r.consider(id)
			}
			if page.Next == "" {
				break
			}
			after = page.Next
		}
	}
	return ctx.Err()
}

// Unread lists the files (indexes from 0) of an item whose text is still
// to be read: pages with an access copy and no "alto" derivative.
func Unread(it *repository.Item) []int {
	var out []int
	for i, f := range it.Files {
		if f.Derivatives["access"] != "" && f.Derivatives["alto"] == "" {
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

// read is one page's text, ready to be saved.
type read struct {
	file   int // index
	sha256 string
	page   *Page
	how    string
}

// Item reads the text of an item's unread pages now, saving as it goes;
// progress (if not nil) hears of every page read. Pages are read at most
// Workers at a time, across every item.
func (r *Runner) Item(ctx context.Context, id string, progress func(done, total int)) error {
	it, err := r.cfg.Store.Item(id)
	if err != nil {
		return err
	}
	todo := Unread(it)
	if it.Deleted || len(todo) == 0 {
		return nil
	}
	dir, err := os.MkdirTemp(r.cfg.TempDir, "ocr-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	layers, err := r.textLayers(ctx, it, todo, dir)
	if err != nil {
		return err
	}
	langs := r.cfg.Tesseract.Languages(it.Language)
	results := make(chan read)
	errs := make(chan error, len(todo))
	var wg sync.WaitGroup
	for _, i := range todo {
		f := it.Files[i]
		if p := layers[i]; p != nil {
			wg.Go(func() { results <- read{i, f.SHA256, p, "the PDF's text layer"} })
			continue
		}
		wg.Go(func() {
			select {
			case r.pages <- struct{}{}:
			case <-ctx.Done():
				errs <- ctx.Err()
				return
			}
			defer func() { <-r.pages }()
			p, err := r.page(ctx, f, filepath.Join(dir, fmt.Sprintf("p%d", i+1)), langs)
			if err != nil {
				errs <- fmt.Errorf("file %d (%s): %w", i+1, f.Name, err)
				return
			}
			results <- read{i, f.SHA256, p, "tesseract " + langs}
		})
	}
	go func() { wg.Wait(); close(results) }()
	var batch []read
	done := 0
	var saveErr error
	for rd := range results {
		batch = append(batch, rd)
		done++
		if progress != nil {
			progress(done, len(todo))
		}
		if len(batch) >= r.cfg.SaveEvery {
			saveErr = errors.Join(saveErr, r.save(ctx, id, batch))
			batch = nil
		}
	}
	if len(batch) > 0 {
		saveErr = errors.Join(saveErr, r.save(ctx, id, batch))
	}
	close(errs)
	var failed []error
	for e := range errs {
		failed = append(failed, e)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d pages: %w", len(failed), len(todo), failed[0])
	}
	return saveErr
}

// textLayers reads the text layer of the PDFs among the pages: a page with
// one needs no OCR.
func (r *Runner) textLayers(ctx context.Context, it *repository.Item, todo []int, dir string) (map[int]*Page, error) {
	out := map[int]*Page{}
	byMaster := map[string][]int{}
	for _, i := range todo {
		if f := it.Files[i]; f.MediaType == "application/pdf" && f.Derivatives["text"] != "" {
			byMaster[f.SHA256] = append(byMaster[f.SHA256], i)
		}
	}
	for sha, files := range byMaster {
		path := filepath.Join(dir, "master.pdf")
		if err := fetch(ctx, r.cfg.Blobs, storage.DigestKey(sha), path); err != nil {
			return nil, err
		}
		sizes := map[int][2]int{}
		for _, i := range files {
			f := it.Files[i]
			sizes[max(f.Page, 1)] = [2]int{f.Width, f.Height}
		}
		pages, err := PDFText(ctx, path, func(n int) (int, int) { s := sizes[n]; return s[0], s[1] })
		if err != nil {
			return nil, err
		}
		for _, i := range files {
			if n := max(it.Files[i].Page, 1); n <= len(pages) && pages[n-1] != nil {
				out[i] = pages[n-1]
			}
		}
		os.Remove(path)
	}
	return out, nil
}

// ocrEdge is the long side of the image Tesseract reads: about 300 dpi for
// an A4 page. A larger access copy is read from the smallest pyramid level
// at least this long.
const ocrEdge = 3300

// page reads one page from its access copy with Tesseract.
func (r *Runner) page(ctx context.Context, f repository.File, base, langs string) (*Page, error) {
	tif := base + ".access.tif"
	if err := fetch(ctx, r.cfg.Blobs, f.Derivatives["access"], tif); err != nil {
		return nil, err
	}
	defer os.Remove(tif)
	fh, err := os.Open(tif)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	pyr, err := pyramid.Read(fh)
	if err != nil {
		return nil, fmt.Errorf("access copy: %w", err)
	}
	level := 0
	for k, l := range pyr.Levels {
		if max(l.Width, l.Height) >= ocrEdge {
			level = k
		}
	}
	lv := pyr.Levels[level]
	lw, lh := lv.Width, lv.Height
	img := base + ".pgm"
	if err := writeLevel(ctx, fh, lv, img); err != nil {
		return nil, fmt.Errorf("access copy: %w", err)
	}
	defer os.Remove(img)
	p, err := r.cfg.Tesseract.Recognize(ctx, img, langs)
	if err != nil {
		return nil, err
	}
	w, h := cmpOr(f.Width, lw), cmpOr(f.Height, lh)
	p.Scale(float64(w)/float64(lw), w, h)
	return p, nil
}

// writeLevel decodes one level of the pyramid in f into a grey PGM image,
// which Tesseract reads as it stands.
func writeLevel(ctx context.Context, f io.ReaderAt, lv *pyramid.IFD, to string) error {
	g := image.NewGray(image.Rect(0, 0, lv.Width, lv.Height))
	for row := range lv.Rows() {
		if err := ctx.Err(); err != nil {
			return err
		}
		for col := range lv.Cols() {
			off, n, _ := lv.Tile(col, row)
			data := make([]byte, n)
			if _, err := f.ReadAt(data, off); err != nil {
				return err
			}
			tile, err := lv.DecodeTile(data)
			if err != nil {
				return err
			}
			at := image.Pt(col*lv.TileW, row*lv.TileH)
			draw.Draw(g, image.Rectangle{Min: at, Max: at.Add(tile.Bounds().Size())}, tile, tile.Bounds().Min, draw.Src)
		}
	}
	out := bytes.NewBuffer(make([]byte, 0, len(g.Pix)+32))
	fmt.Fprintf(out, "P5\n%d %d\n255\n", lv.Width, lv.Height)
	out.Write(g.Pix)
	return os.WriteFile(to, out.Bytes(), 0o600)
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// save stores the pages' ALTO and text, then records them in a new version
// of the item, reading it again when it was saved meanwhile.
func (r *Runner) save(ctx context.Context, id string, batch []read) error {
	keys := map[int][2]string{}
	var hows []string
	for _, rd := range batch {
		alto := rd.page.WriteALTO(fmt.Sprintf("%s file %d", id, rd.file+1), rd.how)
		ak := derivativeKey(rd.sha256, fmt.Sprintf("p%d.alto.xml", rd.file+1))
		if err := put(ctx, r.cfg.Blobs, ak, alto, "application/xml; charset=utf-8"); err != nil {
			return err
		}
		tk := ""
		if text := strings.TrimSpace(rd.page.Text()); text != "" {
			tk = derivativeKey(rd.sha256, fmt.Sprintf("p%d.ocr.txt", rd.file+1))
			if err := put(ctx, r.cfg.Blobs, tk, []byte(text), "text/plain; charset=utf-8"); err != nil {
				return err
			}
		}
		keys[rd.file] = [2]string{ak, tk}
		if !slices.Contains(hows, rd.how) {
			hows = append(hows, rd.how)
		}
	}
	for range 5 {
		it, err := r.cfg.Store.Item(id)
		if err != nil {
			return err
		}
		if it.Deleted {
			return nil
		}
		n := 0
		for _, rd := range batch {
			if rd.file >= len(it.Files) || it.Files[rd.file].SHA256 != rd.sha256 {
				continue // the item's files changed meanwhile
			}
			f := &it.Files[rd.file]
			d := make(map[string]string, len(f.Derivatives)+2)
			for k, v := range f.Derivatives {
				d[k] = v
			}
			d["alto"] = keys[rd.file][0]
			if tk := keys[rd.file][1]; tk != "" && d["text"] == "" {
				d["text"] = tk
			}
			f.Derivatives = d
			n++
		}
		if n == 0 {
			return nil
		}
		detail := fmt.Sprintf("text of %d pages read (%s)", n, strings.Join(hows, ", "))
		err = r.cfg.Store.SaveItem(ctx, it, r.cfg.Agent, repository.Event{Type: "derivation", Outcome: "success", Detail: detail})
		if !errors.Is(err, repository.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("item %s kept changing while its pages' text was saved", id)
}

func derivativeKey(sha256, name string) string {
	return "derivatives/" + sha256[:2] + "/" + sha256[2:4] + "/" + sha256 + "/" + name
}

func put(ctx context.Context, b storage.Blobs, key string, data []byte, ctype string) error {
	_, err := b.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{Size: int64(len(data)), ContentType: ctype})
	return err
}

// fetch copies a blob into a local file.
func fetch(ctx context.Context, b storage.Blobs, key, to string) error {
	rc, err := b.Get(ctx, key, 0, -1)
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
