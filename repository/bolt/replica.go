package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// Replication: one node writes, any number of replicas follow it through
// blob storage alone, with no connection between nodes.
//
// The writer publishes (Publish) its change feed and its event log to
// storage as numbered segments, each naming the records a change wrote:
//
//	replication/head.json               where the log ends: {"epoch", "next"} (a hint, rewritten)
//	replication/{epoch}/{n}.json        segment n (from 1): feed entries and event records
//
// A replica keeps a bbolt file of its own (OpenReplica), filled first from
// the records in storage and then from each segment in turn (CatchUp,
// Follow), reading the records the segments name: what it holds is what a
// rebuild would make of the same records. Its own change feed announces each
// change it takes in, so its search index and caches follow as the writer's do.

var (
	// bEventLog lists the keys of event records in the order they were
	// committed (the change feed announces changes, not their events).
	bEventLog = []byte("eventlog")
	// bReplica holds a replica's place in the writer's log.
	bReplica  = []byte("replica")
	keyCursor = []byte("cursor")
)

const (
	headKey = "replication/head.json"
	// segmentMax bounds the changes, and the events, in one segment.
	segmentMax = 1000
	// logRetention is how long published segments are kept: a replica
	// stopped longer than this takes the records again when it starts.
	logRetention = 7 * 24 * time.Hour
)

func segmentKey(epoch string, n uint64) string {
	return fmt.Sprintf("replication/%s/%012d.json", epoch, n)
}

// segment is one published piece of the writer's log. FeedLast and
// EventsLast are where the writer's feed and event log stood when it was
// cut, so the next segment goes on from there.
type segment struct {
	Epoch      string   `json:"epoch"`
	N          uint64   `json:"n"`
	FeedLast   uint64   `json:"feed_last"`
	EventsLast uint64   `json:"events_last"`
	Changes    []change `json:"changes,omitempty"`
	Events     []string `json:"events,omitempty"` // keys of event records
}

// change is a feed entry with the key of the record it announces.
type change struct {
	repository.FeedEntry
	Key string `json:"key"`
}

// head is where the published log ends, or near it: segment Next is the
// first that was not there when it was written.
type head struct {
	Epoch string `json:"epoch"`
	Next  uint64 `json:"next"`
}

// cursor is a replica's place: the writer's epoch and the next segment.
type cursor head

// logEvents appends an events record's key to the event log, inside the
// transaction that registers the events.
func logEvents(tx *bbolt.Tx, key string) error {
	b, err := tx.CreateBucketIfNotExists(bEventLog)
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return b.Put(binary.BigEndian.AppendUint64(nil, seq), []byte(key))
}

// --- the writer ---

// Publish copies the change feed and the event log to storage, as segments
// that replicas follow, until ctx ends. It goes on where the published log
// ends, so a restart repeats nothing and skips nothing; storage failures are
// logged and tried again.
func (s *Store) Publish(ctx context.Context, log *slog.Logger) error {
	if s.replica {
		return fault.ReadOnly
	}
	epoch, _, err := s.FeedEpoch()
	if err != nil {
		return err
	}
	var last segment
	pause := time.Second
	for {
		last, err = s.publishedEnd(ctx, epoch)
		if err == nil {
			break
		}
		log.Warn("replication: cannot read the published log; trying again", "err", err)
		if !sleep(ctx, pause) {
			return ctx.Err()
		}
		pause = min(2*pause, 30*time.Second)
	}
	pause = time.Second
	var pruned time.Time
	for {
		// Take the wake-up channel before looking, so no change slips between.
		s.feedMu.Lock()
		changed := s.feedCh
		s.feedMu.Unlock()
		next, err := s.pending(epoch, last)
		if err == nil && (len(next.Changes) > 0 || len(next.Events) > 0) {
			if err = s.putJSONBlob(ctx, segmentKey(epoch, next.N), next); err == nil {
				last = next
				pause = time.Second
				// The head is a hint: replicas and a restart look past it.
				if err := s.putJSONBlob(ctx, headKey, head{Epoch: epoch, Next: next.N + 1}); err != nil {
					log.Warn("replication: head not updated", "err", err)
				}
				if time.Since(pruned) > time.Hour {
					pruned = time.Now()
					if err := s.pruneLog(ctx, epoch, last.N, pruned.Add(-logRetention)); err != nil {
						log.Warn("replication: old segments not removed", "err", err)
					}
				}
				continue
			}
		}
		if err != nil {
			log.Warn("replication: publishing failed; trying again", "segment", next.N, "err", err)
			if !sleep(ctx, pause) {
				return ctx.Err()
			}
			pause = min(2*pause, 30*time.Second)
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
			sleep(ctx, 50*time.Millisecond) // gather what comes with it
		case <-time.After(time.Minute):
		}
	}
}

// publishedEnd finds the last segment published in this epoch (a zero
// segment when there is none).
func (s *Store) publishedEnd(ctx context.Context, epoch string) (segment, error) {
	last := segment{Epoch: epoch}
	var h head
	if err := s.getJSONBlob(ctx, headKey, &h); err != nil && !errors.Is(err, fault.NotFound) {
		return last, err
	}
	n := uint64(1)
	if h.Epoch == epoch && h.Next > 1 {
		n = h.Next - 1
	}
	// The head is a hint: a publisher stopped between a segment and the
	// head leaves it behind (or none at all), and pruning may have taken
	// the segment it names. Then the highest segment left is where to look
	// from.
	for first := true; ; n++ {
		var seg segment
		err := s.getJSONBlob(ctx, segmentKey(epoch, n), &seg)
		if errors.Is(err, fault.NotFound) && first {
			first = false
			highest, err := s.highestSegment(ctx, epoch)
			if err != nil || highest == 0 {
				return last, err
			}
			n = highest - 1
			continue
		}
		first = false
		if errors.Is(err, fault.NotFound) {
			return last, nil
		}
		if err != nil {
			return last, err
		}
		last = seg
	}
}

// highestSegment is the number of the last segment of an epoch in storage
// (0: none).
func (s *Store) highestSegment(ctx context.Context, epoch string) (uint64, error) {
	prefix := "replication/" + epoch + "/"
	var n uint64
	err := s.blobs.List(ctx, prefix, func(i storage.Info) error {
		var m uint64
		if _, err := fmt.Sscanf(strings.TrimPrefix(i.Key, prefix), "%d.json", &m); err == nil {
			n = max(n, m)
		}
		return nil
	})
	return n, err
}

// pruneLog removes the segments written before cutoff, but never the
// current epoch's last one (where a restarted publisher goes on from), and
// every segment of earlier epochs. A replica that was further behind takes
// the records again (CatchUp).
func (s *Store) pruneLog(ctx context.Context, epoch string, last uint64, cutoff time.Time) error {
	rm, ok := s.blobs.(storage.Remover)
	if !ok {
		return nil // a store that cannot delete keeps the log
	}
	var old []string
	err := s.blobs.List(ctx, "replication/", func(i storage.Info) error {
		if i.Key == headKey || !i.Modified.Before(cutoff) {
			return nil
		}
		if strings.HasPrefix(i.Key, "replication/"+epoch+"/") && i.Key >= segmentKey(epoch, last) {
			return nil
		}
		old = append(old, i.Key)
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range old {
		if err := rm.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// pending cuts the next segment after last from one snapshot of the store.
// Events go out only once the changes are all out, so a replica always
// has an event's object before the event.
func (s *Store) pending(epoch string, last segment) (segment, error) {
	next := segment{Epoch: epoch, N: last.N + 1, FeedLast: last.FeedLast, EventsLast: last.EventsLast}
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bFeed).Cursor()
		for k, v := c.Seek(binary.BigEndian.AppendUint64(nil, last.FeedLast+1)); k != nil && len(next.Changes) < segmentMax; k, v = c.Next() {
			if len(k) != 8 {
				continue
			}
			var e repository.FeedEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			next.Changes = append(next.Changes, change{FeedEntry: e, Key: repository.RecordKey(recordDir(e.Kind), e.ID, e.Version)})
			next.FeedLast = e.Seq
		}
		b := tx.Bucket(bEventLog)
		if len(next.Changes) == segmentMax || b == nil {
			return nil
		}
		c = b.Cursor()
		for k, v := c.Seek(binary.BigEndian.AppendUint64(nil, last.EventsLast+1)); k != nil && len(next.Events) < segmentMax; k, v = c.Next() {
			next.Events = append(next.Events, string(v))
			next.EventsLast = binary.BigEndian.Uint64(k)
		}
		return nil
	})
	return next, err
}

// --- the replica ---

// OpenReplica opens a replica's own metadata store at path. It holds what
// the writer published, taken in by CatchUp and Follow, and refuses every
// change of its own with fault.ReadOnly.
func OpenReplica(ctx context.Context, path string, blobs repository.Blobs) (*Store, error) {
	return open(ctx, path, blobs, true, Options{})
}

// Replica reports whether the store follows a writer.
func (s *Store) Replica() bool { return s.replica }

// CatchUp takes in what the writer has published since the last call. A
// replica new to the writer's epoch (started from nothing, or the writer's
// store was rebuilt) first takes every record in storage, then the
// segments from the head it read before listing them.
func (s *Store) CatchUp(ctx context.Context) (int, error) {
	if !s.replica {
		return 0, errors.New("catching up: not a replica")
	}
	var h head
	if err := s.getJSONBlob(ctx, headKey, &h); err != nil && !errors.Is(err, fault.NotFound) {
		return 0, err
	}
	cur, err := s.cursor()
	if err != nil {
		return 0, err
	}
	n := 0
	// Next is 0 only before the first catch-up.
	if cur.Epoch != h.Epoch || cur.Next == 0 {
		if n, cur, err = s.takeRecords(ctx, h); err != nil {
			return n, err
		}
	}
	if cur.Epoch == "" {
		s.caughtUp.Store(time.Now().UnixNano())
		return n, nil // nothing published yet: the records are all there is
	}
	for ctx.Err() == nil {
		var seg segment
		err := s.getJSONBlob(ctx, segmentKey(cur.Epoch, cur.Next), &seg)
		if errors.Is(err, fault.NotFound) && h.Next > cur.Next {
			// The head is past a segment that is gone: the writer pruned
			// the log beyond this replica, which takes the records again.
			m, c, err := s.takeRecords(ctx, h)
			n += m
			if err != nil {
				return n, err
			}
			cur = c
			continue
		}
		if errors.Is(err, fault.NotFound) {
			s.caughtUp.Store(time.Now().UnixNano())
			return n, nil
		}
		if err != nil {
			return n, err
		}
		keys := make([]string, 0, len(seg.Changes)+len(seg.Events))
		for _, c := range seg.Changes {
			keys = append(keys, c.Key)
		}
		cur.Next++
		m, err := s.applyKeys(ctx, append(keys, seg.Events...), &cur)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, ctx.Err()
}

// CaughtUp is when the replica last took in everything the writer had
// published (zero before its first catch-up): how stale its answers may be
// is the time since.
func (s *Store) CaughtUp() time.Time {
	if t := s.caughtUp.Load(); t != 0 {
		return time.Unix(0, t)
	}
	return time.Time{}
}

// takeRecords takes in every record in storage (each newer than what the
// replica has), then places the replica at the head h, read before.
func (s *Store) takeRecords(ctx context.Context, h head) (int, cursor, error) {
	keys, err := s.latestRecords(ctx)
	if err != nil {
		return 0, cursor{}, err
	}
	n, err := s.applyKeys(ctx, keys, nil)
	if err != nil {
		return n, cursor{}, err
	}
	cur := cursor{Epoch: h.Epoch, Next: max(h.Next, 1)}
	return n, cur, s.update(func(tx *bbolt.Tx) error { return putCursor(tx, cur) })
}

// Follow calls CatchUp every poll until ctx ends, logging failures
// (storage down: the replica answers from what it has meanwhile).
func (s *Store) Follow(ctx context.Context, poll time.Duration, log *slog.Logger) {
	failing := false
	for {
		n, err := s.CatchUp(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			log.Warn("replica: cannot follow the writer; answering from what it has", "err", err)
			failing = true
		case err == nil && failing:
			log.Info("replica: following the writer again")
			failing = false
		}
		if n > 0 {
			log.Debug("replica: changes taken in", "records", n)
		}
		if !sleep(ctx, poll) {
			return
		}
	}
}

func (s *Store) cursor() (cursor, error) {
	var c cursor
	err := s.view(func(tx *bbolt.Tx) error {
		if b := tx.Bucket(bReplica); b != nil && b.Get(keyCursor) != nil {
			return json.Unmarshal(b.Get(keyCursor), &c)
		}
		return nil
	})
	return c, err
}

func putCursor(tx *bbolt.Tx, c cursor) error {
	b, err := tx.CreateBucketIfNotExists(bReplica)
	if err != nil {
		return err
	}
	v, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return b.Put(keyCursor, v)
}

// applyKeys reads the records under keys (a few at a time) and takes in
// each that is newer than what the replica has, in order, in transactions
// of at most segmentMax records; with cur, the last one also moves the
// replica's place.
func (s *Store) applyKeys(ctx context.Context, keys []string, cur *cursor) (int, error) {
	n := 0
	for len(keys) > 0 || cur != nil {
		chunk := keys[:min(len(keys), segmentMax)]
		keys = keys[len(chunk):]
		recs, err := s.readRecords(ctx, chunk)
		if err != nil {
			return n, err
		}
		var m int
		err = s.update(func(tx *bbolt.Tx) error {
			m = 0
			for _, r := range recs {
				took, err := applyRecord(tx, r)
				if err != nil {
					return err
				}
				if took {
					m++
				}
			}
			if cur != nil && len(keys) == 0 {
				return putCursor(tx, *cur)
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += m
		if m > 0 {
			s.gen.Add(1)
			s.announce()
		}
		if len(keys) == 0 {
			break
		}
	}
	return n, s.relist()
}

// readRecords fetches records with eight requests at a time, in order. A
// record gone from storage (an object removed by hand) is passed over, but
// for a request's, which RemoveRequest took away with every version: the
// replica's copy goes too.
func (s *Store) readRecords(ctx context.Context, keys []string) ([]*record, error) {
	recs := make([]*record, len(keys))
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			recs[i], errs[i] = s.readRecord(ctx, k)
		}()
	}
	wg.Wait()
	out := recs[:0]
	for i, r := range recs {
		switch {
		case errors.Is(errs[i], fault.NotFound):
			if id, ok := requestOfKey(keys[i]); ok {
				out = append(out, &record{gone: id})
			}
		case errs[i] != nil:
			return nil, errs[i]
		default:
			out = append(out, r)
		}
	}
	return out, nil
}

// requestOfKey returns the request id of a request record's key.
func requestOfKey(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, "records/requests/")
	id, _, _ := strings.Cut(rest, "/")
	return id, ok && id != "" && strings.HasPrefix(rest[len(id):], "/v")
}

// applyRecord takes a record in when it is newer than what the store has,
// with its indexes, and announces it in the store's own feed.
func applyRecord(tx *bbolt.Tx, r *record) (bool, error) {
	var e repository.FeedEntry
	switch {
	case r.Institution != nil:
		var old repository.Institution
		if found(tx, bInstitutions, r.Institution.ID, &old) && old.Version >= r.Institution.Version {
			return false, nil
		}
		if err := putJSON(tx, bInstitutions, r.Institution.ID, r.Institution); err != nil {
			return false, err
		}
		e = repository.FeedEntry{Time: r.Institution.Modified, Kind: "institution", ID: r.Institution.ID, Version: r.Institution.Version, Op: feedOp(old.Version == 0, false)}
	case r.Collection != nil:
		c := r.Collection
		var old repository.Collection
		had := found(tx, bCollections, c.ID, &old)
		if had && old.Version >= c.Version {
			return false, nil
		}
		if err := putJSON(tx, bCollections, c.ID, c); err != nil {
			return false, err
		}
		if err := indexCollection(tx, pointer(had, &old), c); err != nil {
			return false, err
		}
		e = repository.FeedEntry{Time: c.Modified, Kind: "collection", ID: c.ID, Version: c.Version, Op: feedOp(!had, c.Deleted)}
	case r.Item != nil:
		it := r.Item
		var old repository.Item
		had := found(tx, bItems, it.ID, &old)
		if had && old.Version >= it.Version {
			return false, nil
		}
		if err := putJSON(tx, bItems, it.ID, it); err != nil {
			return false, err
		}
		if err := indexItem(tx, pointer(had, &old), it); err != nil {
			return false, err
		}
		e = repository.FeedEntry{Time: it.Modified, Kind: "item", ID: it.ID, Version: it.Version, Op: feedOp(!had, it.Deleted)}
	case r.User != nil:
		u := r.User
		var old repository.User
		had := found(tx, bUsers, u.ID, &old)
		if had && old.Version >= u.Version {
			return false, nil
		}
		if err := insertUser(tx, pointer(had, &old), u); err != nil {
			return false, err
		}
		e = repository.FeedEntry{Time: u.Modified, Kind: "user", ID: u.ID, Version: u.Version, Op: feedOp(!had, u.Disabled)}
	case r.Token != nil:
		t := r.Token
		var old repository.Token
		had := found(tx, bTokens, t.ID, &old)
		if had && old.Version >= t.Version {
			return false, nil
		}
		if err := insertToken(tx, t); err != nil {
			return false, err
		}
		e = repository.FeedEntry{Time: t.Modified, Kind: "token", ID: t.ID, Version: t.Version, Op: feedOp(!had, t.Revoked)}
	case r.Request != nil:
		q := r.Request
		var old repository.Request
		had := found(tx, bRequests, q.ID, &old)
		if had && old.Version >= q.Version {
			return false, nil
		}
		if err := insertRequest(tx, q); err != nil {
			return false, err
		}
		e = repository.FeedEntry{Time: q.Modified, Kind: "request", ID: q.ID, Version: q.Version, Op: feedOp(!had, false)}
	case r.Container != nil:
		c := r.Container
		var old repository.Container
		had := found(tx, bContainers, c.ID, &old)
		if had && old.Version >= c.Version {
			return false, nil
		}
		if err := insertContainer(tx, pointer(had, &old), c); err != nil {
			return false, err
		}
		e = repository.FeedEntry{Time: c.Modified, Kind: "container", ID: c.ID, Version: c.Version, Op: feedOp(!had, false)}
	case r.Point != nil:
		p := r.Point
		var old repository.Point
		had := found(tx, bPoints, p.ID, &old)
		if had && old.Version >= p.Version {
			return false, nil
		}
		if err := insertPoint(tx, pointer(had, &old), p); err != nil {
			return false, err
		}
		e = repository.FeedEntry{Time: p.Modified, Kind: "point", ID: p.ID, Version: p.Version, Op: feedOp(!had, false)}
	case r.Annotation != nil:
		a := r.Annotation
		var old repository.Annotation
		had := found(tx, bAnnotations, a.ID, &old)
		if had && old.Version >= a.Version {
			return false, nil
		}
		if err := insertAnnotation(tx, pointer(had, &old), a); err != nil {
			return false, err
		}
		e = repository.FeedEntry{Time: a.Modified, Kind: "annotation", ID: a.ID, Version: a.Version, Op: feedOp(!had, a.Deleted)}
	case r.Group != nil:
		g := r.Group
		var old repository.Group
		had := found(tx, bGroups, g.ID, &old)
		if had && old.Version >= g.Version {
			return false, nil
		}
		if err := insertGroup(tx, pointer(had, &old), g); err != nil {
			return false, err
		}
		e = repository.FeedEntry{Time: g.Modified, Kind: "group", ID: g.ID, Version: g.Version, Op: feedOp(!had, g.Deleted)}
	case r.Source != nil:
		src := r.Source
		var old repository.Source
		had := found(tx, bSources, src.ID, &old)
		if had && old.Version >= src.Version {
			return false, nil
		}
		if err := putJSON(tx, bSources, src.ID, src); err != nil {
			return false, err
		}
		e = repository.FeedEntry{Time: src.Modified, Kind: "source", ID: src.ID, Version: src.Version, Op: feedOp(!had, src.Deleted)}
	case r.Entry != nil:
		en := r.Entry
		var old repository.Entry
		had := found(tx, bEntries, en.ID, &old)
		if had && old.Version >= en.Version {
			return false, nil
		}
		if err := insertEntry(tx, pointer(had, &old), en); err != nil {
			return false, err
		}
		e = repository.FeedEntry{Time: en.Modified, Kind: "entry", ID: en.ID, Version: en.Version, Op: feedOp(!had, en.Deleted)}
	case r.gone != "":
		var old repository.Request
		if !found(tx, bRequests, r.gone, &old) {
			return false, nil
		}
		if err := deleteRequest(tx, &old); err != nil {
			return false, err
		}
		e = repository.FeedEntry{Time: time.Now().UTC(), Kind: "request", ID: old.ID, Version: old.Version, Op: repository.OpRemove}
	default:
		took := false
		for i := range r.Events {
			ev := &r.Events[i]
			key := join(ev.Object, ev.ID)
			if tx.Bucket(bEvents).Get(key) != nil {
				continue
			}
			if err := putJSON(tx, bEvents, string(key), ev); err != nil {
				return false, err
			}
			if err := indexActivity(tx, ev); err != nil {
				return false, err
			}
			took = true
		}
		return took, nil
	}
	return true, appendFeed(tx, e)
}

// found decodes the stored object id of bucket into v, and says whether there was one.
func found(tx *bbolt.Tx, bucket []byte, id string, v any) bool {
	b := tx.Bucket(bucket).Get([]byte(id))
	return b != nil && json.Unmarshal(b, v) == nil
}

func pointer[T any](ok bool, v *T) *T {
	if ok {
		return v
	}
	return nil
}

func (s *Store) getJSONBlob(ctx context.Context, key string, v any) error {
	rc, err := s.blobs.Get(ctx, key, 0, -1)
	if err != nil {
		return err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 64<<20))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s is not valid JSON: %v: %w", key, err, fault.Invalid)
	}
	return nil
}

func (s *Store) putJSONBlob(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.blobs.Put(ctx, key, bytes.NewReader(b), storage.PutOptions{Size: int64(len(b)), ContentType: "application/json"})
	return err
}

// sleep waits d or until ctx ends, and says whether ctx is still alive.
func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// recordDir is the folder of records/ that holds a kind's records: its
// plural.
func recordDir(kind string) string {
	if kind == "entry" {
		return "entries"
	}
	return kind + "s"
}
