package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// oaiPMH answers OAI-PMH 2.0 through the provider; harvesters are anonymous,
// so only what anyone may read is disseminated.
func (s *Server) oaiPMH(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		s.fail(c, invalid("the request's arguments cannot be read: "+err.Error()))
		return
	}
	body, err := s.oai.Answer(c.Request.Context(), s.baseURL(c)+"/oai", s.baseURL(c), c.Request.Form)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, noStore)
	c.Header("Access-Control-Allow-Origin", "*")
	c.Data(http.StatusOK, "text/xml; charset=utf-8", body)
}
