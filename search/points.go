package search

import (
	"slices"

	"github.com/thaiarchives/archive/repository"
)

// points indexes the access points an item or a unit above it names: each
// as a value of the "point" facet, "kind/id", so that results are counted
// by person, place, subject… and narrowed to one; and their headings as
// written, as the item's creators, places or subjects.
func (d *document) points(refs []repository.PointRef) {
	for _, r := range refs {
		kind := repository.PointElements[r.Element]
		if r.Point != "" && kind != "" {
			if v := "point:" + string(kind) + "/" + r.Point; !slices.Contains(d.Facet, v) {
				d.Facet = append(d.Facet, v)
			}
		}
		switch {
		case r.Role == "origination":
			d.Creator = append(d.Creator, values(r.Heading)...)
		case kind == repository.PlacePoint:
			d.Places = append(d.Places, values(r.Heading)...)
		default:
			d.Subjects = append(d.Subjects, values(r.Heading)...)
		}
	}
}
