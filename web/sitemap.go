package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/sitemap"
)

// The addresses search engines are given (the sitemap service) and kept
// from (robots.txt).

// sitemapIndex answers /sitemap.xml: the one sitemap while the public
// pages fit in one, else an index of the sitemaps that hold them.
func (s *Server) sitemapIndex(c *gin.Context) {
	n, err := s.cfg.Sitemap.Pages(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	if n == 1 {
		s.sitemapAt(c, 1)
		return
	}
	base := s.baseURL(c)
	locs := make([]string, n)
	for i := range locs {
		locs[i] = fmt.Sprintf("%s/sitemap/%d.xml", base, i+1)
	}
	var b bytes.Buffer
	if err := sitemap.WriteIndex(&b, locs); err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, publicShort)
	s.send(c, http.StatusOK, "application/xml; charset=utf-8", b.Bytes())
}

// sitemapPage answers /sitemap/{n}.xml, n from 1.
func (s *Server) sitemapPage(c *gin.Context) {
	raw, ok := strings.CutSuffix(c.Param("n"), ".xml")
	n, err := strconv.Atoi(raw)
	if !ok || err != nil || strconv.Itoa(n) != raw {
		s.fail(c, notFound("no sitemap "+c.Param("n")))
		return
	}
	s.sitemapAt(c, n)
}

func (s *Server) sitemapAt(c *gin.Context, n int) {
	urls, err := s.cfg.Sitemap.Page(c.Request.Context(), s.baseURL(c), n)
	if err != nil {
		s.fail(c, err)
		return
	}
	var b bytes.Buffer
	if err := sitemap.WriteURLSet(&b, urls); err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, publicShort)
	s.send(c, http.StatusOK, "application/xml; charset=utf-8", b.Bytes())
}

// robotsRules keep crawlers off what is no page to find: the desk and
// people's accounts, sign-in, searches (endless, and each a page of other
// pages), the JSON API and downloads, the IIIF image service (every region
// and size of every picture), Content Search, transcription, annotation
// containers, and the print and embed copies of pages. IIIF manifests and
// collections stay open: they are one small document per record, which
// IIIF aggregators and search engines harvest beside the pages.
var robotsRules = []string{
	"Disallow: /desk",
	"Disallow: /account",
	"Disallow: /login",
	"Disallow: /logout",
	"Disallow: /saml/",
	"Disallow: /search",
	"Disallow: /api/",
	"Disallow: /oembed",
	"Disallow: /embed/",
	"Disallow: /annotations/",
	"Disallow: /iiif/",
	"Allow: /iiif/3/manifest/",
	"Allow: /iiif/3/collection/",
	"Disallow: /items/*/transcribe/",
	"Disallow: /items/*/requests",
	"Disallow: /fonds/*/print",
	"Disallow: /fonds/*/view/",
}

// robots answers /robots.txt (RFC 9309), naming the sitemap at the
// archive's public address.
func (s *Server) robots(c *gin.Context) {
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for _, r := range robotsRules {
		b.WriteString(r + "\n")
	}
	b.WriteString("\nSitemap: " + s.baseURL(c) + "/sitemap.xml\n")
	s.cache(c, publicHour)
	s.send(c, http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
}
