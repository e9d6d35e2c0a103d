package annotation

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// BenchmarkPageOfAThousand answers the first page of a canvas holding
// 1,000 public annotations and 1,000 private ones of another person, as an
// anonymous visitor would ask for it, and reports its p95.
func BenchmarkPageOfAThousand(b *testing.B) {
	ctx := context.Background()
	s, w := benchService(b)
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		a, err := s.Page(ctx, access.Principal{}, w, 0, false)
		if err != nil {
			b.Fatal(err)
		}
		if got := len(a.Doc.(map[string]any)["items"].([]any)); got != PageSize {
			b.Fatalf("%d annotations on the first page", got)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds()), "p95-µs")
}

// BenchmarkPublicCanvases is what a manifest asks of the annotations of
// an item whose one canvas holds 2,000 (half of them public).
func BenchmarkPublicCanvases(b *testing.B) {
	s, w := benchService(b)
	b.ResetTimer()
	for range b.N {
		if got, err := s.PublicCanvases(w.Item); err != nil || len(got) != 1 {
			b.Fatal(got, err)
		}
	}
}

// benchService is a service on a store whose item's one canvas holds
// 2,000 annotations by two people, every other one public.
func benchService(b *testing.B) (*Service, Where) {
	b.Helper()
	ctx := context.Background()
	blobs, err := local.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	store, err := bolt.Open(ctx, filepath.Join(b.TempDir(), "a.db"), blobs)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	it := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Palm-leaf law"}, Access: repository.Access{Level: repository.Public},
		Files: []repository.File{{Name: "p1.jpg", SHA256: fmt.Sprintf("%064x", 1), MediaType: "image/jpeg", Size: 1}}}
	if err := store.SaveItem(ctx, it, "bench"); err != nil {
		b.Fatal(err)
	}
	s := &Service{Store: store, PerMinute: 1 << 30}
	w := Where{Base: "http://example.com", Item: it.ID, Canvas: 1}
	for i := range 2000 {
		audience := []string{"public", "private"}[i%2]
		body := fmt.Sprintf(`{"@context": %q, "type": "Annotation", "motivation": "commenting", "audience": %q,
		 "body": {"type": "TextualBody", "value": "บันทึก %d", "language": "th"}, "target": "%s#xywh=1,2,3,4"}`, Context, audience, i, w.CanvasURI(1))
		if _, err := s.Create(ctx, access.Principal{User: fmt.Sprint("u", i%2), Role: access.Reader}, w, []byte(body)); err != nil {
			b.Fatal(err)
		}
	}
	return s, w
}
