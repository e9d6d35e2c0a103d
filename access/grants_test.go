package access

import (
	"errors"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

func TestDecideLetsAGrantRaiseReadingUntilItsEndAndNoFurther(t *testing.T) {
	until := now.Add(30 * 24 * time.Hour)
	withGrant := func(p Principal, gs ...Grant) Principal { p.Grants = gs; return p }
	itemGrant := Grant{Kind: "item", ID: "x", Institution: "cmu", Until: until}
	unitGrant := Grant{Kind: "collection", ID: "series", Institution: "cmu", Until: until}
	within := func(r Resource, cols ...string) Resource { r.Within = cols; return r }
	restricted := item("restricted", "", false)
	cases := []struct {
		name   string
		p      Principal
		r      Resource
		at     time.Time
		a      Action
		want   error
		cached Cache
	}{
		{"item grant reads a restricted item whole", withGrant(tuReader, itemGrant), restricted, now, ReadContent, nil, Private},
		{"item grant reads a reduced item whole", withGrant(tuReader, itemGrant), item("reduced", "", false), now, ReadContent, nil, Private},
		{"item grant reads a metadata-only item whole", withGrant(tuReader, itemGrant), item("metadata", "", false), now, ReadContent, nil, Private},
		{"item grant reads an embargoed item", withGrant(tuReader, itemGrant), item("public", "2027-01-01", false), now, ReadContent, nil, Private},
		{"item grant an instant before its end", withGrant(tuReader, itemGrant), restricted, until.Add(-time.Nanosecond), ReadContent, nil, Private},
		{"item grant at its end", withGrant(tuReader, itemGrant), restricted, until, ReadContent, fault.NotFound, Private},
		{"item grant after its end, revealed", withGrant(tuReader, itemGrant), item("reduced", "", true), until.Add(time.Second), ReadContent, fault.Forbidden, Private},
		{"item grant does not reach another item", withGrant(tuReader, itemGrant), Resource{ID: "y", Institution: "cmu", Access: repository.Access{Level: "restricted"}}, now, ReadContent, fault.NotFound, Private},
		{"item grant does not reach the item's collection", withGrant(tuReader, Grant{Kind: "item", ID: "series", Institution: "cmu", Until: until}), Resource{Kind: "collection", ID: "series", Institution: "cmu", Access: repository.Access{Level: "restricted"}}, now, ReadMetadata, fault.NotFound, Private},
		{"item grant of another library", withGrant(tuReader, Grant{Kind: "item", ID: "x", Institution: "tu", Until: until}), restricted, now, ReadContent, fault.NotFound, Private},
		{"item grant does not let edit", withGrant(tuReader, itemGrant), item("public", "", false), now, Edit, fault.Forbidden, Private},
		{"item grant does not reach a withdrawn item", withGrant(tuReader, itemGrant), Resource{ID: "x", Institution: "cmu", Withdrawn: true}, now, ReadMetadata, fault.Gone, Private},
		{"item grant without a signed-in person", withGrant(anonymous, itemGrant), item("reduced", "", true), now, ReadContent, fault.Unauthenticated, Private},
		{"unit grant reads an item within it", withGrant(tuReader, unitGrant), within(restricted, "series", "fonds"), now, ReadContent, nil, Private},
		{"unit grant reads the unit itself", withGrant(tuReader, unitGrant), Resource{Kind: "collection", ID: "series", Institution: "cmu", Access: repository.Access{Level: "restricted"}, Within: []string{"fonds"}}, now, ReadContent, nil, Private},
		{"unit grant does not reach the unit above", withGrant(tuReader, unitGrant), Resource{Kind: "collection", ID: "fonds", Institution: "cmu", Access: repository.Access{Level: "restricted"}}, now, ReadMetadata, fault.NotFound, Private},
		{"unit grant does not reach a sibling unit's item", withGrant(tuReader, unitGrant), within(restricted, "letters", "fonds"), now, ReadContent, fault.NotFound, Private},
		{"unit grant at its end", withGrant(tuReader, unitGrant), within(restricted, "series", "fonds"), until, ReadContent, fault.NotFound, Private},
		{"no grant, public item, anonymous is shared", anonymous, item("public", "", false), now, ReadContent, nil, Public},
	}
	for _, c := range cases {
		err := Decide(c.p, c.a, c.r, c.at)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: Decide = %v, want %v", c.name, err, c.want)
		}
		if got := CachePolicy(c.r, c.p, c.at); got != c.cached {
			t.Errorf("%s: CachePolicy = %v, want %v", c.name, got, c.cached)
		}
	}
}

type chain map[string]*repository.Collection

func (c chain) Collection(id string) (*repository.Collection, error) {
	if x, ok := c[id]; ok {
		return x, nil
	}
	return nil, fault.NotFound
}
func (chain) Institution(string) (*repository.Institution, error) { return nil, fault.NotFound }

func TestItemResourceNamesEveryCollectionItIsWithin(t *testing.T) {
	l := chain{
		"fonds":  {ID: "fonds", Institution: "cmu"},
		"series": {ID: "series", Institution: "cmu", Parent: "fonds", Access: repository.Access{Level: "restricted"}},
	}
	r, err := ItemResource(l, &repository.Item{ID: "x", Institution: "cmu", Collection: "series"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Within) != 2 || r.Within[0] != "series" || r.Within[1] != "fonds" {
		t.Fatalf("within %v, want [series fonds]", r.Within)
	}
	p := tuReader
	p.Grants = []Grant{{Kind: "collection", ID: "fonds", Institution: "cmu", Until: now.Add(time.Hour)}}
	if err := Decide(p, ReadContent, r, now); err != nil {
		t.Fatalf("a grant of the fonds does not reach an item in its restricted series: %v", err)
	}
}
