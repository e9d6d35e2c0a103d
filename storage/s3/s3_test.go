package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/s3"
	"github.com/thaiarchives/archive/storage/s3/miniotest"
	"github.com/thaiarchives/archive/storage/storagetest"
)

func TestConformanceOnMinIO(t *testing.T) {
	srv := miniotest.Start(t)
	n := 0
	storagetest.Run(t, func(t *testing.T) storage.Blobs {
		n++
		return srv.Open(t, "conformance", fmt.Sprintf("run%d", n))
	})
}

func TestOpenFailsClearly(t *testing.T) {
	srv := miniotest.Start(t)
	cases := []struct {
		name string
		cfg  s3.Config
		want string
	}{
		{"no endpoint", s3.Config{Bucket: "bucket", AccessKey: "a", SecretKey: "s"}, "endpoint is not set"},
		{"bad endpoint", s3.Config{Endpoint: "ftp://x:1", Bucket: "bucket", AccessKey: "a", SecretKey: "s"}, "not host:port"},
		{"no bucket", s3.Config{Endpoint: srv.Endpoint, AccessKey: "a", SecretKey: "s"}, "bucket is not set"},
		{"unreachable", s3.Config{Endpoint: "127.0.0.1:1", Bucket: "bucket", AccessKey: "a", SecretKey: "s"}, "cannot be used"},
		{"wrong secret", s3.Config{Endpoint: srv.Endpoint, Bucket: "bucket", AccessKey: srv.AccessKey, SecretKey: "wrong-secret", CreateBucket: true}, "access key or secret key is wrong"},
		{"missing bucket", s3.Config{Endpoint: srv.Endpoint, Bucket: "absent", AccessKey: srv.AccessKey, SecretKey: srv.SecretKey}, `bucket "absent" does not exist`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := s3.Open(context.Background(), c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if strings.Contains(err.Error(), "wrong-secret") {
				t.Fatalf("error leaks the secret: %v", err)
			}
			if time.Since(start) > 30*time.Second {
				t.Fatalf("failing took %v", time.Since(start))
			}
		})
	}
}

// slowReader yields data in small steps so a test can act mid-upload.
type slowReader struct {
	r       io.Reader
	started chan struct{}
	n       int
}

func (s *slowReader) Read(p []byte) (int, error) {
	if s.n == 0 {
		close(s.started)
	}
	s.n++
	if len(p) > 1<<20 {
		p = p[:1<<20]
	}
	time.Sleep(2 * time.Millisecond)
	return s.r.Read(p)
}

func TestServerGoingAwayMidOperation(t *testing.T) {
	srv := miniotest.Start(t)
	st := srv.Open(t, "outage", "")
	ctx := context.Background()
	big := storagetest.Pattern(1, 40<<20)
	storagetest.MustPut(t, st, "kept", big)

	// A put under way when the server dies fails with ErrUnavailable, and
	// nothing appears under its key once the server is back.
	r := &slowReader{r: storagetest.NewPatternReader(2, 200<<20), started: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		_, err := st.Put(ctx, "interrupted", r, storage.PutOptions{})
		done <- err
	}()
	<-r.started
	time.Sleep(300 * time.Millisecond) // let some parts go up
	// A read under way dies with the server too.
	rc, err := st.Get(ctx, "kept", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 1<<20)
	if _, err := io.ReadFull(rc, head); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	select {
	case err := <-done:
		if !errors.Is(err, fault.Unavailable) {
			t.Fatalf("put during an outage: %v, want ErrUnavailable", err)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("put hung after the server went away")
	}
	_, err = io.Copy(io.Discard, rc)
	rc.Close()
	if err == nil {
		// The server may have sent the rest before dying; then the read is whole.
		t.Log("read finished from buffers before the server died")
	} else if !errors.Is(err, fault.Unavailable) {
		t.Fatalf("read during outage: %v, want ErrUnavailable", err)
	}
	// Calls while the server is down fail fast and clearly.
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for _, err := range []error{
		func() error { _, err := st.Stat(c, "kept"); return err }(),
		func() error { _, err := st.Get(c, "kept", 0, 10); return err }(),
		func() error {
			_, err := st.Put(c, "x", bytes.NewReader([]byte("x")), storage.PutOptions{})
			return err
		}(),
		st.Check(c),
	} {
		if !errors.Is(err, fault.Unavailable) {
			t.Fatalf("call during outage: %v, want ErrUnavailable", err)
		}
	}
	if c.Err() != nil {
		t.Fatal("calls during the outage took a minute: they hang")
	}
	// A context deadline bounds a call even against a dead server.
	short, cancel2 := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel2()
	if _, err := st.Stat(short, "kept"); err == nil {
		t.Fatal("stat succeeded with the server down")
	}
	srv.Restart(t)
	if err := st.Check(ctx); err != nil {
		t.Fatalf("store did not recover when the server came back: %v", err)
	}
	if _, err := st.Stat(ctx, "interrupted"); !errors.Is(err, fault.NotFound) {
		t.Fatalf("interrupted put left an object: %v", err)
	}
	if got := storagetest.MustGet(t, st, "kept", 0, -1); !bytes.Equal(got, big) {
		t.Fatal("the outage damaged a stored blob")
	}
}

func BenchmarkS3(b *testing.B) {
	srv := miniotest.Start(b)
	storagetest.Bench(b, srv.Open(b, "bench", ""))
}
