package main

import (
	"context"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

func TestReadingRoomSettingsParseEachLibrarysRanges(t *testing.T) {
	cfg := &Config{}
	err := cfg.roomSettings(settings{
		"ARCHIVE_READING_ROOMS_CMU": "10.1.0.0/16, 192.168.5.0/24",
		"ARCHIVE_READING_ROOMS_TU":  "2001:db8:7::/48 203.0.113.7",
		"ARCHIVE_READING_ROOMS_KU":  " ",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]netip.Prefix{
		"cmu": {netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("192.168.5.0/24")},
		"tu":  {netip.MustParsePrefix("2001:db8:7::/48"), netip.MustParsePrefix("203.0.113.7/32")},
	}
	if len(cfg.Rooms) != len(want) {
		t.Fatalf("rooms %v, want %v", cfg.Rooms, want)
	}
	for lib, w := range want {
		if !slices.Equal(cfg.Rooms[lib], w) {
			t.Errorf("%s: %v, want %v", lib, cfg.Rooms[lib], w)
		}
	}
}

func TestReadingRoomSettingsRefuseMalformedRangesClearly(t *testing.T) {
	cases := map[string][2]string{ // value: setting's name, words the error must hold
		"10.1.0.0/33":             {"ARCHIVE_READING_ROOMS_CMU", `"10.1.0.0/33" is not an address or a range`},
		"10.1.0.0/16;10.2.0.0/16": {"ARCHIVE_READING_ROOMS_CMU", "is not an address or a range"},
		"library":                 {"ARCHIVE_READING_ROOMS_CMU", `"library" is not an address or a range`},
		"10.1.2.3/16":             {"ARCHIVE_READING_ROOMS_CMU", "has host bits set: the range is 10.1.0.0/16"},
		"::ffff:10.1.0.0/112":     {"ARCHIVE_READING_ROOMS_CMU", "an IPv4 range written as IPv6"},
		"fe80::1%eth0":            {"ARCHIVE_READING_ROOMS_CMU", "is not an address or a range"},
	}
	for v, w := range cases {
		cfg := &Config{}
		err := cfg.roomSettings(settings{w[0]: v})
		if err == nil || !strings.Contains(err.Error(), w[0]) || !strings.Contains(err.Error(), w[1]) {
			t.Errorf("%s=%q: %v, want an error naming the setting and saying %s", w[0], v, err, w[1])
		}
	}
	cfg := &Config{}
	if err := cfg.roomSettings(settings{"ARCHIVE_READING_ROOMS_C-M": "10.0.0.0/8"}); err == nil || !strings.Contains(err.Error(), "is not a library's id") {
		t.Errorf("a library id with a dash: %v", err)
	}
}

func TestReadingRoomsComeFromTheEnvironment(t *testing.T) {
	t.Setenv("ARCHIVE_READING_ROOMS_CMU", "10.1.0.0/16")
	cfg, err := (&common{}).resolve()
	if err != nil || !slices.Equal(cfg.Rooms["cmu"], []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}) {
		t.Fatalf("rooms %v, %v", cfg.Rooms, err)
	}
	t.Setenv("ARCHIVE_READING_ROOMS_CMU", "10.1.0.0")
	t.Setenv("ARCHIVE_READING_ROOMS_TU", "10.1.0.0/8")
	if _, err := (&common{}).resolve(); err == nil || !strings.Contains(err.Error(), "ARCHIVE_READING_ROOMS_TU") {
		t.Errorf("a malformed range: %v", err)
	}
}

func TestReadingRoomsOfALibraryTheArchiveLacksAreRefused(t *testing.T) {
	data := t.TempDir()
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(data, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ten := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	if err := checkRooms(store, access.Rooms{"cmu": ten}); err != nil {
		t.Errorf("cmu's reading rooms: %v", err)
	}
	err = checkRooms(store, access.Rooms{"cmu": ten, "nowhere": ten})
	if err == nil || !strings.Contains(err.Error(), `ARCHIVE_READING_ROOMS_NOWHERE: the archive has no library "nowhere"`) {
		t.Errorf("reading rooms of an unknown library: %v", err)
	}
}
