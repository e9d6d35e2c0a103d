package batch

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
)

// Info is what is stored of an upload: its size, offset and metadata
// (the batch it belongs to, its file name).
type Info = tusd.FileInfo

// Uploads is the resumable upload endpoint's file store, holding every
// upload at its own name in the upload folder. tusd's store believes the
// data path an upload's .info file names; here an upload whose .info
// names any other path, or whose files are not plain files of their own
// (a symbolic or hard link planted in the folder), does not exist, so
// nothing outside the folder is ever written, read or removed.
type Uploads struct{ filestore.FileStore }

// NewUploads is the store of the upload folder dir.
func NewUploads(dir string) Uploads { return Uploads{filestore.New(dir)} }

// UseIn sets the store and the extensions the service uses (no downloads).
func (s Uploads) UseIn(c *tusd.StoreComposer) {
	c.UseCore(s)
	c.UseTerminater(s)
	c.UseConcater(s)
	c.UseLengthDeferrer(s)
}

// GetUpload is the upload id, if it is one of the folder's own.
func (s Uploads) GetUpload(ctx context.Context, id string) (tusd.Upload, error) {
	if !uploadID(id) {
		return nil, tusd.ErrNotFound
	}
	data, info := filepath.Join(s.Path, id), filepath.Join(s.Path, id+".info")
	for _, p := range []string{data, info} {
		if !ownFile(p) {
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

// Info is what is stored of the upload id, if it is one of the folder's own.
func (s Uploads) Info(ctx context.Context, id string) (Info, error) {
	up, err := s.GetUpload(ctx, id)
	if err != nil {
		return Info{}, err
	}
	return up.GetInfo(ctx)
}

// ownFile reports whether the file at p is the folder's own: a plain file,
// not a symbolic link, with no other name (a hard link to a file elsewhere
// would be read and ingested as an upload's data). The file is opened
// without following links and the open file is the one examined.
func ownFile(p string) bool {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && sys.Nlink == 1
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
func (s Uploads) dataPath(id string) string { return filepath.Join(s.Path, id) }

// onDisk lists the uploads kept in the folder, by their .info files.
func (s Uploads) onDisk() ([]string, error) {
	entries, err := os.ReadDir(s.Path)
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".info"); ok && !e.IsDir() {
			ids = append(ids, id)
		}
	}
	return ids, err
}

// modified is when an upload's data or record last changed.
func (s Uploads) modified(id string) (time.Time, bool) {
	var last time.Time
	for _, name := range []string{id, id + ".info"} {
		if st, err := os.Stat(filepath.Join(s.Path, name)); err == nil && st.ModTime().After(last) {
			last = st.ModTime()
		}
	}
	return last, !last.IsZero()
}

// remove deletes an upload's data and its record.
func (s Uploads) remove(id string) error {
	var first error
	for _, name := range []string{id, id + ".info"} {
		if err := os.Remove(filepath.Join(s.Path, name)); err != nil && !errors.Is(err, fs.ErrNotExist) && first == nil {
			first = err
		}
	}
	return first
}
