package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// newData is an empty data folder and the environment that names it.
func newData(t *testing.T) (string, []string) {
	data := filepath.Join(t.TempDir(), "data")
	return data, []string{"ARCHIVE_DATA=" + data}
}

// input is a command's standard input.
func input(s string) io.Reader { return strings.NewReader(s) }

// mustRun runs a command that must succeed and returns its standard output.
func mustRun(t *testing.T, stdin io.Reader, env []string, args ...string) string {
	t.Helper()
	out, errOut, code := archiveWithInput(t, stdin, env, args...)
	if code != 0 {
		t.Fatalf("archive %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// refused runs a command that must fail with exit 1, print nothing on
// standard output, and say why in one line naming want.
func refused(t *testing.T, stdin io.Reader, env []string, want string, args ...string) {
	t.Helper()
	out, errOut, code := archiveWithInput(t, stdin, env, args...)
	line := strings.TrimSpace(errOut)
	if code != 1 || strings.Contains(line, "\n") || !strings.HasPrefix(line, "archive "+args[0]+": ") || !strings.Contains(line, want) {
		t.Errorf("archive %s: exit %d, stderr %q; want exit 1 and one line containing %q", strings.Join(args, " "), code, errOut, want)
	}
	if out != "" {
		t.Errorf("archive %s printed %q on failing", strings.Join(args, " "), out)
	}
}

// rows returns a listing's lines after its header, split into columns.
func rows(listing string) [][]string {
	var out [][]string
	for _, l := range strings.Split(strings.TrimSpace(listing), "\n")[1:] {
		out = append(out, strings.Fields(l))
	}
	return out
}

// row returns the columns of the listing's line that begins with key.
func row(t *testing.T, listing, key string) []string {
	t.Helper()
	for _, r := range rows(listing) {
		if len(r) > 0 && r[0] == key {
			return r
		}
	}
	t.Fatalf("no %s in the listing:\n%s", key, listing)
	return nil
}

// withStore opens the data folder's metadata store (which no service may
// hold) for f, and closes it.
func withStore(t *testing.T, data string, f func(*bolt.Store)) {
	t.Helper()
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(data, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	f(store)
}

// stop ends the service as an operator would, so that commands may open
// its store again.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop on SIGTERM\n%s", s.logs)
	}
}

// withToken GETs path with an API token and returns the status and body.
func (s *server) withToken(t *testing.T, path, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+s.addr+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// signIn fills in the sign-in form as a browser does (the CSRF token comes
// with GET /login and its cookie) and returns the answer's status: 303 to
// the desk when signed in, 401 when refused.
func (s *server) signIn(t *testing.T, email, password string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := "http://" + s.addr
	resp, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("GET /login: %d, no csrf field", resp.StatusCode)
	}
	resp, err = c.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}, "csrf": {string(m[1])}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusSeeOther {
		u, _ := url.Parse(base)
		if !hasCookie(jar.Cookies(u), "archive_session") {
			t.Fatalf("signed in as %s without a session cookie", email)
		}
	}
	return resp.StatusCode
}

func hasCookie(cs []*http.Cookie, name string) bool {
	for _, c := range cs {
		if c.Name == name && c.Value != "" {
			return true
		}
	}
	return false
}

// filesHolding lists the files under dir whose bytes contain s.
func filesHolding(t *testing.T, dir, s string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if bytes.Contains(b, []byte(s)) {
			found = append(found, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// generatedPassword is the password a command printed, which must be
// printed exactly once.
func generatedPassword(t *testing.T, out string) string {
	t.Helper()
	const label = "password (shown once): "
	if strings.Count(out, label) != 1 {
		t.Fatalf("want one generated password in %q", out)
	}
	pw := strings.Fields(out[strings.Index(out, label)+len(label):])[0]
	if len(pw) < 10 || strings.Count(out, pw) != 1 {
		t.Fatalf("generated password %q in %q", pw, out)
	}
	return pw
}

func TestUserAddListPasswdAndDisableTakeEffectAtSignIn(t *testing.T) {
	data, env := newData(t)
	const pwA = "correct horse battery staple"
	out := mustRun(t, input(pwA+"\n"), env, "user", "add", "--email", "a@cmu.example", "--institution", "cmu", "--role", "archivist")
	if !strings.Contains(out, "user a@cmu.example added: archivist of cmu") || strings.Contains(out, "password") {
		t.Fatalf("user add with a password on stdin said %q", out)
	}
	pwR := generatedPassword(t, mustRun(t, nil, env, "user", "add", "--email", "r@tu.example", "--institution", "tu"))
	pwC := generatedPassword(t, mustRun(t, input(""), env, "user", "add", "--email", "C@Chula.example", "--institution", "chula", "--role", "library-admin"))

	list := mustRun(t, nil, env, "user", "list")
	for email, want := range map[string]string{
		"a@cmu.example":   "a@cmu.example cmu archivist active",
		"r@tu.example":    "r@tu.example tu reader active",
		"c@chula.example": "c@chula.example chula library-admin active",
	} {
		if got := strings.Join(row(t, list, email), " "); got != want {
			t.Errorf("user list: %q, want %q", got, want)
		}
	}
	if n := len(rows(list)); n != 3 {
		t.Errorf("user list has %d users, want 3:\n%s", n, list)
	}

	s := serve(t, env)
	for email, pw := range map[string]string{"a@cmu.example": pwA, "r@tu.example": pwR, "c@chula.example": pwC} {
		if code := s.signIn(t, email, pw); code != http.StatusSeeOther {
			t.Errorf("%s signing in with the password given at add: %d", email, code)
		}
	}
	s.stop(t)

	const newA = "a much better passphrase"
	if out := mustRun(t, input(newA+"\n"), env, "user", "passwd", "--email", "a@cmu.example"); !strings.Contains(out, "password changed") || strings.Contains(out, "shown once") {
		t.Errorf("user passwd with stdin said %q", out)
	}
	out = mustRun(t, nil, env, "user", "passwd", "r@tu.example")
	newR := generatedPassword(t, out)
	if strings.Index(out, "password changed") > strings.Index(out, newR) {
		t.Errorf("the new password was shown before it was saved: %q", out)
	}
	withStore(t, data, func(st *bolt.Store) {
		u, err := st.UserByEmail("r@tu.example")
		if err != nil || !repository.CheckPassword(u.PasswordHash, newR) || repository.CheckPassword(u.PasswordHash, pwR) {
			t.Errorf("stored password of r@tu.example is not the new one (%v)", err)
		}
	})
	if out := mustRun(t, nil, env, "user", "disable", "--email", "c@chula.example"); !strings.Contains(out, "disabled") {
		t.Errorf("user disable said %q", out)
	}
	if got := row(t, mustRun(t, nil, env, "user", "list"), "c@chula.example"); got[3] != "disabled" {
		t.Errorf("user list after disable: %q", got)
	}

	s = serve(t, env)
	for _, c := range []struct {
		email, pw string
		want      int
	}{
		{"a@cmu.example", pwA, http.StatusUnauthorized},
		{"a@cmu.example", newA, http.StatusSeeOther},
		{"r@tu.example", pwR, http.StatusUnauthorized},
		{"r@tu.example", newR, http.StatusSeeOther},
		{"c@chula.example", pwC, http.StatusUnauthorized},
	} {
		if code := s.signIn(t, c.email, c.pw); code != c.want {
			t.Errorf("%s signing in after passwd/disable: %d, want %d", c.email, code, c.want)
		}
	}
}

func TestUserCommandsRefuseBadInputInOneSentence(t *testing.T) {
	_, env := newData(t)
	const pw = "long enough password\n"
	mustRun(t, input(pw), env, "user", "add", "--email", "a@cmu.example", "--institution", "cmu")
	for _, c := range []struct {
		name, stdin, want string
		args              []string
	}{
		{"bad role", pw, `role "boss" is not reader, archivist, library-admin or system-admin`, []string{"--email", "b@cmu.example", "--institution", "cmu", "--role", "boss"}},
		{"unknown library", pw, `library "mit" is not one of chula, cmu, tu`, []string{"--email", "b@cmu.example", "--institution", "mit"}},
		{"no library", pw, `library "" is not one of`, []string{"--email", "b@cmu.example"}},
		{"malformed e-mail", pw, `"not-an-email" is not an e-mail address`, []string{"--email", "not-an-email", "--institution", "cmu"}},
		{"no e-mail", pw, "give the user's e-mail address (--email)", []string{"--institution", "cmu"}},
		{"duplicate e-mail", pw, "a@cmu.example already has an account", []string{"--email", "A@CMU.example", "--institution", "tu"}},
		{"short password", "short\n", "the password has fewer than 10 visible characters", []string{"--email", "b@cmu.example", "--institution", "cmu"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			refused(t, input(c.stdin), env, c.want, append([]string{"user", "add"}, c.args...)...)
		})
	}
	if list := mustRun(t, nil, env, "user", "list"); len(rows(list)) != 1 {
		t.Errorf("a refused add left a user behind:\n%s", list)
	}
	refused(t, nil, env, `no user "nobody@cmu.example"`, "user", "disable", "--email", "nobody@cmu.example")
	refused(t, input(pw), env, `no user "nobody@cmu.example"`, "user", "passwd", "nobody@cmu.example")
	refused(t, nil, env, `unknown user command "frob"`, "user", "frob")
}

func TestTokenIsShownOnceKeptHashedAndRevocable(t *testing.T) {
	data, env := newData(t)
	mustRun(t, input("correct horse battery staple\n"), env, "user", "add", "--email", "e@cmu.example", "--institution", "cmu", "--role", "archivist")
	out := mustRun(t, nil, env, "token", "create", "--user", "e@cmu.example", "--scope", "upload", "--expires", "1h")
	m := regexp.MustCompile(`^token (\S+) for e@cmu\.example \(upload\), expires (\S+)\n(\S+)\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("token create said %q", out)
	}
	id, secret := m[1], m[3]
	if exp, err := time.Parse(time.RFC3339, m[2]); err != nil || time.Until(exp) < 55*time.Minute || time.Until(exp) > 65*time.Minute {
		t.Errorf("token expires %s, want in an hour (%v)", m[2], err)
	}
	if len(secret) < 32 {
		t.Errorf("secret %q is short", secret)
	}

	sum := sha256.Sum256([]byte(secret))
	if files := filesHolding(t, data, hex.EncodeToString(sum[:])); len(files) == 0 {
		t.Fatal("the token's hash is nowhere in the data folder: the search below would prove nothing")
	}
	if files := filesHolding(t, data, secret); len(files) != 0 {
		t.Fatalf("the token's secret is kept in %v", files)
	}
	withStore(t, data, func(st *bolt.Store) {
		tok, u, err := st.TokenBySecret(secret)
		if err != nil || tok.ID != id || tok.Scope != "upload" || u.Email != "e@cmu.example" {
			t.Fatalf("TokenBySecret: %+v %+v %v", tok, u, err)
		}
	})
	if got := strings.Join(row(t, mustRun(t, nil, env, "token", "list"), id), " "); got != id+" e@cmu.example upload "+m[2]+" live" {
		t.Errorf("token list: %q", got)
	}
	s := serve(t, env)
	if code, _ := s.withToken(t, "/api/v1/admin/backup", secret); code != http.StatusForbidden {
		t.Errorf("an archivist's upload token asking for a backup: %d, want 403", code)
	}
	s.stop(t)

	if out := mustRun(t, nil, env, "token", "revoke", id); out != "token "+id+" revoked\n" {
		t.Errorf("token revoke said %q", out)
	}
	if got := row(t, mustRun(t, nil, env, "token", "list", "--user", "e@cmu.example"), id); got[4] != "revoked" {
		t.Errorf("token list after revoke: %q", got)
	}
	withStore(t, data, func(st *bolt.Store) {
		if _, _, err := st.TokenBySecret(secret); !errors.Is(err, repository.ErrUnknownCredentials) {
			t.Errorf("TokenBySecret of a revoked token: %v", err)
		}
	})
	s = serve(t, env)
	if code, _ := s.withToken(t, "/api/v1/admin/backup", secret); code != http.StatusUnauthorized {
		t.Errorf("a revoked token asking for a backup: %d, want 401", code)
	}
	s.stop(t)

	refused(t, nil, env, `scope "all" is not read, upload or write`, "token", "create", "--user", "e@cmu.example", "--scope", "all")
	refused(t, nil, env, `no user "x@cmu.example"`, "token", "create", "--user", "x@cmu.example")
	refused(t, nil, env, "give the user's e-mail address (--user)", "token", "create")
	refused(t, nil, env, "--expires -1h0m0s is in the past", "token", "create", "--user", "e@cmu.example", "--expires", "-1h")
	refused(t, nil, env, "not found", "token", "revoke", "nosuchid")
	refused(t, nil, env, "give the token's id", "token", "revoke")
}

// randomHex is a token as the single-token era made them: 48 hex digits.
func randomHex(t *testing.T) string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

func TestServeMakesTheOldSingleTokenASystemAdministrators(t *testing.T) {
	data, env := newData(t)
	tok := randomHex(t)
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "token"), []byte(tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := serve(t, env)
	if code, body := s.withToken(t, "/api/v1/admin/backup", tok); code != 200 || len(body) < 4096 {
		t.Fatalf("backup with the data folder's token: %d, %d bytes", code, len(body))
	}
	if code, _ := s.withToken(t, "/api/v1/admin/backup", randomHex(t)); code != http.StatusUnauthorized {
		t.Errorf("backup with a wrong token: %d, want 401", code)
	}
	if code, _ := s.get(t, "/api/v1/admin/backup"); code != http.StatusUnauthorized {
		t.Errorf("backup without a token: %d, want 401", code)
	}
	dst := filepath.Join(t.TempDir(), "copy.db")
	if out, errOut, code := archive(t, append(env, "ARCHIVE_ADDR="+s.addr), "backup", "--to", dst); code != 0 || !strings.Contains(out, "written to "+dst) {
		t.Errorf("backup while serving: %d %q %q", code, out, errOut)
	}
	if strings.Contains(s.logs.String(), tok) {
		t.Error("the token appears in the logs")
	}
	s.stop(t)

	if got := strings.Join(row(t, mustRun(t, nil, env, "user", "list"), "archive@localhost"), " "); got != "archive@localhost cmu system-admin active" {
		t.Errorf("administrator in user list: %q", got)
	}
	tokens := rows(mustRun(t, nil, env, "token", "list"))
	if len(tokens) != 1 || strings.Join(tokens[0][1:], " ") != "archive@localhost write never live" {
		t.Fatalf("tokens after migration: %q", tokens)
	}
	if b, _ := os.ReadFile(filepath.Join(data, "token")); string(b) != tok+"\n" {
		t.Errorf("the token file was rewritten: %q", b)
	}
	for _, p := range []string{"blobs", "archive.db"} {
		if files := filesHolding(t, filepath.Join(data, p), tok); len(files) != 0 {
			t.Errorf("the token's secret is kept in %v", files)
		}
	}

	s = serve(t, env)
	if code, _ := s.withToken(t, "/api/v1/admin/backup", tok); code != 200 {
		t.Errorf("backup with the data folder's token after a restart: %d", code)
	}
	s.stop(t)
	if again := rows(mustRun(t, nil, env, "token", "list")); len(again) != 1 || again[0][0] != tokens[0][0] {
		t.Errorf("a restart registered the token again: %q", again)
	}
}

func TestRevokedDataFolderTokenStaysRevokedAfterRestart(t *testing.T) {
	data, env := newData(t)
	serve(t, env).stop(t)
	tok, err := os.ReadFile(filepath.Join(data, "token"))
	if err != nil {
		t.Fatal(err)
	}
	id := rows(mustRun(t, nil, env, "token", "list"))[0][0]
	mustRun(t, nil, env, "token", "revoke", id)

	s := serve(t, env)
	if code, _ := s.withToken(t, "/api/v1/admin/backup", strings.TrimSpace(string(tok))); code != http.StatusUnauthorized {
		t.Errorf("the revoked data folder token after a restart: %d, want 401", code)
	}
	if !strings.Contains(s.logs.String(), "the data folder's token was revoked") {
		t.Errorf("no warning that the data folder's token is revoked:\n%s", s.logs)
	}
	s.stop(t)
	if ts := rows(mustRun(t, nil, env, "token", "list")); len(ts) != 1 || ts[0][4] != "revoked" {
		t.Errorf("tokens after a restart: %q", ts)
	}

	// The way out the warning gives: a new token file.
	if err := os.Remove(filepath.Join(data, "token")); err != nil {
		t.Fatal(err)
	}
	s = serve(t, env)
	fresh, err := os.ReadFile(filepath.Join(data, "token"))
	if err != nil || bytes.Equal(fresh, tok) {
		t.Fatalf("no new token file: %q, %v", fresh, err)
	}
	if code, _ := s.withToken(t, "/api/v1/admin/backup", strings.TrimSpace(string(fresh))); code != 200 {
		t.Errorf("backup with the new data folder token: %d", code)
	}
}

func TestServeRefusesAnAdminEmailThatIsNotASystemAdministrator(t *testing.T) {
	_, env := newData(t)
	mustRun(t, input("correct horse battery staple\n"), env, "user", "add", "--email", "library@cmu.example", "--institution", "cmu", "--role", "archivist")
	failsInOneSentence(t, append(env, "ARCHIVE_ADMIN_EMAIL=library@cmu.example"),
		"the administrator account library@cmu.example has the role archivist, not system-admin")
	if ts := rows(mustRun(t, nil, env, "token", "list")); len(ts) != 0 {
		t.Errorf("the data folder's token was given to an archivist: %q", ts)
	}

	s := serve(t, append(env, "ARCHIVE_ADMIN_EMAIL=ops@cmu.example"))
	s.stop(t)
	if got := strings.Join(row(t, mustRun(t, nil, env, "user", "list"), "ops@cmu.example"), " "); got != "ops@cmu.example cmu system-admin active" {
		t.Errorf("administrator named by ARCHIVE_ADMIN_EMAIL: %q", got)
	}
}

func TestUserAndTokenHelpListTheirFlags(t *testing.T) {
	for cmd, flags := range map[string][]string{
		"user":  {"add|list|disable|passwd", "-email", "-institution", "-role", "-name", "-data"},
		"token": {"create|revoke|list", "-user", "-scope", "-expires", "-data"},
	} {
		_, errOut, code := archive(t, nil, cmd, "--help")
		if code != 0 {
			t.Errorf("archive %s --help: exit %d", cmd, code)
		}
		for _, f := range flags {
			if !strings.Contains(errOut, f) {
				t.Errorf("archive %s --help does not mention %s:\n%s", cmd, f, errOut)
			}
		}
		if _, errOut, code := archive(t, nil, cmd); code != 2 || !strings.Contains(errOut, "Usage: archive "+cmd) {
			t.Errorf("archive %s without a subcommand: %d %q", cmd, code, errOut)
		}
	}
}

func TestUserCommandsRefuseBlankPasswords(t *testing.T) {
	data, env := newData(t)
	const pw = "long enough password"
	mustRun(t, input(pw+"\n"), env, "user", "add", "--email", "a@cmu.example", "--institution", "cmu")
	for name, blank := range map[string]string{"spaces": strings.Repeat(" ", 12), "tabs and spaces": " \t \t \t \t \t \t", "thai spaces": strings.Repeat("\u3000", 10),
		"zero-width spaces": strings.Repeat("\u200b", 12), "joiners and marks": strings.Repeat("\u200c\u200d\u2060\ufeff", 3)} {
		t.Run(name, func(t *testing.T) {
			refused(t, input(blank+"\n"), env, "the password is only spaces or other invisible characters", "user", "add", "--email", "b@cmu.example", "--institution", "cmu")
			refused(t, input(blank+"\n"), env, "the password is only spaces or other invisible characters", "user", "passwd", "--email", "a@cmu.example")
		})
	}
	refused(t, input(strings.Repeat("x", repository.MaxPassword+1)+"\n"), env, "the password is longer than 1024 bytes", "user", "passwd", "--email", "a@cmu.example")
	if list := mustRun(t, nil, env, "user", "list"); len(rows(list)) != 1 {
		t.Errorf("a refused add left a user behind:\n%s", list)
	}
	withStore(t, data, func(st *bolt.Store) {
		u, err := st.UserByEmail("a@cmu.example")
		if err != nil || !repository.CheckPassword(u.PasswordHash, pw) {
			t.Errorf("a refused passwd changed the password: %v", err)
		}
	})
}
