package bolt

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
)

func TestProviderSessionsEndByTheIdPsNameAndSessionIndexOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	blobs := newBlobs(t)
	s := openStore(t, path, blobs)
	u := &repository.User{Email: "somchai@cmu.example", Institution: "cmu", Role: "reader"}
	if err := s.SaveUser(ctx, u, "t"); err != nil {
		t.Fatal(err)
	}
	from := func(lib, name, index string) *repository.ProviderSession {
		return &repository.ProviderSession{Library: lib, Provider: "saml", NameID: name, SessionIndex: index}
	}
	one, _ := s.CreateSessionFrom(u.ID, time.Hour, from("cmu", "n1", "s1"))
	two, _ := s.CreateSessionFrom(u.ID, time.Hour, from("cmu", "n1", "s2"))
	other, _ := s.CreateSessionFrom(u.ID, time.Hour, from("tu", "n1", "s1"))
	password, _ := s.CreateSession(u.ID, time.Hour)
	tok, err := s.AccessToken(one, "https://viewer.example")
	if err != nil {
		t.Fatal(err)
	}
	ses, _, err := s.Session(one)
	if err != nil || ses.From == nil || *ses.From != *from("cmu", "n1", "s1") {
		t.Fatalf("the session keeps %+v (%v), want the provider's session", ses, err)
	}
	live := func(cookie string) bool { _, _, err := s.Session(cookie); return err == nil }

	if n, err := s.EndProviderSessions("cmu", "saml", "n1", []string{"s1"}); err != nil || n != 1 {
		t.Fatalf("ending session index s1: %d, %v; want 1", n, err)
	}
	if live(one) || !live(two) || !live(other) || !live(password) {
		t.Errorf("after ending s1 of cmu: live %v %v %v %v, want false true true true", live(one), live(two), live(other), live(password))
	}
	if _, _, err := s.SessionByAccessToken(tok); !errors.Is(err, repository.ErrUnknownCredentials) {
		t.Errorf("the ended session's viewer token still works: %v", err)
	}
	if n, err := s.EndProviderSessions("cmu", "saml", "someone else", nil); err != nil || n != 0 {
		t.Errorf("another person's name ended %d sessions (%v)", n, err)
	}
	if n, err := s.EndProviderSessions("cmu", "saml", "n1", nil); err != nil || n != 1 || live(two) || !live(other) || !live(password) {
		t.Errorf("ending every cmu session of n1: %d, %v; live %v %v %v", n, err, live(two), live(other), live(password))
	}

	// A rebuild signs everyone out: what the provider's logout names goes
	// with the sessions, and nothing of it is in storage.
	s.Close()
	s = openStore(t, filepath.Join(t.TempDir(), "b.db"), blobs)
	if _, _, err := s.Session(other); !errors.Is(err, repository.ErrUnknownCredentials) {
		t.Errorf("a session came back after a rebuild: %v", err)
	}
	if n, err := s.EndProviderSessions("tu", "saml", "n1", nil); err != nil || n != 0 {
		t.Errorf("after a rebuild the provider's logout ended %d sessions (%v)", n, err)
	}
}
