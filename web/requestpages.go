package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// offerAsk puts the request form on an item's page for a signed-in
// person who may not read it whole.
func (s *Server) offerAsk(c *gin.Context, p *itemPage, id string, res access.Resource) {
	if s.mayAsk(c, res) {
		p.Ask, p.CSRF = id, s.csrfToken(c)
	}
}

type requestsPage struct {
	page
	Requests  []requestJSON
	Today     string // the earliest end date
	Until     string // the default end date
	Removals  []string
	Asked     string // the request just sent
	NoMail    bool   // decisions are not e-mailed: this page tells them
	Staff     bool
	Institute string
}

// deskRequests is the holding library's queue: approve with an end date
// and a scope, or refuse with a reason; and, for its administrator, the
// people who asked for their account to be removed.
func (s *Server) deskRequests(c *gin.Context) {
	p := who(c)
	rs, err := s.cfg.Requests.List(c.Request.Context(), p, true)
	if err != nil {
		s.fail(c, err)
		return
	}
	pg := requestsPage{page: s.newPage(c, ""), Staff: true, Institute: p.Institution}
	pg.Title, pg.CSRF = t(pg.Lang, "requests_queue"), s.csrfToken(c)
	now := time.Now().In(desk.Zone)
	pg.Today, pg.Until = now.Format(time.DateOnly), now.Add(desk.DefaultGrant).Format(time.DateOnly)
	for _, r := range rs {
		j, err := s.requestOut(r, true)
		if err != nil {
			s.fail(c, err)
			return
		}
		pg.Requests = append(pg.Requests, j)
	}
	if access.Decide(p, access.ManageUsers, access.LibraryResource(p.Institution), time.Now()) == nil {
		if pg.Removals, err = s.removals(p.Institution); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.cache(c, privateOnly)
	s.render(c, http.StatusOK, "requests", pg)
}

// removals lists the addresses of a library's people who asked for their
// account to be removed.
func (s *Server) removals(inst string) ([]string, error) {
	us, err := s.cfg.Store.Users(inst)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range us {
		evs, err := s.cfg.Store.Events(u.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if e.Type == removalEvent && !u.Disabled {
				out = append(out, u.Email)
				break
			}
		}
	}
	return out, nil
}

const removalEvent = "account removal request"

// deskDecide is the queue's form: decision=approve|refuse, until, scope, reason.
func (s *Server) deskDecide(c *gin.Context) {
	d := desk.Decision{Approve: c.PostForm("decision") == "approve", Until: c.PostForm("until"), Scope: c.PostForm("scope"), Reason: c.PostForm("reason")}
	if _, err := s.cfg.Requests.Decide(c.Request.Context(), who(c), c.Param("id"), d); err != nil {
		s.fail(c, s.deskError(c, err))
		return
	}
	s.cache(c, noStore)
	c.Redirect(http.StatusSeeOther, "/desk/requests")
}

// accountRequests shows a person's own requests and grants, what they may
// download of their data, and how to ask for their account's removal.
func (s *Server) accountRequests(c *gin.Context) {
	p := who(c)
	rs, err := s.cfg.Requests.List(c.Request.Context(), p, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	pg := requestsPage{page: s.newPage(c, ""), Asked: c.Query("asked"), NoMail: s.cfg.Requests.Mail == nil}
	pg.Title, pg.CSRF = t(pg.Lang, "my_requests"), s.csrfToken(c)
	for _, r := range rs {
		j, err := s.requestOut(r, false)
		if err != nil {
			s.fail(c, err)
			return
		}
		pg.Requests = append(pg.Requests, j)
	}
	s.cache(c, privateOnly)
	s.render(c, http.StatusOK, "account", pg)
}

// accountData is everything the archive keeps about the person asking,
// as a JSON download: their account (without the password's hash), their
// tokens (without theirs), their requests, the groups they own or are
// in, their account's history and what was recorded of them on the items
// they asked for.
func (s *Server) accountData(c *gin.Context) {
	p := who(c)
	u, err := s.cfg.Store.User(p.User)
	if err != nil {
		s.fail(c, err)
		return
	}
	toks, err := s.cfg.Store.Tokens(u.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	reqs, err := s.cfg.Store.RequestsBy(u.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	evs, err := s.cfg.Store.Events(u.ID)
	if err != nil && !errors.Is(err, fault.NotFound) {
		s.fail(c, err)
		return
	}
	// What was recorded of them on the items they asked for: their
	// requests and their views through grants.
	seen := map[string]bool{}
	for _, r := range reqs {
		if seen[r.Item] {
			continue
		}
		seen[r.Item] = true
		on, err := s.cfg.Store.Events(r.Item)
		if err != nil && !errors.Is(err, fault.NotFound) {
			s.fail(c, err)
			return
		}
		for _, e := range on {
			if e.Agent == u.Email {
				evs = append(evs, e)
			}
		}
	}
	mine, err := s.cfg.Groups.Mine(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	groups := []groupJSON{}
	for _, v := range mine {
		groups = append(groups, groupOut(v))
	}
	acct := *u
	acct.PasswordHash = ""
	type token struct {
		ID, Scope        string
		Created, Expires time.Time
		Revoked          bool
	}
	var ts []token
	for _, x := range toks {
		ts = append(ts, token{x.ID, x.Scope, x.Created, x.Expires, x.Revoked})
	}
	b, err := json.MarshalIndent(struct {
		Account  repository.User       `json:"account"`
		Tokens   []token               `json:"tokens"`
		Requests []*repository.Request `json:"requests"`
		Groups   []groupJSON           `json:"groups"`
		History  []repository.Event    `json:"history"`
	}{acct, ts, reqs, groups, evs}, "", " ")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, privateOnly)
	c.Header("Content-Disposition", `attachment; filename="my-archive-data.json"`)
	s.send(c, http.StatusOK, "application/json", b)
}

// accountRemove records a person's request that their account be
// removed; the library's administrator sees it on the desk's queue.
func (s *Server) accountRemove(c *gin.Context) {
	p := who(c)
	if err := s.cfg.Store.Record(c.Request.Context(), repository.Event{Type: removalEvent, Object: p.User, Agent: p.Email, Outcome: "success"}); err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, noStore)
	c.Redirect(http.StatusSeeOther, "/account/requests?removal=1")
}
