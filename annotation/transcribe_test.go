package annotation

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ocr"
)

// machine is a page of three lines as the machine read them, 60 pixels apart.
func machine() *ocr.Page {
	p := &ocr.Page{Width: 800, Height: 1100}
	for i, text := range []string{"ประกาศ มหาวิทยาลัยเชียงไหม่", "เรื่อง การรับสมัคร", "printed in Chaing Mai"} {
		y := 100 + 60*i
		l := ocr.Line{Box: ocr.Box{X: 100, Y: y, W: 600, H: 30}}
		for j, w := range strings.Fields(text) {
			l.Words = append(l.Words, ocr.Word{Text: w, Box: ocr.Box{X: 100 + 200*j, Y: y, W: 180, H: 30}, Conf: 0.6})
		}
		p.Lines = append(p.Lines, l)
	}
	return p
}

func lines(p *ocr.Page) []string {
	return strings.Split(strings.TrimSpace(p.Text()), "\n")
}

func TestALineTranscriptionTakesThePlaceOfTheLinesInItsRegion(t *testing.T) {
	doc := json.RawMessage(`{"motivation":"supplementing","body":{"type":"TextualBody","value":"ประกาศ มหาวิทยาลัยเชียงใหม่","language":"th"},
		"target":{"source":"c","selector":{"type":"FragmentSelector","value":"xywh=90,95,620,40"}}}`)
	tr := readTranscript(doc, 800, 1100)
	if tr.box != (ocr.Box{X: 90, Y: 95, W: 620, H: 40}) || len(tr.lines) != 1 {
		t.Fatalf("read %+v", tr)
	}
	got := lines(transcribe(machine(), []transcript{tr}))
	want := []string{"ประกาศ มหาวิทยาลัยเชียงใหม่", "เรื่อง การรับสมัคร", "printed in Chaing Mai"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("page reads %q, want %q", got, want)
	}
	// A later one over the last line, in percent of the canvas.
	doc = json.RawMessage(`{"motivation":["transcribing"],"body":[{"type":"TextualBody","value":"fix","purpose":"tagging"},
		{"type":"TextualBody","value":"<p>printed in <b>Chiang</b> Mai</p>","format":"text/html"}],
		"target":"c#xywh=percent:10,20,80,3"}`)
	tr2 := readTranscript(doc, 800, 1100)
	if tr2.box != (ocr.Box{X: 80, Y: 220, W: 640, H: 33}) || strings.Join(tr2.lines, "|") != "printed in Chiang Mai" {
		t.Fatalf("read %+v", tr2)
	}
	got = lines(transcribe(machine(), []transcript{tr, tr2}))
	if got[2] != "printed in Chiang Mai" || got[0] != want[0] {
		t.Fatalf("page reads %q", got)
	}
}

func TestARegionWithoutMachineLinesGetsItsLinesInReadingOrder(t *testing.T) {
	svg := `<svg xmlns='http://www.w3.org/2000/svg'><polygon points='100,125 700,125 700,150 100,150'/></svg>`
	doc, _ := json.Marshal(map[string]any{"motivation": "supplementing", "bodyValue": "ลายมือ เพิ่มเติม",
		"target": map[string]any{"source": "c", "selector": map[string]string{"type": "SvgSelector", "value": svg}}})
	tr := readTranscript(doc, 800, 1100)
	if tr.box != (ocr.Box{X: 100, Y: 125, W: 600, H: 25}) {
		t.Fatalf("the polygon's bounds: %+v", tr.box)
	}
	got := lines(transcribe(machine(), []transcript{tr}))
	if len(got) != 4 || got[1] != "ลายมือ เพิ่มเติม" {
		t.Fatalf("page reads %q", got)
	}
}

func TestAWholePageTranscriptionReplacesEveryLine(t *testing.T) {
	doc := json.RawMessage(`{"motivation":"supplementing","body":{"type":"TextualBody","value":"บรรทัด หนึ่ง\nบรรทัดสอง\n\nline three"},"target":"c"}`)
	tr := readTranscript(doc, 800, 1100)
	page := transcribe(machine(), []transcript{tr})
	got := lines(page)
	if strings.Join(got, "|") != "บรรทัด หนึ่ง|บรรทัดสอง|line three" {
		t.Fatalf("page reads %q", got)
	}
	// As many lines as the machine read: each keeps its line's place.
	if page.Lines[2].Box != machine().Lines[2].Box {
		t.Errorf("line 3 at %+v, not where the machine read it", page.Lines[2].Box)
	}
	// On a page the machine read nothing of, the lines share the page.
	empty := transcribe(&ocr.Page{Width: 800, Height: 1000}, []transcript{tr})
	if len(empty.Lines) != 3 || empty.Lines[0].Box.Y >= empty.Lines[1].Box.Y || empty.Lines[2].Box.Y+empty.Lines[2].Box.H > 1000 {
		t.Fatalf("lines of an empty page: %+v", empty.Lines)
	}
}

// A Thai transcription goes through the normaliser OCR text does: the
// same word in other Unicode order or with a zero-width space is the
// same word.
func TestATranscriptionIsNormalisedAsOCRTextIs(t *testing.T) {
	doc, _ := json.Marshal(map[string]any{"motivation": "supplementing",
		"body": map[string]string{"type": "TextualBody", "value": "เชียง\u200bใหม่  ก\u0e4d\u0e32"}, "target": "c"})
	got := lines(transcribe(&ocr.Page{Width: 800, Height: 1000}, []transcript{readTranscript(doc, 800, 1000)}))
	want := &ocr.Page{Lines: []ocr.Line{{Box: ocr.Box{W: 800, H: 30}, Words: []ocr.Word{
		{Text: "เชียง\u200bใหม่", Box: ocr.Box{W: 300, H: 30}}, {Text: "ก\u0e4d\u0e32", Box: ocr.Box{X: 500, W: 300, H: 30}}}}}}
	ocr.Normalize(want)
	if got[0] != strings.TrimSpace(want.Text()) || strings.Contains(got[0], "\u200b") {
		t.Fatalf("normalised %q, want %q", got[0], want.Text())
	}
}
