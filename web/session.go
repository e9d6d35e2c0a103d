package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// Sign-in for the archivists' desk: a signed, expiring session cookie once
// the archive's token is given, and a CSRF token bound to it on every form.
const sessionCookie = "archive_session"

func (s *Server) mac(parts ...string) string {
	m := hmac.New(sha256.New, []byte("archive session|"+s.cfg.Token))
	m.Write([]byte(strings.Join(parts, "|")))
	return hex.EncodeToString(m.Sum(nil))
}

// session returns the valid session cookie's value, or "".
func (s *Server) session(c *gin.Context) string {
	v, err := c.Cookie(sessionCookie)
	if err != nil || s.cfg.Token == "" {
		return ""
	}
	exp, sig, ok := strings.Cut(v, ".")
	n, err := strconv.ParseInt(exp, 10, 64)
	if !ok || err != nil || time.Now().Unix() > n || !hmac.Equal([]byte(sig), []byte(s.mac("session", exp))) {
		return ""
	}
	return v
}

// csrfToken ties forms to the session (or, before sign-in, to a cookie).
func (s *Server) csrfToken(c *gin.Context) string {
	seed := s.session(c)
	if seed == "" {
		if v, err := c.Cookie("archive_csrf"); err == nil && len(v) == 32 {
			seed = v
		} else {
			seed = s.mac("pre", strconv.FormatInt(time.Now().UnixNano(), 10))[:32]
			c.SetCookie("archive_csrf", seed, 3600, "/", "", c.Request.TLS != nil, true)
		}
	}
	return s.mac("csrf", seed)[:32]
}

func (s *Server) checkCSRF(c *gin.Context) bool {
	seed := s.session(c)
	if seed == "" {
		seed, _ = c.Cookie("archive_csrf")
	}
	got := c.PostForm("csrf")
	if got == "" {
		got = c.GetHeader("X-CSRF-Token")
	}
	return seed != "" && got != "" && hmac.Equal([]byte(got), []byte(s.mac("csrf", seed)[:32]))
}

func (s *Server) desk(c *gin.Context) {
	p := s.newPage(c, "")
	p.Title = t(p.Lang, "desk")
	p.SignedIn = s.session(c) != ""
	p.CSRF = s.csrfToken(c)
	p.Libraries, _ = s.cfg.Store.Institutions()
	if p.SignedIn {
		ids := s.recentItems(20)
		p.Items = s.listItems(c, ids)
	}
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "desk", p)
}

func (s *Server) signin(c *gin.Context) {
	if !s.checkCSRF(c) {
		fail(c, http.StatusForbidden, "the form has expired; reload the page and sign in again")
		return
	}
	if s.cfg.Token == "" || !hmac.Equal([]byte(c.PostForm("token")), []byte(s.cfg.Token)) {
		p := s.newPage(c, "")
		p.Title, p.Error, p.CSRF = t(p.Lang, "desk"), t(p.Lang, "bad_token"), s.csrfToken(c)
		s.render(c, http.StatusUnauthorized, "desk", p)
		return
	}
	exp := strconv.FormatInt(time.Now().Add(12*time.Hour).Unix(), 10)
	c.SetCookie(sessionCookie, exp+"."+s.mac("session", exp), 12*3600, "/", "", c.Request.TLS != nil, true)
	c.Redirect(http.StatusSeeOther, "/desk")
}

func (s *Server) signout(c *gin.Context) {
	if s.checkCSRF(c) {
		c.SetCookie(sessionCookie, "", -1, "/", "", c.Request.TLS != nil, true)
	}
	c.Redirect(http.StatusSeeOther, "/desk")
}
