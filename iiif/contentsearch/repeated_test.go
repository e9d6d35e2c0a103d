package contentsearch

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/search/thai"
	"github.com/thaiarchives/archive/storage/local"
)

// A query that repeats one word (or phrase) up to its 256 bytes costs one
// pass over the places the word occurs, not one per repetition: "the the
// the …" over a 500-page book was 13 times the work of "the".
func TestRepeatedWordsOfAQueryAreLookedForOnce(t *testing.T) {
	dict, err := thai.Shared()
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{
		"การ การ การ การ การ": 1,
		"the THE The the": 1,
		`"สำนัก หอสมุด" "สำนัก หอสมุด" สำนัก`: 2,
		"ห้องสมุด มหาวิทยาลัย ห้องสมุด":       2,
	} {
		if got := phrases(dict, q); len(got) != want {
			t.Errorf("%q: %d phrases %q, want %d", q, len(got), got, want)
		}
	}
}

// heldBlobs holds every read until released, counting them.
type heldBlobs struct {
	release         chan struct{}
	calls, inflight atomic.Int64
}

func (h *heldBlobs) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	h.calls.Add(1)
	h.inflight.Add(1)
	defer h.inflight.Add(-1)
	select {
	case <-h.release:
	case <-ctx.Done():
	}
	return nil, fault.NotFound
}

// A crawler that opens the manifests of many items with text starts the
// reading of only a few in the background; the others are read by their
// first search.
func TestFewItemsAreReadInTheBackgroundAtOnce(t *testing.T) {
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	dict, err := thai.Shared()
	if err != nil {
		t.Fatal(err)
	}
	held := &heldBlobs{release: make(chan struct{})}
	s := New(Config{Items: store, Blobs: held, Dict: dict})
	var ids []string
	for i := range 10 {
		key := fmt.Sprintf("derivatives/%02d/p1.alto.xml", i)
		it := &repository.Item{Institution: "cmu", Type: "Text", Title: repository.Text{"en": "Letters"},
			Files: []repository.File{{Name: "p1.tif", SHA256: strings.Repeat(fmt.Sprint(i), 64), MediaType: "image/tiff", Derivatives: map[string]string{"alto": key}}}}
		if err := store.SaveItem(context.Background(), it, "t"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, it.ID)
	}
	for _, id := range ids {
		s.Warm(access.Principal{}, id)
	}
	poll := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("never %s", what)
			}
		}
	}
	poll("reading in the background", func() bool { return held.inflight.Load() == maxWarming })
	close(held.release)
	poll("done reading", func() bool { return len(s.warming) == 0 })
	if got := held.calls.Load(); got != maxWarming {
		t.Errorf("%d items were read in the background, want %d", got, maxWarming)
	}
	if _, err := s.Search(context.Background(), access.Principal{}, Request{Item: ids[9], Base: "http://a.example", Version: 2, Q: "x"}); err != nil {
		t.Errorf("an item not read in the background: %v", err)
	}
}
