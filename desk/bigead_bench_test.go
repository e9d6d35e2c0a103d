package desk

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ead"
)

// bigFindingAid is an EAD 2002 finding aid of series×files components,
// each file dated, boxed, described and with a subject, as a large
// ArchivesSpace export is shaped.
func bigFindingAid(series, files int) []byte {
	var b strings.Builder
	b.WriteString(`<ead xmlns="urn:isbn:1-931666-22-9"><eadheader><eadid>big</eadid></eadheader><archdesc level="fonds"><did><unittitle>Big fonds</unittitle><unitdate normal="1900/2000">1900-2000</unitdate></did><dsc>`)
	for s := range series {
		fmt.Fprintf(&b, `<c01 level="series" id="s%d"><did><unittitle>Series %d</unittitle></did>`, s, s)
		for f := range files {
			fmt.Fprintf(&b, `<c02 level="file"><did><unittitle>File %d.%d</unittitle><unitdate normal="%d">%d</unitdate>`+
				`<container type="Box" id="b%d-%d">%d</container><container type="Folder" parent="b%d-%d">%d</container></did>`+
				`<scopecontent><p>Letters of <emph render="italic">file %d</emph>.</p></scopecontent>`+
				`<controlaccess><subject source="local">Subject %d</subject></controlaccess></c02>`,
				s, f, 1900+f%100, 1900+f%100, s, f/10, f/10, s, f/10, f%10, f, f%50)
		}
		b.WriteString(`</c01>`)
	}
	b.WriteString(`</dsc></archdesc></ead>`)
	return []byte(b.String())
}

// BenchmarkImportTwelveThousandComponents reads, imports as the desk does
// (access points, boxes, units) and exports a finding aid of 12,120
// components, the size of the largest real ones.
func BenchmarkImportTwelveThousandComponents(b *testing.B) {
	doc := bigFindingAid(120, 100)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		u, _, _ := unitsFixture(b)
		b.StartTimer()
		start := time.Now()
		f, err := ead.Read(bytes.NewReader(doc))
		if err != nil {
			b.Fatal(err)
		}
		read := time.Since(start)
		r, err := u.ImportEAD(ctx, unitsCMU, EADImport{Finding: f, Institution: "cmu"})
		if err != nil {
			b.Fatal(err)
		}
		built := time.Since(start) - read
		tr, err := u.Store.Tree(r.Made[0].ID)
		if err != nil {
			b.Fatal(err)
		}
		var out bytes.Buffer
		if err := (&ead.Export{Tree: tr, Principal: access.Principal{}, Now: time.Now(), Points: u.Store.Point}).Write(&out); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(r.Made)), "components")
		b.ReportMetric(read.Seconds(), "read-s")
		b.ReportMetric(built.Seconds(), "import-s")
		b.ReportMetric((time.Since(start) - read - built).Seconds(), "export-s")
	}
}
