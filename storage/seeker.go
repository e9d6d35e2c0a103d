package storage

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/thaiarchives/archive/fault"
)

// ReadSeeker reads a blob of known size through ranged Gets, so that
// http.ServeContent can answer byte ranges, If-Range and HEAD without reading
// what it does not send.
type ReadSeeker struct {
	ctx  context.Context
	f    Fetcher
	key  string
	size int64
	off  int64
	body io.ReadCloser
}

// NewReadSeeker returns a ReadSeeker over key, whose size the caller knows.
func NewReadSeeker(ctx context.Context, f Fetcher, key string, size int64) *ReadSeeker {
	return &ReadSeeker{ctx: ctx, f: f, key: key, size: size}
}

// Read opens a ranged Get at the current offset when none is open.
func (r *ReadSeeker) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	if r.body == nil {
		b, err := r.f.Get(r.ctx, r.key, r.off, -1)
		if err != nil {
			return 0, err
		}
		r.body = b
	}
	n, err := r.body.Read(p)
	r.off += int64(n)
	if err == io.EOF && r.off < r.size {
		err = fmt.Errorf("read %s: blob ended at %d of %d bytes: %w", r.key, r.off, r.size, fault.Unavailable)
	}
	return n, err
}

// Seek moves the offset; the next Read opens a new range there.
func (r *ReadSeeker) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	}
	if offset < 0 {
		return 0, errors.New("seek before start")
	}
	if offset != r.off && r.body != nil {
		r.body.Close()
		r.body = nil
	}
	r.off = offset
	return offset, nil
}

// Close releases any open range.
func (r *ReadSeeker) Close() error {
	if r.body != nil {
		return r.body.Close()
	}
	return nil
}

// ReaderAt reads a blob through ranged Gets, for parsers that seek (TIFF).
type ReaderAt struct {
	Ctx context.Context
	F   Fetcher
	Key string
}

// ReadAt reads len(p) bytes at off; fewer at the end of the blob, with io.EOF.
func (r ReaderAt) ReadAt(p []byte, off int64) (int, error) {
	rc, err := r.F.Get(r.Ctx, r.Key, off, int64(len(p)))
	if err != nil {
		if errors.Is(err, fault.Invalid) {
			return 0, io.EOF
		}
		return 0, err
	}
	defer rc.Close()
	n, err := io.ReadFull(rc, p)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}

// ContextReader stops a read loop (a copy, a hash) when ctx ends.
func ContextReader(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
