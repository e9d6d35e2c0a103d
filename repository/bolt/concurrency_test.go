package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/s3/miniotest"
	"github.com/thaiarchives/archive/storage/storagetest"
)

// stallingBlobs holds every Put under a key prefix until released, as a
// slow storage server would.
type stallingBlobs struct {
	storage.Blobs
	mu      sync.Mutex
	prefix  string
	stalled chan struct{} // closed when a Put under prefix waits
	release chan struct{}
}

func (b *stallingBlobs) stall(prefix string) {
	b.mu.Lock()
	b.prefix, b.stalled, b.release = prefix, make(chan struct{}), make(chan struct{})
	b.mu.Unlock()
}

func (b *stallingBlobs) Put(ctx context.Context, key string, r io.Reader, o storage.PutOptions) (storage.Info, error) {
	b.mu.Lock()
	stall := b.prefix != "" && strings.HasPrefix(key, b.prefix)
	stalled, release := b.stalled, b.release
	if stall {
		b.prefix = ""
	}
	b.mu.Unlock()
	if stall {
		close(stalled)
		<-release
	}
	return b.Blobs.Put(ctx, key, r, o)
}

// within fails the test unless done is closed before the deadline.
func within(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: not done after 10 s", what)
	}
}

func TestSavesDoNotWaitForAnotherRecordsStorageWrite(t *testing.T) {
	blobs := &stallingBlobs{Blobs: newBlobs(t)}
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), blobs)
	series, it := populate(t, s)
	other := &repository.Item{Institution: "cmu", Collection: series.ID, Title: repository.Text{"en": "another"}}
	if err := s.SaveItem(ctx, other, "t"); err != nil {
		t.Fatal(err)
	}
	blobs.stall("records/items/" + it.ID + "/")
	slow := make(chan error, 1)
	go func() {
		edit := *it
		edit.Title = repository.Text{"en": "slow edit"}
		slow <- s.SaveItem(ctx, &edit, "t")
	}()
	within(t, blobs.stalled, "the stalled save's storage write")
	saves := map[string]func() error{
		"another item of the same collection": func() error {
			other.Title = repository.Text{"en": "quick edit"}
			return s.SaveItem(ctx, other, "t")
		},
		"a collection": func() error {
			return s.SaveCollection(ctx, &repository.Collection{Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "new fonds"}}, "t")
		},
		"a user": func() error {
			return s.SaveUser(ctx, &repository.User{Email: "someone@tu.example", Institution: "tu", Role: "archivist"}, "t")
		},
	}
	for what, save := range saves {
		done := make(chan struct{})
		var err error
		go func() { err = save(); close(done) }()
		within(t, done, "saving "+what+" while an item's record is being written")
		if err != nil {
			t.Fatalf("saving %s: %v", what, err)
		}
	}
	close(blobs.release)
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Item(it.ID); got.Title["en"] != "slow edit" {
		t.Fatalf("the stalled edit is not registered: %v", got.Title)
	}
}

func TestConcurrentSavesEndWithTheNewestVersionInIndexAndStorage(t *testing.T) {
	for name, blobs := range map[string]func(*testing.T) storage.Blobs{
		"local": newBlobs,
		"minio": func(t *testing.T) storage.Blobs { return miniotest.Start(t).Open(t, "concurrent", "") },
	} {
		t.Run(name, func(t *testing.T) {
			b := blobs(t)
			s := openStore(t, filepath.Join(t.TempDir(), "a.db"), b)
			fonds := &repository.Collection{Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "fonds"}}
			shared := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "shared"}}
			if err := s.SaveCollection(ctx, fonds, "t"); err != nil {
				t.Fatal(err)
			}
			if err := s.SaveItem(ctx, shared, "t"); err != nil {
				t.Fatal(err)
			}
			const editors, edits = 4, 10
			own := make([]*repository.Item, editors)
			for i := range own {
				own[i] = &repository.Item{Institution: "cmu", Collection: fonds.ID, Title: repository.Text{"en": "own"}}
				if err := s.SaveItem(ctx, own[i], "t"); err != nil {
					t.Fatal(err)
				}
			}
			// Each editor edits the shared item, the fonds and an item of
			// its own; edits of one record that clash are done again.
			var wg sync.WaitGroup
			errs := make(chan error, 3*editors)
			edit := func(save func() error) {
				defer wg.Done()
				for range edits {
					err := save()
					for errors.Is(err, fault.Conflict) {
						err = save()
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}
			for i := range editors {
				wg.Add(3)
				go edit(func() error {
					it, err := s.Item(shared.ID)
					if err != nil {
						return err
					}
					it.Title["en"] = fmt.Sprintf("editor %d at %d", i, it.Version)
					return s.SaveItem(ctx, it, "t")
				})
				go edit(func() error {
					c, err := s.Collection(fonds.ID)
					if err != nil {
						return err
					}
					c.Title["en"] = fmt.Sprintf("editor %d at %d", i, c.Version)
					return s.SaveCollection(ctx, c, "t")
				})
				go edit(func() error {
					it, err := s.Item(own[i].ID)
					if err != nil {
						return err
					}
					it.Title["en"] = fmt.Sprintf("edit %d", it.Version)
					return s.SaveItem(ctx, it, "t")
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			want := map[string]int{shared.ID: 1 + editors*edits}
			for _, it := range own {
				want[it.ID] = 1 + edits
			}
			for id, v := range want {
				it, err := s.Item(id)
				if err != nil {
					t.Fatal(err)
				}
				if it.Version != v {
					t.Fatalf("item %s is at version %d after %d saves", id, it.Version, v)
				}
				vs, err := s.ItemVersions(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if len(vs) != v || vs[0] != 1 || vs[len(vs)-1] != v {
					t.Fatalf("item %s has versions %v in storage, want 1 to %d", id, vs, v)
				}
				stored, err := s.ItemVersion(ctx, id, v)
				if err != nil {
					t.Fatal(err)
				}
				if stored.Title["en"] != it.Title["en"] || !stored.Modified.Equal(it.Modified) {
					t.Fatalf("item %s: storage's newest version says %q, the index %q", id, stored.Title["en"], it.Title["en"])
				}
			}
			if c, _ := s.Collection(fonds.ID); c.Version != 1+editors*edits {
				t.Fatalf("the fonds is at version %d after %d saves", c.Version, 1+editors*edits)
			}
			var before, after bytes.Buffer
			if err := s.Dump(&before); err != nil {
				t.Fatal(err)
			}
			rebuilt := openStore(t, filepath.Join(t.TempDir(), "rebuilt.db"), b)
			if err := rebuilt.Dump(&after); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before.Bytes(), after.Bytes()) {
				t.Fatal("the store rebuilt from storage differs from the one the saves wrote")
			}
		})
	}
}

func TestFailedRecordWriteLeavesTheIndexAsItWas(t *testing.T) {
	faulty := &storagetest.Faulty{Blobs: newBlobs(t)}
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), faulty)
	series, it := populate(t, s)
	u, err := s.UserByEmail("archivist@cmu.example")
	if err != nil {
		t.Fatal(err)
	}
	var before bytes.Buffer
	if err := s.Dump(&before); err != nil {
		t.Fatal(err)
	}
	faulty.SetDown(true)
	edited := *it
	edited.Title = repository.Text{"en": "edited during an outage"}
	c := *series
	c.Title = repository.Text{"en": "edited during an outage"}
	u.Name = "edited during an outage"
	for what, err := range map[string]error{
		"item":       s.SaveItem(ctx, &edited, "t"),
		"collection": s.SaveCollection(ctx, &c, "t"),
		"user":       s.SaveUser(ctx, u, "t"),
	} {
		if !errors.Is(err, fault.Unavailable) {
			t.Fatalf("saving the %s during an outage: %v, want unavailable", what, err)
		}
	}
	faulty.SetDown(false)
	var after bytes.Buffer
	if err := s.Dump(&after); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before.Bytes(), after.Bytes()) {
		t.Fatal("saves whose records were not stored changed the index")
	}
	// Nothing is left locked: the same edit goes through now.
	done := make(chan struct{})
	go func() { err = s.SaveItem(ctx, &edited, "t"); close(done) }()
	within(t, done, "saving again after the outage")
	if err != nil || edited.Version != it.Version+1 {
		t.Fatalf("saving after the outage: %v, version %d, want %d", err, edited.Version, it.Version+1)
	}
	if vs, err := s.ItemVersions(ctx, it.ID); err != nil || !slices.Equal(vs, []int{1, 2, 3}) {
		t.Fatalf("versions in storage %v (%v), want 1 to 3", vs, err)
	}
}

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
		it := &repository.Item{Institution: "cmu", Title: repository.Text{"en": fmt.Sprint("item ", i)}}
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

// stalledWriter takes nothing until released, as a slow client.
type stalledWriter struct {
	writing chan struct{} // closed at the first Write
	release chan struct{}
	once    sync.Once
	n       int64
}

func (w *stalledWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.writing) })
	<-w.release
	w.n += int64(len(p))
	return len(p), nil
}

func TestBackupHoldsNoReadTransactionWhileTheReaderIsSlow(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, filepath.Join(dir, "a.db"), newBlobs(t))
	populate(t, s)
	w := &stalledWriter{writing: make(chan struct{}), release: make(chan struct{})}
	var n int64
	var err error
	done := make(chan struct{})
	go func() { n, err = s.Backup(w); close(done) }()
	within(t, w.writing, "the backup's first write")
	if open := s.db.Stats().OpenTxN; open != 0 {
		close(w.release)
		t.Fatalf("%d read transactions open while the backup's reader waits", open)
	}
	// Writers go on meanwhile.
	if err := s.SaveItem(ctx, &repository.Item{Institution: "tu", Title: repository.Text{"en": "saved during a backup"}}, "t"); err != nil {
		t.Fatal(err)
	}
	close(w.release)
	within(t, done, "the backup")
	if err != nil || n == 0 || n != w.n {
		t.Fatalf("backup: %v, %d bytes said, %d written", err, n, w.n)
	}
	// The snapshot's file is gone: only the store is left beside it.
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 1 {
		t.Fatalf("files beside the store after a backup: %v", left)
	}
}
