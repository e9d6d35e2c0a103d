package web

import (
	"html"
	"net/http"
	"strings"
	"testing"
)

const reportedEAD = `<?xml version="1.0" encoding="UTF-8"?>
<ead xmlns="urn:isbn:1-931666-22-9">
<eadheader><eadid>zr</eadid></eadheader>
<archdesc level="fonds" id="zr-fonds"><did><unittitle>Zreported papers</unittitle></did>
<acqinfo><p>Given.</p></acqinfo>
<runner>Running head</runner></archdesc></ead>`

// TestEADImportReportCountsWhatItReadAndKeptAndSaysWhatItCouldNotInBothLanguages:
// the desk's report of an import gives the elements read and kept as
// written, by kind, and each element it could not keep with its line, in
// the page's language.
func TestEADImportReportCountsWhatItReadAndKeptAndSaysWhatItCouldNotInBothLanguages(t *testing.T) {
	e := newDeskEnv(t)
	for lang, wants := range map[string][]string{
		"th": {"บัญชีค้นเอกสาร EAD 2002: อ่านได้ 9 องค์ประกอบ เก็บไว้ตามที่เขียน 4 องค์ประกอบ", "acqinfo 1→1", "p 1→1", "unittitle 1→1",
			"eadid 1→0", "otherrecordid 0→1", "บรรทัด 3: เก็บ <eadheader> ของบัญชีค้นเอกสารไว้", "บรรทัด 6: <runner> ไม่มีที่ใน EAD3 จึงไม่ได้เก็บไว้"},
		"en": {"EAD 2002 finding aid: 9 elements read, 4 kept as written", "eadid 1→0", "otherrecordid 0→1",
			"line 3: the finding aid's <eadheader> is kept", "line 6: <runner> has no place in EAD3; not kept"},
	} {
		st, page := e.postImport(t, lang, reportedEAD, nil)
		if st != http.StatusOK {
			t.Fatalf("import: %d %.500s", st, page)
		}
		for _, want := range wants {
			if !strings.Contains(html.UnescapeString(page), want) {
				t.Errorf("the report in %s does not say %q: %.3000s", lang, want, page)
			}
		}
	}
}
