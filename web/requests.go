package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/iiif/auth"
	"github.com/thaiarchives/archive/repository"
)

// Access requests and grants: the JSON API for scripts, the request form of
// item pages, the holding library's queue at /desk/requests and a person's
// own requests and data at /account. The rules are desk.Requests'.

// fromOwnPages lets a browser's session change something only from the
// archive's own pages: a CSRF token, or an Origin header naming the
// archive. Tokens and anonymous visitors pass (the service decides).
func (s *Server) fromOwnPages(c *gin.Context) {
	p := who(c)
	if !p.SignedIn() || p.Scope != "" || s.checkCSRF(c) {
		return
	}
	if o := c.GetHeader("Origin"); o != "" {
		if u, err := url.Parse(s.baseURL(c)); err == nil {
			if own, err := auth.Origin(u.Scheme + "://" + u.Host); err == nil && o == own {
				return
			}
		}
	}
	s.fail(c, &httpError{status: http.StatusForbidden, msg: t(s.lang(c), "err_csrf")})
}

// requestJSON is a request as the API shows it.
type requestJSON struct {
	ID          string `json:"id"`
	Item        string `json:"item"`
	Institution string `json:"institution"`
	Requester   string `json:"requester,omitempty"` // their address, for the staff
	Purpose     string `json:"purpose"`
	Status      string `json:"status"`
	Scope       string `json:"scope,omitempty"`
	ScopeID     string `json:"scopeId,omitempty"`
	Until       string `json:"until,omitempty"` // the last day of access
	Reason      string `json:"reason,omitempty"`
	Asked       string `json:"asked"`
	Decided     string `json:"decided,omitempty"`
	Told        bool   `json:"told"`
}

func (s *Server) requestOut(r *repository.Request, staff bool) (requestJSON, error) {
	out := requestJSON{ID: r.ID, Item: r.Item, Institution: r.Institution, Purpose: r.Purpose, Status: r.Status, Scope: r.Scope, ScopeID: r.ScopeID,
		Reason: r.Reason, Asked: r.Created.In(desk.Zone).Format(time.DateOnly), Told: r.Told}
	if !r.Until.IsZero() {
		out.Until = r.Until.In(desk.Zone).Add(-time.Nanosecond).Format(time.DateOnly)
	}
	if !r.DecidedAt.IsZero() {
		out.Decided = r.DecidedAt.In(desk.Zone).Format(time.DateOnly)
	}
	if staff {
		u, err := s.cfg.Store.User(r.Requester)
		if err != nil && !errors.Is(err, fault.NotFound) {
			return out, err
		}
		if err == nil {
			out.Requester = u.Email
		}
	}
	return out, nil
}

// apiAsk: POST /api/v1/items/{item}/requests {"purpose": "…"}.
func (s *Server) apiAsk(c *gin.Context) {
	var body struct {
		Purpose string `json:"purpose"`
	}
	if err := c.ShouldBindJSON(&body); err != nil {
		s.fail(c, invalid(`expected JSON {"purpose": "…"}`))
		return
	}
	r, err := s.cfg.Requests.Ask(c.Request.Context(), who(c), c.Param("id"), body.Purpose)
	if err != nil {
		s.fail(c, s.deskError(c, err))
		return
	}
	s.cache(c, noStore)
	c.JSON(http.StatusCreated, gin.H{"id": r.ID, "status": r.Status})
}

// apiRequests: GET /api/v1/requests, one's own; the staff's, their library's queue.
func (s *Server) apiRequests(c *gin.Context) {
	p := who(c)
	staff := s.cfg.Requests.Staff(p)
	rs, err := s.cfg.Requests.List(c.Request.Context(), p, staff)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := []requestJSON{}
	for _, r := range rs {
		j, err := s.requestOut(r, staff)
		if err != nil {
			s.fail(c, err)
			return
		}
		out = append(out, j)
	}
	s.cache(c, privateOnly)
	c.JSON(http.StatusOK, gin.H{"requests": out})
}

// apiDecide: POST /api/v1/requests/{id} {"decision": "approve"|"refuse", "until", "scope", "reason"}.
func (s *Server) apiDecide(c *gin.Context) {
	var body struct {
		Decision, Until, Scope, Reason string
	}
	if err := c.ShouldBindJSON(&body); err != nil || body.Decision != "approve" && body.Decision != "refuse" {
		s.fail(c, invalid(`expected JSON {"decision": "approve", "until": "YYYY-MM-DD", "scope": "item"} or {"decision": "refuse", "reason": "…"}`))
		return
	}
	r, err := s.cfg.Requests.Decide(c.Request.Context(), who(c), c.Param("id"), desk.Decision{Approve: body.Decision == "approve", Until: body.Until, Scope: body.Scope, Reason: body.Reason})
	if err != nil {
		s.fail(c, s.deskError(c, err))
		return
	}
	out, err := s.requestOut(r, true)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, noStore)
	c.JSON(http.StatusOK, out)
}

// mayAsk: the item page offers p the request form for res.
func (s *Server) mayAsk(c *gin.Context, res access.Resource) bool {
	p := who(c)
	return p.SignedIn() && p.Scope == "" && !res.Withdrawn && access.Decide(p, access.ReadContent, res, time.Now()) != nil
}

// askForm: the item page's request form.
func (s *Server) askForm(c *gin.Context) {
	r, err := s.cfg.Requests.Ask(c.Request.Context(), who(c), c.Param("id"), c.PostForm("purpose"))
	if err != nil {
		s.fail(c, s.deskError(c, err))
		return
	}
	s.cache(c, noStore)
	c.Redirect(http.StatusSeeOther, "/account/requests?asked="+r.ID)
}

// noteGrantView records, after an answer with content, a view through a
// grant.
func (s *Server) noteGrantView(c *gin.Context, item string) {
	if c.Writer.Status()/100 != 2 || len(who(c).Grants) == 0 { // 200, or 206 for a range
		return
	}
	if err := s.cfg.Requests.Viewed(c.Request.Context(), who(c), item); err != nil {
		s.cfg.Log.WarnContext(c, "recording a view through a grant", "item", item, "err", err)
	}
}

// probeNote is what the IIIF Auth 2.0 probe tells a signed-in person who
// may not see an image: where to ask for it.
func (s *Server) probeNote(c *gin.Context, item string) map[string][]string {
	addr := s.baseURL(c) + "/items/" + item + "#request"
	return map[string][]string{"th": {t("th", "probe_request") + " " + addr}, "en": {t("en", "probe_request") + " " + addr}}
}

// itemOfImage is the item of a IIIF image identifier ({item}-{n}).
func itemOfImage(id string) string {
	if i := strings.LastIndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}
