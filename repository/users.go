package repository

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"

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
	// From is the identity provider's session a university sign-in came
	// from, when the provider's single logout needs it named (nil for the
	// password form).
	From *ProviderSession `json:"from,omitempty"`
}

// ProviderSession is a person's session at a library's identity provider,
// as a SAML assertion names it: a LogoutRequest, the archive's or the
// IdP's, names the person by NameID and the session by SessionIndex.
type ProviderSession struct {
	Library         string `json:"library"`
	Provider        string `json:"provider"` // "saml"
	NameID          string `json:"nameID"`
	NameIDFormat    string `json:"nameIDFormat,omitempty"`
	NameQualifier   string `json:"nameQualifier,omitempty"`
	SPNameQualifier string `json:"spNameQualifier,omitempty"`
	SessionIndex    string `json:"sessionIndex,omitempty"`
}

// MaxProviderField is the longest NameID, format, qualifier or session
// index a session keeps; an assertion with a longer one gives a session
// without single logout.
const MaxProviderField = 1024

// AccountsObject is the event object for sign-in attempts that name no
// known user.
const AccountsObject = "accounts"

// ErrUnknownCredentials: no such user, token or session, or a wrong password.
// It is of the unauthenticated kind: signing in (again) is what helps.
var ErrUnknownCredentials = fault.E("", fault.Unauthenticated, "", errors.New("unknown credentials"))

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
