package storagetest

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/thaiarchives/archive/storage"
)

// Bench measures put and get throughput of 1 MiB and 100 MiB blobs and
// ranged reads of 32 KiB (a tile's typical size) from a store.
func Bench(b *testing.B, s storage.Blobs) {
	ctx := context.Background()
	for _, size := range []int64{1 << 20, 100 << 20} {
		name := fmt.Sprintf("%dMiB", size>>20)
		b.Run("Put"+name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := s.Put(ctx, fmt.Sprintf("bench/put%d/%d", size, i%4), NewPatternReader(uint64(i), size), storage.PutOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		key := fmt.Sprintf("bench/get%d", size)
		if _, err := s.Put(ctx, key, NewPatternReader(1, size), storage.PutOptions{}); err != nil {
			b.Fatal(err)
		}
		b.Run("Get"+name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			buf := make([]byte, 256<<10)
			for b.Loop() {
				rc, err := s.Get(ctx, key, 0, -1)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.CopyBuffer(io.Discard, rc, buf); err != nil {
					b.Fatal(err)
				}
				rc.Close()
			}
		})
	}
	key := "bench/ranged"
	const size = 64 << 20
	if _, err := s.Put(ctx, key, NewPatternReader(2, size), storage.PutOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Run("GetRange32KiB", func(b *testing.B) {
		b.SetBytes(32 << 10)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := int64(0)
			local := make([]byte, 32<<10)
			for pb.Next() {
				off := (i * 7919 * 32 << 10) % (size - 32<<10)
				i++
				rc, err := s.Get(ctx, key, off, 32<<10)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(rc, local); err != nil {
					b.Fatal(err)
				}
				rc.Close()
			}
		})
	})
}
