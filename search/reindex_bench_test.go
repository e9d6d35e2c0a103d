package search

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaiarchives/archive/search/searchtest"
)

// peakHeap samples the heap in use until stop is called, and returns the
// highest figure seen.
func peakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// BenchmarkReindex rebuilds an index on disk from generated records at two
// sizes, and reports the time per record and the peak heap beyond what the
// heap held before (the records themselves).
func BenchmarkReindex(b *testing.B) {
	words, err := searchtest.Words()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			src := searchtest.Generate(n, words, nil)
			runtime.GC()
			var base runtime.MemStats
			runtime.ReadMemStats(&base)
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				x, err := Open(b.TempDir(), src, Options{})
				if err != nil {
					b.Fatal(err)
				}
				stop := peakHeap()
				if _, err := x.Rebuild(context.Background()); err != nil {
					b.Fatal(err)
				}
				peak = max(peak, stop())
				x.Close()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/record")
			b.ReportMetric(float64(peak-min(peak, base.HeapInuse))/(1<<20), "peak-heap-MiB")
			// The generated records are in the heap too (a store keeps them
			// in its file), and the collector lets the heap grow in
			// proportion to all that is live: the peak includes that share.
			b.ReportMetric(float64(base.HeapInuse)/(1<<20), "records-heap-MiB")
		})
	}
}
