package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

// The ARK resolver (https://arks.org; ServeHTTP sends /ark:… here): an
// ARK leads to its record's page, wherever the archive is served from;
// "?" asks for a brief description of it, "??" (or "?info", the newer
// name) for that and the archive's promise about it, both as ERC, the
// ARK scheme's record form (text/plain).

// persistence is the archive's promise about its ARKs.
const persistence = "The holding library keeps this identifier for good: it is never given to another record, and it leads to this record, or to a statement of its withdrawal, wherever the archive is served from. " +
	"/ ห้องสมุดเจ้าของจะรักษาตัวระบุนี้ไว้ตลอดไป ไม่ให้แก่ระเบียนอื่น และตัวระบุนี้จะพาไปยังระเบียนนี้ หรือคำแจ้งการถอนระเบียน ไม่ว่าระบบจะให้บริการจากที่ใด"

// arkURL is where an ARK answers on this site.
func (s *Server) arkURL(c *gin.Context, a string) string { return s.baseURL(c) + "/" + a }

// resolveARK answers /ark:/NAAN/name (and /ark:NAAN/name).
func (s *Server) resolveARK(c *gin.Context) {
	n, err := s.cfg.Identifiers.Resolve(c, who(c), "ark:/"+strings.TrimPrefix(c.Param("name"), "/"))
	if err != nil {
		s.fail(c, err)
		return
	}
	policy := publicDoc
	if access.CachePolicy(n.Res, who(c), time.Now()) != access.Public {
		policy = privateOnly
	}
	s.cache(c, policy)
	u := c.Request.URL
	switch {
	case u.RawQuery == "" && !u.ForceQuery:
		c.Redirect(http.StatusFound, s.baseURL(c)+pageOf(n))
	case u.RawQuery == "":
		c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(s.erc(c, n, false)))
	case u.RawQuery == "?" || u.RawQuery == "info":
		c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(s.erc(c, n, true)))
	default:
		s.fail(c, invalid("an ARK takes ? (a brief description), ?? or ?info (with the promise about it), or nothing"))
	}
}

// pageOf is the page of what an ARK names.
func pageOf(n *desk.Named) string {
	switch {
	case n.Item != nil:
		return "/items/" + n.Item.ID
	case n.Collection.Level == repository.Curated:
		return "/collections/" + n.Collection.ID
	case n.Fonds != "":
		return "/fonds/" + n.Fonds + "#unit-" + n.Collection.ID
	}
	return "/fonds/" + n.Collection.ID
}

// erc is the ARK's record: who, what, when, where; with support, the
// archive's promise about it too.
func (s *Server) erc(c *gin.Context, n *desk.Named, support bool) string {
	var who, what repository.Text
	var when, library string
	if n.Item != nil {
		who, what, when, library = n.Item.Creator, n.Item.Title, n.Item.Date, n.Item.Institution
	} else {
		what, library = n.Collection.Title, n.Collection.Institution
		if d := n.Collection.Description; d != nil {
			when = d.Date
		}
	}
	inst, err := s.cfg.Store.Institution(library)
	libName := library
	if err == nil {
		libName = both(inst.Name)
	}
	if who.Empty() {
		who = repository.Text{"en": libName}
	}
	if d, err := edtf.Parse(when); err == nil {
		when = d.Format("en")
	}
	var b strings.Builder
	line := func(k, v string) { b.WriteString(k + ": " + strings.ReplaceAll(v, "\n", " ") + "\n") }
	b.WriteString("erc:\n")
	switch {
	case n.Withdrawn:
		line("who", "(:unav) withdrawn")
		line("what", "(:unav) withdrawn by "+libName)
		line("when", "(:unav)")
	case !n.Described:
		line("who", "(:unav) restricted")
		line("what", "(:unav) a restricted record of "+libName)
		line("when", "(:unav)")
	default:
		line("who", both(who))
		line("what", both(what))
		line("when", when)
	}
	line("where", s.arkURL(c, n.ARK))
	if support {
		b.WriteString("erc-support:\n")
		line("who", libName)
		line("what", persistence)
		line("where", s.baseURL(c)+pageOf(n))
	}
	return b.String()
}

// both is a text in Thai and English, as one line.
func both(t repository.Text) string {
	th, en := t["th"], t["en"]
	switch {
	case th != "" && en != "" && th != en:
		return th + " / " + en
	case th != "":
		return th
	case en != "":
		return en
	}
	return t.Get("en")
}
