package web

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/iiif/imageapi"
)

// A viewer asks for tiles by the hundred, and on a busy server the router
// and the general middleware chain were a seventh of a stored tile's cost.
// hotTile answers the common case before them: an anonymous visitor asking
// for an image answer already made and kept, that the image service gives
// anonymous visitors. It applies what the chain would (request identifier,
// metrics, host check, common headers, CORS) and the same access decision
// and cache policy, through the image service; anything else, or anything
// it is not sure of, goes the general way, which says precisely what is
// wrong.

// tileRoutes are the route patterns the metrics name IIIF images by, as
// the router's own (observe reports c.FullPath()).
var tileRoutes = [4]string{2: "/iiif/2/:id/*rest", 3: "/iiif/3/:id/*rest"}

// hotTile answers r when it is an anonymous request for a kept image
// answer that anonymous visitors may have, and reports whether it did;
// when it did not, it has written nothing.
func (s *Server) hotTile(w http.ResponseWriter, r *http.Request) bool {
	start := time.Now()
	if r.Method != http.MethodGet && r.Method != http.MethodHead || r.URL.RawPath != "" || r.ContentLength != 0 || !s.anonymous(r) {
		return false
	}
	v, resp := s.keptTile(r.URL.Path, r.Host)
	if resp == nil {
		return false
	}
	defer s.recoverTile(w, r)
	status := http.StatusOK
	g, head := gatherOf(r.Context()), []byte(nil)
	if g != nil && wholeAnswer(r) && !notModified(r, resp) {
		head = s.wholeHead(resp)
	}
	if len(head) > 0 {
		g.answer(head, s.requestIDOf(r), start, resp.Data)
	} else {
		h := w.Header()
		h[RequestIDHeader] = []string{s.requestIDOf(r)}
		s.tileHeader(h)
		status = writeImage(w, r, http.StatusOK, resp)
	}
	if s.cfg.Observer != nil {
		s.cfg.Observer.Request(r.Method, tileRoutes[v], status, time.Since(start))
	}
	return true
}

// tileHeader sets what the middleware chain and cors set in h.
func (s *Server) tileHeader(h http.Header) {
	s.commonHeaders(h)
	corsHeaders(h)
}

// wholeHead is the header of a kept image answer sent whole, but for the
// request's identifier and the Date: the status line and the lines of the
// headers tileHeader and writeImage set, made once per answer. It is
// empty when a value cannot be written as it is (net/http would rewrite
// it): that answer goes through the server's own header. (What the server
// adds is the same for all its answers, and one server answers for an
// image service.)
func (s *Server) wholeHead(resp *imageapi.Response) []byte {
	if p := resp.Head.Load(); p != nil {
		return *p
	}
	h := http.Header{}
	s.tileHeader(h)
	imageHeader(h, resp)
	bodyHeader(h, resp.ContentType, len(resp.Data))
	head, ok := []byte("HTTP/1.1 200 OK\r\n"), true
	for _, k := range slices.Sorted(maps.Keys(h)) { // in the same order for every tile
		for _, v := range h[k] {
			ok = ok && !strings.ContainsAny(v, "\r\n\x00")
			head = append(append(append(append(head, k...), ": "...), v...), "\r\n"...)
		}
	}
	if !ok {
		head = []byte{}
	}
	resp.Head.Store(&head)
	return head
}

// recoverTile answers a panic of hotTile as recover does one of the chain.
func (s *Server) recoverTile(w http.ResponseWriter, r *http.Request) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
	s.cfg.Log.ErrorContext(r.Context(), "panic", "path", r.URL.Path, "panic", p)
	noStoreHeader(w.Header())
	http.Error(w, "internal error; it has been logged", http.StatusInternalServerError)
}

// keptTile is the kept answer to an anonymous visitor's GET of path (not
// encoded) on host, with its Image API version, when the image service
// has one and gives it to anonymous visitors; nil otherwise.
func (s *Server) keptTile(path, host string) (int, *imageapi.Response) {
	v, id, rest, ok := tilePath(path)
	if !ok || !s.knownHost(host) || s.cfg.Log.Enabled(context.Background(), slog.LevelDebug) {
		return 0, nil
	}
	// The image's base URI, as iiifImage makes it: the identifier needs no
	// escaping (ValidID).
	call := imageapi.Call{Version: v, ID: id, Base: s.baseOfHost(host) + path[:len("/iiif/3/")+len(id)], Raw: rest}
	// The zero principal stands for every anonymous visitor: what identify
	// adds for one is where they ask from, which only reading-room
	// material depends on, and that is refused to the zero principal
	// (access.Decide), so it goes the general way with every refusal.
	resp, err := s.images.Hot(access.Principal{}, call)
	if err != nil {
		return 0, nil
	}
	return v, resp
}

// tilePath splits an image request's path, /iiif/{v}/{id}/{rest}, when it
// has the form the router gives the image handler plainly: an image
// identifier, an image after it (not info.json, which varies by what is
// accepted).
func tilePath(path string) (v int, id, rest string, ok bool) {
	p, ok3 := strings.CutPrefix(path, "/iiif/3/")
	v = 3
	if !ok3 {
		if p, ok = strings.CutPrefix(path, "/iiif/2/"); !ok {
			return 0, "", "", false
		}
		v = 2
	}
	id, rest, ok = strings.Cut(p, "/")
	if !ok || !imageapi.ValidID(id) || id == "manifest" || id == "collection" || id == "search" || id == "autocomplete" || !isImagePath(rest) {
		return 0, "", "", false
	}
	return v, id, rest, true
}

// anonymous reports whether r carries no credentials identify would read
// (a request with any session cookie goes the general way, even one that
// has ended).
func (s *Server) anonymous(r *http.Request) bool {
	if _, ok := r.Header["Authorization"]; ok {
		return false
	}
	for _, c := range r.Header["Cookie"] {
		if strings.Contains(c, sessionCookie) {
			return false
		}
	}
	return true
}

// knownHost reports whether checkHost would let a request for host through
// without a second look: a public address is configured, or host was
// accepted.
func (s *Server) knownHost(host string) bool {
	if s.cfg.BaseURL != "" {
		return true
	}
	_, ok := s.hosts.Load(host)
	return ok
}
