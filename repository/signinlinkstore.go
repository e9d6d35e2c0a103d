package repository

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/fault"
)

// ixSignIn: library, provider and subject of a sign-in link → user.
var ixSignIn = []byte("ix_user_signin")

// indexSignInLinks replaces old's sign-in links by u's in the index,
// refusing a link another account holds.
func indexSignInLinks(tx *bolt.Tx, old, u *User) error {
	ix := tx.Bucket(ixSignIn)
	if old != nil {
		for _, l := range old.SignInLinks {
			if err := unindex(tx, ixSignIn, l.key()); err != nil {
				return err
			}
		}
	}
	for _, l := range u.SignInLinks {
		if id := ix.Get(l.key()); id != nil && string(id) != u.ID {
			return fmt.Errorf("the %s account %s is already linked to another account: %w", l.Library, l.Subject, fault.Conflict)
		}
		if err := ix.Put(l.key(), []byte(u.ID)); err != nil {
			return err
		}
	}
	return nil
}

// UserBySignIn returns the user linked to the person a library's identity
// provider names.
func (s *Store) UserBySignIn(l SignInLink) (*User, error) {
	var u User
	err := s.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(ixSignIn).Get(l.key())
		if id == nil {
			return fmt.Errorf("no account linked to %s's %s: %w", l.Library, l.Subject, fault.NotFound)
		}
		return getJSON(tx, bUsers, string(id), &u)
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}
