package presentation

import (
	"fmt"
	"time"

	"github.com/thaiarchives/archive/repository"
)

// PageSize is the most manifests one collection document lists; larger
// collections are split into page collections.
const PageSize = 1000

// Member is an entry of a collection: a manifest or a sub-collection.
type Member struct {
	ID    string // item or collection identifier, or a page path
	Type  string // "Manifest" or "Collection"
	Label repository.Text
	// Provider, for manifests in collections that span libraries.
	Provider *repository.Institution
	Thumb    Doc
}

// CollectionInput describes a collection document.
type CollectionInput struct {
	Path     string // after /iiif/3/collection/
	Label    repository.Text
	Summary  repository.Text
	PartOf   string // path of the parent collection, if any
	Members  []Member
	Provider *repository.Institution
	Behavior []string
}

// Collection builds a Presentation 3 collection.
func (s Site) Collection(in CollectionInput) Doc {
	items := []Doc{}
	for _, m := range in.Members {
		d := Doc{"type": m.Type, "label": lang(m.Label)}
		if m.Type == "Manifest" {
			d["id"] = s.ManifestURL(m.ID)
		} else {
			d["id"] = s.CollectionURL(m.ID)
		}
		if m.Thumb != nil {
			d["thumbnail"] = []Doc{m.Thumb}
		}
		if m.Provider != nil {
			d["provider"] = []Doc{s.provider(m.Provider)}
		}
		items = append(items, d)
	}
	c := Doc{"@context": Context3, "id": s.CollectionURL(in.Path), "type": "Collection", "label": lang(in.Label), "items": items}
	if !in.Summary.Empty() {
		c["summary"] = lang(in.Summary)
	}
	if in.PartOf != "" {
		c["partOf"] = []Doc{{"id": s.CollectionURL(in.PartOf), "type": "Collection"}}
	}
	if in.Provider != nil {
		c["provider"] = []Doc{s.provider(in.Provider)}
	}
	if len(in.Behavior) > 0 {
		c["behavior"] = in.Behavior
	}
	return c
}

// UnitsLabel names a page of a library's top-level units (1-based).
func UnitsLabel(from, to int) repository.Text {
	return repository.Text{"th": fmt.Sprintf("ชุดเอกสารที่ %d–%d", from, to), "en": fmt.Sprintf("Collections %d–%d", from, to)}
}

// PageLabel names the page collection holding items from..to (1-based).
func PageLabel(from, to int) repository.Text {
	return repository.Text{"th": fmt.Sprintf("รายการที่ %d–%d", from, to), "en": fmt.Sprintf("Items %d–%d", from, to)}
}

// Thumb is a small thumbnail of an item for listings, or nil.
func (s Site) Thumb(it *repository.Item) Doc {
	th := s.thumbnail(it)
	if th == nil {
		return nil
	}
	small := Doc{}
	for k, v := range th {
		small[k] = v
	}
	delete(small, "service")
	return small
}

// Activity is one change for IIIF Change Discovery.
type Activity struct {
	Type string // Create, Update, Delete
	Item string
	Time time.Time
}

// DiscoveryURL is the Change Discovery stream.
func (s Site) DiscoveryURL() string { return s.Base + "/iiif/discovery/collection" }

func (s Site) pageURL(n int) string { return fmt.Sprintf("%s/iiif/discovery/page/%d", s.Base, n) }

// ActivityStream is the OrderedCollection of Change Discovery 1.0 (§2.1).
func (s Site) ActivityStream(total, pages int) Doc {
	c := Doc{
		"@context":   "http://iiif.io/api/discovery/1/context.json",
		"id":         s.DiscoveryURL(),
		"type":       "OrderedCollection",
		"totalItems": total,
	}
	if pages > 0 {
		c["first"] = Doc{"id": s.pageURL(0), "type": "OrderedCollectionPage"}
		c["last"] = Doc{"id": s.pageURL(pages - 1), "type": "OrderedCollectionPage"}
	}
	return c
}

// ActivityPage is page n (from 0) of the stream, oldest activity first.
func (s Site) ActivityPage(n, pages int, acts []Activity) Doc {
	items := []Doc{}
	for _, a := range acts {
		items = append(items, Doc{"type": a.Type, "object": Doc{"id": s.ManifestURL(a.Item), "type": "Manifest"},
			"endTime": a.Time.UTC().Format(time.RFC3339)})
	}
	p := Doc{
		"@context":     "http://iiif.io/api/discovery/1/context.json",
		"id":           s.pageURL(n),
		"type":         "OrderedCollectionPage",
		"partOf":       Doc{"id": s.DiscoveryURL(), "type": "OrderedCollection"},
		"orderedItems": items,
	}
	if n > 0 {
		p["prev"] = Doc{"id": s.pageURL(n - 1), "type": "OrderedCollectionPage"}
	}
	if n+1 < pages {
		p["next"] = Doc{"id": s.pageURL(n + 1), "type": "OrderedCollectionPage"}
	}
	return p
}
