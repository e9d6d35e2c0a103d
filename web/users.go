package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
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
}

// manageable lists the libraries whose users p manages.
func (s *Server) manageable(p access.Principal) ([]*repository.Institution, error) {
	libs, err := s.cfg.Store.Institutions()
	if err != nil {
		return nil, err
	}
	var out []*repository.Institution
	for _, in := range libs {
		if access.Decide(p, access.ManageUsers, access.LibraryResource(in.ID), time.Now()) == nil {
			out = append(out, in)
		}
	}
	if len(out) == 0 {
		return nil, access.Decide(p, access.ManageUsers, access.LibraryResource(p.Institution), time.Now())
	}
	return out, nil
}

func (s *Server) usersPage(c *gin.Context) {
	s.renderUsers(c, http.StatusOK, "", "", "")
}

func (s *Server) renderUsers(c *gin.Context, status int, msg, notice, password string) {
	libs, err := s.manageable(who(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	p := usersPage{page: s.newPage(c, ""), Libraries: libs, Password: password, Notice: notice}
	p.Title, p.CSRF, p.Error = t(p.Lang, "users"), s.csrfToken(c), msg
	p.Roles = access.Grantable(who(c), who(c).Institution, time.Now())
	for _, in := range libs {
		us, err := s.cfg.Store.Users(in.ID)
		if err != nil {
			s.fail(c, err)
			return
		}
		p.Users = append(p.Users, us...)
	}
	s.cache(c, privateOnly)
	s.render(c, status, "users", p)
}

// saveUser adds a user to a library, or changes one: role, disabled, a new
// password. A library administrator acts in their own library only and
// cannot make system administrators; every change is an event naming who.
func (s *Server) saveUser(c *gin.Context) {
	me := who(c)
	now := time.Now()
	role := access.Role(c.PostForm("role"))
	var u *repository.User
	if id := c.PostForm("user"); id != "" {
		var err error
		if u, err = s.cfg.Store.User(id); err != nil {
			s.fail(c, err)
			return
		}
		if role == "" {
			role = access.Role(u.Role)
		}
	} else {
		u = &repository.User{Email: c.PostForm("email"), Name: strings.TrimSpace(c.PostForm("name")), Institution: c.PostForm("institution")}
	}
	// Changing a user asks for the right to grant both the role they hold
	// and the one they are given.
	err := access.MayGrant(me, access.Role(u.Role), u.Institution, now)
	if u.ID == "" {
		err = access.Decide(me, access.ManageUsers, access.LibraryResource(u.Institution), now)
	}
	if err != nil {
		if u.ID != "" && access.Decide(me, access.ManageUsers, access.LibraryResource(u.Institution), now) != nil {
			// Someone of a library one may not manage is no one: "forbidden"
			// would tell that the identifier is a person's.
			err = fmt.Errorf("user %q: %w", u.ID, fault.NotFound)
		}
		s.fail(c, err)
		return
	}
	if err := access.MayGrant(me, role, u.Institution, now); err != nil {
		s.renderUsers(c, Status(err), t(s.lang(c), "bad_role"), "", "")
		return
	}
	if u.ID == me.User && role != access.Role(u.Role) {
		s.renderUsers(c, http.StatusBadRequest, t(s.lang(c), "own_role"), "", "")
		return
	}
	var events []repository.Event
	change := func(typ, detail string) {
		events = append(events, repository.Event{Type: typ, Outcome: "success", Detail: u.Email + ": " + detail})
	}
	if string(role) != u.Role && u.ID != "" {
		change("role change", u.Role+" → "+string(role))
	}
	u.Role = string(role)
	password := ""
	switch c.PostForm("action") {
	case "disable":
		u.Disabled = true
		change("account disabled", "sessions and tokens end")
	case "enable":
		u.Disabled = false
		change("account enabled", "may sign in again")
	case "password":
		password = repository.NewPassword()
		u.PasswordHash = repository.HashPassword(password)
		change("password change", "a new password was made; sessions end")
	}
	if u.ID == "" {
		password = repository.NewPassword()
		u.PasswordHash = repository.HashPassword(password)
	} else if v, err := formVersion(c); err != nil {
		s.fail(c, err)
		return
	} else {
		u.Version = v
	}
	if err := s.cfg.Store.SaveUser(c.Request.Context(), u, me.Email, events...); err != nil {
		if Status(err) >= 500 {
			s.fail(c, err)
			return
		}
		s.renderUsers(c, Status(err), reason(err), "", "")
		return
	}
	s.renderUsers(c, http.StatusOK, "", u.Email, password)
}
