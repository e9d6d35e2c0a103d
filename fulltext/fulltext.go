// Package fulltext gives the text of an item's pages whole, for readers to
// take away: as plain text with a line naming each page, as a list of
// pages, and as a PDF of the page images with their words as an invisible
// layer that can be selected and searched. It reads each page's "alto"
// derivative, or its "text" where only that exists (a PDF's own text
// layer), so that a page whose text is corrected under those names is
// exported as corrected. Like the other services it takes a context and
// the principal who asks, and decides access with access.Decide.
package fulltext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// Items is what the service needs of the metadata store.
type Items interface {
	access.Lookup
	Item(id string) (*repository.Item, error)
}

// Images renders page images: the IIIF Image service.
type Images interface {
	Image(ctx context.Context, p access.Principal, call imageapi.Call, req imageapi.Request) (*imageapi.Response, error)
}

// Config is what the service is built from.
type Config struct {
	Items  Items
	Blobs  storage.Fetcher
	Images Images
	// Edge is the long side, in pixels, of each page image in a PDF
	// (default 1600: about 140 dpi on an A4 page).
	Edge int
	// MaxPages bounds the pages of one PDF (default 200): its images are
	// held in memory while it is made.
	MaxPages int
	// Renders bounds the PDFs made at once (default 2); each client (a
	// person, or an address) makes one at a time.
	Renders int
	// Timeout bounds the making of one PDF (default two minutes).
	Timeout time.Duration
	// Font is the TrueType font file of the PDF's text layer (default the
	// one fontconfig finds for Garuda, from Debian's fonts-tlwg-garuda-ttf).
	Font string
	Now  func() time.Time
}

// Service exports items' text.
type Service struct {
	cfg     Config
	renders chan struct{} // a place per PDF being made
	mu      sync.Mutex
	making  map[string]bool // clients with a PDF being made
	font    struct {
		once sync.Once
		data []byte
		err  error
	}
}

// New returns a service.
func New(cfg Config) *Service {
	if cfg.Edge <= 0 {
		cfg.Edge = 1600
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = 200
	}
	if cfg.Renders <= 0 {
		cfg.Renders = 2
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg, renders: make(chan struct{}, cfg.Renders), making: map[string]bool{}}
}

// Item is an item whose pages' text the principal that opened it may read.
type Item struct {
	*repository.Item
	// Resource is the item as access sees it, for the caching of answers.
	Resource access.Resource
}

// Open finds an item and decides whether p may read its content: a
// refusal is access.Decide's (not found, sign in, forbidden, withdrawn).
func (s *Service) Open(ctx context.Context, p access.Principal, id string) (*Item, error) {
	it, res, err := access.LoadItem(ctx, s.cfg.Items, p, id, access.ReadContent, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	return &Item{Item: it, Resource: res}, nil
}

// Page is the text of one page: its number is its file's (from 1), the
// number of its canvas in the item's manifest.
type Page struct {
	Page int    `json:"page"`
	Text string `json:"text"`
}

// Text is an item's text, page by page.
type Text struct {
	*Item
	Pages []Page
}

// Text reads the text of every page of an item p may read, in order. A
// page is a file with an image or with text; one whose text is not read
// yet is a page without text.
func (s *Service) Text(ctx context.Context, p access.Principal, id string) (*Text, error) {
	it, err := s.Open(ctx, p, id)
	if err != nil {
		return nil, err
	}
	files := pages(it.Item, false)
	read, err := s.readAll(ctx, it.Item, files)
	if err != nil {
		return nil, err
	}
	out := &Text{Item: it, Pages: make([]Page, len(files))}
	for k, i := range files {
		out.Pages[k] = Page{Page: i + 1, Text: read[k].text()}
	}
	return out, nil
}

// Separator is the line that starts each page of the plain text: page n
// named in Thai and English. Every page but the first starts with a form
// feed before it, as pdftotext ends its pages.
func Separator(n int) string { return fmt.Sprintf("— หน้า %d / Page %d —\n", n, n) }

// Plain is the text as UTF-8 plain text: each page its Separator, a blank
// line and its text.
func (t *Text) Plain() []byte {
	var b bytes.Buffer
	for k, pg := range t.Pages {
		if k > 0 {
			b.WriteByte('\f')
		}
		b.WriteString(Separator(pg.Page))
		b.WriteByte('\n')
		b.WriteString(pg.Text)
	}
	return b.Bytes()
}

// Offers says what an item may be exported as: its text, when a page has
// any, and a PDF, when it has page images.
func Offers(it *repository.Item) (text, pdf bool) {
	for _, f := range it.Files {
		d := f.Derivatives
		text = text || d["alto"] != "" || d["text"] != ""
		pdf = pdf || d["access"] != ""
	}
	return text, pdf
}

// pages are the indexes of the files of it that are pages: those with an
// access copy, and (unless images) those with text.
func pages(it *repository.Item, images bool) []int {
	var out []int
	for i, f := range it.Files {
		d := f.Derivatives
		if d["access"] != "" || !images && (d["alto"] != "" || d["text"] != "") {
			out = append(out, i)
		}
	}
	return out
}

// pageText is one page's text as stored: its ALTO, or plain text where
// there is no ALTO (both nil and empty: no text).
type pageText struct {
	alto  *ocr.Page
	plain string
}

// text is the page's text, ending with a new line unless empty.
func (pt pageText) text() string {
	if pt.alto != nil {
		return pt.alto.Text()
	}
	if t := strings.TrimSpace(pt.plain); t != "" {
		return t + "\n"
	}
	return ""
}

// maxText bounds what is read of a page's plain text.
const maxText = 16 << 20

// readAll reads the text of the files, a few at a time.
func (s *Service) readAll(ctx context.Context, it *repository.Item, files []int) ([]pageText, error) {
	out := make([]pageText, len(files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for k, i := range files {
		g.Go(func() error {
			pt, err := s.read(gctx, it.Files[i])
			if err != nil {
				return fmt.Errorf("item %s: text of file %d: %w", it.ID, i+1, err)
			}
			out[k] = pt
			return nil
		})
	}
	return out, g.Wait()
}

// read reads one file's text: its ALTO, else its plain text. A blob gone
// missing is a page without text, as content search has it.
func (s *Service) read(ctx context.Context, f repository.File) (pageText, error) {
	key, alto := f.Derivatives["alto"], true
	if key == "" {
		key, alto = f.Derivatives["text"], false
	}
	if key == "" {
		return pageText{}, nil
	}
	rc, err := s.cfg.Blobs.Get(ctx, key, 0, -1)
	if errors.Is(err, fault.NotFound) {
		return pageText{}, nil
	}
	if err != nil {
		return pageText{}, err
	}
	defer rc.Close()
	if alto {
		p, err := ocr.ReadALTO(rc)
		if err != nil {
			return pageText{}, err
		}
		return pageText{alto: p}, nil
	}
	b, err := io.ReadAll(io.LimitReader(rc, maxText))
	return pageText{plain: string(b)}, err
}
