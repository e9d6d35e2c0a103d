package harvest

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// sampleRecords reads a test file's records as a provider would send
// them in format: the file's root, or each record of its collection.
func sampleRecords(t *testing.T, path string) []*record {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root := parseNode(t, string(b))
	roots := []*node{root}
	if strings.HasSuffix(root.XMLName.Local, "ollection") {
		roots = root.Nodes
	}
	var out []*record
	for i, n := range roots {
		rec := &record{}
		rec.Header.Identifier = path + "#" + string(rune('a'+i))
		rec.Metadata.Root = n
		out = append(out, rec)
	}
	return out
}

// mapSample maps a test file's n-th record as a source of format would.
func mapSample(t *testing.T, format, path string, n int) *repository.Entry {
	t.Helper()
	e, err := mapRecord(&repository.Source{ID: "s1", Institution: "cmu", Format: format}, sampleRecords(t, path)[n])
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestARecordInAnotherFormatThanTheSourcesIsRefusedByIdentifier(t *testing.T) {
	for _, c := range []struct{ format, path string }{
		{"mods", "testdata/marcxml/thai-thesis.xml"},
		{"marcxml", "testdata/mods/thai-thesis.xml"},
		{"oai_dc", "testdata/mods/map.xml"},
	} {
		rec := sampleRecords(t, c.path)[0]
		_, err := mapRecord(&repository.Source{ID: "s1", Format: c.format}, rec)
		if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), rec.Header.Identifier) || !strings.Contains(err.Error(), "is not in "+c.format) {
			t.Errorf("%s as %s: %v", c.path, c.format, err)
		}
	}
	_, err := mapRecord(&repository.Source{ID: "s1", Format: "mods"}, &record{})
	if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "has no metadata") {
		t.Errorf("a record without metadata: %v", err)
	}
}

func TestEachFormatIsHarvestedThroughItsTokensWithItsDeletionsAndABadRecordNamed(t *testing.T) {
	mods := func(title string) string {
		return `<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>` + title + `</title></titleInfo><originInfo><dateIssued>2545</dateIssued></originInfo><identifier type="hdl">1/2</identifier></mods>`
	}
	marc := func(title string) string {
		return `<marc:record xmlns:marc="http://www.loc.gov/MARC21/slim"><marc:datafield tag="245" ind1="1" ind2="0"><marc:subfield code="a">` + title +
			` /</marc:subfield></marc:datafield><marc:datafield tag="260" ind1=" " ind2=" "><marc:subfield code="c">พ.ศ. 2545</marc:subfield></marc:datafield><marc:datafield tag="024" ind1="7" ind2=" "><marc:subfield code="a">1/2</marc:subfield><marc:subfield code="2">hdl</marc:subfield></marc:datafield></marc:record>`
	}
	ead := func(title string) string {
		return `<ead xmlns="urn:isbn:1-931666-22-9"><eadheader><eadid url="hdl:1/2">cmu-1</eadid></eadheader><archdesc level="fonds"><did><unittitle>` + title +
			`</unittitle><unitdate>พ.ศ. 2545</unitdate></did></archdesc></ead>`
	}
	for format, meta := range map[string]func(string) string{"mods": mods, "marcxml": marc, "ead": ead} {
		t.Run(format, func(t *testing.T) {
			s, st := fixture(t)
			p := &provider{page: 2, records: []fakeRecord{
				{id: "oai:x:1", datestamp: "2026-01-01T00:00:00Z", meta: meta("จารึกล้านนา")},
				{id: "oai:x:2", datestamp: "2026-01-01T00:00:00Z", meta: meta("ตำนานพระธาตุ")},
				{id: "oai:x:3", datestamp: "2026-01-01T00:00:00Z", dc: `<dc:title>not in the format</dc:title>`},
				{id: "oai:x:4", datestamp: "2026-01-01T00:00:00Z", meta: meta("ใบลาน")},
			}}
			srv := startProvider(t, p)
			src := &repository.Source{Institution: "cmu", OAI: srv.URL, Format: format}
			if err := s.Add(ctx, admin, src); err != nil {
				t.Fatal(err)
			}
			got, err := s.Run(ctx, admin, src.ID)
			if err != nil {
				t.Fatal(err)
			}
			asked := p.asked()
			if len(asked) != 3 || !strings.Contains(asked[1], "metadataPrefix="+format) || !strings.Contains(asked[2], "resumptionToken=") {
				t.Fatalf("asked %q", asked)
			}
			if got.Run.Added != 3 || got.Run.Failed != 1 || len(got.Run.Errors) != 1 || got.Run.Errors[0].Identifier != "oai:x:3" || !strings.Contains(got.Run.Errors[0].Error, "is not in "+format) {
				t.Fatalf("the run: %+v", got.Run)
			}
			e, err := st.EntryOf(src.ID, "oai:x:2")
			if err != nil || e.Title["th"] != "ตำนานพระธาตุ" || e.Date != "2002" || e.Link != "https://hdl.handle.net/1/2" {
				t.Fatalf("an entry: %+v, %v", e, err)
			}
			p.set(func(p *provider) {
				p.records[1] = fakeRecord{id: "oai:x:2", datestamp: "2026-12-31T00:00:00Z", deleted: true}
			})
			got, err = s.Run(ctx, admin, src.ID)
			if err != nil {
				t.Fatal(err)
			}
			ids, err := st.EntryIdentifiers(src.ID)
			if err != nil || len(ids) != 2 || slices.Contains(ids, "oai:x:2") || got.Run.Removed != 1 {
				t.Fatalf("the catalogue after a deletion: %v, %v, %+v", ids, err, got.Run)
			}
		})
	}
}

func parseNode(t *testing.T, s string) *node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		if start, ok := tok.(xml.StartElement); ok {
			n, _, err := readTree(d, start, maxRecord)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
}

func TestARecordLargerThanTheBoundIsReadToItsEndAndRefusedByIdentifier(t *testing.T) {
	s, st := fixture(t)
	mods := func(title, abstract string) string {
		return `<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>` + title + `</title></titleInfo><abstract>` + abstract + `</abstract></mods>`
	}
	p := &provider{page: 10, records: []fakeRecord{
		{id: "oai:x:1", datestamp: "2026-01-01T00:00:00Z", meta: mods("จารึก", "สั้น")},
		{id: "oai:x:2", datestamp: "2026-01-01T00:00:00Z", meta: mods("ยาว", strings.Repeat("ก", maxRecord/3+1))},
		{id: "oai:x:3", datestamp: "2026-01-01T00:00:00Z", meta: mods("ตำนาน", "สั้น")},
		// Empty elements, few bytes each, but a node each.
		{id: "oai:x:4", datestamp: "2026-01-01T00:00:00Z", meta: mods("ว่าง", strings.Repeat("<a/>", maxRecord/nodeCost+1))},
		// Elements deeper than any format's.
		{id: "oai:x:5", datestamp: "2026-01-01T00:00:00Z", meta: mods("ลึก", strings.Repeat("<a>", 1000)+strings.Repeat("</a>", 1000))},
	}}
	srv := startProvider(t, p)
	src := &repository.Source{Institution: "cmu", OAI: srv.URL, Format: "mods"}
	if err := s.Add(ctx, admin, src); err != nil {
		t.Fatal(err)
	}
	got, err := s.Run(ctx, admin, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Run; r.Added != 2 || r.Failed != 3 || r.Errors[0].Identifier != "oai:x:2" || !strings.Contains(r.Errors[0].Error, "is larger than the 4 MiB") || r.Errors[1].Identifier != "oai:x:4" || r.Errors[2].Identifier != "oai:x:5" {
		t.Fatalf("the run: %+v", r)
	}
	if e, err := st.EntryOf(src.ID, "oai:x:3"); err != nil || e.Title["th"] != "ตำนาน" {
		t.Fatalf("the record after the large one: %+v, %v", e, err)
	}
}

func TestAMARCXMLSourceAndItsEntriesComeBackAfterARebuildAndAReharvestWritesNothing(t *testing.T) {
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := bolt.Open(ctx, filepath.Join(dir, "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	recs := sampleRecords(t, "testdata/marcxml/lc-batch.xml")
	p := &provider{page: 1}
	for i, rec := range recs {
		var b strings.Builder
		if err := xml.NewEncoder(&b).Encode(rec.Metadata.Root); err != nil {
			t.Fatal(err)
		}
		p.records = append(p.records, fakeRecord{id: fmt.Sprintf("oai:loc:%d", i), datestamp: "2026-01-01T00:00:00Z", meta: b.String()})
	}
	srv := startProvider(t, p)
	s := New(st, nil)
	s.Pause = 0
	src := &repository.Source{Institution: "cmu", OAI: srv.URL, Format: "marcxml"}
	if err := s.Add(ctx, admin, src); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Run(ctx, admin, src.ID); err != nil || got.Run.Added != 2 {
		t.Fatalf("the first run: %+v, %v", got, err)
	}
	before, err := st.EntryOf(src.ID, "oai:loc:1")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := bolt.Rebuild(ctx, filepath.Join(dir, "b.db"), blobs, false); err != nil {
		t.Fatal(err)
	}
	again, err := bolt.Open(ctx, filepath.Join(dir, "b.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { again.Close() })
	back, err := again.Source(src.ID)
	if err != nil || back.Format != "marcxml" {
		t.Fatalf("the source after a rebuild: %+v, %v", back, err)
	}
	after, err := again.EntryOf(src.ID, "oai:loc:1")
	if err != nil || after.Digest != before.Digest || after.Title["en"] != "The White House" {
		t.Fatalf("the entry after a rebuild: %+v, %v", after, err)
	}
	back.Run.From = ""
	if err := again.SaveSource(ctx, back); err != nil {
		t.Fatal(err)
	}
	s = New(again, nil)
	s.Pause = 0
	got, err := s.Run(ctx, admin, src.ID)
	if err != nil || got.Run.Unchanged != 2 || got.Run.Added+got.Run.Changed != 0 {
		t.Fatalf("the re-harvest after a rebuild: %+v, %v", got.Run, err)
	}
}
