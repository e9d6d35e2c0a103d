package access

import (
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

var rooms = Rooms{
	"cmu": {netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("2001:db8:c00::/48")},
	"tu":  {netip.MustParsePrefix("192.168.5.0/24")},
}

// at is p asking from addr, placed in the reading rooms as the HTTP layer does.
func at(p Principal, addr string) Principal {
	p.Addr = netip.MustParseAddr(addr)
	p.Rooms = rooms.In(p.Addr)
	return p
}

func TestRoomsPlaceIPv4IPv6AndMappedAddresses(t *testing.T) {
	cases := map[string][]string{
		"10.1.2.3":             {"cmu"},
		"::ffff:10.1.2.3":      {"cmu"},
		"2001:db8:c00:1::5":    {"cmu"},
		"192.168.5.77":         {"tu"},
		"10.2.0.1":             nil,
		"2001:db8:c01::1":      nil,
		"::ffff:192.168.6.1":   nil,
		"fe80::1":              nil,
		"192.168.5.0":          {"tu"},
		"192.168.4.255":        nil,
		"2001:db8:c00:ffff::1": {"cmu"},
	}
	for addr, want := range cases {
		if got := rooms.In(netip.MustParseAddr(addr)); !slices.Equal(got, want) {
			t.Errorf("%s is in the reading rooms of %v, want %v", addr, got, want)
		}
	}
	if got := rooms.In(netip.Addr{}); got != nil {
		t.Errorf("an unknown address is in the reading rooms of %v", got)
	}
}

func TestDecideGivesReadingRoomContentOnlyInsideTheHoldingLibrarysRanges(t *testing.T) {
	room := func(level string) Resource {
		return Resource{ID: "x", Institution: "cmu", Access: repository.Access{Level: level, ReadingRoom: true}}
	}
	type want [3]error // ReadMetadata, ReadReduced, ReadContent
	ok := want{nil, nil, nil}
	outside := want{nil, fault.ReadingRoom, fault.ReadingRoom}
	cases := []struct {
		name string
		p    Principal
		r    Resource
		want want
	}{
		{"anonymous inside, IPv4", at(anonymous, "10.1.2.3"), room("public"), ok},
		{"anonymous inside, IPv6", at(anonymous, "2001:db8:c00::9"), room("public"), ok},
		{"anonymous inside, IPv4 mapped to IPv6", at(anonymous, "::ffff:10.1.200.1"), room("public"), ok},
		{"anonymous outside, IPv4", at(anonymous, "10.2.2.3"), room("public"), outside},
		{"anonymous outside, IPv6", at(anonymous, "2001:db8:c01::9"), room("public"), outside},
		{"anonymous of unknown address", anonymous, room("public"), outside},
		{"anonymous in another library's room", at(anonymous, "192.168.5.5"), room("public"), outside},
		{"reduced, anonymous outside", at(anonymous, "10.2.2.3"), room("reduced"), want{nil, fault.ReadingRoom, fault.Unauthenticated}},
		{"metadata only, anonymous inside: the level still holds", at(anonymous, "10.1.2.3"), room("metadata"), want{nil, fault.Unauthenticated, fault.Unauthenticated}},
		{"metadata only, own reader inside", at(cmuReader, "10.1.2.3"), room("metadata"), ok},
		{"metadata only, own reader outside", at(cmuReader, "10.2.2.3"), room("metadata"), outside},
		{"restricted, own reader outside", at(cmuReader, "10.2.2.3"), room("restricted"), outside},
		{"restricted, other library's reader inside: the level still holds", Principal{User: "u2", Email: "r@tu", Institution: "tu", Role: Reader, Rooms: []string{"cmu"}}, Resource{ID: "x", Institution: "cmu", Access: repository.Access{Level: "restricted", ReadingRoom: true}, Reveal: true}, want{fault.Forbidden, fault.Forbidden, fault.Forbidden}},
		{"own archivist outside", at(cmuArch, "10.2.2.3"), room("restricted"), ok},
		{"own library admin outside", at(cmuAdmin, "203.0.113.9"), room("public"), ok},
		{"system admin outside", at(sysAdmin, "203.0.113.9"), room("public"), ok},
		{"other library's archivist outside", at(tuArch, "192.168.5.5"), room("public"), outside},
		{"other library's archivist inside", at(tuArch, "10.1.0.1"), room("public"), ok},
		{"no reading room, anonymous outside", at(anonymous, "203.0.113.9"), item("public", "", false), ok},
	}
	for _, c := range cases {
		for i, a := range []Action{ReadMetadata, ReadReduced, ReadContent} {
			err := Decide(c.p, a, c.r, now)
			if c.want[i] == nil && err != nil || c.want[i] != nil && !errors.Is(err, c.want[i]) {
				t.Errorf("%s, %v: got %v, want %v", c.name, a, err, c.want[i])
			}
			if c.want[i] == fault.ReadingRoom && (fault.KindOf(err) != fault.ReadingRoom || !errors.Is(err, fault.Forbidden) || fault.RecordOf(err) != "cmu") {
				t.Errorf("%s, %v: %v is not a reading-room refusal that names cmu and is forbidden", c.name, a, err)
			}
		}
	}
}

func TestReadingRoomIsInheritedFromACollectionAbove(t *testing.T) {
	l := fakeLookup{
		cols: map[string]*repository.Collection{
			"f":  {ID: "f", Institution: "cmu", Access: repository.Access{Level: "public", ReadingRoom: true}},
			"s1": {ID: "s1", Institution: "cmu", Parent: "f", Access: repository.Access{Level: "public"}},
		},
	}
	it := &repository.Item{ID: "i", Institution: "cmu", Collection: "s1", Access: repository.Access{Level: "public"}}
	r, err := ItemResource(l, it)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Access.ReadingRoom {
		t.Fatalf("the item below a reading-room fonds is not reading-room material: %+v", r.Access)
	}
	if err := Decide(at(anonymous, "203.0.113.9"), ReadContent, r, now); !errors.Is(err, fault.ReadingRoom) {
		t.Errorf("outside: got %v, want a reading-room refusal", err)
	}
	if err := Decide(at(anonymous, "10.1.9.9"), ReadContent, r, now); err != nil {
		t.Errorf("inside: got %v", err)
	}
	if err := Decide(at(anonymous, "203.0.113.9"), ReadMetadata, r, now); err != nil {
		t.Errorf("the description outside: got %v", err)
	}
}

func TestReadingRoomAnswersAreNeverShared(t *testing.T) {
	r := Resource{ID: "x", Institution: "cmu", Access: repository.Access{Level: "public", ReadingRoom: true}}
	for _, p := range []Principal{anonymous, at(anonymous, "10.1.2.3"), at(anonymous, "203.0.113.9")} {
		if CachePolicy(r, p, now) != Private {
			t.Errorf("an answer about reading-room material to %v may be shared", p.Addr)
		}
	}
}

// fakeLookup holds collections; every library is known and hides nothing.
type fakeLookup struct {
	cols map[string]*repository.Collection
}

func (f fakeLookup) Collection(id string) (*repository.Collection, error) {
	if c := f.cols[id]; c != nil {
		return c, nil
	}
	return nil, fault.E("get collection", fault.NotFound, id, nil)
}

func (f fakeLookup) Institution(id string) (*repository.Institution, error) {
	return &repository.Institution{ID: id}, nil
}

func TestListingsShowReadingRoomPicturesOnlyToTheLibrarysStaff(t *testing.T) {
	f := &fakeStore{items: map[string]*repository.Item{
		"room": {ID: "room", Institution: "tu", Access: repository.Access{Level: "public", ReadingRoom: true}},
		"open": {ID: "open", Institution: "tu", Access: repository.Access{Level: "public"}},
	}}
	inTU := at(anonymous, "192.168.5.5")
	for _, c := range []struct {
		name       string
		p          Principal
		room, open bool
	}{
		{"anonymous inside", inTU, false, true},
		{"anonymous outside", at(anonymous, "203.0.113.9"), false, true},
		{"own archivist", at(tuArch, "203.0.113.9"), true, true},
	} {
		got, err := Listing(f, c.p, []string{"room", "open"}, now)
		if err != nil || len(got) != 2 {
			t.Fatalf("%s: %v %v", c.name, got, err)
		}
		if got[0].Images != c.room || got[1].Images != c.open {
			t.Errorf("%s: pictures of the reading-room item %v, of the open one %v; want %v, %v", c.name, got[0].Images, got[1].Images, c.room, c.open)
		}
	}
}
