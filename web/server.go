// Package web is the archive's HTTP layer: the Gin router, middleware and
// handlers. It is the only package that knows Gin; everything below it is
// plain Go returning typed errors, which status maps to HTTP in one place.
package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// Config is what the server is built from.
type Config struct {
	Store *repository.Store
	Blobs storage.Blobs
	// Token authorises writes and administration (Authorization: Bearer …).
	Token string
	Log   *slog.Logger
	// Ingest takes web uploads; with UploadDir it enables /api/v1/uploads.
	Ingest    *ingest.Pipeline
	UploadDir string
	UploadMax int64
	Workers   int
	// BaseURL is the public address (https://archive.example.org), when a
	// proxy stands in front; otherwise taken from each request.
	BaseURL string
	// MaxArea bounds the pixels of one rendered image (default 50 million).
	MaxArea int64
	// AdminEmail is given to harvesters in OAI-PMH Identify.
	AdminEmail string
	// FrameAncestors are the sites allowed to frame /embed pages (CSP
	// frame-ancestors syntax; default every site).
	FrameAncestors string
}

// Server holds the router and what the handlers need.
type Server struct {
	cfg    Config
	router *gin.Engine
	ctx    context.Context // the server's lifetime, for background ingests
	up     *uploads
	img    *iiif
	pages  map[string]*template.Template
}

// New builds the HTTP handler; background work stops when ctx ends.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Identifiers may carry encoded slashes: match on the raw path and decode
	// each parameter exactly once.
	r.UseRawPath = true
	r.UnescapePathValues = true
	r.RedirectTrailingSlash = false
	r.HandleMethodNotAllowed = true
	s := &Server{cfg: cfg, router: r, ctx: ctx, img: newIIIF(cfg), pages: templates()}
	r.Use(s.recover, s.logRequests)
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	s.mountIIIF(r)
	s.mountPages(r)
	r.GET("/oai", s.oai)
	r.POST("/oai", s.oai)
	api := r.Group("/api/v1")
	api.GET("/institutions", s.institutions)
	api.GET("/items/:id", s.item)
	api.HEAD("/items/:id/files/:n", s.file)
	api.GET("/items/:id/files/:n", s.file)
	api.GET("/items/:id/files/:n/:derivative", s.derivative)
	api.GET("/admin/backup", s.requireToken, s.backup)
	if cfg.UploadDir != "" && cfg.Ingest != nil {
		if err := s.mountUploads(api); err != nil {
			return nil, err
		}
	}
	r.NoRoute(func(c *gin.Context) { fail(c, http.StatusNotFound, "no such page: "+c.Request.URL.Path) })
	r.NoMethod(func(c *gin.Context) {
		fail(c, http.StatusMethodNotAllowed, "method "+c.Request.Method+" not allowed here")
	})
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// Status maps an error from the layers below to an HTTP status: the one
// place where error kinds become statuses.
func Status(err error) int {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, storage.ErrInvalid), errors.Is(err, storage.ErrChecksum), errors.Is(err, imageapi.ErrSyntax):
		return http.StatusBadRequest
	case errors.Is(err, imageapi.ErrUnsupported):
		return http.StatusNotImplemented
	case errors.Is(err, repository.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, repository.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, storage.ErrUnavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, context.Canceled):
		return 499 // the client went away; nobody reads this
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}

// fail answers with a short plain-text reason.
func fail(c *gin.Context, status int, msg string) {
	if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	c.Header("Cache-Control", "no-store")
	c.String(status, "%s\n", msg)
	c.Abort()
}

// failErr answers for an error of the layers below. Internal errors are
// logged in full and answered without detail.
func (s *Server) failErr(c *gin.Context, err error) {
	st := Status(err)
	switch st {
	case http.StatusInternalServerError:
		s.cfg.Log.Error("request failed", "path", c.Request.URL.Path, "err", err)
		fail(c, st, "internal error; it has been logged")
	case http.StatusServiceUnavailable:
		s.cfg.Log.Warn("storage unavailable", "path", c.Request.URL.Path, "err", err)
		fail(c, st, "storage is unavailable for the moment; try again shortly")
	default:
		fail(c, st, reason(err))
	}
}

// reason is an error's message without the trailing name of its kind,
// which the status already says.
func reason(err error) string {
	msg := err.Error()
	for _, k := range []error{imageapi.ErrSyntax, imageapi.ErrUnsupported, storage.ErrInvalid, storage.ErrNotFound, repository.ErrConflict} {
		msg = strings.TrimSuffix(msg, ": "+k.Error())
	}
	return msg
}

func (s *Server) recover(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.cfg.Log.Error("panic", "path", c.Request.URL.Path, "panic", p)
			fail(c, http.StatusInternalServerError, "internal error; it has been logged")
		}
	}()
	c.Next()
}

func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	s.cfg.Log.Debug("request", "method", c.Request.Method, "path", c.Request.URL.Path,
		"status", c.Writer.Status(), "bytes", c.Writer.Size(), "ms", float64(time.Since(start).Microseconds())/1000)
}

// authorised reports whether the request carries the archive's token, or
// comes from a signed-in archivist's browser (with the CSRF token on
// anything that changes state).
func (s *Server) authorised(c *gin.Context) bool {
	h := c.GetHeader("Authorization")
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		return s.cfg.Token != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.Token)) == 1
	}
	if s.session(c) == "" {
		return false
	}
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return s.checkCSRF(c)
}

func (s *Server) requireToken(c *gin.Context) {
	if !s.authorised(c) {
		c.Header("WWW-Authenticate", `Bearer realm="archive"`)
		fail(c, http.StatusUnauthorized, "this needs the archive's API token (Authorization: Bearer …)")
	}
}

func (s *Server) healthz(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.String(http.StatusOK, "ok\n")
}

// readyz checks storage and the metadata store on every call, so it recovers
// as soon as they do.
func (s *Server) readyz(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	res := gin.H{"storage": "ok", "metadata": "ok"}
	status := http.StatusOK
	if err := s.cfg.Blobs.Check(ctx); err != nil {
		res["storage"] = err.Error()
		status = http.StatusServiceUnavailable
	}
	if err := s.cfg.Store.Check(); err != nil {
		res["metadata"] = err.Error()
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, res)
}
