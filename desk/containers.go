package desk

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// ContainerStore is what the desk's boxes need of the store.
type ContainerStore interface {
	Container(id string) (*repository.Container, error)
	ContainersOf(institution string) ([]repository.BoxCount, error)
	UnitsIn(container string) ([]*repository.Collection, error)
	SaveContainer(ctx context.Context, c *repository.Container, agent string, events ...repository.Event) error
}

// Containers is the desk's work on a library's boxes (top containers):
// listing them with where they are shelved, opening one to see the units in
// it, moving one to another shelf. Shelf locations are staff information:
// each is decided as editing the library's records is.
type Containers struct {
	Store ContainerStore
	// Now is the time decisions are made at (nil: the clock).
	Now func() time.Time
}

// BoxUnit is a unit in a box, with the sub-containers (folders) it is in.
type BoxUnit struct {
	*repository.Collection
	Subs []repository.ContainerRef
}

// Box is a container and the units in it, in the order of their folders.
type Box struct {
	*repository.Container
	Units []BoxUnit
}

func (s *Containers) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Containers) decide(p access.Principal, institution string) error {
	return access.Decide(p, access.Edit, access.LibraryResource(institution), s.now())
}

// List lists a library's boxes with how many units each holds, in the
// order of their type and number (Box 2 before Box 10).
func (s *Containers) List(ctx context.Context, p access.Principal, institution string) ([]repository.BoxCount, error) {
	if err := s.decide(p, institution); err != nil {
		return nil, err
	}
	boxes, err := s.Store.ContainersOf(institution)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(boxes, func(a, b repository.BoxCount) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Type), strings.ToLower(b.Type)), natural(a.Indicator, b.Indicator), strings.Compare(a.ID, b.ID))
	})
	return boxes, nil
}

// Open is a box and the units in it, ordered by their folders' numbers.
func (s *Containers) Open(ctx context.Context, p access.Principal, id string) (*Box, error) {
	c, err := s.box(p, id)
	if err != nil {
		return nil, err
	}
	units, err := s.Store.UnitsIn(id)
	if err != nil {
		return nil, err
	}
	b := &Box{Container: c}
	for _, u := range units {
		bu := BoxUnit{Collection: u}
		for _, r := range u.Description.Containers {
			if r.Top == id && r.Sub() {
				bu.Subs = append(bu.Subs, r)
			}
		}
		b.Units = append(b.Units, bu)
	}
	slices.SortStableFunc(b.Units, func(x, y BoxUnit) int {
		return cmp.Or(natural(firstSub(x), firstSub(y)), cmp.Compare(x.Order, y.Order), strings.Compare(x.Title.Get("th"), y.Title.Get("th")))
	})
	return b, nil
}

// Move shelves a box at another location: one save of the box at the
// version the person saw, with an event naming both places.
func (s *Containers) Move(ctx context.Context, p access.Principal, id string, version int, location string) (*repository.Container, error) {
	c, err := s.box(p, id)
	if err != nil {
		return nil, err
	}
	location = strings.TrimSpace(location)
	if location == "" {
		return nil, fmt.Errorf("the new location of %s is empty: %w", c.Name(), fault.Invalid)
	}
	from := cmp.Or(c.Location, "(none)")
	next := *c
	next.Version, next.Location = version, location
	ev := repository.Event{Type: "modification", Outcome: "success", Detail: fmt.Sprintf("%s moved from %s to %s", c.Name(), from, location)}
	if err := s.Store.SaveContainer(ctx, &next, p.Email, ev); err != nil {
		return nil, err
	}
	return &next, nil
}

// box reads a container for p: one of another library is refused by the
// access decision, one that does not exist is not found.
func (s *Containers) box(p access.Principal, id string) (*repository.Container, error) {
	c, err := s.Store.Container(id)
	if err != nil {
		return nil, err
	}
	if err := s.decide(p, c.Institution); err != nil {
		return nil, err
	}
	return c, nil
}

func firstSub(u BoxUnit) string {
	if len(u.Subs) == 0 {
		return ""
	}
	return u.Subs[0].Indicator
}

// natural compares indicators as people number boxes: by their leading
// number, then as text ("2" < "10" < "10A"); none come last.
func natural(a, b string) int {
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	na, ra := leadingNumber(a)
	nb, rb := leadingNumber(b)
	return cmp.Or(cmp.Compare(na, nb), strings.Compare(ra, rb))
}

func leadingNumber(s string) (int, string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil {
		return 1 << 30, s
	}
	return n, s[i:]
}
