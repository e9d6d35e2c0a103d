package web

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// addUnit posts the desk's unit form and returns the new unit's id.
func (e *deskEnv) addUnit(t *testing.T, parent string, level, ownLevel, th, en string) string {
	t.Helper()
	form := url.Values{"csrf": {e.csrf}, "institution": {"cmu"}, "parent": {parent}, "level": {level}, "own_level": {ownLevel},
		"title_th": {th}, "title_en": {en}, "ref": {"CMU-" + en}, "date": {"พ.ศ. 2475"}, "access": {"public"},
		"isad_scope_th": {"ขอบเขตของ" + th}, "isad_scope_en": {"Scope of " + en}, "language": {"th, en"}}
	resp, err := e.client.PostForm(e.base+"/desk/units", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("adding %s: %d %.300s", en, resp.StatusCode, b)
	}
	_, id, _ := strings.Cut(resp.Header.Get("Location"), "#unit-")
	if id == "" {
		t.Fatalf("adding %s: sent to %s", en, resp.Header.Get("Location"))
	}
	return id
}

func TestFiveLevelFondsBuiltThroughTheDesk(t *testing.T) {
	e := newDeskEnv(t)
	fonds := e.addUnit(t, "", "fonds", "", "สำนักงานอธิการบดี", "Office of the President")
	sub := e.addUnit(t, fonds, "subfonds", "", "กองกลาง", "Central Division")
	series := e.addUnit(t, sub, "series", "", "หนังสือโต้ตอบ", "Correspondence")
	file := e.addUnit(t, series, "file", "", "แฟ้ม พ.ศ. 2475", "File 1932")
	item := e.addUnit(t, file, "item", "", "หนังสือถึงกระทรวง", "Letter to the ministry")
	box := e.addUnit(t, sub, "series", "Box", "กล่อง 1", "Box one")
	tr, err := e.store.Tree(fonds)
	if err != nil {
		t.Fatal(err)
	}
	n := tr.Node(item)
	if n == nil || len(n.Path()) != 5 || n.Level != repository.ItemLevel || n.Description.Date != "1932" || n.Description.Scope["th"] != "ขอบเขตของหนังสือถึงกระทรวง" {
		t.Fatalf("the item unit: %+v", n)
	}
	if tr.Node(box).Level != "box" {
		t.Fatalf("a library's own level became %q", tr.Node(box).Level)
	}
	// Attach a digitised item to the file: it moves there, in the order given.
	f := tr.Node(file)
	form := url.Values{"csrf": {e.csrf}, "version": {fmt.Sprint(f.Version)}, "level": {"file"}, "title_th": {"แฟ้ม พ.ศ. 2475"}, "title_en": {"File 1932"},
		"access": {"public"}, "items": {e.letter.ID}}
	if code, body := e.post(t, "/desk/units/"+file, form); code != http.StatusSeeOther {
		t.Fatalf("attaching: %d %.300s", code, body)
	}
	if it, _ := e.store.Item(e.letter.ID); it.Collection != file {
		t.Fatalf("the letter is in %q, not the file", it.Collection)
	}
	// The outline lists every unit, in order.
	code, body := e.get(t, "/desk/fonds/"+fonds)
	if code != 200 {
		t.Fatalf("outline: %d", code)
	}
	last := -1
	for _, id := range []string{fonds, sub, series, file, item, box} {
		i := strings.Index(body, `id="unit-`+id+`"`)
		if i < last {
			t.Fatalf("outline: %s out of order", id)
		}
		last = i
	}
	// Move the file (with its item unit and the letter) into the box: one change.
	before, _ := e.store.Events(file)
	if code, body := e.post(t, "/desk/fonds/"+fonds+"/move", url.Values{"csrf": {e.csrf}, "unit": {file}, "parent": {box}}); code != http.StatusSeeOther {
		t.Fatalf("move: %d %.300s", code, body)
	}
	after, _ := e.store.Events(file)
	if moved, _ := e.store.Collection(file); moved.Parent != box || len(after) != len(before)+1 || !strings.Contains(after[len(after)-1].Detail, "moved from "+series) {
		t.Fatalf("after the move: parent %s, events %+v", moved.Parent, after[len(after)-1])
	}
	if u, _ := e.store.Collection(item); u.Version != 1 {
		t.Fatalf("the unit inside the moved file changed (version %d)", u.Version)
	}
	// Reorder: the box goes up, before the correspondence.
	if code, _ := e.post(t, "/desk/fonds/"+fonds+"/move", url.Values{"csrf": {e.csrf}, "unit": {box}, "up": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("move up: %d", code)
	}
	if kids, _ := e.store.Children(sub); len(kids) != 2 || kids[0].ID != box {
		t.Fatalf("children after moving up: %v", kids)
	}
	// The public finding aid shows it in both languages, the EAD3 export validates.
	for lang, want := range map[string][]string{"th": {"กองกลาง", "หนังสือถึงกระทรวง", "พ.ศ. 2475", "ขอบเขตและเนื้อหา", "จดหมาย"}, "en": {"Central Division", "Letter to the ministry", "1932", "Scope and content", "Zqletter"}} {
		code, body := e.get(t, "/fonds/"+fonds+"?lang="+lang)
		if code != 200 {
			t.Fatalf("finding aid (%s): %d", lang, code)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("finding aid (%s) lacks %q", lang, w)
			}
		}
	}
	resp, err := e.client.Get(e.base + "/api/v1/fonds/" + fonds + "/ead.xml")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/xml") {
		t.Fatalf("ead.xml: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	validateEAD3(t, doc)
}

func validateEAD3(t *testing.T, doc []byte) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("xmllint (Debian libxml2-utils) is required")
		}
		t.Skip("xmllint (Debian libxml2-utils) is not installed")
	}
	path := filepath.Join(t.TempDir(), "ead.xml")
	os.WriteFile(path, doc, 0o600)
	if out, err := exec.Command("xmllint", "--noout", "--schema", "../ead/testdata/official/ead3.xsd", path).CombinedOutput(); err != nil {
		t.Fatalf("the export is not valid EAD3: %v\n%s", err, out)
	}
}

const deskEAD = `<?xml version="1.0" encoding="UTF-8"?>
<ead xmlns="http://ead3.archivists.org/schema/">
 <control><recordid>kp</recordid><filedesc><titlestmt><titleproper>Kp</titleproper></titlestmt></filedesc>
  <maintenancestatus value="new"/><maintenanceagency><agencyname>CMU</agencyname></maintenanceagency>
  <maintenancehistory><maintenanceevent><eventtype value="created"/><eventdatetime>2026</eventdatetime><agenttype value="human"/><agent>x</agent></maintenanceevent></maintenancehistory></control>
 <archdesc level="fonds"><did><unittitle lang="tha">เอกสารเจ้าดารารัศมี</unittitle><unittitle lang="eng">Dara Rasmi papers</unittitle></did>
  <dsc><c level="subfonds"><did><unittitle>Household</unittitle></did>
   <c level="series"><did><unittitle>Letters</unittitle></did>
    <c level="file"><did><unittitle>Letters 1914</unittitle><dao daotype="derived" href="scans/letter-1914.png" linktitle="Letter of 1914"/></did>
     <c level="item"><did><unittitle>Letter to Bangkok</unittitle></did></c></c></c></c></dsc></archdesc>
</ead>`

func TestEADImportedAtTheDeskBuildsTheTreeWithItsFiles(t *testing.T) {
	e := newDeskEnv(t)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", e.csrf)
	w.WriteField("institution", "cmu")
	part, _ := w.CreateFormFile("ead", "dara.xml")
	part.Write([]byte(deskEAD))
	part, _ = w.CreateFormFile("files", "letter-1914.png")
	img := quadrants()
	img.Set(1, 1, color.RGBA{1, 2, 3, 255}) // not the picture the archive holds already
	png.Encode(part, img)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, e.base+"/desk/ead?lang=en", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("import: %d %.500s", resp.StatusCode, page)
	}
	for _, want := range []string{"เอกสารเจ้าดารารัศมี › Household › Letters › Letters 1914 › Letter to Bangkok", "scans/letter-1914.png: ingested"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the report does not say %q: %s", want, page)
		}
	}
	fonds, err := e.store.Children("")
	if err != nil {
		t.Fatal(err)
	}
	var root string
	for _, c := range fonds {
		if c.Title["en"] == "Dara Rasmi papers" {
			root = c.ID
		}
	}
	tr, err := e.store.Tree(root)
	if err != nil || tr.Len() != 5 {
		t.Fatalf("tree: %v, %d units", err, tr.Len())
	}
	var file *repository.Node
	tr.Walk(func(n *repository.Node) bool {
		if n.Level == repository.FileLevel {
			file = n
		}
		return true
	})
	if len(file.Items) != 1 {
		t.Fatalf("the file holds %d items", len(file.Items))
	}
	if it, _ := e.store.Item(file.Items[0]); it.Title.Get("en") != "Letter of 1914" || len(it.Files) != 1 {
		t.Fatalf("attached item: %+v", it)
	}
}

// TestEADImportWritesNothingOutsideItsFolder: a <dao> whose raw href
// climbs out behind a fragment or a query (the decoded path alone looks
// harmless) is left out, and the file sent for it lands nowhere outside
// the import's folder, least of all as a tus record in the upload folder.
func TestEADImportWritesNothingOutsideItsFolder(t *testing.T) {
	e := newDeskEnv(t)
	up := e.srv.cfg.UploadDir
	targets := map[string]string{ // href → where a link at its raw path would land
		"a#/../../../planted.info":     filepath.Join(up, "planted.info"),
		"b?/../../../../planted2.info": filepath.Join(filepath.Dir(up), "planted2.info"),
	}
	var daos strings.Builder
	for href := range targets {
		fmt.Fprintf(&daos, `<c level="file"><did><unittitle>Escape</unittitle><dao href="%s"/></did></c>`, href)
	}
	doc := `<ead xmlns="http://ead3.archivists.org/schema/"><control/><archdesc level="fonds"><did><unittitle>Escapes</unittitle></did><dsc>` +
		daos.String() + `</dsc></archdesc></ead>`
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", e.csrf)
	w.WriteField("institution", "cmu")
	part, _ := w.CreateFormFile("ead", "escape.xml")
	part.Write([]byte(doc))
	for _, target := range targets {
		part, _ = w.CreateFormFile("files", filepath.Base(target))
		part.Write([]byte(`{"ID":"x","Storage":{"Path":"/etc/passwd"}}`))
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, e.base+"/desk/ead?lang=en", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("import: %d %.500s", resp.StatusCode, page)
	}
	for href, target := range targets {
		if _, err := os.Lstat(target); err == nil {
			t.Errorf("the file sent for %q was written outside the import's folder", href)
		}
	}
	if n := strings.Count(string(page), "is neither a file beside the finding aid nor an address of the archive; kept as written"); n != len(targets) {
		t.Errorf("the report leaves out %d links, want %d: %.2000s", n, len(targets), page)
	}
	if strings.Contains(string(page), up) {
		t.Errorf("the report names a folder of the server: %.2000s", page)
	}
}

// TestRestrictedSeriesHidesItsFilesAndItemsEverywhere: access set on a
// series reaches every unit and item below it through the one access
// decision: the finding aid, its EAD, the nested collection, the item's
// page and images, search and harvesting.
func TestRestrictedSeriesHidesItsFilesAndItemsEverywhere(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	save := func(c *repository.Collection) {
		t.Helper()
		if err := e.store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	save(&repository.Collection{ID: "open-fonds", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Openfonds"}})
	save(&repository.Collection{ID: "open-series", Institution: "cmu", Parent: "open-fonds", Level: repository.Series, Title: repository.Text{"en": "Openseries"}, Order: 1})
	save(&repository.Collection{ID: "shut-series", Institution: "cmu", Parent: "open-fonds", Level: repository.Series, Title: repository.Text{"en": "Shutseries"}, Order: 2,
		Access: repository.Access{Level: repository.Restricted}})
	save(&repository.Collection{ID: "shut-file", Institution: "cmu", Parent: "shut-series", Level: repository.FileLevel, Title: repository.Text{"en": "Shutfile"}})
	item := strings.TrimSuffix(e.image, "-1")
	it, _ := e.store.Item(item)
	it.Collection = "shut-file"
	if err := e.store.SaveItem(ctx, it, "t"); err != nil {
		t.Fatal(err)
	}
	secrets := []string{"Shutseries", "Shutfile", "Quadrants"}
	for _, path := range []string{"/fonds/open-fonds", "/fonds/open-fonds/print", "/api/v1/fonds/open-fonds/ead.xml", "/iiif/3/collection/open-fonds/tree", "/iiif/3/collection/open-fonds",
		"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:archive:" + item, "/search?q=quadrants+OR+openseries&op=any", "/api/v1/search?q=Quadrants"} {
		w := e.do(t, "GET", path)
		if w.Code != 200 {
			t.Errorf("%s: %d", path, w.Code)
		}
		if !strings.Contains(w.Body.String(), "Openseries") && strings.Contains(path, "open-fonds") {
			t.Errorf("%s lost the open series", path)
		}
		if strings.Contains(path, "search") && strings.Contains(w.Body.String(), "/items/"+item) {
			t.Errorf("%s finds the item inside the restricted series", path)
		}
		for _, s := range secrets {
			if strings.Contains(w.Body.String(), s) {
				t.Errorf("%s shows %s to an anonymous visitor", path, s)
			}
		}
	}
	for _, path := range []string{"/fonds/shut-series", "/fonds/shut-file", "/api/v1/fonds/shut-file/ead.xml", "/iiif/3/collection/shut-file/tree",
		"/iiif/3/collection/shut-file/manifest", "/items/" + item, "/iiif/3/" + e.image + "/info.json", "/iiif/3/manifest/" + item} {
		w := e.do(t, "GET", path)
		if w.Code != http.StatusUnauthorized && w.Code != http.StatusNotFound && !(strings.Contains(path, "manifest/") && w.Code == 200) {
			t.Errorf("%s answers an anonymous visitor %d", path, w.Code)
		}
		for _, s := range secrets {
			if strings.Contains(w.Body.String(), s) {
				t.Errorf("%s shows %s to an anonymous visitor", path, s)
			}
		}
	}
	// The library's staff see everything, and the answers are theirs only.
	for _, path := range []string{"/fonds/open-fonds", "/api/v1/fonds/open-fonds/ead.xml", "/iiif/3/collection/open-fonds/tree"} {
		w := e.do(t, "GET", path, "Authorization", "Bearer "+token)
		for _, s := range secrets {
			if !strings.Contains(w.Body.String(), s) {
				t.Errorf("%s does not show %s to the library's staff", path, s)
			}
		}
		if !strings.Contains(w.Header().Get("Cache-Control"), "private") {
			t.Errorf("%s for staff is cacheable: %q", path, w.Header().Get("Cache-Control"))
		}
	}
	// Search within one fonds finds the item there, with its path, and not
	// within another.
	save(&repository.Collection{ID: "other-fonds", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Otherfonds"}})
	w := e.do(t, "GET", "/search?q=quadrants&collection=open-fonds&lang=en", "Authorization", "Bearer "+token)
	body := w.Body.String()
	if !strings.Contains(body, `/items/`+item) {
		t.Fatalf("search within the fonds does not find the item: %d %.300s", w.Code, body)
	}
	path := regexp.MustCompile(`(?s)<p class="path">.*?</p>`).FindString(body)
	if !strings.Contains(path, `<a href="/fonds/open-fonds#unit-open-fonds">Openfonds</a> › <a href="/fonds/open-fonds#unit-shut-series">Shutseries</a> › <a href="/fonds/open-fonds#unit-shut-file">Shutfile</a>`) {
		t.Errorf("the hit's path is %q", path)
	}
	api := e.do(t, "GET", "/api/v1/search?q=quadrants&collection=open-fonds", "Authorization", "Bearer "+token).Body.String()
	if !strings.Contains(api, `"path":[{"id":"open-fonds","level":"fonds","title":{"en":"Openfonds"}`) || !strings.Contains(api, `{"id":"shut-file","level":"file"`) {
		t.Errorf("the API's hit has no path: %s", api)
	}
	if w := e.do(t, "GET", "/search?q=quadrants&collection=other-fonds", "Authorization", "Bearer "+token); strings.Contains(w.Body.String(), `/items/`+item) {
		t.Error("search within another fonds finds the item")
	}
}

// A unit moved out to the top level becomes a fonds of its own, with
// everything inside it, in one change; the desk then shows its outline.
func TestAUnitMovedOutBecomesAFondsOfItsOwn(t *testing.T) {
	e := newDeskEnv(t)
	ctx := context.Background()
	for _, c := range []*repository.Collection{
		{ID: "cmu-f", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Fonds"}},
		{ID: "cmu-f-s", Institution: "cmu", Parent: "cmu-f", Level: repository.Series, Title: repository.Text{"en": "Series"}},
		{ID: "cmu-f-s-1", Institution: "cmu", Parent: "cmu-f-s", Level: repository.FileLevel, Title: repository.Text{"en": "File"}},
	} {
		if err := e.store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := e.client.PostForm(e.base+"/desk/fonds/cmu-f/move?lang=en", url.Values{"csrf": {e.csrf}, "unit": {"cmu-f-s"}, "top": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/desk/fonds/cmu-f-s?moved=top" {
		t.Fatalf("moving out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if s, _ := e.store.Collection("cmu-f-s"); s.Parent != "" || s.Version != 2 {
		t.Fatalf("the series after the move: parent %q, version %d", s.Parent, s.Version)
	}
	if tr, _ := e.store.Tree("cmu-f"); tr.Node("cmu-f-s") != nil {
		t.Fatal("the old fonds still holds the series")
	}
	if tr, _ := e.store.Tree("cmu-f-s"); tr.Node("cmu-f-s-1") == nil {
		t.Fatal("the series left its file behind")
	}
	if code, body := e.get(t, "/desk/fonds/cmu-f-s?moved=top&lang=en"); code != 200 || !strings.Contains(body, "it is now a fonds of its own") {
		t.Fatalf("its outline: %d %.300s", code, body)
	}
	// The desk's list of fonds has it, and not the file still below it.
	if code, body := e.get(t, "/desk/fonds?lang=en"); code != 200 || !strings.Contains(body, `/desk/fonds/cmu-f-s"`) || strings.Contains(body, "cmu-f-s-1") {
		t.Fatalf("the desk's fonds: %d %.2000s", code, body)
	}
	// Without a unit to go into, and not to the top: refused, nothing moved.
	if code, _ := e.post(t, "/desk/fonds/cmu-f/move", url.Values{"csrf": {e.csrf}, "unit": {"cmu-f-s-1"}}); code != http.StatusBadRequest {
		t.Fatalf("a move without a destination: %d", code)
	}
}

// A fonds is the top of its tree: moved into another unit it is refused,
// with the reason in the page's language, and stays where it was; once its
// level says it is part of something larger (a sub-fonds), it moves.
func TestAFondsIsNotMovedIntoAnotherUnit(t *testing.T) {
	e := newDeskEnv(t)
	ctx := context.Background()
	for _, c := range []*repository.Collection{
		{ID: "cmu-a", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Fonds A"}},
		{ID: "cmu-b", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Fonds B"}},
		{ID: "cmu-b-s", Institution: "cmu", Parent: "cmu-b", Level: repository.Series, Title: repository.Text{"en": "Series"}},
	} {
		if err := e.store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	code, body := e.post(t, "/desk/fonds/cmu-b/move?lang=th", url.Values{"csrf": {e.csrf}, "unit": {"cmu-a"}, "parent": {"cmu-b-s"}})
	if code != http.StatusBadRequest || !strings.Contains(body, t2("th", "outline_fonds_top")) {
		t.Fatalf("a fonds moved under a series: %d %.300s", code, body)
	}
	if a, _ := e.store.Collection("cmu-a"); a.Parent != "" || a.Version != 1 {
		t.Fatalf("the refused fonds: parent %q, version %d", a.Parent, a.Version)
	}
	a, _ := e.store.Collection("cmu-a")
	a.Level = repository.SubFonds
	if err := e.store.SaveCollection(ctx, a, "t"); err != nil {
		t.Fatal(err)
	}
	if code, body := e.post(t, "/desk/fonds/cmu-b/move", url.Values{"csrf": {e.csrf}, "unit": {"cmu-a"}, "parent": {"cmu-b-s"}}); code != http.StatusSeeOther {
		t.Fatalf("a sub-fonds moved under a series: %d %.300s", code, body)
	}
	if a, _ := e.store.Collection("cmu-a"); a.Parent != "cmu-b-s" {
		t.Fatalf("the sub-fonds is under %q", a.Parent)
	}
}

func TestAMoveFormWithoutAVersionIsRefusedInThePersonsLanguage(t *testing.T) {
	e := newDeskEnv(t)
	ctx := context.Background()
	for _, c := range []*repository.Collection{
		{ID: "cmu-a", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Fonds A"}},
		{ID: "cmu-a-s", Institution: "cmu", Parent: "cmu-a", Level: repository.Series, Title: repository.Text{"en": "Series"}},
		{ID: "cmu-a-t", Institution: "cmu", Parent: "cmu-a", Level: repository.Series, Title: repository.Text{"en": "Other series"}},
	} {
		if err := e.store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"x", "0"} {
		code, body := e.post(t, "/desk/fonds/cmu-a/move?lang=th", url.Values{"csrf": {e.csrf}, "unit": {"cmu-a-t"}, "parent": {"cmu-a-s"}, "version": {v}})
		if code != http.StatusBadRequest || !strings.Contains(body, t2("th", "outline_bad_version")) {
			t.Errorf("a move of version %q: %d %.300s", v, code, body)
		}
	}
	if c, _ := e.store.Collection("cmu-a-t"); c.Parent != "cmu-a" || c.Version != 1 {
		t.Errorf("the refused move: parent %q, version %d", c.Parent, c.Version)
	}
}
