package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
)

// fakeObject answers a bucket that exists and, for objects, the status
// fail gives (0: the object, five bytes long).
func fakeObject(t *testing.T, fail func() int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Count(strings.Trim(r.URL.Path, "/"), "/") == 0 { // the bucket
			w.WriteHeader(http.StatusOK)
			return
		}
		if status := fail(); status != 0 {
			w.WriteHeader(status)
			return
		}
		w.Header().Set("Content-Length", "5")
		w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
		w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// fakeS3 answers status for the first failures requests for an object,
// then the object.
func fakeS3(t *testing.T, status, failures int) (*Store, *atomic.Int64) {
	t.Helper()
	var asked atomic.Int64
	endpoint := fakeObject(t, func() int {
		if asked.Add(1) <= int64(failures) {
			return status
		}
		return 0
	})
	st, err := Open(context.Background(), Config{Endpoint: endpoint, Bucket: "bucket", AccessKey: "k", SecretKey: "secret", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	asked.Store(0)
	return st, &asked
}

// A server that answers "slow down" (503) is alive and settling: it is
// waited for past the attempts that a failing one gets.
func TestASettlingServerIsWaitedFor(t *testing.T) {
	st, asked := fakeS3(t, http.StatusServiceUnavailable, attempts+1)
	if _, err := st.Stat(context.Background(), "k"); err != nil {
		t.Fatalf("after %d answers of 503: %v", asked.Load(), err)
	}
	if asked.Load() != attempts+2 {
		t.Fatalf("asked %d times, want %d", asked.Load(), attempts+2)
	}
}

// A server that fails otherwise (500) gets its attempts, then the call
// fails as storage unavailable.
func TestAFailingServerGetsItsAttempts(t *testing.T) {
	st, asked := fakeS3(t, http.StatusInternalServerError, attempts+1)
	_, err := st.Stat(context.Background(), "k")
	if err == nil || asked.Load() != attempts {
		t.Fatalf("after %d answers of 500: %v; want %d attempts and an error", asked.Load(), err, attempts)
	}
}

// pick passes over the endpoint just tried and those that failed lately,
// as long as another can be had.
func TestPickPassesOverTheOneJustTried(t *testing.T) {
	a, b := &server{addr: "a"}, &server{addr: "b"}
	s := &Store{endpoints: []*server{a, b}}
	for range 4 {
		if got := s.pick(a); got != b {
			t.Fatalf("pick(a) = %s, want b", got.addr)
		}
	}
	b.down.Store(time.Now().Add(time.Minute).UnixNano())
	if got := s.pick(a); got != a {
		t.Fatalf("with b down, pick(a) = %s, want a", got.addr)
	}
	if got := s.pick(nil); got != a {
		t.Fatalf("with b down, pick(nil) = %s, want a", got.addr)
	}
	a.down.Store(time.Now().Add(time.Minute).UnixNano())
	if got := s.pick(a); got == nil {
		t.Fatal("with all down, nothing picked")
	}
}

// A body cut off mid-stream (the node serving it lost) is read on from
// where it stopped, if the object is still the same; if it changed, the
// read fails rather than splice two objects.
func TestACutOffReadGoesOnFromWhereItStopped(t *testing.T) {
	blob := make([]byte, 100_000)
	for i := range blob {
		blob[i] = byte(i * 7)
	}
	for _, changed := range []bool{false, true} {
		var gets atomic.Int64
		var ranges []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Count(strings.Trim(r.URL.Path, "/"), "/") == 0 {
				w.WriteHeader(http.StatusOK)
				return
			}
			ranges = append(ranges, r.Header.Get("Range")+" "+r.Header.Get("If-Match"))
			w.Header().Set("ETag", `"e1"`)
			w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
			if gets.Add(1) == 1 { // half the body, then the connection dies
				w.Header().Set("Content-Length", strconv.Itoa(len(blob)))
				w.WriteHeader(http.StatusOK)
				w.Write(blob[:30_000])
				w.(http.Flusher).Flush()
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
				return
			}
			if changed {
				w.WriteHeader(http.StatusPreconditionFailed)
				return
			}
			var from, to int
			fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-%d", &from, &to)
			w.Header().Set("Content-Length", strconv.Itoa(to-from+1))
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, to, len(blob)))
			w.WriteHeader(http.StatusPartialContent)
			w.Write(blob[from : to+1])
		}))
		st, err := Open(context.Background(), Config{Endpoint: strings.TrimPrefix(srv.URL, "http://"), Bucket: "bucket", AccessKey: "k", SecretKey: "secret", Region: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		rc, err := st.Get(context.Background(), "blob", 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		srv.Close()
		switch {
		case changed && (err == nil || !errors.Is(err, fault.Unavailable)):
			t.Errorf("an object changed under a cut-off read: %d bytes, %v; want storage unavailable", len(got), err)
		case !changed && (err != nil || !bytes.Equal(got, blob)):
			t.Errorf("a cut-off read: %d bytes, %v", len(got), err)
		case !changed && (len(ranges) != 2 || ranges[1] != `bytes=30000-99999 "e1"`):
			t.Errorf("asked for %q, want the rest of the same object", ranges)
		}
	}
}

// With several nodes, "no such key" from some of them (a distributed MinIO
// taking a node back) is asked of the others; a key is missing once every
// node has said so.
func TestNoSuchKeyIsAskedOfEveryNode(t *testing.T) {
	var asked, missing atomic.Int64
	var eps []string
	for range 3 {
		eps = append(eps, fakeObject(t, func() int {
			if asked.Add(1) <= missing.Load() {
				return http.StatusNotFound
			}
			return 0
		}))
	}
	st, err := Open(context.Background(), Config{Endpoint: strings.Join(eps, ","), Bucket: "bucket", AccessKey: "k", SecretKey: "secret", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		missing, asked int64
		found          bool
	}{{0, 1, true}, {1, 2, true}, {2, 3, true}, {3, 3, false}, {100, 3, false}} {
		asked.Store(0)
		missing.Store(c.missing)
		_, err := st.Stat(context.Background(), "k")
		if c.found && err != nil || !c.found && !errors.Is(err, fault.NotFound) || asked.Load() != c.asked {
			t.Errorf("%d nodes saying no such key: %v after %d asks; want found=%v after %d", c.missing, err, asked.Load(), c.found, c.asked)
		}
	}
}
