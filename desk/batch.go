package desk

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// BatchMost is how many items one batch edit changes at most.
const BatchMost = 500

// BatchChange is the one field a batch edit sets (access, collection,
// rights or subject) and its value; Subject is added to the subjects.
type BatchChange struct {
	Field                      string
	Access, Collection, Rights string
	Subject                    repository.Text
}

// BatchItem is an item to change and the version the list showed.
type BatchItem struct {
	ID      string
	Version int
}

// Outcome is what a batch edit did to one item: Status is ingest.Described
// or ingest.Unchanged when it was done, else Err says why not (a conflict,
// an item withdrawn or unknown, a version missing, an outage).
type Outcome struct {
	Item    string
	Title   repository.Text
	Status  string
	Changes []ingest.Change
	Err     error
}

// change sets one field of an item and says what it was and is now; old
// equals new when the item already said so.
type change func(it *repository.Item) (field, old, new string)

// Batch sets one field of each item of library inst, each saved as a new
// version at the version the list was read at: an item changed meanwhile
// is reported, not overwritten. The change itself, or a batch of no items
// or more than BatchMost, is refused as a whole before any item changes.
func (s *Items) Batch(ctx context.Context, p access.Principal, inst string, c BatchChange, items []BatchItem) ([]Outcome, error) {
	if err := access.Decide(p, access.Edit, access.LibraryResource(inst), s.now()); err != nil {
		return nil, err
	}
	set, err := s.change(inst, c)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 || len(items) > BatchMost {
		return nil, refuse(fault.Invalid, "batch_none", fmt.Sprintf("tick between 1 and %d items", BatchMost))
	}
	out := make([]Outcome, 0, len(items))
	for _, bi := range items {
		out = append(out, s.batchOne(ctx, p, bi, set))
	}
	return out, nil
}

// change checks c and makes the change it sets.
func (s *Items) change(inst string, c BatchChange) (change, error) {
	badValue := refuse(fault.Invalid, "batch_bad_value", fmt.Sprintf("no such value for %s", c.Field))
	switch c.Field {
	case "access":
		if !slices.Contains(repository.Levels, c.Access) {
			return nil, badValue
		}
		return func(it *repository.Item) (string, string, string) {
			old := it.Access.Level
			it.Access.Level = c.Access
			return "access", old, c.Access
		}, nil
	case "collection":
		if c.Collection != "" {
			col, err := s.Store.Collection(c.Collection)
			if errors.Is(err, fault.NotFound) || err == nil && col.Institution != inst {
				return nil, badValue
			}
			if err != nil {
				return nil, err
			}
		}
		return func(it *repository.Item) (string, string, string) {
			old := it.Collection
			it.Collection = c.Collection
			return "collection", old, c.Collection
		}, nil
	case "rights":
		rights := strings.TrimSpace(c.Rights)
		if !repository.ValidRights(rights) {
			return nil, refuse(fault.Invalid, "batch_bad_rights", fmt.Sprintf("%q is not a rights statement", rights))
		}
		return func(it *repository.Item) (string, string, string) {
			old := it.Rights
			it.Rights = rights
			return "rights", old, rights
		}, nil
	case "subject":
		if c.Subject.Empty() {
			return nil, badValue
		}
		return func(it *repository.Item) (string, string, string) {
			old := ingest.TextList(it.Subjects)
			if !slices.ContainsFunc(it.Subjects, func(x repository.Text) bool { return maps.Equal(x, c.Subject) }) {
				it.Subjects = append(slices.Clip(it.Subjects), c.Subject)
			}
			return "subject", old, ingest.TextList(it.Subjects)
		}, nil
	}
	return nil, refuse(fault.Invalid, "batch_bad_field", fmt.Sprintf("a batch edit cannot set %q", c.Field))
}

// batchOne applies a batch edit to one item.
func (s *Items) batchOne(ctx context.Context, p access.Principal, bi BatchItem, set change) Outcome {
	o := Outcome{Item: bi.ID}
	if bi.Version < 1 {
		o.Err = refuse(fault.Invalid, "batch_no_version", "the list gave no version of item "+bi.ID)
		return o
	}
	it, _, err := s.Load(ctx, p, bi.ID, access.Edit)
	if err != nil {
		o.Err = err
		return o
	}
	o.Title = it.Title
	if it.Deleted {
		o.Err = &ingest.Error{Message: ingest.Message{Kind: "item_withdrawn", Args: []string{bi.ID}}, Err: fault.Gone}
		return o
	}
	field, old, new := set(it)
	if old == new {
		o.Status = ingest.Unchanged
		return o
	}
	o.Changes = []ingest.Change{{Field: field, Old: old, New: new}}
	it.Version = bi.Version
	if err := s.Store.SaveItem(ctx, it, p.Email+" (desk)", repository.Event{Type: "modification", Outcome: "success",
		Detail: fmt.Sprintf("batch edit at the desk: %s set to %q", field, new)}); err != nil {
		o.Err = err
		return o
	}
	o.Status = ingest.Described
	return o
}
