// Package ocr turns page images into text with word boxes: it runs
// Tesseract (Debian's tesseract-ocr, with the Thai and English models) on
// a page, reads a PDF's own text layer with poppler where there is one,
// normalises Thai text, and keeps each page as ALTO XML, the form
// libraries exchange (https://www.loc.gov/standards/alto/).
package ocr

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Box is a rectangle in the pixels of a canvas.
type Box struct{ X, Y, W, H int }

// Union is the smallest box holding both (a zero box is no box).
func (b Box) Union(o Box) Box {
	if b.W == 0 && b.H == 0 {
		return o
	}
	if o.W == 0 && o.H == 0 {
		return b
	}
	x0, y0 := min(b.X, o.X), min(b.Y, o.Y)
	x1, y1 := max(b.X+b.W, o.X+o.W), max(b.Y+b.H, o.Y+o.H)
	return Box{x0, y0, x1 - x0, y1 - y0}
}

// Overlaps reports whether the two boxes share any area.
func (b Box) Overlaps(o Box) bool {
	return b.X < o.X+o.W && o.X < b.X+b.W && b.Y < o.Y+o.H && o.Y < b.Y+b.H
}

// XYWH is the box as a media fragment (#xywh=…).
func (b Box) XYWH() string { return fmt.Sprintf("xywh=%d,%d,%d,%d", b.X, b.Y, b.W, b.H) }

// Word is one word as read, with its box and the confidence (0–1) the
// reader had in it (1 for a text layer).
type Word struct {
	Text string
	Box  Box
	Conf float64
}

// Line is one line of words in reading order.
type Line struct {
	Box   Box
	Words []Word
}

// Page is the text of one page, in the pixels of its canvas.
type Page struct {
	Width, Height int
	Lines         []Line
}

// Text is the page's words, a line of text per line.
func (p *Page) Text() string {
	var b strings.Builder
	for _, l := range p.Lines {
		for i, w := range l.Words {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w.Text)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Scale multiplies every coordinate by f: a page read from a smaller level
// of an access copy, put back into the canvas's pixels.
func (p *Page) Scale(f float64, width, height int) {
	sc := func(b Box) Box {
		return Box{int(float64(b.X) * f), int(float64(b.Y) * f), int(float64(b.W)*f + 0.5), int(float64(b.H)*f + 0.5)}
	}
	for i := range p.Lines {
		l := &p.Lines[i]
		l.Box = sc(l.Box)
		for j := range l.Words {
			l.Words[j].Box = sc(l.Words[j].Box)
		}
	}
	p.Width, p.Height = width, height
}

// The ALTO elements this package reads: any version, namespaces ignored.
type altoDoc struct {
	Pages []struct {
		Width  float64    `xml:"WIDTH,attr"`
		Height float64    `xml:"HEIGHT,attr"`
		Lines  []altoLine `xml:"PrintSpace>TextBlock>TextLine"`
		Blocks []struct {
			Lines []altoLine `xml:"TextBlock>TextLine"`
		} `xml:"PrintSpace>ComposedBlock"`
	} `xml:"Layout>Page"`
}

type altoLine struct {
	altoBox
	Strings []struct {
		altoBox
		Content string  `xml:"CONTENT,attr"`
		WC      *string `xml:"WC,attr"`
	} `xml:"String"`
}

type altoBox struct {
	HPos   float64 `xml:"HPOS,attr"`
	VPos   float64 `xml:"VPOS,attr"`
	Width  float64 `xml:"WIDTH,attr"`
	Height float64 `xml:"HEIGHT,attr"`
}

func (a altoBox) box() Box {
	return Box{int(a.HPos + 0.5), int(a.VPos + 0.5), int(a.Width + 0.5), int(a.Height + 0.5)}
}

// ErrInvalid is ALTO that cannot be read.
var ErrInvalid = fmt.Errorf("invalid ALTO")

// maxALTO bounds what ReadALTO reads of one page.
const maxALTO = 16 << 20

// ReadALTO reads the first page of an ALTO document, in pixels (the
// measurement unit Tesseract and WriteALTO use).
func ReadALTO(r io.Reader) (*Page, error) {
	var doc altoDoc
	dec := xml.NewDecoder(io.LimitReader(r, maxALTO))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if len(doc.Pages) == 0 {
		return nil, fmt.Errorf("%w: no page", ErrInvalid)
	}
	dp := doc.Pages[0]
	p := &Page{Width: int(dp.Width + 0.5), Height: int(dp.Height + 0.5)}
	lines := dp.Lines
	for _, b := range dp.Blocks {
		lines = append(lines, b.Lines...)
	}
	for _, dl := range lines {
		l := Line{Box: dl.box()}
		for _, s := range dl.Strings {
			conf := 1.0
			if s.WC != nil {
				if c, err := strconv.ParseFloat(*s.WC, 64); err == nil {
					conf = c
				}
			}
			if strings.TrimSpace(s.Content) == "" {
				continue
			}
			l.Words = append(l.Words, Word{Text: s.Content, Box: s.box(), Conf: conf})
		}
		if len(l.Words) > 0 {
			p.Lines = append(p.Lines, l)
		}
	}
	return p, nil
}

// WriteALTO writes the page as ALTO 4, in pixels; source names the image
// or document it was read from, and producer what read it.
func (p *Page) WriteALTO(source, producer string) []byte {
	var b bytes.Buffer
	esc := func(s string) string {
		var e bytes.Buffer
		xml.EscapeText(&e, []byte(s))
		return strings.ReplaceAll(e.String(), `"`, "&#34;")
	}
	box := func(x Box) string {
		return fmt.Sprintf(`HPOS="%d" VPOS="%d" WIDTH="%d" HEIGHT="%d"`, x.X, x.Y, x.W, x.H)
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.loc.gov/standards/alto/ns-v4# http://www.loc.gov/alto/v4/alto-4-2.xsd">
<Description><MeasurementUnit>pixel</MeasurementUnit>`)
	fmt.Fprintf(&b, "<sourceImageInformation><fileName>%s</fileName></sourceImageInformation>", esc(source))
	fmt.Fprintf(&b, "<Processing ID=\"proc1\"><processingSoftware><softwareName>%s</softwareName></processingSoftware></Processing></Description>\n", esc(producer))
	fmt.Fprintf(&b, "<Layout><Page ID=\"page1\" PHYSICAL_IMG_NR=\"1\" WIDTH=\"%d\" HEIGHT=\"%d\"><PrintSpace %s>\n", p.Width, p.Height, box(Box{0, 0, p.Width, p.Height}))
	if len(p.Lines) > 0 {
		var all Box
		for _, l := range p.Lines {
			all = all.Union(l.Box)
		}
		fmt.Fprintf(&b, "<TextBlock ID=\"block1\" %s>\n", box(all))
		for i, l := range p.Lines {
			fmt.Fprintf(&b, "<TextLine ID=\"line%d\" %s>", i+1, box(l.Box))
			for j, w := range l.Words {
				if j > 0 {
					b.WriteString("<SP/>")
				}
				fmt.Fprintf(&b, `<String ID="w%d_%d" %s WC="%.2f" CONTENT="%s"/>`, i+1, j+1, box(w.Box), w.Conf, esc(w.Text))
			}
			b.WriteString("</TextLine>\n")
		}
		b.WriteString("</TextBlock>\n")
	}
	b.WriteString("</PrintSpace></Page></Layout></alto>\n")
	return b.Bytes()
}
