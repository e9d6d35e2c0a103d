package bolt

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/thaiarchives/archive/ark"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

var (
	bMeta         = []byte("meta")
	bInstitutions = []byte("institutions")
	bCollections  = []byte("collections")
	bItems        = []byte("items")
	bEvents       = []byte("events")
	ixCollItems   = []byte("ix_collection_items")
	ixInstItems   = []byte("ix_institution_items")
	ixInstColls   = []byte("ix_institution_collections")
	ixChildren    = []byte("ix_children")
	ixDigest      = []byte("ix_digest")
	ixModified    = []byte("ix_modified")
	ixActivity    = []byte("ix_activity") // item creations, changes, deletions in time order
	// ixTouched: unit → when something below it last changed that its tree
	// no longer shows or does not date (a unit moved out or withdrawn, an
	// item edited), for the datestamps of finding aids. Derived: a rebuild
	// starts it again.
	ixTouched = []byte("ix_touched")
	// durable: rebuilt from storage; the sessions are not (a rebuild signs everyone out).
	durableBuckets = [][]byte{bMeta, bInstitutions, bCollections, bItems, bEvents, ixCollItems, ixInstItems, ixInstColls, ixChildren, ixDigest, ixModified, ixActivity, ixActivityAt, ixListed, ixListedCount, ixTops, ixTopsCount, ixRelist,
		bUsers, bTokens, ixEmail, ixToken, ixInstUser, bRequests, ixReqUser, ixReqInst, ixSignIn,
		bContainers, ixInstContainers, ixContainerBarcode, ixContainerUnits, ixContainerCount,
		bPoints, ixPointKey, ixPointLinks, ixLibraryPoints, ixEmbargo, ixWork, ixSetItems, ixItemSets, bAnnotations, ixAnnotations, ixAnnoPublic,
		bGroups, ixGroupUser, ixARKs, bSources, bEntries, ixEntryKey, ixInstEntries}
	allBuckets = append(durableBuckets, bSessions, ixAccess, ixTouched, ixGrantViews)
	keySchema  = []byte("schema")
)

// Store is the metadata store: bbolt for lookups and indexes, blob storage for
// the records themselves. One process writes; the saves of one record are
// serialised, those of different records are not.
type Store struct {
	db    *bbolt.DB
	blobs repository.Blobs
	locks recordLocks // orders the saves of each record (locks.go)
	gen   atomic.Uint64
	// feedCh is closed and replaced when the change feed grows.
	feedMu sync.Mutex
	feedCh chan struct{}
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// trees keeps whole archival trees read lately (tree.go).
	trees treeCache
	// replica: the store follows a writer (replica.go) and refuses changes of its own.
	replica bool
	// caughtUp is when a replica last took in all the writer had published
	// (unix nanoseconds; 0: not yet).
	caughtUp atomic.Int64
	// RelistBatch, when set, is how many items one transaction of the
	// relisting of changed units places (relist.go); RelistPause, when
	// set, is asked between two, and leaves the rest for the next save or
	// open when it says false. Tests may set them (a stop midway).
	RelistBatch int
	RelistPause func() bool
	// ARKs mints the ARK of every item and collection saved without one
	// (nil: none are minted). Set before the store is used.
	ARKs *ark.Minter
}

// Open opens (or creates) the store at path. A new, empty file is filled from
// the records in blob storage, so a lost database file comes back by itself;
// the three founding libraries are seeded when absent.
func Open(ctx context.Context, path string, blobs repository.Blobs) (*Store, error) {
	return open(ctx, path, blobs, false, Options{})
}

// OpenWith is Open with options (the progress of filling a new file).
func OpenWith(ctx context.Context, path string, blobs repository.Blobs, opts Options) (*Store, error) {
	return open(ctx, path, blobs, false, opts)
}

func open(ctx context.Context, path string, blobs repository.Blobs, replica bool, opts Options) (*Store, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && !replica {
		if err := fill(ctx, path, blobs, opts); err != nil {
			return nil, err
		}
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, lockedError("the metadata store " + path + " is in use by another process (is the archive already running?)")
	}
	if err != nil {
		return nil, fmt.Errorf("the metadata store %s cannot be opened: %v", path, unwrapPathErr(err))
	}
	os.Chmod(path, 0o600) // files of older versions were readable by everyone
	s := &Store{db: db, blobs: blobs, Now: func() time.Time { return time.Now().UTC() }, feedCh: make(chan struct{}), replica: replica}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.relist(); err != nil { // what a stop or a crash left undone
		db.Close()
		return nil, fmt.Errorf("listing the items of changed units again: %w", err)
	}
	if replica {
		return s, nil // filled by CatchUp, from what the writer published
	}
	if err := s.seed(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// fill makes the database file at path from the records in storage. It is
// made under another name and renamed when whole, so a fill that fails or
// a crash midway leaves no file that passes for a whole one next time; the
// batches need not reach the disk one by one: one sync when all is there.
func fill(ctx context.Context, path string, blobs repository.Blobs, opts Options) error {
	tmp := path + ".filling"
	os.Remove(tmp) // what a crash midway left
	db, err := bbolt.Open(tmp, 0o600, &bbolt.Options{Timeout: time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return lockedError("the metadata store " + path + " is being made by another process (is the archive already running?)")
	}
	if err != nil {
		return fmt.Errorf("the metadata store %s cannot be made: %v", path, unwrapPathErr(err))
	}
	s := &Store{db: db, blobs: blobs, Now: func() time.Time { return time.Now().UTC() }, feedCh: make(chan struct{})}
	err = s.migrate()
	if err == nil {
		db.NoSync = true
		_, err = s.load(ctx, opts.Progress)
		db.NoSync = false
	}
	if err == nil {
		err = db.Sync()
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("filling the new metadata store from storage: %w", err)
	}
	return nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Generation changes whenever an item or collection is saved, so caches of
// what the store says can tell when to look again.
func (s *Store) Generation() uint64 { return s.gen.Load() }

// Close closes the database file.
func (s *Store) Close() error { return s.db.Close() }

// Check reports whether the database answers.
func (s *Store) Check() error {
	return s.view(func(tx *bbolt.Tx) error {
		if tx.Bucket(bMeta) == nil {
			return errors.New("metadata store has no schema")
		}
		return nil
	})
}

// migrations[v] upgrades a file of schema v to v+1, inside one transaction.
var migrations = map[int]func(*bbolt.Tx) error{
	1: migrate1to2,
	2: indexActivities,
	3: func(*bbolt.Tx) error { return nil }, // 4 adds users, tokens and sessions: new buckets only
	4: newEpoch,                             // 5 adds the change feed
}

func (s *Store) migrate() error {
	return s.update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bMeta)
		v := repository.SchemaVersion
		if meta == nil {
			if tx.Bucket(bItems) != nil {
				v = 1 // version 1 had no meta bucket
			}
		} else if _, err := fmt.Sscan(string(meta.Get(keySchema)), &v); err != nil {
			return fmt.Errorf("metadata store has an unreadable schema version: %w", err)
		}
		if v > repository.SchemaVersion {
			return fmt.Errorf("the metadata store has schema %d, newer than this program's %d: use a newer archive binary", v, repository.SchemaVersion)
		}
		for ; v < repository.SchemaVersion; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("migrating the metadata store from schema %d: %w", v, err)
			}
		}
		// A file made before the queues of background work were kept
		// gets them from its records.
		unqueued := tx.Bucket(ixWork) == nil
		noSets := tx.Bucket(ixSetItems) == nil
		// Not in a store of an older version:
		numbered, listed := tx.Bucket(ixActivityAt) != nil, tx.Bucket(ixListed) != nil
		topped := tx.Bucket(ixTops) != nil
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if unqueued {
			if err := indexBackground(tx); err != nil {
				return fmt.Errorf("indexing embargoes and background work: %w", err)
			}
		}
		if noSets { // a file of an earlier version: its items are listed now
			if err := buildSetIndex(tx); err != nil {
				return fmt.Errorf("building the set index: %w", err)
			}
		}
		if !numbered {
			if err := numberActivities(tx); err != nil {
				return err
			}
		}
		if !listed {
			if err := listAll(tx); err != nil {
				return err
			}
		}
		if !topped {
			if err := listTops(tx); err != nil {
				return fmt.Errorf("listing the top-level units: %w", err)
			}
		}
		if tx.Bucket(bFeed) == nil {
			if err := newEpoch(tx); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(keySchema, []byte(fmt.Sprint(repository.SchemaVersion)))
	})
}

// migrate1to2: schema 1 kept items, collections, institutions and events with
// only the collection index; 2 adds the meta bucket and the institution,
// digest, last-modified and hierarchy indexes, built here from the records.
func migrate1to2(tx *bbolt.Tx) error {
	for _, b := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bItems).ForEach(func(k, v []byte) error {
		var it repository.Item
		if err := json.Unmarshal(v, &it); err != nil {
			return fmt.Errorf("item %s: %w", k, err)
		}
		return indexItem(tx, nil, &it)
	}); err != nil {
		return err
	}
	return tx.Bucket(bCollections).ForEach(func(k, v []byte) error {
		var c repository.Collection
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("collection %s: %w", k, err)
		}
		return indexCollection(tx, nil, &c)
	})
}

// indexActivities (schema 2 → 3) builds the activity index from the events
// of items, in the key order of the index (bbolt splits pages only at
// commit, so puts in any other order shift an ever longer slice), then
// numbers it.
func indexActivities(tx *bbolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(ixActivity); err != nil {
		return err
	}
	entries, err := activities(tx)
	if err != nil {
		return err
	}
	b := tx.Bucket(ixActivity)
	for _, e := range entries {
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return numberActivities(tx)
}

// entry is one key and value of an index.
type entry struct{ k, v []byte }

// activities returns the activity index's entries for the events in the
// store, in key order.
func activities(tx *bbolt.Tx) ([]entry, error) {
	var out []entry
	items := tx.Bucket(bItems)
	err := tx.Bucket(bEvents).ForEach(func(k, v []byte) error {
		var e repository.Event
		if err := json.Unmarshal(v, &e); err != nil {
			return err
		}
		typ, ok := activityTypes[e.Type]
		if ok && items.Get([]byte(e.Object)) != nil {
			out = append(out, entry{timeKey(e.Time, e.ID), []byte(typ + " " + e.Object)})
		}
		return nil
	})
	slices.SortFunc(out, func(a, b entry) int { return bytes.Compare(a.k, b.k) })
	return out, err
}

// activityTypes maps item events to Change Discovery activities.
var activityTypes = map[string]string{"creation": "Create", "modification": "Update", "deletion": "Delete"}

func (s *Store) seed(ctx context.Context) error {
	for _, in := range seed {
		if _, err := s.Institution(in.ID); err == nil {
			continue
		}
		in := in
		if err := s.SaveInstitution(ctx, &in); err != nil {
			return fmt.Errorf("seeding institution %s: %w", in.ID, err)
		}
	}
	return nil
}

// --- keys ---

func join(a, b string) []byte { return []byte(a + "\x00" + b) }

// unindex removes key from the index bucket; its error (a read-only
// transaction, a key that names a bucket) rolls the change back rather than
// leaving an entry that points at a record's old state.
func unindex(tx *bbolt.Tx, bucket, key []byte) error {
	if err := tx.Bucket(bucket).Delete(key); err != nil {
		return fmt.Errorf("unindexing %q from %s: %w", key, bucket, err)
	}
	return nil
}

func timeKey(t time.Time, id string) []byte {
	k := make([]byte, 8, 9+len(id))
	binary.BigEndian.PutUint64(k, uint64(t.UnixNano()))
	return append(append(k, 0), id...)
}

const idAlphabet = "0123456789bcdfghjkmnpqrstvwxz" // no vowels: no words by chance

func newID() string {
	var b [10]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b[:])
}

// --- records in storage ---

// record is the self-describing JSON each version of an object is stored as.
type record struct {
	Schema      int                     `json:"schema"`
	Kind        string                  `json:"kind"`
	Institution *repository.Institution `json:"institution,omitempty"`
	Collection  *repository.Collection  `json:"collection,omitempty"`
	Item        *repository.Item        `json:"item,omitempty"`
	User        *repository.User        `json:"user,omitempty"`
	Token       *repository.Token       `json:"token,omitempty"`
	Request     *repository.Request     `json:"request,omitempty"`
	Container   *repository.Container   `json:"container,omitempty"`
	Point       *repository.Point       `json:"point,omitempty"`
	Annotation  *repository.Annotation  `json:"annotation,omitempty"`
	Group       *repository.Group       `json:"group,omitempty"`
	Source      *repository.Source      `json:"source,omitempty"`
	Entry       *repository.Entry       `json:"entry,omitempty"`
	Events      []repository.Event      `json:"events,omitempty"` // the events of one action, one object
	// gone, on a replica only, names a request whose record the writer
	// removed for good: the replica drops its copy.
	gone string
}

func eventKey(e *repository.Event) string { return "records/events/" + e.Object + "/" + e.ID + ".json" }

func (s *Store) putRecord(ctx context.Context, key string, r record) error {
	if s.replica {
		return fmt.Errorf("writing record %s: %w", key, fault.ReadOnly)
	}
	r.Schema = repository.SchemaVersion
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	_, err = s.blobs.Put(ctx, key, bytes.NewReader(b), storage.PutOptions{Size: int64(len(b)), ContentType: "application/json"})
	if err != nil {
		return fmt.Errorf("writing record %s: %w", key, err)
	}
	return nil
}

// --- generic bucket helpers ---

func getJSON(tx *bbolt.Tx, bucket []byte, id string, v any) error {
	b := tx.Bucket(bucket).Get([]byte(id))
	if b == nil {
		return fmt.Errorf("%s %q: %w", bucket[:len(bucket)-1], id, fault.NotFound)
	}
	return json.Unmarshal(b, v)
}

func putJSON(tx *bbolt.Tx, bucket []byte, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Bucket(bucket).Put([]byte(id), b)
}

// --- institutions ---

// SaveInstitution creates or updates an institution.
func (s *Store) SaveInstitution(ctx context.Context, in *repository.Institution) error {
	if !repository.ValidID(in.ID) || in.Name.Empty() {
		return fmt.Errorf("institution %q needs a valid id and a name: %w", in.ID, fault.Invalid)
	}
	defer s.locks.lock(lockSet{mine: []string{"institution/" + in.ID}})()
	next := *in
	if old, err := s.Institution(in.ID); err == nil {
		if old.Version != in.Version {
			return fmt.Errorf("institution %s is at version %d, not %d: %w", in.ID, old.Version, in.Version, fault.Conflict)
		}
	} else if in.Version != 0 {
		return fmt.Errorf("institution %s: %w", in.ID, fault.NotFound)
	}
	next.Version++
	next.Modified = s.Now()
	if err := s.putRecord(ctx, repository.RecordKey("institutions", next.ID, next.Version), record{Kind: "institution", Institution: &next}); err != nil {
		return err
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		if err := putJSON(tx, bInstitutions, next.ID, &next); err != nil {
			return err
		}
		return appendFeed(tx, repository.FeedEntry{Time: next.Modified, Kind: "institution", ID: next.ID, Version: next.Version, Op: feedOp(next.Version == 1, false)})
	}); err != nil {
		return err
	}
	s.announce()
	*in = next
	return nil
}

// Institution returns one institution.
func (s *Store) Institution(id string) (*repository.Institution, error) {
	var in repository.Institution
	err := s.view(func(tx *bbolt.Tx) error { return getJSON(tx, bInstitutions, id, &in) })
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// Institutions returns every institution, in identifier order.
func (s *Store) Institutions() ([]*repository.Institution, error) {
	var out []*repository.Institution
	err := s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket(bInstitutions).ForEach(func(k, v []byte) error {
			var in repository.Institution
			if err := json.Unmarshal(v, &in); err != nil {
				return err
			}
			out = append(out, &in)
			return nil
		})
	})
	return out, err
}

// view and update run a bbolt transaction. A database that cannot be read
// or written (closed, its file gone bad) is an unavailable store, as a
// storage outage is, never mistaken for a missing record.
func (s *Store) view(fn func(*bbolt.Tx) error) error { return dbErr(s.db.View(fn)) }

func (s *Store) update(fn func(*bbolt.Tx) error) error { return dbErr(s.db.Update(fn)) }

func dbErr(err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) || errors.Is(err, berrors.ErrDatabaseReadOnly) || errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) {
		return fmt.Errorf("metadata store: %v: %w", err, fault.Unavailable)
	}
	return err
}

// lockedError says another process holds the store; it is ErrLocked.
type lockedError string

func (e lockedError) Error() string        { return string(e) }
func (e lockedError) Is(target error) bool { return target == repository.ErrLocked }
