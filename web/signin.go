package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/signin"
)

// Sign-in with a university account: /login/{library} begins it at the
// library's identity provider; the provider sends the browser back to
// /login/callback (OpenID Connect) or /saml/acs (SAML), where the signin
// service checks the answer and finds or makes the account; the session is
// then the one the password form gives. The flow's state rides in a
// short-lived cookie, so that an answer is taken only from the browser that
// began the sign-in.
const (
	flowCookie = "archive_signin"
	flowTTL    = 10 * time.Minute
)

// universityButton is a "sign in with your university" button.
type universityButton struct {
	Href, Label string
}

// universityButtons are the login page's buttons, one per library whose
// people sign in with their university.
func (s *Server) universityButtons(c *gin.Context, lang, next string) ([]universityButton, error) {
	if s.cfg.SignIn == nil {
		return nil, nil
	}
	var out []universityButton
	for _, id := range s.cfg.SignIn.Libraries() {
		in, err := s.cfg.Store.Institution(id)
		if err != nil && !errors.Is(err, fault.NotFound) {
			return nil, err
		}
		name := id
		if in != nil {
			name = in.Name.Get(lang)
		}
		href := "/login/" + id
		if next != "" && s.sameOrigin(c, next) {
			href += "?next=" + url.QueryEscape(next)
		}
		out = append(out, universityButton{Href: href, Label: strings.Replace(t(lang, "signin_with"), "{1}", name, 1)})
	}
	return out, nil
}

// universityLogin begins a sign-in at the library's provider.
func (s *Server) universityLogin(c *gin.Context) {
	if s.cfg.SignIn == nil {
		s.fail(c, fault.NotFound)
		return
	}
	next := c.Query("next")
	if !s.sameOrigin(c, next) {
		next = ""
	}
	to, state, err := s.cfg.SignIn.Begin(c.Request.Context(), c.Param("library"), next)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setFlowCookie(c, state, int(flowTTL.Seconds()))
	s.cache(c, noStore)
	c.Redirect(http.StatusSeeOther, to)
}

// linkUniversity begins a sign-in at the library's provider that links
// the signed-in person's account to their university account.
func (s *Server) linkUniversity(c *gin.Context) {
	if s.cfg.SignIn == nil {
		s.fail(c, fault.NotFound)
		return
	}
	u, err := s.cfg.Store.User(who(c).User)
	if err != nil {
		s.fail(c, err)
		return
	}
	to, state, err := s.cfg.SignIn.BeginLink(c.Request.Context(), c.Param("library"), u, "/login")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setFlowCookie(c, state, int(flowTTL.Seconds()))
	s.cache(c, noStore)
	c.Redirect(http.StatusSeeOther, to)
}

// linkButton is the login page's offer to a signed-in person to link their
// account to their library's university sign-in (nil: none to offer).
func (s *Server) linkButton(c *gin.Context, lang string) (*universityButton, error) {
	p := who(c)
	if s.cfg.SignIn == nil || !p.SignedIn() || p.Scope != "" || !slices.Contains(s.cfg.SignIn.Libraries(), p.Institution) {
		return nil, nil
	}
	in, err := s.cfg.Store.Institution(p.Institution)
	if err != nil {
		return nil, err
	}
	return &universityButton{Href: "/login/" + p.Institution + "/link", Label: strings.Replace(t(lang, "signin_link"), "{1}", in.Name.Get(lang), 1)}, nil
}

// setFlowCookie keeps the flow's state in the browser. The SAML answer is
// posted from the provider's site: over HTTPS the cookie is SameSite=None
// so that it comes along; over plain HTTP (a test on loopback, where the
// provider is the same site) Lax does.
func (s *Server) setFlowCookie(c *gin.Context, state string, maxAge int) {
	secure := s.secure || c.Request.TLS != nil
	same := http.SameSiteLaxMode
	if secure {
		same = http.SameSiteNoneMode
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: flowCookie, Value: state, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: secure, SameSite: same})
}

// oidcCallback finishes an OpenID Connect sign-in.
func (s *Server) oidcCallback(c *gin.Context) {
	if s.cfg.SignIn == nil {
		s.fail(c, fault.NotFound)
		return
	}
	s.finishUniversity(c, func(state string) (*repository.User, signin.Landing, error) {
		return s.cfg.SignIn.Callback(c.Request.Context(), c.Request.URL.Query(), state)
	})
}

// samlACS finishes a SAML sign-in: the assertion consumer service.
func (s *Server) samlACS(c *gin.Context) {
	if s.cfg.SignIn == nil || !s.cfg.SignIn.HasSAML() {
		s.fail(c, fault.NotFound)
		return
	}
	s.finishUniversity(c, func(state string) (*repository.User, signin.Landing, error) {
		return s.cfg.SignIn.ACS(c.Request.Context(), c.Request, state)
	})
}

// samlSLO is the single logout service: the IdP's answer to the
// LogoutRequest a sign-out offered (the page then says the person is
// signed out at the university too), or a LogoutRequest of the IdP's,
// answered by sending the browser back to it.
func (s *Server) samlSLO(c *gin.Context) {
	if s.cfg.SignIn == nil || !s.cfg.SignIn.HasSAML() {
		s.fail(c, fault.NotFound)
		return
	}
	to, err := s.cfg.SignIn.SLO(c.Request.Context(), c.Request)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, noStore)
	if to != "" {
		c.Redirect(http.StatusSeeOther, to)
		return
	}
	p := loginPage{page: s.newPage(c, ""), ProviderDone: true}
	p.Title = t(p.Lang, "signout")
	s.render(c, http.StatusOK, "logout", p)
}

// samlMetadata is the service provider's metadata, for the IdPs.
func (s *Server) samlMetadata(c *gin.Context) {
	if s.cfg.SignIn == nil || !s.cfg.SignIn.HasSAML() {
		s.fail(c, fault.NotFound)
		return
	}
	md, err := s.cfg.SignIn.Metadata()
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, noStore)
	c.Data(http.StatusOK, "application/samlmetadata+xml", md)
}

// finishUniversity checks the provider's answer (finish) and starts the
// session. Failures count against the address in the password form's
// limiter and are answered on the login page, saying why.
func (s *Server) finishUniversity(c *gin.Context, finish func(state string) (*repository.User, signin.Landing, error)) {
	state, _ := c.Cookie(flowCookie)
	s.setFlowCookie(c, "", -1)
	s.cache(c, privateOnly)
	keys := []string{"address:" + c.ClientIP()}
	if d := s.limiter.attempt(keys...); d > 0 {
		c.Header("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
		s.fail(c, &httpError{status: http.StatusTooManyRequests, msg: t(s.lang(c), "err_too_many")})
		return
	}
	u, landing, err := finish(state)
	if err != nil {
		if k := fault.KindOf(err); k == fault.Other || k == fault.Unavailable {
			s.fail(c, err) // logged and answered without detail
			return
		}
		s.event(c, repository.AccountsObject, "failed sign-in", "failure", "university sign-in from "+c.ClientIP()+": "+err.Error(), "university sign-in")
		p := loginPage{page: s.newPage(c, "")}
		p.Title, p.CSRF = t(p.Lang, "signin"), s.csrfToken(c)
		p.Error = t(p.Lang, "err_university_signin") + " (" + reason(err) + ")"
		buttons, berr := s.universityButtons(c, p.Lang, "")
		if berr != nil {
			s.fail(c, berr)
			return
		}
		p.Universities = buttons
		s.render(c, Status(err), "login", p)
		return
	}
	s.limiter.succeeded(keys...)
	if !s.startSession(c, u, landing.From) {
		return
	}
	next := landing.Next
	if next == "" || !s.sameOrigin(c, next) {
		next = "/"
	}
	c.Redirect(http.StatusSeeOther, next)
}

// me answers who is signed in, as JSON; 401 for an anonymous visitor.
func (s *Server) me(c *gin.Context) {
	p := who(c)
	if !p.SignedIn() {
		s.fail(c, fault.Unauthenticated)
		return
	}
	u, err := s.cfg.Store.User(p.User)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, privateOnly)
	c.JSON(http.StatusOK, gin.H{"email": u.Email, "name": u.Name, "institution": u.Institution, "role": u.Role})
}

// providerLogout is where the person signing out may end their session at
// the identity provider: the SAML IdP the session came from (from), if it
// has single logout, else the provider of a library their account is
// linked to, if it has an end-session address.
func (s *Server) providerLogout(c *gin.Context, from *repository.ProviderSession) string {
	p := who(c)
	if s.cfg.SignIn == nil || !p.SignedIn() {
		return ""
	}
	switch to, err := s.cfg.SignIn.Logout(c.Request.Context(), from); {
	case err != nil:
		// Signed out of the archive all the same; the IdP's session is
		// the IdP's.
		s.cfg.Log.WarnContext(c, "offering the identity provider's logout", "err", err)
	case to != "":
		return to
	}
	u, err := s.cfg.Store.User(p.User)
	if err != nil {
		return "" // signed out all the same; the provider's session is the provider's
	}
	for _, l := range u.SignInLinks {
		if to := s.cfg.SignIn.LogoutURL(c.Request.Context(), l.Library); to != "" {
			return to
		}
	}
	return ""
}
