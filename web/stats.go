package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
)

// stats answers GET /api/v1/admin/stats for system administrators: what
// the image service's caches hold, their hits and misses, and how many
// images it rendered.
func (s *Server) stats(c *gin.Context) {
	if err := access.Decide(who(c), access.Administer, access.LibraryResource(""), time.Now()); err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, privateOnly)
	c.JSON(http.StatusOK, gin.H{"caches": s.images.CacheStats(), "renders": s.images.Renders()})
}
