package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// deskPage is the archivists' desk: what the signed-in person may do.
type deskPage struct {
	page
	Uploads      []*repository.Institution // libraries they may upload to
	AccessLevels []string
	ManageUsers  bool
	Administer   bool // the system administrator: the fixity audits' page
	Person       access.Principal
}

// desk shows the signed-in person's recent work and the uploader for the
// libraries they may add to; others are sent to sign in.
func (s *Server) desk(c *gin.Context) {
	who := who(c) // signed in: the route asks first (requireSignIn)
	p := deskPage{page: s.newPage(c, ""), Person: who, AccessLevels: repository.Levels}
	p.Title, p.CSRF = t(p.Lang, "desk"), s.csrfToken(c)
	now := time.Now()
	libs, err := s.cfg.Store.Institutions()
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, in := range libs {
		if access.Decide(who, access.Upload, access.LibraryResource(in.ID), now) == nil {
			p.Uploads = append(p.Uploads, in)
		}
		p.ManageUsers = p.ManageUsers || access.Decide(who, access.ManageUsers, access.LibraryResource(in.ID), now) == nil
	}
	p.Administer = access.Decide(who, access.Administer, access.LibraryResource(""), now) == nil
	ids, err := s.recentItems(60)
	if err != nil {
		s.fail(c, err)
		return
	}
	// Only what this person may edit.
	var mine []string
	for _, id := range ids {
		it, err := s.cfg.Store.Item(id)
		if errors.Is(err, fault.NotFound) {
			continue
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		if access.Decide(who, access.Edit, access.LibraryResource(it.Institution), now) == nil && len(mine) < 20 {
			mine = append(mine, id)
		}
	}
	items, err := s.listItems(c, mine)
	if err != nil {
		s.fail(c, err)
		return
	}
	p.Items = items
	s.cache(c, privateOnly)
	s.render(c, http.StatusOK, "desk", p)
}

type usersPage struct {
	page
	Users     []*repository.User
	Roles     []access.Role
	Libraries []*repository.Institution
	Password  string // a generated password, shown once
	Notice    string
	// RolesSaved: the roles for university sign-in were just saved.
	RolesSaved bool
}

func (s *Server) usersPage(c *gin.Context) {
	s.renderUsers(c, http.StatusOK, "", "", "")
}

func (s *Server) renderUsers(c *gin.Context, status int, msg, notice, password string) {
	s.showUsers(c, status, usersPage{Password: password, Notice: notice}, msg)
}

// showUsers renders the users page with what p already says.
func (s *Server) showUsers(c *gin.Context, status int, p usersPage, msg string) {
	ctx, me := c.Request.Context(), who(c)
	libs, err := s.cfg.Accounts.Manageable(ctx, me)
	if err != nil {
		s.fail(c, err)
		return
	}
	p.page, p.Libraries = s.newPage(c, ""), libs
	p.Title, p.CSRF, p.Error = t(p.Lang, "users"), s.csrfToken(c), msg
	p.Roles = access.Grantable(me, me.Institution, time.Now())
	if p.Users, err = s.cfg.Accounts.Users(ctx, me); err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, privateOnly)
	s.render(c, status, "users", p)
}

// saveUser adds a user to a library, or changes one: role, disabled, a new
// password. A library administrator acts in their own library only and
// cannot make system administrators; every change is an event naming who.
func (s *Server) saveUser(c *gin.Context) {
	if c.PostForm("signin_roles_for") != "" {
		s.saveSignInRoles(c)
		return
	}
	ctx, me, role := c.Request.Context(), who(c), access.Role(c.PostForm("role"))
	var (
		u        *repository.User
		password string
		err      error
	)
	if id := c.PostForm("user"); id == "" {
		u, password, err = s.cfg.Accounts.Add(ctx, me, desk.NewUser{Email: c.PostForm("email"), Name: c.PostForm("name"),
			Institution: c.PostForm("institution"), Role: role})
	} else {
		u, password, err = s.cfg.Accounts.Change(ctx, me, desk.UserChange{ID: id, Version: itemVersion(c), Role: role, Action: c.PostForm("action")})
	}
	var r *desk.Reason
	switch {
	case err == nil:
		s.renderUsers(c, http.StatusOK, "", u.Email, password)
	case errors.As(err, &r):
		s.renderUsers(c, Status(err), t(s.lang(c), r.Key), "", "")
	case errors.Is(err, fault.Invalid), errors.Is(err, fault.Conflict):
		s.renderUsers(c, Status(err), reason(err), "", "")
	default:
		s.fail(c, err)
	}
}
