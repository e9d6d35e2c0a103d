package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// Bounds of the work list: rows on a page, items read at most to fill one
// (a narrow filter over a large library).
const (
	ListPage = 50
	ListScan = 5000
)

// Filter narrows a library's items.
type Filter struct {
	Collection, Type, Level, Problem string
	Days                             int // changed within this many days (0: any time)
}

// Problems are what an item's description may lack, for the filter.
var Problems = []string{"any", "notitle", "nodate", "norights"}

// ParseFilter reads a filter's fields by name (collection, type, level,
// problem, days) from get.
func ParseFilter(get func(string) string) (Filter, error) {
	f := Filter{Collection: get("collection"), Type: get("type"), Level: get("level"), Problem: get("problem")}
	if f.Level != "" && !slices.Contains(repository.Levels, f.Level) {
		return f, fmt.Errorf("no access level %q: %w", f.Level, fault.Invalid)
	}
	if f.Problem != "" && !slices.Contains(Problems, f.Problem) {
		return f, fmt.Errorf("no problem filter %q: %w", f.Problem, fault.Invalid)
	}
	if d := get("days"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 {
			return f, fmt.Errorf("days %q is not a number of days: %w", d, fault.Invalid)
		}
		f.Days = n
	}
	return f, nil
}

func (f Filter) match(r Row, now time.Time) bool {
	switch {
	case f.Collection != "" && r.Collection != f.Collection,
		f.Type != "" && r.Type != f.Type,
		f.Level != "" && r.Level != f.Level,
		f.Days > 0 && r.Modified.Before(now.AddDate(0, 0, -f.Days)):
		return false
	}
	switch f.Problem {
	case "any":
		return r.NoTitle || r.NoDate || r.NoRights
	case "notitle":
		return r.NoTitle
	case "nodate":
		return r.NoDate
	case "norights":
		return r.NoRights
	}
	return true
}

// Row is an item in the work list, with what its description lacks.
type Row struct {
	ID, Date, Level, Collection, Type string
	Title                             repository.Text
	Version                           int
	Modified                          time.Time
	NoTitle, NoDate, NoRights         bool
}

func rowOf(it *repository.Item) Row {
	return Row{ID: it.ID, Date: it.Date, Level: it.Access.Level, Collection: it.Collection, Type: it.Type, Title: it.Title,
		Version: it.Version, Modified: it.Modified, NoTitle: it.Title["th"] == "" && it.Title["en"] == "", NoDate: it.Date == "", NoRights: it.Rights == ""}
}

// List is a page of a library's items.
type List struct {
	Institution string
	Filter      Filter
	After       string // where this page starts
	Rows        []Row
	// Next is where the next page starts; "" when there is none.
	Next string
}

// List reads a page of the items of library inst that match f, in
// identifier order after the cursor: at most ListPage rows, from at most
// ListScan items read. p must edit the library.
func (s *Items) List(ctx context.Context, p access.Principal, inst string, f Filter, after string) (*List, error) {
	now := s.now()
	if err := access.Decide(p, access.Edit, access.LibraryResource(inst), now); err != nil {
		return nil, err
	}
	l := &List{Institution: inst, Filter: f, After: after}
	cursor, scanned := after, 0
	for len(l.Rows) < ListPage && scanned < ListScan {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pg, err := s.Store.ItemsOfInstitution(inst, cursor, 200)
		if err != nil {
			return nil, err
		}
		if len(pg.IDs) == 0 {
			return l, nil
		}
		for _, id := range pg.IDs {
			if len(l.Rows) == ListPage || scanned == ListScan {
				break
			}
			scanned++
			cursor = id
			it, err := s.Store.Item(id)
			if errors.Is(err, fault.NotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if r := rowOf(it); f.match(r, now) {
				l.Rows = append(l.Rows, r)
			}
		}
	}
	more, err := s.Store.ItemsOfInstitution(inst, cursor, 1)
	if err != nil {
		return nil, err
	}
	if len(more.IDs) > 0 {
		l.Next = cursor
	}
	return l, nil
}
