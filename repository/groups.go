package repository

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/thaiarchives/archive/fault"
)

// Group is a set of signed-in people that one of them (its owner) made
// and names: a class or a research team, to whom its members address
// annotations. Members are user ids of any library; the owner is not
// among them. A deleted group stays as a tombstone, so that a rebuild
// does not bring it back.
type Group struct {
	ID       string    `json:"id"`
	Name     Text      `json:"name"`  // in Thai and/or English
	Owner    string    `json:"owner"` // user id
	Members  []string  `json:"members,omitempty"`
	Deleted  bool      `json:"deleted,omitempty"`
	Version  int       `json:"version"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

// Bounds of a group.
const (
	MaxGroupName    = 200 // characters, each language
	MaxGroupMembers = 500
)

// AudienceGroupPrefix begins the audience of an annotation addressed to a
// group: "group:" and the group's id.
const AudienceGroupPrefix = "group:"

// AudienceGroup is the audience of an annotation addressed to group id.
func AudienceGroup(id string) string { return AudienceGroupPrefix + id }

// GroupOf is the group an audience addresses, and whether it addresses one.
func GroupOf(audience string) (string, bool) {
	id, ok := strings.CutPrefix(audience, AudienceGroupPrefix)
	return id, ok && ValidID(id)
}

// In reports whether user is g's owner or one of its members.
func (g *Group) In(user string) bool {
	return user != "" && !g.Deleted && (g.Owner == user || slices.Contains(g.Members, user))
}

// Validate checks a group's own fields.
func (g *Group) Validate() error {
	var problems []string
	if !ValidID(g.ID) || g.Owner == "" {
		problems = append(problems, "a group needs an id and its owner")
	}
	named := false
	for lang, v := range g.Name {
		named = named || strings.TrimSpace(v) != ""
		if lang != "th" && lang != "en" {
			problems = append(problems, fmt.Sprintf("a group's name is in Thai (th) or English (en), not %q", lang))
		}
		if utf8.RuneCountInString(v) > MaxGroupName {
			problems = append(problems, fmt.Sprintf("the name is longer than %d characters", MaxGroupName))
		}
	}
	if !named {
		problems = append(problems, "a group needs a name (in Thai or English)")
	}
	if len(g.Members) > MaxGroupMembers {
		problems = append(problems, fmt.Sprintf("a group has at most %d members", MaxGroupMembers))
	}
	seen := map[string]bool{g.Owner: true}
	for _, m := range g.Members {
		if m == "" || seen[m] {
			problems = append(problems, "each member is in a group once, its owner not among them")
			break
		}
		seen[m] = true
	}
	if len(problems) > 0 {
		return fmt.Errorf("group %s: %s: %w", g.ID, strings.Join(problems, "; "), fault.Invalid)
	}
	return nil
}
