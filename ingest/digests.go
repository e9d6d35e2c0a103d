package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// sealDerivatives records the SHA-256 of each derivative of files that has
// none yet, read back from storage as it now lies, so that fixity audits
// and repairs can hold access copies to it. Reading back costs little
// beside making them (a pyramid is read in milliseconds).
func sealDerivatives(ctx context.Context, blobs storage.Fetcher, files []repository.File) error {
	for i := range files {
		f := &files[i]
		for role, key := range f.Derivatives {
			if f.Digests[role] != "" {
				continue
			}
			sum, err := digestOf(ctx, blobs, key)
			if err != nil {
				return fmt.Errorf("reading back the %s copy of %s: %w", role, f.Name, err)
			}
			f.Digests = maps.Clone(f.Digests) // maps may be shared with an earlier version
			if f.Digests == nil {
				f.Digests = map[string]string{}
			}
			f.Digests[role] = sum
		}
	}
	return nil
}

func digestOf(ctx context.Context, blobs storage.Fetcher, key string) (string, error) {
	rc, err := blobs.Get(ctx, key, 0, -1)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
