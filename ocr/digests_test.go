package ocr_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"testing"

	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/ocr/ocrtest"
	"github.com/thaiarchives/archive/repository/bolt"
)

// TestReadTextIsRegisteredForFixityAndKeptByRebuild: a page's ALTO and
// text are registered with the SHA-256 of what was stored, in File.Digests
// as every derivative is (which fixity audits and repairs hold each
// derivative to), and a store rebuilt from storage keeps their digests.
func TestReadTextIsRegisteredForFixityAndKeptByRebuild(t *testing.T) {
	ocrtest.Need(t, "tesseract", "tesseract-ocr")
	ctx := context.Background()
	e := newEnv(t)
	page := ocrtest.Make(t, ocrtest.Page{Lines: []ocrtest.Line{{Font: ocrtest.English, Pieces: []string{"Minutes of the council"}}}})
	id := e.ingestFile(t, "minutes.png", pngOf(t, page.Image), "Text")
	r := ocr.NewRunner(ocr.Config{Store: e.store, Blobs: e.blobs, TempDir: t.TempDir(), Tesseract: &ocr.Tesseract{}})
	if err := r.Item(ctx, id, nil); err != nil {
		t.Fatal(err)
	}
	it, err := e.store.Item(id)
	if err != nil {
		t.Fatal(err)
	}
	f := it.Files[0]
	for _, role := range []string{"alto", "text"} {
		key := f.Derivatives[role]
		if key == "" {
			t.Fatalf("no %s for the page: %+v", role, f.Derivatives)
		}
		rc, err := e.blobs.Get(ctx, key, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		sum := sha256.Sum256(b.Bytes())
		if got := f.Digests[role]; got != hex.EncodeToString(sum[:]) {
			t.Errorf("%s registered with sha256 %q, stored %x", role, got, sum)
		}
	}
	// A store rebuilt from storage alone keeps the digests.
	path := filepath.Join(t.TempDir(), "rebuilt.db")
	if _, err := bolt.Rebuild(ctx, path, e.blobs, false); err != nil {
		t.Fatal(err)
	}
	again, err := bolt.Open(ctx, path, e.blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	rebuilt, err := again.Item(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"alto", "text"} {
		if rebuilt.Files[0].Digests[role] != f.Digests[role] {
			t.Errorf("rebuilt %s digest %q, was %q", role, rebuilt.Files[0].Digests[role], f.Digests[role])
		}
	}
}
