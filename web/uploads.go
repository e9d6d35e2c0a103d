package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/tus/tusd/v2/pkg/filelocker"
	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	tuslog "golang.org/x/exp/slog"

	"github.com/thaiarchives/archive/access"
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
	Files  []*BatchFile      `json:"files"`
	Done   bool              `json:"done"`
	Counts map[string]int    `json:"counts"`
}

// BatchFile is one upload of a batch.
type BatchFile struct {
	Upload   string `json:"upload"`
	Name     string `json:"name"`
	Size     int64  `json:"size"`
	Received int64  `json:"received"`
	ingest.Outcome
	path string
}

// uploads runs the resumable upload endpoint (tus) and the batches.
type uploads struct {
	s       *Server
	dir     string
	handler *tusd.UnroutedHandler
	ctx     context.Context
	mu      sync.Mutex
	batches map[string]*Batch
	work    chan struct{} // bounds concurrent ingests
}

func (s *Server) mountUploads(api *gin.RouterGroup) error {
	dir := s.cfg.UploadDir
	if err := os.MkdirAll(filepath.Join(dir, "batches"), 0o700); err != nil {
		return fmt.Errorf("upload folder %s cannot be created: %v", dir, err)
	}
	comp := tusd.NewStoreComposer()
	filestore.New(dir).UseIn(comp)
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
		UploadProgressInterval:  500 * time.Millisecond,
		DisableDownload:         true,
		Cors:                    &tusd.CorsConfig{Disable: true},
		PreUploadCreateCallback: s.checkUpload,
		Logger:                  tuslog.New(tuslog.NewTextHandler(io.Discard, nil)), // our own log says enough
	})
	if err != nil {
		return err
	}
	u := &uploads{s: s, dir: dir, handler: h, ctx: s.ctx, batches: map[string]*Batch{}, work: make(chan struct{}, max(1, s.cfg.Workers))}
	u.load()
	s.up = u
	go u.listen()
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
			c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), principalKey, who(c)))
			next.ServeHTTP(c.Writer, c.Request)
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
	s.up.mu.Unlock()
	if b == nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusd.NewError("ERR_NO_BATCH", "create a batch first (POST /api/v1/batches) and name it in the upload's batch metadata", http.StatusBadRequest)
	}
	p, _ := ev.Context.Value(principalKey).(access.Principal)
	if b.Owner != p.User || access.Decide(p, access.Upload, access.LibraryResource(b.Institution), time.Now()) != nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusd.NewError("ERR_FORBIDDEN", "this batch is not yours, or you may no longer upload to its library", http.StatusForbidden)
	}
	if ev.Upload.MetaData["filename"] == "" {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusd.NewError("ERR_NO_NAME", "the upload's filename metadata is missing", http.StatusBadRequest)
	}
	return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, nil
}

func (u *uploads) create(c *gin.Context) {
	var b Batch
	if err := c.ShouldBindJSON(&b); err != nil {
		u.s.fail(c, invalid("batch: expected JSON {institution, collection, title, group, expected}: "+err.Error()))
		return
	}
	if b.Collection != "" {
		col, err := u.s.cfg.Store.Collection(b.Collection)
		if err != nil {
			u.s.fail(c, invalid(fmt.Sprintf("collection %q does not exist", b.Collection)))
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
	b.Created = time.Now().UTC()
	b.Files = []*BatchFile{}
	u.mu.Lock()
	u.batches[b.ID] = &b
	u.saveLocked(&b)
	u.mu.Unlock()
	c.JSON(http.StatusCreated, &b)
}

func (u *uploads) get(c *gin.Context) {
	u.mu.Lock()
	defer u.mu.Unlock()
	b := u.batches[c.Param("id")]
	if b == nil || b.Owner != who(c).User && access.Decide(who(c), access.Upload, access.LibraryResource(b.Institution), time.Now()) != nil {
		u.s.fail(c, notFound(fmt.Sprintf("no batch %q of yours", c.Param("id"))))
		return
	}
	private(c)
	c.JSON(http.StatusOK, b)
}

// listen follows the uploads: progress into the batch, completed files into
// the pipeline.
func (u *uploads) listen() {
	for {
		select {
		case <-u.ctx.Done():
			return
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
	if b == nil {
		return
	}
	var f *BatchFile
	for _, x := range b.Files {
		if x.Upload == info.ID {
			f = x
		}
	}
	if f == nil {
		f = &BatchFile{Upload: info.ID, Name: filepath.Base(info.MetaData["filename"]), Size: info.Size}
		f.Status = "uploading"
		b.Files = append(b.Files, f)
	}
	f.Received = info.Offset
	if complete {
		f.Status, f.path = "uploaded", info.Storage["Path"]
		if b.Group {
			if len(b.Files) >= b.Expected && allUploaded(b) {
				go u.ingest(b, b.Files)
			}
		} else {
			go u.ingest(b, []*BatchFile{f})
		}
	}
	u.saveLocked(b)
}

func allUploaded(b *Batch) bool {
	for _, f := range b.Files {
		if f.Status != "uploaded" {
			return false
		}
	}
	return true
}

// ingest hands uploaded files to the same pipeline as every other source.
func (u *uploads) ingest(b *Batch, files []*BatchFile) {
	u.work <- struct{}{}
	defer func() { <-u.work }()
	u.mu.Lock()
	unit := ingest.Unit{Origin: "web upload, batch " + b.ID + " by " + b.Owner, Meta: repository.Item{Institution: b.Institution, Collection: b.Collection, Access: b.Access}}
	if b.Title != "" {
		unit.Meta.Title = repository.Text{"none": b.Title}
	}
	for _, f := range files {
		f.Status = "ingesting"
		unit.Files = append(unit.Files, ingest.Input{Path: f.path, Name: f.Name})
	}
	u.saveLocked(b)
	u.mu.Unlock()
	outs := u.s.cfg.Ingest.Ingest(u.ctx, unit)
	u.mu.Lock()
	defer u.mu.Unlock()
	for i, f := range files {
		f.Outcome = outs[i]
		f.Outcome.File = f.Name
		if f.Status != ingest.Failed {
			os.Remove(f.path)
			os.Remove(f.path + ".info")
		}
	}
	b.Counts = map[string]int{}
	done := len(b.Files) >= b.Expected
	for _, f := range b.Files {
		b.Counts[f.Status]++
		done = done && f.Status != "uploading" && f.Status != "uploaded" && f.Status != "ingesting"
	}
	b.Done = done
	u.saveLocked(b)
}

// Batches are kept as JSON files so a restart keeps their reports.
func (u *uploads) saveLocked(b *Batch) {
	data, _ := json.MarshalIndent(b, "", " ")
	p := filepath.Join(u.dir, "batches", b.ID+".json")
	if err := os.WriteFile(p+".tmp", data, 0o600); err == nil {
		os.Rename(p+".tmp", p)
	}
}

func (u *uploads) load() {
	entries, _ := os.ReadDir(filepath.Join(u.dir, "batches"))
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(u.dir, "batches", e.Name()))
		var b Batch
		if err == nil && json.Unmarshal(data, &b) == nil && b.ID != "" {
			u.batches[b.ID] = &b
		}
	}
}

// owns reports whether p made the upload id (a tus identifier) through one
// of their batches.
func (u *uploads) owns(p access.Principal, id string) bool {
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
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
