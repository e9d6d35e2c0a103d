package annotation

import (
	"encoding/json"
	"encoding/xml"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/thaiarchives/archive/ocr"
)

// A transcription is an annotation whose motivation is supplementing or
// transcribing: the text of a region of a page, a line or a few, or of
// the whole page (a target without a selector), one line of text a line
// of the page. Approved, it takes the place of what the machine read
// there (see Service.refresh).

// transcript is a transcription as its page's text reads it.
type transcript struct {
	box   ocr.Box // where it lies; zero: the whole page
	lines []string
}

var numbers = regexp.MustCompile(`-?\d+(?:\.\d+)?`)

// readTranscript reads a kept transcription's text and region, on a
// canvas of width × height pixels.
func readTranscript(doc json.RawMessage, width, height int) transcript {
	var d struct {
		Body      json.RawMessage `json:"body"`
		BodyValue string          `json:"bodyValue"`
		Target    json.RawMessage `json:"target"`
	}
	json.Unmarshal(doc, &d)
	bodies := oneOrMany[textBody](d.Body)
	var text []string
	if d.BodyValue != "" {
		text = append(text, d.BodyValue)
	}
	for _, b := range bodies {
		if b.Purpose != "" && b.Purpose != "supplementing" && b.Purpose != "transcribing" {
			continue // a tag or a comment beside the text
		}
		v := b.Value
		if b.Format == "text/html" {
			v = html.UnescapeString(stripTags.Sanitize(strings.NewReplacer("<br>", "\n", "<br/>", "\n", "</p>", "\n").Replace(v)))
		}
		text = append(text, v)
	}
	var t transcript
	for _, l := range strings.Split(strings.Join(text, "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			t.lines = append(t.lines, l)
		}
	}
	t.box = targetBox(d.Target, width, height)
	return t
}

// targetBox is the region a target names on a canvas of width × height:
// its xywh fragment or the bounds of its SVG shapes; zero for the whole
// canvas.
func targetBox(raw json.RawMessage, width, height int) ocr.Box {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		_, frag, _ := strings.Cut(s, "#")
		return fragmentBox(frag, width, height)
	}
	var t target
	json.Unmarshal(raw, &t)
	for _, sel := range oneOrMany[selector](t.Selector) {
		switch sel.Type {
		case "FragmentSelector":
			return fragmentBox(sel.Value, width, height)
		case "SvgSelector":
			return svgBox(sel.Value)
		}
	}
	return ocr.Box{}
}

// fragmentBox reads xywh=[pixel:|percent:]x,y,w,h.
func fragmentBox(frag string, width, height int) ocr.Box {
	m := xywh.FindStringSubmatch(frag)
	if m == nil {
		return ocr.Box{}
	}
	var v [4]float64
	for i := range v {
		v[i], _ = strconv.ParseFloat(m[i+1], 64)
	}
	if strings.Contains(frag, "percent:") {
		v[0], v[2] = v[0]*float64(width)/100, v[2]*float64(width)/100
		v[1], v[3] = v[1]*float64(height)/100, v[3]*float64(height)/100
	}
	return ocr.Box{X: int(v[0]), Y: int(v[1]), W: int(v[2] + 0.5), H: int(v[3] + 0.5)}
}

// svgBox is the bounds of an SVG selector's shapes: every point of its
// polygons, polylines and paths, its rectangles', circles' and ellipses'
// corners.
func svgBox(v string) ocr.Box {
	var xs, ys []float64
	add := func(x0, y0, x1, y1 float64) { xs, ys = append(xs, x0, x1), append(ys, y0, y1) }
	d := xml.NewDecoder(strings.NewReader(v))
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		a := map[string]float64{}
		var pts []float64
		for _, at := range el.Attr {
			switch at.Name.Local {
			case "points", "d":
				for _, n := range numbers.FindAllString(at.Value, -1) {
					f, _ := strconv.ParseFloat(n, 64)
					pts = append(pts, f)
				}
			default:
				a[at.Name.Local], _ = strconv.ParseFloat(at.Value, 64)
			}
		}
		switch el.Name.Local {
		case "rect":
			add(a["x"], a["y"], a["x"]+a["width"], a["y"]+a["height"])
		case "circle":
			add(a["cx"]-a["r"], a["cy"]-a["r"], a["cx"]+a["r"], a["cy"]+a["r"])
		case "ellipse":
			add(a["cx"]-a["rx"], a["cy"]-a["ry"], a["cx"]+a["rx"], a["cy"]+a["ry"])
		case "line":
			add(a["x1"], a["y1"], a["x2"], a["y2"])
		case "polygon", "polyline", "path":
			for i := 0; i+1 < len(pts); i += 2 {
				add(pts[i], pts[i+1], pts[i], pts[i+1])
			}
		}
	}
	if len(xs) == 0 {
		return ocr.Box{}
	}
	x0, y0 := slices.Min(xs), slices.Min(ys)
	return ocr.Box{X: int(x0), Y: int(y0), W: max(1, int(slices.Max(xs)-x0+0.5)), H: max(1, int(slices.Max(ys)-y0+0.5))}
}

// transcribe is the page as the machine read it with the transcriptions
// put in, in order: a whole page's in place of every line, a region's in
// place of the lines whose middles lie in it (or beside them when none
// does), each of its lines a share of the region's height.
func transcribe(machine *ocr.Page, ts []transcript) *ocr.Page {
	page := &ocr.Page{Width: machine.Width, Height: machine.Height, Lines: slices.Clone(machine.Lines)}
	for _, t := range ts {
		if t.box == (ocr.Box{}) {
			boxes := make([]ocr.Box, 0, len(page.Lines))
			for _, l := range page.Lines {
				boxes = append(boxes, l.Box)
			}
			if len(boxes) != len(t.lines) {
				var all ocr.Box
				for _, b := range boxes {
					all = all.Union(b)
				}
				if all == (ocr.Box{}) {
					all = ocr.Box{X: page.Width / 20, Y: page.Height / 20, W: page.Width * 9 / 10, H: page.Height * 9 / 10}
				}
				boxes = split(all, len(t.lines))
			}
			page.Lines = page.Lines[:0:0]
			for i, l := range t.lines {
				page.Lines = append(page.Lines, line(l, boxes[i]))
			}
			continue
		}
		at := -1
		var kept []ocr.Line
		for _, l := range page.Lines {
			mx, my := l.Box.X+l.Box.W/2, l.Box.Y+l.Box.H/2
			if t.box.Overlaps(ocr.Box{X: mx, Y: my, W: 1, H: 1}) {
				if at < 0 {
					at = len(kept)
				}
				continue
			}
			kept = append(kept, l)
		}
		if at < 0 { // new lines: before the first line below them
			at = len(kept)
			for i, l := range kept {
				if l.Box.Y > t.box.Y {
					at = i
					break
				}
			}
		}
		var lines []ocr.Line
		for i, b := range split(t.box, len(t.lines)) {
			lines = append(lines, line(t.lines[i], b))
		}
		page.Lines = slices.Insert(kept, at, lines...)
	}
	ocr.Normalize(page)
	return page
}

// split cuts b into n lines of equal height, top to bottom.
func split(b ocr.Box, n int) []ocr.Box {
	out := make([]ocr.Box, n)
	for i := range out {
		y0, y1 := b.Y+b.H*i/n, b.Y+b.H*(i+1)/n
		out[i] = ocr.Box{X: b.X, Y: y0, W: b.W, H: max(1, y1-y0)}
	}
	return out
}

// line is a line of text in box b: its words (as spaces part them) each
// given a share of the width by their letters, with gaps between them
// wide enough that Normalize keeps them apart.
func line(text string, b ocr.Box) ocr.Line {
	words := strings.Fields(text)
	l := ocr.Line{Box: b}
	letters := 0
	for _, w := range words {
		letters += utf8.RuneCountInString(w)
	}
	gap := max(2, b.H*3/10) + 1 // Normalize joins Thai pieces nearer than max(2, 3/10 of the height)
	room := max(len(words), b.W-gap*(len(words)-1))
	x := b.X
	for _, w := range words {
		width := max(1, room*utf8.RuneCountInString(w)/letters)
		l.Words = append(l.Words, ocr.Word{Text: w, Box: ocr.Box{X: x, Y: b.Y, W: width, H: b.H}, Conf: 1})
		x += width + gap
	}
	return l
}

// oneOrMany reads a kept JSON value that is one T or a list of them.
func oneOrMany[T any](raw json.RawMessage) []T {
	var many []T
	if len(raw) > 0 && raw[0] == '[' {
		json.Unmarshal(raw, &many)
		return many
	}
	var one T
	if len(raw) > 0 && json.Unmarshal(raw, &one) == nil {
		many = append(many, one)
	}
	return many
}
