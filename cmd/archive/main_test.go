package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/storage/s3/miniotest"
	"github.com/thaiarchives/archive/storage/storagetest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "archive-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "archive")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building archive: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// archive runs the binary to completion with a clean ARCHIVE_ environment.
func archive(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	return archiveWithInput(t, nil, env, args...)
}

// archiveWithInput runs the binary like archive, reading stdin as its
// standard input (nil: the null device, as from a terminal-less job).
func archiveWithInput(t *testing.T, stdin io.Reader, env []string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ARCHIVE_") {
			env = append(env, kv)
		}
	}
	return env
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type server struct {
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
	done chan struct{} // closed when the process has exited
	err  error
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serve starts "archive serve" and waits until it has started (its
// readiness no longer says starting or rebuilding).
func serve(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), logs: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(binary, append([]string{"serve", "--addr", s.addr}, args...)...)
	s.cmd.Env = append(cleanEnv(), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.cmd.Process.Kill(); <-s.done })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if starting, err := isStarting("http://" + s.addr); err == nil && !starting {
			return s
		}
		select {
		case <-s.done:
			t.Fatalf("serve exited: %v\n%s", s.err, s.logs)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not answer within a minute\n%s", s.logs)
	return nil
}

// isStarting asks a node's readiness whether it is still starting.
func isStarting(base string) (bool, error) {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return true, err
	}
	defer resp.Body.Close()
	var ready struct{ Metadata string }
	if err := json.NewDecoder(resp.Body).Decode(&ready); err != nil {
		return true, err
	}
	return ready.Metadata == "starting" || ready.Metadata == "rebuilding", nil
}

func (s *server) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + s.addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHelpExplainsEveryCommand(t *testing.T) {
	out, _, code := archive(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "Commands:") {
		t.Fatalf("archive --help: %d %q", code, out)
	}
	for _, c := range commands() {
		if !strings.Contains(out, c.name) {
			t.Errorf("--help does not list %s", c.name)
		}
		_, errOut, code := archive(t, nil, c.name, "--help")
		if code != 0 || !strings.Contains(errOut, "Usage: archive "+c.name) || !strings.Contains(errOut, "-data") {
			t.Errorf("archive %s --help: %d %q", c.name, code, errOut)
		}
	}
	if _, errOut, code := archive(t, nil, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
}

func TestServeStartsWithDefaultsAndStopsGracefully(t *testing.T) {
	dir := t.TempDir()
	s := serve(t, []string{"ARCHIVE_DATA=" + filepath.Join(dir, "data")})
	if code, body := s.get(t, "/readyz"); code != 200 || !strings.Contains(body, `"storage":"ok"`) {
		t.Fatalf("readyz: %d %s", code, body)
	}
	if code, body := s.get(t, "/api/v1/institutions"); code != 200 || !strings.Contains(body, "จุฬาลงกรณ์มหาวิทยาลัย") {
		t.Fatalf("institutions: %d %s", code, body)
	}
	for _, p := range []string{"archive.db", "blobs", "token"} {
		if _, err := os.Stat(filepath.Join(dir, "data", p)); err != nil {
			t.Errorf("data folder lacks %s: %v", p, err)
		}
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		if s.err != nil {
			t.Fatalf("serve exited with %v after SIGTERM\n%s", s.err, s.logs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if !strings.Contains(s.logs.String(), "shutting down") {
		t.Errorf("no shutdown log line:\n%s", s.logs)
	}
}

// failsInOneSentence runs serve expecting a start-up failure.
func failsInOneSentence(t *testing.T, env []string, want string) {
	t.Helper()
	start := time.Now()
	_, errOut, code := archive(t, env, "serve", "--addr", freeAddr(t))
	if code != 1 || !strings.Contains(errOut, want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Fatalf("exit %d, stderr %q; want one line containing %q", code, errOut, want)
	}
	if strings.Contains(errOut, "goroutine") || time.Since(start) > 30*time.Second {
		t.Fatalf("not a clean, quick failure: %q after %v", errOut, time.Since(start))
	}
}

func TestStartUpFailuresAreOneClearSentence(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	t.Run("store locked by another process", func(t *testing.T) {
		serve(t, []string{"ARCHIVE_DATA=" + data})
		failsInOneSentence(t, []string{"ARCHIVE_DATA=" + data}, "is in use by another process (is the archive already running?)")
	})
	t.Run("data folder not writable", func(t *testing.T) {
		file := filepath.Join(dir, "plain-file")
		os.WriteFile(file, nil, 0o644)
		failsInOneSentence(t, []string{"ARCHIVE_DATA=" + filepath.Join(file, "data")}, "cannot be created: not a directory")
	})
	t.Run("unreachable S3 server", func(t *testing.T) {
		failsInOneSentence(t, []string{"ARCHIVE_DATA=" + filepath.Join(dir, "d2"), "ARCHIVE_STORAGE=s3", "ARCHIVE_S3_ENDPOINT=127.0.0.1:1",
			"ARCHIVE_S3_BUCKET=archive", "ARCHIVE_S3_ACCESS_KEY=key", "ARCHIVE_S3_SECRET_KEY=very-secret-value"}, "S3 server at 127.0.0.1:1 cannot be used: cannot connect")
	})
	t.Run("S3 endpoint missing", func(t *testing.T) {
		failsInOneSentence(t, []string{"ARCHIVE_DATA=" + filepath.Join(dir, "d3"), "ARCHIVE_STORAGE=s3"}, "S3 endpoint is not set (ARCHIVE_S3_ENDPOINT")
	})
	t.Run("unknown storage", func(t *testing.T) {
		failsInOneSentence(t, []string{"ARCHIVE_STORAGE=floppy"}, `storage "floppy" is not local or s3`)
	})
	t.Run("bad config file line", func(t *testing.T) {
		cf := filepath.Join(dir, "bad.conf")
		os.WriteFile(cf, []byte("# settings\nDATA=/tmp\n"), 0o644)
		failsInOneSentence(t, []string{"ARCHIVE_CONFIG=" + cf}, "line 2: expected ARCHIVE_NAME=value")
	})
	t.Run("address in use", func(t *testing.T) {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		defer l.Close()
		_, errOut, code := archive(t, []string{"ARCHIVE_DATA=" + filepath.Join(dir, "d4")}, "serve", "--addr", l.Addr().String())
		if code != 1 || !strings.Contains(errOut, "address already in use") {
			t.Fatalf("%d %q", code, errOut)
		}
	})
}

func TestConfigFileEnvironmentAndFlagsInOrder(t *testing.T) {
	dir := t.TempDir()
	cf := filepath.Join(dir, "archive.conf")
	os.WriteFile(cf, []byte("ARCHIVE_DATA="+filepath.Join(dir, "from-file")+"\nARCHIVE_S3_TLS=true\nexport ARCHIVE_ADDR=\"127.0.0.1:9\"\n"), 0o644)
	t.Setenv("ARCHIVE_CONFIG", cf)
	t.Setenv("ARCHIVE_ADDR", "127.0.0.1:7")
	c := common{}
	cfg, err := c.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Data != filepath.Join(dir, "from-file") || cfg.Addr != "127.0.0.1:7" || !cfg.S3.TLS {
		t.Fatalf("resolved %+v", cfg)
	}
	c.data = "flagged"
	if cfg, _ = c.resolve(); cfg.Data != "flagged" {
		t.Fatalf("flag did not win: %q", cfg.Data)
	}
	t.Setenv("ARCHIVE_OCR_WORKERS", "1")
	if cfg, err = c.resolve(); err != nil || cfg.OCRWorkers != 1 {
		t.Fatalf("OCR workers: %d %v", cfg.OCRWorkers, err)
	}
	t.Setenv("ARCHIVE_OCR_WORKERS", "1000")
	if _, err = c.resolve(); err == nil || !strings.Contains(err.Error(), "ARCHIVE_OCR_WORKERS") {
		t.Errorf("a thousand OCR workers: %v", err)
	}
	t.Setenv("ARCHIVE_OCR_WORKERS", "")
	t.Setenv("ARCHIVE_S3_TIMEOUT", "45s")
	if cfg, err = c.resolve(); err != nil || cfg.S3.Timeout != 45*time.Second {
		t.Fatalf("S3 timeout: %v %v", cfg.S3.Timeout, err)
	}
	for _, bad := range []string{"soon", "0s", "2h"} {
		t.Setenv("ARCHIVE_S3_TIMEOUT", bad)
		if _, err = c.resolve(); err == nil || !strings.Contains(err.Error(), "ARCHIVE_S3_TIMEOUT") {
			t.Errorf("ARCHIVE_S3_TIMEOUT=%s: %v", bad, err)
		}
	}
	t.Setenv("ARCHIVE_S3_TIMEOUT", "")
	t.Setenv("ARCHIVE_PARTNER_ORIGINS", "https://Viewer.tu.example:443, http://localhost:3000")
	if cfg, err = c.resolve(); err != nil || strings.Join(cfg.PartnerOrigins, " ") != "https://viewer.tu.example http://localhost:3000" {
		t.Fatalf("partner origins: %q %v", cfg.PartnerOrigins, err)
	}
	for _, bad := range []string{"viewer.tu.example", "https://viewer.tu.example/mirador", "ftp://viewer.tu.example"} {
		t.Setenv("ARCHIVE_PARTNER_ORIGINS", bad)
		if _, err = c.resolve(); err == nil || !strings.Contains(err.Error(), "ARCHIVE_PARTNER_ORIGINS") || !strings.Contains(err.Error(), "is not an origin") {
			t.Errorf("ARCHIVE_PARTNER_ORIGINS=%s: %v", bad, err)
		}
	}
}

// seedItem puts one item with a file into the store at data, using blobs.
func seedItem(t *testing.T, data string, blobs storage.Blobs) (*repository.Item, []byte) {
	t.Helper()
	os.MkdirAll(data, 0o755)
	store, err := bolt.Open(context.Background(), filepath.Join(data, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	content := storagetest.Pattern(3, 300_000)
	info := storagetest.MustPut(t, blobs, storage.DigestKey(storagetest.Sum(content)), content)
	it := &repository.Item{Institution: "chula", Title: repository.Text{"th": "แผนที่กรุงเทพ", "en": "Map of Bangkok"}, Date: "1932~",
		Files: []repository.File{{Name: "map.tif", SHA256: info.SHA256, Size: info.Size, MediaType: "image/tiff"}}}
	if err := store.SaveItem(context.Background(), it, "test"); err != nil {
		t.Fatal(err)
	}
	return it, content
}

func TestServeOnMinIOAnswers503DuringOutageAndRecovers(t *testing.T) {
	minio := miniotest.Start(t)
	data := filepath.Join(t.TempDir(), "data")
	it, content := seedItem(t, data, minio.Open(t, "served", ""))
	env := append(minio.Env("served"), "ARCHIVE_DATA="+data)
	s := serve(t, env)
	file := "/api/v1/items/" + it.ID + "/files/1"
	if code, body := s.get(t, file); code != 200 || body != string(content) {
		t.Fatalf("file before outage: %d, %d bytes", code, len(body))
	}
	minio.Stop()
	if code, body := s.get(t, "/readyz"); code != 503 || !strings.Contains(body, "storage") {
		t.Fatalf("readyz with MinIO down: %d %s", code, body)
	}
	if code, body := s.get(t, file); code != 503 || !strings.Contains(body, "Storage is unavailable") {
		t.Fatalf("file with MinIO down: %d %s", code, body)
	}
	if strings.Contains(s.logs.String(), minio.SecretKey) {
		t.Fatal("the S3 secret key appears in the logs")
	}
	minio.Restart(t)
	if code, _ := s.get(t, "/readyz"); code != 200 {
		t.Fatalf("readyz after MinIO returned: %d", code)
	}
	if code, body := s.get(t, file); code != 200 || body != string(content) {
		t.Fatalf("file after MinIO returned: %d", code)
	}
}

func TestRebuildCommandRestoresADeletedDatabase(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	it, _ := seedItem(t, data, blobs)
	env := []string{"ARCHIVE_DATA=" + data}
	if _, errOut, code := archive(t, env, "rebuild"); code != 1 || !strings.Contains(errOut, "--force") {
		t.Fatalf("rebuild over an existing store: %d %q", code, errOut)
	}
	os.Remove(filepath.Join(data, "archive.db"))
	out, errOut, code := archive(t, env, "rebuild")
	if code != 0 || !strings.Contains(out, "1 items") {
		t.Fatalf("rebuild: %d %q %q", code, out, errOut)
	}
	s := serve(t, env)
	if code, body := s.get(t, "/api/v1/items/"+it.ID); code != 200 || !strings.Contains(body, "แผนที่กรุงเทพ") {
		t.Fatalf("item after rebuild: %d %s", code, body)
	}
}

func TestBackupWhileServing(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	it, _ := seedItem(t, data, blobs)
	env := []string{"ARCHIVE_DATA=" + data}
	s := serve(t, env)
	dst := filepath.Join(t.TempDir(), "copy.db")
	out, errOut, code := archive(t, append(env, "ARCHIVE_ADDR="+s.addr), "backup", "--to", dst)
	if code != 0 {
		t.Fatalf("backup: %d %q", code, errOut)
	}
	if !strings.Contains(out, "written to "+dst) {
		t.Fatalf("backup said %q", out)
	}
	copyStore, err := bolt.Open(context.Background(), dst, blobs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := copyStore.Item(it.ID)
	copyStore.Close()
	if err != nil || got.Title["en"] != "Map of Bangkok" {
		t.Fatalf("item in backup: %+v, %v", got, err)
	}
	out, errOut, code = archive(t, append(env, "ARCHIVE_ADDR="+s.addr), "backup", "--to-store")
	if code != 0 || !strings.Contains(out, "stored as backups/archive-") {
		t.Fatalf("backup to store: %d %q %q", code, out, errOut)
	}
	key := strings.TrimSpace(out[strings.Index(out, "backups/"):])
	if st, err := blobs.Stat(context.Background(), key); err != nil || st.Size < 4096 {
		t.Fatalf("stored backup %s: %+v, %v", key, st, err)
	}
}

func TestBackupWithoutServiceReadsTheFile(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	blobs, _ := local.Open(filepath.Join(data, "blobs"))
	seedItem(t, data, blobs)
	dst := filepath.Join(t.TempDir(), "copy.db")
	if _, errOut, code := archive(t, []string{"ARCHIVE_DATA=" + data}, "backup", "--to", dst); code != 0 {
		t.Fatalf("offline backup: %d %q", code, errOut)
	}
	f, _ := os.Open(dst)
	defer f.Close()
	hdr, _ := bufio.NewReader(f).Peek(4096)
	if len(hdr) < 4096 {
		t.Fatal("backup file too short")
	}
}

func TestReindexAndTheServiceKeepSearchInStep(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	it, _ := seedItem(t, data, blobs)
	env := []string{"ARCHIVE_DATA=" + data}
	if out, errOut, code := archive(t, env, "reindex"); code != 0 || !strings.Contains(out, "indexed 1 items") {
		t.Fatalf("reindex: %d %q %q", code, out, errOut)
	}
	// The service answers at once; a rebuilding index may take a moment
	// to hold the item, so ask until it does (or a deadline passes).
	find := func(s *server) string {
		t.Helper()
		var body string
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
			var code int
			if code, body = s.get(t, "/api/v1/search?q="+url.QueryEscape("กรุงเทพ")); code != 200 {
				t.Fatalf("search: %d %s", code, body)
			}
			if strings.Contains(body, it.ID) {
				break
			}
		}
		return body
	}
	s := serve(t, env)
	if body := find(s); !strings.Contains(body, it.ID) {
		t.Fatalf("the reindexed item is not found: %s", body)
	}
	s.cmd.Process.Signal(os.Interrupt)
	<-s.done
	// A lost index is rebuilt by the service itself.
	if err := os.RemoveAll(filepath.Join(data, "index")); err != nil {
		t.Fatal(err)
	}
	s = serve(t, env)
	if body := find(s); !strings.Contains(body, it.ID) || !strings.Contains(body, `"total":1`) {
		t.Fatalf("after losing the index: %s", body)
	}
	if _, err := os.Stat(filepath.Join(data, "index")); err != nil {
		t.Errorf("the service did not keep its index on disk: %v", err)
	}
}
