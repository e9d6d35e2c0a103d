package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// Sign-in: sessions are kept on the server (a random cookie value, stored
// hashed), so signing out, disabling a user or changing a password ends
// them; scripts use API tokens (Authorization: Bearer). Every form that
// changes something carries a CSRF token derived from the session cookie.
const (
	sessionCookie = "archive_session"
	csrfCookie    = "archive_csrf"
	sessionTTL    = 12 * time.Hour
	principalKey  = "principal"
)

// identify works out who asks: an API token, an IIIF access token, a
// session cookie, or nobody. A store that cannot say is a 503, not an
// anonymous visitor.
func (s *Server) identify(c *gin.Context) {
	p, err := s.principalOf(c)
	if err == nil && p.SignedIn() {
		p.Grants, err = s.cfg.Requests.Grants(p.User)
	}
	if err == nil && p.SignedIn() {
		// Read afresh with every request: a member removed from a group
		// reads none of its annotations from the next request on.
		p.Groups, err = s.cfg.Groups.IDsOf(p.User)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	// The address is the connection's, or the one a trusted proxy names
	// (gin's ClientIP honours only those): placed once in the reading rooms.
	if addr, err := netip.ParseAddr(c.ClientIP()); err == nil {
		p.Addr = addr.Unmap()
		p.Rooms = s.cfg.Rooms.In(p.Addr)
	}
	c.Set(principalKey, p)
	c.Next()
}

func (s *Server) principalOf(c *gin.Context) (access.Principal, error) {
	if tok, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer "); ok {
		t, u, err := s.cfg.Store.TokenBySecret(tok)
		if err == nil {
			return principal(u, access.Scope(t.Scope)), nil
		}
		if !errors.Is(err, repository.ErrUnknownCredentials) && !errors.Is(err, fault.NotFound) {
			return access.Principal{}, err
		}
		// A viewer's IIIF access token: read-only.
		_, u, err = s.cfg.Store.SessionByAccessToken(tok)
		if err == nil {
			return principal(u, access.ScopeRead), nil
		}
		if !errors.Is(err, repository.ErrUnknownCredentials) && !errors.Is(err, fault.NotFound) {
			return access.Principal{}, err
		}
		return access.Principal{}, nil
	}
	v, err := c.Cookie(sessionCookie)
	if err != nil || v == "" {
		return access.Principal{}, nil
	}
	_, u, err := s.cfg.Store.Session(v)
	if errors.Is(err, repository.ErrUnknownCredentials) || errors.Is(err, fault.NotFound) {
		return access.Principal{}, nil
	}
	if err != nil {
		return access.Principal{}, err
	}
	return principal(u, ""), nil
}

func principal(u *repository.User, scope access.Scope) access.Principal {
	return access.Principal{User: u.ID, Email: u.Email, Institution: u.Institution, Role: access.Role(u.Role), Scope: scope}
}

// who is the principal identify found.
func who(c *gin.Context) access.Principal {
	p, _ := c.Get(principalKey)
	pr, _ := p.(access.Principal)
	return pr
}

func (s *Server) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secure || c.Request.TLS != nil, SameSite: http.SameSiteLaxMode})
}

func csrfOf(seed string) []byte {
	h := sha256.Sum256([]byte("csrf|" + seed))
	return h[:16]
}

// csrfToken ties forms to the session (or, before sign-in, to a cookie).
// Each page gets the token masked afresh (a random pad, then the token
// XOR the pad), so that a compressed page never repeats the same secret
// for an eavesdropper to guess byte by byte from the sizes (BREACH).
func (s *Server) csrfToken(c *gin.Context) string {
	seed := ""
	if v, err := c.Cookie(sessionCookie); err == nil && who(c).SignedIn() {
		seed = v
	} else if v, err := c.Cookie(csrfCookie); err == nil && len(v) == 32 {
		seed = v
	} else {
		var b [16]byte
		rand.Read(b[:])
		seed = hex.EncodeToString(b[:])
		s.setCookie(c, csrfCookie, seed, 3600)
	}
	tok := csrfOf(seed)
	masked := make([]byte, 2*len(tok))
	rand.Read(masked[:len(tok)])
	for i, b := range tok {
		masked[len(tok)+i] = masked[i] ^ b
	}
	return hex.EncodeToString(masked)
}

// csrfUnmask is the token a masked one carries, or nil.
func csrfUnmask(got string) []byte {
	b, err := hex.DecodeString(got)
	if err != nil || len(b) != 32 {
		return nil
	}
	tok := make([]byte, 16)
	for i := range tok {
		tok[i] = b[i] ^ b[16+i]
	}
	return tok
}

// checkCSRF: a form or script that changes something through a browser's
// cookie carries the token only this archive's pages know.
func (s *Server) checkCSRF(c *gin.Context) bool {
	seed, _ := c.Cookie(sessionCookie)
	if !who(c).SignedIn() {
		seed, _ = c.Cookie(csrfCookie)
	}
	got := c.PostForm("csrf")
	if got == "" {
		got = c.GetHeader("X-CSRF-Token")
	}
	tok := csrfUnmask(got)
	return seed != "" && tok != nil && hmac.Equal(tok, csrfOf(seed))
}

// requireSignIn lets through a signed-in person (by session, with the CSRF
// token on anything that changes state, or by API token). What they may do
// is decided by each handler through access.Decide.
func (s *Server) requireSignIn(c *gin.Context) {
	p := who(c)
	if !p.SignedIn() {
		if c.Request.Method == http.MethodGet && (wantsPage(c) || strings.HasPrefix(c.Request.URL.Path, "/desk")) {
			// Back to the page asked for, query and all (its language too),
			// by way of a sign-in page in that language.
			c.Redirect(http.StatusSeeOther, "/login?lang="+s.lang(c)+"&next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		s.fail(c, fault.Unauthenticated)
		return
	}
	if p.Scope == "" && c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead && !s.checkCSRF(c) {
		s.fail(c, &httpError{status: http.StatusForbidden, msg: t(s.lang(c), "err_csrf")})
	}
}

type loginPage struct {
	page
	Email, Next, Origin string
	Done                bool
	// Universities are the buttons of sign-in with a university account.
	Universities []universityButton
	// Link offers a signed-in person to link their account to their
	// university account.
	Link *universityButton
	// ProviderLogout ends the session at the identity provider the person
	// signed in with, after the archive's ("" for none).
	ProviderLogout string
	// ProviderDone says the identity provider signed the person out too.
	ProviderDone bool
}

func (s *Server) loginForm(c *gin.Context) {
	p := loginPage{page: s.newPage(c, ""), Next: c.Query("next"), Origin: c.Query("origin")}
	p.Title, p.CSRF = t(p.Lang, "signin"), s.csrfToken(c)
	p.Done = who(c).SignedIn() && p.Origin != ""
	var err error
	next := p.Next
	if p.Origin != "" {
		// Opened by a viewer: back here once signed in, to say so and close.
		next = "/login?origin=" + url.QueryEscape(p.Origin)
	}
	if p.Universities, err = s.universityButtons(c, p.Lang, next); err != nil {
		s.fail(c, err)
		return
	}
	if p.Link, err = s.linkButton(c, p.Lang); err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, privateOnly)
	s.render(c, http.StatusOK, "login", p)
}

// login checks an e-mail address and password. Only a form from the
// archive's own page is looked at; failures slow down further attempts for
// the account and for the address (limiter), never lock anyone out, and
// never hold a browser that signed in to the account before (device).
func (s *Server) login(c *gin.Context) {
	email := strings.ToLower(strings.TrimSpace(c.PostForm("email")))
	p := loginPage{page: s.newPage(c, ""), Next: c.PostForm("next"), Origin: c.PostForm("origin")}
	p.Title = t(p.Lang, "signin")
	// Refused before anything is counted or recorded: what is kept of a
	// failed sign-in stays small whatever is sent, and a form posted from
	// elsewhere slows no one down.
	if tooLong := oversized(email, c.PostForm("password")); tooLong != "" {
		p.Error, p.CSRF = t(p.Lang, tooLong), s.csrfToken(c)
		s.cache(c, privateOnly)
		s.render(c, http.StatusBadRequest, "login", p)
		return
	}
	p.Email = email
	if !s.checkCSRF(c) {
		p.Error, p.CSRF = t(p.Lang, "err_csrf"), s.csrfToken(c)
		s.cache(c, privateOnly)
		s.render(c, http.StatusForbidden, "login", p)
		return
	}
	keys := []string{"account:" + email, "address:" + c.ClientIP()}
	if dev := s.device(c, email); dev != "" {
		// A browser that signed in to this account before is counted on
		// its own: guesses from elsewhere (or from its address) at the
		// account never make it wait.
		keys = []string{dev}
	}
	if d := s.limiter.attempt(keys...); d > 0 {
		c.Header("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
		s.fail(c, &httpError{status: http.StatusTooManyRequests, msg: t(s.lang(c), "err_too_many")})
		return
	}
	u, err := s.cfg.Store.UserByEmail(email)
	if err != nil && !errors.Is(err, fault.NotFound) {
		s.fail(c, err)
		return
	}
	if err != nil || u.Disabled || !s.checkPassword(c, u.PasswordHash, c.PostForm("password")) {
		object, detail := repository.AccountsObject, "unknown account "+email
		if u != nil {
			object, detail = u.ID, "wrong password or disabled account"
		}
		s.event(c, object, "failed sign-in", "failure", detail+" from "+c.ClientIP(), email)
		p.Error, p.CSRF = t(p.Lang, "bad_login"), s.csrfToken(c)
		s.cache(c, privateOnly)
		s.render(c, http.StatusUnauthorized, "login", p)
		return
	}
	s.limiter.succeeded(keys...)
	if !s.startSession(c, u, nil) {
		return
	}
	s.rememberDevice(c, email)
	s.cache(c, privateOnly)
	if p.Origin != "" {
		// Opened by a viewer as the IIIF access service: say so, and close.
		p.Done, p.SignedIn = true, true
		s.render(c, http.StatusOK, "login", p)
		return
	}
	next := "/desk"
	if s.sameOrigin(c, p.Next) {
		next = p.Next
	}
	c.Redirect(http.StatusSeeOther, next)
}

// startSession signs u in on this browser, as the password form and the
// university sign-in do, keeping with the session the provider's session
// it came from (nil: none); false when the store could not (the error is
// answered).
func (s *Server) startSession(c *gin.Context, u *repository.User, from *repository.ProviderSession) bool {
	v, err := s.cfg.Store.CreateSessionFrom(u.ID, sessionTTL, from)
	if err != nil {
		s.fail(c, err)
		return false
	}
	s.event(c, u.ID, "sign-in", "success", "from "+c.ClientIP(), u.Email)
	s.setCookie(c, sessionCookie, v, int(sessionTTL.Seconds()))
	s.setCookie(c, csrfCookie, "", -1)
	return true
}

// oversized names the message for a sign-in whose e-mail address or
// password is longer than any account's can be ("" for none).
func oversized(email, password string) string {
	switch {
	case len(email) > repository.MaxEmail:
		return "err_email_long"
	case len(password) > repository.MaxPassword:
		return "err_password_long"
	}
	return ""
}

// checkPassword checks a password with at most a few Argon2 computations
// (64 MiB each) at once, so a burst of sign-ins cannot exhaust memory.
func (s *Server) checkPassword(c *gin.Context, hash, pw string) bool {
	select {
	case s.hashing <- struct{}{}:
	case <-c.Request.Context().Done():
		return false
	}
	defer func() { <-s.hashing }()
	return repository.CheckPassword(hash, pw)
}

// logout ends the session on the server, then in the browser. A GET (the
// IIIF logout service, opened by a viewer) shows a form to confirm.
func (s *Server) logout(c *gin.Context) {
	s.cache(c, privateOnly)
	if c.Request.Method == http.MethodGet {
		p := loginPage{page: s.newPage(c, "")}
		p.Title, p.CSRF, p.SignedIn = t(p.Lang, "signout"), s.csrfToken(c), who(c).SignedIn()
		s.render(c, http.StatusOK, "logout", p)
		return
	}
	if !s.checkCSRF(c) {
		s.fail(c, &httpError{status: http.StatusForbidden, msg: t(s.lang(c), "err_csrf")})
		return
	}
	var from *repository.ProviderSession
	if v, err := c.Cookie(sessionCookie); err == nil {
		if ses, _, err := s.cfg.Store.Session(v); err == nil {
			from = ses.From
		}
		if err := s.cfg.Store.EndSession(v); err != nil {
			s.fail(c, err)
			return
		}
		if p := who(c); p.SignedIn() {
			s.event(c, p.User, "sign-out", "success", "", p.Email)
		}
	}
	s.setCookie(c, sessionCookie, "", -1)
	if u := s.providerLogout(c, from); u != "" {
		p := loginPage{page: s.newPage(c, ""), ProviderLogout: u}
		p.Title, p.SignedIn = t(p.Lang, "signout"), false
		s.render(c, http.StatusOK, "logout", p)
		return
	}
	c.Redirect(http.StatusSeeOther, "/")
}

// event records an account event; a failure to record is logged, not
// hidden from the operator.
func (s *Server) event(c *gin.Context, object, typ, outcome, detail, agent string) {
	if err := s.cfg.Store.Record(c.Request.Context(), repository.Event{Type: typ, Object: object, Agent: agent, Outcome: outcome, Detail: detail}); err != nil {
		s.cfg.Log.Error("recording an account event", "type", typ, "err", err)
	}
}
