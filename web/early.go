package web

import (
	"bytes"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Answering on the connection: even with nothing of ours in the way
// (hotTile), net/http spends more on a stored tile than the kernel's send:
// reading and parsing the request into a map, a context, a goroutine that
// watches for the client leaving, deadlines, the empty answer's header. A
// gathering connection whose server can answer kept tiles reads the
// requests itself: an anonymous GET of a kept public tile, in the plainest
// form, is answered there, header and body in one system call; every
// other request is given to net/http, whole and alone, and the connection
// waits for its answer before it reads on. What it cannot delimit for
// certain (a body, an upgrade, a line ending in a bare LF, a header longer
// than net/http's buffer) makes it give net/http the rest of the
// connection as it comes.

// earlyAnswerer answers, on the connection, a request read before net/http
// saw it, and reports whether it did; when it did not, nothing was written.
type earlyAnswerer interface {
	answerEarly(g *gatherConn, q *earlyRequest) bool
}

// earlyRequest is what a connection read of a request it may answer: a GET
// of HTTP/1.1, kept alive, with no credentials, no conditions and no range.
type earlyRequest struct {
	path, host, id string
}

// maxEarly bounds a request read before net/http: its reader's buffer.
const maxEarly = 4 << 10

// earlyIns hold what a connection read and has not yet answered or given.
var earlyIns = sync.Pool{New: func() any { return new([maxEarly]byte) }}

// The kinds of what starts a connection's input.
const (
	partRequest = iota // not yet a whole request header
	earlyKind          // a request the connection may answer (q is filled)
	givenKind          // a request without a body, for net/http
	throughKind        // what net/http reads from here on, as it comes
)

// parseEarly looks at the request at the start of b: its kind and, when its
// header is whole, its length. What cannot be delimited for certain is
// throughKind; a request net/http would refuse is givenKind (net/http
// answers it with its own message).
func parseEarly(b []byte, q *earlyRequest) (int, int) {
	sp := bytes.IndexByte(b, ' ')
	method := b
	if sp >= 0 {
		method = b[:sp]
	}
	if sp == 0 || len(method) > 16 || len(method) > 0 && !upperToken(method) {
		return 0, throughKind // not a request line: TLS, garbage
	}
	end := bytes.Index(b, []byte("\r\n\r\n"))
	head, size := b, 0
	if end >= 0 {
		head, size = b[:end], end+4
	}
	for i, c := range head {
		if c == '\n' && (i == 0 || head[i-1] != '\r') {
			return 0, throughKind // net/http also ends a line at a bare LF
		}
	}
	if end < 0 && len(b) >= maxEarly {
		return 0, throughKind
	}
	if end < 0 {
		return 0, partRequest
	}
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	_, line, _ = bytes.Cut(line, []byte(" "))
	target, proto, _ := bytes.Cut(line, []byte(" "))
	if string(method) == "PRI" {
		return 0, throughKind // HTTP/2's preface
	}
	ok := string(method) == http.MethodGet && string(proto) == "HTTP/1.1" && plainTarget(target)
	hosts, idSeen := 0, false
	*q = earlyRequest{path: string(target)}
	for len(rest) > 0 {
		var h []byte
		h, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, found := bytes.Cut(h, []byte(":"))
		if !found || len(name) == 0 || !fieldName(name) {
			return 0, throughKind // a folded line or a name net/http refuses
		}
		value = bytes.Trim(value, " \t")
		var low [20]byte // the names below, in lower case, without an allocation
		n := 0
		if len(name) <= len(low) {
			for i, c := range name {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				low[i] = c
			}
			n = len(name)
		}
		switch string(low[:n]) {
		case "content-length":
			if string(value) != "0" {
				return 0, throughKind
			}
		case "transfer-encoding", "upgrade", "expect":
			return 0, throughKind
		case "host":
			hosts++
			q.host = string(value)
			ok = ok && plainHost(value)
		case "x-request-id":
			if !idSeen && validRequestID(string(value)) {
				q.id = string(value) // the first, as requestIDOf takes it
			}
			idSeen = true
		case "connection":
			ok = ok && bytes.EqualFold(value, []byte("keep-alive"))
		case "authorization", "range", "if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range":
			ok = false
		case "cookie":
			ok = ok && !bytes.Contains(value, []byte(sessionCookie))
		}
		ok = ok && plainValue(value)
	}
	if ok && hosts == 1 {
		return size, earlyKind
	}
	return size, givenKind
}

func upperToken(b []byte) bool {
	for _, c := range b {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return len(b) > 0
}

// fieldName reports whether b is a header name net/http accepts.
func fieldName(b []byte) bool {
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), c) >= 0) {
			return false
		}
	}
	return true
}

// plainTarget reports whether a request target is a path that means the
// same encoded and decoded, with no query: what hotTile answers.
func plainTarget(b []byte) bool {
	if len(b) == 0 || b[0] != '/' {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || bytes.IndexByte([]byte("/,.!:-_^~"), c) >= 0) {
			return false
		}
	}
	return true
}

func plainHost(b []byte) bool {
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || bytes.IndexByte([]byte(".-:[]"), c) >= 0) {
			return false
		}
	}
	return len(b) > 0
}

// plainValue reports whether a header value has no control characters.
func plainValue(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// Read gives net/http what it reads. On a connection that answers early,
// that is one request at a time, the ones it answered left out.
func (g *gatherConn) Read(p []byte) (int, error) {
	switch {
	case g.early == nil:
		return g.Conn.Read(p)
	case g.through:
		if len(g.pending) > 0 {
			n := copy(p, g.pending)
			g.consume(n)
			return n, nil
		}
		return g.Conn.Read(p)
	case g.busy && len(p) == 1:
		// net/http's read while it answers, which watches for the client
		// leaving: what comes is kept for the next request.
		if len(g.pending) > 0 {
			return 0, nil
		}
		_, err := g.fill()
		return 0, err
	}
	if g.busy {
		// net/http reads its next request: its answer is out.
		g.busy = false
		g.setRead(g.idle())
	}
	first, start := !g.reading, time.Now()
	g.reading = true
	var q earlyRequest
	for {
		size, kind := parseEarly(g.pending, &q)
		switch {
		case len(g.pending) == 0 && g.served:
			if err := g.waitRequest(); err != nil {
				return 0, err
			}
		case len(g.pending) == 0:
			if err := g.more(); err != nil { // under net/http's deadline
				return 0, err
			}
		case kind == partRequest:
			if !g.begun && g.server != nil && g.server.ReadHeaderTimeout > 0 {
				// A request begun is timed as net/http times a header.
				g.begun = true
				g.setRead(time.Now().Add(g.server.ReadHeaderTimeout))
			}
			if err := g.more(); err != nil {
				return 0, err
			}
		case kind == earlyKind && g.conns.ending.Load():
			// A server shutting down answers no more.
			g.Close()
			return 0, net.ErrClosed
		case kind == earlyKind && g.early.answerEarly(g, &q):
			g.consume(size)
			g.served, g.begun = true, false
			if len(g.pending) == 0 {
				g.setRead(g.idle())
			}
		case kind == throughKind || size > len(p):
			g.through = true
			if g.served {
				g.timeGiven(first, start)
			}
			return g.Read(p)
		default:
			if g.served {
				g.timeGiven(first, start)
			}
			n := copy(p, g.pending[:size])
			g.consume(n)
			g.busy, g.served, g.begun = true, true, false
			return n, nil
		}
	}
}

// timeGiven times a request given to net/http after others were answered
// early: when net/http reads it as it comes, its header as net/http times
// one (net/http armed that timer when it began to read, which may be long
// past, and an idle deadline has been set since); and when this is
// net/http's first read, whose request deadline it counted from the
// connection's start, that deadline from now (lag).
func (g *gatherConn) timeGiven(first bool, start time.Time) {
	if g.server == nil {
		return
	}
	if d := g.server.ReadHeaderTimeout; d > 0 && g.through {
		g.setRead(time.Now().Add(d))
	}
	if first && g.server.ReadTimeout > 0 && g.server.ReadTimeout != g.server.ReadHeaderTimeout {
		g.lag = time.Since(start)
	}
}

// waitRequest waits for the next request after one answered or given: the
// connection is idle, and a server shutting down ends it.
func (g *gatherConn) waitRequest() error {
	g.mu.Lock()
	if g.conns.ending.Load() {
		g.mu.Unlock()
		g.Close()
		return net.ErrClosed
	}
	g.waiting = true
	g.mu.Unlock()
	err := g.more()
	g.mu.Lock()
	g.waiting = false
	g.mu.Unlock()
	return err
}

// earlyConns are a server's connections that answer early.
type earlyConns struct {
	mu     sync.Mutex
	all    map[*gatherConn]bool
	ending atomic.Bool
}

func (c *earlyConns) add(g *gatherConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.all[g] = true
}

func (c *earlyConns) remove(g *gatherConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.all, g)
}

// shutdown ends the connections waiting for a request, and any that comes
// to wait from now on: net/http ends those it believes idle, and a
// connection answering early never is to it (or is new, which it gives
// five seconds).
func (c *earlyConns) shutdown() {
	c.ending.Store(true)
	c.mu.Lock()
	defer c.mu.Unlock()
	for g := range c.all {
		g.mu.Lock()
		if g.waiting {
			g.Conn.Close()
		}
		g.mu.Unlock()
	}
}

// more reads what comes next.
func (g *gatherConn) more() error {
	if n, err := g.fill(); n == 0 {
		return err
	}
	return nil
}

// fill reads once into what is pending.
func (g *gatherConn) fill() (int, error) {
	if g.in == nil {
		g.in = earlyIns.Get().(*[maxEarly]byte)
	}
	k := copy(g.in[:], g.pending)
	n, err := g.Conn.Read(g.in[k:])
	g.pending = g.in[:k+n]
	return n, err
}

// consume drops the first n bytes pending; the buffer goes back when
// nothing is.
func (g *gatherConn) consume(n int) {
	g.pending = g.pending[n:]
	if len(g.pending) == 0 && g.in != nil {
		earlyIns.Put(g.in)
		g.in, g.pending = nil, nil
	}
}

// idle is when a connection waiting for its next request ends, as net/http
// ends it.
func (g *gatherConn) idle() time.Time {
	if g.server == nil {
		return time.Time{}
	}
	d := g.server.IdleTimeout
	if d == 0 {
		d = g.server.ReadTimeout
	}
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// setRead sets the read deadline, unless it is within a second of the one
// set (a timer's change is not free, and tiles come by the thousand).
func (g *gatherConn) setRead(t time.Time) {
	if t.Equal(g.readBy) || !t.IsZero() && !g.readBy.IsZero() && t.Sub(g.readBy).Abs() < time.Second {
		return
	}
	g.readBy = t
	g.Conn.SetReadDeadline(t)
}

// SetReadDeadline: on a connection's first read net/http counts its
// request's deadlines from when it began to read; when requests were
// answered early before the one it is given, the request deadline it sets
// next is moved by the time that took (lag).
func (g *gatherConn) SetReadDeadline(t time.Time) error {
	if g.lag > 0 {
		if t.After(time.Unix(1<<30, 0)) { // not net/http's "long ago", which stops a read
			t = t.Add(g.lag)
		}
		g.lag = 0
	}
	g.readBy = t
	return g.Conn.SetReadDeadline(t)
}

func (g *gatherConn) SetDeadline(t time.Time) error {
	g.SetWriteDeadline(t)
	return g.SetReadDeadline(t)
}

func (g *gatherConn) SetWriteDeadline(t time.Time) error {
	g.writeBy = t
	return g.Conn.SetWriteDeadline(t)
}

// Close ends the connection, after the early answer being written if there
// is one: a server shutting down ends a connection it believes idle, and
// one answering early always is to it. (It does not wait for that answer:
// a client that does not read holds it until the write deadline.)
func (g *gatherConn) Close() error {
	if g.conns != nil {
		g.conns.remove(g)
	}
	g.mu.Lock()
	if g.writing {
		g.closeDue = true
		g.mu.Unlock()
		return nil
	}
	g.mu.Unlock()
	return g.Conn.Close()
}

// writeEarly sends a 200 answer whole on the connection, as answer does,
// under the server's write deadline.
func (g *gatherConn) writeEarly(head []byte, id string, now time.Time, body []byte) {
	if g.server != nil && g.server.WriteTimeout > 0 {
		if by := now.Add(g.server.WriteTimeout); by.Sub(g.writeBy) > time.Second {
			g.SetWriteDeadline(by)
		}
	}
	g.mu.Lock()
	g.writing = true
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.writing = false
		due := g.closeDue
		g.mu.Unlock()
		if due {
			g.Conn.Close()
		}
	}()
	g.write(head, id, now, body)
}

// answerEarly answers a request a connection read, when it is for a kept
// tile an anonymous visitor may have: what hotTile does, on the connection.
func (s *Server) answerEarly(g *gatherConn, q *earlyRequest) (answered bool) {
	defer func() {
		// As recover does for the chain, but what was written is not
		// known: the connection ends.
		if p := recover(); p != nil {
			s.cfg.Log.Error("panic", "path", q.path, "panic", p)
			g.Close()
			answered = true
		}
	}()
	start := time.Now()
	v, resp := s.keptTile(q.path, q.host)
	if resp == nil {
		return false
	}
	head := s.wholeHead(resp)
	if len(head) == 0 {
		return false
	}
	id := q.id
	if id == "" {
		id = s.ids.next()
	}
	g.writeEarly(head, id, start, resp.Data)
	if s.cfg.Observer != nil {
		s.cfg.Observer.Request(http.MethodGet, tileRoutes[v], http.StatusOK, time.Since(start))
	}
	return true
}
