package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// BenchmarkBatchCreation creates 5,000 upload batches, as one person with
// a script may, and reports the heap they leave behind (heap-MB, after a
// collection) and how many are kept (kept).
func BenchmarkBatchCreation(b *testing.B) {
	for range b.N {
		e := newUploadEnv(b, 0)
		title := strings.Repeat("ก", 2000)
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range 5000 {
			body := fmt.Sprintf(`{"institution":"tu","expected":1,"title":"%s %d"}`, title, i)
			r := httptest.NewRequest("POST", "/api/v1/batches", bytes.NewReader([]byte(body)))
			r.Header.Set("Authorization", "Bearer "+token)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			e.srv.ServeHTTP(w, r)
			if w.Code != http.StatusCreated && w.Code != http.StatusTooManyRequests {
				b.Fatalf("batch %d: %d %s", i, w.Code, w.Body)
			}
		}
		var after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&after)
		entries, err := os.ReadDir(filepath.Join(e.cfg.UploadDir, "batches"))
		if err != nil {
			b.Fatal(err)
		}
		kept := len(entries)
		b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/(1<<20), "heap-MB")
		b.ReportMetric(float64(kept), "kept")
	}
}
