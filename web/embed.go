package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
)

// embedPage is the item's viewer alone, for partners' iframes: framing is
// allowed to the configured partners (every site by default). A restricted
// item's embed is its viewer too, which asks for sign-in and access as the
// item page's does (viewer.js).
func (s *Server) embedPage(c *gin.Context) {
	it, res, err := s.loadItem(c, c.Param("id"), access.ReadMetadata)
	if errors.Is(err, fault.NotFound) {
		s.notFoundPage(c)
		return
	}
	if errors.Is(err, fault.Unauthenticated) || errors.Is(err, fault.Forbidden) {
		p := itemPage{page: s.newPage(c, ""), Restricted: true, Viewer: viewerBuilt(), Manifest: s.site(c).ManifestURL(it.ID), ItemID: it.ID}
		p.Title, p.ItemURL = t(p.Lang, "restricted"), s.site(c).Base+"/items/"+it.ID
		// In another site's frame the browser sends no session cookie
		// (SameSite=Lax), nor to the viewer's token service: say so, and
		// send the person to the item page (docs/security.md, embeds).
		// The answer is kept by no cache (privateOnly), so it needs no Vary
		// for the header it depends on.
		p.CrossSite = c.GetHeader("Sec-Fetch-Site") == "cross-site"
		s.cache(c, privateOnly)
		s.render(c, Status(err), "embed", p)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.itemPageData(c, it, res)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cacheResource(c, res, publicFiles)
	s.render(c, http.StatusOK, "embed", p)
}

// oembed answers oEmbed (https://oembed.com/) for item and embed URLs.
func (s *Server) oembed(c *gin.Context) {
	if f := c.Query("format"); f != "" && f != "json" {
		s.fail(c, &httpError{status: http.StatusNotImplemented, msg: "only format=json is offered"})
		return
	}
	u, err := url.Parse(c.Query("url"))
	if err != nil || c.Query("url") == "" {
		s.fail(c, invalid("url is required: the address of an item page"))
		return
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 || (parts[0] != "items" && parts[0] != "embed") {
		s.fail(c, notFound("not an item address: "+u.Path))
		return
	}
	it, res, err := s.loadItem(c, parts[1], access.ReadMetadata)
	if err != nil {
		s.fail(c, err)
		return
	}
	w, h := 800, 600
	if mw, err := strconv.Atoi(c.Query("maxwidth")); err == nil && mw > 0 && mw < w {
		w, h = mw, mw*3/4
	}
	if mh, err := strconv.Atoi(c.Query("maxheight")); err == nil && mh > 0 && mh < h {
		w, h = mh*4/3, mh
	}
	site := s.site(c)
	// The language asked (lang=, or the page address's own ?lang=) is the
	// embed's too; without one, the embed follows each visitor's.
	asked := c.Query("lang")
	if asked != "th" && asked != "en" {
		asked = u.Query().Get("lang")
	}
	lang := s.lang(c)
	if asked != "th" && asked != "en" {
		asked = ""
	} else {
		lang = asked
	}
	resp := gin.H{
		"version": "1.0", "type": "rich", "width": w, "height": h, "title": it.Title.Get(lang),
		"provider_name": t(lang, "site"), "provider_url": site.Base + "/",
		"html": embedHTML(site.Base, it.ID, asked, it.Title.Get(lang), w, h),
	}
	if th := site.Thumb(it); th != nil && access.Decide(who(c), access.ReadReduced, res, time.Now()) == nil {
		resp["thumbnail_url"] = th["id"]
		resp["thumbnail_width"], resp["thumbnail_height"] = th["width"], th["height"]
	}
	c.Header("Access-Control-Allow-Origin", "*")
	s.cacheResource(c, res, publicFiles)
	c.JSON(http.StatusOK, resp)
}

// embedHTML is the iframe that embeds item id, in lang when one is given.
func embedHTML(base, id, lang, title string, w, h int) string {
	src := base + "/embed/" + id
	if lang != "" {
		src += "?lang=" + url.QueryEscape(lang)
	}
	return fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" style="border:0" allowfullscreen title="%s"></iframe>`,
		template.HTMLEscapeString(src), w, h, template.HTMLEscapeString(title))
}
