package bolt

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

var (
	bRequests = []byte("requests")
	// ixReqUser: requester \x00 id → the grant an approval opens (see
	// grantValue), or notAGrant.
	ixReqUser = []byte("ix_requests_by_user")
	ixReqInst = []byte("ix_requests_by_institution") // institution \x00 id
	// ixGrantViews: user \x00 item \x00 day of views already recorded, so
	// that a view through a grant is one event a day, not one per tile.
	ixGrantViews = []byte("ix_grant_views")
)

// SaveRequest creates (Version 0) or updates a request, versioned like
// every record: storage first, then the index and the change feed (so that
// replicas take it in), then the events, which are the item's.
func (s *Store) SaveRequest(ctx context.Context, r *repository.Request, agent string, events ...repository.Event) error {
	next := *r
	if next.ID == "" {
		next.ID = s.freshID(bRequests)
	}
	if err := next.Validate(); err != nil {
		return err
	}
	defer s.locks.lock(lockSet{mine: []string{"request/" + next.ID}})()
	var old *repository.Request
	if o, err := s.Request(next.ID); err == nil {
		if o.Version != next.Version {
			return fmt.Errorf("request %s was changed by someone else: %w", next.ID, fault.Conflict)
		}
		old = o
	} else if next.Version != 0 {
		return err
	}
	now := s.Now()
	next.Version++
	next.Modified = now
	if old == nil {
		next.Created = now
	}
	if err := s.putRecord(ctx, repository.RecordKey("requests", next.ID, next.Version), record{Kind: "request", Request: &next}); err != nil {
		return err
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		if err := insertRequest(tx, &next); err != nil {
			return err
		}
		return appendFeed(tx, repository.FeedEntry{Time: now, Kind: "request", ID: next.ID, Version: next.Version, Op: feedOp(old == nil, false)})
	}); err != nil {
		return err
	}
	s.announce()
	*r = next
	for i := range events {
		events[i].Object = next.Item
		if events[i].Agent == "" {
			events[i].Agent = agent
		}
	}
	return s.record(ctx, events...)
}

func insertRequest(tx *bbolt.Tx, r *repository.Request) error {
	if err := putJSON(tx, bRequests, r.ID, r); err != nil {
		return err
	}
	if err := tx.Bucket(ixReqUser).Put(join(r.Requester, r.ID), grantValue(r)); err != nil {
		return err
	}
	return tx.Bucket(ixReqInst).Put(join(r.Institution, r.ID), nil)
}

// notAGrant is the index value of a request that opens nothing; an
// empty one is an index written before grants were kept there.
var notAGrant = []byte("-")

// grantValue is what an approved request opens, for the index: scope,
// scope id, library, end (Unix nanoseconds) and a role beyond reading if
// it gives one, joined by \x00.
func grantValue(r *repository.Request) []byte {
	if r.Status != repository.Approved {
		return notAGrant
	}
	f := []string{r.Scope, r.ScopeID, r.Institution, strconv.FormatInt(r.Until.UnixNano(), 10)}
	if r.Role != "" {
		f = append(f, r.Role)
	}
	return []byte(strings.Join(f, "\x00"))
}

// GrantsBy lists what a person's approved requests open, ended or not,
// from the index alone: every request of a signed-in person reads it.
func (s *Store) GrantsBy(user string) ([]repository.Grant, error) {
	var out []repository.Grant
	prefix := join(user, "")
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(ixReqUser).Cursor()
		for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
			if len(v) == 0 { // an older index: read the record
				var r repository.Request
				if err := getJSON(tx, bRequests, string(k[len(prefix):]), &r); err != nil {
					return err
				}
				v = grantValue(&r)
			}
			if string(v) == string(notAGrant) {
				continue
			}
			f := strings.Split(string(v), "\x00")
			if len(f) < 4 || len(f) > 5 {
				return fault.E("read grants", fault.Invalid, user, fmt.Errorf("a grant in the index is not scope, id, library, end and role: %q", v))
			}
			ns, err := strconv.ParseInt(f[3], 10, 64)
			if err != nil {
				return fault.E("read grants", fault.Invalid, user, fmt.Errorf("a grant's end in the index is not a time: %q", v))
			}
			out = append(out, repository.Grant{Scope: f[0], ScopeID: f[1], Institution: f[2], Until: time.Unix(0, ns).UTC(),
				Transcribe: len(f) == 5 && f[4] == repository.RoleTranscriber})
		}
		return nil
	})
	return out, err
}

// Request returns one request.
func (s *Store) Request(id string) (*repository.Request, error) {
	var r repository.Request
	if err := s.view(func(tx *bbolt.Tx) error { return getJSON(tx, bRequests, id, &r) }); err != nil {
		return nil, err
	}
	return &r, nil
}

// RequestsBy lists a person's requests, oldest first.
func (s *Store) RequestsBy(user string) ([]*repository.Request, error) {
	return s.requestsIn(ixReqUser, user)
}

// RequestsOf lists the requests a library decides, oldest first.
func (s *Store) RequestsOf(institution string) ([]*repository.Request, error) {
	return s.requestsIn(ixReqInst, institution)
}

func (s *Store) requestsIn(index []byte, key string) ([]*repository.Request, error) {
	var out []*repository.Request
	prefix := join(key, "")
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(index).Cursor()
		for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
			var r repository.Request
			if err := getJSON(tx, bRequests, string(k[len(prefix):]), &r); err != nil {
				return err
			}
			out = append(out, &r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortRequests(out)
	return out, nil
}

func sortRequests(rs []*repository.Request) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Created.Before(rs[j-1].Created); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// RemoveRequest deletes a request for good: every version of its record
// from storage, then its index entries. Its feed entry (op "remove") names
// a record that is gone, which is how a replica learns to drop its copy.
func (s *Store) RemoveRequest(ctx context.Context, id string, blobs storage.Remover) error {
	defer s.locks.lock(lockSet{mine: []string{"request/" + id}})()
	r, err := s.Request(id)
	if err != nil {
		return err
	}
	for v := 1; v <= r.Version; v++ {
		if err := blobs.Delete(ctx, repository.RecordKey("requests", id, v)); err != nil {
			return err
		}
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		if err := deleteRequest(tx, r); err != nil {
			return err
		}
		return appendFeed(tx, repository.FeedEntry{Time: s.Now(), Kind: "request", ID: id, Version: r.Version, Op: repository.OpRemove})
	}); err != nil {
		return err
	}
	s.announce()
	return nil
}

// deleteRequest drops a request and the index entries insertRequest made.
func deleteRequest(tx *bbolt.Tx, r *repository.Request) error {
	if err := unindex(tx, ixReqUser, join(r.Requester, r.ID)); err != nil {
		return err
	}
	if err := unindex(tx, ixReqInst, join(r.Institution, r.ID)); err != nil {
		return err
	}
	return tx.Bucket(bRequests).Delete([]byte(r.ID))
}

// RecordGrantView records, once a day per person and item, that a person
// read an item through a grant: who, what, when, for the holding library.
func (s *Store) RecordGrantView(ctx context.Context, user, email, item string) error {
	now := s.Now()
	key := []byte(user + "\x00" + item + "\x00" + now.Format(time.DateOnly))
	fresh := false
	if err := s.view(func(tx *bbolt.Tx) error { fresh = tx.Bucket(ixGrantViews).Get(key) == nil; return nil }); err != nil || !fresh {
		return err // seen today already: no write for every tile
	}
	if err := s.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(ixGrantViews)
		if fresh = b.Get(key) == nil; fresh {
			return b.Put(key, nil)
		}
		return nil
	}); err != nil || !fresh {
		return err
	}
	return s.record(ctx, repository.Event{Type: repository.GrantView, Object: item, Agent: email, Outcome: "success", Time: now, Detail: "read through a grant by user " + user})
}
