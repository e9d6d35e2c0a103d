package web

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// signInEnv is a server over a store whose blobs lie in a folder the
// test can measure.
type signInEnv struct {
	srv   *Server
	store *bolt.Store
	blobs string
}

func newSignInEnv(t *testing.T) *signInEnv {
	t.Helper()
	dir := t.TempDir()
	blobs, err := local.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(dir, "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	seedAdmin(t, store)
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts}))
	if err != nil {
		t.Fatal(err)
	}
	return &signInEnv{srv: srv, store: store, blobs: filepath.Join(dir, "blobs")}
}

// size is the bytes of every file under dir.
func size(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		n += info.Size()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// signInForm posts the sign-in form with its token and returns the status
// and the page.
func signInForm(t *testing.T, client *http.Client, base, csrf, email, pw string) (int, string) {
	t.Helper()
	resp, err := client.PostForm(base+"/login", url.Values{"email": {email}, "password": {pw}, "csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

func TestFailedSignInsWithHugeEmailsKeepStorageBounded(t *testing.T) {
	e := newSignInEnv(t)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	client := &http.Client{Jar: &cookieJar{}}
	csrf := formToken(t, client, ts.URL+"/login")
	before := size(t, e.blobs)
	const attempts, long = 2000, 16 << 10
	for i := range attempts {
		email := fmt.Sprintf("%d%s@example.org", i, strings.Repeat("x", long))
		code, page := signInForm(t, client, ts.URL, csrf, email, "wrong password")
		if code != http.StatusBadRequest || !strings.Contains(page, "longer than 254 characters") || len(page) > long {
			t.Fatalf("sign-in %d with a %d-byte e-mail: %d, page of %d bytes", i, len(email), code, len(page))
		}
	}
	if grown := size(t, e.blobs) - before; grown > 0 {
		t.Errorf("%d sign-ins with %d-byte e-mails stored %d bytes", attempts, long, grown)
	}
	events, err := e.store.Events(repository.AccountsObject)
	if err != nil || len(events) != 0 {
		t.Errorf("%d failed sign-ins recorded for refused e-mails (%v)", len(events), err)
	}
	// A password longer than any account's is refused the same way.
	if code, page := signInForm(t, client, ts.URL, csrf, "admin@example.org", strings.Repeat("p", repository.MaxPassword+1)); code != http.StatusBadRequest || !strings.Contains(page, "longer than 1024 bytes") {
		t.Errorf("a %d-byte password: %d", repository.MaxPassword+1, code)
	}
	// Failed sign-ins with the longest address an account can have are
	// recorded, each in a few kilobytes.
	before = size(t, e.blobs)
	const recorded = 5
	for i := range recorded {
		email := fmt.Sprintf("%d%s@example.org", i, strings.Repeat("x", repository.MaxEmail-14))
		if code, _ := signInForm(t, client, ts.URL, csrf, email, "wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("failed sign-in with a %d-byte e-mail: %d", len(email), code)
		}
	}
	if grown := size(t, e.blobs) - before; grown > recorded*4096 {
		t.Errorf("%d failed sign-ins stored %d bytes, want at most 4 KiB each", recorded, grown)
	}
	if events, _ := e.store.Events(repository.AccountsObject); len(events) != recorded {
		t.Errorf("%d failed sign-ins recorded, want %d", len(events), recorded)
	}
}

func TestStoredVisitorFieldsAreBounded(t *testing.T) {
	e := newSignInEnv(t)
	ctx := context.Background()
	long := &repository.User{Email: "named@example.org", Name: strings.Repeat("ก", repository.MaxName+1), Institution: "cmu", Role: "reader"}
	if err := e.store.SaveUser(ctx, long, "test"); Status(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "name is longer than 200 characters") {
		t.Errorf("a name of %d characters: %v", repository.MaxName+1, err)
	}
	huge := strings.Repeat("x", 1<<20) + "@example.org"
	if err := e.store.SaveUser(ctx, &repository.User{Email: huge, Institution: "cmu", Role: "reader"}, "test"); Status(err) != http.StatusBadRequest || len(err.Error()) > 200 {
		t.Errorf("a 1 MiB e-mail address: %d, message of %d bytes", Status(err), len(reason(err)))
	}
	if err := e.store.Record(ctx, repository.Event{Type: "failed sign-in", Object: repository.AccountsObject, Agent: huge, Outcome: "failure"}); Status(err) != http.StatusBadRequest {
		t.Errorf("an event whose agent is 1 MiB: %v", err)
	}
}

// clock is a time the test moves on.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.at }

func (c *clock) add(d time.Duration) { c.mu.Lock(); c.at = c.at.Add(d); c.mu.Unlock() }

// signInAs posts the sign-in form from an address (through the trusted
// proxy's X-Forwarded-For) and returns the status and Retry-After.
func signInAs(t *testing.T, client *http.Client, base, csrf, from, email, pw string) (int, string) {
	t.Helper()
	form := url.Values{"email": {email}, "password": {pw}}
	if csrf != "" {
		form.Set("csrf", csrf)
	}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", from)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// newSlowedEnv is a server that believes the loopback proxy's
// X-Forwarded-For, with its sign-in limiter on a clock the test moves.
func newSlowedEnv(t *testing.T) (*signInEnv, *httptest.Server, *clock) {
	t.Helper()
	e := newSignInEnv(t)
	srv, err := New(withServices(t, Config{Store: e.store, Blobs: e.srv.cfg.Blobs, Hosts: testHosts, TrustedProxies: []string{"127.0.0.1"}}))
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{at: time.Now()}
	srv.limiter.now = clk.now
	e.srv = srv
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return e, ts, clk
}

func noRedirects() *http.Client {
	return &http.Client{Jar: &cookieJar{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestSignInIsSlowedDownNeverLockedOut(t *testing.T) {
	e, ts, clk := newSlowedEnv(t)
	client := noRedirects()
	csrf := formToken(t, client, ts.URL+"/login")
	for i := range 5 {
		if code, _ := signInAs(t, client, ts.URL, csrf, "192.0.2.1", "admin@example.org", fmt.Sprintf("guess-%d", i)); code != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d: %d", i+1, code)
		}
	}
	// From then on each attempt waits twice as long as the one before (up
	// to a minute), even with the right password.
	var waits []string
	for range 8 {
		code, after := signInAs(t, client, ts.URL, csrf, "192.0.2.1", "admin@example.org", password)
		if code != http.StatusTooManyRequests {
			t.Fatalf("an attempt within the wait: %d", code)
		}
		waits = append(waits, after)
		secs, _ := time.ParseDuration(after + "s")
		clk.add(secs)
		if code, _ := signInAs(t, client, ts.URL, csrf, "192.0.2.1", "admin@example.org", "another guess"); code != http.StatusUnauthorized {
			t.Fatalf("a wrong password after the wait: %d", code)
		}
	}
	if got := strings.Join(waits, " "); got != "1 2 4 8 16 32 60 60" {
		t.Errorf("waits %q, want 1 2 4 8 16 32 60 60", got)
	}
	// Once the wait is over, the right password gets in: no lock-out.
	clk.add(time.Minute)
	if code, _ := signInAs(t, client, ts.URL, csrf, "192.0.2.1", "admin@example.org", password); code != http.StatusSeeOther {
		t.Fatalf("the right password after the wait: %d", code)
	}
	u, _ := e.store.UserByEmail("admin@example.org")
	events, _ := e.store.Events(u.ID)
	failed := 0
	for _, ev := range events {
		if ev.Type == "failed sign-in" && ev.Agent == "admin@example.org" {
			failed++
		}
	}
	if failed != 13 {
		t.Errorf("%d failed sign-ins recorded, want 13", failed)
	}
}

func TestSignInIsSlowedDownByAddressAndByAccount(t *testing.T) {
	e, ts, _ := newSlowedEnv(t)
	addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	client := noRedirects()
	csrf := formToken(t, client, ts.URL+"/login")
	// Guessing at many accounts from one address slows that address down.
	for i := range 5 {
		signInAs(t, client, ts.URL, csrf, "192.0.2.1", fmt.Sprintf("nobody%d@example.org", i), "guess")
	}
	if code, after := signInAs(t, client, ts.URL, csrf, "192.0.2.1", "reader@cmu.example", password); code != http.StatusTooManyRequests || after != "1" {
		t.Errorf("a sixth account from the same address: %d, Retry-After %q", code, after)
	}
	// Guessing at one account from many addresses slows that account down.
	for i := range 5 {
		signInAs(t, client, ts.URL, csrf, fmt.Sprintf("198.51.100.%d", i), "admin@example.org", "guess")
	}
	if code, _ := signInAs(t, client, ts.URL, csrf, "203.0.113.9", "admin@example.org", password); code != http.StatusTooManyRequests {
		t.Errorf("the same account from a sixth address: %d", code)
	}
	// Others, elsewhere, sign in at once.
	if code, _ := signInAs(t, client, ts.URL, csrf, "203.0.113.9", "reader@cmu.example", password); code != http.StatusSeeOther {
		t.Errorf("another account from another address: %d", code)
	}
}

func TestSignInWithoutTheFormTokenSlowsNoOneDown(t *testing.T) {
	e, ts, _ := newSlowedEnv(t)
	client := noRedirects()
	for i := range 50 {
		if code, _ := signInAs(t, client, ts.URL, "", "192.0.2.1", "admin@example.org", fmt.Sprintf("guess-%d", i)); code != http.StatusForbidden {
			t.Fatalf("sign-in %d without the form token: %d", i+1, code)
		}
	}
	if events, _ := e.store.Events(repository.AccountsObject); len(events) != 0 {
		t.Errorf("%d events for forms without a token", len(events))
	}
	csrf := formToken(t, client, ts.URL+"/login")
	if code, _ := signInAs(t, client, ts.URL, csrf, "192.0.2.1", "admin@example.org", password); code != http.StatusSeeOther {
		t.Errorf("the holder, after 50 tokenless tries at their account: %d", code)
	}
}

func TestSignInLimiterMemoryIsBoundedAndKeepsItsTarget(t *testing.T) {
	l := newLimiter()
	l.max = 1000
	at := time.Now()
	l.now = func() time.Time { return at }
	for range 10 {
		at = at.Add(time.Minute)
		l.attempt("account:victim@example.org")
	}
	for i := range 50_000 {
		l.attempt(fmt.Sprintf("account:%d@example.org", i), fmt.Sprintf("address:10.0.%d.%d", i/256%256, i%256))
		if len(l.keys) > l.max {
			t.Fatalf("%d keys kept after %d attempts, want at most %d", len(l.keys), i+1, l.max)
		}
	}
	// Ten failures: five free, then 1, 2, 4, 8, 16, 32 seconds.
	if d := l.attempt("account:victim@example.org"); d != 32*time.Second {
		t.Errorf("after a flood of other names, the target waits %v, want 32s", d)
	}
}

// deviceClient signs in as email from an address, and returns a client
// that holds only the device cookie that sign-in gave: the holder's
// browser coming back later.
func deviceClient(t *testing.T, base, from, email string) (*http.Client, *http.Cookie) {
	t.Helper()
	client := noRedirects()
	csrf := formToken(t, client, base+"/login")
	if code, _ := signInAs(t, client, base, csrf, from, email, password); code != http.StatusSeeOther {
		t.Fatalf("signing in as %s: %d", email, code)
	}
	for _, c := range client.Jar.(*cookieJar).cookies {
		if c.Name == deviceCookie {
			back := noRedirects()
			back.Jar.SetCookies(nil, []*http.Cookie{{Name: c.Name, Value: c.Value}})
			return back, c
		}
	}
	t.Fatalf("signing in as %s gave no %s cookie", email, deviceCookie)
	return nil, nil
}

// guessWhenAllowed sends a wrong password for email from an address the
// moment the wait allows (the clock moved on by each Retry-After), and
// fails unless it is counted.
func guessWhenAllowed(t *testing.T, client *http.Client, base, csrf string, clk *clock, from, email string) {
	t.Helper()
	for range 2 {
		code, after := signInAs(t, client, base, csrf, from, email, "a guess")
		if code == http.StatusUnauthorized {
			return
		}
		secs, err := time.ParseDuration(after + "s")
		if code != http.StatusTooManyRequests || err != nil {
			t.Fatalf("a guess from %s: %d, Retry-After %q", from, code, after)
		}
		clk.add(secs)
	}
	t.Fatalf("a guess from %s was held after its wait", from)
}

func TestHolderWithDeviceCookieSignsInAtOnceDuringDistributedGuessing(t *testing.T) {
	_, ts, clk := newSlowedEnv(t)
	holder, _ := deviceClient(t, ts.URL, "192.0.2.7", "admin@example.org")
	attacker := noRedirects()
	csrf := formToken(t, attacker, ts.URL+"/login")
	// Guesses from 15 addresses, the holder's among them, each the moment
	// the account's wait ends; once the attack is under way, the holder
	// signs in right after each guess.
	for i := range 30 {
		from := fmt.Sprintf("198.51.100.%d", i%15)
		if i%15 == 7 {
			from = "192.0.2.7"
		}
		guessWhenAllowed(t, attacker, ts.URL, csrf, clk, from, "admin@example.org")
		if i < 10 {
			continue
		}
		if code, after := signInAs(t, holder, ts.URL, formToken(t, holder, ts.URL+"/login"), "192.0.2.7", "admin@example.org", password); code != http.StatusSeeOther {
			t.Fatalf("the holder with a device cookie, after guess %d: %d, Retry-After %q", i+1, code, after)
		}
		// Without the cookie, the right password still waits its turn: the
		// holder's sign-ins did not end the account's count.
		if code, _ := signInAs(t, attacker, ts.URL, csrf, "203.0.113.9", "admin@example.org", password); code != http.StatusTooManyRequests {
			t.Fatalf("the right password without a device cookie, after guess %d: %d", i+1, code)
		}
	}
}

func TestGuessesWithADeviceCookieAreSlowedDownToo(t *testing.T) {
	_, ts, clk := newSlowedEnv(t)
	thief, _ := deviceClient(t, ts.URL, "192.0.2.7", "admin@example.org")
	csrf := formToken(t, thief, ts.URL+"/login")
	var waits []string
	for i := range 9 {
		code, after := signInAs(t, thief, ts.URL, csrf, fmt.Sprintf("198.51.100.%d", i), "admin@example.org", "a guess")
		if i < 5 && code != http.StatusUnauthorized {
			t.Fatalf("guess %d with the device cookie: %d", i+1, code)
		}
		if i >= 5 {
			if code != http.StatusTooManyRequests {
				t.Fatalf("guess %d with the device cookie, within the wait: %d", i+1, code)
			}
			waits = append(waits, after)
			secs, _ := time.ParseDuration(after + "s")
			clk.add(secs)
			guessWhenAllowed(t, thief, ts.URL, csrf, clk, "198.51.100.99", "admin@example.org")
		}
	}
	if got := strings.Join(waits, " "); got != "1 2 4 8" {
		t.Errorf("waits with the device cookie %q, want 1 2 4 8", got)
	}
}

func TestForgedOrOtherAccountDeviceCookieGivesNothing(t *testing.T) {
	e, ts, clk := newSlowedEnv(t)
	addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	_, own := deviceClient(t, ts.URL, "192.0.2.7", "admin@example.org")
	_, other := deviceClient(t, ts.URL, "192.0.2.8", "reader@cmu.example")
	elsewhere, err := New(withServices(t, Config{Store: e.store, Blobs: e.srv.cfg.Blobs, Hosts: testHosts, DeviceKey: []byte("another archive's key")}))
	if err != nil {
		t.Fatal(err)
	}
	ets := httptest.NewServer(elsewhere)
	t.Cleanup(ets.Close)
	_, foreign := deviceClient(t, ets.URL, "192.0.2.9", "admin@example.org")
	attacker := noRedirects()
	csrf := formToken(t, attacker, ts.URL+"/login")
	for i := range 10 {
		guessWhenAllowed(t, attacker, ts.URL, csrf, clk, fmt.Sprintf("198.51.100.%d", i), "admin@example.org")
	}
	nonce, mac, _ := strings.Cut(own.Value, ".")
	flipped := []byte(mac)
	flipped[0] ^= 1
	for name, value := range map[string]string{
		"another account's":           other.Value,
		"another archive's":           foreign.Value,
		"a changed signature's":       nonce + "." + string(flipped),
		"another nonce's":             strings.Repeat("0", 32) + "." + mac,
		"a signature alone's":         mac,
		"the nonce with no signature": nonce + ".",
	} {
		client := noRedirects()
		client.Jar.SetCookies(nil, []*http.Cookie{{Name: deviceCookie, Value: value}})
		if code, _ := signInAs(t, client, ts.URL, formToken(t, client, ts.URL+"/login"), "203.0.113.9", "admin@example.org", password); code != http.StatusTooManyRequests {
			t.Errorf("the right password with %s device cookie during guessing: %d, want 429", name, code)
		}
	}
	client := noRedirects()
	client.Jar.SetCookies(nil, []*http.Cookie{{Name: deviceCookie, Value: own.Value}})
	if code, _ := signInAs(t, client, ts.URL, formToken(t, client, ts.URL+"/login"), "203.0.113.9", "admin@example.org", password); code != http.StatusSeeOther {
		t.Errorf("the right password with the account's own device cookie: %d", code)
	}
}

func TestDeviceCookieIsHttpOnlyLaxLongLivedAndSecureOverHTTPS(t *testing.T) {
	e := newSignInEnv(t)
	ts := httptest.NewTLSServer(e.srv)
	t.Cleanup(ts.Close)
	client := ts.Client()
	client.Jar = &cookieJar{}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	csrf := formToken(t, client, ts.URL+"/login")
	resp, err := client.PostForm(ts.URL+"/login", url.Values{"email": {"admin@example.org"}, "password": {password}, "csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == deviceCookie {
			if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/login" || c.MaxAge < 180*24*3600 {
				t.Errorf("device cookie %q", resp.Header.Values("Set-Cookie"))
			}
			return
		}
	}
	t.Errorf("a sign-in over https gave no device cookie: %d, %q", resp.StatusCode, resp.Header.Values("Set-Cookie"))
}
