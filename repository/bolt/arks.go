package bolt

import (
	"bytes"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/ark"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// ixARKs: ARK → kind ('i' item, 'c' collection) \x00 id, tombstones too:
// an ARK keeps answering after its record is withdrawn.
var ixARKs = []byte("ix_arks")

// arkOf is the ARK a record saved now keeps: the one it has, never
// another; for a new one, the ARK it comes with (a record brought from
// elsewhere) if it is one, else one minted for it (none without a minter).
func (s *Store) arkOf(had, given, library, id string) string {
	switch {
	case had != "":
		return had
	case given != "":
		if a, err := ark.Parse(given); err == nil {
			return a
		}
	}
	if s.ARKs == nil {
		return ""
	}
	return s.ARKs.Mint(library, id)
}

// indexARK records that a names record id of kind; an ARK already
// naming another record refuses the change, so no two records share one.
func indexARK(tx *bbolt.Tx, kind byte, a, id string) error {
	if a == "" {
		return nil
	}
	v := append([]byte{kind, 0}, id...)
	b := tx.Bucket(ixARKs)
	if cur := b.Get([]byte(a)); cur != nil && !bytes.Equal(cur, v) {
		return fmt.Errorf("%s names another record already (%s): %w", a, cur[2:], fault.Conflict)
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
