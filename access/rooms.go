package access

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/thaiarchives/archive/fault"
)

// Reading rooms: a library may mark items or collections readable only
// inside its reading rooms (repository.Access.ReadingRoom). Their content
// (images at any size, files) is then given only to a principal whose
// address is inside one of the library's ranges, whoever they are, and to
// the library's staff (archivists and administrators) wherever they are,
// as staff read everything of their library. The library's readers are no
// exception: reading-room material is read in the room. The description
// follows the level, as for any other record.

// Rooms are the libraries' reading rooms: for each library, the address
// ranges of its network that are its reading rooms. The command builds them
// from the settings and the HTTP layer places each request with In.
type Rooms map[string][]netip.Prefix

// In lists, sorted, the libraries whose reading rooms hold addr; none for
// an address that is not valid.
func (r Rooms) In(addr netip.Addr) []string {
	if !addr.IsValid() {
		return nil
	}
	addr = addr.Unmap() // an IPv4 client on an IPv6 socket is an IPv4 address
	var out []string
	for lib, ranges := range r {
		for _, p := range ranges {
			if p.Contains(addr) {
				out = append(out, lib)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// inRoom reports whether p asks from a reading room of library.
func inRoom(p Principal, library string) bool { return slices.Contains(p.Rooms, library) }

// decideRoom returns nil when p may have the content of r as its reading
// rooms allow, else a refusal of the kind fault.ReadingRoom (which is also
// fault.Forbidden) naming the holding library as its record.
func decideRoom(p Principal, a Action, r Resource) error {
	if a == ReadMetadata || !r.Access.ReadingRoom || staff(p, r.Institution) || inRoom(p, r.Institution) {
		return nil
	}
	return fault.E("read "+r.kind()+" "+r.ID, fault.ReadingRoom, r.Institution,
		fmt.Errorf("the %s can be read only in the reading room of its library: %w", r.kind(), fault.Forbidden))
}

// listsImages reports whether a listing shows p the pictures of r as far
// as reading rooms go: those of reading-room material only to the staff of
// its library, whatever the address.
func listsImages(p Principal, r Resource) bool {
	return !r.Access.ReadingRoom || staff(p, r.Institution)
}
