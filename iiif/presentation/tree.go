package presentation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// TreeURL is the address of the nested collection of an archival unit.
func (s Site) TreeURL(id string) string { return s.CollectionURL(id) + "/tree" }

// UnitManifestURL is the address of the manifest of every page of a unit.
func (s Site) UnitManifestURL(id string) string { return s.CollectionURL(id) + "/manifest" }

// treeLookup is the tree answering for collections and the store for items.
type treeLookup struct {
	*repository.Tree
	store Store
}

func (l treeLookup) Item(id string) (*repository.Item, error) { return l.store.Item(id) }

// treeMember is a unit (a collection, with its members) or an item (a
// manifest) of a nested collection: a struct, not a Doc, since a fonds of
// 10,000 units is encoded several times faster so.
type treeMember struct {
	ID        string        `json:"id"`
	Type      string        `json:"type"`
	Label     Doc           `json:"label"`
	Summary   Doc           `json:"summary,omitempty"`
	Thumbnail []Doc         `json:"thumbnail,omitempty"`
	Items     *[]treeMember `json:"items,omitempty"` // collections only, [] when empty
}

// readTree reads unit id's tree and checks that p may read the unit.
func (s *Service) readTree(p access.Principal, id string) (*repository.Tree, error) {
	if !repository.ValidID(id) {
		return nil, fmt.Errorf("no collection %q: %w", id, fault.NotFound)
	}
	t, err := s.Store.Tree(id)
	if err != nil {
		return nil, err
	}
	if t.Root.Level == repository.Curated {
		return nil, fmt.Errorf("collection %s is curated, not an archival unit: %w", id, fault.NotFound)
	}
	r, err := access.CollectionResource(t, t.Root.Collection)
	if err != nil {
		return nil, err
	}
	return t, access.Decide(p, access.ReadMetadata, r, s.now())
}

// Tree answers the nested collection of an archival unit: every unit below
// it that p may read, each a collection embedded in its parent with its
// own units and the manifests of its items, so a viewer walks the whole
// fonds from one document.
func (s *Service) Tree(ctx context.Context, p access.Principal, site Site, id string) (*Answer, error) {
	t, err := s.readTree(p, id)
	if err != nil {
		return nil, err
	}
	l := treeLookup{t, s.Store}
	now := s.now()
	seen, err := access.VisibleTree(p, t, now)
	if err != nil {
		return nil, err
	}
	var build func(n *repository.Node) (treeMember, error)
	build = func(n *repository.Node) (treeMember, error) {
		if err := ctx.Err(); err != nil {
			return treeMember{}, err
		}
		items := []treeMember{}
		for _, c := range seen.Children(n) {
			d, err := build(c)
			if err != nil {
				return treeMember{}, err
			}
			items = append(items, d)
		}
		if len(n.Items) > 0 {
			listed, err := access.Listing(l, p, n.Items, now)
			if err != nil {
				return treeMember{}, err
			}
			for _, x := range listed {
				d := treeMember{ID: site.ManifestURL(x.Item.ID), Type: "Manifest", Label: lang(x.Item.Title)}
				if x.Images {
					if th := site.Thumb(x.Item); th != nil {
						d.Thumbnail = []Doc{th}
					}
				}
				items = append(items, d)
			}
		}
		d := treeMember{ID: site.CollectionURL(n.ID), Type: "Collection", Label: lang(n.Title), Items: &items}
		if !n.Summary.Empty() {
			d.Summary = lang(n.Summary)
		}
		return d, nil
	}
	top, err := build(t.Root)
	if err != nil {
		return nil, err
	}
	doc := Doc{"id": top.ID, "type": top.Type, "label": top.Label, "items": top.Items}
	if top.Summary != nil {
		doc["summary"] = top.Summary
	}
	doc["@context"] = Context3
	doc["id"] = site.TreeURL(id)
	in, err := t.Institution(t.Root.Institution)
	if err != nil {
		return nil, err
	}
	doc["provider"] = []Doc{site.provider(in)}
	doc["homepage"] = []Doc{{"id": site.Base + "/fonds/" + id, "type": "Text", "label": lang(t.Root.Title), "format": "text/html"}}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	tag := etag("t", id, strconv.FormatUint(s.Store.Generation(), 10), site.Base, p.User)
	return &Answer{Body: body, ETag: tag, Private: p.SignedIn()}, nil
}

// UnitManifest answers one manifest with the pages of every item of an
// archival unit (a file, usually) that p may see, in order, each item a
// range: "view all pages in this file". Images p may not see are left out.
func (s *Service) UnitManifest(ctx context.Context, p access.Principal, site Site, id string) (*Answer, error) {
	t, err := s.readTree(p, id)
	if err != nil {
		return nil, err
	}
	in, err := t.Institution(t.Root.Institution)
	if err != nil {
		return nil, err
	}
	now := s.now()
	listed, err := access.Listing(treeLookup{t, s.Store}, p, t.Root.Items, now)
	if err != nil {
		return nil, err
	}
	var canvases []canvasDoc
	var ranges []Doc
	private := p.SignedIn()
	for _, x := range listed {
		if !x.Images {
			continue
		}
		r, err := access.ItemResource(treeLookup{t, s.Store}, x.Item)
		if err != nil {
			return nil, err
		}
		protected := access.Effective(r.Access, now) != repository.Public
		private = private || protected || r.Access.ReadingRoom
		download := access.Decide(p, access.ReadContent, r, now) == nil
		s := site
		s.protected, s.room = protected, r.Access.ReadingRoom
		var refs []Doc
		for i, f := range x.Item.Files {
			c := s.canvas(x.Item, f, i+1, download)
			canvases = append(canvases, c)
			refs = append(refs, Doc{"id": c.ID, "type": "Canvas"})
		}
		if len(refs) > 0 {
			ranges = append(ranges, Doc{"id": site.UnitManifestURL(id) + "/range/" + x.Item.ID, "type": "Range", "label": lang(x.Item.Title), "items": refs})
		}
	}
	m := Doc{
		"@context": Context3,
		"id":       site.UnitManifestURL(id),
		"type":     "Manifest",
		"label":    lang(t.Root.Title),
		"provider": []Doc{site.provider(in)},
		"partOf":   []Doc{{"id": site.CollectionURL(id), "type": "Collection"}},
		"homepage": []Doc{{"id": site.Base + "/fonds/" + id, "type": "Text", "label": lang(t.Root.Title), "format": "text/html"}},
		"items":    canvases,
	}
	if canvases == nil {
		m["items"] = []Doc{}
	}
	if len(ranges) > 0 {
		m["structures"] = ranges
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	tag := etag("u", id, strconv.FormatUint(s.Store.Generation(), 10), site.Base, p.User)
	return &Answer{Body: body, ETag: tag, Private: private}, nil
}
