package main

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository/bolt"
)

// roomsPrefix begins the settings of the libraries' reading rooms:
// ARCHIVE_READING_ROOMS_CMU="10.1.0.0/16,192.168.5.0/24" gives library
// cmu's reading rooms as address ranges (or single addresses), IPv4 or IPv6.
const roomsPrefix = "ARCHIVE_READING_ROOMS_"

// roomSettings reads every library's reading rooms into cfg.Rooms.
func (cfg *Config) roomSettings(st settings) error {
	for name, v := range st {
		lib, ok := strings.CutPrefix(name, roomsPrefix)
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		if lib == "" || strings.Trim(strings.ToLower(lib), "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			return fmt.Errorf("%s: %q is not a library's id in capitals, such as %sCMU", name, lib, roomsPrefix)
		}
		ranges, err := parseRanges(v)
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		if cfg.Rooms == nil {
			cfg.Rooms = access.Rooms{}
		}
		cfg.Rooms[strings.ToLower(lib)] = ranges
	}
	return nil
}

// parseRanges reads address ranges separated by commas or spaces; a single
// address is a range of one.
func parseRanges(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Fields(strings.ReplaceAll(v, ",", " ")) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is not an address or a range such as 10.1.0.0/16 or 2001:db8::/48", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		if p != p.Masked() {
			return nil, fmt.Errorf("%q has host bits set: the range is %s", s, p.Masked())
		}
		if p.Addr().Is4In6() {
			return nil, fmt.Errorf("%q is an IPv4 range written as IPv6: write it as IPv4", s)
		}
		out = append(out, p)
	}
	return out, nil
}

// checkRooms refuses reading rooms of a library the archive does not have.
func checkRooms(store *bolt.Store, rooms access.Rooms) error {
	for lib := range rooms {
		if _, err := store.Institution(lib); errors.Is(err, fault.NotFound) {
			return fmt.Errorf("%s%s: the archive has no library %q", roomsPrefix, strings.ToUpper(lib), lib)
		} else if err != nil {
			return err
		}
	}
	return nil
}
