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
	"html"
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

// ErrInvalid is ALTO that cannot be read.
var ErrInvalid = fmt.Errorf("invalid ALTO")

// maxALTO bounds what ReadALTO reads of one page.
const maxALTO = 16 << 20

// ReadALTO reads the first page of an ALTO document (any version, with or
// without a namespace prefix), in pixels, the measurement unit Tesseract
// and WriteALTO use: its lines (TextLine) and their words (String). It
// scans the tags itself rather than through encoding/xml, which took ten
// times as long: a 500-page item's text is read in well under a second.
func ReadALTO(r io.Reader) (*Page, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxALTO+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxALTO {
		return nil, fmt.Errorf("%w: a page of more than %d MB", ErrInvalid, maxALTO>>20)
	}
	var p *Page
	var line *Line
	endLine := func() {
		if line != nil && len(line.Words) > 0 {
			p.Lines = append(p.Lines, *line)
		}
		line = nil
	}
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], '<')
		if j < 0 {
			break
		}
		i += j + 1
		if bytes.HasPrefix(data[i:], []byte("!--")) {
			k := bytes.Index(data[i:], []byte("-->"))
			if k < 0 {
				return nil, fmt.Errorf("%w: a comment is not closed", ErrInvalid)
			}
			i += k + 3
			continue
		}
		end := tagEnd(data, i)
		if end < 0 {
			return nil, fmt.Errorf("%w: a tag is not closed", ErrInvalid)
		}
		tag := data[i:end]
		i = end + 1
		if len(tag) == 0 || tag[0] == '?' || tag[0] == '!' {
			continue
		}
		closing := tag[0] == '/'
		if closing {
			tag = tag[1:]
		}
		name, attrs := tagName(tag)
		switch {
		case closing && name == "TextLine" && p != nil:
			endLine()
		case closing && name == "Page" && p != nil:
			endLine()
			return p, nil
		case closing:
		case name == "Page":
			if p != nil {
				endLine()
				return p, nil
			}
			a := attrMap(attrs)
			p = &Page{Width: num(a["WIDTH"]), Height: num(a["HEIGHT"])}
		case name == "TextLine" && p != nil:
			endLine()
			a := attrMap(attrs)
			line = &Line{Box: boxOf(a)}
			if bytes.HasSuffix(tag, []byte("/")) {
				line = nil
			}
		case name == "String" && line != nil:
			a := attrMap(attrs)
			text := a["CONTENT"]
			if strings.TrimSpace(text) == "" {
				continue
			}
			conf := 1.0
			if wc, ok := a["WC"]; ok {
				if c, err := strconv.ParseFloat(wc, 64); err == nil {
					conf = c
				}
			}
			line.Words = append(line.Words, Word{Text: text, Box: boxOf(a), Conf: conf})
		}
	}
	if p == nil {
		return nil, fmt.Errorf("%w: no page", ErrInvalid)
	}
	endLine()
	return p, nil
}

// tagEnd finds the '>' that ends the tag starting at i, past quoted
// values; -1 when there is none.
func tagEnd(data []byte, i int) int {
	var quote byte
	for k := i; k < len(data); k++ {
		switch c := data[k]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return k
		}
	}
	return -1
}

// tagName splits a tag into its local name (any namespace prefix left
// out) and the rest.
func tagName(tag []byte) (string, []byte) {
	n := 0
	for n < len(tag) && tag[n] != ' ' && tag[n] != '\t' && tag[n] != '\n' && tag[n] != '\r' && tag[n] != '/' {
		n++
	}
	name := tag[:n]
	if k := bytes.IndexByte(name, ':'); k >= 0 {
		name = name[k+1:]
	}
	return string(name), tag[n:]
}

// attrMap reads a tag's attributes (names without prefix), their values
// unescaped.
func attrMap(b []byte) map[string]string {
	out := make(map[string]string, 8)
	for {
		eq := bytes.IndexByte(b, '=')
		if eq < 0 {
			return out
		}
		name := bytes.TrimSpace(b[:eq])
		if k := bytes.IndexByte(name, ':'); k >= 0 {
			name = name[k+1:]
		}
		rest := bytes.TrimLeft(b[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return out
		}
		q := rest[0]
		end := bytes.IndexByte(rest[1:], q)
		if end < 0 {
			return out
		}
		v := string(rest[1 : 1+end])
		if strings.IndexByte(v, '&') >= 0 {
			v = html.UnescapeString(v)
		}
		out[string(name)] = v
		b = rest[end+2:]
	}
}

func num(s string) int {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f > 1e7 {
		return 0
	}
	return int(f + 0.5)
}

func boxOf(a map[string]string) Box {
	return Box{num(a["HPOS"]), num(a["VPOS"]), num(a["WIDTH"]), num(a["HEIGHT"])}
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
