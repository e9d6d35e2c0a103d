package annotation

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/microcosm-cc/bluemonday"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// Export formats.
const (
	FormatIIIF = "iiif" // a IIIF Presentation 3 AnnotationCollection with its pages embedded
	FormatText = "text" // plain UTF-8 text, a section per canvas
	FormatTEI  = "tei"  // a TEI P5 document, a <pb/> per canvas
)

// PresentationContext is IIIF Presentation 3's JSON-LD context.
const PresentationContext = "http://iiif.io/api/presentation/3/context.json"

// Export is an item's annotations as one download.
type Export struct {
	Body []byte
	// Type is its media type, Name a file name for it.
	Type, Name string
	// Private: it holds what only its asker may read, or is about an item
	// anonymous visitors may not see whole.
	Private bool
}

// canvasNotes are one canvas's annotations, in the order they were made.
type canvasNotes struct {
	n     int
	label string
	annos []*repository.Annotation
}

var stripTags = bluemonday.StrictPolicy()

// Export is every annotation of item w.Item that p may read (as its
// containers answer them), in format.
func (s *Service) Export(ctx context.Context, p access.Principal, w Where, format string) (*Export, error) {
	w.Canvas = 0
	if !slices.Contains([]string{FormatIIIF, FormatText, FormatTEI}, format) {
		return nil, fmt.Errorf("no export format %q (iiif, text or tei): %w", format, fault.Invalid)
	}
	it, res, err := s.item(p, w)
	if err != nil {
		return nil, err
	}
	list, err := s.visibleOf(p, res, w)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, e := range list {
		ids[i] = e.ID
	}
	annos, err := s.Store.Annotations(ids)
	if err != nil {
		return nil, err
	}
	pages := make([]canvasNotes, len(it.Files))
	for i, f := range it.Files {
		pages[i] = canvasNotes{n: i + 1, label: f.Label.Get("")}
	}
	for _, a := range annos {
		if a.Canvas >= 1 && a.Canvas <= len(pages) {
			pages[a.Canvas-1].annos = append(pages[a.Canvas-1].annos, a)
		}
	}
	out := &Export{Private: s.private(p, res, list)}
	switch format {
	case FormatIIIF:
		out.Type, out.Name = `application/ld+json;profile="`+PresentationContext+`"`, it.ID+"-annotations.json"
		out.Body, err = w.iiifExport(it, pages)
	case FormatText:
		out.Type, out.Name = "text/plain; charset=utf-8", it.ID+"-annotations.txt"
		out.Body = textExport(pages)
	case FormatTEI:
		inst, ierr := s.Store.Institution(it.Institution)
		if ierr != nil {
			return nil, ierr
		}
		out.Type, out.Name = "application/tei+xml; charset=utf-8", it.ID+"-annotations.xml"
		out.Body = w.teiExport(it, inst, pages)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// visibleOf lists the annotations of the item's container w that p may read.
func (s *Service) visibleOf(p access.Principal, res access.Resource, w Where) ([]repository.AnnotationEntry, error) {
	all, err := s.Store.AnnotationsOn(w.Item, 0)
	if err != nil {
		return nil, err
	}
	reads := s.reads(p, res)
	return slices.DeleteFunc(all, func(e repository.AnnotationEntry) bool { return !reads(e) }), nil
}

// iiifExport: an AnnotationCollection whose items are one AnnotationPage
// per canvas that holds annotations, each annotation whole.
func (w Where) iiifExport(it *repository.Item, pages []canvasNotes) ([]byte, error) {
	var items []any
	total := 0
	for _, pg := range pages {
		if len(pg.annos) == 0 {
			continue
		}
		docs := make([]any, 0, len(pg.annos))
		for _, a := range pg.annos {
			d, err := w.document(a)
			if err != nil {
				return nil, err
			}
			docs = append(docs, d)
		}
		total += len(docs)
		items = append(items, map[string]any{"id": Where{Base: w.Base, Item: it.ID, Canvas: pg.n}.Container(), "type": "AnnotationPage",
			"items": docs})
	}
	doc := map[string]any{"@context": []string{Context, PresentationContext}, "id": w.Container() + "export?format=iiif",
		"type": "AnnotationCollection", "label": it.Title, "total": total, "items": items}
	if items == nil {
		doc["items"] = []any{}
	}
	return json.MarshalIndent(doc, "", " ")
}

// note is an annotation's text as an export writes it.
type note struct {
	motivation, lang, text string
	transcript             bool
}

// notes are the bodies of a canvas's annotations as text: transcriptions
// first, then the rest, each in the order made.
func notes(annos []*repository.Annotation) []note {
	var tr, rest []note
	for _, a := range annos {
		var doc struct {
			Motivation json.RawMessage `json:"motivation"`
			Body       json.RawMessage `json:"body"`
			BodyValue  string          `json:"bodyValue"`
		}
		if json.Unmarshal(a.Doc, &doc) != nil {
			continue
		}
		motives, _ := strings1(doc.Motivation)
		var bodies []textBody
		if len(doc.Body) > 0 && doc.Body[0] == '[' {
			json.Unmarshal(doc.Body, &bodies)
		} else if len(doc.Body) > 0 {
			var one textBody
			if json.Unmarshal(doc.Body, &one) == nil {
				bodies = append(bodies, one)
			}
		}
		if doc.BodyValue != "" {
			bodies = append(bodies, textBody{Value: doc.BodyValue})
		}
		for _, b := range bodies {
			m := b.Purpose
			if m == "" && len(motives) > 0 {
				m = motives[0]
			}
			if m == "" {
				m = "commenting"
			}
			text := b.Value
			if b.Format == "text/html" {
				text = html.UnescapeString(stripTags.Sanitize(text))
			}
			n := note{motivation: m, lang: b.Language, text: strings.TrimSpace(text), transcript: m == "transcribing" || m == "supplementing"}
			if n.transcript {
				tr = append(tr, n)
			} else {
				rest = append(rest, n)
			}
		}
	}
	return append(tr, rest...)
}

// textExport: per canvas a line with its number and label, then its
// transcriptions, then its other annotations with their motivation.
func textExport(pages []canvasNotes) []byte {
	var b bytes.Buffer
	for i, pg := range pages {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s\n", strings.TrimSpace(fmt.Sprintf("[%d] %s", pg.n, pg.label)))
		for _, n := range notes(pg.annos) {
			if n.transcript {
				fmt.Fprintf(&b, "%s\n", n.text)
			} else {
				fmt.Fprintf(&b, "(%s) %s\n", n.motivation, n.text)
			}
		}
	}
	return b.Bytes()
}

// TEINamespace is TEI P5's.
const TEINamespace = "http://www.tei-c.org/ns/1.0"

// teiExport: a TEI P5 document whose header names the item, its library
// and its address; the body a <pb/> per canvas with its canvas as the
// facsimile, transcriptions as <ab>, other annotations as <note>.
func (w Where) teiExport(it *repository.Item, inst *repository.Institution, pages []canvasNotes) []byte {
	var b bytes.Buffer
	esc := func(s string) string {
		var e bytes.Buffer
		xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	title := esc(it.Title.Get(""))
	library := esc(inst.Name.Get(""))
	address := esc(w.Base + "/items/" + it.ID)
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TEI xmlns=%q>\n <teiHeader>\n  <fileDesc>\n", TEINamespace)
	fmt.Fprintf(&b, "   <titleStmt><title>%s</title></titleStmt>\n", title)
	fmt.Fprintf(&b, "   <publicationStmt><publisher>%s</publisher><idno type=\"URI\">%s</idno></publicationStmt>\n", library, address)
	fmt.Fprintf(&b, "   <sourceDesc><bibl><title>%s</title><orgName>%s</orgName><ptr target=\"%s\"/></bibl></sourceDesc>\n", title, library, address)
	b.WriteString("  </fileDesc>\n </teiHeader>\n <text>\n  <body>\n")
	abs := 0
	for _, pg := range pages {
		fmt.Fprintf(&b, "   <pb n=\"%d\" facs=\"%s\"/>\n", pg.n, esc(w.CanvasURI(pg.n)))
		for _, n := range notes(pg.annos) {
			lang := ""
			if n.lang != "" {
				lang = fmt.Sprintf(" xml:lang=\"%s\"", esc(n.lang))
			}
			if n.transcript {
				abs++
				fmt.Fprintf(&b, "   <ab type=\"%s\"%s>%s</ab>\n", esc(n.motivation), lang, esc(n.text))
			} else {
				fmt.Fprintf(&b, "   <note type=\"%s\"%s>%s</note>\n", esc(n.motivation), lang, esc(n.text))
			}
		}
	}
	// TEI's body holds at least one paragraph-like element.
	if abs == 0 {
		b.WriteString("   <ab/>\n")
	}
	b.WriteString("  </body>\n </text>\n</TEI>\n")
	return b.Bytes()
}
