package web

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindingAidExportsAsEAD2002WhenAskedValidAgainstTheOfficialSchema:
// /api/v1/fonds/{unit}/ead.xml?format=ead2002 answers the finding aid in
// EAD 2002, valid against its official schema, named as such; an unknown
// format is refused with the formats there are, in the asker's language.
func TestFindingAidExportsAsEAD2002WhenAskedValidAgainstTheOfficialSchema(t *testing.T) {
	e := newDeskEnv(t)
	if st, page := e.postImport(t, "en", reportedEAD, nil); st != http.StatusOK {
		t.Fatalf("import: %d %.500s", st, page)
	}
	resp, err := e.client.Get(e.base + "/api/v1/fonds/zr-fonds/ead.xml?format=ead2002")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "zr-fonds.ead2002.xml") ||
		!strings.Contains(string(doc), `<ead xmlns="urn:isbn:1-931666-22-9"`) || !strings.Contains(string(doc), "<acqinfo>") {
		t.Fatalf("ead2002: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Disposition"), doc)
	}
	path := filepath.Join(t.TempDir(), "ead2002.xml")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", "../ead/testdata/official/ead.xsd", path).CombinedOutput(); err != nil {
		t.Fatalf("the export is not valid EAD 2002: %v\n%s", err, out)
	}
	for lang, want := range map[string]string{"th": "ใช้ format=ead3 (ค่าเริ่มต้น) หรือ format=ead2002", "en": "use format=ead3 (the default) or format=ead2002"} {
		code, body := e.get(t, "/api/v1/fonds/zr-fonds/ead.xml?format=ead4&lang="+lang)
		if code != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("an unknown format in %s: %d %.300s", lang, code, body)
		}
	}
}
