package web

import (
	"context"
	"os"
	"path/filepath"

	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
)

// confinedStore is tusd's file store holding every upload at its own name
// in the upload folder. tusd's store believes the data path an upload's
// .info file names; here an upload whose .info names any other path, or
// whose files are not plain files (a link planted in the folder), does not
// exist, so nothing outside the folder is ever written, read or removed.
type confinedStore struct{ filestore.FileStore }

// UseIn sets the store and the extensions the service uses (no downloads).
func (s confinedStore) UseIn(c *tusd.StoreComposer) {
	c.UseCore(s)
	c.UseTerminater(s)
	c.UseConcater(s)
	c.UseLengthDeferrer(s)
}

// GetUpload is the upload id, if it is one of the folder's own.
func (s confinedStore) GetUpload(ctx context.Context, id string) (tusd.Upload, error) {
	if !uploadID(id) {
		return nil, tusd.ErrNotFound
	}
	data, info := filepath.Join(s.Path, id), filepath.Join(s.Path, id+".info")
	for _, p := range []string{data, info} {
		if st, err := os.Lstat(p); err != nil || !st.Mode().IsRegular() {
			return nil, tusd.ErrNotFound
		}
	}
	up, err := s.FileStore.GetUpload(ctx, id)
	if err != nil {
		return nil, err
	}
	fi, err := up.GetInfo(ctx)
	if err != nil {
		return nil, err
	}
	if fi.ID != id || fi.Storage[filestore.StorageKeyPath] != data || fi.Storage[filestore.StorageKeyInfoPath] != info {
		return nil, tusd.ErrNotFound
	}
	return up, nil
}

// uploadID reports whether id has the form of the identifiers tusd gives
// (lower-case letters and digits): nothing that could name another file.
func uploadID(id string) bool {
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return id != ""
}

// dataPath is where the upload id's data is, whatever its .info says.
func (u *uploads) dataPath(id string) string {
	return filepath.Join(u.dir, id)
}
