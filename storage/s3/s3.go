// Package s3 stores blobs in any S3-compatible server (MinIO, Ceph, AWS S3…)
// through minio-go. Small blobs are hashed in memory and sent in one PUT;
// larger ones go up as a multipart upload that is completed only when the
// streamed SHA-256 and size match, and aborted otherwise, so a mismatch or a
// failure never leaves an object under its final key.
package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/storage"
)

var _ storage.Blobs = (*Store)(nil)

// PartSize is the size of one multipart part, and the most a Put holds in memory.
const PartSize = 16 << 20

// smallSize is the first read of a Put; smaller blobs need no part buffer.
const smallSize = 1 << 20

// Config says how to reach a bucket.
type Config struct {
	// Endpoint is host:port, or a URL whose scheme sets TLS; several,
	// separated by commas (the nodes of a distributed MinIO), share the
	// calls and stand in for each other when one fails.
	Endpoint  string
	Bucket    string
	Region    string
	AccessKey string
	SecretKey string
	TLS       bool
	// CreateBucket makes the bucket when it does not exist.
	CreateBucket bool
	// Prefix, when set, is put before every key (several archives in one bucket).
	Prefix string
	// Timeout bounds each request's wait for an answer (default DefaultTimeout);
	// a failed or silent request is tried again, on the next endpoint.
	Timeout time.Duration
}

// Store is a blob store in one S3 bucket.
type Store struct {
	endpoints []*server
	next      atomic.Uint32
	timeout   time.Duration
	bucket    string
	prefix    string
	bufs      sync.Pool
}

// Open connects to the server and checks (or creates) the bucket. It fails
// within about ten seconds, with one clear sentence, when the server cannot be
// reached or the settings are wrong.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("S3 endpoint is not set (ARCHIVE_S3_ENDPOINT, host:port)")
	}
	if cfg.Bucket == "" {
		return nil, errors.New("S3 bucket is not set (ARCHIVE_S3_BUCKET)")
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("S3 credentials are not set (ARCHIVE_S3_ACCESS_KEY and ARCHIVE_S3_SECRET_KEY)")
	}
	s := &Store{bucket: cfg.Bucket, prefix: strings.Trim(cfg.Prefix, "/"), timeout: cfg.Timeout}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: s.timeout,
		DisableCompression:    true,
	}
	var names []string
	for ep := range strings.SplitSeq(cfg.Endpoint, ",") {
		endpoint, secure, err := parseEndpoint(strings.TrimSpace(ep), cfg.TLS)
		if err != nil {
			return nil, err
		}
		// Retries are ours (retry.go), across endpoints, not minio-go's.
		client, err := minio.New(endpoint, &minio.Options{
			Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
			Secure:     secure,
			Region:     cfg.Region,
			Transport:  transport,
			MaxRetries: 1,
		})
		if err != nil {
			return nil, fmt.Errorf("S3 endpoint %q: %v", ep, err)
		}
		s.endpoints = append(s.endpoints, &server{core: minio.Core{Client: client}, addr: endpoint})
		names = append(names, endpoint)
	}
	endpoint := strings.Join(names, ", ")
	if s.prefix != "" {
		if err := storage.CheckKey(s.prefix); err != nil {
			return nil, fmt.Errorf("S3 prefix %q: %v", cfg.Prefix, err)
		}
		s.prefix += "/"
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var ok bool
	err := s.do(ctx, s.timeout, func(ctx context.Context, core minio.Core) (err error) {
		ok, err = core.BucketExists(ctx, cfg.Bucket)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("S3 server at %s cannot be used: %s", endpoint, describe(err))
	}
	if !ok {
		if !cfg.CreateBucket {
			return nil, fmt.Errorf("S3 bucket %q does not exist at %s (create it, or allow creation)", cfg.Bucket, endpoint)
		}
		if err := s.do(ctx, s.timeout, func(ctx context.Context, core minio.Core) error {
			err := core.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
			var resp minio.ErrorResponse
			if errors.As(err, &resp) && resp.Code == "BucketAlreadyOwnedByYou" {
				return nil // an earlier attempt made it
			}
			return err
		}); err != nil {
			return nil, fmt.Errorf("S3 bucket %q cannot be created at %s: %s", cfg.Bucket, endpoint, describe(err))
		}
	}
	return s, nil
}

func parseEndpoint(ep string, tls bool) (string, bool, error) {
	if ep == "" {
		return "", false, errors.New("S3 endpoint is not set (ARCHIVE_S3_ENDPOINT, host:port)")
	}
	if strings.Contains(ep, "://") {
		u, err := url.Parse(ep)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || (u.Path != "" && u.Path != "/") {
			return "", false, fmt.Errorf("S3 endpoint %q is not host:port or http(s)://host:port", ep)
		}
		return u.Host, u.Scheme == "https", nil
	}
	if _, _, err := net.SplitHostPort(ep); err != nil && strings.Contains(ep, ":") {
		return "", false, fmt.Errorf("S3 endpoint %q is not host:port", ep)
	}
	return ep, tls, nil
}

// describe turns a minio or network error into a short phrase without credentials.
func describe(err error) string {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && resp.Code != "" {
		switch resp.Code {
		case "InvalidAccessKeyId", "SignatureDoesNotMatch":
			return "the access key or secret key is wrong"
		case "AccessDenied":
			return "access denied for these credentials"
		}
		return resp.Code + ": " + resp.Message
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "no answer in time (is the server running and the endpoint right?)"
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return "cannot connect (" + oe.Err.Error() + ")"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer in time (is the server running and the endpoint right?)"
	}
	return err.Error()
}

// mapErr translates a minio error into the store's kinds. minio's own helper
// does not look inside wrapped errors, hence errors.As here.
func mapErr(op, key string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s %s: %w", op, key, err)
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch resp.Code {
		case "NoSuchKey", "NotFound", "NoSuchUpload":
			return storage.Missing(op, key)
		case "InvalidRange":
			return fmt.Errorf("%s %s: range outside blob: %w", op, key, fault.Invalid)
		case "BadDigest", "XAmzContentSHA256Mismatch":
			return fmt.Errorf("%s %s: %s: %w", op, key, resp.Message, fault.Checksum)
		}
		if resp.StatusCode == http.StatusNotFound && resp.Code == "" {
			return storage.Missing(op, key)
		}
	}
	return fmt.Errorf("%s %s: %s: %w", op, key, describe(err), fault.Unavailable)
}

func (s *Store) buffer() *[]byte {
	if b, ok := s.bufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, PartSize)
	return &b
}

// Put uploads r under key, verifying its digest and size before the object
// becomes visible.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) (storage.Info, error) {
	if err := storage.CheckKey(key); err != nil {
		return storage.Info{}, err
	}
	obj := s.prefix + key
	popts := minio.PutObjectOptions{ContentType: opts.ContentType}
	h := sha256.New()
	// Read a first slice sized for small blobs; only a stream that fills it
	// takes a whole part buffer, so many small puts stay small.
	first := make([]byte, smallSize)
	if opts.Size > 0 && opts.Size < smallSize {
		first = first[:opts.Size+1] // one more byte to notice a longer stream
	}
	n, err := io.ReadFull(r, first)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return storage.Info{}, readErr(ctx, key, err)
	}
	var bufp *[]byte
	if n == smallSize {
		bufp = s.buffer()
		defer s.bufs.Put(bufp)
		copy(*bufp, first)
		m, err := io.ReadFull(r, (*bufp)[n:])
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return storage.Info{}, readErr(ctx, key, err)
		}
		first, n = *bufp, n+m
	}
	if n < len(first) {
		// The whole blob fits in memory: check it, then one PUT.
		data := first[:n]
		h.Write(data)
		sum := hex.EncodeToString(h.Sum(nil))
		if err := storage.Verify(key, sum, int64(n), opts); err != nil {
			return storage.Info{}, err
		}
		var info minio.UploadInfo
		err := s.do(ctx, s.putTimeout(n), func(ctx context.Context, core minio.Core) (err error) {
			info, err = core.PutObject(ctx, s.bucket, obj, bytes.NewReader(data), int64(n), "", sum, popts)
			return err
		})
		if err != nil {
			return storage.Info{}, mapErr("put", key, err)
		}
		return storage.Info{Key: key, Size: int64(n), SHA256: sum, Modified: info.LastModified}, nil
	}
	if bufp == nil { // the stream is longer than the expected size
		return storage.Info{}, fmt.Errorf("put %s: content is longer than the expected %d bytes: %w", key, opts.Size, fault.Checksum)
	}
	return s.putMultipart(ctx, key, obj, first, r, h, opts, popts)
}

func (s *Store) putMultipart(ctx context.Context, key, obj string, buf []byte, r io.Reader, h interface {
	io.Writer
	Sum([]byte) []byte
}, opts storage.PutOptions, popts minio.PutObjectOptions) (storage.Info, error) {
	var id string
	err := s.do(ctx, s.timeout, func(ctx context.Context, core minio.Core) (err error) {
		id, err = core.NewMultipartUpload(ctx, s.bucket, obj, popts)
		return err
	})
	if err != nil {
		return storage.Info{}, mapErr("put", key, err)
	}
	done := false
	defer func() {
		if !done {
			// The caller's context may be gone: abort on a short one of our own.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			s.do(actx, s.timeout, func(ctx context.Context, core minio.Core) error {
				return core.AbortMultipartUpload(ctx, s.bucket, obj, id)
			})
			cancel()
		}
	}()
	var parts []minio.CompletePart
	var size int64
	n := len(buf) // the first part is already read
	for part := 1; n > 0; part++ {
		data := buf[:n]
		h.Write(data)
		ps := sha256.Sum256(data)
		var p minio.ObjectPart
		err := s.do(ctx, s.putTimeout(n), func(ctx context.Context, core minio.Core) (err error) {
			p, err = core.PutObjectPart(ctx, s.bucket, obj, id, part, bytes.NewReader(data), int64(n),
				minio.PutObjectPartOptions{Sha256Hex: hex.EncodeToString(ps[:])})
			return err
		})
		if err != nil {
			return storage.Info{}, mapErr("put", key, err)
		}
		parts = append(parts, minio.CompletePart{PartNumber: part, ETag: p.ETag})
		size += int64(n)
		if opts.Size > 0 && size > opts.Size {
			return storage.Info{}, fmt.Errorf("put %s: content is longer than the expected %d bytes: %w", key, opts.Size, fault.Checksum)
		}
		n, err = io.ReadFull(r, buf)
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return storage.Info{}, readErr(ctx, key, err)
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if err := storage.Verify(key, sum, size, opts); err != nil {
		return storage.Info{}, err
	}
	var info minio.UploadInfo
	// Completing joins the parts on the server: for a large object it takes longer than a request.
	err = s.do(ctx, s.putTimeout(int(min(size, 1<<30))), func(ctx context.Context, core minio.Core) (err error) {
		info, err = core.CompleteMultipartUpload(ctx, s.bucket, obj, id, parts, popts)
		return err
	})
	if err != nil {
		return storage.Info{}, mapErr("put", key, err)
	}
	done = true
	return storage.Info{Key: key, Size: size, SHA256: sum, Modified: info.LastModified}, nil
}

// putTimeout bounds a request sending n bytes: the store's timeout, and a
// second more for every MiB (a slow uplink still gets 1 MiB/s).
func (s *Store) putTimeout(n int) time.Duration {
	return s.timeout + time.Duration(n>>20)*time.Second
}

func readErr(ctx context.Context, key string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("put %s: %w", key, ctx.Err())
	}
	return fmt.Errorf("put %s: reading the content: %w", key, err)
}

// Get fetches key, or a range of it, with one request whose errors surface here.
func (s *Store) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	if err := storage.CheckKey(key); err != nil {
		return nil, err
	}
	if off < 0 {
		return nil, fmt.Errorf("range at %d of %s: %w", off, key, fault.Invalid)
	}
	if n == 0 {
		st, err := s.Stat(ctx, key)
		if err != nil {
			return nil, err
		}
		if _, err := storage.CheckRange(key, st.Size, off, n); err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(nil)), nil
	}
	var gopts minio.GetObjectOptions
	if off > 0 || n > 0 {
		end := int64(0)
		if n > 0 {
			end = off + n - 1
		}
		if err := gopts.SetRange(off, end); err != nil {
			return nil, fmt.Errorf("range at %d of %s: %w", off, key, fault.Invalid)
		}
	}
	// The body streams under the caller's context; the wait for its head is
	// bounded by the transport (ResponseHeaderTimeout), so no timeout here.
	var body io.ReadCloser
	var info minio.ObjectInfo
	err := s.do(ctx, 0, func(ctx context.Context, core minio.Core) (err error) {
		body, info, _, err = core.GetObject(ctx, s.bucket, s.prefix+key, gopts)
		return err
	})
	if err != nil {
		err = mapErr("get", key, err)
		if errors.Is(err, fault.Invalid) {
			// A range starting exactly at the end is an empty read, not an error.
			if st, serr := s.Stat(ctx, key); serr == nil && off == st.Size {
				return io.NopCloser(bytes.NewReader(nil)), nil
			}
		}
		return nil, err
	}
	last := int64(-1)   // not known
	if info.Size >= 0 { // the length of what is sent (a range past the end is cut to it)
		last = off + info.Size - 1
	}
	return &body2{ReadCloser: body, s: s, ctx: ctx, key: key, etag: info.ETag, next: off, last: last}, nil
}

// body2 reads a blob's body; a read cut off by a failure of the server or
// the network (a node of a distributed MinIO lost while it streamed) goes
// on from where it stopped, on another node, as long as the object is the
// same (its ETag), a few times at most. Other failures are mapped to
// storage kinds.
type body2 struct {
	io.ReadCloser
	s          *Store
	ctx        context.Context
	key, etag  string
	next, last int64 // the next byte to read and the last one sent (-1: not known)
	resumed    int
}

func (b *body2) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.next += int64(n)
	switch {
	case err == nil:
		return n, nil
	case b.last >= 0 && b.next > b.last:
		return n, io.EOF // all of it came (only its end may not have been seen)
	case err == io.EOF && b.last < 0:
		return n, err
	}
	// Cut off: a body's reader tells it once, then says only EOF.
	if b.resumed < attempts && b.etag != "" && retryable(b.ctx, err) {
		rerr := b.resume()
		if rerr == nil && n > 0 {
			return n, nil
		}
		if rerr == nil {
			return b.Read(p)
		}
	}
	return n, mapErr("read", b.key, err)
}

// resume asks for the rest of the body again.
func (b *body2) resume() error {
	b.resumed++
	var gopts minio.GetObjectOptions
	if err := gopts.SetMatchETag(b.etag); err != nil {
		return err
	}
	if b.last < 0 {
		return errors.New("the length of the body is not known")
	}
	if err := gopts.SetRange(b.next, b.last); err != nil {
		return err
	}
	var body io.ReadCloser
	err := b.s.do(b.ctx, 0, func(ctx context.Context, core minio.Core) (err error) {
		body, _, _, err = core.GetObject(ctx, b.s.bucket, b.s.prefix+b.key, gopts)
		return err
	})
	if err != nil {
		return err
	}
	b.ReadCloser.Close()
	b.ReadCloser = body
	return nil
}

// Stat asks for a blob's size and time.
func (s *Store) Stat(ctx context.Context, key string) (storage.Info, error) {
	if err := storage.CheckKey(key); err != nil {
		return storage.Info{}, err
	}
	var oi minio.ObjectInfo
	err := s.do(ctx, s.timeout, func(ctx context.Context, core minio.Core) (err error) {
		oi, err = core.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
		return err
	})
	if err != nil {
		return storage.Info{}, mapErr("stat", key, err)
	}
	return storage.Info{Key: key, Size: oi.Size, Modified: oi.LastModified}, nil
}

// List pages through the bucket under prefix.
func (s *Store) List(ctx context.Context, prefix string, fn func(storage.Info) error) error {
	if err := storage.CheckPrefix(prefix); err != nil {
		return err
	}
	// A listing that fails midway goes on after the last key it gave.
	var after string
	var fnErr error
	err := s.do(ctx, 0, func(ctx context.Context, core minio.Core) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		for oi := range core.Client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true, StartAfter: after}) {
			if oi.Err != nil {
				return oi.Err
			}
			after = oi.Key
			key := strings.TrimPrefix(oi.Key, s.prefix)
			if storage.CheckKey(key) != nil {
				continue // not ours (staging or foreign objects)
			}
			if fnErr = fn(storage.Info{Key: key, Size: oi.Size, Modified: oi.LastModified}); fnErr != nil {
				return nil
			}
		}
		return ctx.Err()
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return mapErr("list", prefix, err)
	}
	return nil
}

// Delete removes key; a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := storage.CheckKey(key); err != nil {
		return err
	}
	return mapErr("delete", key, s.do(ctx, s.timeout, func(ctx context.Context, core minio.Core) error {
		return core.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{})
	}))
}

// Check asks whether the bucket is there, within two seconds.
func (s *Store) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var ok bool
	err := s.do(ctx, s.timeout, func(ctx context.Context, core minio.Core) (err error) {
		ok, err = core.BucketExists(ctx, s.bucket)
		return err
	})
	if err != nil {
		return fmt.Errorf("S3 bucket %s: %s: %w", s.bucket, describe(err), fault.Unavailable)
	}
	if !ok {
		return fmt.Errorf("S3 bucket %s is gone: %w", s.bucket, fault.Unavailable)
	}
	return nil
}
