package desk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

const daoBase = "https://archive.example/a"

// importDaos imports a finding aid of one fonds whose <did> holds daos, with
// the files given beside it, and returns the fonds made and what the daos
// became by link.
func importDaos(t *testing.T, u *Units, daos string, files map[string][]byte) (string, map[string]ead.Note, *EADReport) {
	t.Helper()
	doc := `<ead xmlns="http://ead3.archivists.org/schema/"><control/><archdesc level="fonds"><did><unittitle>Scans</unittitle>` + daos + `</did></archdesc></ead>`
	f, err := ead.Read(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ing := &unitsIngester{}
	u.Ingest = ing
	r, err := u.ImportEAD(context.Background(), unitsCMU, EADImport{Finding: f, Institution: "cmu", Dir: dir, Base: daoBase, Ingest: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ead.Note{}
	for _, n := range r.Daos {
		got[n.Args[0]] = n
	}
	return r.Made[0].ID, got, r
}

func itemIn(t *testing.T, u *Units, id string) string {
	t.Helper()
	it, err := u.Store.Item(id)
	if err != nil {
		t.Fatal(err)
	}
	return it.Collection
}

func TestImportEADAttachesItemsNamedByIdentifierOrAddressAndNotAnotherLibrarys(t *testing.T) {
	u, _, ids := unitsFixture(t)
	tu := &repository.Item{Institution: "tu", Title: repository.Text{"en": "theirs"}}
	if err := u.Store.SaveItem(context.Background(), tu, "t"); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"x1":                                     ids[0],
		daoBase + "/iiif/3/manifest/" + ids[1]:   ids[1],
		"/items/" + ids[2]:                       ids[2],
		daoBase + "/iiif/2/manifest/" + tu.ID:    tu.ID,
		"https://other.example/items/" + ids[0]:  "",
		daoBase + "/iiif/3/manifest/nosuchitem1": "nosuchitem1",
		"https://elsewhere.example/scan.jpg":     "",
	}
	// Another system's identifier names no item here: the link decides.
	daos := `<dao daotype="derived" identifier="` + ids[0] + `" href="x1"/><dao identifier="aspace-do-17" href="https://elsewhere.example/scan.jpg"/>`
	for href := range links {
		if href != "x1" && !strings.Contains(href, "elsewhere") {
			daos += `<dao daotype="derived" href="` + href + `"/>`
		}
	}
	fonds, got, r := importDaos(t, u, daos, nil)
	want := map[string]string{
		"x1":                                     "dao_attached",
		daoBase + "/iiif/3/manifest/" + ids[1]:   "dao_attached",
		"/items/" + ids[2]:                       "dao_attached",
		daoBase + "/iiif/2/manifest/" + tu.ID:    "dao_refused",
		"https://other.example/items/" + ids[0]:  "dao_elsewhere",
		daoBase + "/iiif/3/manifest/nosuchitem1": "dao_no_item",
		"https://elsewhere.example/scan.jpg":     "dao_elsewhere",
	}
	for href, kind := range want {
		if n := got[href]; n.Kind != kind || n.Unit != fonds || kind != "dao_elsewhere" && n.Args[1] != links[href] {
			t.Errorf("dao %s: %+v, want %s of %s", href, n, kind, links[href])
		}
	}
	for _, id := range ids {
		if c := itemIn(t, u, id); c != fonds {
			t.Errorf("item %s is in %s, want attached to %s", id, c, fonds)
		}
	}
	if c := itemIn(t, u, tu.ID); c != "" {
		t.Errorf("another library's item moved to %s", c)
	}
	if len(r.Items) != 0 {
		t.Errorf("items to ingest %+v, want none", r.Items)
	}
}

func TestImportEADAttachesAFileOfTheSameChecksumInsteadOfIngestingIt(t *testing.T) {
	u, _, _ := unitsFixture(t)
	same, other := []byte("the same scan"), []byte("a new scan")
	sum := sha256.Sum256(same)
	had := &repository.Item{Institution: "cmu", Collection: "cmu-f-b", Title: repository.Text{"en": "had"},
		Files: []repository.File{{Name: "old.png", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(same)), MediaType: "image/png"}}}
	if err := u.Store.SaveItem(context.Background(), had, "t"); err != nil {
		t.Fatal(err)
	}
	fonds, got, r := importDaos(t, u, `<dao daotype="derived" href="same.png"/><dao daotype="derived" href="new.png"/>`,
		map[string][]byte{"same.png": same, "new.png": other})
	if n := got["same.png"]; n.Kind != "dao_same_file" || n.Args[1] != had.ID {
		t.Errorf("the file already held: %+v, want the same file as %s", n, had.ID)
	}
	if n := got["new.png"]; n.Kind != "dao_ingested" {
		t.Errorf("the new file: %+v, want ingested", n)
	}
	if c := itemIn(t, u, had.ID); c != fonds {
		t.Errorf("the item of the same checksum is in %s, want %s", c, fonds)
	}
	if len(r.Items) != 1 || r.Items[0].Files[0].Name != "new.png" || r.Items[0].Meta.Source[ead.SourceDao] != "new.png" {
		t.Errorf("ingested %+v, want only new.png, with the dao it came from", r.Items)
	}
}

// export writes unit id's finding aid as its library's staff read it.
func exportDaos(t *testing.T, u *Units, id string) string {
	t.Helper()
	tr, err := u.Store.Tree(id)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	e := ead.Export{Tree: tr, Items: u.Store, Principal: access.Principal(unitsCMU), Now: time.Unix(0, 0), Manifest: func(id string) string { return daoBase + "/iiif/3/manifest/" + id }}
	if err := e.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestExportImportIntoTheSameArchiveAttachesTheSameItemsAndWritesEachOnce(t *testing.T) {
	u, _, _ := unitsFixture(t)
	fonds, _, r := importDaos(t, u, `<dao daotype="derived" href="p1.png"/>`, map[string][]byte{"p1.png": []byte("scan")})
	// What the pipeline would do: the file becomes an item of the fonds.
	it := r.Items[0].Meta
	it.Files = []repository.File{{Name: "p1.png", SHA256: strings.Repeat("a", 64), Size: 4, MediaType: "image/png"}}
	if err := u.Store.SaveItem(context.Background(), &it, "t"); err != nil {
		t.Fatal(err)
	}
	out := exportDaos(t, u, fonds)
	if n := strings.Count(out, "<dao "); n != 1 || !strings.Contains(out, `identifier="`+it.ID+`"`) || strings.Contains(out, "p1.png\"") {
		t.Fatalf("export writes %d daos, want the item's link once in place of p1.png:\n%s", n, out)
	}
	// Restricted to its library, the item is left out of the public
	// export, and the dao it came from with it.
	closed := it
	closed.Access.Level = repository.Restricted
	if err := u.Store.SaveItem(context.Background(), &closed, "t"); err != nil {
		t.Fatal(err)
	}
	tr, err := u.Store.Tree(fonds)
	if err != nil {
		t.Fatal(err)
	}
	var public bytes.Buffer
	if err := (&ead.Export{Tree: tr, Items: u.Store, Now: time.Unix(0, 0), Manifest: func(id string) string { return id }}).Write(&public); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(public.String(), "<dao") {
		t.Errorf("the public export writes a dao of an item it may not show:\n%s", public.String())
	}
	closed.Access.Level = repository.Public
	if err := u.Store.SaveItem(context.Background(), &closed, "t"); err != nil {
		t.Fatal(err)
	}
	f, err := ead.Read(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	again, err := u.ImportEAD(context.Background(), unitsCMU, EADImport{Finding: f, Institution: "cmu", Base: daoBase, Ingest: true})
	if err != nil {
		t.Fatal(err)
	}
	second := again.Made[0].ID
	if len(again.Daos) != 1 || again.Daos[0].Kind != "dao_attached" || again.Daos[0].Args[1] != it.ID || len(again.Items) != 0 {
		t.Fatalf("import of the export: daos %+v, items %+v; want item %s attached, nothing ingested", again.Daos, again.Items, it.ID)
	}
	if c := itemIn(t, u, it.ID); c != second {
		t.Errorf("the item is in %s, want the unit of the second import %s", c, second)
	}
	if out2 := exportDaos(t, u, second); strings.Count(out2, "<dao ") != 1 || !strings.Contains(out2, `identifier="`+it.ID+`"`) {
		t.Errorf("the second export does not write the item once:\n%s", out2)
	}
}

func TestAFileAttachedByChecksumIsWrittenOnceAfterARebuild(t *testing.T) {
	ctx := context.Background()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "a.db")
	store, err := bolt.Open(ctx, path, blobs)
	if err != nil {
		t.Fatal(err)
	}
	u := &Units{Store: store}
	scan := []byte("a scan")
	sum := sha256.Sum256(scan)
	had := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "had"},
		Files: []repository.File{{Name: "old.png", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(scan)), MediaType: "image/png"}}}
	if err := store.SaveItem(ctx, had, "t"); err != nil {
		t.Fatal(err)
	}
	fonds, got, _ := importDaos(t, u, `<dao daotype="derived" href="scans.png"/>`, map[string][]byte{"scans.png": scan})
	if got["scans.png"].Kind != "dao_same_file" {
		t.Fatalf("daos %+v, want the file attached as %s", got, had.ID)
	}
	store.Close()
	if _, err := bolt.Rebuild(ctx, path, blobs, true); err != nil {
		t.Fatal(err)
	}
	if u.Store, err = bolt.Open(ctx, path, blobs); err != nil {
		t.Fatal(err)
	}
	defer u.Store.Close()
	if c := itemIn(t, u, had.ID); c != fonds {
		t.Errorf("after a rebuild the item is in %q, want %s", c, fonds)
	}
	if out := exportDaos(t, u, fonds); strings.Count(out, "<dao ") != 1 || !strings.Contains(out, `identifier="`+had.ID+`"`) {
		t.Errorf("after a rebuild the export does not write the item once in place of scans.png:\n%s", out)
	}
}
