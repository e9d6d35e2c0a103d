package ead

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// accessPoints lists a document's access points in document order, as
// "where|element|attributes|heading": where is "origination" or the path of
// nested controlaccess elements, attributes are those EAD3 keeps (EAD
// 2002's authfilenumber and role named as EAD3's identifier and relator),
// sorted, and the heading is the parts joined by " -- ", spaces folded.
func accessPoints(t *testing.T, doc []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	var out, stack []string
	var cur *strings.Builder
	var attrs []string
	var parts []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			name := x.Name.Local
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			stack = append(stack, name)
			if _, ok := pointKinds[name]; ok && (parent == "controlaccess" || parent == "origination") {
				cur, attrs, parts = &strings.Builder{}, nil, nil
				for _, a := range x.Attr {
					if to, ok := accessPointAttrs[a.Name.Local]; ok && a.Name.Local != "lang" {
						attrs = append(attrs, to+"="+a.Value)
					}
				}
				sort.Strings(attrs)
			}
			if name == "part" && cur != nil {
				parts = append(parts, "")
			}
		case xml.CharData:
			if cur != nil {
				if len(parts) > 0 {
					parts[len(parts)-1] += string(x)
				} else {
					cur.Write(x)
				}
			}
		case xml.EndElement:
			name := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if _, ok := pointKinds[name]; ok && cur != nil && name != "part" {
				heading := cur.String()
				if len(parts) > 0 {
					for i := range parts {
						parts[i] = strings.Join(strings.Fields(parts[i]), " ")
					}
					heading = strings.Join(parts, " -- ")
				}
				where := "origination"
				if !slices.Contains(stack[max(0, len(stack)-1):], "origination") {
					depth := 0
					for _, s := range stack {
						if s == "controlaccess" {
							depth++
						}
					}
					where = strings.Repeat("controlaccess/", depth)
				}
				out = append(out, where+"|"+name+"|"+strings.Join(attrs, " ")+"|"+strings.Join(strings.Fields(heading), " "))
				cur = nil
			}
		}
	}
	return out
}

// importPoints reads a finding aid from testdata, finds or makes its access
// points and builds its units in institution.
func importPoints(t *testing.T, s *bolt.Store, file, institution string) (string, PointCount, []byte) {
	t.Helper()
	src, err := os.ReadFile("testdata/points/" + file)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Read(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.Resolve(ctx, s, "tester")
	if err != nil {
		t.Fatal(err)
	}
	made, _, err := f.Build(ctx, s, institution, "", "tester")
	if err != nil {
		t.Fatal(err)
	}
	return made[0].ID, n, src
}

func exportPoints(t *testing.T, s *bolt.Store, root string) []byte {
	t.Helper()
	tr, err := s.Tree(root)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	e := Export{Tree: tr, Principal: staff, Now: exportTime, Points: s.Point}
	if err := e.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestArchivesSpaceAndAtoMAccessPointsBecomeEntitiesAndComeBackInTheExport:
// every origination name and controlaccess point of an ArchivesSpace and an
// AtoM export is a link to an entity (the same one where a component
// repeats the collection's), and the EAD3 export writes each back, element
// by element, with its source, identifier, rules and relator, valid against
// the schema.
func TestArchivesSpaceAndAtoMAccessPointsBecomeEntitiesAndComeBackInTheExport(t *testing.T) {
	for _, tc := range []struct {
		file     string
		entities int
	}{{"aspace-oai-ead.xml", 7}, {"atom-oai-ead-wlu-u257.xml", 3}} {
		t.Run(tc.file, func(t *testing.T) {
			s, _ := newStore(t)
			root, n, src := importPoints(t, s, tc.file, "cmu")
			want := accessPoints(t, src)
			if len(want) == 0 {
				t.Fatal("the sample has no access points")
			}
			if n.Links != len(want) || n.Made != tc.entities || n.Made+n.Merged+n.Found != n.Links {
				t.Errorf("resolved %+v for %d access points in the source, want %d entities", n, len(want), tc.entities)
			}
			out := exportPoints(t, s, root)
			xmllint(t, out)
			got := accessPoints(t, out)
			if !slices.Equal(got, want) {
				t.Errorf("export's access points differ from the source's:\n got %q\nwant %q", got, want)
			}
			t.Logf("%s: %d access points in the source, %d entities made, %d links merged, %d in the export", tc.file, len(want), n.Made, n.Merged, len(got))
		})
	}
}

// TestThaiEAD3AccessPointsKeepPartsNestingAndAreSharedAcrossLibraries: an
// EAD3 finding aid's parts, attributes and nested controlaccess come back
// as written; a heading written again with another spacing, or an
// identifier with another case of its source, is the same entity; and the
// same finding aid imported at another library makes no new entity.
func TestThaiEAD3AccessPointsKeepPartsNestingAndAreSharedAcrossLibraries(t *testing.T) {
	s, _ := newStore(t)
	root, n, src := importPoints(t, s, "thai-points-ead3.xml", "cmu")
	want := accessPoints(t, src)
	if n.Links != 11 || n.Made != 9 || n.Merged != 2 {
		t.Errorf("resolved %+v, want 11 links, 9 entities made and 2 merged (the place and the person named twice)", n)
	}
	out := exportPoints(t, s, root)
	xmllint(t, out)
	if got := accessPoints(t, out); !slices.Equal(got, want) {
		t.Errorf("export's access points differ from the source's:\n got %q\nwant %q", got, want)
	}
	for _, want := range []string{`<controlaccess localtype="subjects">` + "\n" + `   <head lang="tha">จุดเข้าถึง</head>`, `<head lang="und" script="Latn">Genres and bodies</head>`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the export lacks the controlaccess heading and attributes %q:\n%s", want, out)
		}
	}
	tr, err := s.Tree(root)
	if err != nil {
		t.Fatal(err)
	}
	place := tr.Root.Description.Points[3]
	if place.Element != "geogname" || place.Group != "1" {
		t.Fatalf("fourth link: %+v, want the place directly in the first controlaccess", place)
	}
	p, err := s.Point(place.Point)
	if err != nil || p.Kind != repository.PlacePoint || p.Heading["th"] != "เชียงใหม่" || p.Source != "local" {
		t.Errorf("the place: %+v %v", p, err)
	}
	_, again, _ := importPoints(t, s, "thai-points-ead3.xml", "tu")
	if again.Made != 0 || again.Found != 9 {
		t.Errorf("the same finding aid at tu: %+v, want the 9 entities found and none made", again)
	}
}

// TestAccessPointsRoundTripExportImportExportIsIdentical: a finding aid's
// access points exported, imported into another archive and exported
// again come out the same.
func TestAccessPointsRoundTripExportImportExportIsIdentical(t *testing.T) {
	for _, file := range []string{"thai-points-ead3.xml"} {
		s, _ := newStore(t)
		root, _, _ := importPoints(t, s, file, "cmu")
		first := exportPoints(t, s, root)
		f, err := Read(bytes.NewReader(first))
		if err != nil {
			t.Fatal(err)
		}
		other, _ := newStore(t)
		if _, err := f.Resolve(ctx, other, "tester"); err != nil {
			t.Fatal(err)
		}
		made, _, err := f.Build(ctx, other, "cmu", "", "tester")
		if err != nil {
			t.Fatal(err)
		}
		if second := exportPoints(t, other, made[0].ID); !bytes.Equal(first, second) {
			t.Errorf("%s: the round trip changed the document:\n%s\n---\n%s", file, first, second)
		}
	}
}

// TestAnAccessPointsOddSourceAndIdentifierDoNotStopTheImport: an
// identifier broken over lines is read with its spaces folded, and a
// source too long to be one is left off the entity, while the export
// writes both as the finding aid gave them.
func TestAnAccessPointsOddSourceAndIdentifierDoNotStopTheImport(t *testing.T) {
	long := strings.Repeat("x", repository.MaxPointSource+1)
	doc := `<ead><archdesc level="fonds"><did><unittitle>Odd</unittitle></did><controlaccess>
<persname source="` + long + `" authfilenumber="n 79
 021164">Someone</persname></controlaccess></archdesc></ead>`
	f, err := Read(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newStore(t)
	if _, err := f.Resolve(ctx, s, "tester"); err != nil {
		t.Fatalf("the import stopped: %v", err)
	}
	made, _, err := f.Build(ctx, s, "cmu", "", "tester")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Point(f.Root.Collection.Description.Points[0].Point)
	if err != nil || p.Source != "" || p.Identifier != "n 79 021164" {
		t.Errorf("the entity: %+v %v", p, err)
	}
	if out := exportPoints(t, s, made[0].ID); !strings.Contains(string(out), `source="`+long+`"`) {
		t.Errorf("the export lost the source as written:\n%s", out)
	}
}
