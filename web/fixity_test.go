package web

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fixity"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/storage/storagetest"
)

type fixedStatus fixity.State

func (f fixedStatus) Status() fixity.State { return fixity.State(f) }

func TestFixityPageShowsAdministratorsWhatIsDamagedInBothLanguages(t *testing.T) {
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	seedAdmin(t, store)
	found := fixity.Finding{Item: "b7k2m9q4x1", File: "scan001.tif", Role: "access", Key: "derivatives/ab/cd/abcd/p1.tif", Outcome: fixity.Damaged, Time: time.Now()}
	st := fixity.State{Report: fixity.Report{Started: time.Now(), Items: 41, Blobs: 120, Bytes: 3 << 20, Damaged: 1, Findings: []fixity.Finding{found}}, After: "b7k2m9q4x1"}
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts, Fixity: fixedStatus(st)}))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{srv: srv}
	for lang, words := range map[string][]string{
		"en": {"Pass under way", "access copy", "content differs from its recorded SHA-256", "archive repair --from", `href="/desk/items/b7k2m9q4x1"`},
		"th": {"รอบที่กำลังตรวจ", "สำเนาสำหรับเปิดดู", "เนื้อหาไม่ตรงกับ SHA-256 ที่บันทึกไว้", "archive repair --from"},
	} {
		w := f.do(t, "GET", "/desk/fixity?lang="+lang, "Authorization", "Bearer "+token)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", lang, w.Code, w.Body)
		}
		for _, want := range words {
			if !strings.Contains(w.Body.String(), want) {
				t.Errorf("%s page lacks %q", lang, want)
			}
		}
		if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "private") && !strings.Contains(cc, "no-store") {
			t.Errorf("%s page is cacheable: %q", lang, cc)
		}
	}
	if w := f.do(t, "GET", "/desk/fixity"); w.Code == 200 {
		t.Fatalf("an anonymous visitor sees the fixity page")
	}
}

// BenchmarkTileDuringAudit measures canonical tile requests while a fixity
// audit re-reads the archive: none running, one at the service's default
// pace (16 MiB/s), and one unpaced; audit-MiB/s is the rate it read.
func BenchmarkTileDuringAudit(b *testing.B) {
	e := newIIIFEnv(b)
	// Large masters, so the audit's time goes to reading, as in an archive
	// of scans: 16 items of 4 MiB.
	for i := range 16 {
		data := storagetest.Pattern(uint64(i+7), 4<<20)
		info := storagetest.MustPut(b, e.blobs, storage.DigestKey(storagetest.Sum(data)), data)
		f := repository.File{Name: fmt.Sprintf("big%d.tif", i), SHA256: info.SHA256, Size: info.Size, MediaType: "image/tiff"}
		if err := e.store.SaveItem(context.Background(), &repository.Item{Institution: "tu", Title: repository.Text{"en": "Big"}, Files: []repository.File{f}}, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	var paths []string
	for _, t := range []string{"0,0,256,256/256,", "256,0,256,256/256,", "512,256,256,256/256,", "768,512,232,188/232,", "0,0,512,512/256,", "512,512,488,188/244,", "0,0,1000,700/250,"} {
		paths = append(paths, "/iiif/3/"+e.image+"/"+t+"/0/default.jpg")
	}
	for _, c := range []struct {
		name string
		rate int64
		run  bool
	}{{"idle", 0, false}, {"audit-16MiB/s", 16 << 20, true}, {"audit-unpaced", 0, true}} {
		b.Run(c.name, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			var read atomic.Int64
			done := make(chan struct{})
			start := time.Now()
			if c.run {
				aud, err := fixity.New(fixity.Config{Store: e.store, Blobs: e.blobs, Rate: c.rate, Observer: bytesRead{&read}})
				if err != nil {
					b.Fatal(err)
				}
				go func() {
					defer close(done)
					for ctx.Err() == nil {
						aud.Pass(ctx)
					}
				}()
			} else {
				close(done)
			}
			var ds []time.Duration
			b.ResetTimer()
			i := 0
			for b.Loop() {
				t0 := time.Now()
				if w := e.do(b, "GET", paths[i%len(paths)]); w.Code != 200 {
					b.Fatal(w.Code)
				}
				ds = append(ds, time.Since(t0))
				i++
			}
			b.StopTimer()
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2]), "median-ns/tile")
			b.ReportMetric(float64(ds[len(ds)*99/100]), "p99-ns/tile")
			cancel()
			<-done
			if c.run {
				b.ReportMetric(float64(read.Load())/(1<<20)/time.Since(start).Seconds(), "audit-MiB/s")
			}
		})
	}
}

type bytesRead struct{ n *atomic.Int64 }

func (r bytesRead) FixityChecked(role, outcome string, bytes int64) { r.n.Add(bytes) }
func (r bytesRead) FixityPass(int, bool)                            {}
