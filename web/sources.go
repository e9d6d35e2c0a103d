package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// sourcesPage is the desk's page of the libraries' own repositories whose
// records are harvested: each source's last run, counts, errors and next
// run, and forms to add, run and remove them.
type sourcesPage struct {
	page
	Sources   []sourceRow
	Libraries []*repository.Institution
	Notice    string
	// MapDC and MapIIIF show how a source's records become entries.
	MapDC, MapIIIF []mapping
}

// mapping is a field of a harvested record and what it becomes (a key of
// the catalog).
type mapping struct{ From, To string }

// The mappings of harvest/map.go and harvest/iiif.go, as the desk shows them.
var (
	mapDC = []mapping{{"dc:title, dcterms:alternative", "map_title"}, {"dc:description, dcterms:abstract", "map_summary"}, {"dc:creator", "map_creator"},
		{"dc:subject", "map_subject"}, {"dcterms:issued, dc:date", "map_date"}, {"dc:type", "map_type"}, {"dc:language", "map_language"},
		{"dc:identifier", "map_link"}, {"dc:identifier, dc:relation (.jpg, .png)", "map_thumb"}, {"header status=deleted", "map_deleted"}}
	mapIIIF = []mapping{{"label", "map_title"}, {"summary, description", "map_summary"}, {"navDate", "map_date"}, {"homepage, related", "map_link"},
		{"thumbnail", "map_thumb"}, {"id", "map_manifest"}}
)

type sourceRow struct {
	*repository.Source
	Host, Finished, Next string
}

// sourcesDesk answers GET /desk/sources.
func (s *Server) sourcesDesk(c *gin.Context) {
	s.showSources(c, http.StatusOK, "", "")
}

func (s *Server) showSources(c *gin.Context, status int, msg, notice string) {
	ctx, me := c.Request.Context(), who(c)
	list, err := s.cfg.Harvest.List(ctx, me)
	if err != nil {
		s.fail(c, err)
		return
	}
	libs, err := s.cfg.Accounts.Manageable(ctx, me)
	if err != nil {
		s.fail(c, err)
		return
	}
	p := sourcesPage{page: s.newPage(c, ""), Libraries: libs, Notice: notice, MapDC: mapDC, MapIIIF: mapIIIF}
	p.Title, p.CSRF, p.Error = t(p.Lang, "sources"), s.csrfToken(c), msg
	for _, src := range list {
		r := sourceRow{Source: src, Host: firstNonEmpty(src.OAI, src.IIIF), Finished: "–", Next: "–"}
		if u, err := url.Parse(r.Host); err == nil && u.Host != "" {
			r.Host = u.Host
		}
		if !src.Run.Finished.IsZero() {
			r.Finished = src.Run.Finished.UTC().Format("2006-01-02 15:04 UTC")
		}
		if !src.Run.Next.IsZero() {
			r.Next = src.Run.Next.UTC().Format("2006-01-02 15:04 UTC")
		}
		p.Sources = append(p.Sources, r)
	}
	s.cache(c, privateOnly)
	s.render(c, status, "sources", p)
}

// sourcesPost answers POST /desk/sources: add a source, make one due now,
// or remove one.
func (s *Server) sourcesPost(c *gin.Context) {
	ctx, me := c.Request.Context(), who(c)
	var err error
	notice := ""
	switch id := c.PostForm("source"); c.PostForm("action") {
	case "add":
		src := &repository.Source{Institution: c.PostForm("institution"), OAI: c.PostForm("oai"), IIIF: c.PostForm("iiif"), Set: c.PostForm("set"), Every: c.PostForm("every")}
		if err = s.cfg.Harvest.Add(ctx, me, src); err == nil {
			notice = "source_added"
		}
	case "run":
		if _, err = s.cfg.Harvest.Due(ctx, me, id); err == nil {
			notice = "source_due"
		}
	case "remove":
		if err = s.cfg.Harvest.Remove(ctx, me, id); err == nil {
			notice = "source_removed"
		}
	default:
		s.showSources(c, http.StatusBadRequest, t(s.lang(c), "source_action"), "")
		return
	}
	switch {
	case err == nil:
		s.showSources(c, http.StatusOK, "", notice)
	case errors.Is(err, fault.Invalid), errors.Is(err, fault.Conflict), errors.Is(err, fault.NotFound) && c.PostForm("action") == "add":
		s.showSources(c, Status(err), reason(err), "")
	default:
		s.fail(c, err)
	}
}
