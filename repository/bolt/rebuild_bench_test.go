package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// memBlobs keeps records in memory, so that a benchmark of rebuild
// measures the metadata store and not the disk.
type memBlobs struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (b *memBlobs) Put(_ context.Context, key string, r io.Reader, _ storage.PutOptions) (storage.Info, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return storage.Info{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string][]byte{}
	}
	b.m[key] = data
	return storage.Info{Key: key, Size: int64(len(data))}, nil
}

func (b *memBlobs) Get(_ context.Context, key string, _, _ int64) (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.m[key]
	if !ok {
		return nil, fmt.Errorf("blob %s: %w", key, fault.NotFound)
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (b *memBlobs) List(_ context.Context, prefix string, fn func(storage.Info) error) error {
	b.mu.Lock()
	var keys []string
	for k, v := range b.m {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k+"\x00"+fmt.Sprint(len(v)))
		}
	}
	b.mu.Unlock()
	sort.Strings(keys)
	for _, k := range keys {
		key, _, _ := strings.Cut(k, "\x00")
		if err := fn(storage.Info{Key: key}); err != nil {
			return err
		}
	}
	return nil
}

// archiveOf writes the records of n bilingual items (a collection for each
// thousand, a creation event for each item and a change for every fourth)
// straight into blobs, as the store would have written them.
func archiveOf(tb testing.TB, blobs repository.Blobs, n int) {
	tb.Helper()
	put := func(key string, r record) {
		r.Schema = repository.SchemaVersion
		b, err := json.Marshal(r)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := blobs.Put(ctx, key, bytes.NewReader(b), storage.PutOptions{}); err != nil {
			tb.Fatal(err)
		}
	}
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		now := start.Add(time.Duration(i) * time.Minute)
		col := fmt.Sprintf("col-%04d", i/1000)
		if i%1000 == 0 {
			put(repository.RecordKey("collections", col, 1), record{Kind: "collection", Collection: &repository.Collection{ID: col, Institution: "cmu",
				Level: repository.Fonds, Title: repository.Text{"th": "ชุด " + col, "en": "Fonds " + col}, Version: 1, Created: now, Modified: now}})
		}
		id := fmt.Sprintf("it%08d", (i*7919)%n) // not in creation order
		it := &repository.Item{ID: id, Institution: "cmu", Collection: col, Type: "Text", Date: "1950",
			Title:   repository.Text{"th": "เอกสารที่ " + id, "en": "Document " + id},
			Version: 1, Created: now, Modified: now}
		events := []repository.Event{{ID: fmt.Sprintf("%016x-aaaaaa", now.UnixNano()), Time: now, Type: "creation", Object: id, Agent: "bench", Outcome: "success"}}
		if i%4 == 0 {
			it.Version, it.Modified = 2, now.Add(30*time.Second)
			events = append(events, repository.Event{ID: fmt.Sprintf("%016x-bbbbbb", it.Modified.UnixNano()), Time: it.Modified, Type: "modification", Object: id, Agent: "bench", Outcome: "success"})
		}
		put(repository.RecordKey("items", id, it.Version), record{Kind: "item", Item: it})
		for _, e := range events {
			put(eventKey(&e), record{Kind: "events", Events: []repository.Event{e}})
		}
	}
}

// BenchmarkRebuild measures a whole rebuild per record (items and their
// events) at two sizes: a linear rebuild costs the same per record at both.
func BenchmarkRebuild(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			blobs := &memBlobs{}
			archiveOf(b, blobs, n)
			records := 0
			blobs.List(ctx, "records/", func(storage.Info) error { records++; return nil })
			dir := b.TempDir()
			b.ReportAllocs()
			var before, after syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &before)
			for i := 0; b.Loop(); i++ {
				if _, err := Rebuild(ctx, filepath.Join(dir, fmt.Sprintf("%d.db", i)), blobs, false); err != nil {
					b.Fatal(err)
				}
			}
			syscall.Getrusage(syscall.RUSAGE_SELF, &after)
			cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(records), "ns/record")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(records), "cpu-ns/record")
		})
	}
}
