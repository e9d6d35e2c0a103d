package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/semaphore"

	"github.com/thaiarchives/archive/pyramid"
	"github.com/thaiarchives/archive/vips"
)

// Access copies: tiles of 256 pixels, JPEG quality 85.
const (
	tileSize    = 256
	tileQuality = 85
	// decodeInMemory bounds the decoded pixels of a master kept in memory
	// while its pyramid is written (an 8000×6000 scan); larger masters go
	// through a temporary file, so two at once stay under 400 MB.
	decodeInMemory = 150 << 20
)

// decoded bounds the masters' pixels held in memory by all files being
// made at once: one such master per core.
var decoded = semaphore.NewWeighted(int64(runtime.NumCPU()) * decodeInMemory)

// sniffImage recognises the still-image formats that Sniff does not:
// JPEG 2000 (JP2, JPX and bare codestreams), BigTIFF, BMP, HEIF and AVIF
// (which share MP4's box format) and JPEG XL. It returns "" for others.
func sniffImage(head []byte) string {
	has := func(off int, sig string) bool {
		return len(head) >= off+len(sig) && string(head[off:off+len(sig)]) == sig
	}
	switch {
	case has(0, "\x00\x00\x00\x0cjP  \r\n\x87\n"):
		if has(20, "jpx ") {
			return "image/jpx"
		}
		return "image/jp2"
	case has(0, "\xFF\x4F\xFF\x51"):
		return "image/j2k"
	case has(0, "II+\x00"), has(0, "MM\x00+"):
		return "image/tiff" // BigTIFF
	case has(0, "BM") && len(head) >= 18 && head[14] >= 12 && head[15] == 0 && head[16] == 0 && head[17] == 0:
		return "image/bmp" // the DIB header's size follows the file header
	case has(4, "ftyp"):
		for _, brand := range []string{"heic", "heix", "heim", "heis", "mif1", "msf1"} {
			if has(8, brand) {
				return "image/heif"
			}
		}
		if has(8, "avif") || has(8, "avis") {
			return "image/avif"
		}
	case has(0, "\xFF\x0A"), has(0, "\x00\x00\x00\x0cJXL \r\n\x87\n"):
		return "image/jxl"
	}
	return ""
}

// sniff is Sniff with the still images only libvips reads.
func sniff(head []byte) (mediaType, kind string) {
	if mt := sniffImage(head); mt != "" {
		return mt, KindImage
	}
	return Sniff(head)
}

// loaders are the libvips loaders trusted with each kind of master: a file
// is read only by the loader of the format it was sniffed as, so that a
// crafted file cannot reach a loader it was not meant for. ImageMagick
// reads BMP, which libvips has no loader of its own for.
var loaders = map[string][]string{
	"image/jpeg": {"jpegload"},
	"image/png":  {"pngload"},
	"image/tiff": {"tiffload"},
	"image/gif":  {"gifload"},
	"image/webp": {"webpload"},
	"image/jp2":  {"jp2kload"},
	"image/jpx":  {"jp2kload"},
	"image/j2k":  {"jp2kload"},
	"image/heif": {"heifload"},
	"image/avif": {"heifload"},
	"image/jxl":  {"jxlload"},
	"image/bmp":  {"magickload"},
	// A PDF's pages are rendered by poppler, each at a resolution suited
	// to its size (see pdfLongSide).
	"application/pdf": {"pdfload"},
}

// pdfLongSide is the long side, in pixels, a PDF page is rendered at: an
// A4 page at about 300 dpi (within 72–600 dpi, whatever the page's size).
const pdfLongSide = 3500

// maxPages bounds the pages of one master made into canvases, a PDF's or
// a TIFF's: past it, one file would hold an ingest worker for many minutes.
const maxPages = 2000

// openMaster opens one page of a master with libvips (header only) and
// checks that it is the format it was sniffed as and not too large.
func openMaster(path, mediaType string, page int, maxPixels int64) (*vips.Image, error) {
	loader := vips.Loader(path)
	if loader == "" {
		return nil, refuse("image_unreadable", mediaType, "no libvips loader recognises it")
	}
	if ok := loaders[mediaType]; !containsPrefix(ok, loader) {
		return nil, refuse("image_unreadable", mediaType, "libvips reads it as "+loader)
	}
	var im *vips.Image
	var err error
	if mediaType == "application/pdf" {
		im, _, err = vips.OpenPDFPage(path, page, pdfLongSide)
	} else {
		im, err = vips.Open(path, vips.OpenOptions{Page: page})
	}
	if err != nil {
		return nil, refuse("image_header", vipsMessage(err, path), mediaType)
	}
	w, h := im.UprightSize()
	if w <= 0 || h <= 0 {
		im.Close()
		return nil, refuse("image_no_size")
	}
	if int64(w)*int64(h) > maxPixels {
		im.Close()
		return nil, refuse("image_too_large", itoa(w), itoa(h), strconv.FormatInt(maxPixels/1_000_000, 10))
	}
	return im, nil
}

func containsPrefix(names []string, loader string) bool {
	for _, n := range names {
		if strings.HasPrefix(loader, n) {
			return true
		}
	}
	return false
}

// imagePages lists the pages of a master as libvips numbers them: the
// full-resolution images of a TIFF (skipping the reduced levels of a
// pyramidal master), one page for other formats (the first frame of an
// animation).
func imagePages(path, mediaType string, maxPixels int64) ([]int, error) {
	im, err := openMaster(path, mediaType, 0, maxPixels)
	if err != nil {
		return nil, err
	}
	n := im.Pages()
	im.Close()
	if mediaType == "application/pdf" {
		if n > maxPages {
			return nil, refuse("pdf_too_many_pages", itoa(n), itoa(maxPages))
		}
		pages := make([]int, n)
		for i := range pages {
			pages[i] = i
		}
		return pages, nil
	}
	if mediaType != "image/tiff" || n <= 1 {
		return []int{0}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, refuse("unreadable", unwrapPath(err).Error())
	}
	defer f.Close()
	var pages []int
	ifds, err := pyramid.ReadIFDs(f)
	for i := range n {
		// In a BigTIFF (which that reader does not read) every page counts.
		if err != nil || len(ifds) != n || !ifds[i].Reduced {
			pages = append(pages, i)
		}
	}
	if len(pages) > maxPages {
		return nil, refuse("tiff_too_many_pages", itoa(len(pages)), itoa(maxPages))
	}
	return pages, nil
}

// accessCopy is what makeAccess made of one page of a master.
type accessCopy struct {
	width, height int
	levels        []int // widths, largest first
	thumb         []byte
}

// makeAccess writes the access copy of one page of a master to w (a
// standard tiled pyramidal TIFF, see package pyramid) and makes its
// thumbnail. libvips streams the master through orientation, colour
// conversion and the pyramid into a temporary file, in bounded memory;
// that file is then repacked into our layout, its tiles copied, not
// decoded. With a nil w it only checks that the page converts.
func makeAccess(ctx context.Context, w io.Writer, path, mediaType string, page int, maxPixels int64) (*accessCopy, error) {
	head, err := openMaster(path, mediaType, page, maxPixels)
	if err != nil {
		return nil, err
	}
	defer head.Close()
	width, height := head.UprightSize()
	out := &accessCopy{width: width, height: height}
	src := head
	if head.Orientation() == 1 && w != nil && mediaType != "application/pdf" {
		// Unrotated, the pixels can stream top to bottom.
		if src, err = vips.Open(path, vips.OpenOptions{Page: page, Sequential: true}); err != nil {
			return nil, refuse("image_header", vipsMessage(err, path), mediaType)
		}
		defer src.Close()
	}
	padW, padH := pyramid.PaddedSize(width, height, tileSize)
	acc, err := src.Access(padW, padH)
	if err != nil {
		return nil, refuse("image_colour", vipsMessage(err, path))
	}
	defer acc.Close()
	if w == nil {
		return out, nil
	}
	dir, err := os.MkdirTemp("", "archive-access-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	// The master is decoded first, into memory when it is small and into
	// an uncompressed file when it is not: libvips 8.14 crashes when a
	// pyramid's source fails midway (a truncated master), while these
	// fail cleanly.
	var whole *vips.Image
	free := func() {}
	defer func() { free() }()
	if n := int64(padW) * int64(padH) * int64(acc.Bands()); n <= decodeInMemory {
		// Files are made several at a time (two per core, so one's
		// storage writes overlap another's decoding); their decoded
		// pixels together stay within one master's per core.
		if err := decoded.Acquire(ctx, n); err != nil {
			return nil, err
		}
		free = sync.OnceFunc(func() { decoded.Release(n) })
		if whole, err = acc.Memory(); err != nil {
			return nil, refuse("image_corrupt", vipsMessage(err, path))
		}
	} else {
		pixels := filepath.Join(dir, "pixels.v")
		if err := acc.Save(pixels); err != nil {
			return nil, refuse("image_corrupt", vipsMessage(err, path, pixels))
		}
		defer os.Remove(pixels)
		if whole, err = vips.Open(pixels, vips.OpenOptions{Sequential: true}); err != nil {
			return nil, fmt.Errorf("reading back the decoded master: %w", err)
		}
	}
	acc.Close()
	defer whole.Close()
	tmp, err := os.Create(filepath.Join(dir, "pyramid.tif"))
	if err != nil {
		return nil, err
	}
	defer tmp.Close()
	if err := whole.SavePyramid(tmp.Name(), tileSize, tileQuality); err != nil {
		return nil, fmt.Errorf("writing the pyramid: %w", err)
	}
	whole.Close()
	free()
	sizes, err := pyramid.Repack(ctx, w, tmp, width, height, pyramid.RepackOptions{Quality: tileQuality, Crop: cropTile})
	if err != nil {
		return nil, fmt.Errorf("repacking the access copy: %w", err)
	}
	for _, s := range sizes {
		out.levels = append(out.levels, s.X)
	}
	// The thumbnail comes from the smallest level still over twice its
	// size, which the pyramid has made anyway.
	level := 0
	for i, s := range sizes {
		if max(s.X, s.Y) >= 2*ThumbSize {
			level = i
		}
	}
	lv, err := vips.Open(tmp.Name(), vips.OpenOptions{Page: level})
	if err != nil {
		return nil, fmt.Errorf("reading the access copy's level %d: %w", level, err)
	}
	defer lv.Close()
	if out.thumb, err = lv.ThumbnailJPEG(0, 0, sizes[level].X, sizes[level].Y, ThumbSize, tileQuality); err != nil {
		return nil, fmt.Errorf("making the thumbnail: %w", err)
	}
	return out, nil
}

// cropTile makes an edge tile's exact-size JPEG with libjpeg-turbo's
// lossless crop: no decoding, no second loss.
func cropTile(tile []byte, w, h int) ([]byte, error) {
	return vips.CropJPEGLossless(tile, w, h)
}

// vipsMessage is libvips' own sentence of a failure, on one line, with the
// file's path (which libvips names) left out: people are told of their
// file, never of the server's folders.
func vipsMessage(err error, paths ...string) string {
	msg := err.Error()
	var ve *vips.Error
	if errors.As(err, &ve) {
		msg = ve.Message
	}
	for _, p := range paths {
		msg = strings.ReplaceAll(msg, `"`+p+`"`, "the file")
		msg = strings.ReplaceAll(msg, p, "the file")
	}
	return strings.Join(strings.Fields(msg), " ")
}

func itoa(n int) string { return strconv.Itoa(n) }
