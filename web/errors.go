package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/search"
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
	switch {
	case errors.As(err, &he):
		return he.status
	case errors.Is(err, access.ErrUnauthenticated):
		return http.StatusUnauthorized
	case errors.Is(err, access.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, access.ErrGone):
		return http.StatusGone
	case errors.Is(err, storage.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, imageapi.ErrBusy), errors.Is(err, search.ErrBusy), errors.Is(err, storage.ErrUnavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, storage.ErrInvalid), errors.Is(err, storage.ErrChecksum), errors.Is(err, imageapi.ErrSyntax), errors.Is(err, imageapi.ErrTooLarge):
		return http.StatusBadRequest
	case errors.Is(err, imageapi.ErrUnsupported):
		return http.StatusNotImplemented
	case errors.Is(err, repository.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, repository.ErrReadOnly):
		return http.StatusMethodNotAllowed
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
		if errors.Is(err, imageapi.ErrBusy) || errors.Is(err, search.ErrBusy) {
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
		msg = t(lang, "err_forbidden") + " (" + msg + ")"
	case http.StatusGone:
		msg = t(lang, "err_gone") + " (" + msg + ")"
	case http.StatusNotFound:
		var he *httpError
		if !errors.As(err, &he) {
			// The same words for what does not exist, for what the visitor
			// may not know exists, and for a stored file gone missing.
			if strings.Contains(msg, "blobs/") || strings.Contains(msg, "records/") {
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

// reason is an error's message without the trailing name of its kind,
// which the status already says.
func reason(err error) string {
	msg := err.Error()
	for _, k := range []error{imageapi.ErrSyntax, imageapi.ErrUnsupported, imageapi.ErrTooLarge, imageapi.ErrBusy, search.ErrBusy, storage.ErrInvalid,
		storage.ErrNotFound, repository.ErrConflict, access.ErrUnauthenticated, access.ErrForbidden, access.ErrGone} {
		msg = strings.TrimSuffix(msg, ": "+k.Error())
	}
	return msg
}
