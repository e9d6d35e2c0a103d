package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// cliAgent names the operator in events made from the command line.
func cliAgent() string {
	if u := os.Getenv("USER"); u != "" {
		return "command line (" + u + ")"
	}
	return "command line"
}

// bootstrapAdmin makes sure the archive has a system administrator whose
// token is the data folder's token (or ARCHIVE_TOKEN): a data folder of the
// single-token era keeps working, and its token becomes an administrator's.
// A token once registered is never registered again, so revoking it lasts
// across restarts (remove DATA/token, or change ARCHIVE_TOKEN, for a new one).
func bootstrapAdmin(ctx context.Context, cfg *Config, store *repository.Store, log *slog.Logger) error {
	token, err := cfg.token()
	if err != nil {
		return err
	}
	email := cfg.AdminEmail
	if email == "" {
		email = "archive@localhost"
	}
	u, err := store.UserByEmail(email)
	if errors.Is(err, fault.NotFound) {
		// The first administrator gets a password to sign in with, kept in
		// a file only the archive's user can read, until they change it.
		pw := repository.NewPassword()
		u = &repository.User{Email: email, Name: "Archive administrator", Institution: "cmu", Role: string(access.SystemAdmin), PasswordHash: repository.HashPassword(pw)}
		if err = store.SaveUser(ctx, u, "archive (first start)"); err == nil {
			path := filepath.Join(cfg.Data, "initial-admin-password")
			if werr := os.WriteFile(path, []byte(pw+"\n"), 0o600); werr != nil {
				return fmt.Errorf("the first administrator's password cannot be saved in %s: %v", path, unwrap(werr))
			}
			log.Info("administrator account created: sign in at /login", "email", email, "password file", path)
		}
	}
	if err != nil {
		return fmt.Errorf("setting up the administrator account: %w", err)
	}
	// The data folder's token may do everything; it must not become the
	// token of someone with a narrower role (ARCHIVE_ADMIN_EMAIL is also
	// the contact given to harvesters, often a librarian's address).
	if u.Role != string(access.SystemAdmin) {
		return fmt.Errorf("the administrator account %s has the role %s, not system-admin: give ARCHIVE_ADMIN_EMAIL a system administrator's address", u.Email, u.Role)
	}
	if u.Disabled {
		log.Warn("the administrator account is disabled: the data folder's token is refused", "user", u.Email)
	}
	known, err := store.ImportToken(ctx, u.ID, string(access.ScopeWrite), token, "archive (first start)")
	if err != nil {
		return fmt.Errorf("registering the administrator's token: %w", err)
	}
	if known.Revoked {
		log.Warn("the data folder's token was revoked: remove the token file (or change ARCHIVE_TOKEN) and restart for a new one", "token", known.ID)
	}
	return nil
}

// userByEmail finds a user named on the command line by the flag named.
func userByEmail(store *repository.Store, email, flagName string) (*repository.User, error) {
	if email == "" {
		return nil, fmt.Errorf("give the user's e-mail address (--%s)", flagName)
	}
	u, err := store.UserByEmail(email)
	if errors.Is(err, fault.NotFound) {
		return nil, fmt.Errorf("no user %q", email)
	}
	return u, err
}

// checkNewUser says, in one sentence, what is wrong with a user to add.
func checkNewUser(store *repository.Store, u *repository.User) error {
	if !access.ValidRole(access.Role(u.Role)) {
		return fmt.Errorf("role %q is not reader, archivist, library-admin or system-admin", u.Role)
	}
	if u.Email == "" {
		return errors.New("give the user's e-mail address (--email)")
	}
	email, err := repository.NormalizeEmail(u.Email)
	if err != nil {
		return fmt.Errorf("%q is not an e-mail address", u.Email)
	}
	libs, err := store.Institutions()
	if err != nil {
		return err
	}
	var ids []string
	for _, in := range libs {
		ids = append(ids, in.ID)
	}
	if !slices.Contains(ids, u.Institution) {
		return fmt.Errorf("library %q is not one of %s (give --institution)", u.Institution, strings.Join(ids, ", "))
	}
	if _, err := store.UserByEmail(email); err == nil {
		return fmt.Errorf("%s already has an account", email)
	} else if !errors.Is(err, fault.NotFound) {
		return err
	}
	return nil
}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args := subcommand(args)
	fs := flag.NewFlagSet("user", flag.ContinueOnError)
	var c common
	c.register(fs)
	email := fs.String("email", "", "the user's e-mail `address`")
	inst := fs.String("institution", "", "the user's `library` (cmu, tu, chula)")
	role := fs.String("role", "reader", "`role`: reader, archivist, library-admin or system-admin")
	name := fs.String("name", "", "the user's `name`")
	rest, err := parse(fs, args, stderr, "add|list|disable|passwd [flags]", "Manages the people who may sign in. A password is read from standard input, or generated and printed once.")
	if err != nil {
		return err
	}
	if sub == "" {
		fs.Usage()
		return errUsage
	}
	if *email == "" && len(rest) == 1 {
		*email = rest[0]
	}
	cfg, _, store, err := c.openArchive(ctx)
	if errors.Is(err, repository.ErrLocked) {
		return inUse(cfg, "add, change and disable users at the desk, "+serviceURL(cfg.Addr)+"/desk/users")
	}
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "add":
		u := &repository.User{Email: *email, Name: *name, Institution: *inst, Role: *role}
		if err := checkNewUser(store, u); err != nil {
			return err
		}
		pw, generated, err := password()
		if err != nil {
			return err
		}
		u.PasswordHash = repository.HashPassword(pw)
		if err := store.SaveUser(ctx, u, cliAgent()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s added: %s of %s\n", u.Email, u.Role, u.Institution)
		if generated {
			fmt.Fprintf(stdout, "password (shown once): %s\n", pw)
		}
	case "list":
		us, err := store.Users(*inst)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "EMAIL\tLIBRARY\tROLE\tSTATE")
		for _, u := range us {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", u.Email, u.Institution, u.Role, state)
		}
		return w.Flush()
	case "disable", "passwd":
		u, err := userByEmail(store, *email, "email")
		if err != nil {
			return err
		}
		typ, detail, pw, generated := "account disabled", "disabled", "", false
		if sub == "disable" {
			u.Disabled = true
		} else {
			if pw, generated, err = password(); err != nil {
				return err
			}
			typ, detail = "password change", "password changed"
			u.PasswordHash = repository.HashPassword(pw)
		}
		if err := store.SaveUser(ctx, u, cliAgent(), repository.Event{Type: typ, Outcome: "success", Detail: u.Email + ": " + detail}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s: %s; their sessions have ended\n", u.Email, detail)
		// Shown only once it is saved: a password printed for a change
		// that failed would not work.
		if generated {
			fmt.Fprintf(stdout, "password (shown once): %s\n", pw)
		}
	default:
		return fmt.Errorf("unknown user command %q: add, list, disable or passwd", sub)
	}
	return nil
}

// password reads one line from standard input when it is not a terminal,
// else makes one up.
func password() (string, bool, error) {
	if st, err := os.Stdin.Stat(); err == nil && st.Mode()&os.ModeCharDevice == 0 {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if err != nil && err != io.EOF {
			return "", false, err
		}
		if line != "" {
			if err := repository.CheckNewPassword(line); err != nil {
				return "", false, err // one sentence: the kind is not in its text
			}
			return line, false, nil
		}
	}
	return repository.NewPassword(), true, nil
}

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args := subcommand(args)
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	var c common
	c.register(fs)
	email := fs.String("user", "", "the token holder's e-mail `address`")
	scope := fs.String("scope", "read", "`scope`: read, upload or write")
	expires := fs.Duration("expires", 720*time.Hour, "how long the token lasts (0: until revoked)")
	rest, err := parse(fs, args, stderr, "create|revoke|list [flags] [TOKEN-ID]", "Manages API tokens for scripts. A new token is printed once; only its hash is kept.")
	if err != nil {
		return err
	}
	if sub == "" {
		fs.Usage()
		return errUsage
	}
	cfg, _, store, err := c.openArchive(ctx)
	if errors.Is(err, repository.ErrLocked) {
		return inUse(cfg, "") // tokens are made only here
	}
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "create":
		switch access.Scope(*scope) {
		case access.ScopeRead, access.ScopeUpload, access.ScopeWrite:
		default:
			return fmt.Errorf("scope %q is not read, upload or write", *scope)
		}
		if *expires < 0 {
			return fmt.Errorf("--expires %s is in the past: give a duration such as 720h, or 0 for a token that lasts until revoked", *expires)
		}
		u, err := userByEmail(store, *email, "user")
		if err != nil {
			return err
		}
		sec, t, err := store.CreateToken(ctx, u.ID, *scope, *expires, cliAgent())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %s for %s (%s)", t.ID, u.Email, t.Scope)
		if !t.Expires.IsZero() {
			fmt.Fprintf(stdout, ", expires %s", t.Expires.Format(time.RFC3339))
		}
		fmt.Fprintf(stdout, "\n%s\n", sec)
	case "revoke":
		if len(rest) != 1 {
			return fmt.Errorf("give the token's id (archive token list)")
		}
		if err := store.RevokeToken(ctx, rest[0], cliAgent()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %s revoked\n", rest[0])
	case "list":
		user := ""
		if *email != "" {
			u, err := userByEmail(store, *email, "user")
			if err != nil {
				return err
			}
			user = u.ID
		}
		ts, err := store.Tokens(user)
		if err != nil {
			return err
		}
		us, err := store.Users("")
		if err != nil {
			return err
		}
		holders := map[string]*repository.User{}
		for _, u := range us {
			holders[u.ID] = u
		}
		w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tUSER\tSCOPE\tEXPIRES\tSTATE")
		for _, t := range ts {
			state, exp := "live", "never"
			h := holders[t.User]
			if t.Revoked {
				state = "revoked"
			} else if h != nil && (h.Disabled || !h.DisabledAt.IsZero() && !t.Created.After(h.DisabledAt)) {
				state = "ended" // its holder was disabled since
			}
			if !t.Expires.IsZero() {
				exp = t.Expires.Format(time.RFC3339)
			}
			holder := t.User
			if h != nil {
				holder = h.Email
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.ID, holder, t.Scope, exp, state)
		}
		return w.Flush()
	default:
		return fmt.Errorf("unknown token command %q: create, revoke or list", sub)
	}
	return nil
}

// subcommand splits "add --email …" into its verb and the rest.
func subcommand(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}
