package ocr_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ocr"
)

// tesseractALTO is the shape of Tesseract 5's ALTO: version 3, lines inside
// composed blocks, spaces between strings.
const tesseractALTO = `<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#" xmlns:xlink="http://www.w3.org/1999/xlink">
	<Description><MeasurementUnit>pixel</MeasurementUnit></Description>
	<Layout>
		<Page WIDTH="2480" HEIGHT="1748" PHYSICAL_IMG_NR="0" ID="page_0">
			<PrintSpace HPOS="0" VPOS="0" WIDTH="2480" HEIGHT="1748">
				<ComposedBlock ID="cblock_0" HPOS="150" VPOS="150" WIDTH="2000" HEIGHT="200">
					<TextBlock ID="block_0" HPOS="150" VPOS="150" WIDTH="2000" HEIGHT="200">
						<TextLine ID="line_0" HPOS="150" VPOS="150" WIDTH="900" HEIGHT="68">
							<String ID="string_0" HPOS="150" VPOS="150" WIDTH="40" HEIGHT="60" WC="0.96" CONTENT="ม"/><SP WIDTH="3" VPOS="150" HPOS="190"/>
							<String ID="string_1" HPOS="192" VPOS="150" WIDTH="40" HEIGHT="60" WC="0.91" CONTENT="หา"/>
							<String ID="string_2" HPOS="400" VPOS="150" WIDTH="90" HEIGHT="60" WC="0.90" CONTENT="R&amp;D"/>
						</TextLine>
						<TextLine ID="line_1" HPOS="150" VPOS="250" WIDTH="900" HEIGHT="68">
							<String ID="string_3" HPOS="150" VPOS="250" WIDTH="200" HEIGHT="60" WC="0.95" CONTENT="&quot;Letters&quot;"/>
						</TextLine>
					</TextBlock>
				</ComposedBlock>
			</PrintSpace>
		</Page>
	</Layout>
</alto>`

func TestReadALTOReadsTesseractsLinesAndWords(t *testing.T) {
	p, err := ocr.ReadALTO(strings.NewReader(tesseractALTO))
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 2480 || p.Height != 1748 || len(p.Lines) != 2 || len(p.Lines[0].Words) != 3 {
		t.Fatalf("page %+v", p)
	}
	if w := p.Lines[0].Words[2]; w.Text != "R&D" || w.Box != (ocr.Box{400, 150, 90, 60}) || w.Conf != 0.90 {
		t.Errorf("word %+v", w)
	}
	ocr.Normalize(p)
	if got := p.Text(); got != "มหา R&D\n\"Letters\"\n" {
		t.Errorf("normalised text %q", got)
	}
	if p.Lines[0].Words[0].Box != (ocr.Box{150, 150, 82, 60}) {
		t.Errorf("joined box %+v", p.Lines[0].Words[0].Box)
	}
}

func TestWriteALTOReadsBackTheSamePage(t *testing.T) {
	p := &ocr.Page{Width: 1000, Height: 1400, Lines: []ocr.Line{
		{Box: ocr.Box{10, 20, 300, 40}, Words: []ocr.Word{{Text: `a "quoted" <word> & more`, Box: ocr.Box{10, 20, 100, 40}, Conf: 0.5}, {Text: "ประวัติศาสตร์", Box: ocr.Box{120, 20, 180, 40}, Conf: 1}}},
	}}
	back, err := ocr.ReadALTO(bytes.NewReader(p.WriteALTO("p1 & p2", "test")))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, p) {
		t.Errorf("read back %+v, want %+v", back, p)
	}
}

func TestReadALTORefusesWhatIsNotALTO(t *testing.T) {
	for _, doc := range []string{"", "hello", "<alto><Layout><Page WIDTH=\"1", "<html><body>no page</body></html>"} {
		if _, err := ocr.ReadALTO(strings.NewReader(doc)); !errors.Is(err, ocr.ErrInvalid) {
			t.Errorf("%q: %v, want invalid", doc, err)
		}
	}
}

func FuzzReadALTO(f *testing.F) {
	f.Add(tesseractALTO)
	f.Add(`<a:alto><a:Layout><a:Page WIDTH='5'><a:TextLine><a:String CONTENT='x'/></a:TextLine></a:Page></a:Layout></a:alto>`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := ocr.ReadALTO(strings.NewReader(doc))
		if err != nil {
			return
		}
		back, err := ocr.ReadALTO(bytes.NewReader(p.WriteALTO("f", "f")))
		if err != nil {
			t.Fatalf("what was read does not read back: %v", err)
		}
		if len(back.Lines) != len(p.Lines) {
			t.Fatalf("%d lines read back, want %d", len(back.Lines), len(p.Lines))
		}
	})
}
