package ead

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

var ctx = context.Background()

var exportTime = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func newStore(t *testing.T) (*bolt.Store, *local.Store) {
	t.Helper()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, blobs
}

// fiveLevels builds fonds › subfonds › series › file › item, a second
// series (restricted) with a file, and a unit of the library's own level.
func fiveLevels(t *testing.T, s *bolt.Store) {
	t.Helper()
	add := func(id, parent string, level repository.Level, th, en string, access string) {
		c := &repository.Collection{ID: id, Institution: "chula", Parent: parent, Level: level, Title: repository.Text{"th": th, "en": en},
			Access: repository.Access{Level: access},
			Description: &repository.Description{ReferenceCode: "CU-" + strings.ToUpper(id), Date: "1932/1945",
				Extent: repository.Text{"th": "3 กล่อง", "en": "3 boxes"}, Creator: repository.Text{"th": "คณะอักษรศาสตร์", "en": "Faculty of Arts"},
				Scope:    repository.Text{"th": "บันทึกการประชุม\n\nและจดหมาย", "en": "Minutes & letters <1932>.\n\nSecond paragraph."},
				Language: []string{"th", "en"}, Notes: repository.Text{"en": "Seen by the dean."}}}
		var err error
		if c.Order, err = s.NextOrder(parent); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveCollection(ctx, c, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	add("arts", "", repository.Fonds, "คณะอักษรศาสตร์", "Faculty of Arts", "")
	add("arts-office", "arts", repository.SubFonds, "สำนักงานคณบดี", "Dean's office", "")
	add("arts-minutes", "arts-office", repository.Series, "รายงานการประชุม", "Minutes", "")
	add("arts-1932", "arts-minutes", repository.FileLevel, "การประชุม พ.ศ. 2475", "Meetings of 1932", "")
	add("arts-1932-06", "arts-1932", repository.ItemLevel, "การประชุมเดือนมิถุนายน", "June meeting", "")
	add("arts-personnel", "arts-office", repository.Series, "ทะเบียนบุคลากร", "Personnel files", repository.Restricted)
	add("arts-staff-a", "arts-personnel", repository.FileLevel, "แฟ้มบุคลากร ก", "Staff file A", "")
	add("arts-box-1", "arts", "box", "กล่อง 1", "Box 1", "")
}

func export(t *testing.T, s *bolt.Store, root string, p access.Principal) []byte {
	t.Helper()
	tr, err := s.Tree(root)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	e := Export{Tree: tr, Items: s, Principal: p, Now: exportTime, Manifest: func(id string) string { return "https://archive.example/iiif/3/manifest/" + id }}
	if err := e.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var staff = access.Principal{User: "u1", Email: "a@chula", Institution: "chula", Role: access.Archivist}

// xmllint validates doc against the EAD3 subset schema written from the
// Tag Library (see the schema's head).
func xmllint(t *testing.T, doc []byte) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("xmllint (Debian libxml2-utils) is required")
		}
		t.Skip("xmllint (Debian libxml2-utils) is not installed")
	}
	f := filepath.Join(t.TempDir(), "ead.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", "testdata/official/ead3.xsd", f).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}

func TestExportIsValidEAD3(t *testing.T) {
	s, _ := newStore(t)
	fiveLevels(t, s)
	doc := export(t, s, "arts", staff)
	xmllint(t, doc)
	for _, want := range []string{`<archdesc level="fonds" id="unit-arts">`, `<c level="otherlevel" otherlevel="box" id="unit-arts-box-1">`,
		`<unittitle lang="tha">คณะอักษรศาสตร์</unittitle>`, `<unitdate calendar="gregorian" era="ce" normal="1932/1945">1932 – 1945</unitdate>`,
		`<unitdate calendar="buddhist" era="be" lang="tha">พ.ศ. 2475 – พ.ศ. 2488</unitdate>`, `<p>Minutes &amp; letters &lt;1932&gt;.</p>`,
		`<language langcode="tha"/>`, `<accessrestrict localtype="access-level">`} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("export lacks %s", want)
		}
	}
	// A series can be exported on its own, and is valid too.
	xmllint(t, export(t, s, "arts-minutes", staff))
	// The schema is not a rubber stamp: a did out of place is refused.
	broken := bytes.Replace(doc, []byte("<did>"), []byte("<odd><p>x</p></odd><did>"), 1)
	f := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(f, broken, 0o600)
	if err := exec.Command("xmllint", "--noout", "--schema", "testdata/official/ead3.xsd", f).Run(); err == nil {
		t.Fatal("the schema accepted <odd> before <did>")
	}
}

func TestRestrictedSeriesIsLeftOutForThePublic(t *testing.T) {
	s, _ := newStore(t)
	fiveLevels(t, s)
	public := export(t, s, "arts", access.Principal{})
	for _, hidden := range []string{"arts-personnel", "arts-staff-a", "Personnel files", "Staff file A"} {
		if bytes.Contains(public, []byte(hidden)) {
			t.Errorf("the public finding aid shows %s", hidden)
		}
	}
	if !bytes.Contains(public, []byte("unit-arts-1932-06")) {
		t.Error("the public finding aid lost the open item")
	}
	if !bytes.Contains(export(t, s, "arts", staff), []byte("unit-arts-staff-a")) {
		t.Error("the library's archivist does not see the restricted series' file")
	}
	tr, _ := s.Tree("arts-staff-a")
	e := Export{Tree: tr, Now: exportTime}
	if err := e.Write(&bytes.Buffer{}); err == nil {
		t.Fatal("a file inside a restricted series was exported to an anonymous visitor")
	}
}

func TestRoundTripExportImportExportIsIdentical(t *testing.T) {
	s, _ := newStore(t)
	fiveLevels(t, s)
	first := export(t, s, "arts", staff)
	f, err := Read(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != "EAD3" || f.Count != 8 {
		t.Fatalf("read %s with %d units", f.Version, f.Count)
	}
	empty, _ := newStore(t)
	made, atts, err := f.Build(ctx, empty, "chula", "", "importer")
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 8 || len(atts) != 0 || made[4].Path != "คณะอักษรศาสตร์ › สำนักงานคณบดี › รายงานการประชุม › การประชุม พ.ศ. 2475 › การประชุมเดือนมิถุนายน" {
		t.Fatalf("report: %+v", made)
	}
	second := export(t, empty, "arts", staff)
	if !bytes.Equal(first, second) {
		t.Fatalf("round trip changed the document:\n%s\n---\n%s", first, second)
	}
}

const ead2002 = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE ead PUBLIC "+//ISBN 1-931666-00-8//DTD ead.dtd (Encoded Archival Description (EAD) Version 2002)//EN" "ead.dtd">
<ead xmlns="urn:isbn:1-931666-22-9" xmlns:xlink="http://www.w3.org/1999/xlink">
 <eadheader><eadid>TU-LAW</eadid><filedesc><titlestmt><titleproper>Law</titleproper></titlestmt></filedesc>
  <profiledesc><langusage><language langcode="eng">English</language></langusage></profiledesc></eadheader>
 <archdesc level="fonds">
  <did><unitid>TU-LAW</unitid><unittitle>Faculty of Law</unittitle><unittitle>คณะนิติศาสตร์</unittitle>
   <unitdate normal="1934/1990">1934-1990</unitdate><physdesc><extent>12 linear metres</extent></physdesc>
   <origination><corpname>Thammasat University. Faculty of Law</corpname></origination>
   <langmaterial><language langcode="tha">Thai</language></langmaterial></did>
  <scopecontent><head>Scope</head><p>Records of the faculty.</p></scopecontent>
  <dsc>
   <c01 level="series" id="ser1"><did><unittitle>Minutes</unittitle><unitdate>พ.ศ. 2500</unitdate></did>
    <c02 level="subseries"><did><unittitle>Council</unittitle></did>
     <c03 level="file"><did><unittitle>Council 1957</unittitle>
       <dao xlink:href="scans/council-1957.png" xlink:title="Council minutes 1957"/></did>
      <c04 level="item"><did><unittitle>First meeting</unittitle>
        <daogrp><daoloc xlink:href="scans/first.png"/></daogrp>
        <dao xlink:href="https://elsewhere.example/x.jpg"/></did></c04>
     </c03>
    </c02>
   </c01>
   <c01 level="otherlevel" otherlevel="Box"><did><unittitle>Box 7</unittitle></did></c01>
  </dsc>
 </archdesc>
</ead>`

func writePNG(t *testing.T, path string, shade uint8) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = shade + uint8(i%7)
	}
	img.Set(0, 0, color.Black)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func TestImportEAD2002BuildsTheTreeAndAttachesFilesBesideIt(t *testing.T) {
	if !Sniff([]byte(ead2002)) || Sniff([]byte(`<?xml version="1.0"?><mods/>`)) {
		t.Fatal("Sniff does not tell EAD from other XML")
	}
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "scans", "council-1957.png"), 40)
	writePNG(t, filepath.Join(dir, "scans", "first.png"), 120)
	f, err := Read(strings.NewReader(ead2002))
	if err != nil {
		t.Fatal(err)
	}
	s, blobs := newStore(t)
	made, atts, err := f.Build(ctx, s, "tu", "", "importer")
	if err != nil {
		t.Fatal(err)
	}
	var levels []string
	for _, m := range made {
		levels = append(levels, string(m.Level))
	}
	if strings.Join(levels, " ") != "fonds series subseries file item box" {
		t.Fatalf("levels made: %v", levels)
	}
	if made[1].ID != "ser1" {
		t.Errorf("the series' id attribute was not kept: %s", made[1].ID)
	}
	root, _ := s.Collection(made[0].ID)
	d := root.Description
	if root.Title["en"] != "Faculty of Law" || root.Title["th"] != "คณะนิติศาสตร์" || d.Date != "1934/1990" || d.Extent["en"] != "12 linear metres" ||
		d.Creator["en"] != "Thammasat University. Faculty of Law" || d.Scope["en"] != "Records of the faculty." || d.Language[0] != "th" {
		t.Fatalf("fonds description: %+v %+v", root, d)
	}
	if series, _ := s.Collection("ser1"); series.Description.Date != "1957" {
		t.Errorf("a Buddhist Era date was read as %q, want 1957", series.Description.Date)
	}
	units, problems := Units(atts, dir, "tu")
	if len(units) != 2 || len(problems) != 1 || !strings.Contains(problems[0], "elsewhere.example") {
		t.Fatalf("units %d, problems %v", len(units), problems)
	}
	p := ingest.New(ingest.Config{Store: s, Blobs: blobs, Agent: "importer"})
	for _, u := range units {
		unit := ingest.Unit{Files: []ingest.Input{{Path: u.Path, Name: u.Name}}, Meta: u.Meta, Origin: u.Origin}
		for _, o := range p.Ingest(ctx, unit) {
			if o.Status != ingest.Ingested {
				t.Fatalf("%s: %s %s", o.File, o.Status, o.Error)
			}
		}
	}
	tr, err := s.Tree(made[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	file, item := tr.Node(made[3].ID), tr.Node(made[4].ID)
	if len(file.Items) != 1 || len(item.Items) != 1 {
		t.Fatalf("items at the file %v and the item %v", file.Items, item.Items)
	}
	it, _ := s.Item(file.Items[0])
	if it.Title["en"] != "Council minutes 1957" || it.Collection != made[3].ID {
		t.Fatalf("attached item %+v", it)
	}
	// The export now links the digitised items to their manifests.
	doc := export(t, s, made[0].ID, staff)
	if !bytes.Contains(doc, []byte(`href="https://archive.example/iiif/3/manifest/`+it.ID+`"`)) {
		t.Fatal("the export has no <dao> for the attached item")
	}
	xmllint(t, doc)
}

func TestReadRefusesWhatIsNotAFindingAid(t *testing.T) {
	for _, doc := range []string{"", "not xml", `<?xml version="1.0"?><mods/>`, `<ead><eadheader/></ead>`, `<ead><archdesc level="fonds"><did>`} {
		if _, err := Read(strings.NewReader(doc)); err == nil {
			t.Errorf("%q was read as a finding aid", doc)
		}
	}
}

// TestImportReadsUnitDatesAsTheDeskDoes: a unit date's normal form (or an
// EAD3 structured date's standarddate) is the Common Era unless its
// calendar is the Buddhist one; its words are read as the desk reads them
// (a bare 2400–2700 is the Buddhist Era, each end of a range alike, and any
// year in a Buddhist calendar; a structured range in words, end by end); a
// date that cannot be read one way is left out of the date.
func TestImportReadsUnitDatesAsTheDeskDoes(t *testing.T) {
	for unitdate, want := range map[string]string{
		`<unitdate normal="1957">2500</unitdate>`:                                                                                                          "1957",
		`<unitdate calendar="buddhist" normal="2500">2500</unitdate>`:                                                                                      "1957",
		`<unitdate era="be" normal="2501/2510">2501–2510</unitdate>`:                                                                                       "1958/1967",
		`<unitdate calendar="buddhist">พ.ศ. 2500</unitdate>`:                                                                                               "1957",
		`<unitdate calendar="buddhist">2300</unitdate>`:                                                                                                    "1757",
		`<unitdatestructured calendar="buddhist"><datesingle standarddate="2500">พ.ศ. 2500</datesingle></unitdatestructured>`:                              "1957",
		`<unitdatestructured calendar="buddhist"><daterange><fromdate standarddate="2501"/><todate standarddate="2510"/></daterange></unitdatestructured>`: "1958/1967",
		`<unitdatestructured><daterange><fromdate standarddate="1958"/><todate standarddate="1967"/></daterange></unitdatestructured>`:                     "1958/1967",
		`<unitdate>2501/2510</unitdate>`:                                                                                                                   "1958/1967",
		`<unitdate>พ.ศ. 2501/2510</unitdate>`:                                                                                                              "1958/1967",
		`<unitdate>18 June 1934</unitdate>`:                                                                                                                "1934-06-18",
		`<unitdate>62</unitdate>`:                                                                                                                          "",
		`<unitdate calendar="gregorian" normal="2500">2500</unitdate>`:                                                                                     "2500",
		`<unitdatestructured><daterange><fromdate>พ.ศ. 2501</fromdate><todate>พ.ศ. 2510</todate></daterange></unitdatestructured>`:                         "1958/1967",
		`<unitdatestructured><daterange><fromdate>18 มิถุนายน ๒๕๐๑</fromdate><todate standarddate="1967"/></daterange></unitdatestructured>`: "1958-06-18/1967",
		`<unitdatestructured><daterange><fromdate>พ.ศ. 2501</fromdate><todate>62</todate></daterange></unitdatestructured>`:                  "",
		`<unitdate>พ.ศ. 2501–2510</unitdate>`: "1958/1967",
	} {
		f, err := Read(strings.NewReader(`<ead><archdesc level="fonds"><did><unittitle>F</unittitle>` + unitdate + `</did></archdesc></ead>`))
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if d := f.Root.Collection.Description; d != nil {
			got = d.Date
		}
		if got != want {
			t.Errorf("%s: date %q, want %q", unitdate, got, want)
		}
	}
}

// TestImportKeepsAnUnreadableDateAsTextAndSaysSo: a unit date that cannot
// be read as a date is kept as written (no date), said in a note of the
// import naming the unit, exported again as a <unitdate> without a normal
// form, and kept through a second import and a rebuild of the store.
func TestImportKeepsAnUnreadableDateAsTextAndSaysSo(t *testing.T) {
	doc := `<ead><archdesc level="fonds"><did><unittitle>F</unittitle><unitdate normal="1934/1990">1934-1990</unitdate></did><dsc>
	<c01 level="series" id="undated"><did><unittitle>S</unittitle><unitdate>ไม่ปรากฏปีที่พิมพ์</unitdate></did></c01></dsc></archdesc></ead>`
	f, err := Read(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	s, blobs := newStore(t)
	made, _, err := f.Build(ctx, s, "chula", "", "importer")
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 2 || len(made[0].Notes) != 0 || len(made[1].Notes) != 1 {
		t.Fatalf("notes of the import: %+v", made)
	}
	want := `unit undated: date "ไม่ปรากฏปีที่พิมพ์" could not be read as a date; kept as text`
	if got := made[1].Notes[0].String(); got != want {
		t.Errorf("note %q, want %q", got, want)
	}
	kept := func(s *bolt.Store, where string) {
		t.Helper()
		c, err := s.Collection("undated")
		if err != nil {
			t.Fatal(err)
		}
		if d := c.Description; d == nil || d.Date != "" || d.DateText != "ไม่ปรากฏปีที่พิมพ์" {
			t.Fatalf("%s: description %+v, want the date kept as text", where, d)
		}
	}
	kept(s, "import")
	tr, err := s.Tree(made[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	first := export(t, s, tr.Root.ID, staff)
	if !bytes.Contains(first, []byte("<unitdate>ไม่ปรากฏปีที่พิมพ์</unitdate>")) {
		t.Fatalf("the text date is not exported as written:\n%s", first)
	}
	xmllint(t, first)
	again, err := Read(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newStore(t)
	if _, _, err := again.Build(ctx, other, "chula", "", "importer"); err != nil {
		t.Fatal(err)
	}
	kept(other, "second import")
	if second := export(t, other, tr.Root.ID, staff); !bytes.Equal(first, second) {
		t.Fatalf("round trip changed the document:\n%s\n---\n%s", first, second)
	}
	s.Close()
	path := filepath.Join(t.TempDir(), "rebuilt.db")
	if _, err := bolt.Rebuild(ctx, path, blobs, false); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := bolt.Open(ctx, path, blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer rebuilt.Close()
	kept(rebuilt, "rebuild")
}

// TestImportNotesBuddhistWordsThatDisagreeWithTheNormalDate: a unit date's
// normal form is kept in the Common Era, as EAD says; when its words are in
// the Buddhist Era and read as another date, the import says so and which
// was kept. Words that agree, or are in the Common Era, give no note.
func TestImportNotesBuddhistWordsThatDisagreeWithTheNormalDate(t *testing.T) {
	for _, c := range []struct {
		unitdate, date, note string
	}{
		{`<unitdate normal="2501/2510">พ.ศ. 2501–2510</unitdate>`, "2501/2510",
			`unit fonds: the date's words "พ.ศ. 2501–2510" read in the Buddhist Era as 1958/1967 (Common Era), but its normal form is 2501/2510; 2501/2510 was kept, as EAD's normal form is in the Common Era (add calendar="buddhist" if it is not)`},
		{`<unitdate normal="2500">2500</unitdate>`, "2500",
			`unit fonds: the date's words "2500" read in the Buddhist Era as 1957 (Common Era), but its normal form is 2500; 2500 was kept, as EAD's normal form is in the Common Era (add calendar="buddhist" if it is not)`},
		{`<unitdate calendar="gregorian" normal="2501/2510">พ.ศ. 2501 - 2510</unitdate>`, "2501/2510",
			`unit fonds: the date's words "พ.ศ. 2501 - 2510" read in the Buddhist Era as 1958/1967 (Common Era), but its normal form is 2501/2510; 2501/2510 was kept, as EAD's normal form is in the Common Era (add calendar="buddhist" if it is not)`},
		{`<unitdate normal="1958/1967">พ.ศ. 2501–2510</unitdate>`, "1958/1967", ""},
		{`<unitdate normal="1958-01-01/1967-12-31">พ.ศ. 2501 - 2510</unitdate>`, "1958-01-01/1967-12-31", ""},
		{`<unitdate calendar="gregorian" normal="2500">2500</unitdate>`, "2500", ""},
		{`<unitdate calendar="buddhist" normal="2500">2500</unitdate>`, "1957", ""},
		{`<unitdate normal="1934/1990">1934-1990</unitdate>`, "1934/1990", ""},
		{`<unitdate normal="1960">about 1950</unitdate>`, "1960", ""},
	} {
		f, err := Read(strings.NewReader(`<ead><archdesc level="fonds" id="fonds"><did><unittitle>F</unittitle>` + c.unitdate + `</did></archdesc></ead>`))
		if err != nil {
			t.Fatal(err)
		}
		s, _ := newStore(t)
		made, _, err := f.Build(ctx, s, "chula", "", "importer")
		if err != nil {
			t.Fatal(err)
		}
		var notes []string
		for _, n := range made[0].Notes {
			notes = append(notes, n.String())
		}
		if d := f.Root.Collection.Description; d == nil || d.Date != c.date || strings.Join(notes, "; ") != c.note {
			t.Errorf("%s: description %+v, notes %q; want date %q, note %q", c.unitdate, d, notes, c.date, c.note)
		}
	}
}

// TestDaoPathRefusesLinksThatLeaveTheFolder: the path an import uses is
// the one it checked; a query or fragment that hides a climb out of the
// folder (the raw href cleaned differs from the decoded one) is refused.
func TestDaoPathRefusesLinksThatLeaveTheFolder(t *testing.T) {
	for _, tc := range []struct{ href, want string }{
		{"scans/p1.tif", "scans/p1.tif"},
		{"./scans/../p1.tif", "p1.tif"},
		{"scans/letter%201914.png", "scans/letter 1914.png"},
		{"a#/../../../../x", ""},
		{"b?/../../x", ""},
		{"p1.tif?v=2", ""},
		{"p1.tif#page=2", ""},
		{"../x", ""},
		{"scans/../../x", ""},
		{"%2e%2e/x", ""},
		{"a%2F..%2F..%2Fx", ""},
		{"/etc/passwd", ""},
		{`scans\p1.tif`, ""},
		{"scans%5C..%5C..%5Cx", ""},
		{"p1%00.tif", ""},
		{"https://example.org/p1.tif", ""},
		{"file:///etc/passwd", ""},
		{"//host/p1.tif", ""},
		{".", ""},
		{"", ""},
	} {
		got, ok := Dao{Href: tc.href}.Path()
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("Dao{%q}.Path() = %q, %v; want %q", tc.href, got, ok, tc.want)
		}
	}
}

// TestUnitsFindNoFileThroughALinkOutOfTheFolder: a <dao> naming a link in
// the finding aid's folder that leads out of it is not a file beside it.
func TestUnitsFindNoFileThroughALinkOutOfTheFolder(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	secret := filepath.Join(outside, "token")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "here.txt"), []byte("here"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "p1.tif")); err != nil {
		t.Fatal(err)
	}
	units, problems := Units([]Attachment{{Unit: "u1", Href: "p1.tif"}, {Unit: "u1", Href: "here.txt"}}, dir, "cmu")
	if len(units) != 1 || units[0].Name != "here.txt" || len(problems) != 1 || !strings.Contains(problems[0], "p1.tif") {
		t.Fatalf("units %+v, problems %q", units, problems)
	}
	for _, p := range problems {
		if strings.Contains(p, dir) || strings.Contains(p, outside) {
			t.Errorf("a problem names a folder: %q", p)
		}
	}
}
