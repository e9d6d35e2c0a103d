package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// ItemStore is what Items needs of the metadata store.
type ItemStore interface {
	access.Lookup
	Item(id string) (*repository.Item, error)
	ItemVersion(ctx context.Context, id string, v int) (*repository.Item, error)
	SaveItem(ctx context.Context, it *repository.Item, agent string, events ...repository.Event) error
	Withdraw(ctx context.Context, id, by, reason string) error
	Purge(ctx context.Context, id, by string, blobs storage.Remover) (int, error)
	ItemsOfInstitution(institution, after string, limit int) (repository.Page, error)
	Institutions() ([]*repository.Institution, error)
}

// Items describes, restores, withdraws and purges items, lists a
// library's items for its archivists and changes many at once.
type Items struct {
	Store ItemStore
	// Blobs removes a purged item's files.
	Blobs storage.Remover
	// Now is the clock access is decided at (nil: time.Now).
	Now func() time.Time
}

func (s *Items) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Load reads an item and asks whether p may do a to it: an item p may not
// know of is not found, whatever a is.
func (s *Items) Load(ctx context.Context, p access.Principal, id string, a access.Action) (*repository.Item, access.Resource, error) {
	return access.LoadItem(ctx, s.Store, p, id, a, s.now())
}

// errNoVersion refuses a change that does not say which version it was
// read at (a form without one, a version below 0).
var errNoVersion = fmt.Errorf("the change does not say which version it was read at; reload the item: %w", fault.Invalid)

// Edit is a change to an item's description. A nil field is left as it
// is; the edit form sets them all, the JSON API those it was sent.
type Edit struct {
	// Version is the version the change was read at: a save over a later
	// one is a conflict; below 0, a change that does not say (refused as
	// invalid, once access has been decided).
	Version int
	// Title, Summary and Creator replace the item's texts.
	Title, Summary, Creator repository.Text
	// ThaiEnglish: the texts say only their Thai and English values (the
	// edit form shows no other): values in other languages are kept, but
	// for a filename title ("none"), which a Thai or English one replaces.
	ThaiEnglish bool
	// Date is read as archivists write it: a bare 2500 is the Buddhist Era.
	Date       *string
	Rights     *string
	Access     *repository.Access
	Collection *string
	Subjects   []repository.Text
	// Order is the position typed for each file (1 first; 0 or less: where
	// it is now); files keep their order among equal positions.
	Order []int
	// Via names the way the change came in the item's history (desk, API).
	Via string
}

// Save applies e to item id as a new version made by p. It returns the
// item as saved and, when the date was a bare year read in the Buddhist
// Era, a note that says so. A refused change returns the item as edited
// (its date as typed, or the stored item after a conflict) at the version
// now stored, for a form to show again, with the error.
func (s *Items) Save(ctx context.Context, p access.Principal, id string, e Edit) (*repository.Item, *ingest.Message, error) {
	it, _, err := s.Load(ctx, p, id, access.Edit)
	if err != nil {
		return nil, nil, err
	}
	if e.Version < 0 {
		return nil, nil, errNoVersion
	}
	it.Version = e.Version
	for _, f := range []struct {
		dst *repository.Text
		src repository.Text
	}{{&it.Title, e.Title}, {&it.Summary, e.Summary}, {&it.Creator, e.Creator}} {
		if f.src == nil {
			continue
		}
		if e.ThaiEnglish {
			f.src = keepOtherLanguages(*f.dst, f.src)
		}
		*f.dst = f.src
	}
	if e.Rights != nil {
		it.Rights = strings.TrimSpace(*e.Rights)
	}
	if e.Access != nil {
		it.Access = *e.Access
	}
	if e.Collection != nil {
		it.Collection = *e.Collection
	}
	if e.Subjects != nil {
		it.Subjects = e.Subjects
	}
	if len(e.Order) > 0 && len(it.Files) > 1 {
		it.Files = reorder(it.Files, e.Order)
	}
	var note *ingest.Message
	if e.Date != nil {
		it.Date = ""
		if d := strings.TrimSpace(*e.Date); d != "" {
			date, warning, err := ingest.ReadDate(d)
			if err != nil {
				it.Date = d // shown as typed, to correct it
				return it, nil, fmt.Errorf("%w: %w", err, fault.Invalid)
			}
			it.Date, note = date, warning
		}
	}
	if err := linkItemPoints(ctx, s.Store, it, p.Email+" ("+e.Via+")"); err != nil {
		return nil, nil, err
	}
	if err := s.Store.SaveItem(ctx, it, p.Email+" ("+e.Via+")"); err != nil {
		return s.refused(it, err), nil, err
	}
	return it, note, nil
}

// refused is what a form shows again after the store refused it: the
// stored item after a conflict, else the item as edited at the version now
// stored; nil when the store cannot say.
func (s *Items) refused(it *repository.Item, err error) *repository.Item {
	fresh, ferr := s.Store.Item(it.ID)
	switch {
	case ferr != nil:
		return nil
	case errors.Is(err, fault.Conflict):
		return fresh
	}
	it.Version = fresh.Version
	return it
}

// keepOtherLanguages is new with old's values in languages other than Thai
// and English; "none" (the filename an upload was titled with) only while
// new says nothing.
func keepOtherLanguages(old, new repository.Text) repository.Text {
	out := repository.Text{}
	for k, v := range new {
		out[k] = v
	}
	for k, v := range old {
		if k != "th" && k != "en" && out[k] == "" && !(k == "none" && !new.Empty()) {
			out[k] = v
		}
	}
	return out
}

// reorder sorts files by the positions in pos (ties keep order).
func reorder(files []repository.File, pos []int) []repository.File {
	at := func(i int) int {
		if i < len(pos) && pos[i] > 0 {
			return pos[i]
		}
		return i + 1
	}
	idx := make([]int, len(files))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return at(a) - at(b) })
	out := make([]repository.File, len(files))
	for i, j := range idx {
		out[i] = files[j]
	}
	return out
}

// Restore brings back the description of version n of item id (its files
// stay as they are now), saved as a new version over version cur (below
// 0: not said, refused once access has been decided): nothing is lost.
func (s *Items) Restore(ctx context.Context, p access.Principal, id string, n, cur int) error {
	it, _, err := s.Load(ctx, p, id, access.Edit)
	if err != nil {
		return err
	}
	if cur < 0 {
		return errNoVersion
	}
	old, err := s.Store.ItemVersion(ctx, it.ID, n)
	if err != nil {
		return err
	}
	restored := *old
	restored.Files, restored.Version, restored.Created, restored.Deleted, restored.Withdrawal = it.Files, cur, it.Created, it.Deleted, it.Withdrawal
	restored.Institution = it.Institution // an earlier version cannot move the item to another library
	return s.Store.SaveItem(ctx, &restored, p.Email+" (desk)",
		repository.Event{Type: "modification", Outcome: "success", Detail: fmt.Sprintf("description of version %d restored", n)})
}

// Withdraw withdraws item id as archives do, for the reason given: a
// tombstone that says when and why; its files stay until a purge.
func (s *Items) Withdraw(ctx context.Context, p access.Principal, id, reason string) error {
	it, _, err := s.Load(ctx, p, id, access.Edit)
	if err != nil {
		return err
	}
	if it.Deleted {
		return fmt.Errorf("item %s was already withdrawn: %w", it.ID, fault.Gone)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return refuse(fault.Invalid, "withdraw_reason_needed", "say why the item is withdrawn")
	}
	return s.Store.Withdraw(ctx, it.ID, p.Email, reason)
}

// Purge removes a withdrawn item's files for good, when confirm repeats
// its identifier: system administrators only. It returns how many stored
// files went.
func (s *Items) Purge(ctx context.Context, p access.Principal, id, confirm string) (int, error) {
	if err := access.Decide(p, access.Administer, access.LibraryResource(""), s.now()); err != nil {
		return 0, err
	}
	if confirm != id {
		return 0, fmt.Errorf("purging removes the master files for good: confirm with confirm=ITEM: %w", fault.Invalid)
	}
	return s.Store.Purge(ctx, id, p.Email, s.Blobs)
}
