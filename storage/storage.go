// Package storage defines the archive's blob store: immutable objects under
// slash-separated keys, written by streaming with their SHA-256 verified, read
// whole or by byte range. Implementations live in storage/local (the embedded
// default) and storage/s3 (any S3-compatible server); storage/storagetest holds
// the conformance suite that every implementation passes.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/thaiarchives/archive/fault"
)

// Errors are of the kinds of package fault: NotFound (no blob under that
// key; see Missing), Invalid (a malformed key or a range outside the blob),
// Checksum (the streamed content did not match the expected digest or size;
// nothing was stored) and Unavailable (the storage itself, disk, server or
// network, failed). Implementations wrap them with context; callers test with
// errors.Is.

// errMissing marks a NotFound that storage itself answered, so that a layer above
// can tell a stored file gone missing from a record nobody made.
var errMissing = errors.New("no such blob")

// Missing is the error of an implementation asked by op for a key it does not
// hold: of kind fault.NotFound, recognised by IsMissing.
func Missing(op, key string) error {
	return &fault.Error{Op: op, Kind: fault.NotFound, Record: key, Err: errMissing}
}

// IsMissing reports whether err says storage holds no blob under a key it
// was asked for (rather than a record or identifier being unknown above it).
func IsMissing(err error) bool { return errors.Is(err, errMissing) }

// Info describes a stored blob.
type Info struct {
	Key      string
	Size     int64
	SHA256   string // lower-case hex; set by Put, empty where the backend does not know it
	Modified time.Time
}

// PutOptions are the expectations of a Put. A zero value expects nothing.
type PutOptions struct {
	// SHA256, when set (lower-case hex), must match the streamed content.
	SHA256 string
	// Size, when positive, must match the streamed length; it also lets a
	// backend choose its upload method. Zero means unknown.
	Size int64
	// ContentType is stored where the backend supports it.
	ContentType string
}

// Receiver stores a blob by streaming it: the SHA-256 is computed on the way and
// checked against opts; on any mismatch or error nothing is stored under key.
type Receiver interface {
	Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (Info, error)
}

// Fetcher reads a blob, or the part of it starting at off of length n (n < 0:
// to the end). A range that starts past the end is fault.Invalid; one that runs
// past the end is cut at the end. A missing key fails here, not on first Read.
type Fetcher interface {
	Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, error)
}

// Statter reports a blob's size and time.
type Statter interface {
	Stat(ctx context.Context, key string) (Info, error)
}

// Lister calls fn for every blob whose key starts with prefix, in no
// particular order; an error from fn stops the listing and is returned.
type Lister interface {
	List(ctx context.Context, prefix string, fn func(Info) error) error
}

// Remover deletes a blob; deleting a missing key is not an error.
type Remover interface {
	Delete(ctx context.Context, key string) error
}

// Blobs is a whole blob store.
type Blobs interface {
	Receiver
	Fetcher
	Statter
	Lister
	Remover
	// Check reports whether the store is reachable and writable now.
	Check(ctx context.Context) error
}

// MaxKeyLen bounds a key's length in bytes.
const MaxKeyLen = 512

// CheckKey reports whether key is acceptable: slash-separated segments of ASCII
// letters, digits, '-', '_' and '.', none empty, none starting with '.', so that
// no key can name a parent, a hidden or a temporary file in any backend.
func CheckKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return fmt.Errorf("key of %d bytes: %w", len(key), fault.Invalid)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg[0] == '.' {
			return fmt.Errorf("key %q: empty or dot segment: %w", key, fault.Invalid)
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				return fmt.Errorf("key %q: character %q not allowed: %w", key, c, fault.Invalid)
			}
		}
	}
	return nil
}

// CheckPrefix is CheckKey for a listing prefix, which may be empty or end in '/'.
func CheckPrefix(prefix string) error {
	p := strings.TrimSuffix(prefix, "/")
	if p == "" && prefix == "" {
		return nil
	}
	return CheckKey(p)
}

// CheckRange validates a range request against a blob of the given size and
// returns the number of bytes it covers.
func CheckRange(key string, size, off, n int64) (int64, error) {
	if off < 0 || off > size {
		return 0, fmt.Errorf("range at %d of %s (%d bytes): %w", off, key, size, fault.Invalid)
	}
	if n < 0 || off+n > size {
		n = size - off
	}
	return n, nil
}

// DigestKey is the key of a blob stored under its SHA-256: blobs/sha256/ab/cd/abcd…
func DigestKey(sha256hex string) string {
	if len(sha256hex) < 4 {
		return "blobs/sha256/" + sha256hex
	}
	return "blobs/sha256/" + sha256hex[:2] + "/" + sha256hex[2:4] + "/" + sha256hex
}

// IsHexDigest reports whether s is a lower-case hex SHA-256.
func IsHexDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// Verify checks a streamed blob's digest and size against the expectations of
// a Put; backends call it before the blob becomes visible.
func Verify(key, sum string, size int64, opts PutOptions) error {
	if opts.SHA256 != "" && !strings.EqualFold(opts.SHA256, sum) {
		return fmt.Errorf("put %s: content has sha256 %s, expected %s: %w", key, sum, opts.SHA256, fault.Checksum)
	}
	if opts.Size > 0 && opts.Size != size {
		return fmt.Errorf("put %s: content is %d bytes, expected %d: %w", key, size, opts.Size, fault.Checksum)
	}
	return nil
}
