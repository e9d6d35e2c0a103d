package bolt

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage/local"
	bbolt "go.etcd.io/bbolt"
)

// fillIdle registers n items directly in the database, as a rebuild does
// (no records in storage): pages whose text is read, recordings with their
// copies, and one item in a hundred under an embargo that ends in 2099.
// Nothing in it waits for background work.
func fillIdle(tb testing.TB, s *Store, n int) {
	tb.Helper()
	for start := 0; start < n; start += 5000 {
		err := s.update(func(tx *bbolt.Tx) error {
			for i := start; i < min(n, start+5000); i++ {
				it := &repository.Item{ID: fmt.Sprintf("it%07d", i), Institution: "cmu", Version: 1, Type: "Text",
					Title:    repository.Text{"th": "เอกสาร", "en": "Document"},
					Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second),
					Files: []repository.File{{Name: "p1.tif", MediaType: "image/tiff", SHA256: digestA,
						Derivatives: map[string]string{"access": "a", "alto": "b", "text": "c"}}}}
				if i%3 == 1 {
					it.Type = "Sound"
					it.Files = []repository.File{{Name: "a.wav", MediaType: "audio/wav", SHA256: digestB,
						Derivatives: map[string]string{"thumb": "t"}, Web: &repository.WebCopy{MediaType: "audio/mp4"}}}
				}
				if i%100 == 7 {
					it.Access.Embargo = "2099-01-01"
				}
				if err := putJSON(tx, bItems, it.ID, it); err != nil {
					return err
				}
				if err := indexItem(tx, nil, it); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkIdlePass is the background work of an idle archive at start:
// the embargo release and the first look of the transcoder and the page
// reader for what they must do. It reports the items each pass decodes.
func BenchmarkIdlePass(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			blobs, err := local.Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			s := openStore(b, filepath.Join(b.TempDir(), "a.db"), blobs)
			fillIdle(b, s, n)
			now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
			b.ResetTimer()
			decoded := 0
			for range b.N {
				if released, err := s.ReleaseEmbargoes(ctx, now); err != nil || released != 0 {
					b.Fatalf("released %d, %v", released, err)
				}
				decoded += idleFirstLooks(b, s)
			}
			b.ReportMetric(float64(decoded)/float64(b.N), "decoded/op")
		})
	}
}

// idleFirstLooks: the transcoder and the page reader each look at the
// items of their queue; it returns how many items they decoded.
func idleFirstLooks(b *testing.B, s *Store) int {
	n := 0
	for _, kind := range []string{repository.WorkTranscode, repository.WorkText} {
		ids, err := s.Queued(kind)
		if err != nil {
			b.Fatal(err)
		}
		for _, id := range ids {
			if _, err := s.Item(id); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	return n
}

// poison replaces the stored records of the items named by something that
// does not decode: whatever reads one of them fails.
func poison(t *testing.T, s *Store, ids ...string) {
	t.Helper()
	if err := s.update(func(tx *bbolt.Tx) error {
		for _, id := range ids {
			if err := tx.Bucket(bItems).Put([]byte(id), []byte("not a record")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestEmbargoIsReleasedOnItsDayReadingOnlyWhatIsDue(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	due := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Thesis"}, Access: repository.Access{Level: repository.Public, Embargo: "2026-12-08"}}
	later := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Diary"}, Access: repository.Access{Level: repository.Public, Embargo: "2099-01-01"}}
	unbarred := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Map"}, Access: repository.Access{Level: repository.Public}}
	box := &repository.Collection{ID: "cmu-box", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Box"},
		Access: repository.Access{Level: repository.Public, Embargo: "2026-12-08"}}
	if err := s.SaveCollection(ctx, box, "t"); err != nil {
		t.Fatal(err)
	}
	for _, x := range []*repository.Item{due, later, unbarred} {
		if err := s.SaveItem(ctx, x, "t"); err != nil {
			t.Fatal(err)
		}
	}
	// A release that looked at the later embargo or the item without one would fail.
	poison(t, s, later.ID, unbarred.ID)
	if n, err := s.ReleaseEmbargoes(ctx, time.Date(2026, 12, 7, 23, 59, 0, 0, time.UTC)); err != nil || n != 0 {
		t.Fatalf("the day before: released %d, %v", n, err)
	}
	if n, err := s.ReleaseEmbargoes(ctx, time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)); err != nil || n != 2 {
		t.Fatalf("on the day: released %d, %v", n, err)
	}
	got, err := s.Item(due.ID)
	if err != nil || got.Access.Embargo != "" || got.Version != 2 {
		t.Fatalf("released item: %+v, %v", got, err)
	}
	if c, err := s.Collection(box.ID); err != nil || c.Access.Embargo != "" || c.Version != 2 {
		t.Fatalf("released collection: %+v, %v", c, err)
	}
	if n, err := s.ReleaseEmbargoes(ctx, time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC)); err != nil || n != 0 {
		t.Fatalf("the day after: released %d more, %v", n, err)
	}
}

// background is what the store keeps for background work: the embargo
// index and the two queues.
func background(t *testing.T, s *Store) string {
	t.Helper()
	items, colls, err := s.dueEmbargoes(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	transcode, err1 := s.Queued(repository.WorkTranscode)
	text, err2 := s.Queued(repository.WorkText)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return fmt.Sprintf("embargoes %v %v transcode %v text %v", items, colls, transcode, text)
}

func TestQueuesHoldWhatWaitsForWorkAndComeBackAfterRestartAndRebuild(t *testing.T) {
	dir, blobs := t.TempDir(), newBlobs(t)
	s, err := Open(ctx, filepath.Join(dir, "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	page := repository.File{Name: "p.tif", MediaType: "image/tiff", SHA256: digestA, Derivatives: map[string]string{"access": "x"}}
	song := repository.File{Name: "s.wav", MediaType: "audio/wav", SHA256: digestB}
	items := []*repository.Item{
		{ID: "book", Institution: "cmu", Type: "Text", Title: repository.Text{"en": "Book"}, Files: []repository.File{page}},
		{ID: "photo", Institution: "cmu", Type: "Image", Title: repository.Text{"en": "Photo"}, Files: []repository.File{page}},
		{ID: "song", Institution: "cmu", Type: "Sound", Title: repository.Text{"en": "Song"}, Files: []repository.File{song},
			Access: repository.Access{Level: repository.Public, Embargo: "2030-01-01"}},
		{ID: "gone", Institution: "cmu", Type: "Sound", Title: repository.Text{"en": "Gone"}, Files: []repository.File{song}},
	}
	for _, it := range items {
		if err := s.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveCollection(ctx, &repository.Collection{ID: "cmu-f", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "F"},
		Access: repository.Access{Level: repository.Public, Embargo: "2031-05-05"}}, "t"); err != nil {
		t.Fatal(err)
	}
	if err := s.Withdraw(ctx, "gone", "t", "twice"); err != nil {
		t.Fatal(err)
	}
	// The song gets its copy and waveform, the book its text: both leave
	// their queue; the song's embargo moves.
	song.Web, song.Derivatives = &repository.WebCopy{MediaType: "audio/mp4"}, map[string]string{"thumb": "w"}
	items[2].Files, items[2].Access.Embargo = []repository.File{song}, "2029-02-02"
	if err := s.SaveItem(ctx, items[2], "t"); err != nil {
		t.Fatal(err)
	}
	want := "embargoes [song] [cmu-f] transcode [] text [book]"
	if got := background(t, s); got != want {
		t.Fatalf("kept:\n%s, want\n%s", got, want)
	}
	read := items[0]
	read.Files[0].Derivatives = map[string]string{"access": "x", "alto": "y"}
	if err := s.SaveItem(ctx, read, "t"); err != nil {
		t.Fatal(err)
	}
	want = "embargoes [song] [cmu-f] transcode [] text []"
	if got := background(t, s); got != want {
		t.Fatalf("after the text is read:\n%s, want\n%s", got, want)
	}
	read.Files = append(read.Files, repository.File{Name: "v.mp4", MediaType: "video/mp4", SHA256: digestB})
	if err := s.SaveItem(ctx, read, "t"); err != nil {
		t.Fatal(err)
	}
	want = "embargoes [song] [cmu-f] transcode [book] text []"
	if got := background(t, s); got != want {
		t.Fatalf("after a video is added:\n%s, want\n%s", got, want)
	}
	s.Close()
	s = openStore(t, filepath.Join(dir, "a.db"), blobs)
	if got := background(t, s); got != want {
		t.Fatalf("after a restart:\n%s, want\n%s", got, want)
	}
	s.Close()
	if _, err := Rebuild(ctx, filepath.Join(dir, "b.db"), blobs, false); err != nil {
		t.Fatal(err)
	}
	if got := background(t, openStore(t, filepath.Join(dir, "b.db"), blobs)); got != want {
		t.Fatalf("after a rebuild:\n%s, want\n%s", got, want)
	}
}

func TestADatabaseWithoutTheQueuesGetsThemOnOpen(t *testing.T) {
	dir, blobs := t.TempDir(), newBlobs(t)
	path := filepath.Join(dir, "a.db")
	s, err := Open(ctx, path, blobs)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveItem(ctx, &repository.Item{ID: "tape", Institution: "cmu", Type: "MovingImage", Title: repository.Text{"en": "Tape"},
		Files:  []repository.File{{Name: "t.mp4", MediaType: "video/mp4", SHA256: digestA}},
		Access: repository.Access{Level: repository.Public, Embargo: "2030-01-01"}}, "t"); err != nil {
		t.Fatal(err)
	}
	want := background(t, s)
	// As an older version of the program left it.
	if err := s.update(func(tx *bbolt.Tx) error {
		return errors.Join(tx.DeleteBucket(ixWork), tx.DeleteBucket(ixEmbargo))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := background(t, openStore(t, path, blobs)); got != want || want != "embargoes [tape] [] transcode [tape] text []" {
		t.Fatalf("reopened: %s, before %s", got, want)
	}
}

func TestFollowWorkLooksAtTheQueueNotAtEveryItem(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), newBlobs(t))
	for i := range 50 {
		if err := s.SaveItem(ctx, &repository.Item{ID: fmt.Sprintf("photo-%d", i), Institution: "cmu", Type: "Image", Title: repository.Text{"en": "Photo"}}, "t"); err != nil {
			t.Fatal(err)
		}
	}
	tape := &repository.Item{ID: "tape", Institution: "cmu", Type: "MovingImage", Title: repository.Text{"en": "Tape"},
		Files: []repository.File{{Name: "t.mp4", MediaType: "video/mp4", SHA256: digestA}}}
	if err := s.SaveItem(ctx, tape, "t"); err != nil {
		t.Fatal(err)
	}
	fctx, cancel := context.WithCancel(ctx)
	seen := make(chan string, 100)
	done := make(chan error, 1)
	go func() {
		done <- s.FollowWork(fctx, repository.WorkTranscode, func(id string) { seen <- id }, func(err error) { t.Error(err) })
	}()
	next := func() string {
		t.Helper()
		select {
		case id := <-seen:
			return id
		case <-time.After(10 * time.Second):
			t.Fatal("no item came")
			return ""
		}
	}
	if id := next(); id != "tape" {
		t.Fatalf("first looked at %s", id)
	}
	// A later change comes through the feed, after the queue.
	if err := s.SaveItem(ctx, &repository.Item{ID: "song", Institution: "cmu", Type: "Sound", Title: repository.Text{"en": "Song"}}, "t"); err != nil {
		t.Fatal(err)
	}
	if id := next(); id != "song" {
		t.Fatalf("then looked at %s, not the new item", id)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(seen) != 0 {
		t.Fatalf("%d more items looked at", len(seen))
	}
}
