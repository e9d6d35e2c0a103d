package bolt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

func TestAnnotationsComeBackFromStorageAloneWithTheirVersionsAndIndex(t *testing.T) {
	blobs := newBlobs(t)
	dir := t.TempDir()
	s := openStore(t, filepath.Join(dir, "a.db"), blobs)
	mk := func(id string, canvas int, audience string) *repository.Annotation {
		a := &repository.Annotation{ID: id, Item: "abcdefghjk", Canvas: canvas, Institution: "cmu", Creator: "u1", Audience: audience,
			Doc: []byte(`{"type":"Annotation"}`)}
		if err := s.SaveAnnotation(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := mk("00000000-0000-4000-8000-000000000001", 1, repository.AudiencePublic)
	b := mk("00000000-0000-4000-8000-000000000002", 2, repository.AudiencePrivate)
	c := mk("00000000-0000-4000-8000-000000000003", 1, repository.AudiencePublic)
	a.Doc = []byte(`{"type":"Annotation","bodyValue":"changed"}`)
	if err := s.SaveAnnotation(ctx, a); err != nil || a.Version != 2 {
		t.Fatalf("change: version %d, %v", a.Version, err)
	}
	stale := *a
	stale.Version = 1
	if err := s.SaveAnnotation(ctx, &stale); !errors.Is(err, fault.Conflict) {
		t.Fatalf("a change from a stale version: %v, want a conflict", err)
	}
	c.Deleted = true
	if err := s.SaveAnnotation(ctx, c); err != nil {
		t.Fatal(err)
	}
	_, last, err := s.FeedEpoch()
	if err != nil {
		t.Fatal(err)
	}
	feed, err := s.Feed(0, int(last))
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, e := range feed {
		if e.Kind == "annotation" {
			ops = append(ops, e.Op)
		}
	}
	if want := []string{"create", "create", "create", "update", "withdraw"}; !slices.Equal(ops, want) {
		t.Fatalf("feed of annotations %v, want %v", ops, want)
	}
	check := func(s *Store, when string) {
		t.Helper()
		all, err := s.AnnotationsOn("abcdefghjk", 0)
		if err != nil || len(all) != 2 || all[0].ID != a.ID || all[1].ID != b.ID || all[1].Audience != repository.AudiencePrivate || all[1].Canvas != 2 || all[1].Creator != "u1" {
			t.Fatalf("%s: item's annotations %+v, %v", when, all, err)
		}
		one, err := s.AnnotationsOn("abcdefghjk", 1)
		if err != nil || len(one) != 1 || one[0].ID != a.ID {
			t.Fatalf("%s: canvas 1's annotations %+v, %v", when, one, err)
		}
		got, err := s.Annotation(a.ID)
		if err != nil || got.Version != 2 || string(got.Doc) != string(a.Doc) {
			t.Fatalf("%s: annotation %+v, %v", when, got, err)
		}
		v1, err := s.AnnotationVersion(ctx, a.ID, 1)
		var doc bytes.Buffer
		if err != nil || json.Compact(&doc, v1.Doc) != nil || doc.String() != `{"type":"Annotation"}` {
			t.Fatalf("%s: first version %+v, %v", when, v1, err)
		}
		if got, err := s.PublicCanvases("abcdefghjk"); err != nil || !slices.Equal(got, []int{1}) {
			t.Fatalf("%s: canvases with public annotations %v, %v", when, got, err)
		}
		if gone, err := s.Annotation(c.ID); err != nil || !gone.Deleted {
			t.Fatalf("%s: deleted annotation %+v, %v", when, gone, err)
		}
	}
	check(s, "before")
	before := annotationDump(t, s)
	s.Close()
	if err := os.Remove(filepath.Join(dir, "a.db")); err != nil {
		t.Fatal(err)
	}
	r := openStore(t, filepath.Join(dir, "a.db"), blobs)
	check(r, "after a rebuild")
	if after := annotationDump(t, r); after != before || !strings.Contains(before, "ix_annotations ") {
		t.Fatalf("the annotations' buckets differ after a rebuild:\n%s\nthen\n%s", before, after)
	}
}

// annotationDump is what Dump shows of the annotations' buckets.
func annotationDump(t *testing.T, s *Store) string {
	t.Helper()
	var b strings.Builder
	if err := s.Dump(&b); err != nil {
		t.Fatal(err)
	}
	var out []string
	for l := range strings.Lines(b.String()) {
		if strings.HasPrefix(l, "annotations ") || strings.HasPrefix(l, "ix_annotations") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

// An import is one change: when storage fails for one of its annotations,
// none is registered and the feed does not move; when it does not, all
// are, in the order given, each on the feed.
func TestAddAnnotationsRegistersAllOrNone(t *testing.T) {
	blobs := &unitsFailingPut{Blobs: newBlobs(t)}
	s := openStore(t, filepath.Join(t.TempDir(), "a.db"), blobs)
	var as []*repository.Annotation
	for i := range 20 {
		as = append(as, &repository.Annotation{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", 20-i), Item: "abcdefghjk", Canvas: 1,
			Institution: "cmu", Creator: "u1", Audience: repository.AudiencePublic, Doc: []byte(`{"type":"Annotation"}`)})
	}
	seq := lastSeq(t, s)
	blobs.arm(repository.RecordKey("annotations", as[13].ID, 1))
	if err := s.AddAnnotations(ctx, as); !errors.Is(err, fault.Unavailable) {
		t.Fatalf("an import with storage failing midway: %v, want fault.Unavailable", err)
	}
	if on, err := s.AnnotationsOn("abcdefghjk", 1); err != nil || len(on) != 0 {
		t.Fatalf("after a failed import the canvas holds %d annotations (%v), want none", len(on), err)
	}
	if got := lastSeq(t, s); got != seq || as[0].Version != 0 {
		t.Fatalf("a failed import moved the feed from %d to %d, or gave a version (%d)", seq, got, as[0].Version)
	}
	blobs.arm("")
	if err := s.AddAnnotations(ctx, as); err != nil {
		t.Fatal(err)
	}
	on, err := s.AnnotationsOn("abcdefghjk", 1)
	if err != nil || len(on) != len(as) {
		t.Fatalf("after the import the canvas holds %d annotations (%v), want %d", len(on), err, len(as))
	}
	for i, e := range on {
		if e.ID != as[i].ID {
			t.Fatalf("annotation %d is %s, want %s: the order given is kept", i, e.ID, as[i].ID)
		}
	}
	if got := lastSeq(t, s); got != seq+uint64(len(as)) {
		t.Fatalf("the feed moved by %d, want %d", got-seq, len(as))
	}
	if err := s.AddAnnotations(ctx, as[:1]); !errors.Is(err, fault.Conflict) {
		t.Fatalf("adding an annotation again: %v, want a conflict", err)
	}
}
