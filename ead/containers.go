package ead

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// ContainerStore is what placing a finding aid's units in their boxes
// needs of the store.
type ContainerStore interface {
	ContainerByBarcode(institution, barcode string) (*repository.Container, error)
	AddContainers(ctx context.Context, cs []*repository.Container, agent string) error
}

// readContainer reads a <container> as written: EAD 2002 names its type
// in type, EAD3 in localtype and its barcode in containerid; ArchivesSpace
// writes a top container's barcode in brackets at the end of its label
// ("Mixed Materials [39002038050237]") in EAD 2002.
func readContainer(k *node) repository.ContainerRef {
	r := repository.ContainerRef{Type: cmpOr(k.attr["localtype"], k.attr["type"]), Indicator: k.all(),
		ID: k.attr["id"], Parent: strings.Join(strings.Fields(k.attr["parent"]), " "), Label: k.attr["label"], Barcode: k.attr["containerid"]}
	if r.Barcode == "" && r.Parent == "" {
		if m := bracketed.FindStringSubmatch(r.Label); m != nil {
			r.Barcode = m[1]
		}
	}
	for name, v := range k.attr {
		switch name {
		case "localtype", "type", "id", "parent", "label", "containerid":
			if name != "type" || k.attr["localtype"] == "" {
				continue
			}
		}
		if r.Attrs == nil {
			r.Attrs = map[string]string{}
		}
		r.Attrs[name] = v
	}
	return r
}

var bracketed = regexp.MustCompile(`\[([^\[\]\s]+)\]\s*$`)

// place gives every container the units of a finding aid name its top
// container record: the library's container with the same barcode, else
// one made for the finding aid, shared by every unit that names the same
// barcode, else the same type and indicator; a sub-container is in the top
// container its parent chain leads to. The new containers are added to the
// store before the units; cols get their own copies of their descriptions.
func place(ctx context.Context, s ContainerStore, institution string, cols []*repository.Collection, agent string) (Placed, error) {
	tops := map[string]*repository.Container{} // by key
	byID := map[string]repository.ContainerRef{}
	var fresh []*repository.Container
	type slot struct {
		ref *repository.ContainerRef
		box *repository.Container
	}
	var slots []slot
	for _, c := range cols {
		if c.Description == nil {
			continue
		}
		for _, r := range c.Description.Containers {
			if r.ID != "" {
				if _, dup := byID[r.ID]; !dup {
					byID[r.ID] = r
				}
			}
		}
	}
	// top follows a reference's parents to the container without one.
	top := func(r repository.ContainerRef) repository.ContainerRef {
		for seen := 0; r.Parent != "" && seen < 16; seen++ {
			p, ok := byID[strings.Fields(r.Parent)[0]]
			if !ok {
				break
			}
			r = p
		}
		return r
	}
	for _, c := range cols {
		if c.Description == nil || len(c.Description.Containers) == 0 {
			continue
		}
		d := *c.Description
		d.Containers = slices.Clone(d.Containers)
		c.Description = &d
		nest(d.Containers)
		var last repository.ContainerRef // the unit's top container so far
		for i, r := range d.Containers {
			t := top(r)
			if r.Nested {
				t = last
			}
			last = t
			key := "t\x00" + strings.ToLower(strings.TrimSpace(t.Type)) + "\x00" + strings.TrimSpace(t.Indicator)
			if t.Barcode != "" {
				key = "b\x00" + t.Barcode
			}
			box := tops[key]
			if box == nil && t.Barcode != "" {
				old, err := s.ContainerByBarcode(institution, t.Barcode)
				if err == nil && old.Institution == institution {
					box = old
				} else if err != nil && !errors.Is(err, fault.NotFound) {
					return Placed{}, err
				}
			}
			if box == nil {
				box = &repository.Container{Institution: institution, Type: strings.TrimSpace(t.Type), Indicator: strings.TrimSpace(t.Indicator), Barcode: t.Barcode}
				if box.Type == "" {
					box.Type = "container"
				}
				if box.Indicator == "" {
					box.Indicator = "?"
				}
				if box.Validate() != nil {
					return Placed{}, invalidf("unit %q names a <container> that cannot be kept: its type, number and barcode must each be one line of at most 200 characters", c.Title.Get("th"))
				}
				fresh = append(fresh, box)
			}
			tops[key] = box
			slots = append(slots, slot{&d.Containers[i], box})
		}
	}
	if len(fresh) > 0 {
		if err := s.AddContainers(ctx, fresh, agent); err != nil {
			return Placed{}, err
		}
	}
	boxes := map[*repository.Container]bool{}
	for _, sl := range slots {
		sl.ref.Top = sl.box.ID // given by the store to the new ones
		boxes[sl.box] = true
	}
	return Placed{Containers: len(slots), Boxes: len(boxes), New: len(fresh)}, nil
}

// Placed is what placing a finding aid's units in their boxes did: how
// many containers the units name, in how many boxes, of which how many the
// import made (the others the library held already, by barcode).
type Placed struct {
	Containers, Boxes, New int
}

// eadAttrs are the attributes EAD3 gives <container> beside those the
// reference names itself: a source's other attributes are written back
// when EAD3 has them.
var eadAttrs = []string{"altrender", "audience", "encodinganalog", "lang", "script"}

var (
	ncName  = regexp.MustCompile(`^[\p{L}_][\p{L}\p{N}._-]*$`)
	nmToken = regexp.MustCompile(`^[\p{L}\p{N}._:-]+$`)
)

// containers writes a unit's containers as EAD3 <container> elements: the
// type as localtype, the barcode as containerid, and id and parent as the
// source had them, so that another system can rebuild the boxes. An id is
// written once per document and a parent only when it names one written,
// as the schema's ID and IDREFS ask.
func (x *writer) containers(refs []repository.ContainerRef) {
	for _, r := range refs {
		var attrs []string
		if r.Type != "" {
			attrs = append(attrs, "localtype", r.Type)
		}
		if r.Barcode != "" && nmToken.MatchString(r.Barcode) {
			attrs = append(attrs, "containerid", r.Barcode)
		}
		if r.ID != "" && ncName.MatchString(r.ID) {
			attrs = append(attrs, "id", r.ID) // written once per document (writer.attr)
		}
		var parents []string
		for _, p := range strings.Fields(r.Parent) {
			if x.ids[p] {
				parents = append(parents, p)
			}
		}
		if len(parents) > 0 {
			attrs = append(attrs, "parent", strings.Join(parents, " "))
		}
		if r.Label != "" {
			attrs = append(attrs, "label", r.Label)
		}
		for _, name := range eadAttrs {
			if v := r.Attrs[name]; v != "" {
				attrs = append(attrs, name, v)
			}
		}
		x.elem("container", r.Indicator, attrs...)
	}
}

// nest marks, in a unit's containers written without ids or parents, each
// of another type than the first and without a barcode (which only a top
// container has) as inside the one before it: Box 1, Folder 2 is a folder
// in a box; Box 1, Box 2 are two boxes, and so are Box 1, Reel 7 [barcode].
func nest(refs []repository.ContainerRef) {
	for _, r := range refs {
		if r.ID != "" || r.Parent != "" {
			return
		}
	}
	for i := 1; i < len(refs); i++ {
		refs[i].Nested = refs[i].Barcode == "" && !strings.EqualFold(strings.TrimSpace(refs[i].Type), strings.TrimSpace(refs[0].Type))
	}
}

// containersFor are the containers of a unit the export writes: all when
// the library's staff asked for what it keeps internal (Export.Internal),
// else those not kept for its staff (audience="internal").
func (e *Export) containersFor(institution string, refs []repository.ContainerRef) []repository.ContainerRef {
	if e.include {
		return refs
	}
	return repository.Published(refs)
}
