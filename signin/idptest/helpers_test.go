package idptest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB that records how a helper ended the test.
type recorder struct {
	testing.TB
	failed, skipped string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(f string, a ...any) {
	r.failed = fmt.Sprintf(f, a...)
	panic(r)
}
func (r *recorder) Skipf(f string, a ...any) {
	r.skipped = fmt.Sprintf(f, a...)
	panic(r)
}

// ending runs need on a recorder and reports how it ended the test.
func ending(t *testing.T, what, pkg string) *recorder {
	return ended(t, func(r *recorder) { need(r, what, pkg) })
}

// ended runs f with a recorder and reports how it ended the test.
func ended(t *testing.T, f func(*recorder)) (r *recorder) {
	r = &recorder{TB: t}
	defer func() {
		if p := recover(); p != nil && p != r {
			panic(p)
		}
	}()
	f(r)
	return r
}

func TestNeedFailsNamingTheDebianPackageWhenToolsAreRequired(t *testing.T) {
	t.Setenv("ARCHIVE_REQUIRE_TOOLS", "1")
	for _, what := range []string{"idptest-no-such-program", "/idptest/no/such/file"} {
		r := ending(t, what, "idptest-pkg")
		if r.skipped != "" || !strings.Contains(r.failed, what) || !strings.Contains(r.failed, "Debian idptest-pkg") {
			t.Errorf("need(%q): failed %q, skipped %q; want a failure naming it and its package", what, r.failed, r.skipped)
		}
	}
}

func TestNeedSkipsWhenToolsAreNotRequired(t *testing.T) {
	t.Setenv("ARCHIVE_REQUIRE_TOOLS", "")
	r := ending(t, "idptest-no-such-program", "idptest-pkg")
	if r.failed != "" || !strings.Contains(r.skipped, "idptest-no-such-program") {
		t.Errorf("failed %q, skipped %q; want a skip with the reason", r.failed, r.skipped)
	}
	if r := ending(t, "sh", "dash"); r.failed != "" || r.skipped != "" {
		t.Errorf("an installed program: failed %q, skipped %q", r.failed, r.skipped)
	}
}

func TestWaitFailsAtOnceWhenTheProviderExits(t *testing.T) {
	url := "http://" + freeAddr(t) + "/" // nothing listens there
	began := time.Now()
	r := ended(t, func(r *recorder) {
		p := run(r, t.TempDir(), "quitter", nil, "sh", "-c", "exit 3")
		waitOK(r, url, p)
	})
	if !strings.Contains(r.failed, "quitter exited before "+url+" answered") {
		t.Errorf("failed %q, want the program named as having exited", r.failed)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("waited %v for a program that had exited", d)
	}
}
