package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIngestReportsAFindingAidsAccessPoints: importing a finding aid from
// the command line says how many access points it named, found and made.
func TestIngestReportsAFindingAidsAccessPoints(t *testing.T) {
	root := t.TempDir()
	doc := filepath.Join(root, "points.xml")
	aid := `<ead><archdesc level="fonds"><did><unittitle>Letters</unittitle>
 <origination><persname source="local">Kawilorot, Chao</persname></origination></did>
 <controlaccess><subject source="lcsh">Thailand -- History</subject><subject source="LCSH">thailand -- history</subject></controlaccess></archdesc></ead>`
	if err := os.WriteFile(doc, []byte(aid), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := archive(t, []string{"ARCHIVE_DATA=" + filepath.Join(root, "data")}, "ingest", "--institution", "cmu", doc)
	if code != 0 || !strings.Contains(errOut, "access points: 3 named, 0 already in the archive, 2 made, 1 named again") {
		t.Errorf("exit %d, report:\n%s", code, errOut)
	}
}
