package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// ixARKs: ARK → kind ('i' item, 'c' collection) \x00 id, tombstones too:
// an ARK keeps answering after its record is withdrawn.
var ixARKs = []byte("ix_arks")

// arkOf is the ARK a record saved now keeps: the one it had, never
// another (one a client sends is ignored); for a record without one, one
// minted for it (none without a minter). A minted ARK already naming
// another record (an item and a collection of the same identifier) is
// refused before anything is written.
func (s *Store) arkOf(had, library, id string, kind byte) (string, error) {
	if had != "" || s.ARKs == nil {
		return had, nil
	}
	a := s.ARKs.Mint(library, id)
	err := s.view(func(tx *bbolt.Tx) error {
		if cur := tx.Bucket(ixARKs).Get([]byte(a)); cur != nil && !bytes.Equal(cur, arkValue(kind, id)) {
			return fmt.Errorf("%s, the ARK of %s, %w", a, id, errARKTaken)
		}
		return nil
	})
	return a, err
}

// errARKTaken: the ARK names another record already.
var errARKTaken = fmt.Errorf("names another record already: %w", fault.Conflict)

func arkValue(kind byte, id string) []byte { return append([]byte{kind, 0}, id...) }

// indexARK records that a names record id of kind; an ARK already
// naming another record refuses the change, so no two records share one.
// (A rebuild, which takes records as storage holds them, keeps the first.)
func indexARK(tx *bbolt.Tx, kind byte, a, id string) error {
	if a == "" {
		return nil
	}
	v := arkValue(kind, id)
	b := tx.Bucket(ixARKs)
	if cur := b.Get([]byte(a)); cur != nil && !bytes.Equal(cur, v) {
		return fmt.Errorf("%s %w (%s)", a, errARKTaken, cur[2:])
	}
	return b.Put([]byte(a), v)
}

// ResolveARK is the record an ARK (as ark.Parse gives it) names: its kind
// ("item" or "collection") and identifier.
func (s *Store) ResolveARK(a string) (kind, id string, err error) {
	err = s.view(func(tx *bbolt.Tx) error {
		v := tx.Bucket(ixARKs).Get([]byte(a))
		if len(v) < 3 {
			return fmt.Errorf("no record has the ARK %s: %w", a, fault.NotFound)
		}
		kind, id = map[byte]string{'i': "item", 'c': "collection"}[v[0]], string(v[2:])
		return nil
	})
	return kind, id, err
}

// itemARK is the ARK of it (nil: none).
func itemARK(it *repository.Item) string {
	if it == nil {
		return ""
	}
	return it.ARK
}

// MintARKs gives an ARK to every item and collection saved before the
// store minted them: a new version of each, saved as any change is (so a
// rebuild keeps it), progress told every 100. Records that have one are
// left alone, so it may be stopped and run again. It returns how many it
// gave.
func (s *Store) MintARKs(ctx context.Context, agent string, progress func(done int)) (int, error) {
	if s.ARKs == nil {
		return 0, errors.New("no ARK minter is set")
	}
	n := 0
	for _, bucket := range [][]byte{bCollections, bItems} {
		after := ""
		for {
			ids, err := s.unminted(bucket, after, 256)
			if err != nil || len(ids) == 0 {
				if err != nil {
					return n, err
				}
				break
			}
			after = ids[len(ids)-1]
			for _, id := range ids {
				if err := ctx.Err(); err != nil {
					return n, err
				}
				if err := s.mintOne(ctx, bucket, id, agent); err != nil {
					return n, err
				}
				if n++; progress != nil && n%100 == 0 {
					progress(n)
				}
			}
		}
	}
	if progress != nil {
		progress(n)
	}
	return n, s.update(func(tx *bbolt.Tx) error { return tx.Bucket(bMeta).Put(keyARKsMinted, []byte("1")) })
}

// keyARKsMinted marks a store whose every record was given its ARK.
var keyARKsMinted = []byte("arks-minted")

// ARKsMinted reports whether MintARKs went through every record once;
// records saved since got theirs as they were saved.
func (s *Store) ARKsMinted() bool {
	done := false
	s.view(func(tx *bbolt.Tx) error { done = tx.Bucket(bMeta).Get(keyARKsMinted) != nil; return nil })
	return done
}

// unminted lists, after the key after, up to limit records of bucket
// without an ARK.
func (s *Store) unminted(bucket []byte, after string, limit int) ([]string, error) {
	var ids []string
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		k, v := c.Seek([]byte(after))
		if k != nil && string(k) == after {
			k, v = c.Next()
		}
		for ; k != nil && len(ids) < limit; k, v = c.Next() {
			var r struct {
				ARK string `json:"ark"`
			}
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("record %s: %w", k, err)
			}
			if r.ARK == "" {
				ids = append(ids, string(k))
			}
		}
		return nil
	})
	return ids, err
}

// mintOne saves record id of bucket again, which mints its ARK, reading
// it again when it changed meanwhile.
func (s *Store) mintOne(ctx context.Context, bucket []byte, id, agent string) error {
	for range 5 {
		var err error
		if string(bucket) == string(bItems) {
			var it *repository.Item
			if it, err = s.Item(id); err == nil && it.ARK == "" {
				err = s.SaveItem(ctx, it, agent, repository.Event{Type: "identifier assignment", Outcome: "success", Detail: "ARK minted"})
			}
		} else {
			var c *repository.Collection
			if c, err = s.Collection(id); err == nil && c.ARK == "" {
				err = s.SaveCollection(ctx, c, agent)
			}
		}
		if !errors.Is(err, fault.Conflict) {
			return err
		}
	}
	return fmt.Errorf("record %s kept changing while its ARK was minted: %w", id, fault.Conflict)
}

// keepFirstARK lets a rebuild go on past a record whose ARK another
// record holds (a save refused for it left its record in storage): the
// record is indexed whole but for its ARK, which keeps naming the first.
func keepFirstARK(err error) error {
	if errors.Is(err, errARKTaken) {
		return nil
	}
	return err
}
