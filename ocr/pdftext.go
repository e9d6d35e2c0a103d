package ocr

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"os/exec"
)

// PDFText reads the text layer of every page of the PDF at path with
// poppler's pdftotext (-bbox-layout), each page scaled from points to the
// pixels of a canvas: size(n) gives page n's canvas (from 1). A page
// without text is nil.
func PDFText(ctx context.Context, path string, size func(page int) (w, h int)) ([]*Page, error) {
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		return nil, fmt.Errorf("pdftotext is not installed (Debian: poppler-utils)")
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, tool, "-q", "-bbox-layout", "-enc", "UTF-8", path, "-")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("pdftotext: %v: %s", err, lastLine(stderr.String()))
	}
	var doc struct {
		Pages []struct {
			Width  float64 `xml:"width,attr"`
			Height float64 `xml:"height,attr"`
			Lines  []struct {
				bbox
				Words []struct {
					bbox
					Text string `xml:",chardata"`
				} `xml:"word"`
			} `xml:"flow>block>line"`
		} `xml:"body>doc>page"`
	}
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("pdftotext's layout: %v", err)
	}
	pages := make([]*Page, len(doc.Pages))
	for i, dp := range doc.Pages {
		w, h := size(i + 1)
		if w == 0 || dp.Width <= 0 {
			continue
		}
		f := float64(w) / dp.Width
		p := &Page{}
		for _, dl := range dp.Lines {
			l := Line{Box: dl.box(f)}
			for _, dw := range dl.Words {
				l.Words = append(l.Words, Word{Text: dw.Text, Box: dw.box(f), Conf: 1})
			}
			p.Lines = append(p.Lines, l)
		}
		p.Width, p.Height = w, h
		Normalize(p)
		if len(p.Lines) > 0 {
			pages[i] = p
		}
	}
	return pages, nil
}

type bbox struct {
	XMin float64 `xml:"xMin,attr"`
	YMin float64 `xml:"yMin,attr"`
	XMax float64 `xml:"xMax,attr"`
	YMax float64 `xml:"yMax,attr"`
}

func (b bbox) box(f float64) Box {
	return Box{int(b.XMin * f), int(b.YMin * f), int((b.XMax-b.XMin)*f + 0.5), int((b.YMax-b.YMin)*f + 0.5)}
}
