package harvest

import (
	"encoding/xml"
	"os"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// FuzzRecordMapsOrIsRefused feeds any metadata element to the tree reader
// and every format's mapping: each either maps it to an entry with a title
// or refuses it as invalid, naming the record; none panics.
func FuzzRecordMapsOrIsRefused(f *testing.F) {
	for _, p := range []string{"mods/thai-thesis.xml", "mods/map.xml", "marcxml/thai-thesis.xml", "marcxml/lc-batch.xml", "ead/atom-oai-ead-wlu-u257.xml", "ead/ncsu-rbc00001.xml"} {
		b, err := os.ReadFile("testdata/" + p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`<dc><title>t<x>u</x>v</title></dc>`)
	f.Fuzz(func(t *testing.T, metadata string) {
		d := xml.NewDecoder(strings.NewReader(metadata))
		var root *node
		for root == nil {
			tok, err := d.Token()
			if err != nil {
				return
			}
			if start, ok := tok.(xml.StartElement); ok {
				if root, _, err = readTree(d, start, maxRecord); err != nil {
					return
				}
			}
		}
		for format := range formatRoots {
			rec := &record{}
			rec.Header.Identifier = "oai:fuzz:1"
			rec.Metadata.Root = root
			e, err := mapRecord(&repository.Source{ID: "s1", Format: format}, rec)
			switch {
			case err != nil && (fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "oai:fuzz:1")):
				t.Fatalf("%s: %v", format, err)
			case err == nil && (strings.TrimSpace(e.Title.Get("")) == "" || e.Digest == ""):
				t.Fatalf("%s: an entry without a title or digest: %+v", format, e)
			}
		}
	})
}
