package repository

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaiarchives/archive/storage/s3/miniotest"
)

// BenchmarkConcurrentEditsMinIO measures edits a second when 16 people each
// edit their own item at once, the records going to a real MinIO server.
func BenchmarkConcurrentEditsMinIO(b *testing.B) {
	const editors = 16
	blobs := miniotest.Start(b).Open(b, "edits", "")
	s, err := Open(ctx, filepath.Join(b.TempDir(), "a.db"), blobs)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ids := make([]string, editors)
	for i := range ids {
		it := &Item{Institution: "cmu", Title: Text{"en": fmt.Sprint("item ", i)}}
		if err := s.SaveItem(ctx, it, "bench"); err != nil {
			b.Fatal(err)
		}
		ids[i] = it.ID
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, editors)
	b.ResetTimer()
	start := time.Now()
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				it, err := s.Item(id)
				if err == nil {
					it.Title["en"] = fmt.Sprint("edit ", it.Version)
					err = s.SaveItem(ctx, it, "bench")
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "edits/s")
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}
