package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/pyramid"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// DerivativeKey is where a derivative of a master is stored: under the
// master's digest, so a re-run finds (and reuses) what an interrupted run made.
func DerivativeKey(sha256, name string) string {
	return "derivatives/" + sha256[:2] + "/" + sha256[2:4] + "/" + sha256 + "/" + name
}

// ThumbSize bounds the stored thumbnail.
const ThumbSize = 400

// store puts the master (unless already stored) and makes its derivatives,
// returning the file entries for the item (one per page) and notes for the
// derivation event. In a dry run it only reads and checks.
func (p *Pipeline) store(ctx context.Context, m master) ([]repository.File, []string, error) {
	f, err := os.Open(m.Path)
	if err != nil {
		return nil, nil, refuse("unreadable", unwrapPath(err).Error())
	}
	defer f.Close()
	base := repository.File{Name: DisplayName(m.Name), SHA256: m.sha256, Size: m.size, MediaType: m.mediaType}
	// The master goes to storage while its derivatives are made: one is
	// I/O, the other CPU.
	stored := make(chan error, 1)
	if p.cfg.DryRun {
		stored <- nil
	} else {
		go func() { stored <- p.putMaster(ctx, m) }()
	}
	var files []repository.File
	var notes []string
	dctx, cancel := context.WithTimeoutCause(ctx, p.cfg.FileTimeout, errTooSlow)
	defer cancel()
	switch {
	case m.kind == KindImage, m.mediaType == "application/pdf": // a PDF: a canvas per page
		files, notes, err = p.deriveImage(dctx, m, base)
	case m.kind == KindSound, m.kind == KindVideo:
		files, notes, err = p.deriveMedia(dctx, m, base)
	default:
		files = []repository.File{base}
	}
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(dctx), errTooSlow) {
		err = refuse("too_slow", strconv.FormatFloat(p.cfg.FileTimeout.Seconds(), 'f', -1, 64))
	}
	if serr := <-stored; err == nil {
		err = serr
	}
	return files, notes, err
}

// errTooSlow is the cause of a file's derivatives running out of time.
var errTooSlow = errors.New("the file's derivatives took too long")

// putMaster stores a master under its digest unless an earlier run did.
func (p *Pipeline) putMaster(ctx context.Context, m master) error {
	key := storage.DigestKey(m.sha256)
	if st, err := p.cfg.Blobs.Stat(ctx, key); err == nil && st.Size == m.size {
		return nil // stored (and verified) by an earlier run
	}
	f, err := os.Open(m.Path)
	if err != nil {
		return refuse("unreadable", unwrapPath(err).Error())
	}
	defer f.Close()
	if _, err := p.cfg.Blobs.Put(ctx, key, f, storage.PutOptions{SHA256: m.sha256, Size: m.size, ContentType: m.mediaType}); err != nil {
		if errors.Is(err, fault.Checksum) {
			return &Error{Message: Message{Kind: "changed_meanwhile"}, Err: err}
		}
		return err
	}
	return nil
}

func (p *Pipeline) deriveImage(ctx context.Context, m master, base repository.File) ([]repository.File, []string, error) {
	pages, err := imagePages(m.Path, m.mediaType, p.cfg.MaxPixels)
	if err != nil {
		return nil, nil, err
	}
	var files []repository.File
	var notes []string
	for i, page := range pages {
		if err := ctx.Err(); err != nil {
			return nil, nil, err // out of time, or stopped
		}
		file := base
		if len(pages) > 1 {
			file.Page = i + 1
			file.Label = repository.Text{"th": fmt.Sprintf("หน้า %d", i+1), "en": fmt.Sprintf("Page %d", i+1)}
		}
		access := DerivativeKey(m.sha256, fmt.Sprintf("p%d.tif", i+1))
		thumb := DerivativeKey(m.sha256, fmt.Sprintf("p%d-thumb.jpg", i+1))
		file.Derivatives = map[string]string{"access": access, "thumb": thumb}
		if w, h, ok := p.reuse(ctx, access, thumb); ok {
			file.Width, file.Height = w, h
			files = append(files, file)
			continue
		}
		acc, err := p.putAccess(ctx, access, m, page)
		if err != nil {
			if len(pages) > 1 {
				if paged, ok := at(err, func(m *Message) { m.Page = i + 1 }); ok {
					err = paged
				} else {
					err = fmt.Errorf("page %d: %w", i+1, err)
				}
			}
			return nil, nil, err
		}
		file.Width, file.Height = acc.width, acc.height
		files = append(files, file)
		if p.cfg.DryRun {
			continue
		}
		if _, err := p.cfg.Blobs.Put(ctx, thumb, bytes.NewReader(acc.thumb), storage.PutOptions{Size: int64(len(acc.thumb)), ContentType: "image/jpeg"}); err != nil {
			return nil, nil, err
		}
		notes = append(notes, fmt.Sprintf("%s page %d: pyramid of %d levels from %dx%d, thumbnail", DisplayName(m.Name), i+1, len(acc.levels), file.Width, file.Height))
	}
	if m.mediaType == "application/pdf" && !p.cfg.DryRun {
		note, err := p.pdfText(ctx, m, files)
		if err != nil {
			return nil, nil, err
		}
		notes = append(notes, note)
	}
	return files, notes, nil
}

// pdfText keeps the text layer of each page of a PDF that has one (as
// poppler's pdftotext reads it), beside the page, for search.
func (p *Pipeline) pdfText(ctx context.Context, m master, files []repository.File) (string, error) {
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		return DisplayName(m.Name) + ": no text layer read (pdftotext, Debian poppler-utils, is not installed)", nil
	}
	cmd := exec.CommandContext(ctx, tool, "-q", "-enc", "UTF-8", m.Path, "-")
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return "", ctx.Err() // out of time, or stopped: not a PDF without text
	}
	if err != nil {
		return DisplayName(m.Name) + ": its text layer cannot be read: " + err.Error(), nil
	}
	pages := bytes.Split(out, []byte("\f")) // pdftotext ends each page with a form feed
	n := 0
	for i := range files {
		if i >= len(pages) || len(bytes.TrimSpace(pages[i])) == 0 {
			continue
		}
		text := bytes.TrimSpace(pages[i])
		key := DerivativeKey(m.sha256, fmt.Sprintf("p%d.txt", i+1))
		if _, err := p.cfg.Blobs.Put(ctx, key, bytes.NewReader(text), storage.PutOptions{Size: int64(len(text)), ContentType: "text/plain; charset=utf-8"}); err != nil {
			return "", err
		}
		files[i].Derivatives["text"] = key
		n++
	}
	return fmt.Sprintf("%s: the text layer of %d of %d pages kept for search", m.Name, n, len(files)), nil
}

// putAccess makes the access copy of one page of a master and stores it
// as it is written; in a dry run it only checks that the page converts.
func (p *Pipeline) putAccess(ctx context.Context, key string, m master, page int) (*accessCopy, error) {
	if p.cfg.DryRun {
		return makeAccess(ctx, nil, m.Path, m.mediaType, page, p.cfg.MaxPixels)
	}
	pr, pw := io.Pipe()
	var acc *accessCopy
	done := make(chan error, 1)
	go func() {
		var err error
		acc, err = makeAccess(ctx, pw, m.Path, m.mediaType, page, p.cfg.MaxPixels)
		pw.CloseWithError(err)
		done <- err
	}()
	_, err := p.cfg.Blobs.Put(ctx, key, pr, storage.PutOptions{ContentType: "image/tiff"})
	pr.CloseWithError(err) // unblocks the writer if the put failed
	merr := <-done
	switch {
	case errors.Is(merr, ErrRefused):
		return nil, merr // the master's fault, whatever became of the put
	case err != nil:
		return nil, err // a failed put, which broke the writer's pipe
	case merr != nil:
		return nil, merr
	}
	return acc, nil
}

// reuse reports the size of an access copy an earlier run stored, when both
// derivatives are there.
func (p *Pipeline) reuse(ctx context.Context, access, thumb string) (int, int, bool) {
	if p.cfg.DryRun {
		return 0, 0, false
	}
	if _, err := p.cfg.Blobs.Stat(ctx, thumb); err != nil {
		return 0, 0, false
	}
	pyr, err := pyramid.Read(storage.ReaderAt{Ctx: ctx, F: p.cfg.Blobs, Key: access})
	if err != nil {
		return 0, 0, false
	}
	return pyr.Levels[0].Width, pyr.Levels[0].Height, true
}

// deriveMedia reads a recording's duration and size with ffprobe and takes a
// poster frame of a video with ffmpeg.
func (p *Pipeline) deriveMedia(ctx context.Context, m master, base repository.File) ([]repository.File, []string, error) {
	tool, err := exec.LookPath("ffprobe")
	if err != nil {
		return nil, nil, refuse("media_no_tools")
	}
	pr, err := ffprobe(ctx, tool, m.Path, m.mediaType)
	if err != nil {
		return nil, nil, err
	}
	d, err := strconv.ParseFloat(pr.Format.Duration, 64)
	if err != nil || d <= 0 {
		return nil, nil, refuse("media_no_duration", m.mediaType)
	}
	f := base
	f.Duration = d
	hasVideo := false
	for _, s := range pr.Streams {
		if s.CodecType == "video" && s.Width > 0 {
			f.Width, f.Height, hasVideo = s.Width, s.Height, true
			break
		}
	}
	if m.kind == KindVideo && !hasVideo {
		return nil, nil, refuse("video_no_stream")
	}
	if !hasVideo || p.cfg.DryRun {
		return []repository.File{f}, nil, nil
	}
	poster := DerivativeKey(m.sha256, "poster.jpg")
	f.Derivatives = map[string]string{"poster": poster}
	if _, err := p.cfg.Blobs.Stat(ctx, poster); err == nil {
		return []repository.File{f}, nil, nil
	}
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		return nil, nil, refuse("poster_no_tools")
	}
	at := strconv.FormatFloat(min(1, d/2), 'f', 3, 64)
	in, err := inputArgs(m.mediaType)
	if err != nil {
		return nil, nil, err
	}
	args := append(append([]string{"-nostdin", "-v", "error"}, in...), "-ss", at, "-i", m.Path, "-frames:v", "1", "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "3", "-")
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	cmd.WaitDelay = 5 * time.Second
	jpg, err := cmd.Output()
	if err != nil || len(jpg) == 0 {
		return nil, nil, refuse("poster_failed")
	}
	if _, err := p.cfg.Blobs.Put(ctx, poster, bytes.NewReader(jpg), storage.PutOptions{Size: int64(len(jpg)), ContentType: "image/jpeg"}); err != nil {
		return nil, nil, err
	}
	return []repository.File{f}, []string{fmt.Sprintf("%s: %.1f s, %dx%d, poster frame at %s s", DisplayName(m.Name), d, f.Width, f.Height, at)}, nil
}
