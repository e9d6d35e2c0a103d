package bolt

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

func (s *Store) readRecord(ctx context.Context, key string) (*record, error) {
	rc, err := s.blobs.Get(ctx, key, 0, -1)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var r record
	if err := json.NewDecoder(io.LimitReader(rc, 64<<20)).Decode(&r); err != nil {
		return nil, fmt.Errorf("record %s is not valid JSON: %v: %w", key, err, fault.Invalid)
	}
	if r.Schema > repository.SchemaVersion {
		return nil, fmt.Errorf("record %s has schema %d, newer than this program's: %w", key, r.Schema, fault.Invalid)
	}
	return &r, nil
}

// latestRecords lists records/ and returns, for each versioned object, the key
// of its newest version, then every event's key, each part in key order.
func (s *Store) latestRecords(ctx context.Context) ([]string, error) {
	latest := map[string]int{} // "kind/id" → version
	var events []string
	err := s.blobs.List(ctx, "records/", func(i storage.Info) error {
		parts := strings.Split(i.Key, "/")
		if len(parts) != 4 || !strings.HasSuffix(parts[3], ".json") {
			return nil
		}
		if parts[1] == "events" {
			events = append(events, i.Key)
			return nil
		}
		v, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(parts[3], "v"), ".json"))
		if err != nil {
			return nil
		}
		id := parts[1] + "/" + parts[2]
		latest[id] = max(latest[id], v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(latest)+len(events))
	for id, v := range latest {
		kind, obj, _ := strings.Cut(id, "/")
		keys = append(keys, repository.RecordKey(kind, obj, v))
	}
	// In key order, each kind's records go into their bucket nearly in its
	// own order, so that a batch appends to a few pages of the tree rather
	// than touching all of them. The events come after the objects they
	// are about (a replica indexes an item's activity as it takes them in).
	slices.Sort(keys)
	slices.Sort(events)
	return append(keys, events...), nil
}

// loadBatch is how many records one transaction of a load registers: the
// memory of a batch is bounded, and each commit writes what it changed.
const loadBatch = 5000

// load fills the (empty) database from the records in storage, reading them
// with a few requests at a time and registering them in batches, in the
// order of their keys; progress, when set, hears of each batch.
func (s *Store) load(ctx context.Context, progress func(Progress)) (repository.Counts, error) {
	var n repository.Counts
	if progress == nil {
		progress = func(Progress) {}
	}
	progress(Progress{Stage: StageListing})
	keys, err := s.latestRecords(ctx)
	if err != nil || len(keys) == 0 {
		return n, err
	}
	progress(Progress{Stage: StageRecords, Total: len(keys)})
	done := 0
	if err := s.update(dropListed); err != nil { // filled once all units are in (listAll)
		return n, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan int)
	results := make(chan keyed, 64)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				r, err := s.readRecord(ctx, keys[i])
				if err != nil {
					select {
					case errc <- err:
						cancel()
					default:
					}
					return
				}
				results <- keyed{i, r}
			}
		}()
	}
	go func() {
		defer close(work)
		for i := range keys {
			select {
			case work <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	var batch []keyed
	flush := func() error {
		// The readers return records a little out of order.
		slices.SortFunc(batch, func(a, b keyed) int { return a.i - b.i })
		err := s.update(func(tx *bbolt.Tx) error {
			for _, r := range batch {
				if err := insertRecord(tx, r.r, &n); err != nil {
					return err
				}
			}
			return nil
		})
		done += len(batch)
		batch = batch[:0]
		if err == nil {
			progress(Progress{Stage: StageRecords, Done: done, Total: len(keys)})
		}
		return err
	}
	for r := range results {
		if batch = append(batch, r); len(batch) == loadBatch {
			if err := flush(); err != nil {
				cancel()
				for range results {
				}
				return n, err
			}
		}
	}
	select {
	case err := <-errc:
		return n, err
	default:
	}
	if err := ctx.Err(); err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	if err := s.indexActivities(progress); err != nil {
		return n, err
	}
	if err := s.update(numberActivities); err != nil {
		return n, err
	}
	return n, s.update(listAll)
}

// keyed is a record read, with the place of its key in the load's order.
type keyed struct {
	i int
	r *record
}

// indexActivities fills the activity index of a loaded store in key order,
// in transactions of bounded size: each appends to the last pages of the
// index, so the whole costs what it holds.
func (s *Store) indexActivities(progress func(Progress)) error {
	var entries []entry
	if err := s.view(func(tx *bbolt.Tx) error {
		var err error
		entries, err = activities(tx)
		return err
	}); err != nil {
		return err
	}
	progress(Progress{Stage: StageActivity, Total: len(entries)})
	for start := 0; start < len(entries); start += activityBatch {
		part := entries[start:min(start+activityBatch, len(entries))]
		if err := s.update(func(tx *bbolt.Tx) error {
			b := tx.Bucket(ixActivity)
			b.FillPercent = 1 // appended in order: full pages
			for _, e := range part {
				if err := b.Put(e.k, e.v); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		progress(Progress{Stage: StageActivity, Done: start + len(part), Total: len(entries)})
	}
	return nil
}

// activityBatch is how many activity entries one transaction writes.
const activityBatch = 20000

func insertRecord(tx *bbolt.Tx, r *record, n *repository.Counts) error {
	switch {
	case r.Institution != nil:
		n.Institutions++
		return putJSON(tx, bInstitutions, r.Institution.ID, r.Institution)
	case r.Collection != nil:
		n.Collections++
		if err := putJSON(tx, bCollections, r.Collection.ID, r.Collection); err != nil {
			return err
		}
		return keepFirstARK(indexCollection(tx, nil, r.Collection))
	case r.Item != nil:
		n.Items++
		if err := putJSON(tx, bItems, r.Item.ID, r.Item); err != nil {
			return err
		}
		return keepFirstARK(indexItem(tx, nil, r.Item))
	case r.User != nil:
		n.Users++
		return insertUser(tx, nil, r.User)
	case r.Token != nil:
		return insertToken(tx, r.Token)
	case r.Request != nil:
		return insertRequest(tx, r.Request)
	case r.Container != nil:
		return insertContainer(tx, nil, r.Container)
	case r.Point != nil:
		return insertPoint(tx, nil, r.Point)
	case r.Annotation != nil:
		return insertAnnotation(tx, nil, r.Annotation)
	case r.Group != nil:
		return insertGroup(tx, nil, r.Group)
	case r.Source != nil:
		return putJSON(tx, bSources, r.Source.ID, r.Source)
	case r.Entry != nil:
		return insertEntry(tx, nil, r.Entry)
	case r.Events != nil:
		for i := range r.Events {
			n.Events++
			if err := putJSON(tx, bEvents, string(join(r.Events[i].Object, r.Events[i].ID)), &r.Events[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// The stages of filling a store from storage, in order.
const (
	StageListing  = "listing"  // listing the records in storage
	StageRecords  = "records"  // reading and registering them
	StageActivity = "activity" // indexing the items' activity
)

// Progress is how far filling a new store from storage has come: Done of
// Total records or entries of a stage.
type Progress struct {
	Stage       string
	Done, Total int
}

// Options adjust how a store is opened or rebuilt.
type Options struct {
	// Progress, when set, hears how far filling a new store from the
	// records in storage has come, after each batch.
	Progress func(Progress)
}

// Rebuild recreates the metadata store at path from the records in blob
// storage alone. An existing file is replaced only with force, and kept
// beside it as path.before-rebuild.
func Rebuild(ctx context.Context, path string, blobs repository.Blobs, force bool) (repository.Counts, error) {
	return RebuildWith(ctx, path, blobs, force, Options{})
}

// RebuildWith is Rebuild with options (its progress).
func RebuildWith(ctx context.Context, path string, blobs repository.Blobs, force bool, opts Options) (repository.Counts, error) {
	if _, err := os.Stat(path); err == nil {
		if !force {
			return repository.Counts{}, fmt.Errorf("the metadata store %s exists: rebuild replaces it only when forced (--force)", path)
		}
		db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: 500e6, ReadOnly: true})
		if err != nil {
			return repository.Counts{}, fmt.Errorf("the metadata store %s is in use by another process (stop the archive first)", path)
		}
		db.Close()
	}
	tmp := path + ".rebuild"
	os.Remove(tmp)
	s, err := OpenWith(ctx, tmp, blobs, opts)
	if err != nil {
		os.Remove(tmp)
		return repository.Counts{}, err
	}
	n, err := s.count()
	s.Close()
	if err != nil {
		os.Remove(tmp)
		return n, err
	}
	if _, err := os.Stat(path); err == nil {
		if err := os.Rename(path, path+".before-rebuild"); err != nil {
			return n, err
		}
	}
	return n, os.Rename(tmp, path)
}

func (s *Store) count() (repository.Counts, error) {
	var n repository.Counts
	err := s.view(func(tx *bbolt.Tx) error {
		n.Institutions = tx.Bucket(bInstitutions).Stats().KeyN
		n.Collections = tx.Bucket(bCollections).Stats().KeyN
		n.Items = tx.Bucket(bItems).Stats().KeyN
		n.Events = tx.Bucket(bEvents).Stats().KeyN
		n.Users = tx.Bucket(bUsers).Stats().KeyN
		return nil
	})
	return n, err
}

// Backup writes a consistent copy of the database file while the store stays
// in use, and returns its size. The copy is taken to a file first, so a
// slow reader never holds a read transaction (which would keep bbolt from
// reusing the pages writers free meanwhile).
func (s *Store) Backup(w io.Writer) (int64, error) {
	snap, err := s.Snapshot()
	if err != nil {
		return 0, err
	}
	defer snap.Close()
	return io.Copy(w, snap)
}

// Snapshot copies the database file, in one read transaction that ends
// before it returns, to a temporary file beside it (where there is room
// for a copy of the store).
func (s *Store) Snapshot() (*repository.Snapshot, error) {
	f, err := os.CreateTemp(filepath.Dir(s.db.Path()), ".snapshot-*.db")
	if err != nil {
		return nil, fmt.Errorf("a copy of the metadata store cannot be made: %v: %w", unwrapPathErr(err), fault.Unavailable)
	}
	snap := &repository.Snapshot{File: f}
	err = s.view(func(tx *bbolt.Tx) error {
		var err error
		snap.Size, err = tx.WriteTo(f)
		return err
	})
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		snap.Close()
		return nil, fmt.Errorf("copying the metadata store: %v: %w", unwrapPathErr(err), fault.Unavailable)
	}
	return snap, nil
}

// Dump writes every bucket's keys and values in order, one line each: two
// stores with the same dump hold the same metadata.
func (s *Store) Dump(w io.Writer) error {
	return s.view(func(tx *bbolt.Tx) error {
		for _, b := range durableBuckets {
			if err := tx.Bucket(b).ForEach(func(k, v []byte) error {
				_, err := fmt.Fprintf(w, "%s %s %s\n", b, hex.EncodeToString(k), v)
				return err
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

// BackupFile copies the database at path without opening it for writing:
// for use when no server holds it.
func BackupFile(path string, w io.Writer) (int64, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: 500e6, ReadOnly: true})
	if errors.Is(err, berrors.ErrTimeout) {
		return 0, repository.ErrLocked
	}
	if err != nil {
		return 0, fmt.Errorf("the metadata store %s cannot be opened: %v", path, unwrapPathErr(err))
	}
	defer db.Close()
	// No server holds the file: the copy goes straight to w.
	var n int64
	err = db.View(func(tx *bbolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}
