package harvest

import (
	"bytes"
	"encoding/xml"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
)

// BenchmarkHarvest harvests b.N records of DSpace's shape from the stand-in
// provider, 100 to a page, into a real store, and reports records a
// second and the largest heap seen (sampled every 10 ms): memory must not
// grow with the source.
func BenchmarkHarvest(b *testing.B) {
	s, st := fixture(b)
	p := &provider{theses: b.N, page: 100}
	srv := startProvider(b, p)
	src := addSource(b, s, srv.URL, "")
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	b.ResetTimer()
	start := time.Now()
	got, err := s.Run(ctx, admin, src.ID)
	elapsed := time.Since(start)
	b.StopTimer()
	close(stop)
	<-done
	if err != nil || got.Run.Added != b.N {
		b.Fatalf("%+v, %v", got.Run, err)
	}
	if ids, _ := st.EntryIdentifiers(src.ID); len(ids) != b.N {
		b.Fatalf("%d entries, want %d", len(ids), b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}

// BenchmarkReadAndMap reads one record's metadata into its tree and maps
// it, for a thesis in each format: the harvester's own cost per record.
func BenchmarkReadAndMap(b *testing.B) {
	for _, c := range []struct{ format, path string }{
		{"mods", "testdata/mods/thai-thesis.xml"},
		{"marcxml", "testdata/marcxml/thai-thesis.xml"},
		{"ead", "testdata/ead/ncsu-rbc00001.xml"},
	} {
		data, err := os.ReadFile(c.path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.format, func(b *testing.B) {
			src := &repository.Source{ID: "s1", Format: c.format}
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				d := xml.NewDecoder(bytes.NewReader(data))
				for {
					tok, err := d.Token()
					if err != nil {
						b.Fatal(err)
					}
					if start, ok := tok.(xml.StartElement); ok {
						root, _, err := readTree(d, start, maxRecord)
						if err != nil {
							b.Fatal(err)
						}
						rec := &record{}
						rec.Header.Identifier = "oai:x:1"
						rec.Metadata.Root = root
						if _, err := mapRecord(src, rec); err != nil {
							b.Fatal(err)
						}
						break
					}
				}
			}
		})
	}
}
