package web

import (
	"compress/gzip"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// Text the service answers (pages, manifests and other JSON, XML, the
// viewer's scripts) is sent gzipped to a client that accepts it: a
// finding aid's outline or a manifest of 500 pages shrinks five- to
// tenfold, which a phone on a slow network feels. Images, byte ranges,
// streams and small answers pass untouched; HEAD answers as GET would. A
// compressed answer's ETag carries a suffix (two representations may not
// share a strong validator); when it comes back in If-None-Match, the
// handler sees the ETag it made.

const (
	gzipSuffix  = "-gz"
	gzipMinSize = 1024
)

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

func (s *Server) compress(c *gin.Context) {
	r := c.Request
	if isImagePath(r.URL.Path) || r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost || r.Header.Get("Range") != "" {
		c.Next()
		return
	}
	w := &gzipWriter{ResponseWriter: c.Writer, accepts: acceptsGzip(r.Header.Get("Accept-Encoding")), head: r.Method == http.MethodHead}
	if inm := r.Header.Get("If-None-Match"); w.accepts && strings.Contains(inm, gzipSuffix+`"`) {
		r.Header.Set("If-None-Match", strings.ReplaceAll(inm, gzipSuffix+`"`, `"`))
		w.stripped = true
	}
	c.Writer = w
	defer w.finish()
	c.Next()
}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a quality above 0.
func acceptsGzip(ae string) bool {
	for part := range strings.SplitSeq(ae, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if coding = strings.ToLower(strings.TrimSpace(coding)); coding != "gzip" && coding != "*" {
			continue
		}
		q, found := strings.CutPrefix(strings.ToLower(strings.ReplaceAll(params, " ", "")), "q=")
		if !found {
			return true
		}
		v, err := strconv.ParseFloat(q, 64)
		return err == nil && v > 0
	}
	return false
}

// isImagePath: an image (a tile, a thumbnail) is compressed already, and
// passing it by without a second look keeps the tile path as it was.
func isImagePath(p string) bool {
	dot := strings.LastIndexByte(p, '.')
	if dot < 0 {
		return false
	}
	switch p[dot+1:] {
	case "jpg", "jpeg", "png", "webp", "gif", "tif", "tiff", "jp2", "mp4", "m4a", "mp3", "ogg", "webm", "pdf", "zip":
		return true
	}
	return false
}

// compressible reports whether an answer of this media type is text.
func compressible(ctype string) bool {
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		return false
	}
	switch {
	case mt == "text/event-stream":
		return false
	case strings.HasPrefix(mt, "text/"), mt == "image/svg+xml", mt == "application/javascript", mt == "application/wasm":
		return true
	}
	return strings.HasPrefix(mt, "application/") && (strings.HasSuffix(mt, "json") || strings.HasSuffix(mt, "xml"))
}

type gzipWriter struct {
	gin.ResponseWriter
	gz       *gzip.Writer // while the answer is being compressed
	pending  []byte       // the start of an answer of unknown length, until it is long enough
	decided  bool
	accepts  bool // the client takes gzip
	head     bool // a HEAD request: the headers GET would have
	stripped bool // the request's If-None-Match named a compressed answer
}

// decide looks at the answer's headers before its first byte goes out.
// Every answer that could be sent compressed says that it varies with
// Accept-Encoding, compressed or not, and so does a "not modified".
func (w *gzipWriter) decide() {
	if w.decided {
		return
	}
	w.decided = true
	h := w.Header()
	status := w.Status()
	if status == http.StatusNotModified {
		varyEncoding(h)
		if etag := h.Get("ETag"); w.stripped && etag != "" {
			h.Set("ETag", withGzipSuffix(etag))
		}
		return
	}
	if status < 200 || status == http.StatusNoContent || status == http.StatusPartialContent ||
		h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" || !compressible(h.Get("Content-Type")) {
		return
	}
	varyEncoding(h)
	if !w.accepts {
		return
	}
	n, err := strconv.Atoi(h.Get("Content-Length"))
	switch {
	case err != nil:
		w.pending = make([]byte, 0, gzipMinSize)
	case n >= gzipMinSize:
		w.start()
	}
}

// start sends the answer compressed, with what was held back.
func (w *gzipWriter) start() {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	if etag := h.Get("ETag"); etag != "" {
		h.Set("ETag", withGzipSuffix(etag))
	}
	w.gz = gzipWriters.Get().(*gzip.Writer)
	w.gz.Reset(w.ResponseWriter)
	if held := w.pending; held != nil {
		w.pending = nil
		w.gz.Write(held)
	}
}

// withGzipSuffix puts the suffix inside the quotes: "abc" → "abc-gz",
// W/"abc" → W/"abc-gz".
func withGzipSuffix(etag string) string {
	if strings.HasSuffix(etag, `"`) {
		return etag[:len(etag)-1] + gzipSuffix + `"`
	}
	return etag
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	w.decide()
	if w.pending != nil {
		if len(w.pending)+len(b) < gzipMinSize {
			w.pending = append(w.pending, b...)
			return len(b), nil
		}
		w.start()
	}
	if w.gz == nil {
		return w.ResponseWriter.Write(b)
	}
	return w.gz.Write(b)
}

func (w *gzipWriter) WriteString(s string) (int, error) {
	return w.Write([]byte(s))
}

// Written counts an answer held back as begun.
func (w *gzipWriter) Written() bool {
	return w.pending != nil || w.ResponseWriter.Written()
}

func (w *gzipWriter) WriteHeaderNow() {
	w.decide()
	if w.pending != nil {
		w.start()
	}
	w.ResponseWriter.WriteHeaderNow()
}

func (w *gzipWriter) Flush() {
	w.WriteHeaderNow()
	if w.gz != nil {
		w.gz.Flush()
	}
	w.ResponseWriter.Flush()
}

// finish ends the answer: a short one held back goes out as it is, a
// compressed one is closed. An answer without a body is not compressed,
// but a "not modified" still gets the ETag asked about, and the answer to
// a HEAD that wrote no body the headers its GET would have.
func (w *gzipWriter) finish() {
	if !w.decided && (w.head || w.Status() == http.StatusNotModified) {
		w.decide()
	}
	if held := w.pending; held != nil {
		w.pending = nil
		w.ResponseWriter.Write(held)
	}
	if w.gz != nil {
		w.gz.Close()
		w.gz.Reset(nil)
		gzipWriters.Put(w.gz)
		w.gz = nil
	}
}
