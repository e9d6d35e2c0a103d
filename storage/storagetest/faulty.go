package storagetest

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/storage"
)

// Faulty wraps a store and, while an outage is set, fails every call with
// fault.Unavailable, as a disk or server that went away would.
type Faulty struct {
	storage.Blobs
	mu   sync.Mutex
	down bool
	// FailPutAfter, when positive, makes the Put of that ordinal (1-based) fail.
	puts         int
	FailPutAfter int
}

var _ storage.Blobs = (*Faulty)(nil)

// SetDown starts (true) or ends (false) an outage.
func (f *Faulty) SetDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

func (f *Faulty) err(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return fmt.Errorf("%s: injected outage: %w", op, fault.Unavailable)
	}
	return nil
}

// Put fails during an outage, or as the FailPutAfter-th put.
func (f *Faulty) Put(ctx context.Context, key string, r io.Reader, o storage.PutOptions) (storage.Info, error) {
	if err := f.err("put " + key); err != nil {
		return storage.Info{}, err
	}
	f.mu.Lock()
	f.puts++
	fail := f.FailPutAfter > 0 && f.puts == f.FailPutAfter
	f.mu.Unlock()
	if fail {
		return storage.Info{}, fmt.Errorf("put %s: injected failure: %w", key, fault.Unavailable)
	}
	return f.Blobs.Put(ctx, key, r, o)
}

// Get fails during an outage.
func (f *Faulty) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	if err := f.err("get " + key); err != nil {
		return nil, err
	}
	return f.Blobs.Get(ctx, key, off, n)
}

// Stat fails during an outage.
func (f *Faulty) Stat(ctx context.Context, key string) (storage.Info, error) {
	if err := f.err("stat " + key); err != nil {
		return storage.Info{}, err
	}
	return f.Blobs.Stat(ctx, key)
}

// List fails during an outage.
func (f *Faulty) List(ctx context.Context, prefix string, fn func(storage.Info) error) error {
	if err := f.err("list " + prefix); err != nil {
		return err
	}
	return f.Blobs.List(ctx, prefix, fn)
}

// Delete fails during an outage.
func (f *Faulty) Delete(ctx context.Context, key string) error {
	if err := f.err("delete " + key); err != nil {
		return err
	}
	return f.Blobs.Delete(ctx, key)
}

// Check fails during an outage.
func (f *Faulty) Check(ctx context.Context) error {
	if err := f.err("check"); err != nil {
		return err
	}
	return f.Blobs.Check(ctx)
}
