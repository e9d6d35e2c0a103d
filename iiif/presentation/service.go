package presentation

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/repository"
)

// Store is what the presentation service reads.
type Store interface {
	access.Items
	Institutions() ([]*repository.Institution, error)
	// TopUnits reads a library's top-level units (curated, or else
	// archival) kept for a listing tier, after the named one.
	TopUnits(inst, tier string, curated bool, after string, limit int) ([]*repository.Collection, int, error)
	TopUnitsAt(inst, tier string, curated bool, offset, limit int) ([]*repository.Collection, int, error)
	Children(parent string) ([]*repository.Collection, error)
	CollectionItems(c *repository.Collection, offset, limit int) ([]string, int, error)
	Activities(offset, limit int) ([]repository.Activity, int, error)
	Generation() uint64
	Tree(id string) (*repository.Tree, error)
}

// Cache keeps built documents by ETag.
type Cache interface {
	Get(key string) ([]byte, bool)
	Put(key string, val []byte, size int64)
}

// Service answers Presentation and Change Discovery requests for a
// principal, as plain Go: each answer is a document and its ETag, or a
// typed error.
type Service struct {
	Store Store
	Docs  Cache // manifests by ETag (item version)
	Now   func() time.Time
	// Lists pages the items of libraries and units as the principal may
	// list them (counts and pages without the items it may not see).
	Lists *access.Lists
	// Annotations names the canvases of an item that hold public
	// annotations (nil: none do).
	Annotations Annotations
}

// Annotations is what the manifests need of the annotation store.
type Annotations interface {
	PublicCanvases(item string) ([]int, error)
}

// Answer is a built document.
type Answer struct {
	Body []byte
	ETag string
	// Private: it depends on who asked, so no shared cache may keep it.
	Private bool
	// Final: a full page of Change Discovery, whose activities stay (their
	// types follow today's access).
	Final bool
	// Searchable: the manifest offers search inside its item.
	Searchable bool
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func etag(parts ...string) string {
	return `"` + strings.ReplaceAll(strconv.Quote(strings.Join(parts, "|")), `"`, "") + `"`
}

// Manifest answers an item's manifest in version v (2 or 3). A restricted
// item the library lets visitors know of is answered, to those who may not
// see it, with a stub that names no title and carries the sign-in services,
// so a viewer can offer to sign in.
func (s *Service) Manifest(ctx context.Context, p access.Principal, site Site, id string, v int, lang string) (*Answer, error) {
	if !repository.ValidID(id) {
		return nil, fmt.Errorf("no item %q: %w", id, fault.NotFound)
	}
	it, err := s.Store.Item(id)
	if err != nil {
		return nil, err
	}
	res, err := access.ItemResource(s.Store, it)
	if err != nil {
		return nil, err
	}
	now := s.now()
	in := Input{Item: it, Protected: access.Effective(res.Access, now) != repository.Public, Room: res.Access.ReadingRoom}
	if err := access.Decide(p, access.ReadMetadata, res, now); err != nil {
		if !errors.Is(err, fault.Unauthenticated) && !errors.Is(err, fault.Forbidden) {
			return nil, err
		}
		in.Stub = true
	}
	in.Download = access.Decide(p, access.ReadContent, res, now) == nil
	if in.Institution, err = s.Store.Institution(it.Institution); err != nil {
		return nil, err
	}
	if it.Collection != "" && !in.Stub {
		if in.Collection, err = s.Store.Collection(it.Collection); err != nil && !errors.Is(err, fault.NotFound) {
			return nil, err
		}
	}
	if s.Annotations != nil && !in.Stub {
		if in.Annotated, err = s.Annotations.PublicCanvases(it.ID); err != nil {
			return nil, err
		}
	}
	private := in.Protected || in.Room || p.SignedIn()
	searchable := in.Download && contentsearch.HasText(it)
	tag := etag("m", it.ID, strconv.Itoa(it.Version), site.Base, strconv.Itoa(v), lang, fmt.Sprint(in.Download, in.Stub, in.Protected, in.Room, in.Annotated))
	if body, ok := s.Docs.Get(tag); ok {
		return &Answer{Body: body, ETag: tag, Private: private, Searchable: searchable}, nil
	}
	var doc any
	if v == 2 {
		doc = site.ManifestV2(in, lang)
	} else {
		doc = site.Manifest(in)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	s.Docs.Put(tag, body, int64(len(body)))
	return &Answer{Body: body, ETag: tag, Private: private, Searchable: searchable}, nil
}

// members turns item ids into manifest entries, leaving out what p may not
// see; thumbnails only where p may see the images.
func (s *Service) members(p access.Principal, site Site, ids []string, withProvider bool) ([]Member, error) {
	listed, err := access.Listing(s.Store, p, ids, s.now())
	if err != nil {
		return nil, err
	}
	var out []Member
	for _, x := range listed {
		it := x.Item
		m := Member{ID: it.ID, Type: "Manifest", Label: it.Title}
		if x.Images {
			m.Thumb = site.Thumb(it)
		}
		if withProvider {
			if m.Provider, err = s.Store.Institution(it.Institution); err != nil {
				return nil, err
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// libraryUnits answers page n of a library's top-level units.
func (s *Service) libraryUnits(p access.Principal, inst *repository.Institution, n int, in *CollectionInput) error {
	cols, _, err := s.topUnitsAt(p, inst.ID, (n-1)*PageSize)
	if err != nil {
		return err
	}
	if len(cols) == 0 {
		return fmt.Errorf("no page %d of the collections of %s: %w", n, inst.ID, fault.NotFound)
	}
	in.Provider, in.PartOf = inst, inst.ID
	in.Label = UnitsLabel((n-1)*PageSize+1, (n-1)*PageSize+len(cols))
	in.Members, err = s.collectionMembers(p, cols)
	return err
}

// topUnitsAt are a page's worth of library inst's archival top-level units
// kept for p's listing tier, from the offset-th, and how many the tier
// has: candidates, that collectionMembers decides for p.
func (s *Service) topUnitsAt(p access.Principal, inst string, offset int) ([]*repository.Collection, int, error) {
	tier := access.ListTier(p, inst)
	if tier == "" {
		return nil, 0, nil
	}
	return s.Store.TopUnitsAt(inst, tier, false, offset, PageSize)
}

// topUnits are library inst's top-level units (curated, or else archival)
// kept for p's listing tier: a library's collection costs the units it
// lists, not every unit of the archive. They are candidates; members
// decides each for p.
func (s *Service) topUnits(p access.Principal, inst string, curated bool) ([]*repository.Collection, error) {
	tier := access.ListTier(p, inst)
	if tier == "" {
		return nil, nil
	}
	cols, _, err := s.Store.TopUnits(inst, tier, curated, "", math.MaxInt)
	return cols, err
}

// collectionMembers are the members for the units of cols that p may see.
func (s *Service) collectionMembers(p access.Principal, cols []*repository.Collection) ([]Member, error) {
	var kept []*repository.Collection
	for _, c := range cols {
		if !c.Deleted {
			kept = append(kept, c)
		}
	}
	visible, err := access.VisibleCollections(s.Store, p, kept, s.now())
	if err != nil {
		return nil, err
	}
	var out []Member
	for _, c := range visible {
		out = append(out, Member{ID: c.ID, Type: "Collection", Label: c.Title})
	}
	return out, nil
}

// pageMembers lists page collections for count items at path.
func pageMembers(path string, count int) []Member {
	var out []Member
	for p := 0; p*PageSize < count; p++ {
		out = append(out, Member{ID: fmt.Sprintf("%s/page/%d", path, p+1), Type: "Collection",
			Label: PageLabel(p*PageSize+1, min((p+1)*PageSize, count))})
	}
	return out
}

// TopLabel names the collection of the whole archive.
var TopLabel = repository.Text{"th": "คลังสารสนเทศร่วม ม.เชียงใหม่ ม.ธรรมศาสตร์ จุฬาฯ", "en": "Shared archive of Chiang Mai, Thammasat and Chulalongkorn Universities"}

// Collection answers top, a library, an archival or curated collection, or
// a page of one (path is what follows /iiif/3/collection/). Nothing p may
// not see is listed, titles included.
func (s *Service) Collection(ctx context.Context, p access.Principal, site Site, path string) (*Answer, error) {
	parts := strings.Split(path, "/")
	page := 0
	notFound := fmt.Errorf("no collection %q: %w", path, fault.NotFound)
	if len(parts) == 2 && parts[1] == "tree" {
		return s.Tree(ctx, p, site, parts[0])
	}
	if len(parts) == 2 && parts[1] == "manifest" {
		return s.UnitManifest(ctx, p, site, parts[0])
	}
	units := false // a page of a library's top-level units
	if len(parts) == 3 && (parts[1] == "page" || parts[1] == "units") {
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 1 || n > 1<<20 {
			return nil, notFound
		}
		page, units = n, parts[1] == "units"
	} else if len(parts) != 1 {
		return nil, notFound
	}
	id := parts[0]
	in := CollectionInput{Path: path}
	var err error
	inst, ierr := s.Store.Institution(id)
	if ierr != nil && !errors.Is(ierr, fault.NotFound) {
		return nil, ierr
	}
	switch {
	case id == "top":
		in.Label = TopLabel
		ins, err := s.Store.Institutions()
		if err != nil {
			return nil, err
		}
		for _, i := range ins {
			in.Members = append(in.Members, Member{ID: i.ID, Type: "Collection", Label: i.Name})
		}
		var shared []*repository.Collection
		for _, i := range ins {
			cols, err := s.topUnits(p, i.ID, true)
			if err != nil {
				return nil, err
			}
			shared = append(shared, cols...)
		}
		slices.SortStableFunc(shared, func(a, b *repository.Collection) int {
			return cmp.Or(cmp.Compare(a.Order, b.Order), strings.Compare(a.ID, b.ID))
		})
		members, err := s.collectionMembers(p, shared)
		if err != nil {
			return nil, err
		}
		in.Members = append(in.Members, members...)
	case ierr == nil && units:
		err = s.libraryUnits(p, inst, page, &in)
	case ierr == nil:
		err = s.library(p, site, inst, page, &in)
	case units:
		return nil, notFound
	default:
		err = s.archival(p, site, id, page, &in)
	}
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(site.Collection(in))
	if err != nil {
		return nil, err
	}
	tag := etag("c", path, strconv.FormatUint(s.Store.Generation(), 10), site.Base, p.User)
	return &Answer{Body: body, ETag: tag, Private: p.SignedIn()}, nil
}

func (s *Service) library(p access.Principal, site Site, inst *repository.Institution, page int, in *CollectionInput) error {
	in.Label, in.Provider, in.PartOf = inst.Name, inst, "top"
	if page == 0 {
		// Its top-level units, or pages of them past a page's worth.
		cols, total, err := s.topUnitsAt(p, inst.ID, 0)
		if err == nil && total <= PageSize {
			in.Members, err = s.collectionMembers(p, cols)
		}
		if err != nil {
			return err
		}
		for n := 0; total > PageSize && n*PageSize < total; n++ {
			in.Members = append(in.Members, Member{ID: fmt.Sprintf("%s/units/%d", inst.ID, n+1), Type: "Collection",
				Label: UnitsLabel(n*PageSize+1, min((n+1)*PageSize, total))})
		}
	}
	ids, total, err := s.Lists.Library(p, inst.ID, repository.At{Offset: max(0, page-1) * PageSize}, PageSize)
	if err != nil {
		return err
	}
	if page == 0 {
		in.Members = append(in.Members, pageMembers(inst.ID, total)...)
		return nil
	}
	if len(ids) == 0 && total > 0 {
		return fmt.Errorf("no page %d of %s: %w", page, inst.ID, fault.NotFound)
	}
	in.PartOf = inst.ID
	in.Label = PageLabel((page-1)*PageSize+1, (page-1)*PageSize+len(ids))
	in.Members, err = s.members(p, site, ids, false)
	return err
}

// collectionItems reads every item of a collection, for Lists.
func (s *Service) collectionItems(col *repository.Collection) func() ([]string, error) {
	return func() ([]string, error) {
		ids, _, err := s.Store.CollectionItems(col, 0, math.MaxInt)
		return ids, err
	}
}

func (s *Service) archival(p access.Principal, site Site, id string, page int, in *CollectionInput) error {
	col, err := s.Store.Collection(id)
	if err != nil {
		return err
	}
	res, err := access.CollectionResource(s.Store, col)
	if err != nil {
		return err
	}
	if err := access.Decide(p, access.ReadMetadata, res, s.now()); err != nil {
		return err
	}
	in.Label, in.Summary = col.Title, col.Summary
	if in.PartOf = col.Parent; in.PartOf == "" {
		in.PartOf = col.Institution
	}
	if col.Level == repository.Curated {
		// A shared collection: items of any library, each with its own provider.
		in.PartOf = "top"
		ids, _, err := s.Lists.Unit(p, col, s.collectionItems(col), repository.At{Offset: max(0, page-1) * PageSize}, PageSize, s.now())
		if err != nil {
			return err
		}
		in.Members, err = s.members(p, site, ids, true)
		return err
	}
	if in.Provider, err = s.Store.Institution(col.Institution); err != nil {
		return err
	}
	if page == 0 {
		kids, err := s.Store.Children(col.ID)
		if err != nil {
			return err
		}
		if in.Members, err = s.collectionMembers(p, kids); err != nil {
			return err
		}
	}
	ids, total, err := s.Lists.Unit(p, col, s.collectionItems(col), repository.At{Offset: max(0, page-1) * PageSize}, PageSize, s.now())
	if err != nil {
		return err
	}
	if page > 0 && len(ids) == 0 && total > 0 {
		return fmt.Errorf("no page %d of %s: %w", page, col.ID, fault.NotFound)
	}
	var items []Member
	switch {
	case page > 0:
		in.PartOf = id
		in.Members, err = s.members(p, site, ids, false)
	case total <= PageSize:
		items, err = s.members(p, site, ids, false)
		in.Members = append(in.Members, items...)
	default:
		in.Members = append(in.Members, pageMembers(id, total)...)
	}
	return err
}

// DiscoverySize is the number of activities on a page of the stream.
const DiscoverySize = 100

// Discovery answers IIIF Change Discovery 1.0: the stream (page < 0) or
// one of its pages, oldest first. Only what anyone may see is announced:
// withdrawn items, and items closed to the public, appear as Delete, so
// that harvesters drop their copies when access tightens.
func (s *Service) Discovery(ctx context.Context, site Site, page int) (*Answer, error) {
	_, total, err := s.Store.Activities(0, 0)
	if err != nil {
		return nil, err
	}
	pages := (total + DiscoverySize - 1) / DiscoverySize
	if page < 0 {
		body, err := json.Marshal(site.ActivityStream(total, pages))
		return &Answer{Body: body}, err
	}
	if page >= max(pages, 1) {
		return nil, fmt.Errorf("no page %d of activities: %w", page, fault.NotFound)
	}
	acts, _, err := s.Store.Activities(page*DiscoverySize, DiscoverySize)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []Activity
	for _, a := range acts {
		typ := a.Type
		if typ != "Delete" {
			it, err := s.Store.Item(a.Item)
			if err != nil && !errors.Is(err, fault.NotFound) {
				return nil, err
			}
			if err != nil {
				continue
			}
			open, err := s.public(it, now)
			if err != nil {
				return nil, err
			}
			if !open {
				// Closed to the public (since, or from the start): harvesters
				// drop any copy they have. An identifier says nothing more.
				typ = "Delete"
			}
		}
		out = append(out, Activity{Type: typ, Item: a.Item, Time: a.Time})
	}
	body, err := json.Marshal(site.ActivityPage(page, pages, out))
	return &Answer{Body: body, Final: page < pages-1}, err
}

// public: an anonymous visitor may read the item's description.
func (s *Service) public(it *repository.Item, now time.Time) (bool, error) {
	res, err := access.ItemResource(s.Store, it)
	if err != nil {
		return false, err
	}
	return access.Decide(access.Principal{}, access.ReadMetadata, res, now) == nil, nil
}
