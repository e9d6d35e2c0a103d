package ead

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// sourceContainer is a <container> as a document has it: its text and
// attributes, EAD 2002's type named as EAD3's localtype.
type sourceContainer struct {
	Text  string
	Attrs map[string]string
}

func (c sourceContainer) String() string {
	keys := make([]string, 0, len(c.Attrs))
	for k := range c.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%q ", k, c.Attrs[k])
	}
	return b.String() + c.Text
}

// containersIn lists a document's containers in document order.
func containersIn(t *testing.T, doc []byte) []sourceContainer {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	var out []sourceContainer
	var cur *sourceContainer
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if x.Name.Local == "container" {
				cur = &sourceContainer{Attrs: map[string]string{}}
				for _, a := range x.Attr {
					name := a.Name.Local
					if name == "type" {
						name = "localtype"
					}
					cur.Attrs[name] = a.Value
				}
			}
		case xml.CharData:
			if cur != nil {
				cur.Text += string(x)
			}
		case xml.EndElement:
			if x.Name.Local == "container" && cur != nil {
				cur.Text = strings.TrimSpace(cur.Text)
				out = append(out, *cur)
				cur = nil
			}
		}
	}
	return out
}

// importFile reads and builds a finding aid of testdata in institution.
func importFile(t *testing.T, s *bolt.Store, name, institution string) ([]Made, []byte) {
	t.Helper()
	src, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Read(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	made, _, err := f.Build(ctx, s, institution, "", "importer")
	if err != nil {
		t.Fatal(err)
	}
	return made, src
}

// modelled counts the container references the units made hold.
func modelled(t *testing.T, s *bolt.Store, made []Made) int {
	t.Helper()
	n := 0
	for _, m := range made {
		c, err := s.Collection(m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Description != nil {
			n += len(c.Description.Containers)
		}
	}
	return n
}

func TestContainersOfRealFindingAidsComeOutAsTheyCameInElementByElement(t *testing.T) {
	for _, tc := range []struct {
		file  string
		boxes int // top containers the library holds after the import
	}{
		{"aspace-vmi.xml", 3},    // Box 1, Box 2, Box 3
		{"containers-th.xml", 3}, // Box 12 (CMU0012), Box 13, Reel 7 (CMU-R7)
	} {
		t.Run(tc.file, func(t *testing.T) {
			s, _ := newStore(t)
			made, src := importFile(t, s, tc.file, "cmu")
			out := export(t, s, made[0].ID, access.Principal{User: "u", Email: "a@cmu", Institution: "cmu", Role: access.Archivist})
			xmllint(t, out)
			in, back := containersIn(t, src), containersIn(t, out)
			t.Logf("%s: %d containers in the source, %d in the model, %d in the export, %d boxes", tc.file, len(in), modelled(t, s, made), len(back), tc.boxes)
			if len(in) == 0 || len(back) != len(in) || modelled(t, s, made) != len(in) {
				t.Fatalf("%d containers in the source, %d in the model, %d in the export", len(in), modelled(t, s, made), len(back))
			}
			for i := range in {
				for k, v := range in[i].Attrs {
					if back[i].Attrs[k] != v {
						t.Errorf("container %d: %s=%q came out as %q\n in: %v\nout: %v", i+1, k, v, back[i].Attrs[k], in[i], back[i])
					}
				}
				if back[i].Text != in[i].Text {
					t.Errorf("container %d: %q came out as %q", i+1, in[i].Text, back[i].Text)
				}
			}
			boxes, err := s.ContainersOf("cmu")
			if err != nil || len(boxes) != tc.boxes {
				t.Fatalf("%d boxes, %v", len(boxes), err)
			}
			// Export, import and export again: the same containers.
			f, err := Read(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			again, _ := newStore(t)
			made2, _, err := f.Build(ctx, again, "cmu", "", "importer")
			if err != nil {
				t.Fatal(err)
			}
			out2 := export(t, again, made2[0].ID, access.Principal{User: "u", Email: "a@cmu", Institution: "cmu", Role: access.Archivist})
			if a, b := fmt.Sprint(back), fmt.Sprint(containersIn(t, out2)); a != b {
				t.Fatalf("the containers changed on a second round:\n%s\n%s", a, b)
			}
		})
	}
}

func TestUnitsThatNameTheSameBoxShareOneTopContainer(t *testing.T) {
	s, _ := newStore(t)
	made, _ := importFile(t, s, "containers-th.xml", "cmu")
	byTitle := map[string]*repository.Collection{}
	for _, m := range made {
		c, _ := s.Collection(m.ID)
		byTitle[c.Title.Get("th")] = c
	}
	tops := func(title string) []string {
		var out []string
		for _, r := range byTitle[title].Description.Containers {
			box, err := s.Container(r.Top)
			if err != nil {
				t.Fatalf("%s names container %q: %v", title, r.Top, err)
			}
			out = append(out, box.Name()+"/"+box.Barcode)
		}
		return out
	}
	for title, want := range map[string]string{
		"จดหมาย พ.ศ. 2500": "[Box 12/CMU0012 Box 12/CMU0012]", // by barcode
		"จดหมาย พ.ศ. 2501": "[Box 12/CMU0012 Box 12/CMU0012]",
		"บันทึกการประชุม":  "[Box 13/]", // by its parent, in the series above
		"ภาพถ่าย":          "[Box 13/ Reel 7/CMU-R7]",
		"จดหมายโต้ตอบ":     "[Box 13/]", // by type and indicator
	} {
		if got := fmt.Sprint(tops(title)); got != want {
			t.Errorf("%s is in %s, not %s", title, got, want)
		}
	}
	a, b := byTitle["จดหมาย พ.ศ. 2500"].Description.Containers[0].Top, byTitle["ภาพถ่าย"].Description.Containers[0].Top
	box12, _ := s.UnitsIn(a)
	box13, _ := s.UnitsIn(b)
	if len(box12) != 2 || len(box13) != 3 {
		t.Fatalf("box 12 holds %d units, box 13 %d", len(box12), len(box13))
	}
	// A second finding aid of the library naming barcode CMU0012 is in the
	// same box; another library's is not.
	made2, _ := importFile(t, s, "containers-th.xml", "cmu")
	c, _ := s.Collection(made2[2].ID)
	if c.Description.Containers[0].Top != a {
		t.Fatalf("the second import made another box for barcode CMU0012")
	}
	// Box 12 and Reel 7 have barcodes and are the library's already; Box
	// 13 has none, and boxes without one are shared only within a finding aid.
	if l, _ := s.ContainersOf("cmu"); len(l) != 4 {
		t.Fatalf("after a second import cmu holds %d boxes, not 4", len(l))
	}
	made3, _ := importFile(t, s, "containers-th.xml", "tu")
	c, _ = s.Collection(made3[2].ID)
	if top := c.Description.Containers[0].Top; top == a || slices.Contains([]string{"", b}, top) {
		t.Fatalf("tu's unit is in cmu's box %q", top)
	}
}

func TestContainersWithoutIDsNestAFolderInTheBoxBeforeIt(t *testing.T) {
	doc := `<ead><eadheader><eadid>at</eadid></eadheader><archdesc level="collection"><did><unittitle>AT</unittitle></did><dsc>
<c01 level="file"><did><unittitle>One</unittitle><container type="Box" label="Text">1</container><container type="Folder">2</container></did></c01>
<c01 level="file"><did><unittitle>Two</unittitle><container type="Box">1</container><container type="Folder">3</container></did></c01>
<c01 level="file"><did><unittitle>Three</unittitle><container type="Box">1</container><container type="Box">2</container></did></c01>
</dsc></archdesc></ead>`
	f, err := Read(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newStore(t)
	made, _, err := f.Build(ctx, s, "cmu", "", "importer")
	if err != nil {
		t.Fatal(err)
	}
	boxes, err := s.ContainersOf("cmu")
	if err != nil || len(boxes) != 2 {
		t.Fatalf("%d boxes (want Box 1 and Box 2), %v", len(boxes), err)
	}
	var names []string
	for _, m := range made[1:] {
		c, _ := s.Collection(m.ID)
		names = append(names, strings.Join(repository.ContainerNames(c.Description.Containers, "en"), "; "))
	}
	if fmt.Sprint(names) != "[Box 1, Folder 2 Box 1, Folder 3 Box 1; Box 2]" {
		t.Fatalf("the units are in %q", names)
	}
}

func TestAContainerTooLongToKeepRefusesTheImportAndRegistersNothing(t *testing.T) {
	doc := `<ead><eadheader><eadid>x</eadid></eadheader><archdesc level="fonds"><did><unittitle>F</unittitle></did><dsc>
<c01 level="file"><did><unittitle>Long</unittitle><container type="Box">` + strings.Repeat("9", 300) + `</container></did></c01></dsc></archdesc></ead>`
	f, err := Read(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newStore(t)
	_, _, err = f.Build(ctx, s, "cmu", "", "importer")
	if !errors.Is(err, fault.Invalid) || !strings.Contains(err.Error(), `unit "Long" names a <container> that cannot be kept`) {
		t.Fatalf("a 300-digit box number: %v", err)
	}
	if l, _ := s.ContainersOf("cmu"); len(l) != 0 {
		t.Fatalf("%d boxes registered", len(l))
	}
	if top, _ := s.Children(""); len(top) != 0 {
		t.Fatalf("%d units registered", len(top))
	}
}

// BenchmarkBuildWithContainers imports a finding aid of 2,000 files, five
// to a box (400 boxes, each file in a folder), as ArchivesSpace exports
// them, into an empty store; and the same files without containers.
func BenchmarkBuildWithContainers(b *testing.B) {
	for _, with := range []bool{true, false} {
		var doc strings.Builder
		doc.WriteString(`<ead><eadheader><eadid>x</eadid></eadheader><archdesc level="fonds"><did><unittitle>F</unittitle></did><dsc>`)
		for i := range 2000 {
			fmt.Fprintf(&doc, `<c level="file"><did><unittitle>File %d</unittitle>`, i)
			if with {
				fmt.Fprintf(&doc, `<container id="aspace_t%d" type="Box" label="Mixed Materials [B%05d]">%d</container><container id="aspace_s%d" parent="aspace_t%d" type="Folder">%d</container>`,
					i, i/5, i/5+1, i, i, i%5+1)
			}
			doc.WriteString(`</did></c>`)
		}
		doc.WriteString(`</dsc></archdesc></ead>`)
		b.Run(map[bool]string{true: "400-boxes", false: "none"}[with], func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				f, err := Read(strings.NewReader(doc.String()))
				if err != nil {
					b.Fatal(err)
				}
				blobs, err := local.Open(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				s, err := bolt.Open(ctx, filepath.Join(b.TempDir(), "archive.db"), blobs)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, _, err := f.Build(ctx, s, "cmu", "", "importer"); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if with && (f.Placed.Boxes != 400 || f.Placed.Containers != 4000) {
					b.Fatalf("placed %+v", f.Placed)
				}
				s.Close()
			}
		})
	}
}

func TestAContainerKeptForStaffIsExportedOnlyToThem(t *testing.T) {
	doc := `<ead><eadheader><eadid>x</eadid></eadheader><archdesc level="fonds"><did><unittitle>F</unittitle></did><dsc>
<c01 level="file"><did><unittitle>Letters</unittitle><container type="Box" id="b1">12</container><container type="Folder" parent="b1">3</container>
<container type="Box" id="b9" audience="internal">9</container><container type="Folder" parent="b9">1</container></did></c01></dsc></archdesc></ead>`
	f, err := Read(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newStore(t)
	made, _, err := f.Build(ctx, s, "cmu", "", "importer")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.Tree(made[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer // the library's staff asking for what it keeps internal
	if err := (&Export{Tree: tr, Principal: access.Principal{User: "u", Email: "a@cmu", Institution: "cmu", Role: access.Archivist}, Now: exportTime, Internal: true}).Write(&b); err != nil {
		t.Fatal(err)
	}
	staff := b.Bytes()
	public := export(t, s, made[0].ID, access.Principal{})
	xmllint(t, public)
	if n := len(containersIn(t, staff)); n != 4 {
		t.Fatalf("the library's own export holds %d containers, not 4", n)
	}
	if got := fmt.Sprint(containersIn(t, public)); got != `[id="b1" localtype="Box" 12 localtype="Folder" parent="b1" 3]` {
		t.Fatalf("the public export holds %s", got)
	}
}
