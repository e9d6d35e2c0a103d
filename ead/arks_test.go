package ead

import (
	"bytes"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ark"
)

// A finding aid names the ARK of its fonds (an otherrecordid) and of each
// unit (a unitid with the identifier), and is valid; read back into
// another archive, the ARKs are no reference codes, and the export of the
// copy names the source's ARK and its own, each once (once in all when
// they are the same).
func TestExportNamesTheARKsToCiteAndARoundTripKeepsEachOnce(t *testing.T) {
	s, _ := newStore(t)
	m, _ := ark.NewMinter(ark.TestNAAN, map[string]string{"chula": "k1"})
	s.ARKs = m
	fiveLevels(t, s)
	root, _ := s.Collection("arts")
	minutes, _ := s.Collection("arts-minutes")
	first := export(t, s, "arts", staff)
	xmllint(t, first)
	for _, want := range []string{`<otherrecordid localtype="ark">` + root.ARK + `</otherrecordid>`,
		`<unitid localtype="ark" identifier="` + minutes.ARK + `">` + minutes.ARK + `</unitid>`, `<unitid>CU-ARTS-MINUTES</unitid>`} {
		if !bytes.Contains(first, []byte(want)) {
			t.Errorf("the export lacks %s", want)
		}
	}
	read := func(doc []byte, naan string) []byte {
		t.Helper()
		f, err := Read(bytes.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		other, _ := newStore(t)
		other.ARKs, _ = ark.NewMinter(naan, map[string]string{"chula": "k1"})
		if _, _, err := f.Build(ctx, other, "chula", "", "importer"); err != nil {
			t.Fatal(err)
		}
		if c, _ := other.Collection("arts"); c.Description.ReferenceCode != "CU-ARTS" {
			t.Fatalf("the copy's reference code: %q", c.Description.ReferenceCode)
		}
		return export(t, other, "arts", staff)
	}
	if same := read(first, ark.TestNAAN); !bytes.Equal(first, same) {
		t.Fatalf("a round trip to the same ARKs changed the document:\n%s\n---\n%s", first, same)
	}
	copied := read(first, "12345")
	xmllint(t, copied)
	other, _ := ark.NewMinter("12345", map[string]string{"chula": "k1"})
	for _, a := range []string{root.ARK, other.Mint("chula", "arts")} {
		if n := strings.Count(string(copied), ">"+a+"<"); n != 2 { // its otherrecordid and the archdesc's unitid
			t.Errorf("the copy's export names %s %d times:\n%s", a, n, copied)
		}
	}
}
