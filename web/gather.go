package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Net/http writes an answer longer than its 4 KiB buffer in two writes:
// the buffer (the header and the body's start), then the rest. On a busy
// server each write is a trip through the TCP stack (on loopback, the
// receiver's too), and for a stored tile those two trips were the larger
// part of its cost. A gathering connection lets a handler that sends an
// answer whole have its writes leave in one.

// GatherListener wraps ln's connections so that answers sent whole leave
// in one write, for hs, which serves them with GatherContext as its
// ConnContext. When hs's handler answers tiles on the connection (the
// Server, or Starting once ready), the connections read the requests
// first (early.go), under hs's timeouts.
func GatherListener(ln net.Listener, hs *http.Server) net.Listener {
	l := gatherListener{Listener: ln, server: hs}
	if e, ok := hs.Handler.(earlyAnswerer); ok {
		l.early, l.conns = e, &earlyConns{all: map[*gatherConn]bool{}}
		hs.RegisterOnShutdown(l.conns.shutdown)
	}
	return l
}

// GatherContext is the http.Server ConnContext that lets handlers find the
// gathering connection they answer on.
func GatherContext(ctx context.Context, c net.Conn) context.Context {
	if g, ok := c.(*gatherConn); ok {
		return context.WithValue(ctx, gatherKey{}, g)
	}
	return ctx
}

type gatherKey struct{}

// Gathered reports whether a request came on a gathering connection.
func Gathered(ctx context.Context) bool { return gatherOf(ctx) != nil }

type gatherListener struct {
	net.Listener
	server *http.Server
	early  earlyAnswerer
	conns  *earlyConns
}

func (l gatherListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	g := &gatherConn{Conn: c, server: l.server, early: l.early, conns: l.conns}
	if l.conns != nil {
		l.conns.add(g)
	}
	return g, nil
}

// gatherConn holds what is written between gather and send, and writes it
// at once. Only the goroutine serving the connection writes to it.
type gatherConn struct {
	net.Conn
	held *[]byte // nil: writes go straight through
	// body is the answer's body as the handler has it (immutable): when
	// the server writes it as it is, it is kept by reference, not copied,
	// and leaves after what is held in the same system call (writev).
	body, sent []byte
	// drop: the handler has sent its answer whole (answer), and the
	// server's own header of an answer it believes empty, written next,
	// is dropped.
	drop bool
	// date is the Date of answers sent whole, formatted once a second.
	date    []byte
	dateSec int64

	// Answering early (early.go): the server whose timeouts apply, what
	// answers, the connections a shutdown ends, what was read and not yet
	// answered or given (in in), and the deadlines last set.
	server          *http.Server
	early           earlyAnswerer
	conns           *earlyConns
	in              *[maxEarly]byte
	pending         []byte
	through, busy   bool          // net/http reads the rest as it comes; net/http answers a request given
	served          bool          // a request was answered or given
	begun           bool          // a request pending is timed
	reading         bool          // net/http has called Read before
	lag             time.Duration // see SetReadDeadline
	readBy, writeBy time.Time
	// mu guards what a shutdown looks at: the connection waits for its
	// next request, writes an early answer, is to end after it.
	mu                         sync.Mutex
	waiting, writing, closeDue bool
}

// maxGathered bounds an answer sent whole (a tile is a few tens of KiB).
const maxGathered = 256 << 10

// gatherBufs hold a header, or a small answer whole (larger bodies are
// kept by reference).
var gatherBufs = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// gatherOf is the gathering connection a request came on, or nil.
func gatherOf(ctx context.Context) *gatherConn {
	g, _ := ctx.Value(gatherKey{}).(*gatherConn)
	return g
}

// gather holds the writes that follow until send; body is the answer's
// body, which is not copied when the server writes it whole.
func (g *gatherConn) gather(body []byte) {
	if g.held == nil {
		g.held = gatherBufs.Get().(*[]byte)
	}
	g.body = body
}

// send writes what was held in one system call and lets writes through
// again. A failed write closes the connection: what the client has is cut
// short.
func (g *gatherConn) send() error {
	b, body := g.held, g.sent
	if b == nil {
		return nil
	}
	g.held, g.body, g.sent = nil, nil, nil
	var err error
	if tc, ok := g.Conn.(*net.TCPConn); ok && len(body) > 0 {
		bufs := net.Buffers{*b, body}
		_, err = bufs.WriteTo(tc)
	} else if *b = append(*b, body...); len(*b) > 0 {
		_, err = g.Conn.Write(*b)
	}
	if err != nil {
		g.Conn.Close()
	}
	if cap(*b) <= maxGathered {
		*b = (*b)[:0]
		gatherBufs.Put(b)
	}
	return err
}

func (g *gatherConn) Write(p []byte) (int, error) {
	if g.drop {
		g.drop = false
		if !emptyAnswerHeader(p) {
			// Not what the server writes after an answer sent whole: it
			// cannot follow that answer, so the connection ends here.
			g.Conn.Close()
			return 0, errNotEmptyAnswer
		}
		return len(p), nil
	}
	if g.held == nil {
		return g.Conn.Write(p)
	}
	if g.sent == nil && len(p) > 0 && len(p) == len(g.body) && &p[0] == &g.body[0] {
		g.sent = p // the body, after the header held: nothing follows it
		return len(p), nil
	}
	if g.sent != nil {
		// More after the body: it goes first, in order.
		*g.held = append(*g.held, g.sent...)
		g.sent = nil
	}
	*g.held = append(*g.held, p...)
	if len(*g.held) > maxGathered {
		// Not an answer to hold whole: what is held goes now.
		body := g.body
		if err := g.send(); err != nil {
			return 0, err
		}
		g.gather(body)
	}
	return len(p), nil
}

// ReadFrom keeps the server's sendfile for files it serves (net/http asks
// its connection for io.ReaderFrom).
func (g *gatherConn) ReadFrom(r io.Reader) (int64, error) {
	if err := g.send(); err != nil {
		return 0, err
	}
	if rf, ok := g.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{g.Conn}, r)
}

// CloseWrite half-closes as the connection it wraps does (net/http uses it
// when it ends a connection whose request body it did not read).
func (g *gatherConn) CloseWrite() error {
	if cw, ok := g.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Sending an answer whole: net/http builds each answer's header from the
// handler's map (filling it, copying it, sorting its keys, checking every
// value), and for a stored tile that was a sixth of its cost. A handler
// that has a kept answer writes its header as made once for that answer
// (from the same functions that fill the map), and the body with it, in
// one system call; the server, which saw nothing written, then writes the
// header of an empty answer, and the connection drops it.

// wholeAnswer reports whether an answer to r may be sent whole: a GET of
// HTTP/1.1 on a connection kept open, so that the server's own header
// after it is exactly an empty 200 answer's (emptyAnswerHeader).
func wholeAnswer(r *http.Request) bool {
	return r.Method == http.MethodGet && r.ProtoMajor == 1 && r.ProtoMinor == 1 && !r.Close
}

// errNotEmptyAnswer: the server wrote more after an answer sent whole than
// the header of an empty answer.
var errNotEmptyAnswer = errors.New("the server wrote after an answer sent whole")

// emptyAnswerHeader reports whether p is what net/http writes for a
// handler that wrote nothing: a 200 header with a length of 0.
func emptyAnswerHeader(p []byte) bool {
	return bytes.HasPrefix(p, []byte("HTTP/1.1 200 OK\r\n")) && bytes.HasSuffix(p, []byte("\r\n\r\n")) &&
		bytes.Contains(p, []byte("\r\nContent-Length: 0\r\n"))
}

// answer sends a 200 answer whole in one system call: head (its status
// line and header lines, made once per answer), the request's identifier,
// the Date at now, and the body, not copied; the handler writes nothing
// after it. A failed write ends the connection (send).
func (g *gatherConn) answer(head []byte, id string, now time.Time, body []byte) {
	g.drop = true
	g.write(head, id, now, body)
}

// write sends head, the request's identifier, the Date and body in one
// system call.
func (g *gatherConn) write(head []byte, id string, now time.Time, body []byte) {
	if sec := now.Unix(); sec != g.dateSec || g.date == nil {
		g.date, g.dateSec = now.UTC().AppendFormat(g.date[:0], http.TimeFormat), sec
	}
	b := gatherBufs.Get().(*[]byte)
	*b = append(append(append(append(append(append((*b)[:0], head...), RequestIDHeader+": "...), id...), "\r\nDate: "...), g.date...), "\r\n\r\n"...)
	g.held, g.sent = b, body
	g.send()
}
