package desk

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ead"
)

// headerOf is what a finding aid's own header (eadheader or control)
// says, by element name: each element's words, or its langcode for a
// language; nil when the header is for the library's staff alone.
func headerOf(t *testing.T, doc []byte) map[string][]string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict, d.Entity = false, xml.HTMLEntity
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	out := map[string][]string{}
	var open []string // the elements open inside the header
	var words []*strings.Builder
	in := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			name := e.Name.Local
			if name == "eadheader" || name == "control" {
				for _, a := range e.Attr {
					if a.Name.Local == "audience" && a.Value == "internal" {
						return nil
					}
				}
				in = true
				continue
			}
			if !in || !eadName(e.Name) {
				continue
			}
			open, words = append(open, name), append(words, &strings.Builder{})
			for _, a := range e.Attr {
				if name == "language" && a.Name.Local == "langcode" {
					out["langcode"] = append(out["langcode"], a.Value)
				}
			}
		case xml.CharData:
			for _, w := range words {
				w.Write(e)
			}
		case xml.EndElement:
			if e.Name.Local == "eadheader" || e.Name.Local == "control" {
				in = false
				continue
			}
			if !in || !eadName(e.Name) || len(open) == 0 {
				continue
			}
			name, w := open[len(open)-1], words[len(words)-1]
			open, words = open[:len(open)-1], words[:len(words)-1]
			out[name] = append(out[name], strings.Join(strings.Fields(w.String()), " "))
		}
	}
}

// eadName reports an element of EAD (in any of its namespaces, or none),
// not of the XML another namespace wraps in it.
func eadName(n xml.Name) bool {
	return n.Space == "" || n.Space == ead.Namespace2002 || strings.HasPrefix(n.Space, "http://ead3.archivists.org/schema/")
}

// TestRealFindingAidsHeadersComeOutInTheExport: imported as the desk
// does, each real finding aid's header is in its export's <control>: its
// titles and authors, its identifier as an otherrecordid, the languages
// it is written in, and every creation and revision as an event before
// the archive's own.
func TestRealFindingAidsHeadersComeOutInTheExport(t *testing.T) {
	files, err := filepath.Glob("../ead/testdata/real/*.xml")
	if err != nil || len(files) < 8 {
		t.Fatalf("%d real finding aids (%v)", len(files), err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			in := headerOf(t, src)
			if in == nil {
				return // for staff alone: not kept (ead's tests)
			}
			out := headerOf(t, importAndExport(context.Background(), t, src))
			for _, name := range []string{"titleproper", "subtitle", "author", "publisher", "langcode"} {
				for _, w := range in[name] {
					if !slices.Contains(out[name], w) {
						t.Errorf("the export's <control> lacks the %s %q (it has %q)", name, w, out[name])
					}
				}
			}
			for _, id := range append(in["eadid"], in["recordid"]...) {
				if !slices.Contains(out["otherrecordid"], id) {
					t.Errorf("the export's <control> lacks the source's id %q (it has %q)", id, out["otherrecordid"])
				}
			}
			if want := len(in["creation"]) + len(in["change"]) + len(in["maintenanceevent"]) + 1; len(out["maintenanceevent"]) != want {
				t.Errorf("the export has %d events, not the source's and its own (%d)", len(out["maintenanceevent"]), want)
			}
		})
	}
}
