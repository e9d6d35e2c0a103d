package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/iiif/imageapi"
)

// cachePolicy says who may keep an answer and for how long. Every answer's
// Cache-Control and Vary come from here: no handler writes them itself.
type cachePolicy int

const (
	// noStore: never kept (errors, redirects, protocol answers that change
	// with every call).
	noStore cachePolicy = iota
	// privateOnly: built for who asked; no cache keeps it.
	privateOnly
	// publicShort: lists and pages that change often; private for a
	// signed-in person.
	publicShort
	// publicDoc: documents of public records; private for a signed-in person.
	publicDoc
	// publicHour: answers that stay for an hour; private for a signed-in person.
	publicHour
	// publicFiles: public files, for the configured time; private for a
	// signed-in person.
	publicFiles
	// publicStatic: the bundle's files, the same for everyone.
	publicStatic
	// publicImmutable: drawn images that never change, the same for everyone.
	publicImmutable
)

// varyAsker is what an answer built for its asker varies by.
const varyAsker = "Cookie, Authorization, Accept, Accept-Language"

// cacheControl is the Cache-Control value of a public policy.
func (s *Server) cacheControl(p cachePolicy) string {
	switch p {
	case publicShort:
		return "public, max-age=60"
	case publicDoc:
		return "public, max-age=300"
	case publicHour, publicStatic:
		return "public, max-age=3600"
	case publicFiles:
		return "public, max-age=" + strconv.Itoa(int(s.cfg.PublicMaxAge.Seconds()))
	case publicImmutable:
		return "public, max-age=604800"
	}
	return "no-store"
}

// cache sets the Cache-Control and Vary of an answer from its policy. An
// answer that may differ by who asks is private to a signed-in person.
func (s *Server) cache(c *gin.Context, p cachePolicy) {
	switch {
	case p == noStore:
		noStoreHeader(c.Writer.Header())
	case p == privateOnly, p != publicStatic && p != publicImmutable &&
		(who(c).SignedIn() || c.GetHeader("Authorization") != ""):
		c.Header("Cache-Control", "private, no-store")
		c.Header("Vary", varyAsker)
	case p == publicStatic || p == publicImmutable:
		c.Header("Cache-Control", s.cacheControl(p))
	default:
		c.Header("Cache-Control", s.cacheControl(p))
		c.Header("Vary", varyAsker)
	}
}

// noStoreHeader marks an answer that no cache may keep (the noStore
// policy), for answers made without the router.
func noStoreHeader(h http.Header) { h.Set("Cache-Control", "no-store") }

// cacheResource sets the caching of an answer about res: public (with
// policy p) only when access.CachePolicy says anonymous visitors may have it.
func (s *Server) cacheResource(c *gin.Context, res access.Resource, p cachePolicy) {
	if access.CachePolicy(res, who(c), time.Now()) != access.Public {
		p = privateOnly
	}
	s.cache(c, p)
}

// varyPage marks a rendered page as varying by language and asker.
func varyPage(c *gin.Context) {
	c.Header("Vary", "Accept-Language, Cookie, Authorization")
}

// varyEncoding marks an answer that varies by the encodings accepted.
func varyEncoding(h http.Header) {
	h.Add("Vary", "Accept-Encoding")
}

// cacheImage copies the image service's caching decision (made with
// access.CachePolicy) to the answer.
func cacheImage(h http.Header, r *imageapi.Response) {
	h["Cache-Control"] = []string{r.CacheControl}
	if r.Private {
		h["Vary"] = []string{"Cookie, Authorization"}
	}
}

// varyInfo marks an image information document, which varies by the
// profile asked for and by who asks.
func varyInfo(c *gin.Context) {
	c.Header("Vary", "Accept, Cookie, Authorization")
}

// varyPrefer marks an answer of the annotation protocol, which varies by
// the representation asked for and the Prefer header too.
func varyPrefer(h http.Header) {
	v := h.Get("Vary")
	if !strings.Contains(v, "Accept,") && !strings.HasSuffix(v, "Accept") {
		v = strings.TrimSuffix("Accept, "+v, ", ")
	}
	h.Set("Vary", v+", Prefer")
}
