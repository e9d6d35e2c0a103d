// Package web is the archive's HTTP layer: the Gin router, sessions,
// middleware and templates. It is the only package that knows Gin. Its
// handlers decode a request, ask the services below (which decide access
// through the access package), and encode the answer; errors travel back
// typed and are mapped to statuses in one place (answerErrors).
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/annotation"
	"github.com/thaiarchives/archive/cite"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/fulltext"
	"github.com/thaiarchives/archive/harvest"
	"github.com/thaiarchives/archive/iiif/auth"
	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/iiif/presentation"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/ingest/batch"
	"github.com/thaiarchives/archive/oai"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/signin"
	"github.com/thaiarchives/archive/sitemap"
	"github.com/thaiarchives/archive/storage"
)

// Config is what the server is built from.
type Config struct {
	Store *bolt.Store
	Blobs storage.Blobs
	Log   *slog.Logger
	// Ingest ingests the files a finding aid imported at the desk links;
	// UploadDir holds them while it does.
	Ingest    *ingest.Pipeline
	UploadDir string
	// Batches are the upload batches; with them, /api/v1/uploads takes
	// files of at most UploadMax bytes (nil: no uploads through the web).
	Batches   *batch.Service
	UploadMax int64
	// BaseURL is the public address (https://archive.example.org). Without
	// it, requests are answered only for loopback hosts, so no Host header
	// can choose the addresses written into documents.
	BaseURL string
	// Hosts are further host names accepted when BaseURL is unset.
	Hosts []string
	// TrustedProxies are the addresses (or CIDR ranges) of reverse proxies
	// whose X-Forwarded-For names the client; none by default.
	TrustedProxies []string
	// Rooms are the libraries' reading rooms: each request's address (as
	// the trusted proxies give it) is placed in them once, in identify.
	Rooms access.Rooms
	// ReducedEdge is the long edge of reduced images for those who may
	// not see them whole (the image service's own, which item pages follow).
	ReducedEdge int
	// PublicMaxAge bounds how long shared caches keep public images and
	// documents (default a day): how long a copy outlives tightened access.
	PublicMaxAge time.Duration
	// Transcoder makes the copies of recordings that browsers play; the
	// batch reports, the desk and item pages say how they come along (nil:
	// none is running, and recordings wait for one).
	Transcoder *ingest.Transcoder
	// OCR reads the text of pages in the background; the desk says how it
	// comes along and asks it for items (nil: none is running).
	OCR *ocr.Runner
	// Search is the catalogue index, following Store.
	Search Searcher
	// Images, Presentation, Within and OAI are the services of the IIIF
	// Image, Presentation and Content Search APIs and of OAI-PMH, built by
	// the command that runs the server (which owns their lifetime): the
	// server builds none itself, and New refuses a Config without them.
	Images       *imageapi.Service
	Presentation *presentation.Service
	Within       *contentsearch.Service
	OAI          *oai.Provider
	// Units is the desk's work on archival units, built by the command
	// that runs the server; nil: made from Store and Ingest (as tests do).
	Units *desk.Units
	// Points is the work on access points, built by the command that runs
	// the server.
	Points *desk.Points
	// Replica: this node follows a writer and changes nothing; requests
	// that would are refused (refuseWrites).
	Replica bool
	// FrameAncestors are the sites allowed to frame /embed pages (CSP
	// frame-ancestors syntax; default every site).
	FrameAncestors string
	// PartnerOrigins are the origins (https://viewer.example.org) of
	// partners' viewers that the IIIF token service gives access tokens
	// to, besides the archive's own; every other origin is refused.
	PartnerOrigins []string
	// Observer is told of every answered request (the metrics); nil: none.
	Observer Observer
	// Fixity says where the scheduled fixity audits stand; nil: none run.
	Fixity FixityStatus
	// Items and Accounts are the desk's services for items and for
	// people's accounts.
	Items    *desk.Items
	Accounts *desk.Accounts
	// Requests are people's access requests and the grants they make.
	Requests *desk.Requests
	// Groups are the groups people share annotations with.
	Groups *desk.Groups
	// Identifiers resolves ARKs (/ark:/…).
	Identifiers *desk.Identifiers
	// Containers are the library's boxes and their shelves.
	Containers *desk.Containers
	// Harvest keeps the libraries' own repositories whose records are
	// harvested into the catalogue.
	Harvest *harvest.Service
	// Annotations are the web annotations of items' pages.
	Annotations *annotation.Service
	// FullText gives an item's text whole and as a PDF with a text layer.
	FullText *fulltext.Service
	// Sitemap lists the public pages for search engines.
	Sitemap *sitemap.Service
	// Cite makes the citations of items and units.
	Cite *cite.Service
	// SignIn signs people in with their university's identity provider
	// (nil: only the e-mail and password form).
	SignIn *signin.Service
	// DeviceKey signs the sign-in form's device cookies (the data folder's
	// token); empty: a random key, so device cookies last until a restart.
	DeviceKey []byte
}

// Server holds the router and the services the handlers call.
type Server struct {
	cfg       Config
	router    *gin.Engine
	images    *imageapi.Service
	pres      *presentation.Service
	within    *contentsearch.Service
	oai       *oai.Provider
	pages     map[string]*template.Template
	limiter   *limiter
	deviceKey []byte        // signs device cookies (limiter.go)
	hashing   chan struct{} // a token per password being checked
	pdfs      chan struct{} // a token per finding aid being made into a PDF
	secure    bool          // cookies are Secure: the public address is https
	hosts     sync.Map      // Host headers already accepted
	hostsKept atomic.Int32  // how many hosts holds (at most 64)
	ids       *requestIDs
	partners  map[string]bool // origins given IIIF access tokens besides the archive's own
}

// New builds the HTTP handler on the services cfg names. It starts no
// background work: what the services do in the background runs under the
// command that built them.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Blobs == nil || cfg.Search == nil || cfg.Images == nil || cfg.Presentation == nil || cfg.Within == nil || cfg.OAI == nil ||
		cfg.Items == nil || cfg.Accounts == nil || cfg.Units == nil || cfg.Requests == nil || cfg.Groups == nil || cfg.Identifiers == nil || cfg.Containers == nil || cfg.Points == nil || cfg.Annotations == nil ||
		cfg.FullText == nil || cfg.Sitemap == nil || cfg.Cite == nil || cfg.Harvest == nil {
		return nil, errors.New("the web server needs the store, blobs, search index and the image, presentation, content search, OAI-PMH, annotation, group, identifier, full text, sitemap, citation, harvest and desk services")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.Log = withRequestIDs(cfg.Log)
	if cfg.PublicMaxAge <= 0 {
		cfg.PublicMaxAge = 24 * time.Hour
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Identifiers may carry encoded slashes: match on the raw path and decode
	// each parameter exactly once.
	r.UseRawPath = true
	r.UnescapePathValues = true
	r.RedirectTrailingSlash = false
	r.HandleMethodNotAllowed = true
	// A form's files beyond this are read to temporary files, not held in
	// memory (the files sent beside a finding aid may be gigabytes).
	r.MaxMultipartMemory = maxBody
	// The client's address is the connection's, unless it comes through a
	// proxy the operator names: X-Forwarded-For from anyone else is ignored.
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies %v: %v", cfg.TrustedProxies, err)
	}
	s := &Server{cfg: cfg, router: r, pages: templates(), limiter: newLimiter(), hashing: make(chan struct{}, 4), pdfs: make(chan struct{}, 2),
		secure: strings.HasPrefix(cfg.BaseURL, "https://"), ids: newRequestIDs(), partners: map[string]bool{}}
	s.deviceKey = deviceKey(cfg.DeviceKey)
	for _, o := range cfg.PartnerOrigins {
		origin, err := auth.Origin(o)
		if err != nil {
			return nil, fmt.Errorf("partner origins: %v", err)
		}
		s.partners[origin] = true
	}
	s.images, s.pres, s.within, s.oai = cfg.Images, cfg.Presentation, cfg.Within, cfg.OAI
	r.Use(s.observe, s.compress, s.recover, s.logRequests, s.answerErrors, s.headers, s.checkHost, s.limitBody, s.identify)
	if cfg.Replica {
		r.Use(s.refuseWrites)
	}
	rs := s.routes()
	heads := map[string]bool{}
	for _, rt := range rs {
		r.Handle(rt.method, rt.path, rt.handlers...)
		heads[rt.path] = heads[rt.path] || rt.method == http.MethodHead
	}
	// HEAD wherever GET works (link checkers, link previews): the same
	// handlers; the server sends the headers without the body.
	for _, rt := range rs {
		if rt.method == http.MethodGet && !heads[rt.path] {
			r.Handle(http.MethodHead, rt.path, rt.handlers...)
		}
	}
	if cfg.Batches != nil {
		if err := s.mountUploads(r.Group("/api/v1")); err != nil {
			return nil, err
		}
	}
	r.NoRoute(func(c *gin.Context) { s.fail(c, notFound("no such page: "+c.Request.URL.Path)) })
	r.NoMethod(func(c *gin.Context) {
		s.fail(c, &httpError{status: http.StatusMethodNotAllowed, msg: "method " + c.Request.Method + " is not allowed here"})
	})
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
// A kept answer of a public image to an anonymous visitor is answered
// before the router (hotTile); everything else goes through it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.hotTile(w, r) {
		return
	}
	// An ARK's address (/ark:/NAAN/name, or /ark:NAAN/name) holds a
	// colon the router would take for a parameter: it is answered at
	// /ark/NAAN/name.
	if rest, ok := strings.CutPrefix(r.URL.Path, "/ark:"); ok {
		r.URL.Path, r.URL.RawPath = "/ark/"+strings.TrimPrefix(rest, "/"), ""
	}
	s.router.ServeHTTP(w, r)
}

// Routes lists every route as "METHOD path", for the test that walks them all.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.router.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func (s *Server) recover(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.cfg.Log.ErrorContext(c, "panic", "path", c.Request.URL.Path, "panic", p)
			s.cache(c, noStore)
			c.String(http.StatusInternalServerError, "internal error; it has been logged\n")
			c.Abort()
		}
	}()
	c.Next()
}

func (s *Server) logRequests(c *gin.Context) {
	if !s.cfg.Log.Enabled(c.Request.Context(), slog.LevelDebug) {
		c.Next()
		return
	}
	start := time.Now()
	c.Next()
	s.cfg.Log.DebugContext(c, "request", "method", c.Request.Method, "path", c.Request.URL.Path,
		"status", c.Writer.Status(), "bytes", c.Writer.Size(), "ms", float64(time.Since(start).Microseconds())/1000)
}

// Values of the headers every answer carries (shared: never modified).
var (
	nosniff  = []string{"nosniff"}
	referrer = []string{"strict-origin-when-cross-origin"}
	hsts     = []string{"max-age=31536000"}
)

// headers sets what every answer carries. Pages add their CSP and
// Referrer-Policy (a tile's header map stays small: its size shows in the
// cost of every tile).
func (s *Server) headers(c *gin.Context) {
	s.commonHeaders(c.Writer.Header())
	c.Next()
}

// commonHeaders sets in h the headers every answer carries.
func (s *Server) commonHeaders(h http.Header) {
	h["X-Content-Type-Options"] = nosniff
	if s.secure {
		h["Strict-Transport-Security"] = hsts
	}
}

// checkHost refuses a Host header the archive does not answer to, when no
// public address is configured: otherwise any Host would become the
// address written into manifests and redirects, and a cache would keep it.
func (s *Server) checkHost(c *gin.Context) {
	if s.cfg.BaseURL != "" {
		return
	}
	if _, ok := s.hosts.Load(c.Request.Host); ok {
		return
	}
	host := c.Request.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	ok := host == "localhost"
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		ok = true
	}
	for _, h := range s.cfg.Hosts {
		ok = ok || strings.EqualFold(h, host)
	}
	if ok {
		// Remember a few accepted hosts (loopback names take many forms).
		if s.hostsKept.Add(1) <= 64 {
			s.hosts.Store(c.Request.Host, true)
		}
		return
	}
	s.cache(c, noStore)
	c.String(http.StatusMisdirectedRequest, "this archive does not answer to the host %q; set ARCHIVE_BASE_URL to its public address\n", c.Request.Host)
	c.Abort()
}

// maxBody bounds every form and JSON body; files go through the
// resumable upload endpoint, which has its own limit, or beside a finding
// aid imported at the desk, which has the same (uploadMax).
const maxBody = 1 << 20

// uploadMax is the largest file the archive takes through the web.
func (s *Server) uploadMax() int64 {
	if s.cfg.UploadMax > 0 {
		return s.cfg.UploadMax
	}
	return ingest.DefaultMaxFileSize
}

func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength != 0 && !strings.HasPrefix(c.Request.URL.Path, "/api/v1/uploads/") {
		limit, key := int64(maxBody), "err_body_too_large"
		switch p := c.Request.URL.Path; {
		case p == "/desk/ead":
			limit, key = s.uploadMax(), "err_import_too_large"
		case strings.HasPrefix(p, "/annotations/") && strings.HasSuffix(p, "/import"):
			limit, key = annotation.MaxImportBody, "err_annotation_import_too_large"
		}
		if c.Request.ContentLength > limit {
			s.fail(c, tooLarge(s.lang(c), key, limit))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

// tooLarge is a 413 that says, in lang, what was too large and the limit.
func tooLarge(lang, key string, limit int64) error {
	size := fmt.Sprintf("%d MB", limit>>20)
	if limit >= 1<<30 && limit%(1<<30) == 0 {
		size = fmt.Sprintf("%d GB", limit>>30)
	}
	return &httpError{status: http.StatusRequestEntityTooLarge, msg: t(lang, key) + " " + size}
}

// baseURL is how clients reach this server.
func (s *Server) baseURL(c *gin.Context) string { return s.baseOf(c.Request) }

// baseOf is the public address the archive answers r at.
func (s *Server) baseOf(r *http.Request) string { return s.baseOfHost(r.Host) }

// baseOfHost is the base address of a request that named host.
func (s *Server) baseOfHost(host string) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimSuffix(s.cfg.BaseURL, "/")
	}
	return "http://" + host
}

func (s *Server) site(c *gin.Context) presentation.Site { return presentation.Site{Base: s.baseURL(c)} }

func (s *Server) healthz(c *gin.Context) {
	s.cache(c, noStore)
	c.String(http.StatusOK, "ok\n")
}

// readyz checks storage and the metadata store on every call, so it recovers
// as soon as they do. It says which part is down, never how.
func (s *Server) readyz(c *gin.Context) {
	s.cache(c, noStore)
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	res := gin.H{"storage": "ok", "metadata": "ok"}
	status := http.StatusOK
	if err := s.cfg.Blobs.Check(ctx); err != nil {
		s.cfg.Log.Warn("readiness: storage", "err", err)
		res["storage"] = "unavailable"
		status = http.StatusServiceUnavailable
	}
	if err := s.cfg.Store.Check(); err != nil {
		s.cfg.Log.Warn("readiness: metadata", "err", err)
		res["metadata"] = "unavailable"
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, res)
}

// sameOrigin reports whether a URL is a path on this archive (for
// redirects after sign-in): browsers read "/\\host" and "//host" as another site.
func (s *Server) sameOrigin(c *gin.Context, next string) bool {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return false
	}
	u, err := url.Parse(next)
	return err == nil && u.Scheme == "" && u.Host == ""
}
