package ingest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image/color"
	"image/jpeg"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// blobsOf lists the stored blobs (master and derivatives) of content.
func blobsOf(t *testing.T, e *env, content []byte) []string {
	t.Helper()
	sum := sha256.Sum256(content)
	d := hex.EncodeToString(sum[:])
	var keys []string
	for _, prefix := range []string{storage.DigestKey(d), strings.TrimSuffix(ingest.DerivativeKey(d, "x"), "x")} {
		if err := e.blobs.List(ctx, prefix, func(i storage.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestRefusedUnitLeavesNoBlobItWroteAndKeepsSharedOnes: a grouped upload
// whose second page cannot be decoded is refused after its first page
// was stored; the blobs that refusal itself wrote are removed, while those
// of content an item already holds (in any library) stay whole.
func TestRefusedUnitLeavesNoBlobItWroteAndKeepsSharedOnes(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, c color.RGBA, cut bool) []byte {
		var b bytes.Buffer
		jpeg.Encode(&b, pattern(400, 300, c), nil)
		data := b.Bytes()
		if cut {
			data = data[:len(data)/2]
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		return data
	}
	fresh := write("fresh.jpg", color.RGBA{200, 20, 20, 255}, false)
	shared := write("shared.jpg", color.RGBA{20, 200, 20, 255}, false)
	broken := write("broken.jpg", color.RGBA{20, 20, 200, 255}, true)
	e := newEnv(t, localBlobs(t))
	in := func(name string) ingest.Input { return ingest.Input{Path: filepath.Join(dir, name), Name: name} }

	held := e.p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{in("shared.jpg")}, Meta: repository.Item{Institution: "cmu"}})
	if held[0].Status != ingest.Ingested {
		t.Fatalf("the item holding shared.jpg: %+v", held[0])
	}
	before := blobsOf(t, e, shared)

	out := e.p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{in("fresh.jpg"), in("shared.jpg"), in("broken.jpg")}, Meta: repository.Item{Institution: "tu"}})
	if out[0].Status != ingest.Refused {
		t.Fatalf("the unit with a broken page: %+v", out[0])
	}
	for name, data := range map[string][]byte{"fresh.jpg": fresh, "broken.jpg": broken} {
		if left := blobsOf(t, e, data); len(left) != 0 {
			t.Errorf("the refused unit left the blobs of %s: %v", name, left)
		}
	}
	if after := blobsOf(t, e, shared); len(after) != len(before) || len(before) < 2 {
		t.Errorf("blobs of content an item holds: %v before, %v after", before, after)
	}
	it, err := e.store.Item(held[0].Item)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range it.Files {
		for _, key := range append([]string{storage.DigestKey(f.SHA256)}, slices.Collect(maps.Values(f.Derivatives))...) {
			if _, err := e.blobs.Stat(ctx, key); err != nil {
				t.Errorf("blob %s of item %s: %v", key, it.ID, err)
			}
		}
	}
}
