package bolt

import (
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// ixSignIn: library, provider and subject of a sign-in link → user.
var ixSignIn = []byte("ix_user_signin")

// indexSignInLinks replaces old's sign-in links by u's in the index,
// refusing a link another account holds.
func indexSignInLinks(tx *bbolt.Tx, old, u *repository.User) error {
	ix := tx.Bucket(ixSignIn)
	if old != nil {
		for _, l := range old.SignInLinks {
			if err := unindex(tx, ixSignIn, linkKey(l)); err != nil {
				return err
			}
		}
	}
	for _, l := range u.SignInLinks {
		if id := ix.Get(linkKey(l)); id != nil && string(id) != u.ID {
			return fmt.Errorf("the %s account %s is already linked to another account: %w", l.Library, l.Subject, fault.Conflict)
		}
		if err := ix.Put(linkKey(l), []byte(u.ID)); err != nil {
			return err
		}
	}
	return nil
}

// checkSignInLinks refuses a link another account holds, before anything
// is written: a record refused only by the index would stay in storage and
// stop a rebuild.
func (s *Store) checkSignInLinks(u *repository.User) error {
	for _, l := range u.SignInLinks {
		other, err := s.UserBySignIn(l)
		switch {
		case err == nil && other.ID != u.ID:
			return fmt.Errorf("the %s account %s is already linked to another account: %w", l.Library, l.Subject, fault.Conflict)
		case err != nil && !errors.Is(err, fault.NotFound):
			return err
		}
	}
	return nil
}

// UserBySignIn returns the user linked to the person a library's identity
// provider names.
func (s *Store) UserBySignIn(l repository.SignInLink) (*repository.User, error) {
	var u repository.User
	err := s.view(func(tx *bbolt.Tx) error {
		id := tx.Bucket(ixSignIn).Get(linkKey(l))
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

// linkKey is a sign-in link's key in the index.
func linkKey(l repository.SignInLink) []byte {
	return []byte(l.Library + "\x00" + l.Provider + "\x00" + l.Subject)
}

// signInLocks are the locks of u's links, taken with the user's own: two
// accounts never take one person at once.
func signInLocks(u *repository.User) []string {
	var out []string
	for _, l := range u.SignInLinks {
		out = append(out, "signin/"+string(linkKey(l)))
	}
	return out
}
