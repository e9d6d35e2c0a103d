package imageapi_test

import (
	"errors"
	"testing"

	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/iiif/imageapi"
)

// TestContentSearchBusyIsTheRenderQueuesBusy proves the two services share
// one kind of busy, so the HTTP layer answers both 503 through one check
// while Content Search does not link the image service.
func TestContentSearchBusyIsTheRenderQueuesBusy(t *testing.T) {
	if !errors.Is(contentsearch.ErrBusy, imageapi.ErrBusy) || !errors.Is(imageapi.ErrBusy, contentsearch.ErrBusy) {
		t.Fatalf("contentsearch.ErrBusy (%v) and imageapi.ErrBusy (%v) are different kinds", contentsearch.ErrBusy, imageapi.ErrBusy)
	}
}
