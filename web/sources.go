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
	// Formats are the metadata formats a source may be harvested in.
	Formats []string
	// Maps show, by a source's format, how its records become entries.
	Maps map[string][]mapping
}

// mapping is a field of a harvested record and what it becomes (a key of
// the catalog).
type mapping struct{ From, To string }

// The mappings of harvest/map.go, mods.go, marc.go, ead.go and iiif.go, as
// the desk shows them.
var (
	mapDC = []mapping{{"dc:title, dcterms:alternative", "map_title"}, {"dc:description, dcterms:abstract", "map_summary"}, {"dc:creator", "map_creator"},
		{"dc:subject", "map_subject"}, {"dcterms:issued, dc:date", "map_date"}, {"dc:type", "map_type"}, {"dc:language", "map_language"},
		{"dc:identifier", "map_link"}, {"dc:identifier, dc:relation (.jpg, .png)", "map_thumb"}, {"header status=deleted", "map_deleted"}}
	mapIIIF = []mapping{{"label", "map_title"}, {"summary, description", "map_summary"}, {"navDate", "map_date"}, {"homepage, related", "map_link"},
		{"thumbnail", "map_thumb"}, {"id", "map_manifest"}}
	mapMODS = []mapping{{"titleInfo: nonSort, title, subTitle", "map_title"}, {"abstract", "map_summary"}, {"name/namePart (role aut, cre, author first)", "map_creator"},
		{"subject: topic, geographic, temporal, name", "map_subject"}, {"originInfo: keyDate, dateIssued, dateCreated", "map_date"}, {"typeOfResource, genre", "map_type"},
		{"language/languageTerm", "map_language"}, {"identifier (hdl, doi, uri), location/url (object in context)", "map_link"}, {"location/url (preview)", "map_thumb"},
		{"header status=deleted", "map_deleted"}}
	mapMARC = []mapping{{"245 $a $b, 246", "map_title"}, {"520 $a", "map_summary"}, {"100, 110, 700, 710 $a", "map_creator"},
		{"600, 610, 611, 650, 651 $a", "map_subject"}, {"264 $c, 260 $c, 008/07-10", "map_date"}, {"leader/06", "map_type"},
		{"041 $a, 008/35-37", "map_language"}, {"024 (doi, hdl), 856 $u", "map_link"}, {"856 $u ($3 thumbnail)", "map_thumb"}, {"header status=deleted", "map_deleted"}}
	mapEAD = []mapping{{"archdesc/did/unittitle", "map_title"}, {"abstract, scopecontent/p", "map_summary"}, {"origination", "map_creator"},
		{"controlaccess", "map_subject"}, {"unitdate@normal, unitdatestructured, unitdate", "map_date"}, {"langmaterial/language@langcode", "map_language"},
		{"eadid@url, representation@href, dao@href", "map_link"}, {"dao@href (.jpg, .png)", "map_thumb"}, {"header status=deleted", "map_deleted"}}
	formatMaps = map[string][]mapping{"oai_dc": mapDC, "qdc": mapDC, "mods": mapMODS, "marcxml": mapMARC, "ead": mapEAD, "iiif": mapIIIF}
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
	p := sourcesPage{page: s.newPage(c, ""), Libraries: libs, Notice: notice, Formats: repository.Formats, Maps: formatMaps}
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
		src := &repository.Source{Institution: c.PostForm("institution"), OAI: c.PostForm("oai"), IIIF: c.PostForm("iiif"), Set: c.PostForm("set"), Format: c.PostForm("format"), Every: c.PostForm("every")}
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

// sourceJSON is a source as the JSON API gives it.
type sourceJSON struct {
	ID          string               `json:"id"`
	Institution string               `json:"institution"`
	OAI         string               `json:"oai,omitempty"`
	IIIF        string               `json:"iiif,omitempty"`
	Set         string               `json:"set,omitempty"`
	Format      string               `json:"format"`
	Every       string               `json:"every"`
	Run         repository.SourceRun `json:"run"`
}

func sourceOut(s *repository.Source) sourceJSON {
	return sourceJSON{ID: s.ID, Institution: s.Institution, OAI: s.OAI, IIIF: s.IIIF, Set: s.Set, Format: s.Format, Every: s.Every, Run: s.Run}
}

// apiSources: GET /api/v1/sources, the sources the asker manages.
func (s *Server) apiSources(c *gin.Context) {
	list, err := s.cfg.Harvest.List(c, who(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := []sourceJSON{}
	for _, src := range list {
		out = append(out, sourceOut(src))
	}
	s.cache(c, privateOnly)
	c.JSON(http.StatusOK, gin.H{"sources": out})
}

// apiSourceAdd: POST /api/v1/sources {"institution", "oai" or "iiif",
// "set", "format", "every"}: 201 with the source.
func (s *Server) apiSourceAdd(c *gin.Context) {
	var in sourceJSON
	if err := c.ShouldBindJSON(&in); err != nil {
		s.fail(c, invalid(`expected JSON {"institution": "…", "oai": "https://…" or "iiif": "https://…", "set": "…", "format": "oai_dc", "every": "24h"}`))
		return
	}
	src := &repository.Source{Institution: in.Institution, OAI: in.OAI, IIIF: in.IIIF, Set: in.Set, Format: in.Format, Every: in.Every}
	if err := s.cfg.Harvest.Add(c, who(c), src); err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, noStore)
	c.JSON(http.StatusCreated, sourceOut(src))
}

// apiSourceRun: POST /api/v1/sources/{id}/run makes the source due: the
// service harvests it within a minute (202).
func (s *Server) apiSourceRun(c *gin.Context) {
	src, err := s.cfg.Harvest.Due(c, who(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, noStore)
	c.JSON(http.StatusAccepted, sourceOut(src))
}

// apiSourceRemove: DELETE /api/v1/sources/{id}, with its entries (204).
func (s *Server) apiSourceRemove(c *gin.Context) {
	if err := s.cfg.Harvest.Remove(c, who(c), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, noStore)
	c.Status(http.StatusNoContent)
}
