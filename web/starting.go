package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// Starting answers on the service's address while it gets ready (above all
// while it rebuilds a lost metadata store from storage, which takes minutes
// for a large archive): /healthz says the process is alive, /readyz answers
// 503 saying what it is doing and how far it has come, and every other
// request 503 with Retry-After. Once Ready, every request goes to the
// service. Its zero value is starting.
type Starting struct {
	next     atomic.Pointer[http.Handler]
	tiles    atomic.Pointer[Server]
	progress atomic.Pointer[startProgress]
}

// startProgress is how far a rebuild at start has come: Done of Total
// records or entries of its Stage.
type startProgress struct {
	Stage       string
	Done, Total int
}

// Rebuilding records how far the rebuild of the metadata store has come.
func (s *Starting) Rebuilding(stage string, done, total int) {
	s.progress.Store(&startProgress{Stage: stage, Done: done, Total: total})
}

// Ready hands every request to h from now on, and lets tiles (the Server
// h ends in, or nil) answer kept tiles on the connection.
func (s *Starting) Ready(h http.Handler, tiles *Server) {
	s.next.Store(&h)
	s.tiles.Store(tiles)
}

// answerEarly answers as the ready server does on the connection; nothing
// before.
func (s *Starting) answerEarly(g *gatherConn, q *earlyRequest) bool {
	if t := s.tiles.Load(); t != nil {
		return t.answerEarly(g, q)
	}
	return false
}

// ServeHTTP answers as the service once it is ready, and as a service
// starting before.
func (s *Starting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := s.next.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	noStoreHeader(w.Header())
	p := s.progress.Load()
	switch r.URL.Path {
	case "/healthz":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
		return
	case "/readyz":
		res := map[string]any{"metadata": "starting"}
		if p != nil {
			res = map[string]any{"metadata": "rebuilding", "stage": p.Stage, "done": p.Done, "total": p.Total}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(res)
		return
	}
	lang := langOf(r)
	msg := t(lang, "starting_wait")
	retry := "5"
	if p != nil {
		pct := 0
		if p.Total > 0 {
			pct = 100 * p.Done / p.Total
		}
		msg = strings.NewReplacer("{1}", t(lang, "starting_stage_"+p.Stage), "{2}", strconv.Itoa(pct)).Replace(t(lang, "starting_rebuilding"))
		retry = "60"
	}
	w.Header().Set("Retry-After", retry)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write([]byte(msg + "\n"))
}
