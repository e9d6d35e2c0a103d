package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/fulltext"
)

// An item's text whole (/api/v1/items/{id}/text) and as a PDF with a text
// layer (/api/v1/items/{id}/pdf): package fulltext reads, decides access
// and makes them; here they are only sent. Each is as public as the item's
// content (access.CachePolicy), and its ETag is the item's version: a
// corrected page is a new version.

// fullTextETag is the ETag of an export of the item at a version.
func fullTextETag(it *fulltext.Item, kind string) string {
	return `"` + it.ID + "-v" + strconv.Itoa(it.Version) + "-" + kind + `"`
}

// sendExport sends an export as an attachment named name, or 304 to an
// If-None-Match that names its ETag.
func (s *Server) sendExport(c *gin.Context, it *fulltext.Item, etag, name, ctype string, body func() ([]byte, error)) {
	s.cacheResource(c, it.Resource, publicDoc)
	c.Header("ETag", etag)
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	if c.Request.Method == http.MethodHead {
		c.Header("Content-Type", ctype)
		c.Status(http.StatusOK)
		return
	}
	b, err := body()
	if err != nil { // answered by the error channel, which no cache keeps
		c.Writer.Header().Del("ETag")
		c.Writer.Header().Del("Content-Disposition")
		s.fail(c, err)
		return
	}
	s.send(c, http.StatusOK, ctype, b)
}

// itemText sends the text of every page of an item in order: plain text,
// each page under a line naming it, or (?format=json) a list of
// {page, text}.
func (s *Server) itemText(c *gin.Context) {
	format := c.DefaultQuery("format", "text")
	if format != "text" && format != "json" {
		s.fail(c, invalid(fmt.Sprintf("format %q: the text is given as text (the default) or json", format)))
		return
	}
	it, err := s.cfg.FullText.Open(c.Request.Context(), who(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	name, ctype := it.ID+".txt", "text/plain; charset=utf-8"
	if format == "json" {
		name, ctype = it.ID+".json", "application/json; charset=utf-8"
	}
	s.sendExport(c, it, fullTextETag(it, format), name, ctype, func() ([]byte, error) {
		txt, err := s.cfg.FullText.Text(c.Request.Context(), who(c), it.ID)
		if err != nil {
			return nil, err
		}
		if format == "json" {
			return json.Marshal(txt.Pages)
		}
		return txt.Plain(), nil
	})
}

// itemPDF sends an item as a PDF of its page images with their words as a
// searchable layer. A request for more pages than a PDF is made of is 413;
// a busy service is 503 with Retry-After.
func (s *Server) itemPDF(c *gin.Context) {
	it, err := s.cfg.FullText.Open(c.Request.Context(), who(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.sendExport(c, it, fullTextETag(it, "pdf"), it.ID+".pdf", "application/pdf", func() ([]byte, error) {
		pdf, err := s.cfg.FullText.PDF(c.Request.Context(), who(c), it.ID, pdfClient(c))
		if errors.Is(err, fault.TooLarge) {
			return nil, &httpError{status: http.StatusRequestEntityTooLarge, msg: t(s.lang(c), "err_pdf_pages") + " (" + err.Error() + ")"}
		}
		if err != nil {
			return nil, err
		}
		return pdf.Data, nil
	})
}

// pdfClient is who a PDF is made for, each of whom has one made at a
// time: the signed-in person, or the address of anyone else.
func pdfClient(c *gin.Context) string {
	if p := who(c); p.SignedIn() {
		return "user " + p.User
	}
	return "address " + c.ClientIP()
}
