package bolt

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage/local"
)

func TestSignInLinkFindsItsUserAfterARebuildAndIsHeldByOneUser(t *testing.T) {
	ctx := context.Background()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	link := repository.SignInLink{Library: "cmu", Provider: "oidc", Subject: "dwho"}
	u := &repository.User{Email: "dwho@cmu.example", Institution: "cmu", Role: "reader", SignInLinks: []repository.SignInLink{link}}
	if err := s.SaveUser(ctx, u, "t"); err != nil {
		t.Fatal(err)
	}
	other := &repository.User{Email: "other@cmu.example", Institution: "cmu", Role: "reader", SignInLinks: []repository.SignInLink{link}}
	if err := s.SaveUser(ctx, other, "t"); !errors.Is(err, fault.Conflict) {
		t.Errorf("a second account with the same link: %v, want a conflict", err)
	}
	if got, err := s.UserBySignIn(link); err != nil || got.ID != u.ID {
		t.Fatalf("by link: %v %v, want %s", got, err, u.ID)
	}
	s.Close()
	// A new database file fills from storage: the link comes back.
	s, err = Open(ctx, filepath.Join(t.TempDir(), "b.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.UserBySignIn(link)
	if err != nil || got.ID != u.ID {
		t.Fatalf("by link after a rebuild: %v %v, want %s", got, err, u.ID)
	}
	got.SignInLinks = nil
	if err := s.SaveUser(ctx, got, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserBySignIn(link); !errors.Is(err, fault.NotFound) {
		t.Errorf("a link removed from its account still finds it: %v", err)
	}
}
