package repository

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/argon2"

	"github.com/thaiarchives/archive/fault"
)

// User is a person with an account: a member of one library with one role
// there (the roles are the access package's).
type User struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Name        string `json:"name,omitempty"`
	Institution string `json:"institution"`
	Role        string `json:"role"`
	// PasswordHash is Argon2id, in the PHC string format.
	PasswordHash string `json:"passwordHash,omitempty"`
	Disabled     bool   `json:"disabled,omitempty"`
	// SignInLinks are the people at libraries' identity providers who sign
	// in as this user.
	SignInLinks []SignInLink `json:"signInLinks,omitempty"`
	// DisabledAt is when the user was last disabled: their tokens made
	// before it stay refused after re-enabling, as their sessions do.
	DisabledAt time.Time `json:"disabledAt,omitzero"`
	// CredentialsChanged: sessions begun before it (a new password, a
	// change of role, disabling) are over.
	CredentialsChanged time.Time `json:"credentialsChanged"`
	Version            int       `json:"version"`
	Created            time.Time `json:"created"`
	Modified           time.Time `json:"modified"`
}

// Token is an API token for scripts: held by a user, narrowed to a scope,
// kept only as a hash.
type Token struct {
	ID       string    `json:"id"`
	User     string    `json:"user"`
	Scope    string    `json:"scope"`
	Hash     string    `json:"hash"` // SHA-256 of the secret
	Expires  time.Time `json:"expires"`
	Created  time.Time `json:"created"`
	Revoked  bool      `json:"revoked,omitempty"`
	Version  int       `json:"version"`
	Modified time.Time `json:"modified"`
}

// Session is a signed-in browser: kept on the server, so signing out,
// disabling the user or changing the password ends it.
type Session struct {
	User    string    `json:"user"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	// Access holds, by the viewer's origin, the hash of the IIIF access
	// token given to viewers there: a token asked for at one origin does
	// not end another's.
	Access map[string]string `json:"accessByOrigin,omitempty"`
}

// AccountsObject is the event object for sign-in attempts that name no
// known user.
const AccountsObject = "accounts"

var (
	bUsers     = []byte("users")
	bTokens    = []byte("tokens")
	bSessions  = []byte("sessions") // hash of the cookie → Session
	ixEmail    = []byte("ix_user_email")
	ixToken    = []byte("ix_token_hash")
	ixAccess   = []byte("ix_access_token") // hash of an access token → session key
	ixInstUser = []byte("ix_institution_users")
)

// ErrUnknownCredentials: no such user, token or session, or a wrong password.
// It is of the unauthenticated kind: signing in (again) is what helps.
var ErrUnknownCredentials = fault.E("", fault.Unauthenticated, "", errors.New("unknown credentials"))

func secret() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func hashOf(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

// NewPassword makes up a password of 16 random characters, to be given
// once to its holder.
func NewPassword() string {
	var b [12]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// HashPassword returns the Argon2id hash of a password (RFC 9106's second
// recommended parameters: 64 MiB, 3 passes).
func HashPassword(pw string) string {
	var salt [16]byte
	rand.Read(salt[:])
	key := argon2.IDKey([]byte(pw), salt[:], 3, 64<<10, 2, 32)
	return fmt.Sprintf("$argon2id$v=19$m=65536,t=3,p=2$%s$%s", base64.RawStdEncoding.EncodeToString(salt[:]), base64.RawStdEncoding.EncodeToString(key))
}

// Bounds of a password chosen by a person (generated ones have 16
// characters): long enough to resist guessing, short enough that hashing it
// costs what hashing any other does.
const (
	MinPassword = 10
	MaxPassword = 1024 // bytes
)

// CheckNewPassword says what is wrong with a password someone chose: too
// long, without a visible character, or too short, counting only visible
// characters that stand on their own (so that blanks, invisible ones and
// combining marks cannot pad it out).
func CheckNewPassword(pw string) error {
	visible, marks := 0, 0
	for _, r := range pw {
		switch {
		case invisible(r):
		case unicode.Is(unicode.M, r):
			marks++ // a vowel or tone mark (U+0E31 …) is part of the letter before it
		default:
			visible++
		}
	}
	switch {
	case len(pw) > MaxPassword:
		return fault.E("", fault.Invalid, "", fmt.Errorf("the password is longer than %d bytes", MaxPassword))
	case visible == 0 && marks == 0:
		return fault.E("", fault.Invalid, "", errors.New("the password is only spaces or other invisible characters"))
	case visible < MinPassword:
		return fault.E("", fault.Invalid, "", fmt.Errorf("the password has fewer than %d visible characters", MinPassword))
	}
	return nil
}

// invisible: white space, a control or format character (U+200B zero width
// space, U+200D joiner, U+2060 word joiner, U+FEFF …), a variation selector,
// or another character that Unicode says shows nothing (U+3164 Hangul
// filler …).
func invisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
}

// CheckPassword reports whether pw matches an Argon2id hash.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 10 || p == 0 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Bounds of what a person gives about themselves (RFC 5321 for
// addresses): what is stored of a visitor stays small.
const (
	MaxEmail = 254 // bytes
	MaxName  = 200 // characters
)

// NormalizeEmail lower-cases an address and checks its form.
func NormalizeEmail(e string) (string, error) {
	e = strings.ToLower(strings.TrimSpace(e))
	if len(e) > MaxEmail {
		return "", fmt.Errorf("the e-mail address is longer than %d characters: %w", MaxEmail, fault.Invalid)
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e {
		return "", fmt.Errorf("%q is not an e-mail address: %w", e, fault.Invalid)
	}
	return e, nil
}

// SaveUser creates (Version 0) or updates a user, versioned like every
// record: storage first, then the index, then the events.
func (s *Store) SaveUser(ctx context.Context, u *User, agent string, events ...Event) error {
	next := *u
	var err error
	if next.Email, err = NormalizeEmail(next.Email); err != nil {
		return err
	}
	if utf8.RuneCountInString(next.Name) > MaxName {
		return fmt.Errorf("user %s: the name is longer than %d characters: %w", next.Email, MaxName, fault.Invalid)
	}
	if _, err := s.Institution(next.Institution); err != nil {
		return fmt.Errorf("user %s: library %q: %w", next.Email, next.Institution, fault.Invalid)
	}
	var old *User
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
	if err := s.putRecord(ctx, RecordKey("users", next.ID, next.Version), record{Kind: "user", User: &next}); err != nil {
		unlock()
		return err
	}
	err = s.update(func(tx *bolt.Tx) error {
		if err := insertUser(tx, old, &next); err != nil {
			return err
		}
		return appendFeed(tx, FeedEntry{Time: now, Kind: "user", ID: next.ID, Version: next.Version, Op: feedOp(old == nil, next.Disabled)})
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
	events = append([]Event{{Type: typ, Agent: agent, Outcome: "success", Detail: fmt.Sprintf("%s, %s of %s, version %d", next.Email, next.Role, next.Institution, next.Version)}}, events...)
	for i := range events {
		events[i].Object = next.ID
		if events[i].Agent == "" {
			events[i].Agent = agent
		}
	}
	return s.record(ctx, events...)
}

func insertUser(tx *bolt.Tx, old, u *User) error {
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
func (s *Store) User(id string) (*User, error) {
	var u User
	if err := s.view(func(tx *bolt.Tx) error { return getJSON(tx, bUsers, id, &u) }); err != nil {
		return nil, err
	}
	return &u, nil
}

// UserByEmail returns the user with this address.
func (s *Store) UserByEmail(email string) (*User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var u User
	err := s.view(func(tx *bolt.Tx) error {
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
func (s *Store) Users(institution string) ([]*User, error) {
	var out []*User
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bUsers).ForEach(func(k, v []byte) error {
			var u User
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
func (s *Store) CreateToken(ctx context.Context, user, scope string, ttl time.Duration, agent string) (string, *Token, error) {
	return s.createToken(ctx, user, scope, ttl, agent, secret())
}

// ImportToken registers a secret that already exists (the single token of
// an older data folder) as a user's token. A secret registered before is
// not registered again, whatever became of it: a revoked token stays revoked.
func (s *Store) ImportToken(ctx context.Context, user, scope, secret, agent string) (*Token, error) {
	var t Token
	err := s.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(ixToken).Get([]byte(hashOf(secret)))
		if id == nil {
			return ErrUnknownCredentials
		}
		return getJSON(tx, bTokens, string(id), &t)
	})
	if err == nil {
		return &t, nil
	}
	if !errors.Is(err, ErrUnknownCredentials) {
		return nil, err
	}
	_, tok, err := s.createToken(ctx, user, scope, 0, agent, secret)
	return tok, err
}

func (s *Store) createToken(ctx context.Context, user, scope string, ttl time.Duration, agent, sec string) (string, *Token, error) {
	u, err := s.User(user)
	if err != nil {
		return "", nil, err
	}
	now := s.Now()
	t := &Token{ID: s.freshID(bTokens), User: u.ID, Scope: scope, Hash: hashOf(sec), Created: now, Modified: now, Version: 1}
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
	return sec, t, s.record(ctx, Event{Type: "token creation", Object: u.ID, Agent: agent, Outcome: "success", Detail: detail})
}

func (s *Store) saveToken(ctx context.Context, t *Token) error {
	if err := s.putRecord(ctx, RecordKey("tokens", t.ID, t.Version), record{Kind: "token", Token: t}); err != nil {
		return err
	}
	err := s.update(func(tx *bolt.Tx) error {
		if err := insertToken(tx, t); err != nil {
			return err
		}
		return appendFeed(tx, FeedEntry{Time: t.Modified, Kind: "token", ID: t.ID, Version: t.Version, Op: feedOp(t.Version == 1, t.Revoked)})
	})
	if err == nil {
		s.announce()
	}
	return err
}

func insertToken(tx *bolt.Tx, t *Token) error {
	if err := putJSON(tx, bTokens, t.ID, t); err != nil {
		return err
	}
	return tx.Bucket(ixToken).Put([]byte(t.Hash), []byte(t.ID))
}

// RevokeToken ends a token for good.
func (s *Store) RevokeToken(ctx context.Context, id, agent string) error {
	defer s.locks.lock(lockSet{mine: []string{"token/" + id}})()
	var t Token
	if err := s.view(func(tx *bolt.Tx) error { return getJSON(tx, bTokens, id, &t) }); err != nil {
		return err
	}
	if t.Revoked {
		return nil
	}
	t.Revoked, t.Version, t.Modified = true, t.Version+1, s.Now()
	if err := s.saveToken(ctx, &t); err != nil {
		return err
	}
	return s.record(ctx, Event{Type: "token deletion", Object: t.User, Agent: agent, Outcome: "success", Detail: "token " + t.ID + " revoked"})
}

// Tokens lists a user's tokens ("" for everyone's).
func (s *Store) Tokens(user string) ([]*Token, error) {
	var out []*Token
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bTokens).ForEach(func(k, v []byte) error {
			var t Token
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
func (s *Store) TokenBySecret(sec string) (*Token, *User, error) {
	var t Token
	err := s.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(ixToken).Get([]byte(hashOf(sec)))
		if id == nil {
			return ErrUnknownCredentials
		}
		return getJSON(tx, bTokens, string(id), &t)
	})
	if err != nil {
		return nil, nil, err
	}
	if t.Revoked || !t.Expires.IsZero() && s.Now().After(t.Expires) {
		return nil, nil, ErrUnknownCredentials
	}
	u, err := s.User(t.User)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled || !u.DisabledAt.IsZero() && !t.Created.After(u.DisabledAt) {
		return nil, nil, ErrUnknownCredentials
	}
	return &t, u, nil
}

// CreateSession begins a session for a user and returns the cookie value.
func (s *Store) CreateSession(user string, ttl time.Duration) (string, error) {
	v := secret()
	now := s.Now()
	err := s.update(func(tx *bolt.Tx) error {
		return putJSON(tx, bSessions, hashOf(v), &Session{User: user, Created: now, Expires: now.Add(ttl)})
	})
	return v, err
}

// Session returns the live session of a cookie value and its user.
func (s *Store) Session(cookie string) (*Session, *User, error) {
	if cookie == "" {
		return nil, nil, ErrUnknownCredentials
	}
	return s.sessionAt(hashOf(cookie))
}

func (s *Store) sessionAt(key string) (*Session, *User, error) {
	var ses Session
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSessions).Get([]byte(key))
		if b == nil {
			return ErrUnknownCredentials
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
		return nil, nil, ErrUnknownCredentials
	}
	return &ses, u, nil
}

// EndSession signs a browser out.
func (s *Store) EndSession(cookie string) error {
	key := hashOf(cookie)
	return s.update(func(tx *bolt.Tx) error {
		var ses Session
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
	err := s.update(func(tx *bolt.Tx) error {
		// Read and replace in one transaction: two viewers asking at once
		// leave one token, and no orphan in the index.
		var ses Session
		b := tx.Bucket(bSessions).Get([]byte(key))
		if b == nil {
			return ErrUnknownCredentials
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
func (s *Store) SessionByAccessToken(tok string) (*Session, *User, error) {
	var key []byte
	if err := s.view(func(tx *bolt.Tx) error {
		key = append(key, tx.Bucket(ixAccess).Get([]byte(hashOf(tok)))...)
		return nil
	}); err != nil {
		return nil, nil, err
	}
	if len(key) == 0 {
		return nil, nil, ErrUnknownCredentials
	}
	return s.sessionAt(string(key))
}

// PruneSessions removes sessions that have expired.
func (s *Store) PruneSessions() error {
	now := s.Now()
	return s.update(func(tx *bolt.Tx) error {
		// Collect first: deleting under a cursor skips the next key.
		var gone, access [][]byte
		if err := tx.Bucket(bSessions).ForEach(func(k, v []byte) error {
			var ses Session
			if json.Unmarshal(v, &ses) != nil || now.After(ses.Expires) {
				gone = append(gone, append([]byte(nil), k...))
				for _, h := range ses.Access {
					access = append(access, []byte(h))
				}
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range access {
			if err := tx.Bucket(ixAccess).Delete(k); err != nil {
				return err
			}
		}
		for _, k := range gone {
			if err := tx.Bucket(bSessions).Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}
