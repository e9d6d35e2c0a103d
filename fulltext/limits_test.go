package fulltext_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/fulltext"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/repository"
)

// heldImages renders through the image service once let go: each call
// first says it has begun, then waits for release (or its context).
type heldImages struct {
	real    fulltext.Images
	begun   chan struct{}
	release chan struct{}
	calls   atomic.Int32
}

func (h *heldImages) Image(ctx context.Context, p access.Principal, call imageapi.Call, req imageapi.Request) (*imageapi.Response, error) {
	h.calls.Add(1)
	select {
	case h.begun <- struct{}{}:
	default:
	}
	select {
	case <-h.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return h.real.Image(ctx, p, call, req)
}

func held() *heldImages {
	return &heldImages{begun: make(chan struct{}, 1), release: make(chan struct{})}
}

// An item of more pages than a PDF is made of is refused as too large,
// saying both numbers, before any page is rendered.
func TestPDFOfTooManyPagesIsRefusedBeforeRendering(t *testing.T) {
	h := held()
	e := newEnv(t, fulltext.Config{MaxPages: 2, Images: h})
	h.real = e.images
	it := e.item(t, repository.Public, thaiPages...)
	_, err := e.svc.PDF(context.Background(), access.Principal{}, it.ID, "visitor")
	if !errors.Is(err, fault.TooLarge) || !strings.Contains(err.Error(), "3 pages") || !strings.Contains(err.Error(), "at most 2") {
		t.Errorf("a PDF of 3 pages past a limit of 2: %v", err)
	}
	if n := h.calls.Load(); n != 0 {
		t.Errorf("%d pages rendered for a refused PDF", n)
	}
}

// PDFs are made at most Renders at once and one at a time for each
// client: past either, the answer is busy at once; once a PDF is made,
// its place is free again.
func TestPDFsAreBoundedAndAFullServiceSaysBusy(t *testing.T) {
	h := held()
	e := newEnv(t, fulltext.Config{Renders: 2, Images: h})
	h.real = e.images
	it := e.item(t, repository.Public, englishPages...)
	ctx := context.Background()
	done := make(chan error, 2)
	for _, client := range []string{"a", "b"} {
		go func() {
			_, err := e.svc.PDF(ctx, access.Principal{}, it.ID, client)
			done <- err
		}()
		select {
		case <-h.begun:
		case <-time.After(10 * time.Second):
			t.Fatalf("the PDF for %s never began", client)
		}
	}
	for _, client := range []string{"a", "c"} {
		if _, err := e.svc.PDF(ctx, access.Principal{}, it.ID, client); !errors.Is(err, fault.Busy) {
			t.Errorf("a third PDF, for %s, while two are made: %v", client, err)
		}
	}
	close(h.release)
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("a held PDF: %v", err)
		}
	}
	if _, err := e.svc.PDF(ctx, access.Principal{}, it.ID, "c"); err != nil {
		t.Errorf("a PDF once the others are made: %v", err)
	}
}

// A PDF that takes longer than the timeout stops, saying so, and frees its
// place.
func TestPDFStopsAtItsTimeout(t *testing.T) {
	h := held()
	e := newEnv(t, fulltext.Config{Renders: 1, Timeout: 50 * time.Millisecond, Images: h})
	h.real = e.images
	it := e.item(t, repository.Public, englishPages...)
	_, err := e.svc.PDF(context.Background(), access.Principal{}, it.ID, "a")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "not made within 50ms") {
		t.Errorf("a PDF past its timeout: %v", err)
	}
	close(h.release)
	if _, err := e.svc.PDF(context.Background(), access.Principal{}, it.ID, "a"); err != nil {
		t.Errorf("the next PDF: %v", err)
	}
}

// A font that is not TrueType makes PDFs unavailable, saying why without
// naming where the font lies.
func TestPDFWithoutAUsableFontIsUnavailable(t *testing.T) {
	dir := t.TempDir()
	font := filepath.Join(dir, "font.otf")
	if err := os.WriteFile(font, []byte("OTTO not a TrueType font"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, fulltext.Config{Font: font})
	it := e.item(t, repository.Public, englishPages...)
	_, err := e.svc.PDF(context.Background(), access.Principal{}, it.ID, "a")
	if !errors.Is(err, fault.Unavailable) || !strings.Contains(err.Error(), "not a TrueType font") || strings.Contains(err.Error(), dir) {
		t.Errorf("a PDF with an OpenType CFF font: %v", err)
	}
}
