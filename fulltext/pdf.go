package fulltext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/ocr"
)

// PDF is an item made into a PDF document.
type PDF struct {
	*Item
	Data  []byte
	Pages int
}

// PDF makes the PDF of an item p may read: a page per page image (at most
// Edge pixels long, rendered by the image service), each as large as its
// scan at 300 dpi, with the page's words drawn invisibly (text rendering
// mode 3) over the places ALTO gives them, so that they can be selected,
// searched and extracted. The font is embedded with a ToUnicode map and the
// words are not shaped, so each glyph maps back to exactly one character
// and Thai is extracted as stored; shaping would only matter for text that
// is seen. client names who asks (a person or an address): each makes one
// PDF at a time, and at most Renders are made at once; either limit reached
// is fault.Busy. An item of more than MaxPages pages is fault.TooLarge.
func (s *Service) PDF(ctx context.Context, p access.Principal, id, client string) (*PDF, error) {
	it, err := s.Open(ctx, p, id)
	if err != nil {
		return nil, err
	}
	files := pages(it.Item, true)
	switch {
	case len(files) == 0:
		return nil, fmt.Errorf("item %s has no page images to make a PDF of: %w", it.ID, fault.NotFound)
	case len(files) > s.cfg.MaxPages:
		return nil, fmt.Errorf("item %s has %d pages, and a PDF is made of at most %d; its text can be had whole as plain text: %w",
			it.ID, len(files), s.cfg.MaxPages, fault.TooLarge)
	}
	release, err := s.take(client)
	if err != nil {
		return nil, err
	}
	defer release()
	font, err := s.fontData()
	if err != nil {
		return nil, err
	}
	work, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	data, err := s.build(work, p, it, files, font, client)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		err = fmt.Errorf("the PDF of item %s was not made within %s: %w", it.ID, s.cfg.Timeout, err)
	}
	if err != nil {
		return nil, err
	}
	return &PDF{Item: it, Data: data, Pages: len(files)}, nil
}

// take holds a place to make a PDF for client, or says why there is none.
func (s *Service) take(client string) (func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.making[client] {
		return nil, fmt.Errorf("a PDF asked for from here is being made already; one is made at a time: %w", fault.Busy)
	}
	select {
	case s.renders <- struct{}{}:
	default:
		return nil, fmt.Errorf("%d PDFs are being made, the most at once: %w", cap(s.renders), fault.Busy)
	}
	s.making[client] = true
	return func() {
		s.mu.Lock()
		delete(s.making, client)
		<-s.renders
		s.mu.Unlock()
	}, nil
}

// build lays out the pages: each page's image, then its words.
func (s *Service) build(ctx context.Context, p access.Principal, it *Item, files []int, font []byte, client string) ([]byte, error) {
	texts, err := s.readAll(ctx, it.Item, files)
	if err != nil {
		return nil, err
	}
	doc := fpdf.NewCustom(&fpdf.InitType{UnitStr: "pt", Size: fpdf.SizeType{Wd: 595, Ht: 842}})
	doc.SetCompression(true)
	doc.SetAutoPageBreak(false, 0)
	doc.SetMargins(0, 0, 0)
	doc.SetCreationDate(it.Modified)
	doc.SetModificationDate(it.Modified)
	doc.SetTitle(it.Title.Get("th"), true)
	doc.SetCreator("archive", false)
	doc.AddUTF8FontFromBytes("text", "", font)
	for k, i := range files {
		img, err := s.pageImage(ctx, p, it.ID, i, client)
		if err != nil {
			return nil, fmt.Errorf("item %s: image of file %d: %w", it.ID, i+1, err)
		}
		f := it.Files[i]
		cw, ch := f.Width, f.Height
		if cw <= 0 || ch <= 0 {
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(img))
			if err != nil {
				return nil, fmt.Errorf("item %s: image of file %d: %w", it.ID, i+1, err)
			}
			cw, ch = cfg.Width, cfg.Height
		}
		w, h := pageSize(cw, ch)
		doc.AddPageFormat("P", fpdf.SizeType{Wd: w, Ht: h})
		name := fmt.Sprintf("p%d", i+1)
		opt := fpdf.ImageOptions{ImageType: "JPG"}
		doc.RegisterImageOptionsReader(name, opt, bytes.NewReader(img))
		doc.ImageOptions(name, 0, 0, w, h, false, opt, 0, "")
		doc.SetFont("text", "", 10)
		doc.SetTextRenderingMode(3)
		if t := texts[k]; t.alto != nil {
			wordsAt(doc, t.alto, cw, ch, w, h)
		} else if t.plain != "" {
			linesDown(doc, t.plain, w, h)
		}
		if doc.Err() {
			return nil, fmt.Errorf("item %s: page %d of the PDF: %w", it.ID, i+1, doc.Error())
		}
	}
	var out bytes.Buffer
	if err := doc.Output(&out); err != nil {
		return nil, fmt.Errorf("item %s: writing the PDF: %w", it.ID, err)
	}
	return out.Bytes(), nil
}

// pageImage renders the image of file i of the item as a JPEG at most Edge
// pixels long, through the image service (its caches and its bounded pool).
func (s *Service) pageImage(ctx context.Context, p access.Principal, item string, i int, client string) ([]byte, error) {
	req, err := imageapi.Parse(3, "full", fmt.Sprintf("!%d,%d", s.cfg.Edge, s.cfg.Edge), "0", "default.jpg")
	if err != nil {
		return nil, err
	}
	r, err := s.cfg.Images.Image(ctx, p, imageapi.Call{Version: 3, ID: fmt.Sprintf("%s-%d", item, i+1), Client: client}, req)
	if err != nil {
		return nil, err
	}
	return r.Data, nil
}

// dpi is the resolution pages are taken to be scanned at: an A4 page
// scanned at 300 dpi is an A4 page of the PDF.
const dpi = 300

// maxSide is the longest side of a PDF page in points (200 inches, the
// limit of PDF 1.6 readers).
const maxSide = 14400

// pageSize is the size in points of the page of a canvas of w×h pixels.
func pageSize(w, h int) (float64, float64) {
	f := 72.0 / dpi
	if long := float64(max(w, h)) * f; long > maxSide {
		f *= maxSide / long
	}
	return float64(w) * f, float64(h) * f
}

// wordsAt draws each word of an ALTO page over its box, the box scaled
// from the page's pixels (cw×ch, or the ALTO's own size) to the PDF
// page's w×h points; each word stretched or narrowed to its box's width.
func wordsAt(doc *fpdf.Fpdf, pg *ocr.Page, cw, ch int, w, h float64) {
	if pg.Width > 0 && pg.Height > 0 {
		cw, ch = pg.Width, pg.Height
	}
	sx, sy := w/float64(cw), h/float64(ch)
	for _, l := range pg.Lines {
		for _, wd := range l.Words {
			b := wd.Box
			if b.H <= 0 {
				b = l.Box
			}
			x, y, bw, bh := float64(b.X)*sx, float64(b.Y)*sy, float64(b.W)*sx, float64(b.H)*sy
			if bh <= 0 {
				continue
			}
			// The box runs from the top of the highest mark to the foot of
			// the lowest: the baseline is about four fifths down.
			place(doc, wd.Text, x, y+bh*0.8, bw, bh)
		}
	}
}

// linesDown draws plain text without places (a text layer read from a PDF
// without its boxes) as lines down the left of the page, each fitted to
// the page's width.
func linesDown(doc *fpdf.Fpdf, text string, w, h float64) {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	size := min(12, h/float64(len(lines)+2))
	doc.SetFontSize(size)
	for k, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			place(doc, l, w*0.05, size*float64(k+2), min(doc.GetStringWidth(l), w*0.9), size)
		}
	}
}

// place draws s with its baseline at (x, y) in a font size tall; when
// width is above 0, s is scaled across to span it.
func place(doc *fpdf.Fpdf, s string, x, y, width, size float64) {
	doc.SetFontSize(size)
	natural := doc.GetStringWidth(s)
	if width <= 0 || natural <= 0 {
		doc.Text(x, y, s)
		return
	}
	doc.TransformBegin()
	doc.TransformScaleX(100*width/natural, x, y)
	doc.Text(x, y, s)
	doc.TransformEnd()
}
