package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/repository"
)

// Searching inside items (IIIF Content Search 2.0 and 1.0, autocomplete),
// the text of each canvas as an annotation page, ALTO downloads, and
// asking for an item's pages to be read. The answers come from package
// contentsearch, which decides access; here they are only sent.

func (s *Server) sendSearch(c *gin.Context, a *contentsearch.Answer, err error) {
	if err != nil {
		s.fail(c, err)
		return
	}
	if a.Public {
		s.cache(c, publicDoc)
	} else {
		s.cache(c, privateOnly)
	}
	c.Data(http.StatusOK, "application/ld+json; charset=utf-8", a.Body)
}

func (s *Server) searchRequest(c *gin.Context, v int) contentsearch.Request {
	return contentsearch.Request{Item: c.Param("id"), Base: s.baseURL(c), Version: v, Q: c.Query("q"), Page: searchPage(c)}
}

// searchPage is the page of hits asked for: 0 when none is, -1 when what is
// asked is not a page (the search refuses it).
func searchPage(c *gin.Context) int {
	v, ok := c.GetQuery("page")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return -1
	}
	return n
}

// searchWithin answers a Content Search request of version v.
func (s *Server) searchWithin(v int) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, err := s.within.Search(c.Request.Context(), who(c), s.searchRequest(c, v))
		s.sendSearch(c, a, err)
	}
}

// autocomplete answers a Content Search autocomplete request of version v.
func (s *Server) autocomplete(v int) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, err := s.within.Autocomplete(c.Request.Context(), who(c), s.searchRequest(c, v))
		s.sendSearch(c, a, err)
	}
}

// searchWithin2 answers the Content Search 1.0 services of a Presentation
// 2.1 manifest (/iiif/2/search/{item}, /iiif/2/autocomplete/{item}).
func (s *Server) searchWithin2(c *gin.Context, kind, item string) {
	r := contentsearch.Request{Item: item, Base: s.baseURL(c), Version: 1, Presentation: 2, Q: c.Query("q"), Page: searchPage(c)}
	if kind == "search" {
		a, err := s.within.Search(c.Request.Context(), who(c), r)
		s.sendSearch(c, a, err)
		return
	}
	a, err := s.within.Autocomplete(c.Request.Context(), who(c), r)
	s.sendSearch(c, a, err)
}

// textPage sends the text of a canvas as an annotation page.
func (s *Server) textPage(c *gin.Context) {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil {
		s.fail(c, notFound(fmt.Sprintf("item %s has no file %q", c.Param("id"), c.Param("n"))))
		return
	}
	a, err := s.within.TextPage(c.Request.Context(), who(c), s.baseURL(c), c.Param("id"), n)
	s.sendSearch(c, a, err)
}

// alto sends the text of a page as ALTO XML, to whoever may read the page
// whole; a page whose text is not read yet is a page without text.
func (s *Server) alto(c *gin.Context) {
	it, f, res, ok := s.itemFile(c, access.ReadContent)
	if !ok {
		return
	}
	name := fmt.Sprintf("%s-%s.alto.xml", it.ID, c.Param("n"))
	if key := f.Derivatives["alto"]; key != "" {
		s.serveBlob(c, res, key, "application/xml; charset=utf-8", `"`+f.SHA256+`-alto"`, name)
		return
	}
	s.cacheResource(c, res, publicFiles)
	page := &ocr.Page{Width: f.Width, Height: f.Height}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, "application/xml; charset=utf-8", page.WriteALTO(f.Name, "archive"))
}

// requestOCR asks for the pages of an item to be read, whatever its type
// (archivists of its library): from the desk's form or the JSON API.
func (s *Server) requestOCR(c *gin.Context) {
	it, _, err := s.loadItem(c, c.Param("id"), access.Edit)
	if err != nil {
		s.fail(c, err)
		return
	}
	if s.cfg.OCR == nil {
		s.fail(c, fmt.Errorf("the text of pages is not being read on this server (tesseract is not installed or ocr is off): %w", fault.Unavailable))
		return
	}
	if c.FullPath() == "/desk/items/:id/ocr" {
		s.cfg.OCR.Request(it.ID)
		c.Redirect(http.StatusSeeOther, "/desk/items/"+it.ID)
		return
	}
	s.cfg.OCR.Request(it.ID)
	s.cache(c, privateOnly)
	c.JSON(http.StatusAccepted, gin.H{"item": it.ID, "unread": len(ocr.Unread(it))})
}

// ocrNote says, for the desk, how the reading of an item's pages comes
// along: "" when every page with an image has its text.
func (s *Server) ocrNote(lang string, it *repository.Item) string {
	unread := len(ocr.Unread(it))
	if unread == 0 {
		return ""
	}
	p := s.cfg.OCR.Progress(it.ID)
	switch {
	case p == nil:
		return fmt.Sprintf(t(lang, "ocr_unread"), unread)
	case p.State == ocr.Reading:
		return fmt.Sprintf(t(lang, "ocr_reading"), p.Done, p.Pages)
	case p.State == ocr.Failed:
		return fmt.Sprintf(t(lang, "ocr_failed"), p.Retry.Format("15:04")) + " " + p.Message
	}
	return fmt.Sprintf(t(lang, "ocr_waiting"), unread)
}
