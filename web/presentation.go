package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/iiif/presentation"
	"github.com/thaiarchives/archive/repository"
)

func (s *Server) site(c *gin.Context) presentation.Site { return presentation.Site{Base: s.baseURL(c)} }

// sendDoc answers with a IIIF JSON document: ld+json with the profile when
// asked for, plain JSON otherwise, with CORS (set by the group) and an ETag.
func (s *Server) sendDoc(c *gin.Context, doc any, etag, profile string) {
	c.Header("Vary", "Accept")
	if etag != "" {
		c.Header("ETag", etag)
		if strings.Contains(c.GetHeader("If-None-Match"), etag) {
			c.Status(http.StatusNotModified)
			return
		}
	}
	body, raw := doc.(json.RawMessage)
	if !raw {
		var err error
		if body, err = json.Marshal(doc); err != nil {
			s.failErr(c, err)
			return
		}
	}
	ctype := "application/json"
	if strings.Contains(c.GetHeader("Accept"), "application/ld+json") {
		ctype = `application/ld+json;profile="` + profile + `"`
	}
	s.send(c, ctype, body)
}

// presentationRoute serves /iiif/{2,3}/manifest/… and /iiif/3/collection/….
func (s *Server) presentationRoute(c *gin.Context, v int, kind, rest string) {
	c.Header("Cache-Control", "public, max-age=300")
	switch {
	case kind == "manifest" && rest != "" && !strings.Contains(rest, "/"):
		s.manifest(c, v, rest)
	case kind == "collection" && v == 3:
		s.collection(c, rest)
	default:
		fail(c, http.StatusNotFound, "no such IIIF document: "+c.Request.URL.Path)
	}
}

func (s *Server) manifest(c *gin.Context, v int, id string) {
	it, ok := s.visibleItem(c, id)
	if !ok {
		return
	}
	if !it.Access.Open(time.Now()) {
		c.Header("Cache-Control", "private, no-store")
	}
	in, err := s.manifestInput(it)
	if err != nil {
		s.failErr(c, err)
		return
	}
	site := s.site(c)
	// Content negotiation: a 2.1 client may ask the 3.0 address for 2.1.
	if v == 3 && strings.Contains(c.GetHeader("Accept"), presentation.Context2) {
		v = 2
	}
	lang := s.lang(c)
	etag := etagOf(it.ID, strconv.Itoa(it.Version), site.Base, strconv.Itoa(v), fmt.Sprint(in.Download), lang)
	profile := presentation.Context3
	if v == 2 {
		profile = presentation.Context2
	}
	// A manifest is cached by item version: a new version has a new ETag.
	body, ok := s.img.docs.Get(etag)
	if !ok {
		var doc presentation.Doc
		if v == 2 {
			doc = site.ManifestV2(in, lang)
		} else {
			doc = site.Manifest(in)
		}
		b, err := json.Marshal(doc)
		if err != nil {
			s.failErr(c, err)
			return
		}
		body = b
		s.img.docs.Put(etag, body, int64(len(body)))
	}
	s.sendDoc(c, json.RawMessage(body), etag, profile)
}

func (s *Server) manifestInput(it *repository.Item) (presentation.Input, error) {
	in := presentation.Input{Item: it, Download: true}
	var err error
	if in.Institution, err = s.cfg.Store.Institution(it.Institution); err != nil {
		return in, err
	}
	if it.Collection != "" {
		in.Collection, _ = s.cfg.Store.Collection(it.Collection)
	}
	return in, nil
}

// lang is the reader's preferred language, th or en.
func (s *Server) lang(c *gin.Context) string {
	if l := c.Query("lang"); l == "th" || l == "en" {
		return l
	}
	if strings.HasPrefix(strings.ToLower(c.GetHeader("Accept-Language")), "th") {
		return "th"
	}
	return "en"
}

// visibleMembers turns item ids into manifest entries, leaving out what the
// reader may not see.
func (s *Server) visibleMembers(c *gin.Context, ids []string, withProvider bool) []presentation.Member {
	site := s.site(c)
	auth := s.authorised(c)
	now := time.Now()
	var out []presentation.Member
	for _, id := range ids {
		it, err := s.cfg.Store.Item(id)
		if err != nil || it.Deleted || !it.Access.Open(now) && !auth {
			continue
		}
		m := presentation.Member{ID: it.ID, Type: "Manifest", Label: it.Title, Thumb: site.Thumb(it)}
		if withProvider {
			m.Provider, _ = s.cfg.Store.Institution(it.Institution)
		}
		out = append(out, m)
	}
	return out
}

// pageMembers lists page collections for count items at path.
func pageMembers(path string, count int) []presentation.Member {
	var out []presentation.Member
	for p := 0; p*presentation.PageSize < count; p++ {
		out = append(out, presentation.Member{ID: fmt.Sprintf("%s/page/%d", path, p+1), Type: "Collection",
			Label: presentation.PageLabel(p*presentation.PageSize+1, min((p+1)*presentation.PageSize, count))})
	}
	return out
}

// collection serves top, a library, an archival or curated collection, or a page of one.
func (s *Server) collection(c *gin.Context, path string) {
	site := s.site(c)
	parts := strings.Split(path, "/")
	page := 0
	if len(parts) == 3 && parts[1] == "page" {
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 1 {
			fail(c, http.StatusNotFound, "no such page: "+parts[2])
			return
		}
		page = n
	} else if len(parts) != 1 {
		fail(c, http.StatusNotFound, "no such collection: "+path)
		return
	}
	id := parts[0]
	in := presentation.CollectionInput{Path: path}
	gen := strconv.FormatUint(s.cfg.Store.Generation(), 10)
	etag := etagOf("collection", path, gen, site.Base, strconv.FormatBool(s.authorised(c)))
	if strings.Contains(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	switch inst, ierr := s.cfg.Store.Institution(id); {
	case id == "top":
		in.Label = repository.Text{"th": "คลังสารสนเทศร่วม ม.เชียงใหม่ ม.ธรรมศาสตร์ จุฬาฯ", "en": "Shared archive of Chiang Mai, Thammasat and Chulalongkorn Universities"}
		ins, _ := s.cfg.Store.Institutions()
		for _, i := range ins {
			in.Members = append(in.Members, presentation.Member{ID: i.ID, Type: "Collection", Label: i.Name})
		}
		cols, _ := s.cfg.Store.Children("")
		for _, col := range cols {
			if col.Level == repository.Curated && !col.Deleted {
				in.Members = append(in.Members, presentation.Member{ID: col.ID, Type: "Collection", Label: col.Title})
			}
		}
	case ierr == nil:
		in.Label, in.Provider, in.PartOf = inst.Name, inst, "top"
		cols, _ := s.cfg.Store.Collections(inst.ID)
		for _, col := range cols {
			if col.Parent == "" && col.Level != repository.Curated && !col.Deleted {
				in.Members = append(in.Members, presentation.Member{ID: col.ID, Type: "Collection", Label: col.Title})
			}
		}
		if page > 0 {
			ids, total, _ := s.cfg.Store.ItemsOfInstitutionAt(inst.ID, (page-1)*presentation.PageSize, presentation.PageSize)
			if len(ids) == 0 && total > 0 {
				fail(c, http.StatusNotFound, "no such page")
				return
			}
			in.Members, in.PartOf = s.visibleMembers(c, ids, false), id
			in.Label = presentation.PageLabel((page-1)*presentation.PageSize+1, (page-1)*presentation.PageSize+len(ids))
		} else {
			_, total, _ := s.cfg.Store.ItemsOfInstitutionAt(inst.ID, 0, 0)
			in.Members = append(in.Members, pageMembers(id, total)...)
		}
	default:
		col, err := s.cfg.Store.Collection(id)
		if err != nil || col.Deleted {
			fail(c, http.StatusNotFound, fmt.Sprintf("no collection %q", id))
			return
		}
		in.Label, in.Summary = col.Title, col.Summary
		if in.PartOf = col.Parent; in.PartOf == "" {
			in.PartOf = col.Institution
		}
		if col.Level == repository.Curated {
			// A shared collection: items of any library, each with its own provider.
			in.PartOf = "top"
			from := max(0, page-1) * presentation.PageSize
			ids := col.Members[min(from, len(col.Members)):min(from+presentation.PageSize, len(col.Members))]
			in.Members = s.visibleMembers(c, ids, true)
			break
		}
		in.Provider, _ = s.cfg.Store.Institution(col.Institution)
		if page == 0 {
			kids, _ := s.cfg.Store.Children(col.ID)
			for _, k := range kids {
				in.Members = append(in.Members, presentation.Member{ID: k.ID, Type: "Collection", Label: k.Title})
			}
		}
		ids, total, _ := s.cfg.Store.ItemsInCollectionAt(col.ID, max(0, page-1)*presentation.PageSize, presentation.PageSize)
		switch {
		case page > 0:
			in.Members, in.PartOf = s.visibleMembers(c, ids, false), id
		case total <= presentation.PageSize:
			in.Members = append(in.Members, s.visibleMembers(c, ids, false)...)
		default:
			in.Members = append(in.Members, pageMembers(id, total)...)
		}
	}
	s.sendDoc(c, site.Collection(in), etag, presentation.Context3)
}

// discovery serves IIIF Change Discovery 1.0: the stream and its pages,
// oldest first, 100 activities a page; a page's address never changes.
func (s *Server) discovery(c *gin.Context) {
	const size = 100
	site := s.site(c)
	_, total, err := s.cfg.Store.Activities(0, 0)
	if err != nil {
		s.failErr(c, err)
		return
	}
	pages := (total + size - 1) / size
	c.Header("Cache-Control", "public, max-age=60")
	profile := "http://iiif.io/api/discovery/1/context.json"
	if c.Param("n") == "" {
		s.sendDoc(c, site.ActivityStream(total, pages), "", profile)
		return
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 0 || n >= max(pages, 1) {
		fail(c, http.StatusNotFound, "no such page of activities")
		return
	}
	acts, _, err := s.cfg.Store.Activities(n*size, size)
	if err != nil {
		s.failErr(c, err)
		return
	}
	now := time.Now()
	var out []presentation.Activity
	for _, a := range acts {
		// Restricted and embargoed items are not announced (a deletion is).
		if a.Type != "Delete" {
			if it, err := s.cfg.Store.Item(a.Item); err != nil || !it.Access.Open(now) {
				continue
			}
		}
		out = append(out, presentation.Activity{Type: a.Type, Item: a.Item, Time: a.Time})
	}
	if n < pages-1 {
		c.Header("Cache-Control", "public, max-age=86400") // a full page does not change
	}
	s.sendDoc(c, site.ActivityPage(n, pages, out), "", profile)
}

// logo draws a library's emblem: a disc in its colour, for provider.logo.
func (s *Server) logo(c *gin.Context) {
	colours := map[string]color.RGBA{"cmu.png": {93, 42, 130, 255}, "tu.png": {190, 30, 45, 255}, "chula.png": {232, 112, 160, 255}}
	col, ok := colours[c.Param("file")]
	if !ok {
		fail(c, http.StatusNotFound, "no such logo")
		return
	}
	img := image.NewNRGBA(image.Rect(0, 0, 120, 120))
	for y := range 120 {
		for x := range 120 {
			if dx, dy := x-60, y-60; dx*dx+dy*dy <= 56*56 {
				img.SetNRGBA(x, y, color.NRGBA(col))
			}
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	c.Header("Cache-Control", "public, max-age=604800")
	c.Header("Access-Control-Allow-Origin", "*")
	s.send(c, "image/png", b.Bytes())
}
