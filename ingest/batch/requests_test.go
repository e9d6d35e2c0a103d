package batch

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// TestCreateRefusesWithTheKindOfEachRefusal: each refusal of a new batch
// has its kind (invalid, forbidden, busy) and, where the web layer says
// it in the page's language, its typed error; none leaves a batch behind.
func TestCreateRefusesWithTheKindOfEachRefusal(t *testing.T) {
	e := newEnv(t)
	s := e.service(t, Config{Pipeline: &pipe{}})
	ctx := context.Background()
	closed := &repository.Collection{ID: "cmu-closed", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Closed"},
		Access: repository.Access{Level: repository.Restricted}}
	if err := e.store.SaveCollection(ctx, closed, "t"); err != nil {
		t.Fatal(err)
	}
	reader := access.Principal{User: "r", Institution: "tu", Role: access.Reader, Scope: access.ScopeUpload}
	var long *TooLongError
	var none *NoCollectionError
	for _, tc := range []struct {
		name string
		who  access.Principal
		in   Batch
		kind error
		as   any
	}{
		{"a title over its bound", e.who, Batch{Institution: "tu", Title: strings.Repeat("ก", MaxTitle+1)}, fault.Invalid, &long},
		{"a library that does not exist", e.who, Batch{Institution: "mit"}, fault.Invalid, nil},
		{"a collection that does not exist", e.who, Batch{Collection: "tu-nothing"}, fault.Invalid, &none},
		{"a collection they may not see", e.who, Batch{Collection: closed.ID}, fault.Invalid, &none},
		{"a grouped batch without a count", e.who, Batch{Institution: "tu", Group: true}, fault.Invalid, nil},
		{"a reader", reader, Batch{Institution: "tu"}, fault.Forbidden, nil},
		{"another library", e.who, Batch{Institution: "cmu"}, fault.Forbidden, nil},
	} {
		_, err := s.Create(ctx, tc.who, tc.in)
		if !errors.Is(err, tc.kind) || tc.as != nil && !errors.As(err, tc.as) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.kind)
		}
	}
	if long == nil || long.Field != "title" || long.Max != MaxTitle || none == nil || none.ID != closed.ID {
		t.Errorf("typed refusals: %+v %+v", long, none)
	}
	if len(s.batches) != 0 {
		t.Fatalf("refusals left %d batches", len(s.batches))
	}
	for range MaxOpen {
		if _, err := s.Create(ctx, e.who, Batch{Institution: "tu", Expected: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Create(ctx, e.who, Batch{Institution: "tu", Expected: 1}); !errors.Is(err, ErrTooManyOpen) || !errors.Is(err, fault.Busy) {
		t.Fatalf("a batch past the bound: %v", err)
	}
}

// TestOnlyTheOwnerUploadsIntoABatch: another person (even of the same
// library) sees no batch of theirs, may not upload into it, and owns none
// of its uploads; an upload naming no batch, or no file name, is invalid.
func TestOnlyTheOwnerUploadsIntoABatch(t *testing.T) {
	e := newEnv(t)
	s := e.service(t, Config{Pipeline: &pipe{}})
	ctx := context.Background()
	b, err := s.Create(ctx, e.who, Batch{Institution: "tu", Expected: 1})
	if err != nil {
		t.Fatal(err)
	}
	info := e.upload(t, s, b.ID, "a.jpg", []byte("data"), 2)
	other := access.Principal{User: "other", Institution: "cmu", Role: access.Archivist, Scope: access.ScopeUpload}
	colleague := access.Principal{User: "colleague", Institution: "tu", Role: access.Archivist, Scope: access.ScopeUpload}
	if _, err := s.Get(ctx, other, b.ID); !errors.Is(err, fault.NotFound) {
		t.Errorf("another library's archivist reading the batch: %v", err)
	}
	if _, err := s.Get(ctx, colleague, b.ID); err != nil {
		t.Errorf("a colleague of the library reading the batch: %v", err)
	}
	for _, p := range []access.Principal{other, colleague} {
		if err := s.Check(ctx, p, b.ID, "x.jpg", false, nil); !errors.Is(err, fault.Forbidden) {
			t.Errorf("%s uploading into the batch: %v", p.User, err)
		}
		if s.Owns(ctx, p, info.ID) {
			t.Errorf("%s owns the upload", p.User)
		}
	}
	if !s.Owns(ctx, e.who, info.ID) || s.Owns(ctx, e.who, "../"+info.ID) {
		t.Error("the owner's upload is not theirs, or a path is")
	}
	if err := s.Check(ctx, e.who, b.ID, "x.jpg", false, nil); err != nil {
		t.Errorf("the owner uploading: %v", err)
	}
	if err := s.Check(ctx, e.who, b.ID, "x.jpg", true, []string{info.ID}); !errors.Is(err, fault.Forbidden) {
		t.Errorf("a final upload joining a whole upload: %v", err)
	}
	if err := s.Check(ctx, e.who, "b0", "x.jpg", false, nil); !errors.Is(err, fault.Invalid) {
		t.Errorf("an upload into no batch: %v", err)
	}
	if err := s.Check(ctx, e.who, b.ID, "", false, nil); !errors.Is(err, fault.Invalid) {
		t.Errorf("an upload without a name: %v", err)
	}
}

// TestCreateWhileTheStoreIsDownIsUnavailableNotInvalid: a library the
// store cannot be asked about is an outage, not a bad request.
func TestCreateWhileTheStoreIsDownIsUnavailableNotInvalid(t *testing.T) {
	e := newEnv(t)
	s := e.service(t, Config{Pipeline: &pipe{}})
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := s.Create(context.Background(), e.who, Batch{Institution: "tu", Expected: 1})
	if k := fault.KindOf(err); k != fault.Unavailable {
		t.Fatalf("create with the store closed: %v (kind %v), want unavailable", err, k)
	}
}
