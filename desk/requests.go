package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// RequestStore is what Requests needs of the metadata store.
type RequestStore interface {
	access.Lookup
	Item(id string) (*repository.Item, error)
	User(id string) (*repository.User, error)
	UserByEmail(email string) (*repository.User, error)
	Request(id string) (*repository.Request, error)
	RequestsBy(user string) ([]*repository.Request, error)
	GrantsBy(user string) ([]repository.Grant, error)
	RequestsOf(institution string) ([]*repository.Request, error)
	SaveRequest(ctx context.Context, r *repository.Request, agent string, events ...repository.Event) error
	RecordGrantView(ctx context.Context, user, email, item string) error
}

// Requests are people's requests to read what they may not, and the
// holding library's decisions on them: a grant for a while, or a refusal
// with a reason. A grant is an input to access.Decide (Grants), never a
// decision of its own.
type Requests struct {
	Store RequestStore
	// Mail tells a requester of a decision (nil: they see it on their
	// requests page only).
	Mail *Mailer
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// DefaultGrant is how long an approval lasts when no end is given.
const DefaultGrant = 30 * 24 * time.Hour

// Zone is where an approval's end date is a day: access ends when that day
// does in Thailand.
var Zone = time.FixedZone("ICT", 7*3600)

// Decision is what the holding library's staff decide on a request.
type Decision struct {
	Approve bool
	// Until is the last day of access (YYYY-MM-DD; "": DefaultGrant from today).
	Until string
	// Scope is what an approval opens: "item" ("" too) or "collection",
	// the collection or unit the item is in.
	Scope string
	// Reason is a refusal's, required with one.
	Reason string
}

func (s *Requests) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Ask records p's request to read item id for purpose. An item p may not
// know of is not found; one p may already read whole, or has asked for and
// not yet heard about, is refused.
func (s *Requests) Ask(ctx context.Context, p access.Principal, id, purpose string) (*repository.Request, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	it, res, err := s.item(p, id)
	if err != nil {
		return nil, err
	}
	if !p.SignedIn() {
		return nil, fmt.Errorf("to ask for access, sign in: %w", fault.Unauthenticated)
	}
	if p.Scope == access.ScopeRead {
		return nil, fmt.Errorf("a read-only token may not ask for access: %w", fault.Forbidden)
	}
	if strings.TrimSpace(purpose) == "" {
		return nil, refuse(fault.Invalid, "request.purpose", "say what the access is for")
	}
	now := s.now()
	if access.Decide(p, access.ReadContent, res, now) == nil {
		return nil, refuse(fault.Invalid, "request.already", fmt.Sprintf("you may already see item %s whole", id))
	}
	mine, err := s.Store.RequestsBy(p.User)
	if err != nil {
		return nil, err
	}
	for _, r := range mine {
		if r.Item == id && r.Status == repository.Asked {
			return nil, refuse(fault.Conflict, "request.pending", fmt.Sprintf("you asked for item %s already and will hear of the decision", id))
		}
	}
	r := &repository.Request{Item: it.ID, Institution: it.Institution, Requester: p.User, Purpose: strings.TrimSpace(purpose), Status: repository.Asked}
	if err := s.Store.SaveRequest(ctx, r, p.Email, repository.Event{Type: "access request", Outcome: "success", Detail: "request " + r.ID}); err != nil {
		return nil, err
	}
	return r, nil
}

// item reads an item p may at least know of: one whose description
// access.Decide lets p read, or refuses as forbidden (a restricted record
// its library reveals); not found or withdrawn otherwise.
func (s *Requests) item(p access.Principal, id string) (*repository.Item, access.Resource, error) {
	if !repository.ValidID(id) {
		return nil, access.Resource{}, fmt.Errorf("no item %q: %w", id, fault.NotFound)
	}
	it, err := s.Store.Item(id)
	if err != nil {
		return nil, access.Resource{}, err
	}
	res, err := access.ItemResource(s.Store, it)
	if err != nil {
		return nil, res, err
	}
	if err := access.Decide(p, access.ReadMetadata, res, s.now()); err != nil && !errors.Is(err, fault.Forbidden) {
		return nil, res, err
	}
	return it, res, nil
}

// List returns p's own requests, or, for the staff of a library, the
// library's queue (staff): oldest first. An approval whose end has passed
// is shown as ended.
func (s *Requests) List(ctx context.Context, p access.Principal, staff bool) ([]*repository.Request, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !p.SignedIn() {
		return nil, fmt.Errorf("to see requests, sign in: %w", fault.Unauthenticated)
	}
	var (
		out []*repository.Request
		err error
	)
	if staff {
		if err := access.Decide(p, access.Edit, access.LibraryResource(p.Institution), s.now()); err != nil {
			return nil, err
		}
		out, err = s.Store.RequestsOf(p.Institution)
	} else {
		out, err = s.Store.RequestsBy(p.User)
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, r := range out {
		if r.Status == repository.Approved && !r.Active(now) {
			r.Status = repository.Ended
		}
	}
	return out, nil
}

// Staff reports whether p decides the requests of their own library.
func (s *Requests) Staff(p access.Principal) bool {
	return p.Institution != "" && access.Decide(p, access.Edit, access.LibraryResource(p.Institution), s.now()) == nil
}

// Decide records the holding library's decision on request id, as an
// event on the item, and tells the requester. Only the library's staff
// decide; a request is decided once.
func (s *Requests) Decide(ctx context.Context, p access.Principal, id string, d Decision) (*repository.Request, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := s.Store.Request(id)
	if errors.Is(err, fault.NotFound) {
		return nil, fmt.Errorf("no request %q: %w", id, fault.NotFound)
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := access.Decide(p, access.Edit, access.LibraryResource(r.Institution), now); err != nil {
		return nil, err
	}
	if r.Status != repository.Asked {
		return nil, refuse(fault.Conflict, "request.decided", fmt.Sprintf("request %s was decided already", id))
	}
	ev := repository.Event{Outcome: "success"}
	if d.Approve {
		if err := s.approve(r, d, now); err != nil {
			return nil, err
		}
		ev.Type = "access grant"
		ev.Detail = fmt.Sprintf("request %s: %s %s until %s", r.ID, r.Scope, r.ScopeID, r.Until.In(Zone).Add(-time.Nanosecond).Format(time.DateOnly))
	} else {
		if strings.TrimSpace(d.Reason) == "" {
			return nil, refuse(fault.Invalid, "request.reason", "say why the request is refused")
		}
		r.Status, r.Reason = repository.Refused, strings.TrimSpace(d.Reason)
		ev.Type = "access refusal"
		ev.Detail = "request " + r.ID
	}
	r.DecidedBy, r.DecidedAt = p.User, now
	if err := s.Store.SaveRequest(ctx, r, p.Email, ev); err != nil {
		return nil, err
	}
	if s.Mail != nil {
		if err := s.tell(ctx, r); err == nil {
			r.Told = true
			if err := s.Store.SaveRequest(ctx, r, p.Email); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

func (s *Requests) approve(r *repository.Request, d Decision, now time.Time) error {
	last := now.In(Zone).Add(DefaultGrant)
	if d.Until != "" {
		day, err := time.ParseInLocation(time.DateOnly, d.Until, Zone)
		if err != nil {
			return refuse(fault.Invalid, "request.until", fmt.Sprintf("%q is not a day (YYYY-MM-DD)", d.Until))
		}
		last = day
	}
	y, m, dd := last.Date()
	r.Until = time.Date(y, m, dd+1, 0, 0, 0, 0, Zone).UTC() // the end of the last day
	if !r.Until.After(now) {
		return refuse(fault.Invalid, "request.past", fmt.Sprintf("%s has passed", d.Until))
	}
	switch d.Scope {
	case "", repository.ScopeItem:
		r.Scope, r.ScopeID = repository.ScopeItem, r.Item
	case repository.ScopeCollection, "unit":
		it, err := s.Store.Item(r.Item)
		if err != nil {
			return err
		}
		if it.Collection == "" {
			return refuse(fault.Invalid, "request.nocollection", fmt.Sprintf("item %s is in no collection or unit", r.Item))
		}
		r.Scope, r.ScopeID = repository.ScopeCollection, it.Collection
	default:
		return refuse(fault.Invalid, "request.scope", fmt.Sprintf("no scope %q: item or collection", d.Scope))
	}
	r.Status = repository.Approved
	return nil
}

// Invite makes the person whose account has address email a transcriber
// of item id, or (d.Scope "collection") of everything within its
// collection or unit, until d.Until: an approved request of theirs with
// the role repository.RoleTranscriber, so that they read and transcribe
// it, their transcriptions waiting for the staff's review. Only the
// holding library's staff invite.
func (s *Requests) Invite(ctx context.Context, p access.Principal, id, email string, d Decision) (*repository.Request, error) {
	if !repository.ValidID(id) {
		return nil, fmt.Errorf("no item %q: %w", id, fault.NotFound)
	}
	it, err := s.Store.Item(id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := access.Decide(p, access.Edit, access.LibraryResource(it.Institution), now); err != nil {
		if _, _, err := s.item(p, id); err != nil && !errors.Is(err, fault.Gone) {
			return nil, err // an item p may not know of
		}
		return nil, fmt.Errorf("only the holding library's staff invite transcribers: %w", err)
	}
	if _, _, err := s.item(p, id); err != nil {
		return nil, err
	}
	u, err := s.Store.UserByEmail(strings.TrimSpace(email))
	if errors.Is(err, fault.NotFound) {
		return nil, refuse(fault.Invalid, "invite.nouser", fmt.Sprintf("no account has the address %q: ask them to sign in once with their university account, or make one", strings.TrimSpace(email)))
	}
	if err != nil {
		return nil, err
	}
	r := &repository.Request{Item: it.ID, Institution: it.Institution, Requester: u.ID, Purpose: "transcription", Role: repository.RoleTranscriber}
	if err := s.approve(r, d, now); err != nil {
		return nil, err
	}
	r.DecidedBy, r.DecidedAt = p.User, now
	ev := repository.Event{Type: "access grant", Outcome: "success",
		Detail: fmt.Sprintf("%s invited to transcribe %s %s until %s", u.Email, r.Scope, r.ScopeID, r.Until.In(Zone).Add(-time.Nanosecond).Format(time.DateOnly))}
	if err := s.Store.SaveRequest(ctx, r, p.Email, ev); err != nil {
		return nil, err
	}
	return r, nil
}

// Grants are the grants in force for user at now: what access.Principal
// carries into every decision.
func (s *Requests) Grants(user string) ([]access.Grant, error) {
	gs, err := s.Store.GrantsBy(user)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []access.Grant
	for _, g := range gs {
		if now.Before(g.Until) {
			out = append(out, access.Grant{Kind: g.Scope, ID: g.ScopeID, Institution: g.Institution, Until: g.Until, Transcribe: g.Transcribe})
		}
	}
	return out, nil
}

// Viewed records that p read item id through a grant, what p could not
// read without one: who, what and when, once a day per person and item,
// for the holding library's staff.
func (s *Requests) Viewed(ctx context.Context, p access.Principal, id string) error {
	if len(p.Grants) == 0 {
		return nil
	}
	it, err := s.Store.Item(id)
	if err != nil {
		return err
	}
	res, err := access.ItemResource(s.Store, it)
	if err != nil {
		return err
	}
	now := s.now()
	bare := p
	bare.Grants = nil
	if !access.Granted(p, res, now) || access.Decide(bare, access.ReadContent, res, now) == nil {
		return nil
	}
	return s.Store.RecordGrantView(ctx, p.User, p.Email, id)
}
