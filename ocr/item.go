package ocr

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/pyramid"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// read is one page's text, ready to be saved.
type read struct {
	file   int // index
	sha256 string
	page   *Page
	how    string
}

// Item reads the text of an item's unread pages now, saving as it goes;
// progress (if not nil) hears of every page read. Pages are read at most
// Workers at a time, across every item.
func (r *Runner) Item(ctx context.Context, id string, progress func(done, total int)) error {
	it, err := r.cfg.Store.Item(id)
	if err != nil {
		return err
	}
	todo := Unread(it)
	if it.Deleted || len(todo) == 0 {
		return nil
	}
	dir, err := os.MkdirTemp(r.cfg.TempDir, "ocr-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	layers, err := r.textLayers(ctx, it, todo, dir)
	if err != nil {
		return err
	}
	langs := r.cfg.Tesseract.Languages(it.Language)
	results := make(chan read)
	errs := make(chan error, len(todo))
	var wg sync.WaitGroup
	for _, i := range todo {
		f := it.Files[i]
		if p := layers[i]; p != nil {
			wg.Go(func() { results <- read{i, f.SHA256, p, "the PDF's text layer"} })
			continue
		}
		wg.Go(func() {
			select {
			case r.pages <- struct{}{}:
			case <-ctx.Done():
				errs <- ctx.Err()
				return
			}
			defer func() { <-r.pages }()
			p, err := r.page(ctx, f, filepath.Join(dir, fmt.Sprintf("p%d", i+1)), langs)
			if err != nil {
				errs <- fmt.Errorf("file %d (%s): %w", i+1, f.Name, err)
				return
			}
			results <- read{i, f.SHA256, p, "tesseract " + langs}
		})
	}
	go func() { wg.Wait(); close(results) }()
	var batch []read
	done := 0
	var saveErr error
	for rd := range results {
		batch = append(batch, rd)
		done++
		if progress != nil {
			progress(done, len(todo))
		}
		if len(batch) >= r.cfg.SaveEvery {
			saveErr = errors.Join(saveErr, r.save(ctx, id, batch))
			batch = nil
		}
	}
	if len(batch) > 0 {
		saveErr = errors.Join(saveErr, r.save(ctx, id, batch))
	}
	close(errs)
	var failed []error
	for e := range errs {
		failed = append(failed, e)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d pages: %w", len(failed), len(todo), failed[0])
	}
	return saveErr
}

// textLayers reads the text layer of the PDFs among the pages: a page with
// one needs no OCR.
func (r *Runner) textLayers(ctx context.Context, it *repository.Item, todo []int, dir string) (map[int]*Page, error) {
	out := map[int]*Page{}
	byMaster := map[string][]int{}
	for _, i := range todo {
		if f := it.Files[i]; f.MediaType == "application/pdf" && f.Derivatives["text"] != "" {
			byMaster[f.SHA256] = append(byMaster[f.SHA256], i)
		}
	}
	for sha, files := range byMaster {
		path := filepath.Join(dir, "master.pdf")
		if err := fetch(ctx, r.cfg.Blobs, storage.DigestKey(sha), path); err != nil {
			return nil, err
		}
		sizes := map[int][2]int{}
		for _, i := range files {
			f := it.Files[i]
			sizes[max(f.Page, 1)] = [2]int{f.Width, f.Height}
		}
		pages, err := PDFText(ctx, path, func(n int) (int, int) { s := sizes[n]; return s[0], s[1] })
		if err != nil {
			return nil, err
		}
		for _, i := range files {
			if n := max(it.Files[i].Page, 1); n <= len(pages) && pages[n-1] != nil {
				out[i] = pages[n-1]
			}
		}
		os.Remove(path)
	}
	return out, nil
}

// ocrEdge is the long side of the image Tesseract reads: about 300 dpi for
// an A4 page. A larger access copy is read from the smallest pyramid level
// at least this long.
const ocrEdge = 3300

// page reads one page from its access copy with Tesseract.
func (r *Runner) page(ctx context.Context, f repository.File, base, langs string) (*Page, error) {
	tif := base + ".access.tif"
	if err := fetch(ctx, r.cfg.Blobs, f.Derivatives["access"], tif); err != nil {
		return nil, err
	}
	defer os.Remove(tif)
	fh, err := os.Open(tif)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	pyr, err := pyramid.Read(fh)
	if err != nil {
		return nil, fmt.Errorf("access copy: %w", err)
	}
	level := 0
	for k, l := range pyr.Levels {
		if max(l.Width, l.Height) >= ocrEdge {
			level = k
		}
	}
	lv := pyr.Levels[level]
	lw, lh := lv.Width, lv.Height
	img := base + ".pgm"
	if err := writeLevel(ctx, fh, lv, img); err != nil {
		return nil, fmt.Errorf("access copy: %w", err)
	}
	defer os.Remove(img)
	p, err := r.cfg.Tesseract.Recognize(ctx, img, langs)
	if err != nil {
		return nil, err
	}
	w, h := cmpOr(f.Width, lw), cmpOr(f.Height, lh)
	p.Scale(float64(w)/float64(lw), w, h)
	return p, nil
}

// writeLevel decodes one level of the pyramid in f into a grey PGM image,
// which Tesseract reads as it stands.
func writeLevel(ctx context.Context, f io.ReaderAt, lv *pyramid.IFD, to string) error {
	g := image.NewGray(image.Rect(0, 0, lv.Width, lv.Height))
	for row := range lv.Rows() {
		if err := ctx.Err(); err != nil {
			return err
		}
		for col := range lv.Cols() {
			off, n, _ := lv.Tile(col, row)
			data := make([]byte, n)
			if _, err := f.ReadAt(data, off); err != nil {
				return err
			}
			tile, err := lv.DecodeTile(data)
			if err != nil {
				return err
			}
			at := image.Pt(col*lv.TileW, row*lv.TileH)
			draw.Draw(g, image.Rectangle{Min: at, Max: at.Add(tile.Bounds().Size())}, tile, tile.Bounds().Min, draw.Src)
		}
	}
	out := bytes.NewBuffer(make([]byte, 0, len(g.Pix)+32))
	fmt.Fprintf(out, "P5\n%d %d\n255\n", lv.Width, lv.Height)
	out.Write(g.Pix)
	return os.WriteFile(to, out.Bytes(), 0o600)
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// save stores the pages' ALTO and text, then records them in a new version
// of the item, reading it again when it was saved meanwhile.
func (r *Runner) save(ctx context.Context, id string, batch []read) error {
	// Each page's ALTO and text blob: key and SHA-256, registered as
	// every derivative's are, so that fixity audits and repairs hold them
	// to what was written.
	type blob struct{ key, sha256 string }
	keys := map[int][2]blob{}
	var hows []string
	for _, rd := range batch {
		alto := rd.page.WriteALTO(fmt.Sprintf("%s file %d", id, rd.file+1), rd.how)
		ak := derivativeKey(rd.sha256, fmt.Sprintf("p%d.alto.xml", rd.file+1))
		asum, err := put(ctx, r.cfg.Blobs, ak, alto, "application/xml; charset=utf-8")
		if err != nil {
			return err
		}
		var tb blob
		if text := strings.TrimSpace(rd.page.Text()); text != "" {
			tb.key = derivativeKey(rd.sha256, fmt.Sprintf("p%d.ocr.txt", rd.file+1))
			if tb.sha256, err = put(ctx, r.cfg.Blobs, tb.key, []byte(text), "text/plain; charset=utf-8"); err != nil {
				return err
			}
		}
		keys[rd.file] = [2]blob{{ak, asum}, tb}
		if !slices.Contains(hows, rd.how) {
			hows = append(hows, rd.how)
		}
	}
	for range 5 {
		it, err := r.cfg.Store.Item(id)
		if err != nil {
			return err
		}
		if it.Deleted {
			return nil
		}
		n := 0
		for _, rd := range batch {
			if rd.file >= len(it.Files) || it.Files[rd.file].SHA256 != rd.sha256 {
				continue // the item's files changed meanwhile
			}
			f := &it.Files[rd.file]
			d, sums := maps.Clone(f.Derivatives), maps.Clone(f.Digests) // shared with the version read
			if d == nil {
				d = map[string]string{}
			}
			if sums == nil {
				sums = map[string]string{}
			}
			ab, tb := keys[rd.file][0], keys[rd.file][1]
			d["alto"], sums["alto"] = ab.key, ab.sha256
			// A text layer from elsewhere (a PDF's, at ingest) is kept; one
			// this reading wrote over has its new digest.
			if tb.key != "" && (d["text"] == "" || d["text"] == tb.key) {
				d["text"], sums["text"] = tb.key, tb.sha256
			}
			f.Derivatives, f.Digests = d, sums
			n++
		}
		if n == 0 {
			return nil
		}
		detail := fmt.Sprintf("text of %d pages read (%s)", n, strings.Join(hows, ", "))
		err = r.cfg.Store.SaveItem(ctx, it, r.cfg.Agent, repository.Event{Type: "derivation", Outcome: "success", Detail: detail})
		if !errors.Is(err, fault.Conflict) {
			return err
		}
	}
	return fmt.Errorf("item %s kept changing while its pages' text was saved", id)
}

func derivativeKey(sha256, name string) string {
	return "derivatives/" + sha256[:2] + "/" + sha256[2:4] + "/" + sha256 + "/" + name
}

// put stores data under key, checked on the way against its SHA-256,
// which it returns.
func put(ctx context.Context, b storage.Blobs, key string, data []byte, ctype string) (string, error) {
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	_, err := b.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{SHA256: digest, Size: int64(len(data)), ContentType: ctype})
	return digest, err
}

// fetch copies a blob into a local file.
func fetch(ctx context.Context, b storage.Blobs, key, to string) error {
	rc, err := b.Get(ctx, key, 0, -1)
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(out, storage.ContextReader(ctx, rc), make([]byte, 1<<20)); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
