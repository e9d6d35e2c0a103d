package bolt

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

func TestPasswordsAreArgon2idAndChecked(t *testing.T) {
	h := repository.HashPassword("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$") || !repository.CheckPassword(h, "correct horse battery") || repository.CheckPassword(h, "correct horse batterz") {
		t.Fatalf("hash %q", h)
	}
	if h == repository.HashPassword("correct horse battery") {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "plain", "$argon2id$v=19$m=99999999,t=3,p=2$AAAA$AAAA", "$bcrypt$x$y$z$w"} {
		if repository.CheckPassword(bad, "") {
			t.Errorf("%q accepted", bad)
		}
	}
	// New passwords: the length is of visible characters, and one without
	// any is refused as such.
	for pw, want := range map[string]string{
		strings.Repeat("\u200b", 12):                   "only spaces or other invisible characters",
		strings.Repeat("\u200c\u200d\u2060\ufeff", 5):  "only spaces or other invisible characters",
		strings.Repeat(" \t\u3000\x01\u3164\ufe0f", 4): "only spaces or other invisible characters",
		"abc" + strings.Repeat("\u200b", 12):           "fewer than 10 visible characters",
		"a b c d e f g h i":                            "fewer than 10 visible characters",
		strings.Repeat("\u0e31", 12):                   "fewer than 10 visible characters",
		"ab" + strings.Repeat("\u0301\u0e48", 10):      "fewer than 10 visible characters",
		"correct horse battery":                        "",
		"รหัสผ่านภาษาไทย":                              "",
		strings.Repeat("x", repository.MaxPassword+1):  "longer than 1024 bytes",
	} {
		err := repository.CheckNewPassword(pw)
		if want == "" && err != nil || want != "" && (!errors.Is(err, fault.Invalid) || !strings.Contains(err.Error(), want)) {
			t.Errorf("new password %+q: %v, want %q", pw, err, want)
		}
		// Told as one sentence to the person choosing it: the kind is
		// the error's, not part of its text.
		if err != nil && strings.HasSuffix(err.Error(), fault.Invalid.String()) {
			t.Errorf("new password %+q: %q ends with its kind", pw, err)
		}
	}
}

func TestSessionsEndWithSignOutDisablingAndNewPasswords(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	u := &repository.User{Email: "Reader@CMU.example", Institution: "cmu", Role: "reader", PasswordHash: repository.HashPassword("first password")}
	if err := s.SaveUser(ctx, u, "t"); err != nil {
		t.Fatal(err)
	}
	if u.Email != "reader@cmu.example" {
		t.Errorf("e-mail kept as %q", u.Email)
	}
	if err := s.SaveUser(ctx, &repository.User{Email: "reader@cmu.example", Institution: "tu", Role: "reader"}, "t"); !errors.Is(err, fault.Conflict) {
		t.Errorf("a second account for one address: %v", err)
	}
	if err := s.SaveUser(ctx, &repository.User{Email: "not an address", Institution: "tu"}, "t"); !errors.Is(err, fault.Invalid) {
		t.Errorf("bad address: %v", err)
	}
	a, _ := s.CreateSession(u.ID, time.Hour)
	b, _ := s.CreateSession(u.ID, time.Hour)
	if _, got, err := s.Session(a); err != nil || got.ID != u.ID {
		t.Fatalf("session: %v", err)
	}
	tok, err := s.AccessToken(a, "https://archive.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionByAccessToken(tok); err != nil {
		t.Fatalf("access token: %v", err)
	}
	if err := s.EndSession(a); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Session(a); !errors.Is(err, repository.ErrUnknownCredentials) {
		t.Errorf("signed-out session still valid: %v", err)
	}
	if _, _, err := s.SessionByAccessToken(tok); !errors.Is(err, repository.ErrUnknownCredentials) {
		t.Errorf("access token outlived its session: %v", err)
	}
	// A new password ends every other session too (the clock must move on).
	s.Now = func() time.Time { return time.Now().UTC().Add(time.Second) }
	u.PasswordHash = repository.HashPassword("second password")
	if err := s.SaveUser(ctx, u, "t"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Session(b); !errors.Is(err, repository.ErrUnknownCredentials) {
		t.Errorf("session survived a new password: %v", err)
	}
	c, _ := s.CreateSession(u.ID, time.Hour)
	s.Now = func() time.Time { return time.Now().UTC().Add(2 * time.Second) }
	u.Disabled = true
	if err := s.SaveUser(ctx, u, "t"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Session(c); !errors.Is(err, repository.ErrUnknownCredentials) {
		t.Errorf("session of a disabled user: %v", err)
	}
}

func TestTokensAreHashedScopedAndRevocable(t *testing.T) {
	blobs := newBlobs(t)
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), blobs)
	u := &repository.User{Email: "script@tu.example", Institution: "tu", Role: "archivist"}
	if err := s.SaveUser(ctx, u, "t"); err != nil {
		t.Fatal(err)
	}
	sec, tok, err := s.CreateToken(ctx, u.ID, "upload", time.Hour, "t")
	if err != nil || len(sec) < 40 || tok.Hash == "" || strings.Contains(tok.Hash, sec) {
		t.Fatalf("token %+v, %v", tok, err)
	}
	var dump strings.Builder
	s.Dump(&dump)
	if strings.Contains(dump.String(), sec) {
		t.Fatal("the token's secret is stored")
	}
	if got, gu, err := s.TokenBySecret(sec); err != nil || got.Scope != "upload" || gu.ID != u.ID {
		t.Fatalf("lookup: %+v %v", got, err)
	}
	if _, _, err := s.TokenBySecret(sec + "x"); !errors.Is(err, repository.ErrUnknownCredentials) {
		t.Errorf("a wrong secret: %v", err)
	}
	if err := s.RevokeToken(ctx, tok.ID, "t"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.TokenBySecret(sec); !errors.Is(err, repository.ErrUnknownCredentials) {
		t.Errorf("a revoked token: %v", err)
	}
	short, _, _ := s.CreateToken(ctx, u.ID, "read", time.Minute, "t")
	s.Now = func() time.Time { return time.Now().UTC().Add(2 * time.Minute) }
	if _, _, err := s.TokenBySecret(short); !errors.Is(err, repository.ErrUnknownCredentials) {
		t.Errorf("an expired token: %v", err)
	}
	events, _ := s.Events(u.ID)
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
	}
	if got := strings.Join(types, ","); !strings.Contains(got, "token creation") || !strings.Contains(got, "token deletion") {
		t.Errorf("events: %s", got)
	}
}

func TestEmbargoesEndWithANewVersion(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	it := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Thesis"}, Access: repository.Access{Level: repository.Public, Embargo: "2026-06-01"}}
	later := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Diary"}, Access: repository.Access{Level: repository.Public, Embargo: "2099-01-01"}}
	for _, x := range []*repository.Item{it, later} {
		if err := s.SaveItem(ctx, x, "t"); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.ReleaseEmbargoes(ctx, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || n != 1 {
		t.Fatalf("released %d, %v", n, err)
	}
	got, _ := s.Item(it.ID)
	if got.Access.Embargo != "" || got.Version != 2 || !got.Modified.After(it.Modified) {
		t.Fatalf("released item: %+v", got)
	}
	if kept, _ := s.Item(later.ID); kept.Access.Embargo != "2099-01-01" || kept.Version != 1 {
		t.Fatalf("a future embargo changed: %+v", kept)
	}
}

func TestWithdrawnItemsArePurgedOnlyOnPurpose(t *testing.T) {
	blobs := newBlobs(t)
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), blobs)
	it := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Mistake"}, Files: []repository.File{{Name: "a.tif", SHA256: digestA, MediaType: "image/tiff"}}}
	if err := s.SaveItem(ctx, it, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Purge(ctx, it.ID, "admin", blobs); !errors.Is(err, fault.Invalid) {
		t.Fatalf("purge of an item not withdrawn: %v", err)
	}
	if err := s.Withdraw(ctx, it.ID, "archivist@cmu", "scanned twice"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Item(it.ID)
	if !got.Deleted || got.Withdrawal == nil || got.Withdrawal.Reason != "scanned twice" || got.Withdrawal.By != "archivist@cmu" {
		t.Fatalf("withdrawn: %+v", got)
	}
	if _, err := s.Purge(ctx, it.ID, "admin", blobs); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Item(it.ID)
	events, _ := s.Events(it.ID)
	if !got.Withdrawal.Purged || events[len(events)-1].Type != "purge" {
		t.Fatalf("purge not recorded: %+v %+v", got.Withdrawal, events)
	}
}

func TestAClosedStoreIsUnavailableNotEmpty(t *testing.T) {
	s, err := Open(ctx, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := s.UserByEmail("a@b.example"); !errors.Is(err, fault.Unavailable) {
		t.Errorf("user lookup in a closed store: %v", err)
	}
	if _, err := s.Item("abcdefghij"); !errors.Is(err, fault.Unavailable) || errors.Is(err, fault.NotFound) {
		t.Errorf("item lookup in a closed store: %v", err)
	}
}

func TestCollectionsOfEveryLevelKeepTheirMembersInOrder(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	fonds := &repository.Collection{ID: "cmu-letters", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Letters"}}
	if err := s.SaveCollection(ctx, fonds, "t"); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, title := range []string{"a", "b", "c"} {
		it := &repository.Item{Institution: "cmu", Collection: fonds.ID, Title: repository.Text{"en": title}}
		if err := s.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, it.ID)
	}
	loose := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "d"}}
	if err := s.SaveItem(ctx, loose, "t"); err != nil {
		t.Fatal(err)
	}
	// The archivist orders two of them, and adds one filed elsewhere.
	fonds.Members = []string{ids[2], loose.ID, ids[0]}
	if err := s.SaveCollection(ctx, fonds, "t"); err != nil {
		t.Fatal(err)
	}
	got, total, err := s.CollectionItems(fonds, 0, 10)
	if err != nil || total != 4 || strings.Join(got, ",") != strings.Join([]string{ids[2], loose.ID, ids[0], ids[1]}, ",") {
		t.Fatalf("members %v (%d), want the ordered ones first, then the rest: %v", got, total, err)
	}
	if page, _, _ := s.CollectionItems(fonds, 3, 10); len(page) != 1 || page[0] != ids[1] {
		t.Fatalf("second page %v", page)
	}
	other := &repository.Collection{ID: "tu-box", Institution: "tu", Parent: fonds.ID, Level: repository.Series, Title: repository.Text{"en": "Box"}}
	if err := s.SaveCollection(ctx, other, "t"); !errors.Is(err, fault.Invalid) {
		t.Fatalf("a Thammasat series inside a Chiang Mai fonds: %v", err)
	}
}

func TestReenablingAUserRevivesNoOldTokenOrSession(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	at := time.Now().UTC()
	s.Now = func() time.Time { return at }
	u := &repository.User{Email: "reader@cmu.example", Institution: "cmu", Role: "reader", PasswordHash: repository.HashPassword("first password")}
	if err := s.SaveUser(ctx, u, "t"); err != nil {
		t.Fatal(err)
	}
	sec, _, err := s.CreateToken(ctx, u.ID, "read", 0, "t")
	if err != nil {
		t.Fatal(err)
	}
	cookie, _ := s.CreateSession(u.ID, time.Hour)
	access, err := s.AccessToken(cookie, "https://archive.example")
	if err != nil {
		t.Fatal(err)
	}
	at = at.Add(time.Second)
	u.Disabled = true
	if err := s.SaveUser(ctx, u, "t"); err != nil {
		t.Fatal(err)
	}
	at = at.Add(time.Second)
	u.Disabled = false
	if err := s.SaveUser(ctx, u, "t"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.TokenBySecret(sec); !errors.Is(err, repository.ErrUnknownCredentials) {
		t.Errorf("a token from before disabling works again: %v", err)
	}
	if _, _, err := s.Session(cookie); !errors.Is(err, repository.ErrUnknownCredentials) {
		t.Errorf("a session from before disabling works again: %v", err)
	}
	if _, _, err := s.SessionByAccessToken(access); !errors.Is(err, repository.ErrUnknownCredentials) {
		t.Errorf("an access token from before disabling works again: %v", err)
	}
	// What is made after re-enabling works.
	at = at.Add(time.Second)
	fresh, _, err := s.CreateToken(ctx, u.ID, "read", 0, "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := s.TokenBySecret(fresh); err != nil || got.ID != u.ID {
		t.Errorf("a token made after re-enabling: %v", err)
	}
	again, _ := s.CreateSession(u.ID, time.Hour)
	if _, _, err := s.Session(again); err != nil {
		t.Errorf("a session begun after re-enabling: %v", err)
	}
}

func TestAccessTokensAreKeptPerOrigin(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	u := &repository.User{Email: "reader@cmu.example", Institution: "cmu", Role: "reader", PasswordHash: repository.HashPassword("first password")}
	if err := s.SaveUser(ctx, u, "t"); err != nil {
		t.Fatal(err)
	}
	cookie, _ := s.CreateSession(u.ID, time.Hour)
	own, err := s.AccessToken(cookie, "https://archive.example")
	if err != nil {
		t.Fatal(err)
	}
	partner, err := s.AccessToken(cookie, "https://partner.example")
	if err != nil {
		t.Fatal(err)
	}
	live := func(tok string) bool { _, _, err := s.SessionByAccessToken(tok); return err == nil }
	if !live(own) || !live(partner) {
		t.Fatalf("a partner's token ended the archive's own (own %v, partner %v)", live(own), live(partner))
	}
	// Asking again at one origin replaces that origin's token only.
	again, err := s.AccessToken(cookie, "https://partner.example")
	if err != nil {
		t.Fatal(err)
	}
	if live(partner) || !live(again) || !live(own) {
		t.Errorf("after a second partner token: first %v, second %v, own %v; want false, true, true", live(partner), live(again), live(own))
	}
	if err := s.EndSession(cookie); err != nil {
		t.Fatal(err)
	}
	if live(own) || live(again) {
		t.Error("an access token outlived its session")
	}
}

// TestUnknownCredentialsAreUnauthenticated: a session that ended between
// the sign-in check and a viewer's token request is answered as a sign-in to
// make again (401), not as a failure of the archive (500).
func TestUnknownCredentialsAreUnauthenticated(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	_, err := s.AccessToken("no-such-session-cookie", "https://viewer.example")
	if !errors.Is(err, repository.ErrUnknownCredentials) || fault.KindOf(err) != fault.Unauthenticated {
		t.Fatalf("access token of an unknown session: %v (kind %v), want unknown credentials, unauthenticated", err, fault.KindOf(err))
	}
}
