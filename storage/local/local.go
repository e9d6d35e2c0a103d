// Package local is the embedded default blob store: a folder on disk. Writes
// go to a temporary file that is fsynced and then renamed into place, so a
// crash never leaves a half-written blob under its final name.
package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/storage"
)

var _ storage.Blobs = (*Store)(nil)

// tmpDir holds writes in progress; CheckKey refuses dot segments, so no key reaches it.
const tmpDir = ".tmp"

// Store keeps blobs as files under a root folder.
type Store struct {
	root string
}

// Open prepares a store rooted at dir, creating it if needed, and checks that
// it can be written.
func Open(dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(abs, tmpDir), 0o755); err != nil {
		return nil, fmt.Errorf("blob folder %s cannot be created: %w", dir, unwrapPathErr(err))
	}
	s := &Store{root: abs}
	if err := s.Check(context.Background()); err != nil {
		return nil, err
	}
	return s, nil
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Root is the folder the store keeps its blobs in.
func (s *Store) Root() string { return s.root }

func (s *Store) path(key string) (string, error) {
	if err := storage.CheckKey(key); err != nil {
		return "", err
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

// ioErr maps an OS error to a store error kind without exposing paths.
func ioErr(op, key string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return storage.Missing(op, key)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s %s: %w", op, key, err)
	default:
		return fmt.Errorf("%s %s: %v: %w", op, key, unwrapPathErr(err), fault.Unavailable)
	}
}

// Put streams r into a temporary file, hashing it, and renames it to key when
// the content matches opts.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) (storage.Info, error) {
	dst, err := s.path(key)
	if err != nil {
		return storage.Info{}, err
	}
	tmp, err := os.CreateTemp(filepath.Join(s.root, tmpDir), "put-*")
	if err != nil {
		return storage.Info{}, ioErr("put", key, err)
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), storage.ContextReader(ctx, r))
	if err != nil {
		if ctx.Err() != nil {
			return storage.Info{}, fmt.Errorf("put %s: %w", key, ctx.Err())
		}
		return storage.Info{}, ioErr("put", key, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if err := storage.Verify(key, sum, size, opts); err != nil {
		return storage.Info{}, err
	}
	if err := tmp.Sync(); err != nil {
		return storage.Info{}, ioErr("put", key, err)
	}
	if err := tmp.Close(); err != nil {
		return storage.Info{}, ioErr("put", key, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return storage.Info{}, ioErr("put", key, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return storage.Info{}, ioErr("put", key, err)
	}
	committed = true
	syncDir(filepath.Dir(dst))
	st, err := os.Stat(dst)
	if err != nil {
		return storage.Info{}, ioErr("put", key, err)
	}
	return storage.Info{Key: key, Size: size, SHA256: sum, Modified: st.ModTime()}, nil
}

// syncDir makes a rename durable; failures are not fatal on file systems that
// do not support it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Get opens key and positions it at off.
func (s *Store) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, ioErr("get", key, err)
	}
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		f.Close()
		if err == nil {
			err = fs.ErrNotExist
		}
		return nil, ioErr("get", key, err)
	}
	n, err = storage.CheckRange(key, st.Size(), off, n)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &section{io.NewSectionReader(f, off, n), f}, nil
}

type section struct {
	*io.SectionReader
	f *os.File
}

func (s *section) Close() error { return s.f.Close() }

// Stat reports a blob's size and modification time.
func (s *Store) Stat(ctx context.Context, key string) (storage.Info, error) {
	p, err := s.path(key)
	if err != nil {
		return storage.Info{}, err
	}
	st, err := os.Stat(p)
	if err == nil && st.IsDir() {
		err = fs.ErrNotExist
	}
	if err != nil {
		return storage.Info{}, ioErr("stat", key, err)
	}
	return storage.Info{Key: key, Size: st.Size(), Modified: st.ModTime()}, nil
}

// List walks the folders under prefix.
func (s *Store) List(ctx context.Context, prefix string, fn func(storage.Info) error) error {
	if err := storage.CheckPrefix(prefix); err != nil {
		return err
	}
	// Walk from the deepest whole folder named by the prefix.
	dir := prefix[:strings.LastIndex(prefix, "/")+1]
	start := filepath.Join(s.root, filepath.FromSlash(dir))
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.root, p)
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			if key == tmpDir || (key != "." && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(key, prefix) || storage.CheckKey(key) != nil {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // deleted while listing
			}
			return err
		}
		return fn(storage.Info{Key: key, Size: info.Size(), Modified: info.ModTime()})
	})
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return ioErr("list", prefix, err)
		}
	}
	return err
}

// Delete removes key and any folders it leaves empty.
func (s *Store) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return ioErr("delete", key, err)
	}
	for dir := filepath.Dir(p); dir != s.root && strings.HasPrefix(dir, s.root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

// Check writes and removes a probe file.
func (s *Store) Check(ctx context.Context) error {
	f, err := os.CreateTemp(filepath.Join(s.root, tmpDir), "check-*")
	if err != nil {
		if errors.Is(err, syscall.EROFS) || errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("blob folder %s is not writable: %w", s.root, fault.Unavailable)
		}
		return fmt.Errorf("blob folder %s: %v: %w", s.root, unwrapPathErr(err), fault.Unavailable)
	}
	f.Close()
	return os.Remove(f.Name())
}
