package access

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

var (
	now       = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	anonymous = Principal{}
	cmuReader = Principal{User: "u1", Email: "r@cmu", Institution: "cmu", Role: Reader}
	tuReader  = Principal{User: "u2", Email: "r@tu", Institution: "tu", Role: Reader}
	cmuArch   = Principal{User: "u3", Email: "a@cmu", Institution: "cmu", Role: Archivist}
	tuArch    = Principal{User: "u4", Email: "a@tu", Institution: "tu", Role: Archivist}
	cmuAdmin  = Principal{User: "u5", Email: "l@cmu", Institution: "cmu", Role: LibraryAdmin}
	sysAdmin  = Principal{User: "u6", Email: "s@x", Institution: "chula", Role: SystemAdmin}
)

func item(level, embargo string, reveal bool) Resource {
	return Resource{ID: "x", Institution: "cmu", Access: repository.Access{Level: level, Embargo: embargo}, Reveal: reveal}
}

func TestDecideEveryLevelForEveryRole(t *testing.T) {
	type want [3]error // ReadMetadata, ReadReduced, ReadContent
	ok := want{nil, nil, nil}
	cases := []struct {
		name string
		p    Principal
		r    Resource
		want want
	}{
		{"public, anonymous", anonymous, item("public", "", false), ok},
		{"metadata, anonymous", anonymous, item("metadata", "", false), want{nil, fault.Unauthenticated, fault.Unauthenticated}},
		{"metadata, other library's reader", tuReader, item("metadata", "", false), want{nil, fault.Forbidden, fault.Forbidden}},
		{"metadata, own reader", cmuReader, item("metadata", "", false), ok},
		{"reduced, anonymous", anonymous, item("reduced", "", false), want{nil, nil, fault.Unauthenticated}},
		{"reduced, other archivist", tuArch, item("reduced", "", false), want{nil, nil, fault.Forbidden}},
		{"reduced, own reader", cmuReader, item("reduced", "", false), ok},
		{"restricted hidden, anonymous", anonymous, item("restricted", "", false), want{fault.NotFound, fault.NotFound, fault.NotFound}},
		{"restricted hidden, other reader", tuReader, item("restricted", "", false), want{fault.NotFound, fault.NotFound, fault.NotFound}},
		{"restricted revealed, anonymous", anonymous, item("restricted", "", true), want{fault.Unauthenticated, fault.Unauthenticated, fault.Unauthenticated}},
		{"restricted revealed, other reader", tuReader, item("restricted", "", true), want{fault.Forbidden, fault.Forbidden, fault.Forbidden}},
		{"restricted, own reader", cmuReader, item("restricted", "", false), ok},
		{"restricted, own archivist", cmuArch, item("restricted", "", false), ok},
		{"restricted, own library admin", cmuAdmin, item("restricted", "", false), ok},
		{"restricted, system admin", sysAdmin, item("restricted", "", false), ok},
		{"embargoed, anonymous", anonymous, item("public", "2027-01-01", false), want{fault.NotFound, fault.NotFound, fault.NotFound}},
		{"embargo over, anonymous", anonymous, item("public", "2026-11-25", false), ok},
		{"bad embargo date, anonymous", anonymous, item("public", "soon", false), want{fault.NotFound, fault.NotFound, fault.NotFound}},
		{"withdrawn, system admin", sysAdmin, Resource{ID: "x", Institution: "cmu", Withdrawn: true}, want{fault.Gone, fault.Gone, fault.Gone}},
		{"read token of own reader", Principal{User: "u1", Institution: "cmu", Role: Reader, Scope: ScopeRead}, item("restricted", "", false), ok},
		{"unknown scope", Principal{User: "u1", Institution: "cmu", Role: Reader, Scope: "all"}, item("public", "", false), want{fault.Forbidden, fault.Forbidden, fault.Forbidden}},
	}
	for _, c := range cases {
		for i, a := range []Action{ReadMetadata, ReadReduced, ReadContent} {
			err := Decide(c.p, a, c.r, now)
			if c.want[i] == nil && err != nil || c.want[i] != nil && !errors.Is(err, c.want[i]) {
				t.Errorf("%s, %v: got %v, want %v", c.name, a, err, c.want[i])
			}
		}
	}
}

func TestWritesStayInTheirLibrary(t *testing.T) {
	cmu, tu := LibraryResource("cmu"), LibraryResource("tu")
	cases := []struct {
		p    Principal
		a    Action
		r    Resource
		want error
	}{
		{cmuArch, Edit, cmu, nil},
		{cmuArch, Edit, tu, fault.Forbidden},
		{cmuArch, Upload, cmu, nil},
		{tuArch, Upload, cmu, fault.Forbidden},
		{cmuReader, Edit, cmu, fault.Forbidden},
		{cmuReader, Upload, cmu, fault.Forbidden},
		{anonymous, Edit, cmu, fault.Unauthenticated},
		{cmuArch, ManageUsers, cmu, fault.Forbidden},
		{cmuAdmin, ManageUsers, cmu, nil},
		{cmuAdmin, ManageUsers, tu, fault.Forbidden},
		{cmuAdmin, Administer, cmu, fault.Forbidden},
		{sysAdmin, Edit, tu, nil},
		{sysAdmin, Administer, cmu, nil},
		{Principal{User: "u3", Institution: "cmu", Role: Archivist, Scope: ScopeUpload}, Upload, cmu, nil},
		{Principal{User: "u3", Institution: "cmu", Role: Archivist, Scope: ScopeUpload}, Edit, cmu, fault.Forbidden},
		{Principal{User: "u3", Institution: "cmu", Role: Archivist, Scope: ScopeRead}, Upload, cmu, fault.Forbidden},
		{Principal{User: "u6", Institution: "chula", Role: SystemAdmin, Scope: ScopeWrite}, Administer, cmu, nil},
	}
	for _, c := range cases {
		err := Decide(c.p, c.a, c.r, now)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s (%s of %s) %v %s: got %v, want %v", c.p.Email, c.p.Role, c.p.Institution, c.a, c.r.ID, err, c.want)
		}
	}
}

func TestStricterTakesTheClosedLevelAndTheLaterEmbargo(t *testing.T) {
	got := Stricter(repository.Access{Level: "public", Embargo: "2027-01-01"}, repository.Access{Level: "metadata", Embargo: "2026-01-01"})
	if got.Level != "metadata" || got.Embargo != "2027-01-01" {
		t.Fatalf("got %+v", got)
	}
	if got := Stricter(repository.Access{Level: "restricted"}, repository.Access{}); got.Level != "restricted" {
		t.Fatalf("an open collection loosened a restricted item: %+v", got)
	}
}

func TestAWithdrawnHiddenItemStaysHidden(t *testing.T) {
	r := Resource{ID: "x", Institution: "tu", Access: repository.Access{Level: "restricted"}, Withdrawn: true}
	if err := Decide(anonymous, ReadMetadata, r, now); !errors.Is(err, fault.NotFound) {
		t.Errorf("anonymous: %v", err)
	}
	if err := Decide(Principal{User: "u", Institution: "tu", Role: Reader}, ReadMetadata, r, now); !errors.Is(err, fault.Gone) {
		t.Errorf("the library's reader: %v", err)
	}
	if err := Decide(Principal{User: "u", Institution: "cmu", Role: Archivist, Scope: "everything"}, Upload, LibraryResource("cmu"), now); err == nil {
		t.Error("a token of an unknown scope may upload")
	}
}

// The index's form of the decision (audiences) must answer as Decide does,
// for every role, scope, library, grant, level, embargo, withdrawal and
// place in a tree, before a grant's end and at it.
func TestAudiencesAgreeWithDecide(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := now.Add(time.Hour)
	grantSets := [][]Grant{
		nil,
		{{Kind: "item", ID: "x", Institution: "cmu", Until: end}},
		{{Kind: "item", ID: "x", Institution: "tu", Until: end}},
		{{Kind: "item", ID: "series", Institution: "cmu", Until: end}},
		{{Kind: "collection", ID: "series", Institution: "cmu", Until: end}},
		{{Kind: "collection", ID: "x", Institution: "cmu", Until: end}},
		{{Kind: "collection", ID: "fonds", Institution: "tu", Until: end}, {Kind: "item", ID: "y", Institution: "cmu", Until: end}},
		{{Kind: "unit", ID: "x", Institution: "cmu", Until: end}},
	}
	var principals []Principal
	for _, role := range append([]Role{Anonymous}, Roles...) {
		for _, inst := range []string{"", "cmu", "tu"} {
			for _, scope := range []Scope{"", ScopeRead, ScopeUpload, ScopeWrite, "bogus"} {
				for _, grants := range grantSets {
					user := ""
					if role != Anonymous {
						user = "u1"
					}
					principals = append(principals, Principal{User: user, Role: role, Institution: inst, Scope: scope, Grants: grants})
				}
			}
		}
	}
	var resources []Resource
	for _, kind := range []string{"", "item", "collection", "library"} {
		for _, id := range []string{"x", "series"} {
			for _, within := range [][]string{nil, {"series", "fonds"}} {
				for _, level := range append(repository.Levels, "") {
					for _, embargo := range []string{"", "2025-06-01", "2027-06-01"} {
						for _, withdrawn := range []bool{false, true} {
							for _, reveal := range []bool{false, true} {
								for _, internal := range []bool{false, true} {
									resources = append(resources, Resource{Kind: kind, ID: id, Institution: "cmu", Within: within,
										Access: repository.Access{Level: level, Embargo: embargo, Internal: internal}, Withdrawn: withdrawn, Reveal: reveal})
								}
							}
						}
					}
				}
			}
		}
	}
	n, granted := 0, 0
	for _, at := range []time.Time{now, end} {
		for _, p := range principals {
			have, all := Audiences(p, at)
			for _, r := range resources {
				shared := false
				for _, a := range Audience(r, at) {
					shared = shared || all || slices.Contains(have, a)
				}
				if want := Decide(p, ReadMetadata, r, at) == nil; shared != want {
					t.Errorf("%+v reading %+v at %v: audiences say %v, Decide says %v", p, r, at, shared, want)
				}
				if shared && Granted(p, r, at) && !member(p, r.Institution) && Effective(r.Access, at) == repository.Restricted {
					granted++
				}
				n++
			}
		}
	}
	if n < 100000 || granted < 100 {
		t.Fatalf("only %d cases, %d of them read through a grant", n, granted)
	}
}

// TestWritesToAHiddenRecordAnswerAsIfItWereAbsent: a restricted record of a
// library that does not reveal its restricted records is unknown to those
// outside it whatever they ask to do with it, so that an archivist of
// another library cannot tell it from an identifier nothing has by asking
// to edit it (forbidden would say it exists).
func TestWritesToAHiddenRecordAnswerAsIfItWereAbsent(t *testing.T) {
	hidden := Resource{Kind: "item", ID: "x", Institution: "tu", Access: repository.Access{Level: "restricted"}}
	for _, a := range []Action{Upload, Edit, ManageUsers, Administer} {
		for _, p := range []Principal{cmuArch, cmuAdmin, cmuReader, anonymous} {
			if err := Decide(p, a, hidden, now); !errors.Is(err, fault.NotFound) {
				t.Errorf("%s (%s of %s) %v a hidden item of tu: %v, want not found", p.Email, p.Role, p.Institution, a, err)
			}
		}
	}
	// The library's own staff and the system administrators are told.
	if err := Decide(tuArch, Edit, hidden, now); err != nil {
		t.Errorf("tu's archivist: %v", err)
	}
	if err := Decide(sysAdmin, Edit, hidden, now); err != nil {
		t.Errorf("a system administrator: %v", err)
	}
	// A library that reveals its restricted records says forbidden.
	revealed := hidden
	revealed.Reveal = true
	if err := Decide(cmuArch, Edit, revealed, now); !errors.Is(err, fault.Forbidden) {
		t.Errorf("a revealed record: %v, want forbidden", err)
	}
}

func TestAHarvestedEntryIsAPublicDescriptionWithNothingHereToSee(t *testing.T) {
	e := &repository.Entry{ID: "bcd1234567", Institution: "cmu", Source: "s", Identifier: "oai:x:1"}
	now := time.Now()
	for _, p := range []Principal{{}, {User: "r", Institution: "tu", Role: Reader}, {User: "a", Institution: "cmu", Role: Archivist}} {
		if err := Decide(p, ReadMetadata, EntryResource(e), now); err != nil {
			t.Errorf("%+v may not read the description: %v", p, err)
		}
	}
	if err := Decide(Principal{}, ReadContent, EntryResource(e), now); err == nil {
		t.Error("an anonymous visitor may read the content of someone else's material here")
	}
	e.Deleted = true
	if err := Decide(Principal{}, ReadMetadata, EntryResource(e), now); !errors.Is(err, fault.Gone) {
		t.Errorf("a deleted entry: %v, want gone", err)
	}
}
