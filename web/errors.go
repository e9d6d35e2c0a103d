package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/storage"
)

// httpError is an answer decided in this layer (a bad form, a method not
// allowed), with its status and message.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func notFound(msg string) error { return &httpError{status: http.StatusNotFound, msg: msg} }
func invalid(msg string) error  { return &httpError{status: http.StatusBadRequest, msg: msg} }

// Status maps an error from the layers below to an HTTP status: the one
// place where error kinds become statuses.
func Status(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.status
	}
	switch fault.KindOf(err) {
	case fault.Unauthenticated:
		return http.StatusUnauthorized
	case fault.Forbidden, fault.ReadingRoom:
		return http.StatusForbidden
	case fault.Gone:
		return http.StatusGone
	case fault.NotFound:
		return http.StatusNotFound
	case fault.Busy, fault.Unavailable:
		return http.StatusServiceUnavailable
	case fault.Invalid, fault.Checksum, fault.TooLarge:
		return http.StatusBadRequest
	case fault.Unsupported:
		return http.StatusNotImplemented
	case fault.Conflict:
		return http.StatusConflict
	case fault.ReadOnly:
		return http.StatusMethodNotAllowed
	}
	switch {
	case errors.Is(err, context.Canceled):
		return 499 // the client went away; nobody reads this
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// fail hands an error to answerErrors and stops the handler chain.
func (s *Server) fail(c *gin.Context, err error) {
	c.Error(err)
	c.Abort()
}

// answerErrors is the one error channel: after the handlers, an error they
// reported becomes a status and a short message in the visitor's language
// (a page for browsers, text for everything else). Internal and storage
// errors are logged in full and answered without detail.
func (s *Server) answerErrors(c *gin.Context) {
	c.Next()
	if len(c.Errors) == 0 || c.Writer.Written() {
		return
	}
	err := c.Errors.Last().Err
	st := Status(err)
	lang := s.lang(c)
	msg := reason(err)
	switch st {
	case http.StatusInternalServerError:
		s.cfg.Log.ErrorContext(c, "request failed", "path", c.Request.URL.Path, "err", err)
		msg = t(lang, "err_internal")
	case http.StatusServiceUnavailable:
		c.Header("Retry-After", "5")
		if fault.KindOf(err) == fault.Busy {
			c.Header("Retry-After", "1")
			msg = t(lang, "err_busy")
		} else {
			s.cfg.Log.WarnContext(c, "storage unavailable", "path", c.Request.URL.Path, "err", err)
			msg = t(lang, "err_unavailable")
		}
	case http.StatusUnauthorized:
		c.Header("WWW-Authenticate", `Bearer realm="archive"`)
		msg = t(lang, "err_signin") + " (" + msg + ")"
	case http.StatusForbidden:
		if fault.KindOf(err) == fault.ReadingRoom {
			msg = s.roomNote(lang, err)
			break
		}
		msg = t(lang, "err_forbidden") + " (" + msg + ")"
	case http.StatusGone:
		msg = t(lang, "err_gone") + " (" + msg + ")"
	case http.StatusNotFound:
		var he *httpError
		if !errors.As(err, &he) {
			// The same words for what does not exist, for what the visitor
			// may not know exists, and for a stored file gone missing.
			if storage.IsMissing(err) {
				s.cfg.Log.ErrorContext(c, "a stored file is missing", "path", c.Request.URL.Path, "err", err)
			}
			msg = t(lang, "not_found")
		}
	}
	s.cache(c, noStore)
	if wantsPage(c) {
		p := s.newPage(c, "")
		p.Title, p.Error = t(p.Lang, "error_title"), msg
		p.SignIn = st == http.StatusUnauthorized
		s.render(c, st, "list", p)
		return
	}
	c.String(st, "%s\n", msg)
}

// wantsPage: a browser asking for a page, not a viewer or a script asking
// for data.
func wantsPage(c *gin.Context) bool {
	p := c.Request.URL.Path
	if strings.HasPrefix(p, "/iiif/") || strings.HasPrefix(p, "/api/") || p == "/oai" || p == "/oembed" {
		return false
	}
	return strings.Contains(c.GetHeader("Accept"), "text/html")
}

// reason is what an error says to the person who caused it: its message,
// which never holds a file system path.
func reason(err error) string { return err.Error() }
