package ead

import (
	"strings"
	"testing"
)

// forms writes one small finding aid in each form a library's tools write.
func forms() map[string]string {
	ead3 := `<control><recordid>x</recordid></control><archdesc level="fonds"><did><unittitle>Fonds</unittitle></did></archdesc></ead>`
	ead2002 := `<eadheader><eadid>x</eadid></eadheader><archdesc level="fonds"><did><unittitle>Fonds</unittitle></did></archdesc></ead>`
	decl := `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	doctype := `<!DOCTYPE ead PUBLIC "+//ISBN 1-931666-00-8//DTD ead.dtd (Encoded Archival Description (EAD) Version 2002)//EN" "ead.dtd">` + "\n"
	return map[string]string{
		"EAD 2002 without namespace":            decl + `<ead>` + ead2002,
		"EAD 2002 with DOCTYPE":                 decl + doctype + `<ead>` + ead2002,
		"EAD 2002 in its namespace":             decl + `<ead xmlns="urn:isbn:1-931666-22-9">` + ead2002,
		"EAD 2002 in latin-1":                   `<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n" + `<ead>` + ead2002,
		"EAD3":                                  decl + `<ead xmlns="http://ead3.archivists.org/schema/">` + ead3,
		"EAD3 undeprecated":                     decl + `<ead xmlns="http://ead3.archivists.org/schema/undeprecated/">` + ead3,
		"EAD3 undeprecated, no declaration":     `<ead xmlns="http://ead3.archivists.org/schema/undeprecated/">` + ead3,
		"EAD 2002 with DOCTYPE, no declaration": doctype + `<ead>` + ead2002,
	}
}

func TestSniffAndReadRecogniseEveryFormOfFindingAidWithOrWithoutByteOrderMark(t *testing.T) {
	for name, doc := range forms() {
		for _, mark := range []string{"", "\ufeff"} {
			doc := mark + doc
			if !Sniff([]byte(doc)) {
				t.Errorf("%s (mark %q): not recognised", name, mark)
			}
			f, err := Read(strings.NewReader(doc))
			if err != nil {
				t.Errorf("%s (mark %q): %v", name, mark, err)
				continue
			}
			want := "EAD 2002"
			if strings.HasPrefix(name, "EAD3") {
				want = "EAD3"
			}
			if f.Version != want || f.Root.Collection.Title.Get("en") != "Fonds" {
				t.Errorf("%s (mark %q): read as %s titled %v", name, mark, f.Version, f.Root.Collection.Title)
			}
		}
	}
	for _, other := range []string{`<?xml version="1.0"?><mods/>`, `<ead xmlns="http://example.org/other">x</ead>`, "\ufeff<tei/>"} {
		if Sniff([]byte(other)) {
			t.Errorf("%s was taken for a finding aid", other)
		}
	}
}
