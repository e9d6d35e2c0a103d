package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/annotation"
	"github.com/thaiarchives/archive/fault"
)

// The W3C Web Annotation Protocol (https://www.w3.org/TR/annotation-protocol/):
// containers per item and per canvas, and their annotations. The rules
// (who sees, who changes, what an annotation may hold) are the annotation
// service's; here the protocol's headers, preferences and preconditions.

const (
	annoType       = `application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`
	preferIRIs     = "http://www.w3.org/ns/oa#PreferContainedIRIs"
	preferDescribe = "http://www.w3.org/ns/oa#PreferContainedDescriptions"
	containerLinks = `<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", <http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"`
)

// where is the container the request names: the item's, or a canvas's
// (from 1).
func (s *Server) where(c *gin.Context) (annotation.Where, bool) {
	w := annotation.Where{Base: s.baseURL(c), Item: c.Param("item")}
	if n := c.Param("n"); n != "" {
		v, err := strconv.Atoi(n)
		if err != nil || v < 1 || strconv.Itoa(v) != n {
			s.fail(c, notFound("no canvas "+strconv.Quote(n)+": canvases are numbered from 1"))
			return w, false
		}
		w.Canvas = v
	}
	return w, true
}

// annoFail answers an error of the annotation service with the statuses
// the protocol names: 412 for a stale version, 429 past the account's
// limit, 413 past an import's.
func (s *Server) annoFail(c *gin.Context, err error) {
	var limit *annotation.LimitError
	switch {
	case errors.As(err, &limit):
		c.Header("Retry-After", strconv.Itoa(int(limit.Wait.Seconds()+0.999)))
		err = &httpError{status: http.StatusTooManyRequests, msg: t(s.lang(c), "err_annotation_limit") + " (" + err.Error() + ")"}
	case errors.Is(err, fault.Conflict):
		err = &httpError{status: http.StatusPreconditionFailed, msg: t(s.lang(c), "err_annotation_stale") + " (" + err.Error() + ")"}
	case errors.Is(err, fault.TooLarge):
		err = &httpError{status: http.StatusRequestEntityTooLarge, msg: err.Error()}
	}
	s.fail(c, err)
}

// sendAnno writes a protocol document with its caching; a GET or HEAD
// whose If-None-Match names its ETag is 304.
func (s *Server) sendAnno(c *gin.Context, status int, a *annotation.Answer) {
	p := publicShort
	if a.Private {
		p = privateOnly
	}
	s.cache(c, p)
	h := c.Writer.Header()
	varyPrefer(h)
	if a.ETag != "" {
		h.Set("ETag", a.ETag)
		if m := c.Request.Method; (m == http.MethodGet || m == http.MethodHead) && c.GetHeader("If-None-Match") == a.ETag {
			c.Status(http.StatusNotModified)
			return
		}
	}
	body, err := json.Marshal(a.Doc)
	if err != nil {
		s.fail(c, err)
		return
	}
	h.Set("Content-Type", annoType)
	c.Status(status)
	if c.Request.Method != http.MethodHead {
		c.Writer.Write(body)
	}
}

// annoContainer answers GET and HEAD of a container: the collection, or
// its page ?page=n, whole annotations or (Prefer, or ?iris=1) their IRIs.
func (s *Server) annoContainer(c *gin.Context) {
	w, ok := s.where(c)
	if !ok {
		return
	}
	iris := c.Query("iris") == "1"
	prefer := c.GetHeader("Prefer")
	preferred := strings.Contains(prefer, "return=representation")
	if preferred {
		switch {
		case strings.Contains(prefer, preferIRIs):
			iris = true
		case strings.Contains(prefer, preferDescribe):
			iris = false
		}
	}
	var (
		a   *annotation.Answer
		err error
	)
	if pg, has := c.GetQuery("page"); has {
		n, perr := strconv.Atoi(pg)
		if perr != nil || strconv.Itoa(n) != pg {
			s.fail(c, invalid("page "+strconv.Quote(pg)+" is not a number"))
			return
		}
		a, err = s.cfg.Annotations.Page(c, who(c), w, n, iris)
	} else {
		a, err = s.cfg.Annotations.Collection(c, who(c), w, iris)
	}
	if err != nil {
		s.annoFail(c, err)
		return
	}
	if preferred {
		c.Header("Preference-Applied", "return=representation")
	}
	c.Header("Link", containerLinks)
	c.Header("Allow", annoAllow(c.Request.URL.Path))
	if w.Canvas != 0 {
		c.Header("Accept-Post", annoType)
	}
	s.sendAnno(c, http.StatusOK, a)
}

// annoBody reads a posted annotation: JSON-LD (or JSON) of at most
// annotation.MaxBody bytes.
func (s *Server) annoBody(c *gin.Context) ([]byte, bool) {
	return s.annoBodyUpTo(c, annotation.MaxBody, &httpError{status: http.StatusRequestEntityTooLarge, msg: t(s.lang(c), "err_annotation_too_large")})
}

// annoBodyUpTo reads JSON-LD (or JSON) of at most limit bytes; past it,
// the 413 tooBig.
func (s *Server) annoBodyUpTo(c *gin.Context, limit int64, tooBig error) ([]byte, bool) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/ld+json" && mt != "application/json" {
		s.fail(c, &httpError{status: http.StatusUnsupportedMediaType, msg: t(s.lang(c), "err_annotation_type")})
		return nil, false
	}
	if c.Request.ContentLength > limit {
		s.fail(c, tooBig)
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(c.Request.Body, limit+1))
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	if int64(len(b)) > limit {
		s.fail(c, tooBig)
		return nil, false
	}
	return b, true
}

// annoCreate answers POST to a canvas's container: 201 with the new
// annotation, its Location and ETag.
func (s *Server) annoCreate(c *gin.Context) {
	w, ok := s.where(c)
	if !ok {
		return
	}
	body, ok := s.annoBody(c)
	if !ok {
		return
	}
	a, err := s.cfg.Annotations.Create(c, who(c), w, body)
	if err != nil {
		s.annoFail(c, err)
		return
	}
	c.Header("Location", w.Container()+a.ID)
	s.annoHeaders(c)
	s.sendAnno(c, http.StatusCreated, a)
}

func (s *Server) annoHeaders(c *gin.Context) {
	c.Header("Link", `<http://www.w3.org/ns/ldp#Resource>; rel="type"`)
	c.Header("Allow", annoAllowOne)
}

const annoAllowOne = "GET, HEAD, OPTIONS, PUT, DELETE"

// annoAllow is the methods an address of the protocol takes: an item's
// container is read only, a canvas's takes POST, an annotation PUT and
// DELETE.
func annoAllow(path string) string {
	parts := strings.Split(strings.TrimPrefix(path, "/annotations/"), "/")
	switch {
	case len(parts) == 2 && (parts[1] == "" || parts[1] == "export"):
		return "GET, HEAD, OPTIONS"
	case len(parts) == 2 && parts[1] == "import":
		return "OPTIONS, POST"
	case len(parts) == 3 && parts[2] == "":
		return "GET, HEAD, OPTIONS, POST"
	}
	return annoAllowOne
}

// annoOptions answers OPTIONS with the methods the address takes (the
// CORS preflight follows).
func annoOptions(c *gin.Context) { c.Header("Allow", annoAllow(c.Request.URL.Path)) }

// annoGet answers GET and HEAD of an annotation, or of its version
// ?version=n.
func (s *Server) annoGet(c *gin.Context) {
	w, ok := s.where(c)
	if !ok {
		return
	}
	v := 0
	if q, has := c.GetQuery("version"); has {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 {
			s.fail(c, invalid("version "+strconv.Quote(q)+" is not a number from 1"))
			return
		}
		v = n
	}
	a, err := s.cfg.Annotations.Get(c, who(c), w, c.Param("id"), v)
	if err != nil {
		s.annoFail(c, err)
		return
	}
	s.annoHeaders(c)
	s.sendAnno(c, http.StatusOK, a)
}

// ifMatch is the version a change names in If-Match: 428 without one, 412
// for a tag that is no version of ours.
func (s *Server) ifMatch(c *gin.Context) (int, bool) {
	tag := c.GetHeader("If-Match")
	if tag == "" {
		s.fail(c, &httpError{status: http.StatusPreconditionRequired, msg: t(s.lang(c), "err_annotation_ifmatch")})
		return 0, false
	}
	v := annotation.ParseETag(tag)
	if v == 0 {
		s.fail(c, &httpError{status: http.StatusPreconditionFailed, msg: t(s.lang(c), "err_annotation_stale")})
		return 0, false
	}
	return v, true
}

// annoPut answers PUT of an annotation with If-Match: its new version.
func (s *Server) annoPut(c *gin.Context) {
	w, ok := s.where(c)
	if !ok {
		return
	}
	v, ok := s.ifMatch(c)
	if !ok {
		return
	}
	body, ok := s.annoBody(c)
	if !ok {
		return
	}
	a, err := s.cfg.Annotations.Replace(c, who(c), w, c.Param("id"), v, body)
	if err != nil {
		s.annoFail(c, err)
		return
	}
	s.annoHeaders(c)
	s.sendAnno(c, http.StatusOK, a)
}

// annoDelete answers DELETE of an annotation with If-Match: 204.
func (s *Server) annoDelete(c *gin.Context) {
	w, ok := s.where(c)
	if !ok {
		return
	}
	v, ok := s.ifMatch(c)
	if !ok {
		return
	}
	if err := s.cfg.Annotations.Delete(c, who(c), w, c.Param("id"), v); err != nil {
		s.annoFail(c, err)
		return
	}
	s.cache(c, noStore)
	c.Status(http.StatusNoContent)
}

// annoExport answers GET and HEAD of /annotations/{item}/export?format=:
// the item's annotations the asker may read, as one download.
func (s *Server) annoExport(c *gin.Context) {
	format := c.DefaultQuery("format", annotation.FormatIIIF)
	x, err := s.cfg.Annotations.Export(c, who(c), annotation.Where{Base: s.baseURL(c), Item: c.Param("item")}, format)
	if err != nil {
		s.annoFail(c, err)
		return
	}
	p := publicShort
	if x.Private {
		p = privateOnly
	}
	s.cache(c, p)
	h := c.Writer.Header()
	h.Set("Content-Type", x.Type)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": x.Name}))
	c.Status(http.StatusOK)
	if c.Request.Method != http.MethodHead {
		c.Writer.Write(x.Body)
	}
}

// annoImport answers POST /annotations/{item}/import: 201 with the new
// annotations' addresses, or, when any is refused, 400 naming each by its
// place and nothing kept.
func (s *Server) annoImport(c *gin.Context) {
	body, ok := s.annoBodyUpTo(c, annotation.MaxImportBody, tooLarge(s.lang(c), "err_annotation_import_too_large", annotation.MaxImportBody))
	if !ok {
		return
	}
	out, err := s.cfg.Annotations.Import(c, who(c), annotation.Where{Base: s.baseURL(c), Item: c.Param("item")}, body)
	if err != nil {
		s.annoFail(c, err)
		return
	}
	s.cache(c, noStore)
	c.JSON(http.StatusCreated, gin.H{"imported": len(out.IRIs), "annotations": out.IRIs})
}

// annoReview answers POST /annotations/{item}/{n}/{id}/review with
// decision=approve or reject (a form field or the query) and If-Match:
// the holding library's staff approve a transcription, which makes its
// text the page's, or reject it.
func (s *Server) annoReview(c *gin.Context) {
	w, ok := s.where(c)
	if !ok {
		return
	}
	v, ok := s.ifMatch(c)
	if !ok {
		return
	}
	d := c.PostForm("decision")
	if d == "" {
		d = c.Query("decision")
	}
	if d != "approve" && d != "reject" {
		s.fail(c, invalid("say decision=approve or decision=reject"))
		return
	}
	a, err := s.cfg.Annotations.Review(c, who(c), w, c.Param("id"), v, d == "approve")
	if err != nil {
		s.annoFail(c, err)
		return
	}
	s.annoHeaders(c)
	s.sendAnno(c, http.StatusOK, a)
}
