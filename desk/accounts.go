package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// AccountStore is what Accounts needs of the metadata store.
type AccountStore interface {
	Institutions() ([]*repository.Institution, error)
	Institution(id string) (*repository.Institution, error)
	SaveInstitution(ctx context.Context, in *repository.Institution) error
	User(id string) (*repository.User, error)
	UserByEmail(email string) (*repository.User, error)
	Users(institution string) ([]*repository.User, error)
	SaveUser(ctx context.Context, u *repository.User, agent string, events ...repository.Event) error
}

// Accounts manages the people who may sign in: who manages whom, adding
// a person, changing their role, disabling them, a new password. The desk's
// users page and the command line ask the same rules of it.
type Accounts struct {
	Store AccountStore
	// Now is the clock access is decided at (nil: time.Now).
	Now func() time.Time
}

// System is the principal the command line acts as, named agent in the
// events it makes: whoever runs the archive's commands on its machine
// administers it.
func System(agent string) access.Principal {
	return access.Principal{User: "system", Email: agent, Role: access.SystemAdmin}
}

func (s *Accounts) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Manageable lists the libraries whose people p manages; none is refused
// as access.Decide refuses p their own library.
func (s *Accounts) Manageable(ctx context.Context, p access.Principal) ([]*repository.Institution, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	libs, err := s.Store.Institutions()
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []*repository.Institution
	for _, in := range libs {
		if access.Decide(p, access.ManageUsers, access.LibraryResource(in.ID), now) == nil {
			out = append(out, in)
		}
	}
	if len(out) == 0 {
		return nil, access.Decide(p, access.ManageUsers, access.LibraryResource(p.Institution), now)
	}
	return out, nil
}

// Users lists the people of the libraries p manages.
func (s *Accounts) Users(ctx context.Context, p access.Principal) ([]*repository.User, error) {
	libs, err := s.Manageable(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []*repository.User
	for _, in := range libs {
		us, err := s.Store.Users(in.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
	}
	return out, nil
}

// ByEmail finds the person with an address, of a library p manages:
// anyone else is no one.
func (s *Accounts) ByEmail(ctx context.Context, p access.Principal, email string) (*repository.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, err := s.Store.UserByEmail(email)
	if errors.Is(err, fault.NotFound) || err == nil && access.Decide(p, access.ManageUsers, access.LibraryResource(u.Institution), s.now()) != nil {
		return nil, fmt.Errorf("no user %q: %w", email, fault.NotFound)
	}
	return u, err
}

// NewUser is a person to add; a Password left empty is made up.
type NewUser struct {
	Email, Name, Institution string
	Role                     access.Role
	Password                 string
}

// Add adds a person to a library p manages, with a role p may grant. It
// returns the account and the password made up for it ("" when one was
// given), which is shown once.
func (s *Accounts) Add(ctx context.Context, p access.Principal, n NewUser) (*repository.User, string, error) {
	now := s.now()
	if err := access.Decide(p, access.ManageUsers, access.LibraryResource(n.Institution), now); err != nil {
		return nil, "", err
	}
	if !access.ValidRole(n.Role) {
		return nil, "", refuse(fault.Invalid, "bad_role", fmt.Sprintf("role %q is not reader, archivist, library-admin or system-admin", n.Role))
	}
	if err := access.MayGrant(p, n.Role, n.Institution, now); err != nil {
		return nil, "", &Reason{Key: "bad_role", Err: err}
	}
	if strings.TrimSpace(n.Email) == "" {
		return nil, "", fmt.Errorf("give the user's e-mail address: %w", fault.Invalid)
	}
	email, err := repository.NormalizeEmail(n.Email)
	if err != nil {
		return nil, "", fmt.Errorf("%q is not an e-mail address: %w", n.Email, fault.Invalid)
	}
	if err := s.knownLibrary(n.Institution); err != nil {
		return nil, "", err
	}
	if _, err := s.Store.UserByEmail(email); err == nil {
		return nil, "", fmt.Errorf("%s already has an account: %w", email, fault.Conflict)
	} else if !errors.Is(err, fault.NotFound) {
		return nil, "", err
	}
	pw, made, err := newPassword(n.Password)
	if err != nil {
		return nil, "", err
	}
	u := &repository.User{Email: email, Name: strings.TrimSpace(n.Name), Institution: n.Institution, Role: string(n.Role), PasswordHash: repository.HashPassword(pw)}
	if err := s.Store.SaveUser(ctx, u, p.Email); err != nil {
		return nil, "", err
	}
	return u, made, nil
}

// knownLibrary refuses a library the archive does not have.
func (s *Accounts) knownLibrary(id string) error {
	libs, err := s.Store.Institutions()
	if err != nil {
		return err
	}
	var ids []string
	for _, in := range libs {
		ids = append(ids, in.ID)
	}
	if !slices.Contains(ids, id) {
		return fmt.Errorf("library %q is not one of %s: %w", id, strings.Join(ids, ", "), fault.Invalid)
	}
	return nil
}

// newPassword checks a password someone chose, or makes one up when pw is
// empty; made is the one made up.
func newPassword(pw string) (use, made string, err error) {
	if pw == "" {
		pw = repository.NewPassword()
		return pw, pw, nil
	}
	if err := repository.CheckNewPassword(pw); err != nil {
		return "", "", err
	}
	return pw, "", nil
}

// Account actions besides a change of role.
const (
	Disable  = "disable"
	Enable   = "enable"
	Password = "password"
)

// UserChange is a change to a person's account, read at Version (below 0:
// not said, refused once access has been decided): a new
// Role ("" keeps theirs) and an Action (Disable, Enable, Password; "" or
// "role": none); a Password action with no Password makes one up.
type UserChange struct {
	ID       string
	Version  int
	Role     access.Role
	Action   string
	Password string
}

// Change changes a person of a library p manages: p must be able to grant
// both the role they hold and the one they are given, and no one changes
// their own role. Every change is an event naming p. It returns the
// account and the password made up for it, if any, shown once.
func (s *Accounts) Change(ctx context.Context, p access.Principal, c UserChange) (*repository.User, string, error) {
	now := s.now()
	u, err := s.Store.User(c.ID)
	if err != nil {
		return nil, "", err
	}
	if err := access.MayGrant(p, access.Role(u.Role), u.Institution, now); err != nil {
		if access.Decide(p, access.ManageUsers, access.LibraryResource(u.Institution), now) != nil {
			// Someone of a library one may not manage is no one: "forbidden"
			// would tell that the identifier is a person's.
			return nil, "", fmt.Errorf("user %q: %w", u.ID, fault.NotFound)
		}
		return nil, "", err
	}
	if c.Version < 0 {
		return nil, "", fmt.Errorf("the change does not say which version of %s it was read at; reload the page: %w", u.Email, fault.Invalid)
	}
	role := c.Role
	if role == "" {
		role = access.Role(u.Role)
	}
	if err := access.MayGrant(p, role, u.Institution, now); err != nil {
		return nil, "", &Reason{Key: "bad_role", Err: err}
	}
	if u.ID == p.User && role != access.Role(u.Role) {
		return nil, "", refuse(fault.Invalid, "own_role", "no one changes their own role")
	}
	var events []repository.Event
	change := func(typ, detail string) {
		events = append(events, repository.Event{Type: typ, Outcome: "success", Detail: u.Email + ": " + detail})
	}
	if string(role) != u.Role {
		change("role change", u.Role+" → "+string(role))
	}
	u.Role = string(role)
	made := ""
	switch c.Action {
	case "", "role":
	case Disable:
		u.Disabled = true
		change("account disabled", "sessions and tokens end")
	case Enable:
		u.Disabled = false
		change("account enabled", "may sign in again")
	case Password:
		var pw string
		if pw, made, err = newPassword(c.Password); err != nil {
			return nil, "", err
		}
		u.PasswordHash = repository.HashPassword(pw)
		change("password change", "a new password was made; sessions end")
	default:
		return nil, "", fmt.Errorf("no account action %q: %w", c.Action, fault.Invalid)
	}
	u.Version = c.Version
	if err := s.Store.SaveUser(ctx, u, p.Email, events...); err != nil {
		return nil, "", err
	}
	return u, made, nil
}
