package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"time"

	"github.com/thaiarchives/archive/repository"
	bbolt "go.etcd.io/bbolt"
)

var (
	bFeed    = []byte("feed")
	keyEpoch = []byte("epoch") // in bFeed; entries have 8-byte keys
)

// appendFeed adds an entry to the feed inside tx.
func appendFeed(tx *bbolt.Tx, e repository.FeedEntry) error {
	b := tx.Bucket(bFeed)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.Seq = seq
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return b.Put(binary.BigEndian.AppendUint64(nil, seq), v)
}

// newEpoch starts a new feed: its entries are dropped and it gets a new epoch.
func newEpoch(tx *bbolt.Tx) error {
	if tx.Bucket(bFeed) != nil {
		if err := tx.DeleteBucket(bFeed); err != nil {
			return err
		}
	}
	b, err := tx.CreateBucket(bFeed)
	if err != nil {
		return err
	}
	return b.Put(keyEpoch, []byte(time.Now().UTC().Format("20060102T150405Z")+"-"+newID()))
}

// FeedEpoch identifies this feed's history, and returns the sequence number
// of its last entry (0 when empty).
func (s *Store) FeedEpoch() (epoch string, last uint64, err error) {
	err = s.view(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bFeed)
		epoch, last = string(b.Get(keyEpoch)), b.Sequence()
		return nil
	})
	return epoch, last, err
}

// Feed returns at most limit entries after sequence number after, in order.
func (s *Store) Feed(after uint64, limit int) ([]repository.FeedEntry, error) {
	var out []repository.FeedEntry
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bFeed).Cursor()
		for k, v := c.Seek(binary.BigEndian.AppendUint64(nil, after+1)); k != nil && len(out) < limit; k, v = c.Next() {
			if len(k) != 8 {
				continue
			}
			var e repository.FeedEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// FeedWait returns when the feed has an entry after sequence number after,
// or the context ends.
func (s *Store) FeedWait(ctx context.Context, after uint64) error {
	for {
		s.feedMu.Lock()
		ch := s.feedCh
		s.feedMu.Unlock()
		if _, last, err := s.FeedEpoch(); err != nil || last > after {
			return err
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// announce wakes the followers waiting in FeedWait; called after a commit
// that appended to the feed.
func (s *Store) announce() {
	s.feedMu.Lock()
	close(s.feedCh)
	s.feedCh = make(chan struct{})
	s.feedMu.Unlock()
}

func feedOp(created, withdrawn bool) string {
	switch {
	case withdrawn:
		return repository.OpWithdraw
	case created:
		return repository.OpCreate
	}
	return repository.OpUpdate
}
