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
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage/local"
)

// signInEnv is a server over a store whose blobs lie in a folder the
// test can measure.
type signInEnv struct {
	srv   *Server
	store *repository.Store
	blobs string
}

func newSignInEnv(t *testing.T) *signInEnv {
	t.Helper()
	dir := t.TempDir()
	blobs, err := local.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := repository.Open(context.Background(), filepath.Join(dir, "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	seedAdmin(t, store)
	srv, err := New(context.Background(), Config{Store: store, Blobs: blobs, Hosts: testHosts})
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
