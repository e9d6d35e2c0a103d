package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/fault"
)

// saveSignInRoles keeps the roles a library gives people who sign in with
// its university's account (the users page's form of that name).
func (s *Server) saveSignInRoles(c *gin.Context) {
	err := s.cfg.Accounts.SetSignInRoles(c.Request.Context(), who(c), c.PostForm("signin_roles_for"), itemVersion(c), c.PostForm("signin_roles"))
	var r *desk.Reason
	switch {
	case err == nil:
		s.showUsers(c, http.StatusOK, usersPage{RolesSaved: true}, "")
	case errors.As(err, &r):
		s.showUsers(c, Status(err), usersPage{}, t(s.lang(c), r.Key))
	case errors.Is(err, fault.Conflict):
		s.showUsers(c, Status(err), usersPage{}, reason(err))
	default:
		s.fail(c, err)
	}
}
