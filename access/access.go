// Package access is the archive's one access decision. Every path that
// returns or changes content asks Decide, and nothing else decides: pages,
// the JSON API, files, IIIF images and documents, harvesting, search,
// embedding and exports.
package access

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// A refusal is of a kind of package fault: Unauthenticated (signing in may
// help), Forbidden (this person may not, signed in or not), Gone (the item
// was withdrawn) or NotFound (the visitor may not learn that it exists). The
// HTTP layer maps them to 401, 403, 410 and 404.

// Role is what a person may do in their library.
type Role string

// Roles, from least to most.
const (
	Anonymous    Role = ""
	Reader       Role = "reader"        // signed-in access to what their library grants
	Archivist    Role = "archivist"     // creates and edits their library's records
	LibraryAdmin Role = "library-admin" // an archivist who also manages the library's users
	SystemAdmin  Role = "system-admin"  // everything, in every library
)

// Roles lists the roles a user may hold.
var Roles = []Role{Reader, Archivist, LibraryAdmin, SystemAdmin}

// ValidRole reports whether r is a role a user may hold.
func ValidRole(r Role) bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Scope narrows what an API token may do; a signed-in session has every
// right its role gives ("").
type Scope string

// Token scopes.
const (
	ScopeRead   Scope = "read"   // read what the role may read
	ScopeUpload Scope = "upload" // and upload into the library
	ScopeWrite  Scope = "write"  // everything the role allows
)

// Principal is who asks: a signed-in person, a token's holder, or nobody.
type Principal struct {
	User        string // user id; "" for an anonymous visitor
	Email       string
	Institution string
	Role        Role
	Scope       Scope // "" for a browser session
	// Addr is the client's address (the connection's, or the one a trusted
	// proxy names); the zero Addr when not known.
	Addr netip.Addr
	// Rooms are the libraries whose reading rooms Addr is in (Rooms.In).
	Rooms []string
	// Grants are the person's grants still in force when they were read;
	// Decide checks each one's end against its own clock.
	Grants []Grant
	// Groups are the ids of the groups the person owns or is a member of
	// when they were read: who reads the annotations addressed to a
	// group. They open nothing that Decide refuses.
	Groups []string
}

// SignedIn reports whether the principal is a known person.
func (p Principal) SignedIn() bool { return p.User != "" }

// Action is what the principal wants to do.
type Action int

// Actions.
const (
	// ReadMetadata: see the description (and the title in a listing).
	ReadMetadata Action = iota
	// ReadReduced: see images up to the reduced size (thumbnails included).
	ReadReduced
	// ReadContent: see images at full resolution and download files.
	ReadContent
	// Upload: add items to the library.
	Upload
	// Edit: change, restrict or withdraw the library's records.
	Edit
	// ManageUsers: add, disable and change the roles of the library's users.
	ManageUsers
	// Administer: system administration (backups, purging masters, every library).
	Administer
)

func (a Action) String() string {
	return [...]string{"read the description", "see the images", "see the full images and files", "upload", "edit", "manage users", "administer the archive"}[a]
}

// Resource is what the decision is about: an item, a collection or a
// library, with the access that applies to it (inherited access already
// folded in; see Stricter).
type Resource struct {
	Kind        string // "item", "collection", "library": for messages
	ID          string
	Institution string
	Access      repository.Access
	Withdrawn   bool
	// Reveal: the library lets anonymous visitors learn that its restricted
	// records exist (they answer 401 rather than 404).
	Reveal bool
	// Within lists the collections and units r is within, nearest first:
	// a grant of one of them reaches r.
	Within []string
}

// Effective is the level that applies at now: an embargo makes anything
// restricted until its day.
func Effective(a repository.Access, now time.Time) string {
	if !embargoOver(a, now) {
		return repository.Restricted
	}
	if a.Level == "" {
		return repository.Public
	}
	return a.Level
}

// rank orders the levels from open to closed.
var rank = map[string]int{repository.Public: 0, repository.Reduced: 1, repository.MetadataOnly: 2, repository.Restricted: 3}

// Stricter returns the more closed of two access settings (the later
// embargo, the closer level, the reading room or internal if either asks
// for it): a collection's access applies to its items.
func Stricter(a, b repository.Access) repository.Access {
	out := a
	if rank[b.Level] > rank[a.Level] {
		out.Level = b.Level
	}
	if b.Embargo > out.Embargo {
		out.Embargo = b.Embargo
	}
	out.ReadingRoom = a.ReadingRoom || b.ReadingRoom
	out.Internal = a.Internal || b.Internal
	return out
}

// staff: archivists and administrators of the library, and system administrators.
func staff(p Principal, inst string) bool {
	return p.Role == SystemAdmin || p.Institution == inst && (p.Role == Archivist || p.Role == LibraryAdmin)
}

// member: staff, and readers of the library.
func member(p Principal, inst string) bool {
	return staff(p, inst) || p.Institution == inst && p.Role == Reader
}

// Decide returns nil when p may do a to r at now, else a typed error:
// fault.Unauthenticated, fault.Forbidden, fault.Gone or fault.NotFound; or,
// for content that only a reading room gives (see Rooms) and that p would
// otherwise have, fault.ReadingRoom.
func Decide(p Principal, a Action, r Resource, now time.Time) error {
	if p.Scope != "" && p.Scope != ScopeRead && p.Scope != ScopeUpload && p.Scope != ScopeWrite {
		return refuse(p, a, r)
	}
	// An internal record is unknown to all but its library's staff, and a
	// hidden one outside its library, whatever is asked of it: "forbidden"
	// to an edit would tell that it exists. No grant reaches either.
	if r.Access.Internal && !staff(p, r.Institution) {
		return fmt.Errorf("no %s %q: %w", r.kind(), r.ID, fault.NotFound)
	}
	level := Effective(r.Access, now)
	granted := a <= ReadContent && Granted(p, r, now)
	if level == repository.Restricted && !r.Reveal && !member(p, r.Institution) && !granted {
		return fmt.Errorf("no %s %q: %w", r.kind(), r.ID, fault.NotFound)
	}
	if a >= Upload {
		return decideWrite(p, a, r)
	}
	if r.Withdrawn {
		return fmt.Errorf("%s %s has been withdrawn: %w", r.kind(), r.ID, fault.Gone)
	}
	if member(p, r.Institution) || granted {
		return decideRoom(p, a, r)
	}
	switch {
	case level == repository.Public,
		level == repository.Reduced && a <= ReadReduced,
		level == repository.MetadataOnly && a == ReadMetadata:
		return decideRoom(p, a, r)
	}
	return refuse(p, a, r)
}

func decideWrite(p Principal, a Action, r Resource) error {
	ok := false
	switch a {
	case Upload:
		ok = p.Scope != ScopeRead && staff(p, r.Institution)
	case Edit:
		ok = (p.Scope == "" || p.Scope == ScopeWrite) && staff(p, r.Institution)
	case ManageUsers:
		ok = (p.Scope == "" || p.Scope == ScopeWrite) && (p.Role == SystemAdmin || p.Role == LibraryAdmin && p.Institution == r.Institution)
	case Administer:
		ok = (p.Scope == "" || p.Scope == ScopeWrite) && p.Role == SystemAdmin
	}
	if ok {
		return nil
	}
	return refuse(p, a, r)
}

func refuse(p Principal, a Action, r Resource) error {
	if !p.SignedIn() {
		return fmt.Errorf("to %s%s, sign in: %w", a, r.of(), fault.Unauthenticated)
	}
	return fmt.Errorf("%s may not %s%s: %w", p.Email, a, r.of(), fault.Forbidden)
}

// of names the resource after an action: "of item x", "in library tu",
// nothing for the archive as a whole.
func (r Resource) of() string {
	switch {
	case r.Kind == "library" && r.ID == "":
		return ""
	case r.Kind == "library":
		return " in library " + r.ID
	}
	return " of " + r.kind() + " " + r.ID
}

func (r Resource) kind() string {
	if r.Kind == "" {
		return "item"
	}
	return r.Kind
}

// Lookup is what building a resource needs from the metadata store.
type Lookup interface {
	Collection(id string) (*repository.Collection, error)
	Institution(id string) (*repository.Institution, error)
}

// ItemResource is an item as a resource: its own access made stricter by
// every collection above it. A store that cannot answer is an error, never
// an open door.
func ItemResource(l Lookup, it *repository.Item) (Resource, error) {
	r := Resource{Kind: "item", ID: it.ID, Institution: it.Institution, Access: it.Access, Withdrawn: it.Deleted}
	if err := inherit(l, &r, it.Collection); err != nil {
		return r, err
	}
	return r, reveal(l, &r)
}

// CollectionResource is a collection as a resource, with the access of
// the collections above it.
func CollectionResource(l Lookup, c *repository.Collection) (Resource, error) {
	r := Resource{Kind: "collection", ID: c.ID, Institution: c.Institution, Access: c.Access, Withdrawn: c.Deleted}
	if err := inherit(l, &r, c.Parent); err != nil {
		return r, err
	}
	return r, reveal(l, &r)
}

// LibraryResource is a library as the subject of uploads, edits and user
// management.
func LibraryResource(institution string) Resource {
	return Resource{Kind: "library", ID: institution, Institution: institution}
}

// maxAncestors bounds the walk up a tree: far deeper than any archive's,
// so that only a loop in the records reaches it.
const maxAncestors = 1024

// inherit makes r's access the strictest of its own and that of every
// collection above it. Past maxAncestors the rest is not known, so r is
// closed to all but its library. A collection above r that the store does
// not have is not "no restriction": what it would have added is not known,
// so r is not found (and a store that does not answer is its own error).
func inherit(l Lookup, r *Resource, parent string) error {
	for depth := 0; parent != ""; depth++ {
		if depth == maxAncestors {
			r.Access = Stricter(r.Access, repository.Access{Level: repository.Restricted})
			return nil
		}
		c, err := l.Collection(parent)
		if errors.Is(err, fault.NotFound) {
			return fmt.Errorf("no %s %q: a collection above it is missing: %w", r.kind(), r.ID, fault.NotFound)
		}
		if err != nil {
			return err
		}
		r.Access = Stricter(r.Access, c.Access)
		r.Within = append(r.Within, c.ID)
		parent = c.Parent
	}
	return nil
}

func reveal(l Lookup, r *Resource) error {
	in, err := l.Institution(r.Institution)
	if errors.Is(err, fault.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	r.Reveal = in.RevealRestricted
	return nil
}

// Items is a Lookup that also reads items.
type Items interface {
	Lookup
	Item(id string) (*repository.Item, error)
}

// LoadItem reads item id and asks whether p may do a to it at now: an
// item p may not know of is not found, whatever a is. The item and its
// resource come back with a refusal too (answers say how they refuse).
func LoadItem(ctx context.Context, l Items, p Principal, id string, a Action, now time.Time) (*repository.Item, Resource, error) {
	if !repository.ValidID(id) {
		return nil, Resource{}, fmt.Errorf("no item %q: %w", id, fault.NotFound)
	}
	if err := ctx.Err(); err != nil {
		return nil, Resource{}, err
	}
	it, err := l.Item(id)
	if err != nil {
		return nil, Resource{}, err
	}
	res, err := ItemResource(l, it)
	if err != nil {
		return nil, res, err
	}
	return it, res, Decide(p, a, res, now)
}

// Visible returns the items among ids whose description p may read, in
// order: what a listing, a search or a harvest may show. Unknown and
// withdrawn items are left out; a store that does not answer is an error.
func Visible(l Items, p Principal, ids []string, now time.Time) ([]*repository.Item, error) {
	listed, err := Listing(l, p, ids, now)
	out := make([]*repository.Item, len(listed))
	for i, x := range listed {
		out[i] = x.Item
	}
	return out, err
}

// Listed is an item a listing may show, and whether it may show its
// pictures (thumbnails need the reduced right; of reading-room material,
// only the library's staff see them in listings, so that a listing does not
// depend on the address it is asked from and shared caches may keep it).
type Listed struct {
	Item   *repository.Item
	Images bool
}

// Listing is Visible with, for each item, whether p may see its images.
func Listing(l Items, p Principal, ids []string, now time.Time) ([]Listed, error) {
	if len(ids) > 1 { // each collection and library read once for the whole list
		l = newUses(l, map[string]string{})
	}
	var out []Listed
	for _, id := range ids {
		it, err := l.Item(id)
		if errors.Is(err, fault.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		r, err := ItemResource(l, it)
		if errors.Is(err, fault.NotFound) {
			continue // a collection above it is missing: shown to nobody
		}
		if err != nil {
			return nil, err
		}
		if Decide(p, ReadMetadata, r, now) == nil {
			out = append(out, Listed{Item: it, Images: Decide(p, ReadReduced, r, now) == nil && listsImages(p, r)})
		}
	}
	return out, nil
}

// VisibleCollections keeps the collections whose description p may read.
func VisibleCollections(l Lookup, p Principal, cols []*repository.Collection, now time.Time) ([]*repository.Collection, error) {
	var out []*repository.Collection
	for _, c := range cols {
		r, err := CollectionResource(l, c)
		if errors.Is(err, fault.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if Decide(p, ReadMetadata, r, now) == nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// Audiences are Decide's answer for reading descriptions, in a form an index
// can keep beside each record and filter on: a record carries the
// audiences that may read it (Audience), a principal the audiences it
// belongs to at a moment (Audiences), and p may read r's description
// exactly when the two share one. A test holds the two forms to the same
// answers.
const (
	// Everyone: any visitor may read the description.
	Everyone = "anyone"
	// allAudiences: a system administrator, who reads everything.
	allAudiences = "*"
)

// Audience lists who may read r's description at now; none when withdrawn,
// only the library's staff when internal.
// A restricted record's audience is its library's members and whoever holds
// a grant of it or of a collection it is within (see Granted): the grant's
// end is the principal's side, so a record's audience does not change when
// a grant is given or ends.
func Audience(r Resource, now time.Time) []string {
	if r.Withdrawn {
		return nil
	}
	if r.Access.Internal {
		return []string{staffAudience(r.Institution)}
	}
	if Effective(r.Access, now) != repository.Restricted {
		return []string{Everyone}
	}
	out := []string{libraryAudience(r.Institution)}
	if r.Kind == "library" {
		return out // a grant never reaches a library
	}
	if k := r.kind(); k == "item" || k == "collection" {
		out = append(out, grantAudience(k, r.Institution, r.ID))
	}
	for _, c := range r.Within {
		out = append(out, grantAudience("collection", r.Institution, c))
	}
	return out
}

// Audiences lists the audiences p belongs to at now, a grant's only before
// its end; all reports that p reads every record whatever its audience.
func Audiences(p Principal, now time.Time) (list []string, all bool) {
	if p.Scope != "" && p.Scope != ScopeRead && p.Scope != ScopeUpload && p.Scope != ScopeWrite {
		return nil, false
	}
	if p.Role == SystemAdmin {
		return []string{Everyone, allAudiences}, true
	}
	list = []string{Everyone}
	if p.Institution != "" && member(p, p.Institution) {
		list = append(list, libraryAudience(p.Institution))
	}
	if p.Institution != "" && staff(p, p.Institution) {
		list = append(list, staffAudience(p.Institution))
	}
	if !p.SignedIn() {
		return list, false
	}
	for _, g := range p.Grants {
		if (g.Kind == "item" || g.Kind == "collection") && now.Before(g.Until) {
			list = append(list, grantAudience(g.Kind, g.Institution, g.ID))
		}
	}
	return list, false
}

func libraryAudience(inst string) string { return "library:" + inst }

// staffAudience: the library's archivists and administrators, who alone
// read its internal records.
func staffAudience(inst string) string { return "staff:" + inst }

// grantAudience: the holders of a grant of kind ("item" or "collection")
// given by inst for id.
func grantAudience(kind, inst, id string) string { return "grant:" + kind + ":" + inst + ":" + id }

// EntryResource is the resource of a harvested catalogue entry: a public
// description of material another repository holds. Everyone may read
// the description; there is nothing of it here to see or download (its
// level is metadata), and a record its source deleted is gone.
func EntryResource(e *repository.Entry) Resource {
	return Resource{Kind: "entry", ID: e.ID, Institution: e.Institution, Access: repository.Access{Level: repository.MetadataOnly}, Withdrawn: e.Deleted}
}
