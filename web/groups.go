package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/repository"
)

// Groups people share annotations with: a person's own at /account/groups,
// and the JSON for viewers at /api/v1/groups. The rules are desk.Groups'.

// groupJSON is a group as the API shows it: Audience is what an
// annotation names to address it.
type groupJSON struct {
	ID       string          `json:"id"`
	Name     repository.Text `json:"name"`
	Audience string          `json:"audience"`
	Owner    string          `json:"owner"`
	Mine     bool            `json:"mine"`
	Members  []string        `json:"members,omitempty"` // for the owner only
	NMembers int             `json:"memberCount"`
	Version  int             `json:"version"`
}

func groupOut(v desk.GroupView) groupJSON {
	return groupJSON{ID: v.ID, Name: v.Name, Audience: repository.AudienceGroup(v.ID), Owner: v.Owner, Mine: v.Mine,
		Members: v.Members, NMembers: v.NMembers, Version: v.Version}
}

// groupChange is a change of a group, from the page's forms or the API.
type groupChange struct {
	Action string          `json:"action"` // rename, add, remove, leave, delete
	Name   repository.Text `json:"name"`
	Email  string          `json:"email"`
}

// changeGroup applies ch to group id for the asker: the group as it is
// now, nil when it is left or deleted.
func (s *Server) changeGroup(c *gin.Context, id string, ch groupChange) (*repository.Group, error) {
	ctx, p := c.Request.Context(), who(c)
	switch ch.Action {
	case "rename":
		return s.cfg.Groups.Rename(ctx, p, id, ch.Name)
	case "add":
		return s.cfg.Groups.Add(ctx, p, id, ch.Email)
	case "remove":
		return s.cfg.Groups.Remove(ctx, p, id, ch.Email)
	case "leave":
		return nil, s.cfg.Groups.Leave(ctx, p, id)
	case "delete":
		return nil, s.cfg.Groups.Delete(ctx, p, id)
	}
	return nil, invalid(t(s.lang(c), "err_group_action"))
}

// apiGroups: GET /api/v1/groups, the groups the asker owns or is in.
func (s *Server) apiGroups(c *gin.Context) {
	vs, err := s.cfg.Groups.Mine(c.Request.Context(), who(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := []groupJSON{}
	for _, v := range vs {
		out = append(out, groupOut(v))
	}
	s.cache(c, privateOnly)
	c.JSON(http.StatusOK, gin.H{"groups": out})
}

// apiGroupCreate: POST /api/v1/groups {"name": {"th": "…", "en": "…"}}.
func (s *Server) apiGroupCreate(c *gin.Context) {
	var body struct {
		Name repository.Text `json:"name"`
	}
	if err := c.ShouldBindJSON(&body); err != nil {
		s.fail(c, invalid(`expected JSON {"name": {"th": "…", "en": "…"}}`))
		return
	}
	g, err := s.cfg.Groups.Create(c.Request.Context(), who(c), body.Name)
	if err != nil {
		s.fail(c, s.deskError(c, err))
		return
	}
	s.sendGroup(c, http.StatusCreated, g)
}

// apiGroupChange: POST /api/v1/groups/{id} {"action": "rename", "name": {…}}
// or {"action": "add"|"remove", "email": "…"} or {"action": "leave"|"delete"}.
func (s *Server) apiGroupChange(c *gin.Context) {
	var ch groupChange
	if err := c.ShouldBindJSON(&ch); err != nil {
		s.fail(c, invalid(`expected JSON {"action": "rename"|"add"|"remove"|"leave"|"delete", "name": {…}, "email": "…"}`))
		return
	}
	g, err := s.changeGroup(c, c.Param("id"), ch)
	if err != nil {
		s.fail(c, s.deskError(c, err))
		return
	}
	if g == nil {
		s.cache(c, noStore)
		c.Status(http.StatusNoContent)
		return
	}
	s.sendGroup(c, http.StatusOK, g)
}

func (s *Server) sendGroup(c *gin.Context, status int, g *repository.Group) {
	v, err := s.cfg.Groups.View(who(c), g)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, noStore)
	c.JSON(status, groupOut(v))
}

type groupsPage struct {
	page
	Groups []groupJSON
	Done   string // what was just done, a message's key
}

// accountGroups shows the asker's groups: a form to make one, and for
// each, its owner's forms or a member's.
func (s *Server) accountGroups(c *gin.Context) {
	s.renderGroups(c, http.StatusOK, "", c.Query("done"))
}

func (s *Server) renderGroups(c *gin.Context, status int, problem, done string) {
	vs, err := s.cfg.Groups.Mine(c.Request.Context(), who(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	pg := groupsPage{page: s.newPage(c, "")}
	pg.Title, pg.CSRF, pg.Error = t(pg.Lang, "my_groups"), s.csrfToken(c), problem
	if _, ok := messages["group_done_"+done]; ok {
		pg.Done = "group_done_" + done
	}
	for _, v := range vs {
		pg.Groups = append(pg.Groups, groupOut(v))
	}
	s.cache(c, privateOnly)
	s.render(c, status, "groups", pg)
}

// accountGroupCreate is the page's form to make a group: name_th, name_en.
func (s *Server) accountGroupCreate(c *gin.Context) {
	name := repository.Text{"th": c.PostForm("name_th"), "en": c.PostForm("name_en")}
	if _, err := s.cfg.Groups.Create(c.Request.Context(), who(c), name); err != nil {
		s.groupFormFailed(c, err)
		return
	}
	s.cache(c, noStore)
	c.Redirect(http.StatusSeeOther, "/account/groups?done=created")
}

// accountGroupChange is the page's forms of one group: action, and
// name_th and name_en or email.
func (s *Server) accountGroupChange(c *gin.Context) {
	ch := groupChange{Action: c.PostForm("action"), Email: c.PostForm("email"),
		Name: repository.Text{"th": c.PostForm("name_th"), "en": c.PostForm("name_en")}}
	if _, err := s.changeGroup(c, c.Param("id"), ch); err != nil {
		s.groupFormFailed(c, err)
		return
	}
	s.cache(c, noStore)
	c.Redirect(http.StatusSeeOther, "/account/groups?done="+strings.ToLower(ch.Action))
}

// groupFormFailed shows the page again with why a form was refused, in
// the reader's language; what is not a refusal (the store did not
// answer) is the error page.
func (s *Server) groupFormFailed(c *gin.Context, err error) {
	st := Status(err)
	if st >= 500 {
		s.fail(c, err)
		return
	}
	msg := s.deskReason(c, err)
	if st == http.StatusNotFound {
		msg = t(s.lang(c), "not_found")
	}
	s.renderGroups(c, st, msg, "")
}
