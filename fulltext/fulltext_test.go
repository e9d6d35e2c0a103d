package fulltext_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/fulltext"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/ocr/ocrtest"
	"github.com/thaiarchives/archive/pyramid"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
)

type env struct {
	store  *bolt.Store
	blobs  *local.Store
	images *imageapi.Service
	svc    *fulltext.Service
}

func newEnv(tb testing.TB, cfg fulltext.Config) *env {
	tb.Helper()
	blobs, err := local.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(tb.TempDir(), "a.db"), blobs)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	e := &env{store: store, blobs: blobs, images: imageapi.NewService(imageapi.Config{Items: store, Blobs: blobs})}
	cfg.Items, cfg.Blobs = store, blobs
	if cfg.Images == nil {
		cfg.Images = e.images
	}
	e.svc = fulltext.New(cfg)
	return e
}

func (e *env) put(tb testing.TB, b []byte) string {
	tb.Helper()
	h := sha256.Sum256(b)
	sha := hex.EncodeToString(h[:])
	key := "derivatives/" + sha[:2] + "/" + sha[2:4] + "/" + sha + "/blob"
	if _, err := e.blobs.Put(context.Background(), key, bytes.NewReader(b), storage.PutOptions{Size: int64(len(b))}); err != nil {
		tb.Fatal(err)
	}
	return key
}

// page is a page's lines of words as read: drawn as dark bands on its
// image, each word's box where the band lies.
func page(n int, lines []string) (*image.Gray, *ocr.Page) {
	img := image.NewGray(image.Rect(0, 0, 800, 1100))
	for p := range img.Pix {
		img.Pix[p] = uint8(200 + 5*(n%10))
	}
	pg := &ocr.Page{Width: 800, Height: 1100}
	for l, text := range lines {
		y := 100 + 60*l
		line := ocr.Line{Box: ocr.Box{X: 100, Y: y, W: 600, H: 30}}
		x := 100
		for _, w := range strings.Fields(text) {
			n := len([]rune(w))
			line.Words = append(line.Words, ocr.Word{Text: w, Box: ocr.Box{X: x, Y: y, W: 12 * n, H: 30}, Conf: 0.9})
			for yy := y; yy < y+30; yy++ {
				for xx := x; xx < x+12*n; xx++ {
					img.SetGray(xx, yy, color.Gray{Y: 40})
				}
			}
			x += 12*n + 15
		}
		pg.Lines = append(pg.Lines, line)
	}
	return img, pg
}

// item registers an item of the level whose pages carry the lines as their
// ALTO, each beside an access copy, as the OCR runner leaves them.
func (e *env) item(tb testing.TB, level string, pages ...[]string) *repository.Item {
	tb.Helper()
	it := &repository.Item{Institution: "cmu", Type: "Text", Title: repository.Text{"th": "ราชกิจจา", "en": "Gazette"}, Access: repository.Access{Level: level}}
	for i, lines := range pages {
		img, pg := page(i, lines)
		var b bytes.Buffer
		if _, err := pyramid.Write(context.Background(), &b, img, pyramid.Options{}); err != nil {
			tb.Fatal(err)
		}
		acc := e.put(tb, b.Bytes())
		alto := e.put(tb, pg.WriteALTO("p", "test"))
		it.Files = append(it.Files, repository.File{Name: fmt.Sprintf("p%d.tif", i+1), SHA256: strings.Split(acc, "/")[3], MediaType: "image/tiff",
			Width: 800, Height: 1100, Derivatives: map[string]string{"access": acc, "alto": alto, "thumb": acc}})
	}
	if err := e.store.SaveItem(context.Background(), it, "test"); err != nil {
		tb.Fatal(err)
	}
	return it
}

var (
	thaiPages = [][]string{
		{"ประกาศ มหาวิทยาลัยเชียงใหม่", "เรื่อง การรับสมัคร"},
		{"หนังสือเล่มนี้เล่าเรื่อง ประวัติศาสตร์ของล้านนา", "ปั้นน้ำเป็นตัว ผู้ใหญ่ ญี่ปุ่น"},
		{"ภาคผนวก"},
	}
	englishPages = [][]string{
		{"The council met on Tuesday.", "Minutes were read and approved."},
		{"Any other business:", "none."},
	}
)

var staff = access.Principal{User: "u1", Email: "a@cmu.example", Institution: "cmu", Role: access.Archivist}

// The plain text holds, page after page, a line naming the page and the
// page's lines of words in order; pages after the first start with a form
// feed. The list of pages holds the same, page by page.
func TestTextHoldsEachPagesWordsInOrderWithSeparators(t *testing.T) {
	e := newEnv(t, fulltext.Config{})
	for name, pages := range map[string][][]string{"thai": thaiPages, "english": englishPages} {
		it := e.item(t, repository.Public, pages...)
		txt, err := e.svc.Text(context.Background(), access.Principal{}, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(txt.Pages) != len(pages) {
			t.Fatalf("%s: %d pages, want %d", name, len(txt.Pages), len(pages))
		}
		plain := string(txt.Plain())
		at := 0
		for n, lines := range pages {
			sep := fulltext.Separator(n + 1)
			if n > 0 {
				sep = "\f" + sep
			}
			k := strings.Index(plain[at:], sep)
			if k < 0 {
				t.Fatalf("%s: no separator %q after byte %d:\n%s", name, sep, at, plain)
			}
			at += k + len(sep)
			want := strings.Join(lines, "\n") + "\n"
			if !strings.HasPrefix(plain[at:], "\n"+want) {
				t.Errorf("%s: page %d reads %q, want %q", name, n+1, plain[at:], want)
			}
			if got := txt.Pages[n]; got.Page != n+1 || got.Text != want {
				t.Errorf("%s: page %d of the list is %+v, want %q", name, n+1, got, want)
			}
		}
		if strings.Count(plain, "\f") != len(pages)-1 {
			t.Errorf("%s: %d form feeds for %d pages", name, strings.Count(plain, "\f"), len(pages))
		}
	}
}

// A page whose only text is a plain text layer (a PDF's, kept at ingest)
// is exported with it, and its PDF page carries its lines; a page without
// text is a page all the same.
func TestTextTakesAPlainTextLayerWhereThereIsNoALTO(t *testing.T) {
	e := newEnv(t, fulltext.Config{})
	it := e.item(t, repository.Public, []string{"ภาคผนวก"}, []string{"blank"})
	it.Files[0].Derivatives = map[string]string{"access": it.Files[0].Derivatives["access"], "text": e.put(t, []byte("ชั้นข้อความ ของ PDF\n"))}
	delete(it.Files[1].Derivatives, "alto")
	if err := e.store.SaveItem(context.Background(), it, "test"); err != nil {
		t.Fatal(err)
	}
	txt, err := e.svc.Text(context.Background(), access.Principal{}, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(txt.Pages) != 2 || txt.Pages[0].Text != "ชั้นข้อความ ของ PDF\n" || txt.Pages[1] != (fulltext.Page{Page: 2}) {
		t.Errorf("pages: %+v", txt.Pages)
	}
	pdf, err := e.svc.PDF(context.Background(), access.Principal{}, it.ID, "visitor")
	if err != nil {
		t.Fatal(err)
	}
	if got := pdftotext(t, pdf.Data, 1); !strings.Contains(got, "ชั้นข้อความ ของ PDF") {
		t.Errorf("page 1 of the PDF: %q", got)
	}
	if got := pdftotext(t, pdf.Data, 2); strings.TrimSpace(got) != "" {
		t.Errorf("page 2 of the PDF, without text: %q", got)
	}
}

// A restricted item's text is refused to a visitor as its content is
// everywhere (the visitor may not learn it exists), and given to its
// library's staff; a withdrawn item's is gone.
func TestTextOfARestrictedItemIsRefusedToAVisitor(t *testing.T) {
	e := newEnv(t, fulltext.Config{})
	it := e.item(t, repository.Restricted, thaiPages[0])
	ctx := context.Background()
	if _, err := e.svc.Text(ctx, access.Principal{}, it.ID); !errors.Is(err, fault.NotFound) {
		t.Errorf("a visitor's text export: %v", err)
	}
	if _, err := e.svc.PDF(ctx, access.Principal{}, it.ID, "visitor"); !errors.Is(err, fault.NotFound) {
		t.Errorf("a visitor's PDF: %v", err)
	}
	if txt, err := e.svc.Text(ctx, staff, it.ID); err != nil || !strings.Contains(string(txt.Plain()), "มหาวิทยาลัยเชียงใหม่") {
		t.Errorf("the library's staff: %v", err)
	}
	it.Deleted = true
	if err := e.store.SaveItem(ctx, it, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Text(ctx, staff, it.ID); !errors.Is(err, fault.Gone) {
		t.Errorf("a withdrawn item's text: %v", err)
	}
}

// pdftotext extracts the text of page n of a PDF (0: every page).
func pdftotext(t *testing.T, pdf []byte, n int) string {
	t.Helper()
	ocrtest.Need(t, "pdftotext", "poppler-utils")
	path := filepath.Join(t.TempDir(), "x.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-q", "-enc", "UTF-8"}
	if n > 0 {
		args = append(args, "-f", fmt.Sprint(n), "-l", fmt.Sprint(n))
	}
	out, err := exec.Command("pdftotext", append(args, path, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// pdfPages counts a PDF's pages and its images, as poppler reads them.
func pdfPages(t *testing.T, pdf []byte) (pages, images int) {
	t.Helper()
	ocrtest.Need(t, "pdfimages", "poppler-utils")
	path := filepath.Join(t.TempDir(), "x.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	for _, l := range strings.Split(string(info), "\n") {
		if v, ok := strings.CutPrefix(l, "Pages:"); ok {
			fmt.Sscan(v, &pages)
		}
	}
	list, err := exec.Command("pdfimages", "-list", path).Output()
	if err != nil {
		t.Fatalf("pdfimages: %v", err)
	}
	images = len(strings.Split(strings.TrimSpace(string(list)), "\n")) - 2 // two lines of heading
	return pages, images
}

// The PDF has one page per image, each with its image, and pdftotext
// finds each page's Thai and English words on that page, as stored.
func TestPDFHasAPagePerImageWhoseWordsPdftotextExtracts(t *testing.T) {
	e := newEnv(t, fulltext.Config{})
	pages := append(append([][]string{}, thaiPages...), englishPages...)
	pages[0] = append(pages[0], "printed in Chiang Mai")
	it := e.item(t, repository.Public, pages...)
	pdf, err := e.svc.PDF(context.Background(), access.Principal{}, it.ID, "visitor")
	if err != nil {
		t.Fatal(err)
	}
	if n, imgs := pdfPages(t, pdf.Data); n != len(pages) || imgs != len(pages) || pdf.Pages != len(pages) {
		t.Errorf("%d pages and %d images (said %d) for %d page images", n, imgs, pdf.Pages, len(pages))
	}
	for n, lines := range pages {
		got := pdftotext(t, pdf.Data, n+1)
		for _, l := range lines {
			if !strings.Contains(got, l) {
				t.Errorf("page %d: pdftotext does not find the line %q in %q", n+1, l, got)
			}
		}
	}
}

// correct replaces the ALTO of file n (from 1) of the item with one whose
// first word is word, as an approved correction will: a new blob, and the
// item saved with its key.
func (e *env) correct(t *testing.T, it *repository.Item, n int, word string) {
	t.Helper()
	it, err := e.store.Item(it.ID)
	if err != nil {
		t.Fatal(err)
	}
	f := &it.Files[n-1]
	rc, err := e.blobs.Get(context.Background(), f.Derivatives["alto"], 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := ocr.ReadALTO(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	pg.Lines[0].Words[0].Text = word
	d := map[string]string{}
	for k, v := range f.Derivatives {
		d[k] = v
	}
	d["alto"] = e.put(t, pg.WriteALTO("p", "correction"))
	f.Derivatives = d
	if err := e.store.SaveItem(context.Background(), it, "test"); err != nil {
		t.Fatal(err)
	}
}

// Once a page's ALTO is replaced (as an approved transcription will
// replace it), the text export and the PDF give the corrected word and
// not the one it replaced.
func TestACorrectedALTOIsWhatTheTextAndThePDFGive(t *testing.T) {
	e := newEnv(t, fulltext.Config{})
	it := e.item(t, repository.Public, thaiPages...)
	ctx := context.Background()
	before, err := e.svc.Text(ctx, access.Principal{}, it.ID)
	if err != nil || !strings.Contains(string(before.Plain()), "หนังสือเล่มนี้เล่าเรื่อง") {
		t.Fatalf("before the correction: %v", err)
	}
	e.correct(t, it, 2, "ตำราเล่มนี้เล่าเรื่อง")
	after, err := e.svc.Text(ctx, access.Principal{}, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if plain := string(after.Plain()); !strings.Contains(plain, "ตำราเล่มนี้เล่าเรื่อง") || strings.Contains(plain, "หนังสือเล่มนี้เล่าเรื่อง") {
		t.Errorf("the text after the correction:\n%s", plain)
	}
	pdf, err := e.svc.PDF(ctx, access.Principal{}, it.ID, "visitor")
	if err != nil {
		t.Fatal(err)
	}
	if got := pdftotext(t, pdf.Data, 2); !strings.Contains(got, "ตำราเล่มนี้เล่าเรื่อง") || strings.Contains(got, "หนังสือเล่มนี้เล่าเรื่อง") {
		t.Errorf("page 2 of the PDF after the correction: %q", got)
	}
}
