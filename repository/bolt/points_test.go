package bolt

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// TestAccessPointsAreFoundByHeadingOrIdentifierLinkedAndRebuilt: a point is
// found again by its identifier or by its heading written another way
// (other case, spacing and a final full stop), a second point with the same
// heading is refused, the units naming it are listed, and all of it comes
// back when the database is filled again from storage.
func TestAccessPointsAreFoundByHeadingOrIdentifierLinkedAndRebuilt(t *testing.T) {
	blobs := newBlobs(t)
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), blobs)
	p := &repository.Point{Kind: repository.PersonPoint, Heading: repository.Text{"th": "พระบาทสมเด็จพระจุลจอมเกล้าเจ้าอยู่หัว", "en": "Chulalongkorn, King of Siam, 1853-1910"},
		Source: "lcnaf", Identifier: "n79021164"}
	if err := s.SavePoint(ctx, p, "tester"); err != nil {
		t.Fatal(err)
	}
	for _, probe := range []repository.Point{
		{Kind: repository.PersonPoint, Heading: repository.Text{"en": "  chulalongkorn,  KING of Siam, 1853-1910."}, Source: "LCNAF"},
		{Kind: repository.PersonPoint, Heading: repository.Text{"en": "anything"}, Source: "lcnaf", Identifier: "n79021164"},
		{Kind: repository.PersonPoint, Heading: repository.Text{"th": "พระบาทสมเด็จพระจุลจอมเกล้าเจ้าอยู่หัว"}, Source: "lcnaf"},
	} {
		got, err := s.SamePoint(&probe)
		if err != nil || got.ID != p.ID {
			t.Errorf("SamePoint(%v) = %v, %v; want %s", probe.Heading, got, err, p.ID)
		}
	}
	if _, err := s.SamePoint(&repository.Point{Kind: repository.SubjectPoint, Heading: repository.Text{"en": "Chulalongkorn, King of Siam, 1853-1910"}, Source: "lcnaf"}); !errors.Is(err, fault.NotFound) {
		t.Errorf("a subject with a person's heading: %v, want not found", err)
	}
	twin := &repository.Point{Kind: repository.PersonPoint, Heading: repository.Text{"en": "CHULALONGKORN, King of Siam, 1853-1910"}, Source: "lcnaf"}
	if err := s.SavePoint(ctx, twin, "tester"); !errors.Is(err, fault.Conflict) {
		t.Errorf("a second point with the same heading: %v, want a conflict", err)
	}
	fresh := &repository.Point{Kind: repository.PlacePoint, Heading: repository.Text{"en": "Nan"}}
	if err := s.AddPoints(ctx, []*repository.Point{fresh, twin}, "tester"); !errors.Is(err, fault.Conflict) || fresh.ID != "" || fresh.Version != 0 {
		t.Errorf("adding a new point with a twin of a stored one: %v, %+v; want a conflict and nothing made", err, fresh)
	}
	if _, err := s.SamePoint(fresh); !errors.Is(err, fault.NotFound) {
		t.Errorf("a point of a refused batch is found: %v", err)
	}
	if err := s.SavePoint(ctx, &repository.Point{Kind: "deity", Heading: repository.Text{"en": "x"}}, "tester"); !errors.Is(err, fault.Invalid) {
		t.Errorf("an unknown kind: %v, want invalid", err)
	}
	fonds := &repository.Collection{Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Royal letters"},
		Description: &repository.Description{Points: []repository.PointRef{{Point: p.ID, Role: "subject", Element: "persname"}}}}
	if err := s.SaveCollection(ctx, fonds, "tester"); err != nil {
		t.Fatal(err)
	}
	it := &repository.Item{Institution: "cmu", Collection: fonds.ID, Title: repository.Text{"en": "Letter"}, Points: []repository.PointRef{{Point: p.ID, Role: "origination"}}}
	if err := s.SaveItem(ctx, it, "tester"); err != nil {
		t.Fatal(err)
	}
	check := func(s *Store, when string) {
		t.Helper()
		units, items, err := s.PointLinks(p.ID)
		if err != nil || !slices.Equal(units, []string{fonds.ID}) || !slices.Equal(items, []string{it.ID}) {
			t.Errorf("%s: links %v %v %v, want [%s] [%s]", when, units, items, err, fonds.ID, it.ID)
		}
		got, err := s.Point(p.ID)
		if err != nil || got.Heading["th"] != p.Heading["th"] || got.Identifier != "n79021164" || got.Version != 1 {
			t.Errorf("%s: point %+v %v", when, got, err)
		}
		if same, err := s.SamePoint(&repository.Point{Kind: repository.PersonPoint, Heading: repository.Text{"en": "x"}, Source: "lcnaf", Identifier: "N79021164"}); err != nil || same.ID != p.ID {
			t.Errorf("%s: by identifier: %v %v", when, same, err)
		}
	}
	check(s, "saved")
	if got, err := s.LibraryPoints("cmu"); err != nil || len(got) != 1 || got[0].ID != p.ID {
		t.Errorf("cmu's points: %v %v, want %s once", got, err, p.ID)
	}
	if got, err := s.LibraryPoints("tu"); err != nil || len(got) != 0 {
		t.Errorf("tu's points: %v %v, want none", got, err)
	}
	fonds.Description = nil
	if err := s.SaveCollection(ctx, fonds, "tester"); err != nil {
		t.Fatal(err)
	}
	if units, _, _ := s.PointLinks(p.ID); len(units) != 0 {
		t.Errorf("a unit that no longer names the point is still linked: %v", units)
	}
	fonds.Description = &repository.Description{Points: []repository.PointRef{{Point: p.ID, Role: "subject"}}}
	if err := s.SaveCollection(ctx, fonds, "tester"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	check(openStore(t, filepath.Join(t.TempDir(), "b.db"), blobs), "rebuilt")
}

// TestReplicaHoldsTheWritersAccessPointsAndTheirLinks: a point saved on the
// writer, a unit naming it and a merge reach a replica through storage, so
// a point's page answers the same there.
func TestReplicaHoldsTheWritersAccessPointsAndTheirLinks(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	w := openStore(t, filepath.Join(dir, "writer.db"), blobs)
	publish(t, w)
	r, err := OpenReplica(ctx, filepath.Join(dir, "replica.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	kept := &repository.Point{Kind: repository.PlacePoint, Heading: repository.Text{"th": "ลำปาง"}, Source: "local"}
	gone := &repository.Point{Kind: repository.PlacePoint, Heading: repository.Text{"en": "Lampang"}, Source: "local"}
	for _, p := range []*repository.Point{kept, gone} {
		if err := w.SavePoint(ctx, p, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	c := &repository.Collection{Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Maps"},
		Description: &repository.Description{Points: []repository.PointRef{{Point: kept.ID, Role: "subject", Element: "geogname"}}}}
	if err := w.SaveCollection(ctx, c, "tester"); err != nil {
		t.Fatal(err)
	}
	gone.MergedInto = kept.ID
	if err := w.SavePoint(ctx, gone, "tester"); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, w, r, "after the points")
	if p, err := r.Point(kept.ID); err != nil || p.Heading["th"] != "ลำปาง" {
		t.Errorf("the point on the replica: %+v %v", p, err)
	}
	if units, _, err := r.PointLinks(kept.ID); err != nil || !slices.Equal(units, []string{c.ID}) {
		t.Errorf("the point's units on the replica: %v %v", units, err)
	}
	if same, err := r.SamePoint(&repository.Point{Kind: repository.PlacePoint, Heading: repository.Text{"en": "lampang"}, Source: "local"}); err != nil || same.ID != kept.ID {
		t.Errorf("the merged heading on the replica finds %+v %v, want %s", same, err, kept.ID)
	}
}
