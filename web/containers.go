package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// The desk's boxes (top containers): a library's list, one box and what
// is in it, and moving a box to another shelf. desk.Containers decides
// who may see shelf locations; these handlers only adapt.

type boxesPage struct {
	page
	Institution string
	Boxes       []boxRow
	Box         *boxRow
	Units       []boxUnit
}

// boxRow is a box as the pages show it.
type boxRow struct {
	ID, Name, Barcode, Location string
	Units, Version              int
}

// boxUnit is a unit in a box, with its folders named.
type boxUnit struct {
	ID      string
	Title   repository.Text
	Folders string
}

func rowOf(lang string, c *repository.Container, units int) boxRow {
	return boxRow{ID: c.ID, Name: boxName(lang, c.Type, c.Indicator), Barcode: c.Barcode, Location: c.Location, Units: units, Version: c.Version}
}

// deskBoxes lists the boxes of the asker's library (?library= for the
// system administrator).
func (s *Server) deskBoxes(c *gin.Context) {
	p := who(c)
	inst := p.Institution
	if l := c.Query("library"); l != "" {
		inst = l
	}
	boxes, err := s.cfg.Containers.List(c.Request.Context(), p, inst)
	if err != nil {
		s.fail(c, err)
		return
	}
	pg := boxesPage{page: s.newPage(c, ""), Institution: inst}
	pg.Title = t(pg.Lang, "boxes")
	for _, b := range boxes {
		pg.Boxes = append(pg.Boxes, rowOf(pg.Lang, b.Container, b.Units))
	}
	s.cache(c, privateOnly)
	s.render(c, http.StatusOK, "boxes", pg)
}

// deskBox shows a box, the units in it in folder order, and the form that
// moves it.
func (s *Server) deskBox(c *gin.Context) {
	box, err := s.cfg.Containers.Open(c.Request.Context(), who(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	pg := boxesPage{page: s.newPage(c, ""), Institution: box.Institution}
	row := rowOf(pg.Lang, box.Container, len(box.Units))
	pg.Box, pg.Title, pg.CSRF = &row, row.Name, s.csrfToken(c)
	for _, u := range box.Units {
		pg.Units = append(pg.Units, boxUnit{ID: u.ID, Title: u.Title, Folders: strings.Join(repository.ContainerNames(u.Subs, pg.Lang), "; ")})
	}
	s.cache(c, privateOnly)
	s.render(c, http.StatusOK, "boxes", pg)
}

// moveBox shelves a box elsewhere, at the version the form was made from.
func (s *Server) moveBox(c *gin.Context) {
	version, err := strconv.Atoi(c.PostForm("version"))
	if err != nil {
		s.fail(c, invalid("the box's version is not a number"))
		return
	}
	if _, err := s.cfg.Containers.Move(c.Request.Context(), who(c), c.Param("id"), version, c.PostForm("location")); err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, noStore)
	c.Redirect(http.StatusSeeOther, "/desk/boxes/"+c.Param("id"))
}

// boxName names a container in the page's language: "กล่อง 12", "Box 12".
func boxName(lang, typ, indicator string) string {
	r := repository.ContainerRef{Type: typ, Indicator: indicator}
	return repository.ContainerNames([]repository.ContainerRef{r}, lang)[0]
}

// containerFields are a unit's containers for its finding-aid pages and
// the printed finding aid ("Box 12, Folder 3"), and, for those the access
// decision lets edit the library's records, where each box is shelved and
// the containers kept for them (audience="internal").
func (s *Server) containerFields(p access.Principal, lang string, c *repository.Collection, now time.Time) ([]field, error) {
	if c.Description == nil || len(c.Description.Containers) == 0 {
		return nil, nil
	}
	refs := c.Description.Containers
	staff := access.Decide(p, access.Edit, access.LibraryResource(c.Institution), now) == nil
	if !staff {
		if refs = repository.Published(refs); len(refs) == 0 {
			return nil, nil
		}
	}
	out := []field{{Label: t(lang, "containers"), Value: strings.Join(repository.ContainerNames(refs, lang), "; ")}}
	if !staff {
		return out, nil
	}
	var shelves []string
	seen := map[string]bool{}
	for _, r := range refs {
		if r.Top == "" || seen[r.Top] {
			continue
		}
		seen[r.Top] = true
		box, err := s.cfg.Store.Container(r.Top)
		if errors.Is(err, fault.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if box.Location != "" {
			shelves = append(shelves, boxName(lang, box.Type, box.Indicator)+": "+box.Location)
		}
	}
	if len(shelves) > 0 {
		out = append(out, field{Label: t(lang, "box_location"), Value: strings.Join(shelves, "; ")})
	}
	return out, nil
}

// placedNote says in lang how many containers an import read and in how
// many boxes, for the import's report.
func placedNote(lang string, pl ead.Placed) string {
	return strings.NewReplacer("{1}", strconv.Itoa(pl.Containers), "{2}", strconv.Itoa(pl.Boxes), "{3}", strconv.Itoa(pl.New)).Replace(t(lang, "ead_boxes"))
}
