package repository

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/thaiarchives/archive/fault"
)

// Annotation is a W3C Web Annotation on a canvas (a page, numbered from 1)
// of an item, as its creator posted it (Doc) with what the archive keeps
// beside it: who made it, who may see it, and its versions. A deleted
// annotation stays as a tombstone, so that its address answers "gone".
type Annotation struct {
	ID          string `json:"id"` // a UUID
	Item        string `json:"item"`
	Canvas      int    `json:"canvas"`
	Institution string `json:"institution"` // the item's holding library
	Creator     string `json:"creator"`     // user id
	// Audience is who may read it: AudiencePublic, AudiencePrivate, or
	// AudienceGroup(id), the group's owner and members and its author.
	Audience string `json:"audience"`
	// Doc is the annotation's JSON-LD without the fields the archive sets
	// (id, created, modified, creator).
	Doc json.RawMessage `json:"doc"`
	// Review is a transcription's standing (ReviewPending, ReviewApproved,
	// ReviewRejected); "" for every other annotation. An approved
	// transcription's text is its page's text.
	Review     string    `json:"review,omitempty"`
	ReviewedBy string    `json:"reviewedBy,omitempty"` // user id
	ReviewedAt time.Time `json:"reviewedAt,omitzero"`
	Deleted    bool      `json:"deleted,omitempty"`
	Version    int       `json:"version"`
	Created    time.Time `json:"created"`
	Modified   time.Time `json:"modified"`
}

// Who may read an annotation.
const (
	AudiencePublic  = "public"
	AudiencePrivate = "private"
)

// A transcription's standing.
const (
	ReviewPending  = "pending"
	ReviewApproved = "approved"
	ReviewRejected = "rejected"
)

// AnnotationEntry is what the store's index keeps of an annotation, enough
// to decide who sees it without reading the record.
type AnnotationEntry struct {
	ID, Creator, Audience string
	Canvas                int
	Review                string
}

// ValidUUID reports whether s is a UUID in its lower-case text form.
func ValidUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case !('0' <= r && r <= '9' || 'a' <= r && r <= 'f'):
			return false
		}
	}
	return true
}

// Validate checks an annotation's own fields.
func (a *Annotation) Validate() error {
	var problems []string
	if !ValidUUID(a.ID) || !ValidID(a.Item) || a.Canvas < 1 || a.Institution == "" || a.Creator == "" {
		problems = append(problems, "an annotation needs an id, an item, a canvas, its library and its creator")
	}
	if _, group := GroupOf(a.Audience); a.Audience != AudiencePublic && a.Audience != AudiencePrivate && !group {
		problems = append(problems, fmt.Sprintf("no audience %q", a.Audience))
	}
	switch a.Review {
	case "", ReviewPending, ReviewApproved, ReviewRejected:
	default:
		problems = append(problems, fmt.Sprintf("no review %q", a.Review))
	}
	if !a.Deleted && !json.Valid(a.Doc) {
		problems = append(problems, "the annotation is not JSON")
	}
	if len(problems) > 0 {
		return fmt.Errorf("annotation %s: %s: %w", a.ID, strings.Join(problems, "; "), fault.Invalid)
	}
	return nil
}
