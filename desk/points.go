package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// Points is what people do with access points: read one with the units and
// items that name it (those the reader may read), and, at the desk, edit
// one and merge two that are the same.
type Points struct {
	Store *bolt.Store
	// Now is the time decisions are made at (nil: the clock).
	Now func() time.Time
}

func (s *Points) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// PointPage is an access point and what a reader may see that names it.
type PointPage struct {
	Point *repository.Point
	Units []*repository.Collection
	Items []access.Listed
	// Public: an anonymous visitor sees the same (a shared cache may keep it).
	Public bool
}

// Read returns an access point with the units and items p may read that
// name it, across the libraries. A point nothing p may read names answers
// as a missing one, so that it tells nothing of restricted units; a merged
// point answers with the point it was merged into.
func (s *Points) Read(ctx context.Context, p access.Principal, id string) (*PointPage, error) {
	pt, err := s.Store.Point(id)
	for i := 0; err == nil && pt.MergedInto != "" && i < 8; i++ {
		pt, err = s.Store.Point(pt.MergedInto)
	}
	if errors.Is(err, fault.NotFound) || err == nil && pt.MergedInto != "" {
		return nil, fmt.Errorf("no access point %q: %w", id, fault.NotFound)
	}
	if err != nil {
		return nil, err
	}
	page, err := s.visible(ctx, p, pt)
	if err != nil {
		return nil, err
	}
	if len(page.Units) == 0 && len(page.Items) == 0 {
		return nil, fmt.Errorf("no access point %q: %w", id, fault.NotFound)
	}
	if p.SignedIn() {
		anon, err := s.visible(ctx, access.Principal{}, pt)
		if err != nil {
			return nil, err
		}
		page.Public = len(anon.Units) == len(page.Units) && len(anon.Items) == len(page.Items)
	} else {
		page.Public = true
	}
	return page, nil
}

func (s *Points) visible(ctx context.Context, p access.Principal, pt *repository.Point) (*PointPage, error) {
	unitIDs, itemIDs, err := s.Store.PointLinks(pt.ID)
	if err != nil {
		return nil, err
	}
	var cols []*repository.Collection
	for _, id := range unitIDs {
		c, err := s.Store.Collection(id)
		if errors.Is(err, fault.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	page := &PointPage{Point: pt}
	if page.Units, err = access.VisibleCollections(s.Store, p, cols, s.now()); err != nil {
		return nil, err
	}
	if page.Items, err = access.Listing(s.Store, p, itemIDs, s.now()); err != nil {
		return nil, err
	}
	return page, ctx.Err()
}

// mayEdit lets p change a point when p may edit the description of a
// library whose units or items name it (any library's archivist, for a
// point nothing names yet).
func (s *Points) mayEdit(p access.Principal, pt *repository.Point) error {
	libs, err := s.libraries(pt.ID)
	if err != nil {
		return err
	}
	if len(libs) == 0 {
		libs = []string{p.Institution}
	}
	var refusal error
	for _, l := range libs {
		if refusal = access.Decide(p, access.Edit, access.LibraryResource(l), s.now()); refusal == nil {
			return nil
		}
	}
	return refusal
}

// libraries lists the libraries whose units or items name a point.
func (s *Points) libraries(id string) ([]string, error) {
	units, items, err := s.Store.PointLinks(id)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range units {
		c, err := s.Store.Collection(u)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, c.Institution) {
			out = append(out, c.Institution)
		}
	}
	for _, i := range items {
		it, err := s.Store.Item(i)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, it.Institution) {
			out = append(out, it.Institution)
		}
	}
	return out, nil
}

// PointEdit is what the desk changes of an access point.
type PointEdit struct {
	Version            int
	Heading            repository.Text
	Source, Identifier string
}

// Edit changes a point's heading (in Thai, English or another language),
// authority source and identifier, at the version it was read at.
func (s *Points) Edit(ctx context.Context, p access.Principal, id string, e PointEdit) (*repository.Point, error) {
	pt, err := s.Store.Point(id)
	if err != nil {
		return nil, err
	}
	if err := s.mayEdit(p, pt); err != nil {
		return nil, err
	}
	if pt.MergedInto != "" {
		return nil, fmt.Errorf("access point %s was merged into %s: edit that one: %w", id, pt.MergedInto, fault.Invalid)
	}
	if e.Version != pt.Version {
		return nil, fmt.Errorf("access point %s was changed by someone else: %w", id, fault.Conflict)
	}
	next := *pt
	next.Heading = repository.Text{}
	for l, v := range e.Heading {
		if v = strings.TrimSpace(v); v != "" {
			next.Heading[l] = v
		}
	}
	next.Source, next.Identifier = strings.TrimSpace(e.Source), strings.TrimSpace(e.Identifier)
	ev := repository.Event{Type: "modification", Outcome: "success", Detail: "access point edited at the desk"}
	if err := s.Store.SavePoint(ctx, &next, p.Email, ev); err != nil {
		return nil, err
	}
	return &next, nil
}

// MergeResult says what a merge changed.
type MergeResult struct {
	Into         *repository.Point
	Units, Items int
}

// Merge makes point from one with point into: every unit and item naming
// from names into (with what its source wrote kept), and from is kept as
// merged, its headings and identifier finding into from then on. p must
// be able to edit into, and to edit in every library whose units or items
// name from (they are saved again). Run again after a failure, it finishes
// the work.
func (s *Points) Merge(ctx context.Context, p access.Principal, from, into string) (*MergeResult, error) {
	if from == into {
		return nil, fmt.Errorf("an access point cannot be merged into itself: %w", fault.Invalid)
	}
	a, err := s.Store.Point(from)
	if err != nil {
		return nil, err
	}
	b, err := s.Store.Point(into)
	if errors.Is(err, fault.NotFound) {
		return nil, fmt.Errorf("no access point %q to merge into: %w", into, fault.Invalid)
	}
	if err != nil {
		return nil, err
	}
	if err := s.mayEdit(p, b); err != nil {
		return nil, err
	}
	// Every library whose units and items are saved again must be one p
	// may edit in.
	libs, err := s.libraries(from)
	if err != nil {
		return nil, err
	}
	if len(libs) == 0 {
		libs = []string{p.Institution}
	}
	for _, l := range libs {
		if err := access.Decide(p, access.Edit, access.LibraryResource(l), s.now()); err != nil {
			return nil, err
		}
	}
	switch {
	case b.MergedInto != "":
		return nil, fmt.Errorf("access point %s was itself merged into %s: merge into that one: %w", into, b.MergedInto, fault.Invalid)
	case a.MergedInto != "" && a.MergedInto != into:
		return nil, fmt.Errorf("access point %s was already merged into %s: %w", from, a.MergedInto, fault.Conflict)
	case a.Kind != b.Kind:
		return nil, fmt.Errorf("access point %s is a %s and %s a %s: only points of one kind are merged: %w", from, a.Kind, into, b.Kind, fault.Invalid)
	}
	units, items, err := s.Store.PointLinks(from)
	if err != nil {
		return nil, err
	}
	res := &MergeResult{Into: b}
	agent := p.Email + " (desk, access point merge)"
	for _, id := range units {
		c, err := s.Store.Collection(id)
		if err != nil {
			return nil, err
		}
		if c.Description != nil && repoint(c.Description.Points, from, into) {
			if err := s.Store.SaveCollection(ctx, c, agent); err != nil {
				return nil, err
			}
			res.Units++
		}
	}
	for _, id := range items {
		it, err := s.Store.Item(id)
		if err != nil {
			return nil, err
		}
		if repoint(it.Points, from, into) {
			if err := s.Store.SaveItem(ctx, it, agent); err != nil {
				return nil, err
			}
			res.Items++
		}
	}
	if a.MergedInto == "" {
		a.MergedInto = into
		ev := repository.Event{Type: "merge", Outcome: "success", Detail: fmt.Sprintf("access point merged into %s: %d units, %d items", into, res.Units, res.Items)}
		if err := s.Store.SavePoint(ctx, a, p.Email, ev); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// repoint makes the links to from name into; false when none did.
func repoint(refs []repository.PointRef, from, into string) bool {
	changed := false
	for i := range refs {
		if refs[i].Point == from {
			refs[i].Point, changed = into, true
		}
	}
	return changed
}

// ForEdit returns a point for p's desk form: p must be able to edit it.
func (s *Points) ForEdit(ctx context.Context, p access.Principal, id string) (*repository.Point, error) {
	pt, err := s.Store.Point(id)
	if err != nil {
		return nil, err
	}
	if err := s.mayEdit(p, pt); err != nil {
		return nil, err
	}
	return pt, ctx.Err()
}

// Groups of the links an item's own description makes (its subjects and
// creator), made again from them at each save at the desk.
const (
	itemSubjects = "item-subjects"
	itemCreator  = "item-creator"
)

// linkItemPoints makes an item's subjects and creator links to access
// points (found by their heading, or made, in the library's own source
// "local"), in place of the links its last save made of them; links from
// elsewhere (a finding aid) are kept. A store that keeps no points is left
// alone.
func linkItemPoints(ctx context.Context, store any, it *repository.Item, agent string) error {
	s, ok := store.(pointStore)
	if !ok {
		return nil
	}
	var refs []repository.PointRef
	for _, r := range it.Points {
		if r.Group != itemSubjects && r.Group != itemCreator {
			refs = append(refs, r)
		}
	}
	var fresh []*repository.Point
	link := func(kind repository.PointKind, element, role, group string, heading repository.Text) error {
		if heading.Empty() {
			return nil
		}
		p := &repository.Point{Kind: kind, Heading: heading, Source: "local"}
		r := repository.PointRef{Role: role, Element: element, Heading: heading, Group: group, Attrs: map[string]string{"source": "local"}}
		old, err := s.SamePoint(p)
		switch {
		case err == nil:
			r.Point = old.ID
		case !errors.Is(err, fault.NotFound):
			return err
		default:
			for i, f := range fresh {
				if slices.ContainsFunc(f.Keys(), func(k string) bool { return slices.Contains(p.Keys(), k) }) {
					r.Point = "#" + strconv.Itoa(i) // one of this save's, named below
					break
				}
			}
			if r.Point == "" {
				r.Point = "#" + strconv.Itoa(len(fresh))
				fresh = append(fresh, p)
			}
		}
		refs = append(refs, r)
		return nil
	}
	for _, h := range it.Subjects {
		if err := link(repository.SubjectPoint, "subject", "subject", itemSubjects, h); err != nil {
			return err
		}
	}
	if err := link(repository.AgentPoint, "name", "origination", itemCreator, it.Creator); err != nil {
		return err
	}
	if len(fresh) > 0 {
		if err := s.AddPoints(ctx, fresh, agent); err != nil {
			return err
		}
	}
	for i := range refs {
		if n, ok := strings.CutPrefix(refs[i].Point, "#"); ok {
			k, _ := strconv.Atoi(n)
			refs[i].Point = fresh[k].ID
		}
	}
	it.Points = refs
	return nil
}

// pointStore is what linking an item's description to points needs.
type pointStore interface {
	SamePoint(p *repository.Point) (*repository.Point, error)
	AddPoints(ctx context.Context, pts []*repository.Point, agent string) error
}

// List returns the access points a library's units and items name, for its
// staff: by kind, then by heading, so that two that are the same stand
// together to be merged.
func (s *Points) List(ctx context.Context, p access.Principal, library string) ([]*repository.Point, error) {
	if err := access.Decide(p, access.Edit, access.LibraryResource(library), s.now()); err != nil {
		return nil, err
	}
	pts, err := s.Store.LibraryPoints(library)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(pts, func(a, b *repository.Point) int {
		if d := slices.Index(repository.PointKinds, a.Kind) - slices.Index(repository.PointKinds, b.Kind); d != 0 {
			return d
		}
		return strings.Compare(repository.NormalizeHeading(a.Heading.Get("th")), repository.NormalizeHeading(b.Heading.Get("th")))
	})
	return pts, ctx.Err()
}
