package web

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// earlyServed serves srv as the command does (the starting gate, ready, on
// gathering connections under hs's timeouts). Requests under /test/ go to
// extra; given counts the requests net/http gave a handler.
func earlyServed(t *testing.T, srv *Server, hs *http.Server, extra http.Handler) (addr string, given *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	given = &atomic.Int64{}
	gate := &Starting{}
	gate.Ready(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		given.Add(1)
		if strings.HasPrefix(r.URL.Path, "/test/") {
			extra.ServeHTTP(w, r)
			return
		}
		srv.ServeHTTP(w, r)
	}), srv)
	hs.Handler, hs.ConnContext = gate, GatherContext
	go hs.Serve(GatherListener(ln, hs))
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String(), given
}

// routeRecorder keeps the routes the metrics were told of.
type routeRecorder struct {
	mu     sync.Mutex
	routes []string
}

func (r *routeRecorder) Request(method, route string, status int, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes = append(r.routes, fmt.Sprint(method, " ", route, " ", status))
}

// readAnswer reads one answer on rd, its body whole.
func readAnswer(t *testing.T, rd *bufio.Reader, method string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, "/", nil)
	resp, err := http.ReadResponse(rd, req)
	if err != nil {
		t.Fatalf("reading an answer to %s: %v", method, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("reading an answer to %s: %v", method, err)
	}
	return resp, body
}

// dialRaw opens a connection to addr for raw requests.
func dialRaw(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, bufio.NewReader(conn)
}

// keptTilePath is the path of a tile of image, asked once through the router
// so that it is kept.
func keptTilePath(srv *Server, addr, image string) string {
	tile := "/iiif/3/" + image + "/256,0,256,256/256,/0/default.jpg"
	srv.router.ServeHTTP(httptest.NewRecorder(), ask("GET", "http://"+addr+tile))
	return tile
}

// getTile asks for tile on conn and fails unless it is answered 200.
func getTile(t *testing.T, conn net.Conn, rd *bufio.Reader, addr, tile string) {
	t.Helper()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", tile, addr)
	if resp, _ := readAnswer(t, rd, "GET"); resp.StatusCode != http.StatusOK {
		t.Fatalf("tile: %d", resp.StatusCode)
	}
}

// endsWithin fails unless the server ends the connection rd reads, without
// an answer, within limit.
func endsWithin(t *testing.T, rd *bufio.Reader, limit time.Duration, what string) {
	t.Helper()
	begun := time.Now()
	if _, err := rd.ReadByte(); err == nil {
		t.Fatalf("%s: answered", what)
	}
	if d := time.Since(begun); d > limit {
		t.Errorf("%s held the connection %v, want at most %v", what, d, limit)
	}
}

func TestKeptTilesAreAnsweredOnTheConnectionAsTheRouterAnswersThem(t *testing.T) {
	srv, open, closed := noiseEnv(t)
	metrics := &routeRecorder{}
	srv.cfg.Observer = metrics
	addr, given := earlyServed(t, srv, &http.Server{}, nil)
	tile := "/iiif/3/" + open + "/256,0,256,256/256,/0/default.jpg"
	v2 := "/iiif/2/" + open + "/0,256,256,144/256,/0/default.jpg"
	routed := func(method, path string, hdr ...string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		srv.router.ServeHTTP(w, ask(method, "http://"+addr+path, hdr...))
		return w
	}
	etag := routed("GET", tile).Header().Get("ETag")
	routed("GET", v2)
	closedTile := "/iiif/3/" + closed + "/0,0,256,256/256,/0/default.jpg"
	conn, rd := dialRaw(t, addr)
	cases := []struct {
		what, method, path string
		hdr                []string
		early              bool // answered on the connection, net/http not told
	}{
		{"a tile", "GET", tile, nil, true},
		{"an Image API 2 tile", "GET", v2, nil, true},
		{"a proxy's request id", "GET", tile, []string{RequestIDHeader, "nginx-77"}, true},
		{"a cookie that is not a session", "GET", tile, []string{"Cookie", "lang=th"}, true},
		{"kept alive in words", "GET", tile, []string{"Connection", "keep-alive"}, true},
		{"info.json", "GET", "/iiif/3/" + open + "/info.json", nil, false},
		{"a restricted tile", "GET", closedTile, nil, false},
		{"HEAD", "HEAD", tile, nil, false},
		{"a condition", "GET", tile, []string{"If-None-Match", etag}, false},
		{"a range", "GET", tile, []string{"Range", "bytes=0-9"}, false},
		{"credentials", "GET", tile, []string{"Authorization", "Bearer nonsense"}, false},
		{"a session cookie", "GET", tile, []string{"Cookie", sessionCookie + "=x"}, false},
		{"an encoded path", "GET", strings.Replace(tile, "default", "%64efault", 1), nil, false},
		{"a query", "GET", tile + "?x=1", nil, false},
		{"a tile again", "GET", tile, nil, true},
	}
	send := func(method, path string, hdr []string) {
		fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, addr)
		for i := 0; i+1 < len(hdr); i += 2 {
			fmt.Fprintf(conn, "%s: %s\r\n", hdr[i], hdr[i+1])
		}
		fmt.Fprint(conn, "\r\n")
	}
	for _, c := range cases {
		before := given.Load()
		send(c.method, c.path, c.hdr)
		resp, body := readAnswer(t, rd, c.method)
		sameAsRouted(t, srv, addr, c.what, resp, body, c.method, c.path, c.hdr)
		if early := given.Load() == before; early != c.early {
			t.Errorf("%s: answered on the connection %v, want %v", c.what, early, c.early)
		}
	}
	metrics.mu.Lock()
	if n := strings.Count(strings.Join(metrics.routes, "\n"), "GET /iiif/3/:id/*rest 200"); n < 5 {
		t.Errorf("the metrics were told of %d tiles of Image API 3: %q", n, metrics.routes)
	}
	metrics.mu.Unlock()

	// A request that comes a byte at a time is answered when it is whole.
	before := given.Load()
	req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", tile, addr)
	for i := range len(req) {
		if _, err := conn.Write([]byte{req[i]}); err != nil {
			t.Fatal(err)
		}
	}
	if resp, body := readAnswer(t, rd, "GET"); resp.StatusCode != http.StatusOK || !bytes.Equal(body, routed("GET", tile).Body.Bytes()) || given.Load() != before {
		t.Errorf("a tile asked a byte at a time: %d, %d bytes, given to net/http %v", resp.StatusCode, len(body), given.Load() != before)
	}

	// HTTP/1.0 and Connection: close are net/http's, which ends the
	// connection.
	send("GET", tile, []string{"Connection", "close"})
	if resp, _ := readAnswer(t, rd, "GET"); resp.StatusCode != http.StatusOK || !resp.Close || given.Load() != before+1 {
		t.Errorf("Connection: close: %d, closed %v, given to net/http %v", resp.StatusCode, resp.Close, given.Load() != before)
	}
	if _, err := rd.ReadByte(); err != io.EOF {
		t.Errorf("after Connection: close the connection is open: %v", err)
	}
}

func TestAConnectionAnsweringEarlyKeepsTheOrderOfWhatNetHTTPAnswers(t *testing.T) {
	srv, open, _ := noiseEnv(t)
	extra := http.NewServeMux()
	extra.HandleFunc("GET /test/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond)
		io.WriteString(w, "slow")
	})
	extra.HandleFunc("POST /test/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Write(body)
	})
	addr, given := earlyServed(t, srv, &http.Server{}, extra)
	tile := keptTilePath(srv, addr, open)
	want := httptest.NewRecorder()
	srv.router.ServeHTTP(want, ask("GET", "http://"+addr+tile))
	conn, rd := dialRaw(t, addr)
	get := func(path string) string { return fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, addr) }
	// All at once: a tile, a slow answer of net/http's (the tile after it
	// is in hand before that answer is written), then a body, after which
	// the connection is net/http's as it comes.
	all := get(tile) + get("/test/slow") + get(tile) + get(tile) +
		fmt.Sprintf("POST /test/echo HTTP/1.1\r\nHost: %s\r\nContent-Length: 5\r\n\r\nhello", addr) + get(tile) + get(tile)
	if _, err := io.WriteString(conn, all); err != nil {
		t.Fatal(err)
	}
	for i, exp := range []string{"tile", "slow", "tile", "tile", "hello", "tile", "tile"} {
		method := "GET"
		if exp == "hello" {
			method = "POST"
		}
		resp, body := readAnswer(t, rd, method)
		if exp == "tile" && !bytes.Equal(body, want.Body.Bytes()) || exp != "tile" && string(body) != exp || resp.StatusCode != http.StatusOK {
			t.Fatalf("answer %d: %d, %.20q; want %s", i, resp.StatusCode, body, exp)
		}
	}
	// net/http answered the slow one, the echo and the two tiles after
	// the body; the connection answered the first three tiles.
	if n := given.Load(); n != 4 {
		t.Errorf("net/http was given %d requests, want 4", n)
	}
}

func TestAConnectionAnsweringEarlyKeepsTheServersTimeouts(t *testing.T) {
	srv, open, _ := noiseEnv(t)
	alive := make(chan error, 1)
	extra := http.NewServeMux()
	extra.HandleFunc("GET /test/alive", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			alive <- r.Context().Err()
		case <-time.After(200 * time.Millisecond):
			alive <- nil
		}
	})
	hs := &http.Server{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 400 * time.Millisecond, IdleTimeout: 1500 * time.Millisecond}
	addr, _ := earlyServed(t, srv, hs, extra)
	tile := keptTilePath(srv, addr, open)
	conn, rd := dialRaw(t, addr)
	// Tiles asked for longer than the header and request timeouts, on the
	// connection's first read: it stays open, as a busy viewer's does.
	for start := time.Now(); time.Since(start) < time.Second; time.Sleep(50 * time.Millisecond) {
		getTile(t, conn, rd, addr, tile)
	}
	// A request net/http answers after them is not cut short by its
	// deadlines counted from when it began to read.
	fmt.Fprintf(conn, "GET /test/alive HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	readAnswer(t, rd, "GET")
	if err := <-alive; err != nil {
		t.Fatalf("the request after a second of tiles was cancelled: %v", err)
	}
	// Idle, the connection ends after the idle timeout, not before.
	idle := time.Now()
	endsWithin(t, rd, 10*time.Second, "an idle connection")
	if d := time.Since(idle); d < time.Second {
		t.Errorf("the idle connection ended after %v, want the idle timeout (1.5 s)", d)
	}

	// A request begun and not finished after a tile ends the connection
	// after the header's timeout.
	conn2, rd2 := dialRaw(t, addr)
	getTile(t, conn2, rd2, addr, tile)
	fmt.Fprintf(conn2, "GET %s HTTP/1.1\r\nHo", tile)
	endsWithin(t, rd2, 1200*time.Millisecond, "a header begun and not finished")
}

func TestARequestReadAsItComesAfterEarlyAnswersIsTimedFromWhenItCame(t *testing.T) {
	srv, open, _ := noiseEnv(t)
	extra := http.NewServeMux()
	extra.HandleFunc("POST /test/echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Write(body)
	})
	hs := &http.Server{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 600 * time.Millisecond, IdleTimeout: 3 * time.Second}
	addr, _ := earlyServed(t, srv, hs, extra)
	tile := keptTilePath(srv, addr, open)
	// Tiles for longer than the request timeout on the connection's first
	// read, then a body that comes after its header: it is read whole.
	conn, rd := dialRaw(t, addr)
	for start := time.Now(); time.Since(start) < time.Second; time.Sleep(50 * time.Millisecond) {
		getTile(t, conn, rd, addr, tile)
	}
	fmt.Fprintf(conn, "POST /test/echo HTTP/1.1\r\nHost: %s\r\nContent-Length: 5\r\n\r\n", addr)
	time.Sleep(50 * time.Millisecond)
	io.WriteString(conn, "hello")
	if resp, body := readAnswer(t, rd, "POST"); resp.StatusCode != http.StatusOK || string(body) != "hello" {
		t.Errorf("a body after a second of tiles: %d %q", resp.StatusCode, body)
	}
	// A request read as it comes (a bare LF) begun after a tile and never
	// finished ends the connection after the header's timeout, not the
	// idle one.
	conn2, rd2 := dialRaw(t, addr)
	getTile(t, conn2, rd2, addr, tile)
	io.WriteString(conn2, "GET / HTTP/1.1\nHost: x\n")
	endsWithin(t, rd2, 2*time.Second, "a header begun and not finished, read as it comes")
}

func TestShutdownDoesNotWaitForAClientThatDoesNotRead(t *testing.T) {
	srv, open, _ := noiseEnv(t)
	extra := http.NewServeMux()
	extra.HandleFunc("GET /test/hello", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
	hs := &http.Server{WriteTimeout: 30 * time.Second}
	addr, given := earlyServed(t, srv, hs, extra)
	tile := keptTilePath(srv, addr, open)
	conn, rd := dialRaw(t, addr)
	conn.(*net.TCPConn).SetReadBuffer(4 << 10)
	fmt.Fprintf(conn, "GET /test/hello HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	readAnswer(t, rd, "GET")
	// Thousands of tiles asked and none read: the server's write blocks.
	many := strings.Repeat(fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", tile, addr), 3000)
	go io.WriteString(conn, many)
	for before := given.Load(); ; runtimeYield() {
		if n, _ := rd.Peek(1); len(n) > 0 && given.Load() == before {
			break
		}
	}
	time.Sleep(200 * time.Millisecond) // the server's send buffer fills
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := hs.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the shutdown waited %v for a client that does not read", d)
	}
}

func TestShutdownEndsAConnectionThatAnsweredEarlyAndANetHTTPRequestSeesItsClientLeave(t *testing.T) {
	srv, open, _ := noiseEnv(t)
	left := make(chan error, 1)
	extra := http.NewServeMux()
	extra.HandleFunc("GET /test/wait", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			left <- nil
		case <-time.After(10 * time.Second):
			left <- errors.New("the handler did not see its client leave in 10 s")
		}
	})
	hs := &http.Server{}
	addr, given := earlyServed(t, srv, hs, extra)
	tile := keptTilePath(srv, addr, open)

	// A client that leaves while net/http answers it, after a tile.
	conn, rd := dialRaw(t, addr)
	getTile(t, conn, rd, addr, tile)
	fmt.Fprintf(conn, "GET /test/wait HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	for given.Load() == 0 {
		runtimeYield()
	}
	conn.Close()
	if err := <-left; err != nil {
		t.Fatal(err)
	}

	// A connection waiting for its next request after a tile is ended by
	// a shutdown, which does not wait for it.
	conn2, rd2 := dialRaw(t, addr)
	getTile(t, conn2, rd2, addr, tile)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	endsWithin(t, rd2, time.Second, "a connection after the shutdown")
}

// runtimeYield lets the server's goroutines run while a test waits for
// what it can observe.
func runtimeYield() { time.Sleep(time.Millisecond) }

func TestParseEarlySaysWhatARequestIs(t *testing.T) {
	tile := "GET /iiif/3/a/0,0,256,256/256,/0/default.jpg HTTP/1.1\r\nHost: h\r\n"
	cases := []struct {
		in   string
		kind int
	}{
		{"", partRequest},
		{"GE", partRequest},
		{tile, partRequest},
		{tile + "\r\n", earlyKind},
		{tile + "\r\nGET /next", earlyKind},
		{tile + "Accept: image/*\r\nUser-Agent: a b c\r\n\r\n", earlyKind},
		{tile + "Content-Length: 0\r\n\r\n", earlyKind},
		{tile + "X-Request-Id: bad id!\r\nX-Request-Id: good-1\r\n\r\n", earlyKind},
		{tile + "Host: h\r\n\r\n", givenKind},
		{"GET /iiif/3/a/full/max/0/default.jpg HTTP/1.1\r\n\r\n", givenKind},
		{"GET /iiif/3/a/full/max/0/default.jpg HTTP/1.0\r\nHost: h\r\n\r\n", givenKind},
		{"HEAD /iiif/3/a/full/max/0/default.jpg HTTP/1.1\r\nHost: h\r\n\r\n", givenKind},
		{"GET /x?y HTTP/1.1\r\nHost: h\r\n\r\n", givenKind},
		{"GET http://h/x HTTP/1.1\r\nHost: h\r\n\r\n", givenKind},
		{tile + "Connection: close\r\n\r\n", givenKind},
		{tile + "X-A: a\x01b\r\n\r\n", givenKind},
		{"GET / HTTP/1.1\r\nHost: h/\r\n\r\n", givenKind},
		{tile + "Content-Length: 5\r\n\r\nhello", throughKind},
		{tile + "Transfer-Encoding: chunked\r\n\r\n", throughKind},
		{tile + "Upgrade: websocket\r\n\r\n", throughKind},
		{tile + "Expect: 100-continue\r\n\r\n", throughKind},
		{tile + " folded\r\n\r\n", throughKind},
		{tile + "Bad Name: x\r\n\r\n", throughKind},
		{"GET /x HTTP/1.1\nHost: h\n\n", throughKind},
		{"GET /x HTTP/1.1\r\nHost: h\n\r\n", throughKind},
		{"\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n", throughKind},
		{" GET /x HTTP/1.1\r\n\r\n", throughKind},
		{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", throughKind},
		{"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", throughKind},
		{tile + "Cookie: " + strings.Repeat("a", maxEarly), throughKind},
	}
	for _, c := range cases {
		var q earlyRequest
		size, kind := parseEarly([]byte(c.in), &q)
		if kind != c.kind {
			t.Errorf("%q: kind %d, want %d", c.in, kind, c.kind)
		}
		if kind == earlyKind && (size != strings.Index(c.in, "\r\n\r\n")+4 || q.path != "/iiif/3/a/0,0,256,256/256,/0/default.jpg" || q.host != "h" || q.id != "") {
			t.Errorf("%q: %d bytes, %+v", c.in, size, q)
		}
	}
}
