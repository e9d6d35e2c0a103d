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
	"strings"
	"text/tabwriter"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
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
func bootstrapAdmin(ctx context.Context, cfg *Config, store *bolt.Store, log *slog.Logger) error {
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
func userByEmail(ctx context.Context, accounts *desk.Accounts, email, flagName string) (*repository.User, error) {
	if email == "" {
		return nil, fmt.Errorf("give the user's e-mail address (--%s)", flagName)
	}
	u, err := accounts.ByEmail(ctx, desk.System(cliAgent()), email)
	return u, sentence(err)
}

// sentence is an error of the desk's checks said in one sentence, without
// the name of its kind (which the web maps to a status).
func sentence(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, k := range []error{fault.Invalid, fault.Conflict, fault.NotFound} {
		if errors.Is(err, k) {
			msg = strings.TrimSuffix(msg, ": "+k.Error())
		}
	}
	return errors.New(msg)
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
	accounts := &desk.Accounts{Store: store}
	switch sub {
	case "add":
		if *email == "" {
			return errors.New("give the user's e-mail address (--email)")
		}
		pw, err := password()
		if err != nil {
			return err
		}
		u, made, err := accounts.Add(ctx, desk.System(cliAgent()), desk.NewUser{Email: *email, Name: *name, Institution: *inst, Role: access.Role(*role), Password: pw})
		if err != nil {
			return sentence(err)
		}
		fmt.Fprintf(stdout, "user %s added: %s of %s\n", u.Email, u.Role, u.Institution)
		if made != "" {
			fmt.Fprintf(stdout, "password (shown once): %s\n", made)
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
		u, err := userByEmail(ctx, accounts, *email, "email")
		if err != nil {
			return err
		}
		change, detail := desk.UserChange{ID: u.ID, Version: u.Version, Action: desk.Disable}, "disabled"
		if sub == "passwd" {
			if change.Password, err = password(); err != nil {
				return err
			}
			change.Action, detail = desk.Password, "password changed"
		}
		_, made, err := accounts.Change(ctx, desk.System(cliAgent()), change)
		if err != nil {
			return sentence(err)
		}
		fmt.Fprintf(stdout, "user %s: %s; their sessions have ended\n", u.Email, detail)
		// Shown only once it is saved: a password printed for a change
		// that failed would not work.
		if made != "" {
			fmt.Fprintf(stdout, "password (shown once): %s\n", made)
		}
	default:
		return fmt.Errorf("unknown user command %q: add, list, disable or passwd", sub)
	}
	return nil
}

// password reads one line from standard input when it is not a terminal;
// "" (nothing typed, or a terminal) asks the desk to make one up.
func password() (string, error) {
	if st, err := os.Stdin.Stat(); err == nil && st.Mode()&os.ModeCharDevice == 0 {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", err
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	return "", nil
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
		u, err := userByEmail(ctx, &desk.Accounts{Store: store}, *email, "user")
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
			u, err := userByEmail(ctx, &desk.Accounts{Store: store}, *email, "user")
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
