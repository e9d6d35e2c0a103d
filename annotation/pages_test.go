package annotation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
)

// downBlobs is storage that refuses to write a page's transcribed text
// while down.
type downBlobs struct {
	storage.Blobs
	down atomic.Bool
}

func (b *downBlobs) Put(ctx context.Context, key string, r io.Reader, o storage.PutOptions) (storage.Info, error) {
	if b.down.Load() && strings.Contains(key, ".transcribed.") {
		return storage.Info{}, fmt.Errorf("storage went away: %w", fault.Unavailable)
	}
	return b.Blobs.Put(ctx, key, r, o)
}

// Storage that goes away while a page's text is written: the
// transcription is kept, the page's text stays as it was (not half
// written), the error says what to do, and approving it again once storage
// is back writes the text.
func TestAPageWhoseTextCannotBeWrittenStaysAsItWasUntilApprovedAgain(t *testing.T) {
	ctx := context.Background()
	l, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	blobs := &downBlobs{Blobs: l}
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	page := machine()
	alto := page.WriteALTO("p", "test")
	key := "derivatives/aa/aa/" + strings.Repeat("a", 64) + "/p1.alto.xml"
	if _, err := blobs.Put(ctx, key, bytes.NewReader(alto), storage.PutOptions{Size: int64(len(alto))}); err != nil {
		t.Fatal(err)
	}
	it := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Gazette"}, Files: []repository.File{{Name: "p1.tif", SHA256: strings.Repeat("a", 64),
		MediaType: "image/tiff", Size: 1, Width: 800, Height: 1100, Derivatives: map[string]string{"alto": key}}}}
	if err := store.SaveItem(ctx, it, "test"); err != nil {
		t.Fatal(err)
	}
	s := &Service{Store: store, Blobs: blobs}
	w := Where{Base: "http://example.com", Item: it.ID, Canvas: 1}
	staff := access.Principal{User: "u1", Email: "a@cmu", Institution: "cmu", Role: access.Archivist}
	body := fmt.Sprintf(`{"@context": %q, "type": "Annotation", "motivation": "supplementing",
	 "body": {"type": "TextualBody", "value": "printed in Chiang Mai"}, "target": "%s#xywh=90,210,620,40"}`, Context, w.CanvasURI(1))
	blobs.down.Store(true)
	_, err = s.Create(ctx, staff, w, []byte(body))
	if !errors.Is(err, fault.Unavailable) || !strings.Contains(err.Error(), "approve one of its transcriptions again") {
		t.Fatalf("a save while storage is down: %v", err)
	}
	got, _ := store.Item(it.ID)
	if got.Version != 1 || got.Files[0].Transcribed || got.Files[0].Derivatives["alto"] != key {
		t.Fatalf("the page after a failed write: version %d %+v", got.Version, got.Files[0])
	}
	list, _, err := s.visible(staff, w)
	if err != nil || len(list) != 1 || list[0].Review != repository.ReviewApproved {
		t.Fatalf("the transcription after a failed write: %+v %v", list, err)
	}
	blobs.down.Store(false)
	a, err := store.Annotation(list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Review(ctx, staff, w, a.ID, a.Version, true); err != nil {
		t.Fatal(err)
	}
	got, _ = store.Item(it.ID)
	if !got.Files[0].Transcribed || got.Files[0].Derivatives["machine-alto"] != key {
		t.Fatalf("the page after approving again: %+v", got.Files[0])
	}
}

// Nobody annotates a page they may not see: a reader of an item whose
// pictures the library does not show is refused.
func TestNobodyAnnotatesAPageTheyMayNotSee(t *testing.T) {
	ctx := context.Background()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	it := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Described only"}, Access: repository.Access{Level: repository.MetadataOnly},
		Files: []repository.File{{Name: "p1.jpg", SHA256: strings.Repeat("b", 64), MediaType: "image/jpeg", Size: 1}}}
	if err := store.SaveItem(ctx, it, "test"); err != nil {
		t.Fatal(err)
	}
	s := &Service{Store: store, Blobs: blobs}
	w := Where{Base: "http://example.com", Item: it.ID, Canvas: 1}
	body := fmt.Sprintf(`{"@context": %q, "type": "Annotation", "motivation": "commenting",
	 "body": {"type": "TextualBody", "value": "a note"}, "target": %q}`, Context, w.CanvasURI(1))
	reader := access.Principal{User: "u2", Email: "r@tu", Institution: "tu", Role: access.Reader}
	if _, err := s.Create(ctx, reader, w, []byte(body)); !errors.Is(err, fault.Forbidden) {
		t.Fatalf("a note on a page the reader may not see: %v", err)
	}
	staff := access.Principal{User: "u1", Email: "a@cmu", Institution: "cmu", Role: access.Archivist}
	if _, err := s.Create(ctx, staff, w, []byte(body)); err != nil {
		t.Fatalf("the library's own archivist: %v", err)
	}
}
