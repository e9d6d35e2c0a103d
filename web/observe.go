package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/iiif/imageapi"
)

// Observer is told of every answered request: its method, its route's
// pattern (empty when no route matched), its status and how long it took.
// The metrics implement it.
type Observer interface {
	Request(method, route string, status int, elapsed time.Duration)
}

// RequestIDHeader carries each request's identifier back to the client,
// and in from a proxy that made one (nginx's $request_id).
const RequestIDHeader = "X-Request-Id"

// requestID is the identifier of the request whose Gin context ctx is,
// or "": the one its answer carries, so that giving a request its
// identifier copies nothing (a context of its own would copy the request).
func requestID(ctx context.Context) string {
	if c, ok := ctx.(*gin.Context); ok {
		if v := c.Writer.Header()[RequestIDHeader]; len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// requestIDs makes identifiers unique to this process: a random prefix
// and a counter, so making one costs no system call.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var b [6]byte
	rand.Read(b[:])
	return &requestIDs{prefix: hex.EncodeToString(b[:]) + "-"}
}

func (r *requestIDs) next() string {
	var b [32]byte // a 13-byte prefix and at most 13 digits: one allocation
	return string(strconv.AppendUint(append(b[:0], r.prefix...), r.n.Add(1), 36))
}

// validRequestID accepts an identifier a proxy sent when it is short and
// plain (it goes into logs and a header).
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// observe is the outermost middleware: it gives the request its
// identifier (in the answer's header, where the logs find it too) and,
// once answered, tells the observer.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Writer.Header()[RequestIDHeader] = []string{s.requestIDOf(c.Request)}
	c.Next()
	if s.cfg.Observer != nil {
		s.cfg.Observer.Request(c.Request.Method, c.FullPath(), c.Writer.Status(), time.Since(start))
	}
}

// requestIDOf is the identifier r's answer carries: the one a proxy sent,
// when it is plain, or a new one.
func (s *Server) requestIDOf(r *http.Request) string {
	if v := r.Header[RequestIDHeader]; len(v) > 0 && validRequestID(v[0]) {
		return v[0]
	}
	return s.ids.next()
}

// withRequestIDs makes a logger whose records made with a request's Gin
// context (log.ErrorContext(c, …)) carry that request's identifier.
func withRequestIDs(log *slog.Logger) *slog.Logger {
	return slog.New(requestIDHandler{log.Handler()})
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := requestID(ctx); id != "" {
		r.AddAttrs(slog.String("request", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// CacheStats reads the image service's caches, for the metrics.
func (s *Server) CacheStats() map[string]imageapi.CacheStats { return s.images.CacheStats() }
