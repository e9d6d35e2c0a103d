package web

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/cite"
)

// citeFormat is a download of a citation: its media type and the file
// name's extension.
type citeFormat struct{ mediaType, ext string }

// citeFormats are the citations offered at /api/v1/items/{id}/citation
// and /api/v1/units/{id}/citation, by the format asked for.
var citeFormats = map[string]citeFormat{
	"csl-json": {"application/vnd.citationstyles.csl+json", "json"},
	"ris":      {"application/x-research-info-systems; charset=utf-8", "ris"},
	"bibtex":   {"application/x-bibtex; charset=utf-8", "bib"},
}

// citeBlock is a page's "Cite" section (templates/cite.html): the plain
// citation, shown until the page's script renders the style and language
// chosen (and to readers without scripts), and the address of its
// downloads.
type citeBlock struct {
	Lang, Heading string // Heading: the key of the section's title
	URL           string // without a format
	Plain         string
}

func (s *Server) itemCitation(c *gin.Context) { s.citation(c, s.cfg.Cite.Item) }
func (s *Server) unitCitation(c *gin.Context) { s.citation(c, s.cfg.Cite.Unit) }

// citation answers the citation of the item or unit in the address, in
// the reader's language, as a file to download (CSL-JSON unless another
// format is asked for), to whoever may read its description, cached as
// its description is.
func (s *Server) citation(c *gin.Context, source func(context.Context, access.Principal, string) (*cite.Source, access.Resource, error)) {
	lang := s.lang(c)
	name := c.DefaultQuery("format", "csl-json")
	f, ok := citeFormats[name]
	if !ok {
		s.fail(c, invalid(t(lang, "cite_format_unknown")))
		return
	}
	src, res, err := source(c.Request.Context(), who(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	e := src.CSL(lang, s.site(c).Base)
	var body []byte
	switch name {
	case "ris":
		body = cite.RIS(e)
	case "bibtex":
		body = cite.BibTeX(e)
	default:
		if body, err = json.MarshalIndent([]cite.Entry{e}, "", "  "); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.cacheResource(c, res, publicDoc)
	c.Header("Content-Disposition", `attachment; filename="`+src.ID+"."+f.ext+`"`)
	s.send(c, http.StatusOK, f.mediaType, body)
}
