package ead

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// described is an EAD 2002 finding aid with description elements of every
// kind at the top and in a component, in the forms EAD 2002 writes them.
const described = `<?xml version="1.0" encoding="UTF-8"?>
<ead xmlns="urn:isbn:1-931666-22-9" xmlns:xlink="http://www.w3.org/1999/xlink">
 <eadheader><eadid>TU-LAW</eadid><filedesc><titlestmt><titleproper>Law</titleproper></titlestmt></filedesc></eadheader>
 <archdesc level="fonds" audience="external">
  <did><unitid countrycode="TH" repositorycode="TH-TU">TU-LAW</unitid><unitid type="old">L-1</unitid>
   <unittitle>Faculty of Law, <unitdate>1934-1990</unitdate></unittitle>
   <physdesc><extent>12 linear metres</extent></physdesc>
   <langmaterial>Mostly in <language langcode="tha">Thai</language>.</langmaterial>
   <repository>Thammasat University Archives</repository>
   <physloc audience="internal">Shelf 4</physloc>
   <note><p>Seen in 2019.</p></note>
   <abstract>Records of the faculty.</abstract></did>
  <acqinfo><head>Acquisition</head><p>Given by the dean, <emph render="italic">1991</emph>.</p></acqinfo>
  <descgrp><head>Other</head><processinfo><p>Processed by <persname>Somchai</persname>.</p></processinfo></descgrp>
  <descgrp><head>Loose</head><p>Boxes were relabelled.</p><appraisal><p>None destroyed.</p></appraisal></descgrp>
  <relatedmaterial><p>See <extref xlink:href="https://example.org/x" xlink:type="simple" xlink:show="new">the council's papers</extref>.</p></relatedmaterial>
  <bioghist><chronlist><chronitem><date normal="1934">1934</date><event>Founded</event></chronitem>
   <chronitem><date>1990</date><eventgrp><event>Moved</event><event>Renamed</event></eventgrp></chronitem></chronlist></bioghist>
  <scopecontent><list type="simple"><item>Minutes</item><item>Letters</item></list></scopecontent>
  <runner>Thammasat</runner>
  <dsc>
   <c01 level="file"><did><unittitle>Council 1957</unittitle>
     <daogrp><daodesc><p>Scans</p></daodesc><daoloc xlink:href="https://example.org/1.jpg"/><daoloc xlink:href="https://example.org/2.jpg"/><resource xlink:label="r"/></daogrp></did>
    <odd type="remark"><p>Fragile.</p></odd></c01>
  </dsc>
 </archdesc>
</ead>`

func TestImportKeepsEveryDescriptionElementInEAD3FormAndReportsWhatItCannot(t *testing.T) {
	f, err := Read(strings.NewReader(described))
	if err != nil {
		t.Fatal(err)
	}
	top := f.Root.Collection.Description
	kept := map[string]string{}
	for _, m := range top.Kept {
		b, _ := json.Marshal(m)
		kept[m.Name] += string(b)
	}
	for name, want := range map[string]string{
		"unitid":          `{"n":"unitid","a":[{"n":"localtype","v":"old"}],"c":[{"t":"L-1"}]}`,
		"unittitle":       `{"n":"unittitle","c":[{"t":"Faculty of Law"}]}`, // its date is the unit's (dates.go)
		"physdesc":        `{"n":"physdesc","c":[{"t":"12 linear metres"}]}`,
		"langmaterial":    `{"n":"language","a":[{"n":"langcode","v":"tha"}],"c":[{"t":"Thai"}]},{"n":"descriptivenote","c":[{"n":"p","c":[{"t":"Mostly in Thai."}]}]}`,
		"repository":      `{"n":"corpname","c":[{"n":"part","c":[{"t":"Thammasat University Archives"}]}]}`,
		"didnote":         `{"n":"didnote","c":[{"t":"Seen in 2019."}]}`,
		"acqinfo":         `{"n":"emph","a":[{"n":"render","v":"italic"}],"c":[{"t":"1991"}]}`,
		"processinfo":     `{"n":"persname","c":[{"n":"part","c":[{"t":"Somchai"}]}]}`,
		"relatedmaterial": `{"n":"ref","a":[{"n":"href","v":"https://example.org/x"},{"n":"show","v":"new"}],"c":[{"t":"the council's papers"}]}`,
		"bioghist":        `{"n":"datesingle","a":[{"n":"standarddate","v":"1934"}],"c":[{"t":"1934"}]},{"n":"event","c":[{"t":"Founded"}]}]},{"n":"chronitem","c":[{"n":"datesingle","c":[{"t":"1990"}]},{"n":"chronitemset","c":[{"n":"event"`,
		"scopecontent":    `{"n":"list","a":[{"n":"listtype","v":"unordered"}]`,
		"odd":             `{"n":"odd","c":[{"n":"head","c":[{"t":"Loose"}]},{"n":"p","c":[{"t":"Boxes were relabelled."}]}]}`,
		"appraisal":       `{"n":"appraisal","c":[{"n":"p","c":[{"t":"None destroyed."}]}]}`,
	} {
		if !strings.Contains(kept[name], want) {
			t.Errorf("kept %s: %s\nwant within it: %s", name, kept[name], want)
		}
	}
	if strings.Contains(kept["physloc"], "Shelf 4") {
		t.Errorf("an internal physloc is among the kept elements, which the public export writes: %s", kept["physloc"])
	}
	if got := kept["unitid"]; !strings.Contains(got, `{"n":"countrycode","v":"TH"},{"n":"repositorycode","v":"TH-TU"}`) {
		t.Errorf("the first unitid lost its attributes: %s", got)
	}
	// The modelled fields are still filled from what is kept.
	if top.ReferenceCode != "TU-LAW" || top.Extent.Get("en") != "12 linear metres" || f.Root.Collection.Summary.Get("en") != "Records of the faculty." {
		t.Errorf("projections: %+v, summary %v", top, f.Root.Collection.Summary)
	}
	series := f.Root.Children[0].Collection.Description
	var set, odd string
	for _, m := range series.Kept {
		b, _ := json.Marshal(m)
		switch m.Name {
		case "daoset":
			set = string(b)
		case "odd":
			odd = string(b)
		}
	}
	if !strings.Contains(set, `{"n":"dao","a":[{"n":"daotype","v":"unknown"},{"n":"href","v":"https://example.org/2.jpg"}]},{"n":"descriptivenote"`) {
		t.Errorf("daogrp kept as %s", set)
	}
	if odd != `{"n":"odd","a":[{"n":"localtype","v":"remark"}],"c":[{"n":"p","c":[{"t":"Fragile."}]}]}` {
		t.Errorf("odd kept as %s", odd)
	}
	// What EAD3 has no place for is said, with its line.
	var said []string
	for _, u := range []*Unit{f.Root, f.Root.Children[0]} {
		for _, n := range u.Notes {
			said = append(said, n.String())
		}
	}
	all := strings.Join(said, "\n")
	if strings.Contains(all, "unittitle/unitdate") {
		t.Errorf("the report says a title's date is not kept, which is kept as the unit's date:\n%s", all)
	}
	for _, want := range []string{"line 7: <physdesc/extent> has no place", "line 14: <descgrp/head: Other> has no place in EAD3; not kept",
		"line 20: <runner> has no place in EAD3; not kept", "line 23: <daogrp/resource> has no place in EAD3; not kept"} {
		if !strings.Contains(all, want) {
			t.Errorf("the report does not say %q:\n%s", want, all)
		}
	}
	if f.Read["p"] != 8 || f.Kept["p"] != 8 || f.Kept["ref"] != 1 || f.Kept["daoset"] != 1 || f.Read["daogrp"] != 1 {
		t.Errorf("counts: read %v, kept %v", f.Read, f.Kept)
	}
	_ = repository.Markup{}
}

// importInto reads doc and builds it in a fresh store, returning the store,
// its blobs and the root's identifier.
func importInto(t *testing.T, doc []byte) (*bolt.Store, *local.Store, string) {
	t.Helper()
	f, err := Read(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	s, blobs := newStore(t)
	made, _, err := f.Build(ctx, s, "tu", "", "importer")
	if err != nil {
		t.Fatal(err)
	}
	return s, blobs, made[0].ID
}

func TestAnImportedEAD2002FindingAidExportsValidEAD3ThatComesBackByteForByte(t *testing.T) {
	s, blobs, root := importInto(t, []byte(described))
	first := export(t, s, root, access.Principal{Role: access.SystemAdmin})
	xmllint(t, first)
	for _, want := range []string{`<acqinfo>`, `<emph render="italic">1991</emph>`, `<ref href="https://example.org/x" show="new">the council&#39;s papers</ref>`,
		`<unitid localtype="old">L-1</unitid>`, `<daoset>`, `<chronitemset>`, `<odd localtype="remark">`} {
		if !bytes.Contains(first, []byte(want)) {
			t.Errorf("the export lacks %s", want)
		}
	}
	if bytes.Contains(first, []byte("Shelf 4")) {
		t.Errorf("an export that did not ask for internal texts holds the internal physloc")
	}
	again, _, root2 := importInto(t, first)
	if root2 != root {
		t.Fatalf("the second import gave the root %s, not %s", root2, root)
	}
	if second := export(t, again, root, access.Principal{Role: access.SystemAdmin}); !bytes.Equal(first, second) {
		t.Fatalf("export → import → export changed the document:\n%s\n---\n%s", first, second)
	}
	// What was kept is in the stored records: a store rebuilt from them
	// exports the same document.
	s.Close()
	rebuilt, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "rebuilt.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer rebuilt.Close()
	if after := export(t, rebuilt, root, access.Principal{Role: access.SystemAdmin}); !bytes.Equal(first, after) {
		t.Fatalf("a rebuilt store exports another document:\n%s\n---\n%s", first, after)
	}
}

func TestElementsAndAttributesEAD3DoesNotHaveAreReportedAndTheExportStaysValid(t *testing.T) {
	doc := []byte(`<ead xmlns="urn:isbn:1-931666-22-9"><eadheader><eadid>x</eadid></eadheader>
<archdesc level="fonds"><did><unittitle>Papers</unittitle></did>
<bibliography><bibref>Smith, <imprint>Bangkok, 1990</imprint></bibref></bibliography>
<odd><p type="remark" altrender="x">Note <list type="marked" continuation="starts"><item>one</item></list></p></odd>
</archdesc></ead>`)
	f, err := Read(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, n := range f.Root.Notes {
		said = append(said, n.String())
	}
	all := strings.Join(said, "\n")
	for _, want := range []string{"line 3: <bibref/imprint> has no place in EAD3; its words are kept in place", "line 4: attribute p@localtype has no place in EAD3",
		"line 4: attribute list@continuation has no place in EAD3"} {
		if !strings.Contains(all, want) {
			t.Errorf("the notes do not say %q:\n%s", want, all)
		}
	}
	s, _, root := importInto(t, doc)
	out := export(t, s, root, access.Principal{Role: access.SystemAdmin})
	xmllint(t, out)
	if !bytes.Contains(out, []byte(`<bibref>Smith, Bangkok, 1990</bibref>`)) || !bytes.Contains(out, []byte(`<p altrender="x">Note <list listtype="unordered">`)) {
		t.Errorf("the words or the attributes EAD3 has were not kept:\n%s", out)
	}
}

func TestElementsEAD3DoesNotAllowWhereTheyStandKeepTheirWordsAreReportedAndTheExportStaysValid(t *testing.T) {
	doc := []byte(`<ead xmlns="urn:isbn:1-931666-22-9" xmlns:xlink="http://www.w3.org/1999/xlink"><eadheader><eadid>x</eadid></eadheader>
<archdesc level="fonds"><did><unittitle>Papers</unittitle></did>
<bioghist><p>Born in Chiang Mai, see <bibref>Smith 1990</bibref>.</p><dao xlink:href="https://example.org/portrait.jpg"/></bioghist>
<odd><p>Write to <address><addressline>Tha Phra Chan</addressline></address> please.</p></odd>
</archdesc></ead>`)
	f, err := Read(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, n := range f.Root.Notes {
		said = append(said, n.String())
	}
	all := strings.Join(said, "\n")
	for _, want := range []string{"line 3: <p/bibref> has no place in EAD3; its words are kept in place", "line 3: <bioghist/dao> has no place there in EAD3; kept in the unit's <did>",
		"line 4: <p/address> has no place in EAD3", "line 4: <p/addressline> has no place in EAD3"} {
		if !strings.Contains(all, want) {
			t.Errorf("the notes do not say %q:\n%s", want, all)
		}
	}
	s, _, root := importInto(t, doc)
	out := export(t, s, root, access.Principal{Role: access.SystemAdmin})
	xmllint(t, out)
	if !bytes.Contains(out, []byte(`<p>Born in Chiang Mai, see Smith 1990.</p>`)) || !bytes.Contains(out, []byte(`<dao daotype="unknown" href="https://example.org/portrait.jpg"/>`)) || !bytes.Contains(out, []byte(`<p>Write to Tha Phra Chan please.</p>`)) {
		t.Errorf("the words were not kept in place:\n%s", out)
	}
}

func TestARepositoryIsKeptInEAD3sOrderWithItsWordsAsACorporateName(t *testing.T) {
	for src, want := range map[string]string{
		`<repository><address><addressline>Tha Phra Chan</addressline></address><corpname>Thammasat University Archives</corpname></repository>`: `<repository><corpname><part>Thammasat University Archives</part></corpname><address><addressline>Tha Phra Chan</addressline></address></repository>`,
		`<repository>Thammasat University Archives <address><addressline>Tha Phra Chan</addressline></address></repository>`:                     `<repository><corpname><part>Thammasat University Archives </part></corpname><address><addressline>Tha Phra Chan</addressline></address></repository>`,
	} {
		doc := []byte(`<ead xmlns="urn:isbn:1-931666-22-9"><eadheader><eadid>x</eadid></eadheader><archdesc level="fonds"><did><unittitle>Papers</unittitle>` + src + `</did></archdesc></ead>`)
		s, _, root := importInto(t, doc)
		out := export(t, s, root, access.Principal{Role: access.SystemAdmin})
		xmllint(t, out)
		if flat := regexp.MustCompile(`>\s+<`).ReplaceAll(out, []byte("><")); !bytes.Contains(flat, []byte(want)) {
			t.Errorf("%s was kept as\n%s", src, out)
		}
	}
}
