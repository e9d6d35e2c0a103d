package ead

import (
	"maps"
	"slices"
	"strings"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/repository"
)

// Internal reports whether an element whose audience attribute is audience
// is kept for the library's staff (audience="internal"). It is the one test
// of it: the import asks it of every element it reads, and whatever writes
// an element back asks it before writing one for anyone but the library's
// staff.
func Internal(audience string) bool {
	return strings.EqualFold(strings.TrimSpace(audience), "internal")
}

func internal(n *node) bool { return n != nil && Internal(n.attr["audience"]) }

// aside keeps an internal element k (a child of <did> when did) apart from
// the unit's public fields.
func aside(d *repository.Description, k *node, did bool, within string) {
	a := repository.Aside{Element: k.name, Did: did, Within: within, Attrs: otherAttrs(k, map[string]bool{"audience": true})}
	text := k.all()
	if !did {
		text = blocks(k)
	}
	put(&a.Text, k, text)
	if a.Text.Empty() && len(a.Attrs) == 0 {
		return
	}
	d.Internal = append(d.Internal, a)
}

// asidesWithin keeps the internal elements inside a public element k, whose
// text leaves them out (node.all, blocks).
func asidesWithin(d *repository.Description, k *node, did bool) {
	var walk func(*node)
	walk = func(x *node) {
		for _, y := range x.kids {
			if internal(y) {
				aside(d, y, did, k.name)
				continue
			}
			walk(y)
		}
	}
	walk(k)
}

// publicView is the description without its internal texts, for anyone
// but the library's staff.
func publicView(d *repository.Description) *repository.Description {
	if d == nil || len(d.Internal) == 0 {
		return d
	}
	c := *d
	c.Internal = nil
	return &c
}

// children are the units below n the export writes: those the reader sees,
// but for the internal ones when they are not asked for.
func (e *Export) children(seen access.TreeView, n *repository.Node) []*repository.Node {
	var out []*repository.Node
	for _, c := range seen.Children(n) {
		if e.include || !c.Access.Internal {
			out = append(out, c)
		}
	}
	return out
}

// audience marks a unit the library keeps internal, when it is written.
func (e *Export) audience(n *repository.Node) []string {
	if n.Access.Internal && (n.Up == nil || !n.Up.Access.Internal) {
		return []string{"audience", "internal"}
	}
	return nil
}

// writeAsides writes the internal texts of a description that belong in
// <did> (did) or after it, marked audience="internal"; an export for the
// public has none (publicView).
func writeAsides(x *writer, d *repository.Description, did bool) {
	for _, a := range d.Internal {
		if a.Did != did {
			continue
		}
		name := cmpOr(a.Within, a.Element)
		for _, l := range langs(a.Text) {
			attrs := append(append(sortedAttrs(a.Attrs, "audience", "lang", "script"), "audience", "internal"), langAttrs(l)...)
			if did {
				x.elem(name, strings.TrimSpace(a.Text[l]), attrs...)
				continue
			}
			x.open(name, attrs...)
			for _, p := range paragraphs(a.Text[l]) {
				x.elem("p", p)
			}
			x.close(name)
		}
	}
}

// sortedAttrs are attrs as name, value pairs in name order, but those
// named in skip.
func sortedAttrs(attrs map[string]string, skip ...string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if !slices.Contains(skip, k) {
			out = append(out, k, attrs[k])
		}
	}
	return out
}
