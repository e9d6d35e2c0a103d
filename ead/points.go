package ead

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// pointKinds maps EAD's access point elements to kinds.
var pointKinds = repository.PointElements

// Roles of a unit's link to an access point.
const (
	SubjectRole     = "subject"
	OriginationRole = "origination"
)

// readControlaccess reads the access points of a <controlaccess> and those
// nested in it into d, with the heading and attributes of each
// controlaccess; group is its place ("1", "1.2"…).
func readControlaccess(d *repository.Description, k *node, group string) {
	var g repository.PointGroup
	if len(k.attr) > 0 {
		g.Attrs = k.attr
	}
	nested := 0
	for _, x := range k.kids {
		switch x.name {
		case "head":
			put(&g.Head, x, x.all())
		case "controlaccess":
			nested++
			readControlaccess(d, x, group+"."+strconv.Itoa(nested))
		default:
			if r, ok := pointRef(x, SubjectRole); ok {
				r.Group = group
				d.Points = append(d.Points, r)
			}
		}
	}
	if g.Head != nil || g.Attrs != nil {
		if d.PointGroups == nil {
			d.PointGroups = map[string]repository.PointGroup{}
		}
		d.PointGroups[group] = g
	}
}

// originations reads the names of a unit's nth <origination>, with its
// attributes.
func originations(k *node, nth string) []repository.PointRef {
	var out []repository.PointRef
	for _, x := range k.kids {
		if r, ok := pointRef(x, OriginationRole); ok {
			r.Group = nth
			if len(k.attr) > 0 {
				r.Wrapper = k.attr
			}
			out = append(out, r)
		}
	}
	return out
}

// pointRef reads one access point element as the source wrote it: its
// attributes, its heading (its <part>s joined by " -- " in EAD3) and the
// parts themselves.
func pointRef(x *node, role string) (repository.PointRef, bool) {
	if _, ok := pointKinds[x.name]; !ok {
		return repository.PointRef{}, false
	}
	r := repository.PointRef{Role: role, Element: x.name}
	if len(x.attr) > 0 {
		r.Attrs = map[string]string{}
		for a, v := range x.attr {
			r.Attrs[a] = v
		}
	}
	r.Relator = cmpOr(x.attr["relator"], x.attr["role"])
	var parts []string
	for _, p := range x.kids {
		if p.name == "part" {
			part := repository.PointPart{Text: p.all()}
			if len(p.attr) > 0 {
				part.Attrs = p.attr
			}
			r.Parts = append(r.Parts, part)
			parts = append(parts, part.Text)
		}
	}
	heading := x.all()
	if len(parts) > 0 {
		heading = strings.Join(parts, " -- ")
	}
	put(&r.Heading, x, heading)
	return r, !r.Heading.Empty()
}

// entity is the access point a link names, before it is found or made:
// its source and identifier with their spaces folded, left out when they
// are too long to be either (the link keeps them as written).
func entity(r *repository.PointRef) *repository.Point {
	fold := func(s string, most int) string {
		if s = strings.Join(strings.Fields(s), " "); len(s) > most {
			return ""
		}
		return s
	}
	return &repository.Point{
		Kind:       pointKinds[r.Element],
		Heading:    r.Heading,
		Source:     fold(r.Attrs["source"], repository.MaxPointSource),
		Identifier: fold(cmpOr(r.Attrs["identifier"], r.Attrs["authfilenumber"]), repository.MaxPointIdentifier),
	}
}

// Points is what finding or making access points needs.
type Points interface {
	SamePoint(p *repository.Point) (*repository.Point, error)
	AddPoints(ctx context.Context, pts []*repository.Point, agent string) error
}

// PointCount says what Resolve did: links read, points found already in
// the archive, points made, and links that were merged into a point another
// link of the same finding aid made.
type PointCount struct {
	Links, Found, Made, Merged int
}

// Resolve finds or makes the access point of every link in the finding
// aid (the same identifier, or the same normalized heading in the same
// source and kind, is the same point across the three libraries) and sets
// each link's Point. The new points are made together, before the units
// that name them, so a failed import leaves at worst points nothing names,
// which no page shows.
func (f *Finding) Resolve(ctx context.Context, s Points, agent string) (PointCount, error) {
	var n PointCount
	made := map[string]*repository.Point{} // by key, this import's
	var fresh []*repository.Point
	var refs []*repository.PointRef // links, and the point each names
	var names []*repository.Point
	var walk func(u *Unit) error
	walk = func(u *Unit) error {
		d := u.Collection.Description
		if d != nil {
			for i := range d.Points {
				r := &d.Points[i]
				n.Links++
				p := entity(r)
				if p.Kind == "" {
					continue
				}
				var hit *repository.Point
				for _, k := range p.Keys() {
					if hit = made[k]; hit != nil {
						break
					}
				}
				if hit != nil {
					n.Merged++
				} else if old, err := s.SamePoint(p); err == nil {
					hit = old
					n.Found++
				} else if !errors.Is(err, fault.NotFound) {
					return err
				} else {
					hit = p
					fresh = append(fresh, p)
					n.Made++
				}
				for _, k := range p.Keys() {
					if made[k] == nil {
						made[k] = hit
					}
				}
				refs, names = append(refs, r), append(names, hit)
			}
		}
		for _, c := range u.Children {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(f.Root); err != nil {
		return n, err
	}
	if len(fresh) > 0 {
		if err := s.AddPoints(ctx, fresh, agent); err != nil {
			return n, err
		}
	}
	for i, r := range refs {
		r.Point = names[i].ID // the new ones have theirs now
	}
	return n, nil
}

// accessPointAttrs are the attributes EAD3 allows on an access point, and the EAD
// 2002 ones written as them.
var accessPointAttrs = map[string]string{
	"altrender": "altrender", "audience": "audience", "encodinganalog": "encodinganalog", "id": "id",
	"identifier": "identifier", "authfilenumber": "identifier", "lang": "lang", "localtype": "localtype",
	"normal": "normal", "relator": "relator", "role": "relator", "rules": "rules", "script": "script", "source": "source",
}

// pointOrder is the order attributes are written in, for the same bytes
// every time.
var pointOrder = []string{"id", "localtype", "source", "identifier", "rules", "normal", "relator", "encodinganalog", "lang", "script", "audience", "altrender"}

// point writes one access point as EAD3 writes it: its element, its
// attributes as the source gave them (source and identifier from the
// point, which the desk may have completed), and its parts.
func (e *Export) point(x *writer, r repository.PointRef) {
	el := r.Element
	if _, ok := pointKinds[el]; !ok {
		el = "name"
	}
	given := map[string]string{}
	for a, v := range r.Attrs {
		if to, ok := accessPointAttrs[a]; ok && strings.TrimSpace(v) != "" && given[to] == "" {
			given[to] = v
		}
	}
	if r.Relator != "" {
		given["relator"] = r.Relator
	}
	heading := r.Heading
	if e.Points != nil && r.Point != "" {
		if p, err := e.Points(r.Point); err == nil {
			// As written, unless the desk has changed it since.
			for a, v := range map[string]string{"source": p.Source, "identifier": p.Identifier} {
				if v != "" && repository.NormalizeHeading(given[a]) != repository.NormalizeHeading(v) {
					given[a] = v
				}
			}
			if heading.Empty() {
				heading = p.Heading
			}
		}
	}
	var attrs []string
	for _, a := range pointOrder {
		if v := given[a]; v != "" {
			attrs = append(attrs, a, v)
		}
	}
	x.open(el, attrs...)
	if len(r.Parts) > 0 {
		for _, p := range r.Parts {
			var pa []string
			for _, a := range []string{"id", "localtype", "source", "identifier", "rules", "lang", "script", "audience", "altrender", "encodinganalog"} {
				if v := p.Attrs[a]; v != "" {
					pa = append(pa, a, v)
				}
			}
			x.elem("part", p.Text, pa...)
		}
	} else {
		x.elem("part", heading.Get("th"))
	}
	x.close(el)
}

// wrapperAttrs are the attributes EAD3 allows on <origination>.
var wrapperAttrs = []string{"id", "localtype", "lang", "script", "encodinganalog", "audience", "altrender"}

// originationPoints writes a unit's creators that are access points in
// the <origination> elements they came in; false when it has none.
func (e *Export) originationPoints(x *writer, d *repository.Description) bool {
	written, group := false, ""
	for _, r := range d.Points {
		if r.Role != OriginationRole {
			continue
		}
		if written && r.Group != group {
			x.close("origination")
			written = false
		}
		if !written {
			var attrs []string
			for _, a := range wrapperAttrs {
				if v := r.Wrapper[a]; v != "" {
					attrs = append(attrs, a, v)
				}
			}
			x.open("origination", attrs...)
			written, group = true, r.Group
		}
		e.point(x, r)
	}
	if written {
		x.close("origination")
	}
	return written
}

// controlaccessPoints writes a unit's subject access points in the
// <controlaccess> elements they came in, nested as they were.
func (e *Export) controlaccessPoints(x *writer, d *repository.Description) {
	var open []string // the groups written so far, outermost first
	for _, r := range d.Points {
		if r.Role == OriginationRole {
			continue
		}
		path := strings.Split(cmpOr(r.Group, "1"), ".")
		keep := 0
		for keep < len(open) && keep < len(path) && open[keep] == path[keep] {
			keep++
		}
		for len(open) > keep {
			x.close("controlaccess")
			open = open[:len(open)-1]
		}
		for len(open) < len(path) {
			open = append(open, path[len(open)])
			g := d.PointGroups[strings.Join(open, ".")]
			var attrs []string
			for _, a := range wrapperAttrs {
				if v := g.Attrs[a]; v != "" {
					attrs = append(attrs, a, v)
				}
			}
			x.open("controlaccess", attrs...)
			x.texts("head", g.Head)
		}
		e.point(x, r)
	}
	for range open {
		x.close("controlaccess")
	}
}
