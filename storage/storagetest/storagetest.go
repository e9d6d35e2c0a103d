// Package storagetest is the conformance suite every storage.Blobs
// implementation passes, a set of benchmarks for them, and Faulty, a wrapper
// that injects failures so callers' error paths can be tested without a
// broken disk or server.
package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/storage"
)

// Run runs the suite; open returns a new, empty store for each test.
func Run(t *testing.T, open func(t *testing.T) storage.Blobs) {
	tests := []struct {
		name string
		fn   func(*testing.T, storage.Blobs)
	}{
		{"RoundTrip", testRoundTrip},
		{"EmptyBlob", testEmptyBlob},
		{"RangesAtEdges", testRanges},
		{"MissingKey", testMissing},
		{"InvalidKeysRefused", testInvalidKeys},
		{"ChecksumMismatchStoresNothing", testChecksumMismatch},
		{"ChecksumMismatchKeepsExistingBlob", testMismatchKeepsExisting},
		{"SizeMismatchStoresNothing", testSizeMismatch},
		{"LargeMismatchStoresNothing", testLargeMismatch},
		{"ConcurrentPutsSameKey", testConcurrentPuts},
		{"ListByPrefix", testList},
		{"Delete", testDelete},
		{"CancelledPutStoresNothing", testCancelledPut},
		{"CancelledGet", testCancelledGet},
		{"Streams100MiB", testLarge},
		{"Streams1GiBInBoundedMemory", testGiB},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// Pattern returns n deterministic pseudo-random bytes for seed.
func Pattern(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// PatternReader streams n pseudo-random bytes without holding them.
type PatternReader struct {
	r *rand.ChaCha8
	N int64
}

// NewPatternReader returns a reader of n bytes derived from seed.
func NewPatternReader(seed uint64, n int64) *PatternReader {
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	return &PatternReader{r: rand.NewChaCha8(s), N: n}
}

func (p *PatternReader) Read(b []byte) (int, error) {
	if p.N <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.N {
		b = b[:p.N]
	}
	n, _ := p.r.Read(b)
	p.N -= int64(n)
	return n, nil
}

// Sum returns the hex SHA-256 of b.
func Sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// MustPut stores b under key and fails the test on error.
func MustPut(t testing.TB, s storage.Blobs, key string, b []byte) storage.Info {
	t.Helper()
	info, err := s.Put(ctx(t), key, bytes.NewReader(b), storage.PutOptions{Size: int64(len(b))})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return info
}

// MustGet reads a range of key and fails the test on error.
func MustGet(t testing.TB, s storage.Blobs, key string, off, n int64) []byte {
	t.Helper()
	rc, err := s.Get(ctx(t), key, off, n)
	if err != nil {
		t.Fatalf("get %s [%d,%d]: %v", key, off, n, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
	return b
}

func wantErr(t *testing.T, what string, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: got error %v, want %v", what, err, kind)
	}
}

func testRoundTrip(t *testing.T, s storage.Blobs) {
	data := Pattern(1, 300_000)
	info := MustPut(t, s, "a/b/c.bin", data)
	if info.SHA256 != Sum(data) || info.Size != int64(len(data)) || info.Key != "a/b/c.bin" {
		t.Fatalf("put returned %+v, want sha %s size %d", info, Sum(data), len(data))
	}
	if got := MustGet(t, s, "a/b/c.bin", 0, -1); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, differing from the %d stored", len(got), len(data))
	}
	st, err := s.Stat(ctx(t), "a/b/c.bin")
	if err != nil || st.Size != int64(len(data)) {
		t.Fatalf("stat = %+v, %v", st, err)
	}
	if time.Since(st.Modified) > time.Hour || st.Modified.IsZero() {
		t.Fatalf("stat time %v is not now", st.Modified)
	}
	// An unknown size and an expected digest both work.
	info, err = s.Put(ctx(t), "a/d", bytes.NewReader(data), storage.PutOptions{SHA256: Sum(data)})
	if err != nil || info.SHA256 != Sum(data) {
		t.Fatalf("put with digest: %+v, %v", info, err)
	}
}

func testEmptyBlob(t *testing.T, s storage.Blobs) {
	info, err := s.Put(ctx(t), "empty", bytes.NewReader(nil), storage.PutOptions{SHA256: Sum(nil)})
	if err != nil || info.Size != 0 {
		t.Fatalf("put empty: %+v, %v", info, err)
	}
	if got := MustGet(t, s, "empty", 0, -1); len(got) != 0 {
		t.Fatalf("empty blob read %d bytes", len(got))
	}
	if got := MustGet(t, s, "empty", 0, 0); len(got) != 0 {
		t.Fatalf("empty range read %d bytes", len(got))
	}
	st, err := s.Stat(ctx(t), "empty")
	if err != nil || st.Size != 0 {
		t.Fatalf("stat empty: %+v, %v", st, err)
	}
	_, err = s.Get(ctx(t), "empty", 1, -1)
	wantErr(t, "range past an empty blob", err, fault.Invalid)
}

func testRanges(t *testing.T, s storage.Blobs) {
	data := Pattern(2, 100_000)
	size := int64(len(data))
	MustPut(t, s, "r", data)
	cases := []struct{ off, n, wantOff, wantN int64 }{
		{0, 1, 0, 1},
		{0, -1, 0, size},
		{0, size, 0, size},
		{0, size + 10, 0, size},
		{size - 1, 1, size - 1, 1},
		{size - 1, -1, size - 1, 1},
		{size - 1, 5, size - 1, 1},
		{size, -1, size, 0},
		{size, 0, size, 0},
		{size, 1, size, 0},
		{32768, 32768, 32768, 32768},
		{5, 0, 5, 0},
	}
	for _, c := range cases {
		got := MustGet(t, s, "r", c.off, c.n)
		if !bytes.Equal(got, data[c.wantOff:c.wantOff+c.wantN]) {
			t.Errorf("range (%d,%d): got %d bytes, want %d from %d", c.off, c.n, len(got), c.wantN, c.wantOff)
		}
	}
	for _, off := range []int64{size + 1, -1, 1 << 40} {
		_, err := s.Get(ctx(t), "r", off, 10)
		wantErr(t, fmt.Sprintf("range at %d", off), err, fault.Invalid)
	}
}

func testMissing(t *testing.T, s storage.Blobs) {
	_, err := s.Get(ctx(t), "no/such/blob", 0, -1)
	wantErr(t, "get missing", err, fault.NotFound)
	_, err = s.Get(ctx(t), "no/such/blob", 10, 10)
	wantErr(t, "ranged get missing", err, fault.NotFound)
	_, err = s.Stat(ctx(t), "no/such/blob")
	wantErr(t, "stat missing", err, fault.NotFound)
	if err := s.Delete(ctx(t), "no/such/blob"); err != nil {
		t.Fatalf("deleting a missing key: %v", err)
	}
	MustPut(t, s, "dir/file", []byte("x"))
	_, err = s.Stat(ctx(t), "dir")
	wantErr(t, "stat of a key's parent", err, fault.NotFound)
	_, err = s.Get(ctx(t), "dir", 0, -1)
	wantErr(t, "get of a key's parent", err, fault.NotFound)
	// The layers above tell a stored file gone missing (logged as damage)
	// from an unknown identifier by IsMissing, not by the message's text.
	_, err = s.Get(ctx(t), "no/such/blob", 0, -1)
	if !storage.IsMissing(err) || fault.RecordOf(err) != "no/such/blob" {
		t.Fatalf("get missing: %v is not storage's missing blob no/such/blob", err)
	}
}

func testInvalidKeys(t *testing.T, s storage.Blobs) {
	MustPut(t, s, "safe", []byte("keep"))
	for _, key := range []string{"", "../escape", "a/../../b", "/abs", "a//b", ".tmp/x", "a/.hidden", "a\\b", "a b", "a/", "é", "a\x00b", string(make([]byte, storage.MaxKeyLen+1))} {
		_, err := s.Put(ctx(t), key, bytes.NewReader([]byte("x")), storage.PutOptions{})
		wantErr(t, fmt.Sprintf("put %q", key), err, fault.Invalid)
		_, err = s.Get(ctx(t), key, 0, -1)
		wantErr(t, fmt.Sprintf("get %q", key), err, fault.Invalid)
		_, err = s.Stat(ctx(t), key)
		wantErr(t, fmt.Sprintf("stat %q", key), err, fault.Invalid)
		wantErr(t, fmt.Sprintf("delete %q", key), s.Delete(ctx(t), key), fault.Invalid)
	}
	wantErr(t, "list ../", s.List(ctx(t), "../", func(storage.Info) error { return nil }), fault.Invalid)
	if got := MustGet(t, s, "safe", 0, -1); string(got) != "keep" {
		t.Fatalf("refused keys damaged another blob: %q", got)
	}
}

func testChecksumMismatch(t *testing.T, s storage.Blobs) {
	data := Pattern(3, 5000)
	_, err := s.Put(ctx(t), "bad", bytes.NewReader(data), storage.PutOptions{SHA256: Sum([]byte("other"))})
	wantErr(t, "put with wrong digest", err, fault.Checksum)
	_, err = s.Stat(ctx(t), "bad")
	wantErr(t, "stat after mismatch", err, fault.NotFound)
	assertKeys(t, s, "", nil)
}

func testMismatchKeepsExisting(t *testing.T, s storage.Blobs) {
	good := Pattern(4, 7000)
	MustPut(t, s, "k", good)
	_, err := s.Put(ctx(t), "k", bytes.NewReader(Pattern(5, 7000)), storage.PutOptions{SHA256: Sum(good)})
	wantErr(t, "overwrite with wrong digest", err, fault.Checksum)
	if got := MustGet(t, s, "k", 0, -1); !bytes.Equal(got, good) {
		t.Fatal("a refused put damaged the blob already stored")
	}
}

func testSizeMismatch(t *testing.T, s storage.Blobs) {
	data := Pattern(6, 1000)
	for _, size := range []int64{999, 1001, 50 << 20} {
		_, err := s.Put(ctx(t), "sized", bytes.NewReader(data), storage.PutOptions{Size: size})
		wantErr(t, fmt.Sprintf("put of 1000 bytes declared as %d", size), err, fault.Checksum)
	}
	assertKeys(t, s, "", nil)
}

func testLargeMismatch(t *testing.T, s storage.Blobs) {
	// Large enough to take a multipart path in backends that have one.
	const n = 40 << 20
	_, err := s.Put(ctx(t), "big/bad", NewPatternReader(7, n), storage.PutOptions{SHA256: Sum(nil)})
	wantErr(t, "large put with wrong digest", err, fault.Checksum)
	_, err = s.Put(ctx(t), "big/bad", NewPatternReader(7, n), storage.PutOptions{Size: n - 1})
	wantErr(t, "large put longer than declared", err, fault.Checksum)
	assertKeys(t, s, "", nil)
}

func testConcurrentPuts(t *testing.T, s storage.Blobs) {
	versions := [][]byte{Pattern(10, 200_000), Pattern(11, 150_000), Pattern(12, 250_000), Pattern(13, 1)}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := versions[i%len(versions)]
			_, err := s.Put(ctx(t), "same", bytes.NewReader(data), storage.PutOptions{SHA256: Sum(data)})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent put: %v", err)
		}
	}
	got := MustGet(t, s, "same", 0, -1)
	if !slices.ContainsFunc(versions, func(v []byte) bool { return bytes.Equal(v, got) }) {
		t.Fatalf("after concurrent puts the blob (%d bytes) is none of the versions written: interleaved", len(got))
	}
	assertKeys(t, s, "", []string{"same"})
}

func assertKeys(t *testing.T, s storage.Blobs, prefix string, want []string) {
	t.Helper()
	var got []string
	if err := s.List(ctx(t), prefix, func(i storage.Info) error { got = append(got, i.Key); return nil }); err != nil {
		t.Fatalf("list %q: %v", prefix, err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("list %q = %q, want %q", prefix, got, want)
	}
}

func testList(t *testing.T, s storage.Blobs) {
	for _, k := range []string{"records/items/a1/v1.json", "records/items/a1/v2.json", "records/items/a2/v1.json", "records/itemsx", "records/collections/c/v1.json", "blobs/sha256/ab/cd/abcd", "top"} {
		MustPut(t, s, k, []byte(k))
	}
	assertKeys(t, s, "records/items/", []string{"records/items/a1/v1.json", "records/items/a1/v2.json", "records/items/a2/v1.json"})
	assertKeys(t, s, "records/items", []string{"records/items/a1/v1.json", "records/items/a1/v2.json", "records/items/a2/v1.json", "records/itemsx"})
	assertKeys(t, s, "records/items/a", []string{"records/items/a1/v1.json", "records/items/a1/v2.json", "records/items/a2/v1.json"})
	assertKeys(t, s, "records/items/a1/", []string{"records/items/a1/v1.json", "records/items/a1/v2.json"})
	assertKeys(t, s, "nothing/", nil)
	var n int
	if err := s.List(ctx(t), "", func(i storage.Info) error {
		n++
		if i.Size != int64(len(i.Key)) {
			t.Errorf("list reports %s as %d bytes, want %d", i.Key, i.Size, len(i.Key))
		}
		return nil
	}); err != nil || n != 7 {
		t.Fatalf("list all: %d keys, %v", n, err)
	}
	stop := errors.New("stop")
	if err := s.List(ctx(t), "", func(storage.Info) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("list did not return the callback's error: %v", err)
	}
}

func testDelete(t *testing.T, s storage.Blobs) {
	MustPut(t, s, "d/x", []byte("x"))
	MustPut(t, s, "d/y", []byte("y"))
	if err := s.Delete(ctx(t), "d/x"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Stat(ctx(t), "d/x")
	wantErr(t, "stat after delete", err, fault.NotFound)
	assertKeys(t, s, "", []string{"d/y"})
}

// stallReader yields some bytes, then blocks until its context ends.
type stallReader struct {
	ctx  context.Context
	left int
}

func (r *stallReader) Read(p []byte) (int, error) {
	if r.left > 0 {
		n := min(len(p), r.left)
		r.left -= n
		return n, nil
	}
	<-r.ctx.Done()
	return 0, r.ctx.Err()
}

func testCancelledPut(t *testing.T, s storage.Blobs) {
	for _, size := range []int{1000, 20 << 20} {
		c, cancel := context.WithCancel(ctx(t))
		done := make(chan error, 1)
		go func() {
			_, err := s.Put(c, "cancelled", &stallReader{ctx: c, left: size}, storage.PutOptions{})
			done <- err
		}()
		time.AfterFunc(100*time.Millisecond, cancel)
		select {
		case err := <-done:
			wantErr(t, "cancelled put", err, context.Canceled)
		case <-time.After(time.Minute):
			t.Fatal("put did not return within a minute of its context being cancelled")
		}
		_, err := s.Stat(ctx(t), "cancelled")
		wantErr(t, "stat after cancelled put", err, fault.NotFound)
	}
}

func testCancelledGet(t *testing.T, s storage.Blobs) {
	MustPut(t, s, "g", Pattern(8, 1000))
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	rc, err := s.Get(c, "g", 0, -1)
	if err == nil {
		// Some backends open lazily; the read must fail then.
		_, err = io.ReadAll(rc)
		rc.Close()
		if err == nil {
			return // a local file read needs no context; nothing hangs
		}
	}
	wantErr(t, "get with a cancelled context", err, context.Canceled)
}

func testLarge(t *testing.T, s storage.Blobs) {
	if testing.Short() {
		t.Skip("100 MiB stream skipped in -short mode")
	}
	const n = 100 << 20
	src := NewPatternReader(9, n)
	h := sha256.New()
	before := totalAlloc()
	info, err := s.Put(ctx(t), "large", io.TeeReader(src, h), storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	allocated := totalAlloc() - before
	want := hex.EncodeToString(h.Sum(nil))
	if info.SHA256 != want || info.Size != n {
		t.Fatalf("large put returned %+v, want %s", info, want)
	}
	// Holding the blob would allocate at least its size.
	if allocated > 48<<20 {
		t.Errorf("putting 100 MiB allocated %d MiB: the blob is being held in memory", allocated>>20)
	}
	rc, err := s.Get(ctx(t), "large", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	h2 := sha256.New()
	before = totalAlloc()
	m, err := io.CopyBuffer(h2, rc, make([]byte, 64<<10))
	allocated = totalAlloc() - before
	if err != nil || m != n || hex.EncodeToString(h2.Sum(nil)) != want {
		t.Fatalf("large read back: %d bytes, %v", m, err)
	}
	if allocated > 48<<20 {
		t.Errorf("reading 100 MiB allocated %d MiB", allocated>>20)
	}
	got := MustGet(t, s, "large", n-32768, -1)
	if len(got) != 32768 {
		t.Fatalf("tail range: %d bytes", len(got))
	}
}

func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

func testGiB(t *testing.T, s storage.Blobs) {
	if testing.Short() {
		t.Skip("1 GiB stream skipped in -short mode")
	}
	runtime.GC()
	runtime.GC() // twice: pooled buffers survive one collection
	if !ResetPeakRSS() {
		t.Skip("peak memory cannot be measured on this system")
	}
	base, _ := RSS()
	const n = 1 << 30
	info, err := s.Put(ctx(t), "gib", NewPatternReader(11, n), storage.PutOptions{Size: n})
	if err != nil || info.Size != n {
		t.Fatalf("put 1 GiB: %+v, %v", info, err)
	}
	rc, err := s.Get(ctx(t), "gib", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	m, err := io.CopyBuffer(h, rc, make([]byte, 256<<10))
	rc.Close()
	if err != nil || m != n || hex.EncodeToString(h.Sum(nil)) != info.SHA256 {
		t.Fatalf("read back 1 GiB: %d bytes, %v", m, err)
	}
	_, peak := RSS()
	grew := (peak - base) >> 20
	t.Logf("streaming 1 GiB in and out raised peak RSS by %d MiB", grew)
	if grew > 64 {
		t.Errorf("streaming 1 GiB raised memory by %d MiB, more than 64", grew)
	}
	s.Delete(ctx(t), "gib")
}
