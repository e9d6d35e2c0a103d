package desk

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
)

// EADImport is a finding aid to import and what goes with it.
type EADImport struct {
	Finding *ead.Finding
	// Institution is the library the tree is made in; Parent, when set,
	// is the unit it goes inside (and decides the library).
	Institution, Parent string
	// Dir is the folder the files its <dao> links name are looked for in
	// (the finding aid's own folder).
	Dir string
	// Sent, when set, holds files sent beside the finding aid by name,
	// in its folder "sent": each is linked into its folder "beside" at the
	// path a <dao> names, and looked for there (Dir is not used).
	Sent *os.Root
	// Base is the archive's own address: a <dao> that links to an item
	// or its manifest there (or relative: "/items/x") names that item.
	Base string
	// Dry reads and reports without making anything.
	Dry bool
	// Access and Rights, when set, are given to every item made.
	Access, Rights string
	// Agent names who imports in the trail ("": the person, at the desk).
	Agent string
	// Ingest: the items are ingested now with Units.Ingest (else they are
	// only returned, for the caller to ingest).
	Ingest bool
}

// EADReport is what an import made and found.
type EADReport struct {
	Made []ead.Made
	// Daos say what became of each <dao> (notes of kinds "dao_…").
	Daos    []ead.Note
	Items   []ingest.Unit // the digitised files to ingest as items
	Outcome []ingest.Outcome
	// NoIngest: there were files to ingest and nothing to ingest them with.
	NoIngest bool
	// Points counts the access points read, found and made.
	Points ead.PointCount
}

// ImportEAD makes the tree of a finding aid for p (in.Parent's library, or
// in.Institution), in one step: all its units or none; then the files its
// <dao> links name become items of their units, and the items they name
// already in the archive are attached to them (placeDaos). A file is found
// only inside the folder it is looked for in (ead.Dao.Path, os.Root).
func (u *Units) ImportEAD(ctx context.Context, p access.Principal, in EADImport) (*EADReport, error) {
	if in.Parent != "" {
		col, err := u.named(ctx, p, in.Parent, "parent")
		if err != nil {
			return nil, err
		}
		in.Institution = col.Institution
	}
	if err := access.Decide(p, access.Edit, access.LibraryResource(in.Institution), u.now()); err != nil {
		return nil, err
	}
	if in.Institution == "" {
		return nil, fmt.Errorf("no library is named for the finding aid: %w", fault.Invalid)
	}
	if in.Dry {
		return &EADReport{}, nil
	}
	if in.Finding == nil {
		return nil, fmt.Errorf("no finding aid was read: %w", fault.Invalid)
	}
	who := in.Agent
	if who == "" {
		who = p.Email + " (desk, EAD import)"
	}
	points, err := in.Finding.Resolve(ctx, u.Store, who)
	if err != nil {
		return nil, err
	}
	made, atts, err := in.Finding.Build(ctx, u.Store, in.Institution, in.Parent, who)
	if err != nil {
		return nil, err
	}
	r := &EADReport{Made: made, Points: points}
	dir := in.Dir
	if in.Sent != nil {
		linkSent(in.Sent, atts)
		dir = filepath.Join(in.Sent.Name(), "beside")
	}
	var root *os.Root
	if slices.ContainsFunc(atts, func(a ead.Attachment) bool { return ead.Dao{Href: a.Href}.Local() }) {
		if root, err = os.OpenRoot(dir); err != nil {
			r.Daos = []ead.Note{{Kind: "dao_folder_unread"}}
			root = nil
		} else {
			defer root.Close()
		}
	}
	objects, notes, err := u.placeDaos(ctx, p, atts, root, in, who)
	if err != nil {
		return nil, err
	}
	r.Daos = append(r.Daos, notes...)
	for _, o := range objects {
		if in.Access != "" {
			o.Meta.Access.Level = in.Access
		}
		if in.Rights != "" {
			o.Meta.Rights = in.Rights
		}
		r.Items = append(r.Items, ingest.Unit{Files: []ingest.Input{{Path: o.Path, Name: o.Name}}, Meta: o.Meta, Origin: o.Origin})
	}
	if !in.Ingest || len(r.Items) == 0 {
		return r, nil
	}
	if u.Ingest == nil {
		r.Items, r.NoIngest = nil, true
		return r, nil
	}
	for _, it := range r.Items {
		r.Outcome = append(r.Outcome, u.Ingest.Ingest(ctx, it)...)
	}
	return r, nil
}

// linkSent links each file sent (by base name, in root's "sent") that a
// <dao href="scans/p1.tif"> names as p1.tif at the path the link names
// once checked, under "beside". A link that cannot be made leaves the file
// missing, which placeDaos reports.
func linkSent(root *os.Root, atts []ead.Attachment) {
	for _, a := range atts {
		rel, ok := ead.Dao{Href: a.Href}.Path()
		if !ok {
			continue
		}
		name := path.Join("sent", path.Base(rel))
		if st, err := root.Stat(name); err != nil || !st.Mode().IsRegular() {
			continue
		}
		at := path.Join("beside", rel)
		if root.MkdirAll(path.Dir(at), 0o700) != nil {
			continue
		}
		root.Link(name, at)
	}
}
