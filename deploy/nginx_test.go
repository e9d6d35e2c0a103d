package deploy

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/thaiarchives/archive/storage/s3/miniotest"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func loopbackIPs() []net.IP { return []net.IP{net.IPv4(127, 0, 0, 1)} }

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// archiveBinary builds the archive once for the tests that run it.
func archiveBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "archive-deploy")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "archive")
		if out, err := exec.Command("go", "build", "-o", binary, "../cmd/archive").CombinedOutput(); err != nil {
			buildErr = err
			t.Logf("%s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building the archive: %v", buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// node is an archive process on a loopback port.
type node struct {
	addr string
	logs bytes.Buffer
	mu   sync.Mutex
}

func (n *node) Write(p []byte) (int, error) { n.mu.Lock(); defer n.mu.Unlock(); return n.logs.Write(p) }
func (n *node) String() string              { n.mu.Lock(); defer n.mu.Unlock(); return n.logs.String() }

// start runs the archive with env and args until the test ends, returning
// once it answers.
func start(t *testing.T, env []string, args ...string) *node {
	t.Helper()
	n := &node{addr: "127.0.0.1:" + strconv.Itoa(freePort(t))}
	cmd := exec.Command(archiveBinary(t), append([]string{"serve", "--addr", n.addr}, args...)...)
	cmd.Env, cmd.Stdout, cmd.Stderr = append(os.Environ(), env...), n, n
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + n.addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return n
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("archive did not answer within a minute:\n%s", n)
	return nil
}

// logOf reads a log file when asked, for messages.
type logOf string

func (l logOf) String() string { b, _ := os.ReadFile(string(l)); return string(b) }

func writeJPEG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The example nginx in front of a writer and a replica on loopback, over
// TLS: the second request for a tile is nginx's (X-Cache-Status: HIT, the
// same bytes), anonymous reads reach the replica, a request with a session
// cookie is neither cached nor answered from cache, and an edit with a
// token reaches the writer through the same address.
func TestNginxCachesTilesAndSendsWritesToTheWriter(t *testing.T) {
	nginx := needTool(t, "nginx", "nginx")
	minio := miniotest.Start(t)
	root := t.TempDir()
	token := strings.Repeat("0123456789abcdef", 3)
	env := func(name string) []string {
		return append(minio.Env("site"), "ARCHIVE_DATA="+filepath.Join(root, name), "ARCHIVE_TOKEN="+token,
			"ARCHIVE_HOSTS=127.0.0.1", "ARCHIVE_TRUSTED_PROXIES=127.0.0.1")
	}
	writer := start(t, env("writer"))
	src := filepath.Join(root, "src")
	os.MkdirAll(src, 0o755)
	writeJPEG(t, filepath.Join(src, "scan.jpg"), 900, 700)
	cmd := exec.Command(archiveBinary(t), "ingest", "--institution", "tu", "--json", src)
	cmd.Env = append(append(os.Environ(), env("writer")...), "ARCHIVE_ADDR="+writer.addr)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	var o struct{ Item, Status string }
	if err := json.NewDecoder(bufio.NewReader(bytes.NewReader(out))).Decode(&o); err != nil || o.Item == "" {
		t.Fatalf("ingest output %q: %v", out, err)
	}
	replica := start(t, env("replica"), "--replica", "-v")

	site := newNginxSite(t, writer.addr, []string{replica.addr})
	// nginx's log goes to a file: its workers would hold a pipe open.
	logPath := filepath.Join(site.dir, "nginx.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	ng := exec.Command(nginx, "-e", "stderr", "-p", site.dir, "-c", site.conf)
	ng.Stdout, ng.Stderr = logFile, logFile
	if err := ng.Start(); err != nil {
		t.Fatal(err)
	}
	// SIGTERM: the master stops its workers, then itself.
	t.Cleanup(func() { ng.Process.Signal(syscall.SIGTERM); ng.Wait() })
	ngLog := logOf(logPath)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	base := "https://127.0.0.1:" + strconv.Itoa(site.https)
	get := func(path string, hdr ...string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, ngLog.String())
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	// nginx is up when it answers; the replica when it has the item.
	tile := "/iiif/3/" + o.Item + "-1/0,0,256,256/256,/0/default.jpg"
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := client.Get(base + "/iiif/3/manifest/" + o.Item); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the item never answered through nginx\n%s\n%s", ngLog.String(), replica)
		}
		time.Sleep(100 * time.Millisecond)
	}
	code, first, h := get(tile)
	if code != 200 || h.Get("X-Cache-Status") != "MISS" {
		t.Fatalf("first tile: %d, X-Cache-Status %q", code, h.Get("X-Cache-Status"))
	}
	code, second, h := get(tile)
	if code != 200 || h.Get("X-Cache-Status") != "HIT" || second != first {
		t.Fatalf("second tile: %d, X-Cache-Status %q, same bytes %v", code, h.Get("X-Cache-Status"), second == first)
	}
	if !strings.Contains(replica.String(), tile) {
		t.Errorf("the anonymous tile request did not reach the replica:\n%s", replica)
	}
	if _, _, h := get(tile, "Cookie", "archive_session=someone"); h.Get("X-Cache-Status") != "BYPASS" {
		t.Errorf("a tile asked with a session cookie: X-Cache-Status %q, want BYPASS", h.Get("X-Cache-Status"))
	}
	// An edit with a token goes to the writer (a replica would answer 405).
	req, _ := http.NewRequest("GET", base+"/api/v1/items/"+o.Item, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var it struct{ Version int }
	json.NewDecoder(resp.Body).Decode(&it)
	resp.Body.Close()
	body := `{"version":` + strconv.Itoa(it.Version) + `,"title":{"en":"Edited through the proxy"}}`
	req, _ = http.NewRequest("POST", base+"/api/v1/items/"+o.Item, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("an edit through nginx: %d %s", resp.StatusCode, b)
	}
}
