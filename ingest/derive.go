package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"strconv"

	"github.com/disintegration/imaging"

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
	base := repository.File{Name: m.Name, SHA256: m.sha256, Size: m.size, MediaType: m.mediaType}
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
	switch m.kind {
	case KindImage:
		files, notes, err = p.deriveImage(ctx, f, m, base)
	case KindSound, KindVideo:
		files, notes, err = p.deriveMedia(ctx, m, base)
	default:
		files = []repository.File{base}
	}
	if serr := <-stored; err == nil {
		err = serr
	}
	return files, notes, err
}

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
		if errors.Is(err, storage.ErrChecksum) {
			return &Error{Message: Message{Kind: "changed_meanwhile"}, Err: err}
		}
		return err
	}
	return nil
}

func (p *Pipeline) deriveImage(ctx context.Context, f *os.File, m master, base repository.File) ([]repository.File, []string, error) {
	pages, err := imagePages(f, m.mediaType)
	if err != nil {
		return nil, nil, err
	}
	var files []repository.File
	var notes []string
	for i, page := range pages {
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
		img, err := loadImage(f, m.mediaType, page, p.cfg.MaxPixels)
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
		file.Width, file.Height = img.Bounds().Dx(), img.Bounds().Dy()
		files = append(files, file)
		if p.cfg.DryRun {
			continue
		}
		// The thumbnail comes from the smallest pyramid level still over
		// twice its size, which the pyramid makes anyway.
		small := img
		levels, err := p.putPyramid(ctx, access, img, func(l image.Image) {
			if b := l.Bounds(); max(b.Dx(), b.Dy()) >= 2*ThumbSize {
				small = l
			}
		})
		if err != nil {
			return nil, nil, err
		}
		if err := p.putJPEG(ctx, thumb, thumbnail(small)); err != nil {
			return nil, nil, err
		}
		notes = append(notes, fmt.Sprintf("%s page %d: pyramid of %d levels from %dx%d, thumbnail", m.Name, i+1, len(levels), file.Width, file.Height))
	}
	return files, notes, nil
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

// thumbnail halves the image with a box filter while it is over twice the
// thumbnail size (cheap and exact), then fits it with Lanczos.
func thumbnail(img image.Image) image.Image {
	for b := img.Bounds(); max(b.Dx(), b.Dy()) > 2*ThumbSize; b = img.Bounds() {
		img = pyramid.Half(img)
	}
	return imaging.Fit(img, ThumbSize, ThumbSize, imaging.Lanczos)
}

func (p *Pipeline) putPyramid(ctx context.Context, key string, img image.Image, level func(image.Image)) ([]image.Point, error) {
	pr, pw := io.Pipe()
	var levels []image.Point
	go func() {
		var err error
		levels, err = pyramid.Write(ctx, pw, img, pyramid.Options{Level: level})
		pw.CloseWithError(err)
	}()
	_, err := p.cfg.Blobs.Put(ctx, key, pr, storage.PutOptions{ContentType: "image/tiff"})
	pr.CloseWithError(err) // unblocks the writer if the put failed
	return levels, err
}

func (p *Pipeline) putJPEG(ctx context.Context, key string, img image.Image) error {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		return err
	}
	_, err := p.cfg.Blobs.Put(ctx, key, &buf, storage.PutOptions{Size: int64(buf.Len()), ContentType: "image/jpeg"})
	return err
}

// probe is what ffprobe says of a recording.
type probe struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

// deriveMedia reads a recording's duration and size with ffprobe and takes a
// poster frame of a video with ffmpeg.
func (p *Pipeline) deriveMedia(ctx context.Context, m master, base repository.File) ([]repository.File, []string, error) {
	ffprobe, err := exec.LookPath("ffprobe")
	if err != nil {
		return nil, nil, refuse("media_no_tools")
	}
	out, err := exec.CommandContext(ctx, ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", m.Path).Output()
	if err != nil {
		return nil, nil, refuse("media_unreadable")
	}
	var pr probe
	if err := json.Unmarshal(out, &pr); err != nil {
		return nil, nil, refuse("media_report")
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
	jpg, err := exec.CommandContext(ctx, ffmpeg, "-v", "error", "-ss", at, "-i", m.Path, "-frames:v", "1", "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "3", "-").Output()
	if err != nil || len(jpg) == 0 {
		return nil, nil, refuse("poster_failed")
	}
	if _, err := p.cfg.Blobs.Put(ctx, poster, bytes.NewReader(jpg), storage.PutOptions{Size: int64(len(jpg)), ContentType: "image/jpeg"}); err != nil {
		return nil, nil, err
	}
	return []repository.File{f}, []string{fmt.Sprintf("%s: %.1f s, %dx%d, poster frame at %s s", m.Name, d, f.Width, f.Height, at)}, nil
}
