// Package sitemap lists the archive's public pages for search engines, in
// the Sitemaps protocol (https://www.sitemaps.org/protocol.html): every
// library's page, every fonds's finding aid and curated collection, and
// every item that anonymous visitors may read, each with its last change.
// Past PerPage addresses the list is cut into pages that an index names.
//
// A page costs what it holds: the store keeps, per library, the top-level
// units and the items that anonymous visitors may list (their listing
// tier) with their counts, so the page n is found by counts, and read from
// its place in one library's listing (a seek, then a step over the keys
// before the page there, none decoded); every record read is still decided
// by access.Decide for an anonymous visitor.
package sitemap

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// MaxPerPage is the protocol's bound on the addresses of one sitemap (and
// on the sitemaps of an index).
const MaxPerPage = 50000

// Store is what the sitemap reads: the libraries, their listings of
// top-level units and items by tier, and the records.
type Store interface {
	access.Items
	Institutions() ([]*repository.Institution, error)
	TopUnitsAt(inst, tier string, curated bool, offset, limit int) ([]*repository.Collection, int, error)
	ListedItems(inst, tier string, at repository.At, limit int) ([]string, int, error)
}

// Service lists the public pages.
type Service struct {
	Store Store
	// PerPage bounds the addresses of one sitemap; 0: MaxPerPage.
	PerPage int
}

// URL is one address of a sitemap and when its record last changed.
type URL struct {
	Loc      string
	Modified time.Time
}

// kinds of a library's listed records, in the order the sitemap lists them.
const (
	fonds = iota
	curated
	items
)

// section is one library's listed records of a kind, and how many.
type section struct {
	inst  string
	kind  int
	count int
}

func (s *Service) perPage() int {
	if s.PerPage <= 0 || s.PerPage > MaxPerPage {
		return MaxPerPage
	}
	return s.PerPage
}

// plan is the libraries and the sections after them, with their counts
// (each a read of a kept count).
func (s *Service) plan() ([]*repository.Institution, []section, int, error) {
	libs, err := s.Store.Institutions()
	if err != nil {
		return nil, nil, 0, err
	}
	total := len(libs)
	var secs []section
	for _, in := range libs {
		for _, kind := range []int{fonds, curated, items} {
			var n int
			if kind == items {
				_, n, err = s.Store.ListedItems(in.ID, repository.TierAnyone, repository.At{}, 0)
			} else {
				_, n, err = s.Store.TopUnitsAt(in.ID, repository.TierAnyone, kind == curated, 0, 0)
			}
			if err != nil {
				return nil, nil, 0, err
			}
			secs = append(secs, section{in.ID, kind, n})
			total += n
		}
	}
	return libs, secs, total, nil
}

// Pages is how many sitemaps the public pages fill (at least one).
func (s *Service) Pages(ctx context.Context) (int, error) {
	_, _, total, err := s.plan()
	if err != nil {
		return 0, err
	}
	return max(1, (total+s.perPage()-1)/s.perPage()), ctx.Err()
}

// Page is the n-th sitemap (from 1) of the archive at base: at most
// PerPage addresses, fewer when a record listed for anonymous visitors is
// no longer theirs to read (the listing is mended when it is next saved).
func (s *Service) Page(ctx context.Context, base string, n int) ([]URL, error) {
	libs, secs, total, err := s.plan()
	if err != nil {
		return nil, err
	}
	per := s.perPage()
	if n < 1 || n > max(1, (total+per-1)/per) {
		return nil, fault.E("sitemap", fault.NotFound, fmt.Sprintf("page %d", n), nil)
	}
	offset, room := (n-1)*per, per
	var out []URL
	for ; offset < len(libs) && room > 0; offset, room = offset+1, room-1 {
		out = append(out, URL{base + "/libraries/" + libs[offset].ID, libs[offset].Modified})
	}
	offset -= len(libs)
	if offset < 0 {
		offset = 0
	}
	now := time.Now()
	for _, sec := range secs {
		if room == 0 {
			break
		}
		if offset >= sec.count {
			offset -= sec.count
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		take := min(sec.count-offset, room)
		urls, err := s.read(base, sec, offset, take, now)
		if err != nil {
			return nil, err
		}
		out = append(out, urls...)
		offset, room = 0, room-take
	}
	return out, nil
}

// read is take records of a section from offset that anonymous visitors
// may read, as addresses.
func (s *Service) read(base string, sec section, offset, take int, now time.Time) ([]URL, error) {
	var out []URL
	if sec.kind == items {
		ids, _, err := s.Store.ListedItems(sec.inst, repository.TierAnyone, repository.At{Offset: offset}, take)
		if err != nil {
			return nil, err
		}
		its, err := access.Visible(s.Store, access.Principal{}, ids, now)
		if err != nil {
			return nil, err
		}
		for _, it := range its {
			out = append(out, URL{base + "/items/" + it.ID, it.Modified})
		}
		return out, nil
	}
	cols, _, err := s.Store.TopUnitsAt(sec.inst, repository.TierAnyone, sec.kind == curated, offset, take)
	if err != nil {
		return nil, err
	}
	cols, err = access.VisibleCollections(s.Store, access.Principal{}, cols, now)
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		page := "/fonds/"
		if sec.kind == curated {
			page = "/collections/"
		}
		out = append(out, URL{base + page + c.ID, c.Modified})
	}
	return out, nil
}

const ns = "http://www.sitemaps.org/schemas/sitemap/0.9"

type xmlURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// lastmod is a time in the W3C datetime form, to the second, in UTC; ""
// for the zero time.
func lastmod(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// WriteURLSet writes a sitemap of urls.
func WriteURLSet(w io.Writer, urls []URL) error {
	doc := struct {
		XMLName xml.Name `xml:"urlset"`
		NS      string   `xml:"xmlns,attr"`
		URLs    []xmlURL `xml:"url"`
	}{NS: ns}
	for _, u := range urls {
		doc.URLs = append(doc.URLs, xmlURL{u.Loc, lastmod(u.Modified)})
	}
	return write(w, doc)
}

// WriteIndex writes a sitemap index naming the sitemaps at locs.
func WriteIndex(w io.Writer, locs []string) error {
	doc := struct {
		XMLName  xml.Name `xml:"sitemapindex"`
		NS       string   `xml:"xmlns,attr"`
		Sitemaps []xmlURL `xml:"sitemap"`
	}{NS: ns}
	for _, l := range locs {
		doc.Sitemaps = append(doc.Sitemaps, xmlURL{Loc: l})
	}
	return write(w, doc)
}

func write(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
