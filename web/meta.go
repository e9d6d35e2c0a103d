package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/iiif/presentation"
	"github.com/thaiarchives/archive/pagemeta"
	"github.com/thaiarchives/archive/repository"
)

// The embedded metadata of item and unit pages (package pagemeta): built
// only from what the page itself shows its reader, after the same access
// decision, so a page never tells a machine more than a person.

// describe puts the tags and the JSON-LD of r on p.
func (p *page) describe(r pagemeta.Record) error {
	ld, err := r.JSONLD()
	if err != nil {
		return fmt.Errorf("describing %s for machines: %w", r.Page, err)
	}
	p.Meta, p.JSONLD, p.Address = r.Tags(), template.JS(ld), r.Page
	return nil
}

// parts are units as pagemeta names them, a fonds by its finding aid.
func parts(base string, units []*repository.Collection) []pagemeta.Part {
	out := make([]pagemeta.Part, 0, len(units))
	for _, u := range units {
		part := pagemeta.Part{Name: u.Title, URL: base + "/collections/" + u.ID}
		if u.Parent == "" {
			part.URL = base + "/fonds/" + u.ID
		}
		if u.Description != nil {
			part.Ref = u.Description.ReferenceCode
		}
		out = append(out, part)
	}
	return out
}

// creators are the names of a creator field: one name, or several
// separated by semicolons.
func creators(t repository.Text, lang string) []string {
	var out []string
	for _, n := range strings.Split(t.Get(lang), ";") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// describeItem puts on p the embedded metadata of item it, held by in,
// for a reader who may read its description: its pictures only when
// anonymous visitors may see them, its PDF only when the reader may
// download it.
func (s *Server) describeItem(c *gin.Context, p *page, it *repository.Item, res access.Resource, in *repository.Institution, summary bool) error {
	site := s.site(c)
	units, err := s.unitChain(c, it.Collection)
	if err != nil {
		return err
	}
	r := pagemeta.Record{Lang: p.Lang, Name: it.Title, Creators: creators(it.Creator, p.Lang), Date: it.Date,
		Languages: it.Language, Type: it.Type, Rights: it.Rights, Library: in.Name, LibraryURL: site.Base + "/libraries/" + in.ID,
		Parts: parts(site.Base, units), Page: site.Base + "/items/" + it.ID, ARK: it.ARK, Base: site.Base}
	if summary {
		r.Summary = it.Summary
	}
	now := time.Now()
	if access.Decide(access.Principal{}, access.ReadReduced, res, now) == nil {
		if th := site.Thumb(it); th != nil {
			r.Thumb, _ = th["id"].(string)
		}
		if access.Decide(access.Principal{}, access.ReadContent, res, now) == nil {
			r.Image = firstImage(site, it)
		}
	}
	if access.Decide(who(c), access.ReadContent, res, now) == nil {
		for i, f := range it.Files {
			if strings.HasPrefix(f.MediaType, "application/pdf") {
				r.PDF = site.FileURL(it.ID, i+1)
				break
			}
		}
	}
	return p.describe(r)
}

// firstImage is the address of an item's first picture, at most 1200
// pixels on its long edge, or "" if it has none.
func firstImage(site presentation.Site, it *repository.Item) string {
	for i, f := range it.Files {
		if f.Derivatives["access"] != "" {
			return site.Base + "/iiif/3/" + presentation.ImageID(it.ID, i+1) + "/full/!1200,1200/0/default.jpg"
		}
	}
	return ""
}

// describeUnit puts on p the embedded metadata of unit (or curated
// collection) col, whose page is at path, for a reader who may read its
// description.
func (s *Server) describeUnit(c *gin.Context, p *page, col *repository.Collection, path string) error {
	site := s.site(c)
	in, err := s.cfg.Store.Institution(col.Institution)
	if err != nil {
		return err
	}
	units, err := s.unitChain(c, col.Parent)
	if err != nil {
		return err
	}
	r := pagemeta.Record{Lang: p.Lang, Name: col.Title, Type: "Collection", Summary: col.Summary, Library: in.Name,
		LibraryURL: site.Base + "/libraries/" + in.ID, Parts: parts(site.Base, units), Page: site.Base + path, ARK: col.ARK, Base: site.Base}
	if d := col.Description; d != nil {
		r.Creators, r.Date, r.Languages, r.Ref = creators(d.Creator, p.Lang), d.Date, d.Language, d.ReferenceCode
		if r.Summary.Empty() {
			r.Summary = d.Scope
		}
	}
	return p.describe(r)
}

// describeLibrary puts on p the schema.org description of library in.
func (s *Server) describeLibrary(c *gin.Context, p *page, in *repository.Institution) error {
	base := s.baseURL(c)
	// The logo the IIIF manifests name for the library.
	ld, err := pagemeta.Library(in.Name, base+"/libraries/"+in.ID, in.Homepage, base+"/assets/logo/"+in.ID+".png")
	if err != nil {
		return fmt.Errorf("describing library %s for machines: %w", in.ID, err)
	}
	p.JSONLD, p.Address = template.JS(ld), base+"/libraries/"+in.ID
	return nil
}
