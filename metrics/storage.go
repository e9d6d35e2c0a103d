package metrics

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/storage"
)

// Blobs wraps a blob store so that every call is counted by operation and
// result and timed; gets and puts also count their bytes. The wrapper is
// what the service uses in place of the store.
func (m *Metrics) Blobs(b storage.Blobs) storage.Blobs {
	w := &blobs{next: b, m: m}
	for _, op := range []string{"put", "get", "stat", "list", "delete", "check"} {
		w.ops[opIndex(op)] = opMetrics{
			latency: m.storageLatency.WithLabelValues(op),
			ok:      m.storageCalls.WithLabelValues(op, "ok"),
		}
	}
	w.getBytes = m.storageBytes.WithLabelValues("get")
	w.putBytes = m.storageBytes.WithLabelValues("put")
	return w
}

var _ storage.Blobs = (*blobs)(nil)

type opMetrics struct {
	latency prometheus.Observer
	ok      prometheus.Counter
}

type blobs struct {
	next               storage.Blobs
	m                  *Metrics
	ops                [6]opMetrics
	getBytes, putBytes prometheus.Counter
}

func opIndex(op string) int {
	switch op {
	case "put":
		return 0
	case "get":
		return 1
	case "stat":
		return 2
	case "list":
		return 3
	case "delete":
		return 4
	}
	return 5
}

// result names an error's kind for the result label.
func result(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, fault.NotFound):
		return "not_found"
	case errors.Is(err, fault.Invalid):
		return "invalid"
	case errors.Is(err, fault.Checksum):
		return "checksum"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	}
	return "unavailable"
}

func (b *blobs) done(op string, start time.Time, err error) {
	o := &b.ops[opIndex(op)]
	o.latency.Observe(time.Since(start).Seconds())
	if err == nil {
		o.ok.Inc()
		return
	}
	b.m.storageCalls.WithLabelValues(op, result(err)).Inc()
}

func (b *blobs) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) (storage.Info, error) {
	start := time.Now()
	info, err := b.next.Put(ctx, key, r, opts)
	b.done("put", start, err)
	if err == nil {
		b.putBytes.Add(float64(info.Size))
	}
	return info, err
}

func (b *blobs) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	start := time.Now()
	rc, err := b.next.Get(ctx, key, off, n)
	b.done("get", start, err)
	if err != nil {
		return nil, err
	}
	return &countingReader{ReadCloser: rc, bytes: b.getBytes}, nil
}

func (b *blobs) Stat(ctx context.Context, key string) (storage.Info, error) {
	start := time.Now()
	info, err := b.next.Stat(ctx, key)
	b.done("stat", start, err)
	return info, err
}

func (b *blobs) List(ctx context.Context, prefix string, fn func(storage.Info) error) error {
	start := time.Now()
	err := b.next.List(ctx, prefix, fn)
	b.done("list", start, err)
	return err
}

func (b *blobs) Delete(ctx context.Context, key string) error {
	start := time.Now()
	err := b.next.Delete(ctx, key)
	b.done("delete", start, err)
	return err
}

func (b *blobs) Check(ctx context.Context) error {
	start := time.Now()
	err := b.next.Check(ctx)
	b.done("check", start, err)
	return err
}

// countingReader adds what was read to the byte counter when closed, so a
// read costs no atomic operation.
type countingReader struct {
	io.ReadCloser
	bytes prometheus.Counter
	n     int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.n += int64(n)
	return n, err
}

func (r *countingReader) Close() error {
	if r.n > 0 {
		r.bytes.Add(float64(r.n))
		r.n = 0
	}
	return r.ReadCloser.Close()
}
