package annotation

import (
	"errors"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
)

func TestWhoSeesAnAnnotationByItsAudience(t *testing.T) {
	anonymous := access.Principal{}
	author := access.Principal{User: "u1"}
	member := access.Principal{User: "u2", Groups: []string{"class-1", "team-22"}}
	outsider := access.Principal{User: "u3", Groups: []string{"team-22"}}
	for _, c := range []struct {
		who      string
		p        access.Principal
		audience string
		want     bool
	}{
		{"anonymous", anonymous, "public", true},
		{"anonymous", anonymous, "private", false},
		{"anonymous", anonymous, "group:class-1", false},
		{"the author", author, "private", true},
		{"the author", author, "group:class-1", true},
		{"a member", member, "group:class-1", true},
		{"a member", member, "private", false},
		{"another group's member", outsider, "group:class-1", false},
		{"a member, of a malformed audience", member, "group:", false},
	} {
		if got := sees(c.p, "u1", c.audience); got != c.want {
			t.Errorf("%s sees an annotation of u1's for %q: %v, want %v", c.who, c.audience, got, c.want)
		}
	}
	if err := mayAddress(outsider, "group:class-1"); !errors.Is(err, fault.Forbidden) {
		t.Errorf("another group's member addresses class-1: %v, want forbidden", err)
	}
	for _, a := range []string{"public", "private", "group:class-1"} {
		if err := mayAddress(member, a); err != nil {
			t.Errorf("a member of class-1 addresses %q: %v", a, err)
		}
	}
}
