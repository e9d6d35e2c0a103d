package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// embedPage is the item's viewer alone, for partners' iframes: framing is
// allowed to the configured partners (every site by default).
func (s *Server) embedPage(c *gin.Context) {
	it, err := s.cfg.Store.Item(c.Param("id"))
	if err != nil || it.Deleted || !it.Access.Open(time.Now()) {
		s.notFound(c)
		return
	}
	s.render(c, http.StatusOK, "embed", s.itemPageData(c, it))
}

// oembed answers oEmbed (https://oembed.com/) for item and embed URLs.
func (s *Server) oembed(c *gin.Context) {
	if f := c.Query("format"); f != "" && f != "json" {
		fail(c, http.StatusNotImplemented, "only format=json is offered")
		return
	}
	u, err := url.Parse(c.Query("url"))
	if err != nil || c.Query("url") == "" {
		fail(c, http.StatusBadRequest, "url is required: the address of an item page")
		return
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 || (parts[0] != "items" && parts[0] != "embed") {
		fail(c, http.StatusNotFound, "not an item address: "+u.Path)
		return
	}
	it, err := s.cfg.Store.Item(parts[1])
	if err != nil || it.Deleted || !it.Access.Open(time.Now()) {
		fail(c, http.StatusNotFound, "no public item at "+u.Path)
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
	lang := s.lang(c)
	resp := gin.H{
		"version": "1.0", "type": "rich", "width": w, "height": h, "title": it.Title.Get(lang),
		"provider_name": t(lang, "site"), "provider_url": site.Base + "/",
		"html": fmt.Sprintf(`<iframe src="%s/embed/%s" width="%d" height="%d" style="border:0" allowfullscreen title="%s"></iframe>`,
			site.Base, it.ID, w, h, template.HTMLEscapeString(it.Title.Get(lang))),
	}
	if th := site.Thumb(it); th != nil {
		resp["thumbnail_url"] = th["id"]
		resp["thumbnail_width"], resp["thumbnail_height"] = th["width"], th["height"]
	}
	c.Header("Access-Control-Allow-Origin", "*")
	c.JSON(http.StatusOK, resp)
}
