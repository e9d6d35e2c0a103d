package repository

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/thaiarchives/archive/fault"
)

// Request is a signed-in person's request to read an item they may not,
// and, once approved, their grant: for a while, to the item or to
// everything within its collection or unit. It holds only what deciding
// and answering it needs.
type Request struct {
	ID          string `json:"id"`
	Item        string `json:"item"`
	Institution string `json:"institution"` // the holding library, which decides
	Requester   string `json:"requester"`   // user id
	Purpose     string `json:"purpose"`
	Status      string `json:"status"` // asked, approved, refused, ended
	// Scope is what an approval opens: the item (ScopeItem) or everything
	// within the collection or unit ScopeID (ScopeCollection).
	Scope   string `json:"scope,omitempty"`
	ScopeID string `json:"scopeId,omitempty"`
	// Role is what an approval lets the person do beyond reading:
	// RoleTranscriber, when the library invited them to transcribe.
	Role string `json:"role,omitempty"`
	// Until is when an approval's access ends.
	Until     time.Time `json:"until,omitzero"`
	DecidedBy string    `json:"decidedBy,omitempty"` // user id
	DecidedAt time.Time `json:"decidedAt,omitzero"`
	Reason    string    `json:"reason,omitempty"` // a refusal's
	// Told: the requester was sent the decision by e-mail.
	Told     bool      `json:"told,omitempty"`
	Version  int       `json:"version"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

// A request's statuses.
const (
	Asked    = "asked"
	Approved = "approved"
	Refused  = "refused"
	Ended    = "ended"
)

// RoleTranscriber is the role of a person a library invited to transcribe
// the pages of what their grant opens.
const RoleTranscriber = "transcriber"

// What an approval opens.
const (
	ScopeItem       = "item"
	ScopeCollection = "collection"
)

// Bounds of what a request holds (characters).
const (
	MaxPurpose = 2000
	MaxReason  = 2000
)

// Grant is what an approved request opens: everything of Scope ScopeID
// (the item, or within the collection or unit) given by Institution until
// Until. The store keeps it beside the person's requests, so that reading
// a person's grants, as every request of theirs does, decodes no record.
type Grant struct {
	Scope, ScopeID, Institution string
	Until                       time.Time
	Transcribe                  bool // the role is RoleTranscriber
}

// Active reports whether r grants access at now: approved, and before its end.
func (r *Request) Active(now time.Time) bool {
	return r.Status == Approved && now.Before(r.Until)
}

// Validate checks a request's own fields.
func (r *Request) Validate() error {
	var problems []string
	if !ValidID(r.Item) || r.Institution == "" || r.Requester == "" {
		problems = append(problems, "a request needs an item, its library and who asks")
	}
	if strings.TrimSpace(r.Purpose) == "" {
		problems = append(problems, "say what the access is for")
	}
	if utf8.RuneCountInString(r.Purpose) > MaxPurpose {
		problems = append(problems, fmt.Sprintf("the purpose is longer than %d characters", MaxPurpose))
	}
	if utf8.RuneCountInString(r.Reason) > MaxReason {
		problems = append(problems, fmt.Sprintf("the reason is longer than %d characters", MaxReason))
	}
	switch r.Status {
	case Asked, Refused, Ended:
	case Approved:
		if r.Until.IsZero() || r.Scope != ScopeItem && r.Scope != ScopeCollection || r.ScopeID == "" {
			problems = append(problems, "an approval needs an end and a scope")
		}
	default:
		problems = append(problems, fmt.Sprintf("no status %q", r.Status))
	}
	if len(problems) > 0 {
		return fmt.Errorf("request %s: %s: %w", r.ID, strings.Join(problems, "; "), fault.Invalid)
	}
	return nil
}

// GrantView is the type of the event that records a view through a grant.
const GrantView = "view through a grant"
