package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/tus/tusd/v2/pkg/filelocker"
	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	tuslog "golang.org/x/exp/slog"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// Batch is a set of uploads ingested together, and what became of each file.
type Batch struct {
	ID          string    `json:"id"`
	Institution string    `json:"institution"`
	Collection  string    `json:"collection,omitempty"`
	Title       string    `json:"title,omitempty"`
	Group       bool      `json:"group"`    // all files make one multi-page item
	Expected    int       `json:"expected"` // files the uploader announced
	Created     time.Time `json:"created"`
	Owner       string    `json:"owner"` // the user who made it; only they add to it
	// Access of the items the batch makes (public when not given).
	Access repository.Access `json:"access"`
	// Meta, when given, describes the item a grouped batch makes (what a
	// metadata sheet said, sent by "archive ingest" while the service runs).
	Meta  *repository.Item `json:"meta,omitempty"`
	Files []*BatchFile     `json:"files"`
	Done  bool             `json:"done"`
	// Expired says the batch lay idle past the upload expiry: what had not
	// arrived by then never will, and it takes no more uploads.
	Expired bool           `json:"expired,omitempty"`
	Counts  map[string]int `json:"counts"`
	// Finished is when the batch was done; its report is kept for the
	// upload expiry after that (see pruneLocked).
	Finished time.Time `json:"finished,omitzero"`
}

// BatchFile is one upload of a batch.
type BatchFile struct {
	Upload   string `json:"upload"`
	Name     string `json:"name"`
	Size     int64  `json:"size"`
	Received int64  `json:"received"`
	// Touched is when the upload last moved, for its expiry.
	Touched time.Time `json:"touched,omitzero"`
	ingest.Outcome
	// Label and Reason say the file's status and why it was refused or
	// failed in the language of the request for the batch (see said);
	// they are not kept.
	Label  string `json:"label,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Copy says how a recording's copy for browsers comes along, made in
	// the background after the item is registered (see batchCopies); not kept.
	Copy *copyProgress `json:"copy,omitempty"`
	path string
}

// Statuses of a batch file before the pipeline's outcome replaces them.
const (
	uploading = "uploading"
	uploaded  = "uploaded"
	ingesting = "ingesting"
	expired   = "expired" // idle past the upload expiry; its data is removed
)

// progressEvery is how often tusd reports an upload's progress.
const progressEvery = 500 * time.Millisecond

// lostUpload is the outcome of an upload whose data a stop lost.
const lostUpload = "the uploaded data was lost when the service stopped; upload the file again"

// DefaultUploadExpiry is how long an unfinished upload may lie idle, and
// how long a finished batch's report is kept.
const DefaultUploadExpiry = 72 * time.Hour

// Bounds on one person's batches: those not done yet (beyond, a new batch
// is refused) and all they have kept (beyond, the oldest finished go).
const (
	maxOpenBatches = 100
	maxKeptBatches = 500
)

func (b *Batch) file(upload string) *BatchFile {
	for _, f := range b.Files {
		if f.Upload == upload {
			return f
		}
	}
	return nil
}

// pending says the file still waits for its data or for the pipeline.
func (f *BatchFile) pending() bool {
	return f.Status == uploading || f.Status == uploaded || f.Status == ingesting
}

// uploads runs the resumable upload endpoint (tus) and the batches.
type uploads struct {
	s       *Server
	dir     string
	store   confinedStore
	handler *tusd.UnroutedHandler
	ctx     context.Context
	expiry  time.Duration
	mu      sync.Mutex
	now     func() time.Time // the clock of activity and expiry; read under mu
	batches map[string]*Batch
	work    *queue // bounds concurrent ingests, fairly; under mu
	// pipe ingests a unit: the pipeline's Ingest; read under mu.
	pipe func(context.Context, ingest.Unit) []ingest.Outcome
}

func (s *Server) mountUploads(api *gin.RouterGroup) error {
	dir := s.cfg.UploadDir
	if err := os.MkdirAll(filepath.Join(dir, "batches"), 0o700); err != nil {
		return fmt.Errorf("upload folder %s cannot be created: %v", dir, err)
	}
	comp := tusd.NewStoreComposer()
	store := confinedStore{filestore.New(dir)}
	store.UseIn(comp)
	filelocker.New(dir).UseIn(comp)
	limit := s.cfg.UploadMax
	if limit <= 0 {
		limit = ingest.DefaultMaxFileSize
	}
	h, err := tusd.NewUnroutedHandler(tusd.Config{
		StoreComposer:           comp,
		BasePath:                "/api/v1/uploads/",
		MaxSize:                 limit,
		NotifyCompleteUploads:   true,
		NotifyUploadProgress:    true,
		UploadProgressInterval:  progressEvery,
		DisableDownload:         true,
		Cors:                    &tusd.CorsConfig{Disable: true},
		PreUploadCreateCallback: s.checkUpload,
		Logger:                  tuslog.New(tuslog.NewTextHandler(io.Discard, nil)), // our own log says enough
	})
	if err != nil {
		return err
	}
	expiry := s.cfg.UploadExpiry
	if expiry <= 0 {
		expiry = DefaultUploadExpiry
	}
	u := &uploads{s: s, dir: dir, store: store, handler: h, ctx: s.ctx, expiry: expiry, now: time.Now,
		batches: map[string]*Batch{}, work: newQueue(s.cfg.Workers), pipe: s.cfg.Ingest.Ingest}
	u.load()
	u.resume()
	s.up = u
	s.spawn(u.listen)
	s.spawn(u.housekeep)
	tus := api.Group("/uploads", s.requireSignIn)
	// tusd reads the upload's id from a path with its base stripped; the
	// principal travels in the request's context to the batch check.
	wrap := func(f http.HandlerFunc) gin.HandlerFunc {
		next := http.StripPrefix("/api/v1/uploads/", h.Middleware(f))
		return func(c *gin.Context) {
			if id := c.Param("id"); id != "" && !u.owns(who(c), id) {
				s.fail(c, notFound("no upload "+id+" of yours"))
				return
			}
			// A chunk of a large file may take longer than the server's read timeout.
			http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(time.Hour))
			c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), principalCtx{}, who(c)))
			next.ServeHTTP(c.Writer, c.Request)
			// A request on an upload is a sign of life, whether or not
			// tusd reports progress: it keeps the upload from expiring.
			id := c.Param("id")
			if c.Request.Method == http.MethodPost {
				id = path.Base(c.Writer.Header().Get("Location"))
			}
			if c.Request.Method != http.MethodDelete && id != "" && id != "." && id != "/" {
				u.touch(id)
			}
		}
	}
	tus.POST("/", wrap(h.PostFile))
	tus.HEAD("/:id", wrap(h.HeadFile))
	tus.PATCH("/:id", wrap(h.PatchFile))
	tus.DELETE("/:id", wrap(h.DelFile))
	tus.OPTIONS("/", wrap(func(w http.ResponseWriter, r *http.Request) {}))
	api.POST("/batches", s.requireSignIn, u.create)
	api.GET("/batches/:id", s.requireSignIn, u.get)
	return nil
}

// checkUpload refuses an upload that names no open batch.
func (s *Server) checkUpload(ev tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
	id := ev.Upload.MetaData["batch"]
	s.up.mu.Lock()
	b := s.up.batches[id]
	var over bool
	if b != nil {
		over = b.Expired
	}
	s.up.mu.Unlock()
	if b == nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusd.NewError("ERR_NO_BATCH", "create a batch first (POST /api/v1/batches) and name it in the upload's batch metadata", http.StatusBadRequest)
	}
	if over {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusd.NewError("ERR_BATCH_EXPIRED", "this batch lay idle too long and was closed; create a new batch", http.StatusGone)
	}
	p, _ := ev.Context.Value(principalCtx{}).(access.Principal)
	if b.Owner != p.User || access.Decide(p, access.Upload, access.LibraryResource(b.Institution), time.Now()) != nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusd.NewError("ERR_FORBIDDEN", "this batch is not yours, or you may no longer upload to its library", http.StatusForbidden)
	}
	if ev.Upload.IsFinal && !s.up.partsOf(ev.Context, b.ID, ev.Upload.PartialUploads) {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusd.NewError("ERR_CONCAT_FORBIDDEN", "a final upload may join only partial uploads (Upload-Concat: partial) made in its own batch", http.StatusForbidden)
	}
	if ev.Upload.MetaData["filename"] == "" {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusd.NewError("ERR_NO_NAME", "the upload's filename metadata is missing", http.StatusBadRequest)
	}
	return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, nil
}

// partsOf reports whether every upload of ids is a partial upload made in
// the batch: a final upload joins nothing of another batch or person.
func (u *uploads) partsOf(ctx context.Context, batch string, ids []string) bool {
	for _, id := range ids {
		up, err := u.store.GetUpload(ctx, id)
		if err != nil {
			return false
		}
		info, err := up.GetInfo(ctx)
		if err != nil || !info.IsPartial || info.MetaData["batch"] != batch {
			return false
		}
	}
	return len(ids) > 0
}

// Bounds of what a person sends to make a batch: the whole request (which
// bounds the description, meta, that "archive ingest" sends), a title, and
// an identifier (institution, collection, embargo date).
const (
	maxBatchBody  = 64 << 10 // bytes
	maxBatchTitle = 300      // characters
	maxBatchID    = 64       // characters
)

func (u *uploads) create(c *gin.Context) {
	lang := u.s.lang(c)
	if c.Request.ContentLength > maxBatchBody {
		u.s.fail(c, &httpError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf(t(lang, "upload_batch_too_large"), maxBatchBody>>10)})
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBatchBody)
	var b Batch
	if err := c.ShouldBindJSON(&b); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			u.s.fail(c, &httpError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf(t(lang, "upload_batch_too_large"), maxBatchBody>>10)})
			return
		}
		u.s.fail(c, invalid("batch: expected JSON {institution, collection, title, group, expected}: "+err.Error()))
		return
	}
	if err := tooLong(lang, &b); err != nil {
		u.s.fail(c, err)
		return
	}
	if b.Collection != "" {
		col, err := u.s.cfg.Store.Collection(b.Collection)
		seen := err == nil
		if seen {
			seen, err = u.seen(c, col)
		}
		if !seen && (err == nil || errors.Is(err, fault.NotFound)) {
			u.s.fail(c, invalid(fmt.Sprintf(t(lang, "upload_no_collection"), b.Collection)))
			return
		}
		if err != nil {
			u.s.fail(c, err)
			return
		}
		b.Institution = col.Institution
	}
	if problems := b.Access.Check(); len(problems) > 0 {
		u.s.fail(c, invalid("batch: "+strings.Join(problems, "; ")))
		return
	}
	if b.Group && b.Expected < 1 {
		u.s.fail(c, invalid("a grouped batch must say how many files it expects (expected)"))
		return
	}
	if _, err := u.s.cfg.Store.Institution(b.Institution); err != nil {
		u.s.fail(c, invalid(fmt.Sprintf("institution %q is not one of the archive's libraries (cmu, tu, chula)", b.Institution)))
		return
	}
	if err := access.Decide(who(c), access.Upload, access.LibraryResource(b.Institution), time.Now()); err != nil {
		u.s.fail(c, err)
		return
	}
	b.Owner = who(c).User
	b.ID = fmt.Sprintf("b%d", time.Now().UnixNano())
	b.Files = []*BatchFile{}
	b.Done, b.Expired, b.Counts = false, false, nil
	u.mu.Lock()
	if u.openLocked(b.Owner) >= maxOpenBatches {
		u.mu.Unlock()
		u.s.fail(c, &httpError{status: http.StatusTooManyRequests, msg: fmt.Sprintf(t(u.s.lang(c), "upload_too_many_batches"), maxOpenBatches)})
		return
	}
	b.Created = u.now().UTC()
	u.batches[b.ID] = &b
	u.saveLocked(&b)
	u.pruneLocked()
	u.mu.Unlock()
	c.JSON(http.StatusCreated, &b)
}

// tooLong is the refusal of a batch with a field over its bound, in lang.
func tooLong(lang string, b *Batch) error {
	type bound struct {
		key, value string
		max        int
	}
	fields := []bound{
		{"title", b.Title, maxBatchTitle},
		{"institution", b.Institution, maxBatchID},
		{"collection", b.Collection, maxBatchID},
		{"embargo", b.Access.Embargo, maxBatchID},
	}
	if b.Meta != nil {
		for _, v := range b.Meta.Title {
			fields = append(fields, bound{"meta_title", v, maxBatchTitle})
		}
	}
	for _, f := range fields {
		if utf8.RuneCountInString(f.value) > f.max {
			return invalid(fmt.Sprintf(t(lang, "upload_batch_too_long"), t(lang, "upload_field_"+f.key), f.max))
		}
	}
	return nil
}

// seen says whether the person asking may see the collection: one they
// may not is answered as one that does not exist. err is the store's.
func (u *uploads) seen(c *gin.Context, col *repository.Collection) (bool, error) {
	r, err := access.CollectionResource(u.s.cfg.Store, col)
	if err != nil {
		return false, err
	}
	return access.Decide(who(c), access.ReadMetadata, r, time.Now()) == nil, nil
}

func (u *uploads) get(c *gin.Context) {
	u.mu.Lock()
	defer u.mu.Unlock()
	b := u.batches[c.Param("id")]
	if b == nil || b.Owner != who(c).User && access.Decide(who(c), access.Upload, access.LibraryResource(b.Institution), time.Now()) != nil {
		u.s.fail(c, notFound(fmt.Sprintf("no batch %q of yours", c.Param("id"))))
		return
	}
	u.s.cache(c, privateOnly)
	out := said(u.s.lang(c), b)
	u.s.batchCopies(u.s.lang(c), out)
	c.JSON(http.StatusOK, out)
}

// said is a copy of a batch whose files say their status and reasons in
// lang: what the uploader shows an archivist on a Thai or English page.
func said(lang string, b *Batch) *Batch {
	out := *b
	out.Files = make([]*BatchFile, len(b.Files))
	for i, f := range b.Files {
		g := *f
		g.Label = t(lang, "upload_status_"+f.Status)
		switch {
		case len(f.Messages) > 0:
			g.Reason = sayAll(lang, f.Messages)
		case f.Status == expired:
			g.Reason = t(lang, "upload_expired")
		case f.Error == lostUpload:
			g.Reason = t(lang, "upload_lost")
		case f.Error != "":
			g.Reason = f.Error // a batch kept from before outcomes had messages
		}
		out.Files[i] = &g
	}
	return &out
}

// listen follows the uploads: progress into the batch, completed files into
// the pipeline, until the server stops (not when its context ends: until
// the last request has ended, tusd sends its progress here).
func (u *uploads) listen() {
	for {
		select {
		case <-u.s.quit:
			// tusd sends a request's last progress as it ends, from a
			// goroutine of its own: take it (the next start finds the
			// data on disk) until two progress intervals pass in quiet.
			for {
				select {
				case <-u.handler.UploadProgress:
				case <-u.handler.CompleteUploads:
				case <-time.After(2 * progressEvery):
					return
				}
			}
		case ev := <-u.handler.UploadProgress:
			u.update(ev.Upload, false)
		case ev := <-u.handler.CompleteUploads:
			u.update(ev.Upload, true)
		}
	}
}

func (u *uploads) update(info tusd.FileInfo, complete bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	b := u.batches[info.MetaData["batch"]]
	if b == nil || b.Expired || info.IsPartial {
		return // a partial upload is a part of a file, not one
	}
	f := b.file(info.ID)
	if f == nil {
		f = &BatchFile{Upload: info.ID, Name: filepath.Base(info.MetaData["filename"]), Size: info.Size}
		f.Status = uploading
		b.Files = append(b.Files, f)
	}
	// Progress may be reported after completion, and a late chunk after
	// expiry: neither changes a file that has moved on.
	if f.Status != uploading {
		return
	}
	f.Received, f.Touched = max(f.Received, info.Offset), u.now().UTC()
	if complete {
		f.Status, f.path = uploaded, u.dataPath(info.ID)
		if b.Group {
			u.startGroupLocked(b)
		} else {
			u.queueLocked(b, []*BatchFile{f})
		}
	}
	u.tallyLocked(b)
	u.saveLocked(b)
}

// touch records a request on an upload as activity, with what tusd has
// stored of it.
func (u *uploads) touch(id string) {
	up, err := u.store.GetUpload(u.ctx, id)
	if err != nil {
		return // gone, or never made: there is nothing to keep alive
	}
	info, err := up.GetInfo(u.ctx)
	if err != nil {
		return
	}
	u.update(info, false)
}

// startGroupLocked ingests a grouped batch as one unit once every file it
// expects has arrived.
func (u *uploads) startGroupLocked(b *Batch) {
	if len(b.Files) < b.Expected {
		return
	}
	for _, f := range b.Files {
		if f.Status != uploaded {
			return
		}
	}
	u.queueLocked(b, b.Files)
}

// queueLocked puts files of b in line for a worker (see queue).
func (u *uploads) queueLocked(b *Batch, files []*BatchFile) {
	u.work.add(job{b, files})
	u.dispatchLocked()
}

// dispatchLocked starts what may run on the free workers.
func (u *uploads) dispatchLocked() {
	for u.ctx.Err() == nil {
		j, ok := u.work.next()
		if !ok {
			return
		}
		// Under the server's group, so that a stop waits for it.
		u.s.spawn(func() {
			u.ingest(j.b, j.files)
			u.mu.Lock()
			defer u.mu.Unlock()
			u.work.done(j)
			u.dispatchLocked()
		})
	}
}

// ingest hands uploaded files to the same pipeline as every other source.
// A stop before or during the pipeline leaves the files "uploaded" or
// "ingesting", for the next start to resume.
func (u *uploads) ingest(b *Batch, files []*BatchFile) {
	if u.ctx.Err() != nil {
		return
	}
	if ok, err := u.allowed(b); !ok {
		u.refuse(b, files, err)
		return
	}
	u.mu.Lock()
	unit := ingest.Unit{Origin: "web upload, batch " + b.ID + " by " + b.Owner, Meta: repository.Item{Institution: b.Institution, Collection: b.Collection, Access: b.Access}}
	if b.Meta != nil {
		unit.Meta = *b.Meta
		unit.Meta.ID, unit.Meta.Files, unit.Meta.Version = "", nil, 0
		unit.Meta.Institution, unit.Meta.Collection, unit.Meta.Access = b.Institution, b.Collection, b.Access
	}
	if b.Title != "" {
		unit.Meta.Title = repository.Text{"none": b.Title}
	}
	for _, f := range files {
		f.Status = ingesting
		unit.Files = append(unit.Files, ingest.Input{Path: f.path, Name: f.Name})
	}
	u.saveLocked(b)
	pipe := u.pipe
	u.mu.Unlock()
	outs := pipe(u.ctx, unit)
	if u.ctx.Err() != nil {
		return // the outcome may be the stop's; a re-run after the restart is idempotent
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	for i, f := range files {
		f.Outcome = outs[i]
		f.Outcome.File = f.Name
		if f.Status != ingest.Failed {
			u.remove(f.Upload)
		} else {
			u.s.cfg.Log.Error("ingesting an upload", "batch", b.ID, "file", f.Name, "err", f.Error)
		}
	}
	u.tallyLocked(b)
	u.saveLocked(b)
}

// allowed says whether the batch's owner may upload to its library now,
// as the store says at the moment of ingest: a person demoted or disabled
// since the batch was made adds nothing more through it. err says the
// store could not tell.
func (u *uploads) allowed(b *Batch) (bool, error) {
	usr, err := u.s.cfg.Store.User(b.Owner)
	if errors.Is(err, fault.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	p := principal(usr, access.ScopeUpload)
	return !usr.Disabled && access.Decide(p, access.Upload, access.LibraryResource(b.Institution), time.Now()) == nil, nil
}

// refuse ends files that are not to be ingested: refused when their
// owner may no longer upload (their data removed), failed when the store
// could not say (err; kept for a later run).
func (u *uploads) refuse(b *Batch, files []*BatchFile, err error) {
	o := ingest.Outcome{Status: ingest.Refused, Messages: []ingest.Message{{Kind: "upload_not_allowed", Args: []string{b.Institution}}}}
	if err != nil {
		o = ingest.Outcome{Status: ingest.Failed, Messages: []ingest.Message{ingest.MessageOf(err)}}
		u.s.cfg.Log.Error("checking the uploader of a batch", "batch", b.ID, "err", err)
	}
	o.Error = o.Messages[0].String()
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, f := range files {
		f.Outcome = o
		f.Outcome.File = f.Name
		if o.Status == ingest.Refused {
			u.remove(f.Upload)
		}
	}
	u.tallyLocked(b)
	u.saveLocked(b)
}

// tallyLocked counts the batch's files by status and says whether it is done:
// every expected file arrived (or the batch expired) and none is pending.
func (u *uploads) tallyLocked(b *Batch) {
	b.Counts = map[string]int{}
	done := b.Expired || len(b.Files) >= b.Expected
	for _, f := range b.Files {
		b.Counts[f.Status]++
		done = done && !f.pending()
	}
	b.Done = done
	if !done {
		b.Finished = time.Time{}
	} else if b.Finished.IsZero() {
		b.Finished = u.now().UTC()
	}
}

// openLocked counts the batches of owner that are not done.
func (u *uploads) openLocked(owner string) int {
	n := 0
	for _, b := range u.batches {
		if b.Owner == owner && !b.Done {
			n++
		}
	}
	return n
}

// pruneLocked forgets finished batches (done, or closed by expiry) whose
// report has been kept for the upload expiry, and each person's oldest
// finished batches beyond maxKeptBatches: their kept state and whatever
// upload data is left of their files go with them.
func (u *uploads) pruneLocked() {
	now := u.now()
	kept := map[string]int{}          // batches per person
	finished := map[string][]*Batch{} // of them, those finished
	for _, b := range u.batches {
		if b.Done && now.Sub(b.finished()) > u.expiry {
			u.forgetLocked(b)
			continue
		}
		kept[b.Owner]++
		if b.Done {
			finished[b.Owner] = append(finished[b.Owner], b)
		}
	}
	for owner, bs := range finished {
		extra := min(kept[owner]-maxKeptBatches, len(bs))
		if extra <= 0 {
			continue
		}
		slices.SortFunc(bs, func(a, b *Batch) int { return a.finished().Compare(b.finished()) })
		for _, b := range bs[:extra] {
			u.forgetLocked(b)
		}
	}
}

// finished is when a done batch finished; a batch kept from before that
// was recorded finished at its last activity.
func (b *Batch) finished() time.Time {
	if !b.Finished.IsZero() {
		return b.Finished
	}
	last := b.Created
	for _, f := range b.Files {
		if f.Touched.After(last) {
			last = f.Touched
		}
	}
	return last
}

// forgetLocked removes a finished batch: from memory, its kept state, and
// its files' upload data (none is pending in a finished batch).
func (u *uploads) forgetLocked(b *Batch) {
	delete(u.batches, b.ID)
	p := filepath.Join(u.dir, "batches", b.ID+".json")
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		u.s.cfg.Log.Warn("removing an upload batch", "batch", b.ID, "err", err)
	}
	for _, f := range b.Files {
		u.remove(f.Upload)
	}
}

// Batches are kept as JSON files so a restart keeps their reports.
func (u *uploads) saveLocked(b *Batch) {
	data, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		u.s.cfg.Log.Error("saving an upload batch", "batch", b.ID, "err", err)
		return
	}
	p := filepath.Join(u.dir, "batches", b.ID+".json")
	if err := os.WriteFile(p+".tmp", data, 0o600); err != nil {
		u.s.cfg.Log.Error("saving an upload batch", "batch", b.ID, "err", err)
		return
	}
	if err := os.Rename(p+".tmp", p); err != nil {
		u.s.cfg.Log.Error("saving an upload batch", "batch", b.ID, "err", err)
	}
}

func (u *uploads) load() {
	entries, err := os.ReadDir(filepath.Join(u.dir, "batches"))
	if err != nil {
		u.s.cfg.Log.Error("reading the upload batches", "err", err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(u.dir, "batches", e.Name()))
		var b Batch
		if err == nil {
			err = json.Unmarshal(data, &b)
		}
		if err != nil || b.ID == "" {
			u.s.cfg.Log.Warn("an upload batch cannot be read", "file", e.Name(), "err", err)
			continue
		}
		u.batches[b.ID] = &b
	}
}

// resume picks up what a crash or a stop interrupted: uploads that finished
// without being handed on, and ingests that never reported back. The
// pipeline is idempotent (a file already registered is linked as a
// duplicate), so running an interrupted unit again finishes it.
func (u *uploads) resume() {
	ids, err := u.onDisk()
	if err != nil {
		u.s.cfg.Log.Error("reading the upload folder", "err", err)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, id := range ids {
		up, err := u.store.GetUpload(u.ctx, id)
		if err != nil {
			continue
		}
		info, err := up.GetInfo(u.ctx)
		b := u.batches[info.MetaData["batch"]]
		if err != nil || b == nil || b.Done || b.Expired || info.IsPartial {
			continue
		}
		f := b.file(id)
		if f == nil { // the crash came before the upload was first recorded
			f = &BatchFile{Upload: id, Name: filepath.Base(info.MetaData["filename"]), Size: info.Size, Touched: u.now().UTC()}
			f.Status = uploading
			b.Files = append(b.Files, f)
		}
		if !f.pending() {
			continue
		}
		f.Received = info.Offset
		if !info.SizeIsDeferred && info.Offset == info.Size {
			f.Status, f.path = uploaded, u.dataPath(id)
		}
	}
	for _, b := range u.batches {
		if b.Done {
			continue
		}
		var again []*BatchFile
		for _, f := range b.Files {
			if f.Status != uploaded && f.Status != ingesting {
				continue
			}
			if f.path == "" {
				f.Status, f.Error = ingest.Failed, lostUpload
				continue
			}
			f.Status = uploaded
			again = append(again, f)
		}
		if len(again) > 0 {
			u.s.cfg.Log.Info("resuming an interrupted upload batch", "batch", b.ID, "files", len(again))
		}
		if b.Group {
			u.startGroupLocked(b)
		} else {
			for _, f := range again {
				u.queueLocked(b, []*BatchFile{f})
			}
		}
		u.tallyLocked(b)
		u.saveLocked(b)
	}
}

// housekeep sweeps abandoned uploads away at start and then regularly,
// until the server stops.
func (u *uploads) housekeep() {
	every := min(max(u.expiry/4, time.Minute), time.Hour)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		u.sweep()
		select {
		case <-u.ctx.Done():
			return
		case <-u.s.quit:
			return
		case <-t.C:
		}
	}
}

// sweep expires what lay idle longer than the upload expiry: unfinished
// uploads (their data is removed and they are marked "expired"), batches
// that never received all their files (closed, their report kept), and
// upload data no batch waits for any more (refused or failed files, batches
// long gone).
func (u *uploads) sweep() {
	u.mu.Lock()
	now := u.now()
	old := func(t time.Time) bool { return now.Sub(t) > u.expiry }
	live := map[string]bool{} // uploads a batch still waits for
	var gone []string
	for _, b := range u.batches {
		last := b.Created
		for _, f := range b.Files {
			if f.Touched.After(last) {
				last = f.Touched
			}
		}
		idle, busy, changed := old(last), false, false
		for _, f := range b.Files {
			touched := f.Touched
			if touched.IsZero() {
				touched = b.Created
			}
			// A grouped batch's arrived files wait for the rest: they
			// go when the batch does. An ungrouped one's are queued.
			if f.Status == uploading && old(touched) || f.Status == uploaded && b.Group && idle {
				f.Status, f.Error, changed = expired, fmt.Sprintf("the upload lay idle longer than %s", u.expiry), true
				gone = append(gone, f.Upload)
				continue
			}
			if f.pending() {
				live[f.Upload], busy = true, true
			}
		}
		if idle && !busy && !b.Done {
			b.Expired, changed = true, true
		}
		if changed {
			u.tallyLocked(b)
			u.saveLocked(b)
		}
	}
	u.pruneLocked()
	u.mu.Unlock()
	for _, id := range gone {
		u.remove(id)
	}
	// Data that no batch waits for: by the age of its files.
	ids, err := u.onDisk()
	if err != nil {
		u.s.cfg.Log.Error("reading the upload folder", "err", err)
	}
	for _, id := range ids {
		if live[id] {
			continue
		}
		if mod, ok := u.modified(id); ok && old(mod) {
			u.remove(id)
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 {
		u.s.cfg.Log.Info("abandoned uploads removed", "uploads", len(gone), "expiry", u.expiry)
	}
}

// onDisk lists the uploads tusd keeps in the folder, by their .info files.
func (u *uploads) onDisk() ([]string, error) {
	entries, err := os.ReadDir(u.dir)
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".info"); ok && !e.IsDir() {
			ids = append(ids, id)
		}
	}
	return ids, err
}

// modified is when an upload's data or record last changed.
func (u *uploads) modified(id string) (time.Time, bool) {
	var last time.Time
	for _, name := range []string{id, id + ".info"} {
		if st, err := os.Stat(filepath.Join(u.dir, name)); err == nil && st.ModTime().After(last) {
			last = st.ModTime()
		}
	}
	return last, !last.IsZero()
}

// remove deletes an upload's data and tusd's record of it.
func (u *uploads) remove(id string) {
	for _, name := range []string{id, id + ".info"} {
		if err := os.Remove(filepath.Join(u.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			u.s.cfg.Log.Warn("removing an upload", "upload", id, "err", err)
		}
	}
}

// owns reports whether p made the upload id (a tus identifier) through one
// of their batches.
func (u *uploads) owns(p access.Principal, id string) bool {
	if !uploadID(id) {
		return false
	}
	data, err := os.ReadFile(filepath.Join(u.dir, id+".info"))
	if err != nil {
		return false
	}
	var info tusd.FileInfo
	if json.Unmarshal(data, &info) != nil {
		return false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	b := u.batches[info.MetaData["batch"]]
	return b != nil && b.Owner == p.User
}

// principalCtx keys the principal in a request's context, for the upload
// handler's hooks (which see the context, not Gin's).
type principalCtx struct{}
