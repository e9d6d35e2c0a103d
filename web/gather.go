package web

import (
	"context"
	"io"
	"net"
	"sync"
)

// Net/http writes an answer longer than its 4 KiB buffer in two writes:
// the buffer (the header and the body's start), then the rest. On a busy
// server each write is a trip through the TCP stack (on loopback, the
// receiver's too), and for a stored tile those two trips were the larger
// part of its cost. A gathering connection lets a handler that sends an
// answer whole have its writes leave in one.

// GatherListener wraps ln's connections so that answers sent whole leave
// in one write; serve them with GatherContext as the server's ConnContext.
func GatherListener(ln net.Listener) net.Listener { return gatherListener{ln} }

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

type gatherListener struct{ net.Listener }

func (l gatherListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &gatherConn{Conn: c}, nil
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
