package contentsearch_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/search/thai"
	"github.com/thaiarchives/archive/storage"
)

// heldFetcher holds every read until it is let go, telling when one waits.
type heldFetcher struct {
	storage.Fetcher
	waiting chan struct{}
	release chan struct{}
}

func (h *heldFetcher) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	h.waiting <- struct{}{}
	<-h.release
	return h.Fetcher.Get(ctx, key, off, n)
}

// TestReadingTextIsBoundedAndAFullServiceSaysBusy: while as many items'
// text is being read as the service allows, a search of another item is
// answered busy instead of starting one more read.
func TestReadingTextIsBoundedAndAFullServiceSaysBusy(t *testing.T) {
	e := newEnv(t)
	page := &ocr.Page{Width: 2000, Height: 3000, Lines: []ocr.Line{line(100, "จดหมาย", "letters")}}
	first := e.textItem(t, repository.Public, page)
	second := e.textItem(t, repository.Public, page)
	dict, err := thai.Shared()
	if err != nil {
		t.Fatal(err)
	}
	held := &heldFetcher{Fetcher: e.blobs, waiting: make(chan struct{}, 8), release: make(chan struct{})}
	svc := contentsearch.New(contentsearch.Config{Items: e.store, Blobs: held, Dict: dict, Readers: 1, ReadWait: 50 * time.Millisecond})
	done := make(chan error, 1)
	go func() {
		_, err := svc.Search(context.Background(), access.Principal{}, contentsearch.Request{Item: first.ID, Base: base, Version: 2, Q: "letters"})
		done <- err
	}()
	<-held.waiting // the first item's text is being read
	_, err = svc.Search(context.Background(), access.Principal{}, contentsearch.Request{Item: second.ID, Base: base, Version: 2, Q: "letters"})
	if !errors.Is(err, fault.Busy) {
		t.Errorf("a second item's search while the only reader is busy: %v", err)
	}
	close(held.release)
	if err := <-done; err != nil {
		t.Errorf("the first search: %v", err)
	}
	if _, err := svc.Search(context.Background(), access.Principal{}, contentsearch.Request{Item: second.ID, Base: base, Version: 2, Q: "letters"}); err != nil {
		t.Errorf("the second item once the reader is free: %v", err)
	}
}
