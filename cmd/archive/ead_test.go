package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

const findingAid = `<?xml version="1.0" encoding="UTF-8"?>
<ead xmlns="urn:isbn:1-931666-22-9" xmlns:xlink="http://www.w3.org/1999/xlink">
 <eadheader><eadid>CU-ARTS</eadid><filedesc><titlestmt><titleproper>Arts</titleproper></titlestmt></filedesc></eadheader>
 <archdesc level="fonds"><did><unittitle>คณะอักษรศาสตร์</unittitle><unitdate normal="1917/1990">1917-1990</unitdate></did>
  <dsc><c01 level="subfonds"><did><unittitle>Dean's office</unittitle></did>
   <c02 level="series"><did><unittitle>Minutes</unittitle></did>
    <c03 level="file"><did><unittitle>Minutes 1932</unittitle><dao xlink:href="scans/scan000.jpg" xlink:title="Minutes, June 1932"/></did>
     <c04 level="item"><did><unittitle>June meeting</unittitle><unitdate>ไม่ปรากฏปี</unitdate></did></c04></c03></c02></c01></dsc></archdesc>
</ead>`

func TestIngestRecognisesAFindingAidAndAttachesItsFiles(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	makeImages(t, filepath.Join(root, "aid", "scans"), 1, 120, 90)
	doc := filepath.Join(root, "aid", "arts.xml")
	if err := os.WriteFile(doc, []byte(findingAid), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"ARCHIVE_DATA=" + data}
	if _, errOut, code := archive(t, env, "ingest", doc); code == 0 || !strings.Contains(errOut, "--institution") {
		t.Fatalf("without a library: exit %d, %s", code, errOut)
	}
	_, errOut, code := archive(t, env, "ingest", "--institution", "chula", doc)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"EAD 2002 finding aid, 5 units made", "คณะอักษรศาสตร์ › Dean's office › Minutes › Minutes 1932 › June meeting (item)",
		`date "ไม่ปรากฏปี" could not be read as a date; kept as text`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("the report does not say %q:\n%s", want, errOut)
		}
	}
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(data, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cols, _ := store.Children("")
	if len(cols) != 1 || cols[0].Institution != "chula" {
		t.Fatalf("top-level units: %v", cols)
	}
	tr, err := store.Tree(cols[0].ID)
	if err != nil || tr.Len() != 5 {
		t.Fatalf("tree: %v", err)
	}
	attached := 0
	tr.Walk(func(n *repository.Node) bool {
		if n.Level == repository.FileLevel {
			attached = len(n.Items)
		}
		return true
	})
	if attached != 1 {
		t.Fatalf("the file holds %d items", attached)
	}
}

func TestIngestRecognisesUndeprecatedEAD3WithAByteOrderMarkAsAFindingAid(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	doc := filepath.Join(root, "aid.xml")
	aid := "\ufeff" + `<?xml version="1.0" encoding="UTF-8"?>
<ead xmlns="http://ead3.archivists.org/schema/undeprecated/"><control><recordid>tu-1</recordid></control>
 <archdesc level="fonds"><did><unittitle>Faculty of Law</unittitle></did>
  <dsc><c level="series"><did><unittitle>Minutes</unittitle></did></c></dsc></archdesc></ead>`
	if err := os.WriteFile(doc, []byte(aid), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := archive(t, []string{"ARCHIVE_DATA=" + data}, "ingest", "--institution", "tu", doc)
	if code != 0 || !strings.Contains(errOut, "EAD3 finding aid, 2 units made") || !strings.Contains(errOut, "Faculty of Law › Minutes (series)") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestIngestReportsWhatTheFindingAidHadAndWhatItCouldNotKeepWithItsLine(t *testing.T) {
	root := t.TempDir()
	doc := filepath.Join(root, "aid.xml")
	aid := `<?xml version="1.0" encoding="UTF-8"?>
<ead xmlns="urn:isbn:1-931666-22-9">
 <eadheader><eadid>tu-2</eadid></eadheader>
 <archdesc level="fonds"><did><unittitle>Faculty of Law</unittitle></did>
  <custodhist><p>Kept by the dean.</p></custodhist>
  <runner>Law</runner></archdesc></ead>`
	if err := os.WriteFile(doc, []byte(aid), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := archive(t, []string{"ARCHIVE_DATA=" + filepath.Join(root, "data")}, "ingest", "--institution", "tu", doc)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"EAD 2002 finding aid: 9 elements read, 4 kept as written", "custodhist 1→1", "otherrecordid 0→1",
		"line 3: the finding aid's <eadheader> is kept", ", line 6: <runner> has no place in EAD3; not kept"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("the report does not say %q:\n%s", want, errOut)
		}
	}
}
