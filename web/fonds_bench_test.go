package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// bigFonds builds a fonds of 10,111 units: 10 sub-fonds of 10 series of
// 10 files of 9 items, each described in Thai and English.
func bigFonds(b testing.TB) *fixture {
	b.Helper()
	ctx := context.Background()
	blobs, _ := local.Open(b.TempDir())
	store, err := bolt.Open(ctx, filepath.Join(b.TempDir(), "a.db"), blobs)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	seedAdmin(b, store)
	var cols []*repository.Collection
	add := func(id, parent string, level repository.Level, order int) {
		cols = append(cols, &repository.Collection{ID: id, Institution: "cmu", Parent: parent, Level: level, Order: float64(order),
			Title:       repository.Text{"th": "หน่วย " + id, "en": "Unit " + id},
			Description: &repository.Description{ReferenceCode: strings.ToUpper(id), Date: "1932/1945", Scope: repository.Text{"th": "ขอบเขต", "en": "Scope"}}})
	}
	add("big", "", repository.Fonds, 1)
	for a := range 10 {
		sa := fmt.Sprintf("big-%d", a)
		add(sa, "big", repository.SubFonds, a)
		for s := range 10 {
			ss := fmt.Sprintf("%s-%d", sa, s)
			add(ss, sa, repository.Series, s)
			for f := range 10 {
				ff := fmt.Sprintf("%s-%d", ss, f)
				add(ff, ss, repository.FileLevel, f)
				for i := range 9 {
					add(fmt.Sprintf("%s-%d", ff, i), ff, repository.ItemLevel, i)
				}
			}
		}
	}
	if err := store.AddCollections(ctx, cols, "bench"); err != nil {
		b.Fatal(err)
	}
	srv, err := New(withServices(b, Config{Store: store, Blobs: blobs, Hosts: testHosts}))
	if err != nil {
		b.Fatal(err)
	}
	return &fixture{srv: srv}
}

func benchPage(b *testing.B, path string, hdr ...string) {
	f := bigFonds(b)
	w := f.do(b, "GET", path, hdr...)
	body := w.Body.Bytes()
	if w.Header().Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			b.Fatal(err)
		}
	}
	if w.Code != http.StatusOK || !bytes.Contains(body, []byte("big-9-9-8-8")) {
		b.Fatalf("%s: %d %.200s", path, w.Code, w.Body.String())
	}
	for b.Loop() {
		if w := f.do(b, "GET", path, hdr...); w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
	b.ReportMetric(float64(w.Body.Len())/(1<<20), "MiB/answer")
}

// BenchmarkOutline10k: the desk's outline of a 10,111-unit fonds.
func BenchmarkOutline10k(b *testing.B) {
	benchPage(b, "/desk/fonds/big", "Authorization", "Bearer "+token)
}

// BenchmarkOutline10kGzip: the same outline to a browser, which accepts gzip.
func BenchmarkOutline10kGzip(b *testing.B) {
	benchPage(b, "/desk/fonds/big", "Authorization", "Bearer "+token, "Accept-Encoding", "gzip")
}

// BenchmarkFindingAid10kGzip: the public finding aid to a browser.
func BenchmarkFindingAid10kGzip(b *testing.B) {
	benchPage(b, "/fonds/big", "Accept-Encoding", "gzip")
}

// BenchmarkNestedCollection10k: the same fonds as one nested IIIF collection.
func BenchmarkNestedCollection10k(b *testing.B) {
	benchPage(b, "/iiif/3/collection/big/tree")
}

// BenchmarkFindingAid10k: the public finding aid of the same fonds.
func BenchmarkFindingAid10k(b *testing.B) {
	benchPage(b, "/fonds/big")
}
