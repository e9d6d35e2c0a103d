// Package backup copies an archive's storage into a second store and back:
// the records (items, collections, libraries, users, tokens, events, every
// version), the masters and the derivatives. Storage is the archive's
// truth, so such a copy, with `archive rebuild`, restores everything but
// the sessions. Copies are incremental: what the destination already holds
// is not copied again (blobs never change under their key).
package backup

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/storage"
)

// Counts says what a copy did.
type Counts struct {
	Copied, Kept int   // blobs copied, blobs the destination already had
	Bytes        int64 // bytes copied
	Failed       []error
}

// Skip names key prefixes a copy leaves out: the copies of the metadata
// store (backups/, metadata/), which are not storage's truth.
var Skip = []string{"backups/", "metadata/"}

// Copy copies every blob of src that dst does not hold with the same size
// into dst. A blob stored under its SHA-256 (blobs/sha256/…) is checked
// against it on the way, so a damaged blob is never copied as if it were
// sound: it is reported in Failed and the copy goes on. Storage that does
// not answer, or ctx ending, stops the copy with an error.
func Copy(ctx context.Context, dst, src storage.Blobs, progress func(Counts)) (Counts, error) {
	var n Counts
	have := map[string]int64{}
	if err := dst.List(ctx, "", func(i storage.Info) error {
		have[i.Key] = i.Size
		return nil
	}); err != nil {
		return n, fmt.Errorf("listing the destination: %w", err)
	}
	var todo []storage.Info
	if err := src.List(ctx, "", func(i storage.Info) error {
		for _, p := range Skip {
			if strings.HasPrefix(i.Key, p) {
				return nil
			}
		}
		if size, ok := have[i.Key]; ok && size == i.Size {
			n.Kept++
			return nil
		}
		todo = append(todo, i)
		return nil
	}); err != nil {
		return n, fmt.Errorf("listing the source: %w", err)
	}
	for _, i := range todo {
		err := copyBlob(ctx, dst, src, i)
		switch {
		case err == nil:
			n.Copied++
			n.Bytes += i.Size
		case ctx.Err() != nil:
			return n, ctx.Err()
		case errors.Is(err, fault.Checksum), errors.Is(err, fault.NotFound):
			// Damaged at the source, or removed meanwhile (gc): the
			// others are still worth copying.
			n.Failed = append(n.Failed, err)
		default:
			return n, err
		}
		if progress != nil {
			progress(n)
		}
	}
	return n, nil
}

func copyBlob(ctx context.Context, dst, src storage.Blobs, i storage.Info) error {
	rc, err := src.Get(ctx, i.Key, 0, -1)
	if err != nil {
		return err
	}
	defer rc.Close()
	opts := storage.PutOptions{Size: i.Size}
	if sum := path.Base(i.Key); strings.HasPrefix(i.Key, "blobs/sha256/") && storage.IsHexDigest(sum) {
		opts.SHA256 = sum
	}
	if _, err := dst.Put(ctx, i.Key, rc, opts); err != nil {
		if errors.Is(err, fault.Checksum) {
			return fmt.Errorf("%s is damaged at the source (its content is not its digest; mend it with archive repair): %w", i.Key, err)
		}
		return err
	}
	return nil
}

// Empty reports whether a store holds no records: a restore goes only
// into such a store, so it never mixes two archives.
func Empty(ctx context.Context, b storage.Lister) (bool, error) {
	errFound := errors.New("found")
	err := b.List(ctx, "records/", func(storage.Info) error { return errFound })
	if errors.Is(err, errFound) {
		return false, nil
	}
	return err == nil, err
}
