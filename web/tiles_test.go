package web

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/repository"
)

// ask builds a request with headers in pairs.
func ask(method, path string, hdr ...string) *http.Request {
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return req
}

// fastAndRouted answers req twice: by hotTile alone (whether it answered,
// and what it wrote) and through the router, as before the fast path.
func fastAndRouted(srv *Server, req *http.Request) (answered bool, fast, routed *httptest.ResponseRecorder) {
	fast, routed = httptest.NewRecorder(), httptest.NewRecorder()
	answered = srv.hotTile(fast, req.Clone(context.Background()))
	srv.router.ServeHTTP(routed, req.Clone(context.Background()))
	return answered, fast, routed
}

// sameAnswer fails unless two answers have the same status, body and
// headers, but for what differs by request (its identifier).
func sameAnswer(t *testing.T, what string, got, want *httptest.ResponseRecorder) {
	t.Helper()
	strip := func(h http.Header) http.Header {
		h = h.Clone()
		delete(h, RequestIDHeader)
		return h
	}
	if got.Code != want.Code || got.Body.String() != want.Body.String() || !maps.EqualFunc(strip(got.Header()), strip(want.Header()), slices.Equal) {
		t.Errorf("%s: %d, %d bytes, %v; the router: %d, %d bytes, %v", what, got.Code, got.Body.Len(), got.Header(), want.Code, want.Body.Len(), want.Header())
	}
}

// unanswered fails unless hotTile left req alone and wrote nothing.
func unanswered(t *testing.T, what string, answered bool, w *httptest.ResponseRecorder) {
	t.Helper()
	if answered || len(w.Header()) > 0 || w.Body.Len() > 0 || w.Flushed {
		t.Errorf("%s: answered before the router (%v, %v, %d bytes)", what, answered, w.Header(), w.Body.Len())
	}
}

func TestHotTilesAnswerAsTheRouterDoes(t *testing.T) {
	srv, open, _ := noiseEnv(t)
	for _, v := range []string{"2", "3"} {
		tile := "/iiif/" + v + "/" + open + "/256,0,256,256/256,/0/default.jpg"
		// The first answer is made by the router and kept.
		if answered, fast, routed := fastAndRouted(srv, ask("GET", tile)); answered || routed.Code != http.StatusOK {
			t.Fatalf("%s before it was made: answered %v; the router %d", tile, answered, routed.Code)
		} else {
			unanswered(t, tile+" before it was made", answered, fast)
		}
		if srv.images.CacheStats()["responses"].Used == 0 {
			t.Fatalf("%s: no answer kept", tile)
		}
		routed := httptest.NewRecorder()
		srv.router.ServeHTTP(routed, ask("GET", tile))
		for _, req := range []*http.Request{
			ask("GET", tile),
			ask("HEAD", tile),
			ask("GET", tile, "If-None-Match", routed.Header().Get("ETag")),
			ask("GET", tile, "If-None-Match", `"another"`),
			ask("GET", tile, "Cookie", "lang=th"),
			ask("GET", tile, "Accept-Encoding", "gzip"),
		} {
			what := req.Method + " " + tile + " " + req.Header.Get("If-None-Match") + req.Header.Get("Cookie") + req.Header.Get("Accept-Encoding")
			answered, fast, routed := fastAndRouted(srv, req)
			if !answered {
				t.Errorf("%s: left to the router", what)
				continue
			}
			sameAnswer(t, what, fast, routed)
			if fast.Header().Get(RequestIDHeader) == "" {
				t.Errorf("%s: no request identifier", what)
			}
		}
		if ok, w, _ := fastAndRouted(srv, ask("GET", tile, "If-None-Match", routed.Header().Get("ETag"))); !ok || w.Code != http.StatusNotModified || w.Body.Len() > 0 {
			t.Errorf("%s with its ETag: %d, %d bytes", tile, w.Code, w.Body.Len())
		}
		if ok, w, _ := fastAndRouted(srv, ask("GET", tile, RequestIDHeader, "nginx-4f2a9c")); !ok || w.Header().Get(RequestIDHeader) != "nginx-4f2a9c" {
			t.Errorf("%s: a proxy's request id was not kept: %q", tile, w.Header().Get(RequestIDHeader))
		}
	}
}

func TestHotTilesRefuseWhatTheRouterRefuses(t *testing.T) {
	srv, open, closed := noiseEnv(t)
	admin, err := srv.cfg.Store.UserByEmail("admin@example.org")
	if err != nil {
		t.Fatal(err)
	}
	cookie, err := srv.cfg.Store.CreateSession(admin.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	shut := "/iiif/3/" + closed + "/0,0,256,256/256,/0/default.jpg"
	// Made and kept for staff, who may see it.
	if w := (&fixture{srv: srv}).do(t, "GET", shut, "Authorization", "Bearer "+token); w.Code != http.StatusOK {
		t.Fatalf("the restricted tile for staff: %d %s", w.Code, w.Body)
	}
	answered, fast, routed := fastAndRouted(srv, ask("GET", shut))
	unanswered(t, "a restricted tile, anonymously", answered, fast)
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, ask("GET", shut))
	sameAnswer(t, "a restricted tile, anonymously", w, routed)
	if w.Code != http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") == "" || sharedCacheable(w.Header()) {
		t.Errorf("a restricted tile, anonymously: %d %q %q", w.Code, w.Header().Get("WWW-Authenticate"), w.Header().Get("Cache-Control"))
	}
	for _, hdr := range [][]string{{"Authorization", "Bearer " + token}, {"Cookie", "lang=en; " + sessionCookie + "=" + cookie}} {
		answered, fast, _ := fastAndRouted(srv, ask("GET", shut, hdr...))
		unanswered(t, "a restricted tile with "+hdr[0], answered, fast)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, ask("GET", shut, hdr...))
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Cache-Control"), "private") || !strings.Contains(w.Header().Get("Vary"), "Cookie") {
			t.Errorf("a restricted tile with %s: %d %q, Vary %q", hdr[0], w.Code, w.Header().Get("Cache-Control"), w.Header().Get("Vary"))
		}
	}
	// An open tile asked with credentials goes the general way too
	// (identify reads them: a grant's views are recorded there).
	tile := "/iiif/3/" + open + "/0,0,256,256/256,/0/default.jpg"
	srv.ServeHTTP(httptest.NewRecorder(), ask("GET", tile))
	for _, hdr := range [][]string{{"Authorization", "Bearer " + token}, {"Cookie", sessionCookie + "=" + cookie}} {
		answered, fast, routed := fastAndRouted(srv, ask("GET", tile, hdr...))
		unanswered(t, "an open tile with "+hdr[0], answered, fast)
		if routed.Code != http.StatusOK {
			t.Errorf("an open tile with %s: %d", hdr[0], routed.Code)
		}
	}
	// A reduced image's tile, kept for anonymous visitors: answered as the
	// router does, private to each.
	it, err := srv.cfg.Store.Item(strings.TrimSuffix(open, "-1"))
	if err != nil {
		t.Fatal(err)
	}
	it.Access = repository.Access{Level: repository.Reduced}
	if err := srv.cfg.Store.SaveItem(context.Background(), it, "t"); err != nil {
		t.Fatal(err)
	}
	srv.ServeHTTP(httptest.NewRecorder(), ask("GET", tile))
	answered, fast, routed = fastAndRouted(srv, ask("GET", tile))
	if !answered {
		t.Error("a reduced image's tile kept was left to the router")
	}
	sameAnswer(t, "a reduced image's tile", fast, routed)
	if fast.Code != http.StatusOK || !strings.HasPrefix(fast.Header().Get("Cache-Control"), "private") || sharedCacheable(fast.Header()) {
		t.Errorf("a reduced image's tile: %d %q", fast.Code, fast.Header().Get("Cache-Control"))
	}
	// An open tile kept, then its item restricted: the next visitor is
	// refused at once, as by the router.
	it.Access = repository.Access{}
	if err := srv.cfg.Store.SaveItem(context.Background(), it, "t"); err != nil {
		t.Fatal(err)
	}
	srv.ServeHTTP(httptest.NewRecorder(), ask("GET", tile))
	if answered, _, _ := fastAndRouted(srv, ask("GET", tile)); !answered {
		t.Fatal("an open tile kept was left to the router")
	}
	it.Access = repository.Access{Level: repository.Restricted}
	if err := srv.cfg.Store.SaveItem(context.Background(), it, "t"); err != nil {
		t.Fatal(err)
	}
	answered, fast, routed = fastAndRouted(srv, ask("GET", tile))
	unanswered(t, "a tile of an item restricted since", answered, fast)
	if routed.Code != http.StatusUnauthorized {
		t.Errorf("a tile of an item restricted since: %d", routed.Code)
	}
}

func TestHotTilesOfReadingRoomMaterialGoTheGeneralWay(t *testing.T) {
	e := newRoomEnv(t)
	tile := "/iiif/3/" + e.image + "/0,0,256,256/256,/0/default.jpg"
	if w := e.from(inside, tile); w.Code != http.StatusOK {
		t.Fatalf("inside: %d", w.Code)
	}
	for _, remote := range []string{inside, outside} {
		req := ask("GET", tile)
		req.RemoteAddr = remote
		answered, fast, _ := fastAndRouted(e.srv, req)
		unanswered(t, "reading-room tile from "+remote, answered, fast)
	}
	if w := e.from(outside, tile); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), roomNote) {
		t.Errorf("outside: %d %s", w.Code, w.Body)
	}
	if w := e.from(inside, tile); w.Code != http.StatusOK || sharedCacheable(w.Header()) {
		t.Errorf("inside: %d %q", w.Code, w.Header().Get("Cache-Control"))
	}
}

func TestHotTilesLeaveOtherRequestsToTheRouter(t *testing.T) {
	srv, open, _ := noiseEnv(t)
	base := "/iiif/3/" + open + "/"
	for _, p := range []string{"0,0,256,256/256,/0/default.jpg", "full/max/0/default.jpg", "info.json"} {
		srv.ServeHTTP(httptest.NewRecorder(), ask("GET", base+p))
	}
	cases := []struct {
		what string
		req  *http.Request
		want int
	}{
		{"a malformed region", ask("GET", base+"0,0,256/256,/0/default.jpg"), http.StatusBadRequest},
		{"a size not made yet", ask("GET", base+"0,0,256,256/128,/0/default.jpg"), http.StatusOK},
		{"too few parts", ask("GET", base+"0,0,256,256/default.jpg"), http.StatusBadRequest},
		{"an encoded path", ask("GET", base+"0%2C0%2C256%2C256/256,/0/default.jpg"), http.StatusOK},
		{"info.json", ask("GET", base+"info.json"), http.StatusOK},
		{"an unknown image", ask("GET", "/iiif/3/nosuch-1/0,0,256,256/256,/0/default.jpg"), http.StatusNotFound},
		{"a manifest", ask("GET", "/iiif/3/manifest/"+strings.TrimSuffix(open, "-1")), http.StatusOK},
		{"a POST", ask("POST", base+"0,0,256,256/256,/0/default.jpg"), http.StatusMethodNotAllowed},
		{"an OPTIONS", ask("OPTIONS", base+"0,0,256,256/256,/0/default.jpg"), http.StatusNoContent},
		{"a host not answered to", ask("GET", "http://elsewhere.example/iiif/3/"+open+"/0,0,256,256/256,/0/default.jpg"), http.StatusMisdirectedRequest},
	}
	for _, c := range cases {
		answered, fast, routed := fastAndRouted(srv, c.req)
		unanswered(t, c.what, answered, fast)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, c.req.Clone(context.Background()))
		sameAnswer(t, c.what, w, routed)
		if w.Code != c.want {
			t.Errorf("%s: %d %s, want %d", c.what, w.Code, w.Body, c.want)
		}
	}
	// The malformed region says what is wrong with it.
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, ask("GET", base+"0,0,256/256,/0/default.jpg"))
	if !strings.Contains(w.Body.String(), "region") {
		t.Errorf("a malformed region: %q", w.Body)
	}
}

func TestKeptTilesSentWholeAnswerAsTheRouterOnOneConnection(t *testing.T) {
	srv, open, closed := noiseEnv(t)
	addr, writes := servedGathering(t, srv)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rd := bufio.NewReader(conn)
	tile := "/iiif/3/" + open + "/256,0,256,256/256,/0/default.jpg"
	other := "/iiif/2/" + open + "/0,256,256,144/256,/0/default.jpg"
	routed := func(method, path string, hdr ...string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		srv.router.ServeHTTP(w, ask(method, "http://"+addr+path, hdr...))
		return w
	}
	etag := routed("GET", tile).Header().Get("ETag")
	routed("GET", other)
	cases := []struct {
		method, path string
		hdr          []string
		whole        bool // sent whole: one write, the server's own header dropped
	}{
		{"GET", tile, nil, true},
		{"GET", other, nil, true},
		{"HEAD", tile, nil, false},
		{"GET", tile, []string{"If-None-Match", etag}, false},
		{"GET", "/iiif/3/" + closed + "/0,0,256,256/256,/0/default.jpg", nil, false},
		{"GET", "/iiif/3/" + open + "/0,0,256/256,/0/default.jpg", nil, false},
		{"GET", tile, []string{RequestIDHeader, "nginx-77"}, true},
		{"GET", other, nil, true},
	}
	ask := func(c struct {
		method, path string
		hdr          []string
		whole        bool
	}) {
		fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\n", c.method, c.path, addr)
		for i := 0; i+1 < len(c.hdr); i += 2 {
			fmt.Fprintf(conn, "%s: %s\r\n", c.hdr[i], c.hdr[i+1])
		}
		fmt.Fprint(conn, "\r\n")
	}
	check := func(c struct {
		method, path string
		hdr          []string
		whole        bool
	}) {
		t.Helper()
		resp, body := readAnswer(t, rd, c.method)
		sameAsRouted(t, srv, addr, c.method+" "+c.path, resp, body, c.method, c.path, c.hdr)
	}
	for _, c := range cases {
		before := writes.Load()
		ask(c)
		check(c)
		if n := writes.Load() - before; c.whole && n != 1 {
			t.Errorf("%s %s: %d writes, want 1", c.method, c.path, n)
		}
	}
	// Asked all at once (pipelined), answered in order.
	for _, c := range cases {
		ask(c)
	}
	for _, c := range cases {
		check(c)
	}
	// A client that ends the connection is answered by the server's own
	// header, which says so.
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", tile, addr)
	resp, err := http.ReadResponse(rd, nil)
	if err != nil || resp.StatusCode != http.StatusOK || !resp.Close {
		t.Fatalf("with Connection: close: %v %v", resp, err)
	}
	resp.Body.Close()
}

// sameAsRouted fails unless an answer read over TCP is the router's to the
// same request, but for its Date and identifier, which it has (a proxy's
// identifier kept).
func sameAsRouted(t *testing.T, srv *Server, addr, what string, resp *http.Response, body []byte, method, path string, hdr []string) {
	t.Helper()
	want := httptest.NewRecorder()
	srv.router.ServeHTTP(want, ask(method, "http://"+addr+path, hdr...))
	got, exp := resp.Header.Clone(), want.Header().Clone()
	for _, h := range []http.Header{got, exp} {
		delete(h, "Date")
		delete(h, RequestIDHeader)
	}
	if _, ok := exp["Content-Length"]; !ok {
		delete(got, "Content-Length") // the server's own, of an answer the router made
	}
	if resp.StatusCode != want.Code || !bytes.Equal(body, want.Body.Bytes()) || !maps.EqualFunc(got, exp, slices.Equal) {
		t.Errorf("%s %v: %d, %d bytes, %v; the router: %d, %d bytes, %v", what, hdr, resp.StatusCode, len(body), got, want.Code, want.Body.Len(), exp)
	}
	if resp.Header.Get("Date") == "" || resp.Header.Get(RequestIDHeader) == "" {
		t.Errorf("%s: Date %q, request %q", what, resp.Header.Get("Date"), resp.Header.Get(RequestIDHeader))
	}
	if len(hdr) > 0 && hdr[0] == RequestIDHeader && resp.Header.Get(RequestIDHeader) != hdr[1] {
		t.Errorf("%s: a proxy's request id was not kept: %q", what, resp.Header.Get(RequestIDHeader))
	}
}

func TestAConnectionEndsWhenTheServerWritesMoreThanAnEmptyAnswerAfterAWholeOne(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	got := make(chan []byte)
	go func() { all, _ := io.ReadAll(b); got <- all }()
	g := &gatherConn{Conn: a}
	g.answer([]byte("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"), "r-1", time.Now(), []byte("body"))
	if _, err := g.Write([]byte("HTTP/1.1 200 OK\r\nDate: x\r\nContent-Length: 0\r\n\r\n")); err != nil {
		t.Fatalf("the server's header of an empty answer: %v", err)
	}
	g.answer([]byte("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"), "r-2", time.Now(), []byte("more"))
	if _, err := g.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")); err == nil {
		t.Fatal("more than an empty answer was written after a whole one")
	}
	all := string(<-got)
	if strings.Count(all, "HTTP/1.1 200 OK") != 2 || !strings.HasSuffix(all, "\r\n\r\nmore") || strings.Contains(all, "abc") || strings.Contains(all, "Date: x") {
		t.Fatalf("the client read %q", all)
	}
}

func TestAnAnswerWithALineBreakInAHeaderIsNotSentWhole(t *testing.T) {
	srv, _, _ := noiseEnv(t)
	plain := &imageapi.Response{ContentType: "image/jpeg", ETag: `"a"`, CacheControl: "public, max-age=60", Data: []byte("jpeg")}
	broken := &imageapi.Response{ContentType: "image/jpeg", ETag: "\"a\"\r\nX-Injected: 1", CacheControl: "public, max-age=60", Data: []byte("jpeg")}
	if head := string(srv.wholeHead(plain)); !strings.HasPrefix(head, "HTTP/1.1 200 OK\r\n") || !strings.Contains(head, "\r\nEtag: \"a\"\r\n") || !strings.Contains(head, "\r\nContent-Length: 4\r\n") {
		t.Errorf("the header made for a plain answer: %q", head)
	}
	if head := srv.wholeHead(broken); len(head) != 0 {
		t.Errorf("a value with a line break was written as it is: %q", head)
	}
}
