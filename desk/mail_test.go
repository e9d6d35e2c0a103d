package desk

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
)

// syncBuffer is a process's output, read while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// smtpServer runs Python's debugging SMTP server (smtpd, Python 3.11) on a
// free loopback port: it accepts every message and prints it.
func smtpServer(t *testing.T) (addr string, out *syncBuffer) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = l.Addr().String()
	l.Close()
	out = &syncBuffer{}
	cmd := exec.Command("python3", "-u", "-m", "smtpd", "-n", "-c", "DebuggingServer", addr)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("python3 (Debian package python3, 3.11 for smtpd): %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr, out
		}
		if time.Now().After(deadline) {
			t.Fatalf("the SMTP server did not answer at %s: %s", addr, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pyBytes is how the debugging server prints text: a Python bytes literal.
func pyBytes(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c < 0x80 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	return b.String()
}

func TestDecisionIsMailedToTheRequesterInThaiAndEnglish(t *testing.T) {
	addr, out := smtpServer(t)
	rq, st, reader, _, _ := requestsFixture(t)
	rq.Mail = &Mailer{Addr: addr, From: "archive@cmu.example"}
	ctx := context.Background()
	itemsAdd(t, st, "palm-1", "cmu", repository.Restricted)
	r, err := rq.Ask(ctx, reader, "palm-1", "a thesis")
	if err != nil {
		t.Fatal(err)
	}
	r, err = rq.Decide(ctx, itemsArchivist, r.ID, Decision{Approve: true, Until: "2026-03-10"})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "END MESSAGE"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no message arrived: %s", out)
		}
	}
	got := out.String()
	for _, want := range []string{"To: reader@tu.example", "was approved, until 2026-03-10", pyBytes("ได้รับการอนุมัติ ถึงวันที่ 2026-03-10")} {
		if !strings.Contains(got, want) {
			t.Errorf("the message lacks %q:\n%s", want, got)
		}
	}
	if stored, err := st.Request(r.ID); err != nil || !stored.Told {
		t.Fatalf("the request does not say the requester was told: %+v, %v", stored, err)
	}
}

func TestDecisionStandsWhenTheMailServerIsDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	rq, st, reader, _, _ := requestsFixture(t)
	rq.Mail = &Mailer{Addr: addr, From: "archive@cmu.example"}
	ctx := context.Background()
	itemsAdd(t, st, "palm-1", "cmu", repository.Restricted)
	r, err := rq.Ask(ctx, reader, "palm-1", "a thesis")
	if err != nil {
		t.Fatal(err)
	}
	if r, err = rq.Decide(ctx, itemsArchivist, r.ID, Decision{Reason: "fragile"}); err != nil || r.Told {
		t.Fatalf("deciding with no mail server: %+v, %v", r, err)
	}
	if stored, err := st.Request(r.ID); err != nil || stored.Status != repository.Refused || stored.Told {
		t.Fatalf("stored %+v, %v", stored, err)
	}
}
