package web

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// countingListener counts the writes made on its connections.
type countingListener struct {
	net.Listener
	writes *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.writes}, nil
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// noise is an image whose tiles are larger than net/http's 4 KiB buffer.
func noise(seed uint64) image.Image {
	r := rand.New(rand.NewPCG(seed, 2))
	img := image.NewRGBA(image.Rect(0, 0, 600, 400))
	for y := range 400 {
		for x := range 600 {
			img.SetRGBA(x, y, color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255})
		}
	}
	return img
}

// servedGathering serves srv on loopback as the command does, and counts
// the writes on its connections.
func servedGathering(t *testing.T, srv http.Handler) (addr string, writes *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	writes = &atomic.Int64{}
	hs := &http.Server{Handler: srv, ConnContext: GatherContext}
	go hs.Serve(GatherListener(countingListener{ln, writes}, hs))
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String(), writes
}

// noiseEnv is a server with two noisy images, one public and one
// restricted, whose tiles are larger than net/http's buffer.
func noiseEnv(t testing.TB) (srv *Server, open, closed string) {
	t.Helper()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	dir := t.TempDir()
	for i, name := range []string{"n.png", "c.png"} {
		var b bytes.Buffer
		png.Encode(&b, noise(uint64(i)))
		os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644)
	}
	p := ingest.New(ingest.Config{Store: store, Blobs: blobs})
	opened := p.Ingest(context.Background(), ingest.Unit{Files: []ingest.Input{{Path: filepath.Join(dir, "n.png"), Name: "n.png"}},
		Meta: repository.Item{Institution: "cmu", Title: repository.Text{"en": "Noise"}}})
	shut := p.Ingest(context.Background(), ingest.Unit{Files: []ingest.Input{{Path: filepath.Join(dir, "c.png"), Name: "c.png"}},
		Meta: repository.Item{Institution: "cmu", Title: repository.Text{"en": "Closed"}, Access: repository.Access{Level: repository.Restricted}}})
	if opened[0].Status != ingest.Ingested || shut[0].Status != ingest.Ingested {
		t.Fatalf("ingest: %+v %+v", opened, shut)
	}
	seedAdmin(t, store)
	reveal(t, store, "cmu")
	srv, err = New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts, UploadDir: t.TempDir(), Ingest: p}))
	if err != nil {
		t.Fatal(err)
	}
	return srv, opened[0].Images[0], shut[0].Images[0]
}

func TestStoredTilesLeaveInOneWriteAndAnswerAsBefore(t *testing.T) {
	srv, open, closed := noiseEnv(t)
	f := &fixture{srv: srv}
	addr, writes := servedGathering(t, srv)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rd := bufio.NewReader(conn)
	tile := "/iiif/3/" + open + "/256,0,256,256/256,/0/default.jpg"
	want := f.do(t, "GET", tile)
	etag := want.Header().Get("ETag")
	cases := []struct {
		method, path, inm string
		oneWrite          bool
	}{
		{"GET", tile, "", true},
		{"GET", tile, "", true}, // now from the whole answers kept
		{"HEAD", tile, "", true},
		{"GET", tile, etag, true},
		{"GET", "/iiif/3/" + open + "/0,0,24,24/24,/0/default.jpg", "", true}, // under 2 KiB, buffered twice
		{"GET", "/iiif/3/" + open + "/0,0,50,50/50,/0/default.jpg", "", true}, // 2 to 4 KiB
		{"GET", "/iiif/3/" + open + "/0,0,50,50/50,/0/default.jpg", "", true}, // kept whole
		{"GET", "/iiif/3/" + closed + "/0,0,256,256/256,/0/default.jpg", "", false},
		{"GET", "/iiif/3/" + open + "/info.json", "", false},
	}
	for _, c := range cases {
		before := writes.Load()
		fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\n", c.method, c.path, addr)
		if c.inm != "" {
			fmt.Fprintf(conn, "If-None-Match: %s\r\n", c.inm)
		}
		fmt.Fprint(conn, "\r\n")
		req, _ := http.NewRequest(c.method, c.path, nil)
		resp, err := http.ReadResponse(rd, req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// The same answer as the handler gives without the gathering.
		dreq := httptest.NewRequest(c.method, "http://"+addr+c.path, nil)
		if c.inm != "" {
			dreq.Header.Set("If-None-Match", c.inm)
		}
		direct := httptest.NewRecorder()
		srv.ServeHTTP(direct, dreq)
		if resp.StatusCode != direct.Code || !bytes.Equal(body, direct.Body.Bytes()) ||
			resp.Header.Get("Cache-Control") != direct.Header().Get("Cache-Control") || resp.Header.Get("Vary") != direct.Header().Get("Vary") ||
			resp.Header.Get("ETag") != direct.Header().Get("ETag") || resp.ContentLength != int64(direct.Body.Len()) && c.method == "GET" {
			t.Fatalf("%s %s (If-None-Match %q): %d %q, %d bytes; without gathering %d %q %q, %d bytes",
				c.method, c.path, c.inm, resp.StatusCode, resp.Header.Get("Cache-Control"), len(body),
				direct.Code, direct.Header().Get("Cache-Control"), direct.Header().Get("Vary"), direct.Body.Len())
		}
		if n := writes.Load() - before; c.oneWrite && n != 1 {
			t.Fatalf("%s %s (If-None-Match %q): %d writes, want 1", c.method, c.path, c.inm, n)
		}
	}
	if len(want.Body.Bytes()) <= 8<<10 || want.Code != http.StatusOK {
		t.Fatalf("the tile is %d, %d bytes: too small to need two writes", want.Code, want.Body.Len())
	}

	// On a TCP connection as the command serves, the header and the body
	// (not copied) leave in one system call: the process makes two for the
	// request, the client's and the server's.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ConnContext: GatherContext}
	go hs.Serve(GatherListener(ln, hs))
	defer hs.Close()
	tc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	trd := bufio.NewReader(tc)
	for range 3 {
		before := writeCalls(t)
		if _, err := fmt.Fprintf(tc, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", tile, ln.Addr()); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", tile, nil)
		resp, err := http.ReadResponse(trd, req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if n := writeCalls(t) - before; !bytes.Equal(body, want.Body.Bytes()) || n != 2 {
			t.Fatalf("over TCP: %d bytes (want %d), %d write calls in the process (want 2: the request's and the answer's)", len(body), want.Body.Len(), n)
		}
	}
}

// writeCalls is how many write system calls this process has made.
func writeCalls(t testing.TB) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for line := range bytes.Lines(b) {
		if _, err := fmt.Sscanf(string(line), "syscw: %d", &n); err == nil {
			return n
		}
	}
	t.Fatal("no syscw in /proc/self/io")
	return 0
}

// TestGatheringPassesOnAnswersBeyondItsBoundInOrder: an answer larger than
// the bound, and a file copied by ReadFrom, arrive whole and in order.
func TestGatheringPassesOnAnswersBeyondItsBoundInOrder(t *testing.T) {
	a, b := net.Pipe()
	got := make(chan []byte)
	go func() { all, _ := io.ReadAll(b); got <- all }()
	g := &gatherConn{Conn: a}
	var want bytes.Buffer
	g.gather(nil)
	for i := 0; want.Len() <= 2*maxGathered; i++ {
		line := fmt.Appendf(nil, "line %d\n", i)
		want.Write(line)
		if _, err := g.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.send(); err != nil {
		t.Fatal(err)
	}
	// A body kept by reference, then more: in the order written.
	body := bytes.Repeat([]byte("body "), 2000)
	g.gather(body)
	for _, p := range [][]byte{[]byte("head "), body, []byte("after ")} {
		want.Write(p)
		if _, err := g.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.send(); err != nil {
		t.Fatal(err)
	}
	file := bytes.Repeat([]byte("file "), 1000)
	want.Write(file)
	if _, err := g.ReadFrom(bytes.NewReader(file)); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if all := <-got; !bytes.Equal(all, want.Bytes()) {
		t.Fatalf("%d bytes arrived, want %d in order", len(all), want.Len())
	}
}

// BenchmarkTileOverTCP asks for stored tiles over loopback, kept alive,
// from a server as the command runs it (gathering) and from the same
// handler served plainly, in alternate blocks so that the machine's other
// load falls on both alike. It reports, per tile and for each, the
// process's CPU time (client and server) and its write system calls.
func BenchmarkTileOverTCP(b *testing.B) {
	srv, open, _ := noiseEnv(b)
	serve := func(gathering bool) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		hs := &http.Server{Handler: srv}
		if gathering {
			hs.ConnContext = GatherContext
			go hs.Serve(GatherListener(ln, hs))
		} else {
			go hs.Serve(ln)
		}
		b.Cleanup(func() { hs.Close() })
		return "http://" + ln.Addr().String()
	}
	bases := []string{serve(false), serve(true)}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	paths := []string{"0,0,256,256/256,/0/default.jpg", "256,0,256,256/256,/0/default.jpg", "256,256,256,144/256,/0/default.jpg"}
	get := func(base string, i int) {
		resp, err := client.Get(base + "/iiif/3/" + open + "/" + paths[i%len(paths)])
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.StatusCode)
		}
	}
	for i := range 2 * len(paths) {
		get(bases[i%2], i)
	}
	var cpu [2]time.Duration
	var writes, tiles [2]int
	b.ResetTimer()
	i := 0
	for b.Loop() {
		k := i / 200 % 2 // blocks of 200 tiles, each server in turn
		c0, w0 := cpuTime(b), writeCalls(b)
		get(bases[k], i)
		cpu[k] += cpuTime(b) - c0
		writes[k] += writeCalls(b) - w0
		tiles[k]++
		i++
	}
	for k, name := range []string{"plain", "gathered"} {
		if tiles[k] > 0 {
			b.ReportMetric(float64(cpu[k].Microseconds())/float64(tiles[k]), "cpu-us/tile-"+name)
			b.ReportMetric(float64(writes[k])/float64(tiles[k]), "writes/tile-"+name)
		}
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime(t testing.TB) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
