package fulltext_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fulltext"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/pyramid"
	"github.com/thaiarchives/archive/repository"
)

// scan is an A4 page at 300 dpi as a scanner gives it: paper with grain,
// and 40 lines of 8 words as dark bands, each word in the ALTO beside it.
func scan(seed uint64) (*image.Gray, *ocr.Page) {
	const w, h = 2480, 3508
	rng := rand.New(rand.NewPCG(seed, 1))
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(225 + rng.IntN(20))
	}
	pg := &ocr.Page{Width: w, Height: h}
	words := []string{"ประกาศ", "มหาวิทยาลัย", "เชียงใหม่", "เรื่อง", "the", "council", "met", "ประวัติศาสตร์"}
	for l := range 40 {
		y := 200 + 75*l
		line := ocr.Line{Box: ocr.Box{X: 200, Y: y, W: 2000, H: 45}}
		x := 200
		for k := range 8 {
			text := words[(l+k)%len(words)]
			ww := 190 + rng.IntN(40)
			for yy := y; yy < y+45; yy++ {
				for xx := x; xx < x+ww; xx += 2 {
					img.Pix[yy*w+xx] = uint8(30 + rng.IntN(40))
				}
			}
			line.Words = append(line.Words, ocr.Word{Text: text, Box: ocr.Box{X: x, Y: y, W: ww, H: 45}, Conf: 0.9})
			x += ww + 35
		}
		pg.Lines = append(pg.Lines, line)
	}
	return img, pg
}

// scannedItem registers a public item of n scanned pages with their ALTO.
func (e *env) scannedItem(b *testing.B, n int) *repository.Item {
	it := &repository.Item{Institution: "cmu", Type: "Text", Title: repository.Text{"en": "Minutes"}}
	for i := range n {
		img, pg := scan(uint64(i))
		var buf bytes.Buffer
		if _, err := pyramid.Write(context.Background(), &buf, img, pyramid.Options{}); err != nil {
			b.Fatal(err)
		}
		acc := e.put(b, buf.Bytes())
		it.Files = append(it.Files, repository.File{Name: fmt.Sprintf("p%d.tif", i+1), SHA256: fmt.Sprintf("%064x", i), MediaType: "image/tiff",
			Width: pg.Width, Height: pg.Height, Derivatives: map[string]string{"access": acc, "alto": e.put(b, pg.WriteALTO("p", "bench"))}})
	}
	if err := e.store.SaveItem(context.Background(), it, "bench"); err != nil {
		b.Fatal(err)
	}
	return it
}

// BenchmarkPDF20Pages makes the PDF of an item of 20 A4 pages scanned at
// 300 dpi, each with 320 words: cold, every page image rendered anew (a
// fresh image service each time); warm, the image service's caches
// holding the renders of the time before.
func BenchmarkPDF20Pages(b *testing.B) {
	e := newEnv(b, fulltext.Config{})
	it := e.scannedItem(b, 20)
	for _, warm := range []bool{false, true} {
		name := "cold"
		if warm {
			name = "warm"
		}
		b.Run(name, func(b *testing.B) {
			images := imageapi.NewService(imageapi.Config{Items: e.store, Blobs: e.blobs})
			svc := fulltext.New(fulltext.Config{Items: e.store, Blobs: e.blobs, Images: images})
			size := 0
			if warm { // the renders the timed PDFs find kept
				if _, err := svc.PDF(context.Background(), access.Principal{}, it.ID, "bench"); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				if !warm {
					b.StopTimer()
					images = imageapi.NewService(imageapi.Config{Items: e.store, Blobs: e.blobs})
					svc = fulltext.New(fulltext.Config{Items: e.store, Blobs: e.blobs, Images: images})
					b.StartTimer()
				}
				pdf, err := svc.PDF(context.Background(), access.Principal{}, it.ID, "bench")
				if err != nil {
					b.Fatal(err)
				}
				size = len(pdf.Data)
			}
			b.ReportMetric(float64(size)/(1<<20), "MB/pdf")
		})
	}
}

// BenchmarkText20Pages reads the text of the same item for its export.
func BenchmarkText20Pages(b *testing.B) {
	e := newEnv(b, fulltext.Config{})
	it := e.scannedItem(b, 20)
	for b.Loop() {
		txt, err := e.svc.Text(context.Background(), access.Principal{}, it.ID)
		if err != nil {
			b.Fatal(err)
		}
		_ = txt.Plain()
	}
}
