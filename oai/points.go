package oai

import (
	"errors"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// points writes an item's access points in simple Dublin Core: its
// creators (origination) as dc:creator, places as dc:coverage, and every
// other point (subjects, genres, functions, occupations, titles, names as
// subjects) as dc:subject, with the point's headings in every language
// (the heading as the source wrote it when the point has none).
func (r *request) points(dc *dublinCore, refs []repository.PointRef) error {
	for _, ref := range refs {
		heading, kind := ref.Heading, repository.PointKind("")
		if ref.Point != "" {
			p, err := r.p.Store.Point(ref.Point)
			switch {
			case err == nil:
				kind = p.Kind
				if !p.Heading.Empty() {
					heading = p.Heading
				}
			case !errors.Is(err, fault.NotFound):
				return err
			}
		}
		if kind == "" && ref.Element == "geogname" {
			kind = repository.PlacePoint
		}
		switch {
		case ref.Role == "origination":
			dc.Creator = append(dc.Creator, texts(heading)...)
		case kind == repository.PlacePoint:
			dc.Coverage = append(dc.Coverage, texts(heading)...)
		default:
			dc.Subject = append(dc.Subject, texts(heading)...)
		}
	}
	return nil
}
