package ead

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
)

// sourceDates lists the words of every <unitdate> of a document, read
// with encoding/xml rather than the import's own reader.
func sourceDates(t *testing.T, doc []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	var out []string
	var in *strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if x.Name.Local == "unitdate" {
				in = &strings.Builder{}
			}
		case xml.CharData:
			if in != nil {
				in.Write(x)
			}
		case xml.EndElement:
			if x.Name.Local == "unitdate" && in != nil {
				out = append(out, strings.Join(strings.Fields(in.String()), " "))
				in = nil
			}
		}
	}
}

// TestARealFindingAidKeepsEveryDateAsWrittenAndItsInternalShelf: every
// unit date of New York University's WNYU finding aid (an ArchivesSpace
// example) is kept and exported as written, most with a date the archive
// reads; its shelf location, marked internal, is in no export but the
// one its library's staff ask for. Its texts are in English, which it
// names in words only.
func TestARealFindingAidKeepsEveryDateAsWrittenAndItsInternalShelf(t *testing.T) {
	doc, err := os.ReadFile("testdata/dates/nyu-wnyu.xml")
	if err != nil {
		t.Fatal(err)
	}
	want := sourceDates(t, doc)
	f, err := Read(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	dated, read := 0, 0
	var walk func(u *Unit)
	walk = func(u *Unit) {
		if d := u.Collection.Description; d != nil && len(d.Dates) > 0 {
			dated++
			for _, ud := range d.Dates {
				kept = append(kept, ud.Expression())
				if ud.EDTF != "" {
					read++
				}
			}
		}
		for _, k := range u.Children {
			walk(k)
		}
	}
	walk(f.Root)
	if strings.Join(kept, "|") != strings.Join(want, "|") {
		t.Fatalf("dates kept:\n%q\nwant as written:\n%q", kept, want)
	}
	s, _ := newStore(t)
	made, _, err := f.Build(ctx, s, "chula", "", "importer")
	if err != nil {
		t.Fatal(err)
	}
	public := export(t, s, made[0].ID, access.Principal{})
	exported := sourceDates(t, public)
	if strings.Join(exported, "|") != strings.Join(want, "|") {
		t.Errorf("dates exported:\n%q\nwant as written:\n%q", exported, want)
	}
	xmllint(t, public)
	tr, err := s.Tree(made[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var full bytes.Buffer
	if err := (&Export{Tree: tr, Principal: staff, Now: exportTime, Internal: true}).Write(&full); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(public, []byte("12/B/7")) || bytes.Contains(export(t, s, made[0].ID, staff), []byte("12/B/7")) ||
		!bytes.Contains(full.Bytes(), []byte(`<physloc audience="internal" lang="eng">12/B/7</physloc>`)) {
		t.Errorf("the internal shelf location: in the public export %v, in the staff's export with internal texts %v:\n%s",
			bytes.Contains(public, []byte("12/B/7")), bytes.Contains(full.Bytes(), []byte("12/B/7")), full.Bytes())
	}
	t.Logf("unit dates: %d in the source, %d kept as written (%d units), %d read as EDTF, %d exported as written", len(want), len(kept), dated, read, len(exported))
	if read < len(want)*3/4 {
		t.Errorf("only %d of %d dates read as EDTF", read, len(want))
	}
}
