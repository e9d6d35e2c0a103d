package web

import (
	"html"
	"net/http"
	"strings"
	"testing"
)

const pointsEAD = `<ead><archdesc level="fonds"><did><unittitle>Zqpoints papers</unittitle>
<origination><persname source="local">Kawilorot, Chao</persname></origination></did>
<controlaccess><geogname source="local">เชียงใหม่</geogname><geogname source="local">เชียงใหม่ </geogname></controlaccess></archdesc></ead>`

// TestEADImportReportSaysWhatItMadeOfAccessPointsInThePagesLanguage: the
// desk's report of an import says in Thai and in English how many access
// points the finding aid named, found and made.
func TestEADImportReportSaysWhatItMadeOfAccessPointsInThePagesLanguage(t *testing.T) {
	e := newDeskEnv(t)
	st, page := e.postImport(t, "th", pointsEAD, nil)
	if want := "จุดเข้าถึง: อ้างถึง 3 ครั้ง มีอยู่แล้วในคลัง 0 จุด สร้างใหม่ 2 จุด อ้างซ้ำ 1 ครั้ง"; st != http.StatusOK || !strings.Contains(html.UnescapeString(page), want) {
		t.Errorf("the Thai report: %d, does not say %q: %.3000s", st, want, page)
	}
	st, page = e.postImport(t, "en", pointsEAD, nil)
	if want := "Access points: 3 named, 2 already in the archive, 0 made, 1 named again"; st != http.StatusOK || !strings.Contains(html.UnescapeString(page), want) {
		t.Errorf("the English report: %d, does not say %q: %.3000s", st, want, page)
	}
}
