package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/thaiarchives/archive/access"
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
func bootstrapAdmin(ctx context.Context, cfg *Config, store *repository.Store) error {
	token, err := cfg.token()
	if err != nil {
		return err
	}
	email := cfg.AdminEmail
	if email == "" {
		email = "archive@localhost"
	}
	u, err := store.UserByEmail(email)
	if errors.Is(err, repository.ErrNotFound) {
		u = &repository.User{Email: email, Name: "Archive administrator", Institution: "cmu", Role: string(access.SystemAdmin)}
		err = store.SaveUser(ctx, u, "archive (first start)")
	}
	if err != nil {
		return fmt.Errorf("setting up the administrator account: %w", err)
	}
	if _, err := store.ImportToken(ctx, u.ID, string(access.ScopeWrite), token, "archive (first start)"); err != nil {
		return fmt.Errorf("registering the administrator's token: %w", err)
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
	_, _, store, err := c.openArchive(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "add":
		if !access.ValidRole(access.Role(*role)) {
			return fmt.Errorf("role %q is not reader, archivist, library-admin or system-admin", *role)
		}
		pw, generated, err := password(stdout)
		if err != nil {
			return err
		}
		u := &repository.User{Email: *email, Name: *name, Institution: *inst, Role: *role, PasswordHash: repository.HashPassword(pw)}
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
		u, err := store.UserByEmail(*email)
		if err != nil {
			return fmt.Errorf("no user %q", *email)
		}
		detail := "disabled"
		if sub == "disable" {
			u.Disabled = true
		} else {
			pw, generated, err := password(stdout)
			if err != nil {
				return err
			}
			u.PasswordHash, detail = repository.HashPassword(pw), "password changed"
			if generated {
				fmt.Fprintf(stdout, "password (shown once): %s\n", pw)
			}
		}
		if err := store.SaveUser(ctx, u, cliAgent(), repository.Event{Type: "role change", Outcome: "success", Detail: detail}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s: %s; their sessions have ended\n", u.Email, detail)
	default:
		return fmt.Errorf("unknown user command %q: add, list, disable or passwd", sub)
	}
	return nil
}

// password reads one line from standard input when it is not a terminal,
// else makes one up.
func password(stdout io.Writer) (string, bool, error) {
	if st, err := os.Stdin.Stat(); err == nil && st.Mode()&os.ModeCharDevice == 0 {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if err != nil && err != io.EOF {
			return "", false, err
		}
		if line != "" {
			if len(line) < 10 {
				return "", false, errors.New("the password is shorter than 10 characters")
			}
			return line, false, nil
		}
	}
	var b [12]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:]), true, nil
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
	_, _, store, err := c.openArchive(ctx)
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
		u, err := store.UserByEmail(*email)
		if err != nil {
			return fmt.Errorf("no user %q (give --user)", *email)
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
			u, err := store.UserByEmail(*email)
			if err != nil {
				return fmt.Errorf("no user %q", *email)
			}
			user = u.ID
		}
		ts, err := store.Tokens(user)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tUSER\tSCOPE\tEXPIRES\tSTATE")
		for _, t := range ts {
			state, exp := "live", "never"
			if t.Revoked {
				state = "revoked"
			}
			if !t.Expires.IsZero() {
				exp = t.Expires.Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.User, t.Scope, exp, state)
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
