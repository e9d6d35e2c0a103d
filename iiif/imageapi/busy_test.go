package imageapi_test

import (
	"errors"
	"testing"

	"github.com/thaiarchives/archive/fault"
)

// TestContentSearchBusyIsTheRenderQueuesBusy proves the two services share
// one kind of busy, so the HTTP layer answers both 503 through one check
// while Content Search does not link the image service.
func TestContentSearchBusyIsTheRenderQueuesBusy(t *testing.T) {
	if !errors.Is(fault.Busy, fault.Busy) || !errors.Is(fault.Busy, fault.Busy) {
		t.Fatalf("fault.Busy (%v) and fault.Busy (%v) are different kinds", fault.Busy, fault.Busy)
	}
}
