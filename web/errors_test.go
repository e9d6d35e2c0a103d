package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/storage"
)

// TestStatusIsDecidedByTheOutermostKind: one switch maps every kind to its
// status, and an outage met while reading something missing is an outage
// (503, to be retried), not a 404 that caches would keep.
func TestStatusIsDecidedByTheOutermostKind(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{fault.E("get item", fault.NotFound, "cmu-1", nil), http.StatusNotFound},
		{fault.E("read", fault.Gone, "cmu-1", nil), http.StatusGone},
		{fault.E("read", fault.Unauthenticated, "cmu-1", nil), http.StatusUnauthorized},
		{fault.E("read", fault.Forbidden, "cmu-1", nil), http.StatusForbidden},
		{fmt.Errorf("region %q: %w", "abc", fault.Invalid), http.StatusBadRequest},
		{fault.E("put", fault.Checksum, "blobs/x", nil), http.StatusBadRequest},
		{fault.E("size", fault.TooLarge, "", nil), http.StatusBadRequest},
		{fault.E("quality", fault.Unsupported, "", nil), http.StatusNotImplemented},
		{fault.E("save item", fault.Conflict, "cmu-1", nil), http.StatusConflict},
		{fault.E("render", fault.Busy, "", nil), http.StatusServiceUnavailable},
		{fault.E("save item", fault.ReadOnly, "", nil), http.StatusMethodNotAllowed},
		{fault.E("get", fault.Unavailable, "records/x", nil), http.StatusServiceUnavailable},
		{fault.E("rebuild", fault.Unavailable, "", storage.Missing("get", "records/x")), http.StatusServiceUnavailable},
		{fmt.Errorf("%w: %w", fault.Unavailable, fault.E("get", fault.NotFound, "x", nil)), http.StatusServiceUnavailable},
		{errors.New("something else"), http.StatusInternalServerError},
		{fmt.Errorf("render: %w", context.Canceled), 499},
	}
	for _, c := range cases {
		if got := Status(c.err); got != c.want {
			t.Errorf("Status(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

// TestMissingStoredFileIsLoggedAnUnknownItemIsNot: both answer 404 with the
// same words, but only a file the records name and storage lacks is logged
// as damage, told by the error's kind of not-found rather than its text.
func TestMissingStoredFileIsLoggedAnUnknownItemIsNot(t *testing.T) {
	f := newFixture(t)
	var logs bytes.Buffer
	f.srv.cfg.Log = slog.New(slog.NewTextHandler(&logs, nil))
	if w := f.do(t, "GET", "/api/v1/items/nosuchitem"); w.Code != http.StatusNotFound {
		t.Fatalf("unknown item: %d", w.Code)
	}
	if strings.Contains(logs.String(), "a stored file is missing") {
		t.Fatalf("an unknown item is logged as a missing stored file: %s", logs.String())
	}
	if err := f.faulty.Delete(context.Background(), storage.DigestKey(f.open.Files[0].SHA256)); err != nil {
		t.Fatal(err)
	}
	w := f.do(t, "GET", "/api/v1/items/"+f.open.ID+"/files/1")
	if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "blobs/") {
		t.Fatalf("file gone from storage: %d %q", w.Code, w.Body.String())
	}
	if !strings.Contains(logs.String(), "a stored file is missing") {
		t.Fatalf("a file gone from storage is not logged: %q", logs.String())
	}
}
