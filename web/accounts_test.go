package web

import (
	"context"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// testHosts are the hosts test requests come to (httptest's default).
var testHosts = []string{"example.com"}

const password = "correct horse battery"

// addUser gives a library a user who signs in with password.
func addUser(t testing.TB, store *bolt.Store, email, inst, role string) *repository.User {
	t.Helper()
	u := &repository.User{Email: email, Institution: inst, Role: role, PasswordHash: repository.HashPassword(password)}
	if err := store.SaveUser(context.Background(), u, "test"); err != nil {
		t.Fatal(err)
	}
	return u
}

// seedAdmin makes a system administrator who holds the token the tests use.
func seedAdmin(t testing.TB, store *bolt.Store) *repository.User {
	t.Helper()
	u := addUser(t, store, "admin@example.org", "cmu", "system-admin")
	if _, err := store.ImportToken(context.Background(), u.ID, "write", token, "test"); err != nil {
		t.Fatal(err)
	}
	return u
}

// tokenFor gives a new user of a library a token of a scope.
func tokenFor(t testing.TB, store *bolt.Store, email, inst, role, scope string) string {
	t.Helper()
	u := addUser(t, store, email, inst, role)
	sec, _, err := store.CreateToken(context.Background(), u.ID, scope, 0, "test")
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

// reveal lets anonymous visitors learn that a library's restricted items exist.
func reveal(t testing.TB, store *bolt.Store, inst string) {
	t.Helper()
	in, err := store.Institution(inst)
	if err != nil {
		t.Fatal(err)
	}
	in.RevealRestricted = true
	if err := store.SaveInstitution(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}
