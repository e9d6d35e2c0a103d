// Package repository holds the archive's domain — institutions, nested
// collections, items and their files, people, and the event trail — with
// the rules each record keeps by itself. It has no storage of its own: the
// metadata store is package repository/bolt, so that deciding (package
// access) and describing need no database.
package repository

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository/edtf"
	"github.com/thaiarchives/archive/storage"
)

// Text is a language map, as in IIIF Presentation 3: language code to text.
type Text map[string]string

// Get returns the text in lang, else English, else Thai, else any.
func (t Text) Get(lang string) string {
	for _, l := range []string{lang, "en", "th", "none"} {
		if v := t[l]; v != "" {
			return v
		}
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// Empty reports whether the map holds no text.
func (t Text) Empty() bool { return t.Get("") == "" }

// Institution is one of the libraries sharing the archive.
type Institution struct {
	ID       string `json:"id"`
	Name     Text   `json:"name"`
	Homepage string `json:"homepage,omitempty"`
	Logo     string `json:"logo,omitempty"`
	// RevealRestricted: anonymous visitors learn that restricted records
	// exist (and are asked to sign in) instead of being told nothing.
	RevealRestricted bool `json:"revealRestricted,omitempty"`
	// SignInRoles maps the affiliations and groups a university's provider
	// gives to the role of a person's new account, as
	// "staff=archivist,faculty=reader,*=reader"; set by the library's
	// administrator, it comes before the operator's setting.
	SignInRoles string    `json:"signInRoles,omitempty"`
	Version     int       `json:"version"`
	Modified    time.Time `json:"modified"`
}

// Level is a collection's place in the archival hierarchy.
type Level string

// Archival levels, and a curated collection that may span libraries.
const (
	Fonds     Level = "fonds"
	Series    Level = "series"
	Subseries Level = "subseries"
	FileLevel Level = "file"
	Curated   Level = "curated"
)

// Collection groups items; collections nest (fonds > series > subseries > file).
// A curated collection lists items from any library.
type Collection struct {
	ID string `json:"id"`
	// ARK is its persistent identifier, as an item's.
	ARK         string    `json:"ark,omitempty"`
	Institution string    `json:"institution"`
	Parent      string    `json:"parent,omitempty"`
	Level       Level     `json:"level"`
	Title       Text      `json:"title"`
	Summary     Text      `json:"summary,omitempty"`
	Members     []string  `json:"members,omitempty"` // items of a curated collection, in order
	Version     int       `json:"version"`
	Created     time.Time `json:"created"`
	Modified    time.Time `json:"modified"`
	Deleted     bool      `json:"deleted,omitempty"`
	Access      Access    `json:"access,omitzero"`
	// Published is when a save first left the collection readable by
	// anonymous visitors, and so by harvesters; zero if it never was.
	Published time.Time `json:"published,omitzero"`
	// Order places the collection among its siblings (smaller first; see tree.go).
	Order float64 `json:"order,omitempty"`
	// Description is the unit's archival description (ISAD(G)), if any.
	Description *Description `json:"description,omitempty"`
}

// Access levels, from open to closed. Who may do what at each level is
// decided in one place, the access package.
const (
	Public       = "public"
	Reduced      = "reduced"    // everyone sees images up to a size; the library's readers see all
	MetadataOnly = "metadata"   // everyone sees the description; the library's readers see the files
	Restricted   = "restricted" // only the library's readers and staff
)

// Levels lists the access levels, from open to closed.
var Levels = []string{Public, Reduced, MetadataOnly, Restricted}

// Access says who may see an item or a collection: a level, and an embargo
// that keeps it restricted until a day.
type Access struct {
	Level string `json:"level"`
	// Embargo, when set (YYYY-MM-DD), makes it restricted until that day.
	Embargo string `json:"embargo,omitempty"`
	// ReadingRoom: the content (images, files) may be read only inside the
	// holding library's reading rooms; the description follows the level.
	ReadingRoom bool `json:"readingRoom,omitempty"`
	// Internal: only the holding library's staff may know of it at all (a
	// finding aid's audience="internal"), whatever the level.
	Internal bool `json:"internal,omitempty"`
}

// Closed reports whether nobody outside the library may read the
// description: restricted, internal, or under an embargo not yet ended.
func (a Access) Closed() bool { return a.Level == Restricted || a.Embargo != "" || a.Internal }

// OpenAt reports whether a lets anonymous visitors read a description at
// now: not restricted, not internal, and no embargo still running.
func (a Access) OpenAt(now time.Time) bool {
	if a.Level == Restricted || a.Internal {
		return false
	}
	return a.Embargo == "" || a.EmbargoEnded(now)
}

// Listing tiers: the people a library's listing may show a record to,
// each tier holding the one before it. Whoever is not among the library's
// staff or members lists the first tier only.
const (
	TierAnyone  = "a" // every visitor
	TierMembers = "m" // the library's readers and staff
	TierStaff   = "s" // the library's staff alone
)

// At is where a page of a listing starts: right after the entry named
// After, or else so as to end right before the entry named Before, or
// else at Offset (the first entry is 0). A page's next and previous links
// carry After and Before, so that a page deep in a kept listing is a seek;
// an offset (a page number's) steps over the entries before it.
type At struct {
	Offset        int
	After, Before string
}

// Tiers lists the listing tiers that show a record whose access, its own
// made stricter by every collection above it, is a, at now: none when it
// is withdrawn, the staff's when internal, the members' and the staff's
// when closed to anonymous visitors, all three when open. A stricter
// access never gains a tier, so a record's tiers are those that it and
// every collection above it share. (access.ListTier is the principal's
// side; a test holds the two to access.Decide.)
func (a Access) Tiers(withdrawn bool, now time.Time) []string {
	switch {
	case withdrawn:
		return nil
	case a.Internal:
		return []string{TierStaff}
	case !a.OpenAt(now):
		return []string{TierMembers, TierStaff}
	}
	return []string{TierAnyone, TierMembers, TierStaff}
}

// EmbargoEnded reports whether a has an embargo whose day has come at now.
// It is the one reading of the embargo's date: access.EmbargoOver, the
// release of embargoes and ingest ask it. A date that is not one never ends.
func (a Access) EmbargoEnded(now time.Time) bool {
	until, err := time.Parse(time.DateOnly, a.Embargo)
	return err == nil && !now.Before(until)
}

// Check validates the level and the embargo date.
func (a Access) Check() []string {
	var problems []string
	if a.Level != "" && !slices.Contains(Levels, a.Level) {
		problems = append(problems, fmt.Sprintf("access level %q is not one of %s", a.Level, strings.Join(Levels, ", ")))
	}
	if a.Embargo != "" {
		if _, err := time.Parse("2006-01-02", a.Embargo); err != nil {
			problems = append(problems, fmt.Sprintf("embargo %q is not a date (YYYY-MM-DD)", a.Embargo))
		}
	}
	return problems
}

// Withdrawal says when, why and by whom an item was withdrawn.
type Withdrawal struct {
	Time   time.Time `json:"time"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	// Purged: a system administrator removed the master files too.
	Purged bool `json:"purged,omitempty"`
}

// File is one stored file of an item: its master and what was derived from it.
type File struct {
	Name      string  `json:"name"`
	Label     Text    `json:"label,omitempty"`
	SHA256    string  `json:"sha256"`
	Size      int64   `json:"size"`
	MediaType string  `json:"mediaType"`
	Width     int     `json:"width,omitempty"`
	Height    int     `json:"height,omitempty"`
	Duration  float64 `json:"duration,omitempty"` // seconds
	Page      int     `json:"page,omitempty"`     // page of a multi-page master, from 1
	// Derivatives, by role ("access" pyramid, "thumb", "poster", "web"), as blob keys.
	Derivatives map[string]string `json:"derivatives,omitempty"`
	// Digests are the SHA-256 of the derivatives as they were stored, by
	// role, so that fixity audits check access copies as they check masters.
	Digests map[string]string `json:"digests,omitempty"`
	// Web is the copy of a recording that browsers play, once it is made:
	// the "web" derivative, or the master itself when browsers play it.
	Web *WebCopy `json:"web,omitempty"`
	// Transcribed: the page's "alto" and "text" are made from its approved
	// transcriptions; what the machine read is kept as "machine-alto" and
	// "machine-text" (where it read anything).
	Transcribed bool `json:"transcribed,omitempty"`
}

// WebCopy describes the copy of a recording that browsers play.
type WebCopy struct {
	MediaType string  `json:"mediaType"`
	Width     int     `json:"width,omitempty"`
	Height    int     `json:"height,omitempty"`
	Duration  float64 `json:"duration,omitempty"` // seconds
}

// WebKey is the blob key of the copy of a recording that browsers play, or
// "" while there is none.
func (f *File) WebKey() string {
	switch {
	case f.Web == nil:
		return ""
	case f.Derivatives["web"] != "":
		return f.Derivatives["web"]
	}
	return storage.DigestKey(f.SHA256)
}

// Field is one labelled metadata pair shown to readers.
type Field struct {
	Label Text `json:"label"`
	Value Text `json:"value"`
}

// Range is an entry of an item's table of contents: a label and the
// canvases (file indexes, from 0) or sub-ranges it covers.
type Range struct {
	Label    Text    `json:"label"`
	Canvases []int   `json:"canvases,omitempty"`
	Ranges   []Range `json:"ranges,omitempty"`
}

// Item is one described archival object: a document, photograph, map,
// manuscript, recording…, with its files in reading order.
type Item struct {
	ID string `json:"id"`
	// ARK is its persistent identifier (ark:/NAAN/name, without a host),
	// minted when it is made and never changed (package ark).
	ARK              string            `json:"ark,omitempty"`
	Institution      string            `json:"institution"`
	Collection       string            `json:"collection,omitempty"`
	Type             string            `json:"type,omitempty"` // DCMI type: Image, Text, Sound, MovingImage
	Title            Text              `json:"title"`
	Summary          Text              `json:"summary,omitempty"`
	Creator          Text              `json:"creator,omitempty"`
	Subjects         []Text            `json:"subjects,omitempty"`
	Points           []PointRef        `json:"points,omitempty"`
	Date             string            `json:"date,omitempty"` // EDTF
	Language         []string          `json:"language,omitempty"`
	Rights           string            `json:"rights,omitempty"` // RightsStatements.org or Creative Commons URI
	Attribution      Text              `json:"attribution,omitempty"`
	Access           Access            `json:"access"`
	Behavior         []string          `json:"behavior,omitempty"`
	ViewingDirection string            `json:"viewingDirection,omitempty"`
	Metadata         []Field           `json:"metadata,omitempty"`
	Structures       []Range           `json:"structures,omitempty"`
	Source           map[string]string `json:"source,omitempty"` // where it came from: bag-info, sheet row…
	Files            []File            `json:"files,omitempty"`
	Version          int               `json:"version"`
	Created          time.Time         `json:"created"`
	Modified         time.Time         `json:"modified"`
	Deleted          bool              `json:"deleted,omitempty"`
	Withdrawal       *Withdrawal       `json:"withdrawal,omitempty"`
	// Published is when a save first left the item readable by anonymous
	// visitors, and so by harvesters; zero if it never was.
	Published time.Time `json:"published,omitzero"`
}

// Event is one entry of the PREMIS-like trail: who did what, when, to which
// object, and how it went.
type Event struct {
	ID      string    `json:"id"`
	Time    time.Time `json:"time"`
	Type    string    `json:"type"` // ingestion, fixity check, derivation, modification, deletion…
	Object  string    `json:"object"`
	Agent   string    `json:"agent"`
	Outcome string    `json:"outcome"` // success, failure, warning
	Detail  string    `json:"detail,omitempty"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// ValidID reports whether id is a well-formed identifier: lower-case letters,
// digits and hyphens, URL- and storage-safe.
func ValidID(id string) bool { return idPattern.MatchString(id) }

var viewingDirections = []string{"", "left-to-right", "right-to-left", "top-to-bottom", "bottom-to-top"}

// Validate checks an item's own fields.
func (it *Item) Validate() error {
	var problems []string
	if it.Title.Empty() {
		problems = append(problems, "a title (in Thai or English) is required")
	}
	if it.Institution == "" {
		problems = append(problems, "the holding institution is required")
	}
	if it.Date != "" && !edtf.Valid(it.Date) {
		problems = append(problems, fmt.Sprintf("date %q is not EDTF (e.g. 2019-06-18, 1957~, 199X, 1932/1945)", it.Date))
	}
	if it.Rights != "" && !ValidRights(it.Rights) {
		problems = append(problems, fmt.Sprintf("rights %q is not a RightsStatements.org or Creative Commons URI", it.Rights))
	}
	problems = append(problems, it.Access.Check()...)
	if !slices.Contains(viewingDirections, it.ViewingDirection) {
		problems = append(problems, fmt.Sprintf("viewing direction %q is not one of %s", it.ViewingDirection, strings.Join(viewingDirections[1:], ", ")))
	}
	for i, f := range it.Files {
		if !storage.IsHexDigest(f.SHA256) {
			problems = append(problems, fmt.Sprintf("file %d (%s) has no valid SHA-256", i+1, f.Name))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("item %s: %s: %w", it.ID, strings.Join(problems, "; "), fault.Invalid)
	}
	return nil
}

// ValidRights reports whether u is a RightsStatements.org statement or a
// Creative Commons licence or public-domain URI.
func ValidRights(u string) bool {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") {
		return false
	}
	switch p.Host {
	case "rightsstatements.org":
		return strings.HasPrefix(p.Path, "/vocab/")
	case "creativecommons.org":
		return strings.HasPrefix(p.Path, "/licenses/") || strings.HasPrefix(p.Path, "/publicdomain/")
	}
	return false
}
