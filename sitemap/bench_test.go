package sitemap

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// BenchmarkSitemapPage reads and writes the first and the last page of
// 1,000 addresses of an archive of 12,000 items (every tenth restricted,
// so left out), and counts the pages as the index does: the last page,
// past 10,000 listed items, costs what the first does. (Saving the items
// takes about two minutes.) Last run: 9.5 ms and 2.2 MB for the first
// page, 7.1 ms and 1.8 MB for the last (803 addresses), 28 µs for the
// count of pages. With 66,000 items and pages of 50,000, the
// first page took 0.51 s and 125 MB of allocations, the second (9,403
// addresses) 0.10 s and 23 MB, the count of pages 0.1 ms.
func BenchmarkSitemapPage(b *testing.B) {
	ctx := context.Background()
	blobs, err := local.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	store, err := bolt.Open(ctx, filepath.Join(b.TempDir(), "a.db"), blobs)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	const n = 12_000
	start := time.Now()
	for i := range n {
		it := &repository.Item{Institution: []string{"cmu", "tu", "chula"}[i%3], Title: repository.Text{"en": fmt.Sprint("item ", i)}}
		if i%10 == 0 {
			it.Access.Level = repository.Restricted
		}
		if err := store.SaveItem(ctx, it, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d items saved in %s", n, time.Since(start))
	s := &Service{Store: store, PerPage: 1000}
	b.Run("pages", func(b *testing.B) {
		for b.Loop() {
			if p, err := s.Pages(ctx); err != nil || p != 11 {
				b.Fatalf("%d pages (%v)", p, err)
			}
		}
	})
	for _, page := range []int{1, 11} {
		b.Run(fmt.Sprintf("page-%d", page), func(b *testing.B) {
			for b.Loop() {
				urls, err := s.Page(ctx, "https://archive.example.ac.th", page)
				if err != nil || len(urls) < 800 {
					b.Fatalf("%d addresses (%v)", len(urls), err)
				}
				if err := WriteURLSet(io.Discard, urls); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
