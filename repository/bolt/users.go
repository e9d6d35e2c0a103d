package bolt

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	bbolt "go.etcd.io/bbolt"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

var (
	bUsers     = []byte("users")
	bTokens    = []byte("tokens")
	bSessions  = []byte("sessions") // hash of the cookie → Session
	ixEmail    = []byte("ix_user_email")
	ixToken    = []byte("ix_token_hash")
	ixAccess   = []byte("ix_access_token") // hash of an access token → session key
	ixInstUser = []byte("ix_institution_users")
)

func secret() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func hashOf(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

// SaveUser creates (Version 0) or updates a user, versioned like every
// record: storage first, then the index, then the events.
func (s *Store) SaveUser(ctx context.Context, u *repository.User, agent string, events ...repository.Event) error {
	next := *u
	var err error
	if next.Email, err = repository.NormalizeEmail(next.Email); err != nil {
		return err
	}
	if utf8.RuneCountInString(next.Name) > repository.MaxName {
		return fmt.Errorf("user %s: the name is longer than %d characters: %w", next.Email, repository.MaxName, fault.Invalid)
	}
	if _, err := s.Institution(next.Institution); err != nil {
		return fmt.Errorf("user %s: library %q: %w", next.Email, next.Institution, fault.Invalid)
	}
	var old *repository.User
	if next.ID == "" {
		next.ID = s.freshID(bUsers)
	}
	// The address is locked too: two accounts never take one at once.
	unlock := s.locks.lock(lockSet{mine: append([]string{"user/" + next.ID, "email/" + next.Email}, signInLocks(&next)...)})
	if o, err := s.User(next.ID); err == nil {
		if o.Version != next.Version {
			unlock()
			return fmt.Errorf("user %s was changed by someone else: %w", next.Email, fault.Conflict)
		}
		old = o
	} else if next.Version != 0 {
		unlock()
		return fmt.Errorf("user %s: %w", next.ID, fault.NotFound)
	}
	if other, err := s.UserByEmail(next.Email); err == nil && other.ID != next.ID {
		unlock()
		return fmt.Errorf("%s already has an account: %w", next.Email, fault.Conflict)
	}
	if err := s.checkSignInLinks(&next); err != nil {
		unlock()
		return err
	}
	now := s.Now()
	next.Version++
	next.Modified = now
	if old == nil {
		next.Created, next.CredentialsChanged = now, now
	} else if old.PasswordHash != next.PasswordHash || old.Role != next.Role || old.Institution != next.Institution || next.Disabled && !old.Disabled {
		next.CredentialsChanged = now
	}
	if next.Disabled && (old == nil || !old.Disabled) {
		next.DisabledAt = now
	}
	if err := s.putRecord(ctx, repository.RecordKey("users", next.ID, next.Version), record{Kind: "user", User: &next}); err != nil {
		unlock()
		return err
	}
	err = s.update(func(tx *bbolt.Tx) error {
		if err := insertUser(tx, old, &next); err != nil {
			return err
		}
		return appendFeed(tx, repository.FeedEntry{Time: now, Kind: "user", ID: next.ID, Version: next.Version, Op: feedOp(old == nil, next.Disabled)})
	})
	unlock()
	if err != nil {
		return err
	}
	s.announce()
	*u = next
	typ := "account creation"
	if old != nil {
		typ = "account modification"
	}
	events = append([]repository.Event{{Type: typ, Agent: agent, Outcome: "success", Detail: fmt.Sprintf("%s, %s of %s, version %d", next.Email, next.Role, next.Institution, next.Version)}}, events...)
	for i := range events {
		events[i].Object = next.ID
		if events[i].Agent == "" {
			events[i].Agent = agent
		}
	}
	return s.record(ctx, events...)
}

func insertUser(tx *bbolt.Tx, old, u *repository.User) error {
	if old != nil {
		if err := unindex(tx, ixEmail, []byte(old.Email)); err != nil {
			return err
		}
		if err := unindex(tx, ixInstUser, join(old.Institution, old.ID)); err != nil {
			return err
		}
	}
	if err := indexSignInLinks(tx, old, u); err != nil {
		return err
	}
	if err := putJSON(tx, bUsers, u.ID, u); err != nil {
		return err
	}
	if err := tx.Bucket(ixEmail).Put([]byte(u.Email), []byte(u.ID)); err != nil {
		return err
	}
	return tx.Bucket(ixInstUser).Put(join(u.Institution, u.ID), nil)
}

// User returns one user.
func (s *Store) User(id string) (*repository.User, error) {
	var u repository.User
	if err := s.view(func(tx *bbolt.Tx) error { return getJSON(tx, bUsers, id, &u) }); err != nil {
		return nil, err
	}
	return &u, nil
}

// UserByEmail returns the user with this address.
func (s *Store) UserByEmail(email string) (*repository.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var u repository.User
	err := s.view(func(tx *bbolt.Tx) error {
		id := tx.Bucket(ixEmail).Get([]byte(email))
		if id == nil {
			return fmt.Errorf("no user %q: %w", email, fault.NotFound)
		}
		return getJSON(tx, bUsers, string(id), &u)
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// Users lists the users of a library ("" for every library), by identifier.
func (s *Store) Users(institution string) ([]*repository.User, error) {
	var out []*repository.User
	err := s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket(bUsers).ForEach(func(k, v []byte) error {
			var u repository.User
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			if institution == "" || u.Institution == institution {
				out = append(out, &u)
			}
			return nil
		})
	})
	return out, err
}

// CreateToken gives a user a new API token, returned once: only its hash
// is kept.
func (s *Store) CreateToken(ctx context.Context, user, scope string, ttl time.Duration, agent string) (string, *repository.Token, error) {
	return s.createToken(ctx, user, scope, ttl, agent, secret())
}

// ImportToken registers a secret that already exists (the single token of
// an older data folder) as a user's token. A secret registered before is
// not registered again, whatever became of it: a revoked token stays revoked.
func (s *Store) ImportToken(ctx context.Context, user, scope, secret, agent string) (*repository.Token, error) {
	var t repository.Token
	err := s.view(func(tx *bbolt.Tx) error {
		id := tx.Bucket(ixToken).Get([]byte(hashOf(secret)))
		if id == nil {
			return repository.ErrUnknownCredentials
		}
		return getJSON(tx, bTokens, string(id), &t)
	})
	if err == nil {
		return &t, nil
	}
	if !errors.Is(err, repository.ErrUnknownCredentials) {
		return nil, err
	}
	_, tok, err := s.createToken(ctx, user, scope, 0, agent, secret)
	return tok, err
}

func (s *Store) createToken(ctx context.Context, user, scope string, ttl time.Duration, agent, sec string) (string, *repository.Token, error) {
	u, err := s.User(user)
	if err != nil {
		return "", nil, err
	}
	now := s.Now()
	t := &repository.Token{ID: s.freshID(bTokens), User: u.ID, Scope: scope, Hash: hashOf(sec), Created: now, Modified: now, Version: 1}
	if ttl > 0 {
		t.Expires = now.Add(ttl)
	}
	if err := s.saveToken(ctx, t); err != nil {
		return "", nil, err
	}
	detail := fmt.Sprintf("token %s (%s) for %s", t.ID, scope, u.Email)
	if ttl > 0 {
		detail += ", expires " + t.Expires.Format(time.RFC3339)
	}
	return sec, t, s.record(ctx, repository.Event{Type: "token creation", Object: u.ID, Agent: agent, Outcome: "success", Detail: detail})
}

func (s *Store) saveToken(ctx context.Context, t *repository.Token) error {
	if err := s.putRecord(ctx, repository.RecordKey("tokens", t.ID, t.Version), record{Kind: "token", Token: t}); err != nil {
		return err
	}
	err := s.update(func(tx *bbolt.Tx) error {
		if err := insertToken(tx, t); err != nil {
			return err
		}
		return appendFeed(tx, repository.FeedEntry{Time: t.Modified, Kind: "token", ID: t.ID, Version: t.Version, Op: feedOp(t.Version == 1, t.Revoked)})
	})
	if err == nil {
		s.announce()
	}
	return err
}

func insertToken(tx *bbolt.Tx, t *repository.Token) error {
	if err := putJSON(tx, bTokens, t.ID, t); err != nil {
		return err
	}
	return tx.Bucket(ixToken).Put([]byte(t.Hash), []byte(t.ID))
}

// RevokeToken ends a token for good.
func (s *Store) RevokeToken(ctx context.Context, id, agent string) error {
	defer s.locks.lock(lockSet{mine: []string{"token/" + id}})()
	var t repository.Token
	if err := s.view(func(tx *bbolt.Tx) error { return getJSON(tx, bTokens, id, &t) }); err != nil {
		return err
	}
	if t.Revoked {
		return nil
	}
	t.Revoked, t.Version, t.Modified = true, t.Version+1, s.Now()
	if err := s.saveToken(ctx, &t); err != nil {
		return err
	}
	return s.record(ctx, repository.Event{Type: "token deletion", Object: t.User, Agent: agent, Outcome: "success", Detail: "token " + t.ID + " revoked"})
}

// Tokens lists a user's tokens ("" for everyone's).
func (s *Store) Tokens(user string) ([]*repository.Token, error) {
	var out []*repository.Token
	err := s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket(bTokens).ForEach(func(k, v []byte) error {
			var t repository.Token
			if err := json.Unmarshal(v, &t); err != nil {
				return err
			}
			if user == "" || t.User == user {
				out = append(out, &t)
			}
			return nil
		})
	})
	return out, err
}

// TokenBySecret finds a live token and its user: not revoked, not expired,
// its user not disabled, and made since the user was last disabled.
func (s *Store) TokenBySecret(sec string) (*repository.Token, *repository.User, error) {
	var t repository.Token
	err := s.view(func(tx *bbolt.Tx) error {
		id := tx.Bucket(ixToken).Get([]byte(hashOf(sec)))
		if id == nil {
			return repository.ErrUnknownCredentials
		}
		return getJSON(tx, bTokens, string(id), &t)
	})
	if err != nil {
		return nil, nil, err
	}
	if t.Revoked || !t.Expires.IsZero() && s.Now().After(t.Expires) {
		return nil, nil, repository.ErrUnknownCredentials
	}
	u, err := s.User(t.User)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled || !u.DisabledAt.IsZero() && !t.Created.After(u.DisabledAt) {
		return nil, nil, repository.ErrUnknownCredentials
	}
	return &t, u, nil
}

// CreateSession begins a session for a user and returns the cookie value.
func (s *Store) CreateSession(user string, ttl time.Duration) (string, error) {
	return s.CreateSessionFrom(user, ttl, nil)
}

// CreateSessionFrom begins a session for a user that came from the
// identity provider's session from (nil: none), kept with it on the
// server, and returns the cookie value.
func (s *Store) CreateSessionFrom(user string, ttl time.Duration, from *repository.ProviderSession) (string, error) {
	v := secret()
	now := s.Now()
	err := s.update(func(tx *bbolt.Tx) error {
		return putJSON(tx, bSessions, hashOf(v), &repository.Session{User: user, Created: now, Expires: now.Add(ttl), From: from})
	})
	return v, err
}

// EndProviderSessions ends every session that came from library's
// provider session of the person nameID; with indexes, only those of the
// provider's sessions so named. It returns how many ended. Sessions are
// few (they last hours and are pruned), so they are read in one pass.
func (s *Store) EndProviderSessions(library, provider, nameID string, indexes []string) (int, error) {
	n := 0
	err := s.update(func(tx *bbolt.Tx) error {
		var err error
		n, err = dropSessions(tx, func(ses *repository.Session, read bool) bool {
			f := ses.From
			return read && f != nil && f.Library == library && f.Provider == provider && f.NameID == nameID &&
				(len(indexes) == 0 || slices.Contains(indexes, f.SessionIndex))
		})
		return err
	})
	return n, err
}

// dropSessions removes the sessions drop picks (read: the session could be
// decoded) with their access entries, and says how many.
func dropSessions(tx *bbolt.Tx, drop func(ses *repository.Session, read bool) bool) (int, error) {
	// Collect first: deleting under a cursor skips the next key.
	var gone, access [][]byte
	if err := tx.Bucket(bSessions).ForEach(func(k, v []byte) error {
		var ses repository.Session
		if drop(&ses, json.Unmarshal(v, &ses) == nil) {
			gone = append(gone, append([]byte(nil), k...))
			for _, h := range ses.Access {
				access = append(access, []byte(h))
			}
		}
		return nil
	}); err != nil {
		return 0, err
	}
	for _, k := range access {
		if err := tx.Bucket(ixAccess).Delete(k); err != nil {
			return 0, err
		}
	}
	for _, k := range gone {
		if err := tx.Bucket(bSessions).Delete(k); err != nil {
			return 0, err
		}
	}
	return len(gone), nil
}

// Session returns the live session of a cookie value and its user.
func (s *Store) Session(cookie string) (*repository.Session, *repository.User, error) {
	if cookie == "" {
		return nil, nil, repository.ErrUnknownCredentials
	}
	return s.sessionAt(hashOf(cookie))
}

func (s *Store) sessionAt(key string) (*repository.Session, *repository.User, error) {
	var ses repository.Session
	err := s.view(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bSessions).Get([]byte(key))
		if b == nil {
			return repository.ErrUnknownCredentials
		}
		return json.Unmarshal(b, &ses)
	})
	if err != nil {
		return nil, nil, err
	}
	u, err := s.User(ses.User)
	if err != nil {
		return nil, nil, err
	}
	if s.Now().After(ses.Expires) || u.Disabled || ses.Created.Before(u.CredentialsChanged) {
		return nil, nil, repository.ErrUnknownCredentials
	}
	return &ses, u, nil
}

// EndSession signs a browser out.
func (s *Store) EndSession(cookie string) error {
	key := hashOf(cookie)
	return s.update(func(tx *bbolt.Tx) error {
		var ses repository.Session
		if b := tx.Bucket(bSessions).Get([]byte(key)); b != nil && json.Unmarshal(b, &ses) == nil {
			for _, h := range ses.Access {
				if err := unindex(tx, ixAccess, []byte(h)); err != nil {
					return err
				}
			}
		}
		return tx.Bucket(bSessions).Delete([]byte(key))
	})
}

// AccessToken gives the session of a cookie a fresh IIIF access token for
// viewers at an origin (an opaque value that is not the cookie), replacing
// the one given before to that origin only. The caller decides which
// origins may have one: the session keeps a token for each.
func (s *Store) AccessToken(cookie, origin string) (string, error) {
	if _, _, err := s.Session(cookie); err != nil {
		return "", err
	}
	tok := secret()
	key := hashOf(cookie)
	err := s.update(func(tx *bbolt.Tx) error {
		// Read and replace in one transaction: two viewers asking at once
		// leave one token, and no orphan in the index.
		var ses repository.Session
		b := tx.Bucket(bSessions).Get([]byte(key))
		if b == nil {
			return repository.ErrUnknownCredentials
		}
		if err := json.Unmarshal(b, &ses); err != nil {
			return err
		}
		if old := ses.Access[origin]; old != "" {
			if err := unindex(tx, ixAccess, []byte(old)); err != nil {
				return err
			}
		}
		if ses.Access == nil {
			ses.Access = map[string]string{}
		}
		ses.Access[origin] = hashOf(tok)
		if err := putJSON(tx, bSessions, key, &ses); err != nil {
			return err
		}
		return tx.Bucket(ixAccess).Put([]byte(ses.Access[origin]), []byte(key))
	})
	return tok, err
}

// SessionByAccessToken returns the live session an access token was given to.
func (s *Store) SessionByAccessToken(tok string) (*repository.Session, *repository.User, error) {
	var key []byte
	if err := s.view(func(tx *bbolt.Tx) error {
		key = append(key, tx.Bucket(ixAccess).Get([]byte(hashOf(tok)))...)
		return nil
	}); err != nil {
		return nil, nil, err
	}
	if len(key) == 0 {
		return nil, nil, repository.ErrUnknownCredentials
	}
	return s.sessionAt(string(key))
}

// PruneSessions removes sessions that have expired.
func (s *Store) PruneSessions() error {
	now := s.Now()
	return s.update(func(tx *bbolt.Tx) error {
		_, err := dropSessions(tx, func(ses *repository.Session, read bool) bool { return !read || now.After(ses.Expires) })
		return err
	})
}
