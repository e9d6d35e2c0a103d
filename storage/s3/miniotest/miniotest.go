// Package miniotest runs a real MinIO server on 127.0.0.1 for tests: a
// temporary data folder, random credentials, stopped when the test ends.
//
// The binary is found in $ARCHIVE_MINIO, on PATH, or in
// ~/.cache/archive-tools/minio (where the test script installs it). Without
// it the test is skipped, unless ARCHIVE_REQUIRE_MINIO is set (CI), where a
// missing server is a failure.
package miniotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/storage/s3"
)

// Server is a running MinIO.
type Server struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	bin, dir  string
	cmd       *exec.Cmd
	// drives, for a node of a cluster: every node's drive, as MinIO names them.
	drives []string
	exited chan struct{}
	log    *os.File
}

// Binary returns the MinIO binary's path, or "".
func Binary() string {
	if p := os.Getenv("ARCHIVE_MINIO"); p != "" {
		return p
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "archive-tools", "minio")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Start runs a new server for the test (or benchmark) and stops it at cleanup.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := requireBinary(tb)
	s := &Server{
		AccessKey: "test" + random(6),
		SecretKey: random(16),
		bin:       bin,
		dir:       tb.TempDir(),
		Endpoint:  "127.0.0.1:" + strconv.Itoa(freePort(tb)),
	}
	s.Restart(tb)
	tb.Cleanup(s.Stop)
	return s
}

// requireBinary returns MinIO's binary, or skips the test (fails it when
// ARCHIVE_REQUIRE_MINIO is set).
func requireBinary(tb testing.TB) string {
	tb.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("ARCHIVE_REQUIRE_MINIO") != "" {
			tb.Fatal("MinIO is required (ARCHIVE_REQUIRE_MINIO) but not installed; run the test script")
		}
		tb.Skip("MinIO not installed: S3 tests skipped (the test script installs it)")
	}
	return bin
}

func random(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func freePort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Restart starts the server again on the same port and data after a Stop.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.launch(tb)
	s.waitReady(tb)
}

// launch starts the server's process.
func (s *Server) launch(tb testing.TB) {
	tb.Helper()
	args := []string{"server", "--quiet", "--address", s.Endpoint, "--console-address", "127.0.0.1:" + strconv.Itoa(freePort(tb))}
	if s.drives == nil {
		args = append(args, s.dir)
	} else {
		args = append(args, s.drives...)
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+s.AccessKey, "MINIO_ROOT_PASSWORD="+s.SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	if s.drives != nil {
		// The nodes' drives share one disk here, which MinIO refuses outside
		// tests. In a container MinIO waits for its peers' names to stop
		// resolving to loopback, unless told which endpoint is its own.
		cmd.Env = append(cmd.Env, "MINIO_CI_CD=on", "_MINIO_SERVER_LOCAL="+s.Endpoint)
	}
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if s.log != nil {
		// A cluster's nodes complain loudly of every peer that is down.
		cmd.Stdout, cmd.Stderr = s.log, s.log
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting MinIO: %v", err)
	}
	s.cmd = cmd
	// The channel of this process: a Restart's new one is not the old
	// process's to close.
	exited := make(chan struct{})
	s.exited = exited
	go func() { cmd.Wait(); close(exited) }()
}

// waitReady returns when the server answers S3 calls.
func (s *Server) waitReady(tb testing.TB) {
	tb.Helper()
	exited := s.exited
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + s.Endpoint + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			// Ready by its health check is not always ready for S3 calls
			// ("server not initialized"): ask for a bucket until it answers.
			cfg := s.Config("readiness-probe", "")
			cfg.CreateBucket = false
			if _, err := s3.Open(context.Background(), cfg); err != nil && strings.Contains(err.Error(), "does not exist") {
				return
			}
		}
		select {
		case <-exited:
			tb.Fatalf("MinIO exited at start-up")
		case <-time.After(50 * time.Millisecond):
		}
	}
	tb.Fatalf("MinIO not ready at %s within a minute", s.Endpoint)
}

// Stop kills the server at once, as a crash or a pulled cable would.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Process.Wait()
		s.cmd = nil
	}
}

// Config returns store settings for a bucket (created on first use) and a key prefix.
func (s *Server) Config(bucket, prefix string) s3.Config {
	return s3.Config{Endpoint: s.Endpoint, Bucket: bucket, AccessKey: s.AccessKey, SecretKey: s.SecretKey, Region: "us-east-1", CreateBucket: true, Prefix: prefix}
}

// Open returns a store on this server.
func (s *Server) Open(tb testing.TB, bucket, prefix string) *s3.Store {
	tb.Helper()
	st, err := s3.Open(context.Background(), s.Config(bucket, prefix))
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// Env returns the ARCHIVE_S3_* settings for a subprocess using this server.
func (s *Server) Env(bucket string) []string {
	return []string{"ARCHIVE_STORAGE=s3", "ARCHIVE_S3_ENDPOINT=" + s.Endpoint, "ARCHIVE_S3_BUCKET=" + bucket,
		"ARCHIVE_S3_ACCESS_KEY=" + s.AccessKey, "ARCHIVE_S3_SECRET_KEY=" + s.SecretKey, "ARCHIVE_S3_REGION=us-east-1",
		fmt.Sprintf("ARCHIVE_S3_TLS=%v", false)}
}
