package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// refuseWrites, on a replica (Config.Replica), answers every request that
// would change something — any method but GET, HEAD and OPTIONS: signing
// in, uploads, edits — with 405 and a sentence saying where changes are
// made. A load balancer sends those to the writing node (deploy/nginx).
func (s *Server) refuseWrites(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	c.Header("Allow", "GET, HEAD, OPTIONS")
	s.fail(c, &httpError{status: http.StatusMethodNotAllowed, msg: t(s.lang(c), "err_replica")})
}
