package access

import (
	"errors"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// TestAnInternalUnitIsKnownOnlyToItsLibrarysStaff: a unit a finding aid
// marks audience="internal", and what is below it, is not found by anyone
// but the holding library's archivists and administrators and the system
// administrators, whatever its level, the library's reveal setting or a
// grant of it; its answers are never shared.
func TestAnInternalUnitIsKnownOnlyToItsLibrarysStaff(t *testing.T) {
	unit := Resource{Kind: "collection", ID: "s1", Institution: "cmu", Reveal: true,
		Access: Stricter(repository.Access{Level: repository.Public}, repository.Access{Internal: true})}
	granted := cmuReader
	granted.Institution, granted.Email = "tu", "r@tu"
	granted.Grants = []Grant{{Kind: "collection", ID: "s1", Institution: "cmu", Until: now.Add(24 * time.Hour)}}
	for _, p := range []Principal{anonymous, cmuReader, tuArch, granted} {
		for _, a := range []Action{ReadMetadata, ReadContent, Edit} {
			if err := Decide(p, a, unit, now); !errors.Is(err, fault.NotFound) {
				t.Errorf("%s (%s of %s) may %v an internal unit: %v, want not found", p.Email, p.Role, p.Institution, a, err)
			}
		}
	}
	for _, p := range []Principal{cmuArch, cmuAdmin, sysAdmin} {
		if err := Decide(p, ReadMetadata, unit, now); err != nil {
			t.Errorf("%s (%s) may not read an internal unit of their library: %v", p.Email, p.Role, err)
		}
	}
	if CachePolicy(unit, anonymous, now) != Private {
		t.Error("an answer about an internal unit may be kept by a shared cache")
	}
	below := Stricter(repository.Access{Level: repository.Public}, unit.Access)
	if !below.Internal {
		t.Error("a unit below an internal one is not internal")
	}
	if (repository.Access{Internal: true}).OpenAt(now) || !(repository.Access{Internal: true}).Closed() {
		t.Error("an internal unit counts as open to harvesters")
	}
}

// TestOnlyALibrarysStaffReadItsInternalTexts: ReadsInternal answers as
// Decide does for an internal record of the library.
func TestOnlyALibrarysStaffReadItsInternalTexts(t *testing.T) {
	for _, c := range []struct {
		p    Principal
		want bool
	}{{anonymous, false}, {cmuReader, false}, {tuArch, false}, {cmuArch, true}, {cmuAdmin, true}, {sysAdmin, true}} {
		if got := ReadsInternal(c.p, "cmu"); got != c.want {
			t.Errorf("%s (%s of %s) reads cmu's internal texts: %v, want %v", c.p.Email, c.p.Role, c.p.Institution, got, c.want)
		}
	}
}
