package web

import (
	"context"
	"io"
	"net/http"
	"path"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/tus/tusd/v2/pkg/filelocker"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	tuslog "golang.org/x/exp/slog"

	"github.com/thaiarchives/archive/access"
)

// progressEvery is how often an upload's progress is recorded while its
// data arrives.
const progressEvery = 500 * time.Millisecond

// mountUploads mounts the resumable upload endpoint (tus) on the batch
// service's upload folder, and the batches' routes.
func (s *Server) mountUploads(api *gin.RouterGroup) error {
	up := s.cfg.Batches
	comp := tusd.NewStoreComposer()
	store := up.Uploads()
	store.UseIn(comp)
	filelocker.New(store.Path).UseIn(comp)
	h, err := tusd.NewUnroutedHandler(tusd.Config{
		StoreComposer:           comp,
		BasePath:                "/api/v1/uploads/",
		MaxSize:                 s.uploadMax(),
		DisableDownload:         true,
		Cors:                    &tusd.CorsConfig{Disable: true},
		PreUploadCreateCallback: s.checkUpload,
		PreFinishResponseCallback: func(ev tusd.HookEvent) (tusd.HTTPResponse, error) {
			up.Completed(ev.Upload)
			return tusd.HTTPResponse{}, nil
		},
		Logger: tuslog.New(tuslog.NewTextHandler(io.Discard, nil)), // our own log says enough
	})
	if err != nil {
		return err
	}
	tus := api.Group("/uploads", s.requireSignIn)
	// tusd reads the upload's id from a path with its base stripped; the
	// principal travels in the request's context to the batch check.
	wrap := func(f http.HandlerFunc) gin.HandlerFunc {
		next := http.StripPrefix("/api/v1/uploads/", h.Middleware(f))
		return func(c *gin.Context) {
			ctx := c.Request.Context()
			id := c.Param("id")
			if id != "" && !up.Owns(ctx, who(c), id) {
				s.fail(c, notFound("no upload "+id+" of yours"))
				return
			}
			// A chunk of a large file may take longer than the server's read timeout.
			http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(time.Hour))
			if id != "" && c.Request.Method == http.MethodPatch {
				c.Request.Body = &progress{ReadCloser: c.Request.Body, touch: func() { up.Touch(ctx, id) }}
			}
			c.Request = c.Request.WithContext(context.WithValue(ctx, principalCtx{}, who(c)))
			next.ServeHTTP(c.Writer, c.Request)
			// A request on an upload is a sign of life: it keeps the
			// upload from expiring.
			if c.Request.Method == http.MethodPost {
				id = path.Base(c.Writer.Header().Get("Location"))
			}
			if c.Request.Method != http.MethodDelete && id != "" && id != "." && id != "/" {
				up.Touch(ctx, id)
			}
		}
	}
	tus.POST("/", wrap(h.PostFile))
	tus.HEAD("/:id", wrap(h.HeadFile))
	tus.PATCH("/:id", wrap(h.PatchFile))
	tus.DELETE("/:id", wrap(h.DelFile))
	tus.OPTIONS("/", wrap(func(w http.ResponseWriter, r *http.Request) {}))
	api.POST("/batches", s.requireSignIn, s.createBatch)
	api.GET("/batches/:id", s.requireSignIn, s.getBatch)
	return nil
}

// progress records an upload's progress while its data is read, at most
// every progressEvery.
type progress struct {
	io.ReadCloser
	touch func()
	last  time.Time
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.ReadCloser.Read(b)
	if now := time.Now(); now.Sub(p.last) >= progressEvery {
		if !p.last.IsZero() {
			p.touch()
		}
		p.last = now
	}
	return n, err
}

// checkUpload refuses an upload that names no open batch of the person's.
func (s *Server) checkUpload(ev tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
	p, _ := ev.Context.Value(principalCtx{}).(access.Principal)
	m := ev.Upload.MetaData
	err := s.cfg.Batches.Check(ev.Context, p, m["batch"], m["filename"], ev.Upload.IsFinal, ev.Upload.PartialUploads)
	if err != nil {
		codes := map[int]string{http.StatusBadRequest: "ERR_INVALID", http.StatusGone: "ERR_BATCH_EXPIRED", http.StatusForbidden: "ERR_FORBIDDEN"}
		st := Status(err)
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusd.NewError(codes[st], reason(err), st)
	}
	return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, nil
}

// principalCtx keys the principal in a request's context, for the upload
// handler's hooks (which see the context, not Gin's).
type principalCtx struct{}
