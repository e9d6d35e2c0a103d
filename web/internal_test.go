package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/oai"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// internalEAD is a finding aid of cmu with texts kept for its staff: an
// internal title, note, processing note and emphasis inside a public
// scope note, and an internal series with a file below it.
const internalEAD = `<ead xmlns="urn:isbn:1-931666-22-9"><eadheader><eadid>x</eadid><profiledesc><langusage><language langcode="eng"/></langusage></profiledesc></eadheader>
<archdesc level="fonds" id="zqf"><did><unittitle>Zqpublicfonds</unittitle><unittitle audience="internal">Zqinternaltitle</unittitle>
 <unitdate>1950-1960</unitdate><physdesc audience="internal">Zqinternalextent</physdesc></did>
 <scopecontent><p>Letters <emph audience="internal">Zqinternalemph</emph> of the office.</p></scopecontent>
 <odd audience="internal"><p>Zqinternalnote</p></odd>
 <processinfo audience="internal"><p>Zqinternalprocessing</p></processinfo>
 <dsc>
  <c01 level="series" id="zqs"><did><unittitle>Zqpublicseries</unittitle></did></c01>
  <c01 level="series" id="zqi" audience="internal"><did><unittitle>Zqinternalseries</unittitle></did>
   <c02 level="file" id="zqif"><did><unittitle>Zqinternalfile</unittitle></did></c02></c01>
 </dsc></archdesc></ead>`

// internalSecrets are the words only cmu's staff may read.
var internalSecrets = []string{"Zqinternaltitle", "Zqinternalextent", "Zqinternalemph", "Zqinternalnote", "Zqinternalprocessing",
	"Zqinternalseries", "Zqinternalfile", "Zqinternalitem"}

// TestInternalTextsReachOnlyTheLibrarysStaff: an anonymous visitor, a
// reader of the library, another library's archivist and the library's
// archivist each read the unit page, search (page and API), OAI-PMH
// GetRecord and ListRecords (oai_dc and ead), the manifests and collection
// of the units and their items, and the EAD export (asking for the internal
// texts); no internal text reaches any of them but the last, who finds the
// internal series and its item, and reads every internal text in the export
// it asked for (and none in the one it did not).
func TestInternalTextsReachOnlyTheLibrarysStaff(t *testing.T) {
	ctx := context.Background()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	seedAdmin(t, store)
	reveal(t, store, "cmu")
	f, err := ead.Read(strings.NewReader(internalEAD))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Build(ctx, store, "cmu", "", "importer"); err != nil {
		t.Fatal(err)
	}
	p := ingest.New(ingest.Config{Store: store, Blobs: blobs})
	items := map[string]string{}
	for i, unit := range []string{"zqs", "zqif"} {
		word := map[string]string{"zqs": "Zqpublicitem", "zqif": "Zqinternalitem"}[unit]
		path := filepath.Join(t.TempDir(), unit+".jpg")
		if err := os.WriteFile(path, picture(i+1), 0o644); err != nil {
			t.Fatal(err)
		}
		outs := p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{{Path: path, Name: unit + ".jpg"}},
			Meta: repository.Item{Institution: "cmu", Collection: unit, Title: repository.Text{"en": word}, Access: repository.Access{Level: repository.Public}}})
		if outs[0].Status != ingest.Ingested {
			t.Fatalf("ingest: %+v", outs[0])
		}
		items[unit] = outs[0].Item
	}
	tokens := map[string]string{
		"anonymous":     "",
		"cmu-reader":    tokenFor(t, store, "r@cmu.example", "cmu", "reader", "read"),
		"tu-archivist":  tokenFor(t, store, "a@tu.example", "tu", "archivist", "read"),
		"cmu-archivist": tokenFor(t, store, "a@cmu.example", "cmu", "archivist", "write"),
	}
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts, UploadDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	get := func(who, path string) (int, string) {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		if tok := tokens[who]; tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	// The index follows the store: wait until the staff find both items.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) { // polling with a deadline
		_, body := get("cmu-archivist", "/api/v1/search?q=zqinternalitem")
		_, pub := get("anonymous", "/api/v1/search?q=zqpublicitem")
		if strings.Contains(body, "Zqinternalitem") && strings.Contains(pub, "Zqpublicitem") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the index never held the items: %.500s", body)
		}
	}
	paths := []string{
		"/fonds/zqf", "/fonds/zqf?lang=th", "/fonds/zqi", "/fonds/zqif",
		"/search?q=zq", "/search?q=zqinternalitem", "/api/v1/search?q=zq", "/api/v1/search?q=zqinternalnote",
		"/oai?verb=GetRecord&metadataPrefix=ead&identifier=" + oai.FondsIdentifier("zqf"),
		"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=" + oai.Identifier(items["zqif"]),
		"/oai?verb=ListRecords&metadataPrefix=oai_dc", "/oai?verb=ListRecords&metadataPrefix=ead", "/oai?verb=ListSets",
		"/iiif/3/manifest/" + items["zqs"], "/iiif/3/manifest/" + items["zqif"],
		"/iiif/3/collection/zqf", "/iiif/3/collection/zqf/manifest", "/iiif/3/collection/zqi",
		"/api/v1/fonds/zqf/ead.xml?internal=1", "/api/v1/fonds/zqf/ead.xml",
	}
	published := 0
	for _, who := range []string{"anonymous", "cmu-reader", "tu-archivist"} {
		for _, path := range paths {
			code, body := get(who, path)
			for _, s := range internalSecrets {
				if strings.Contains(body, s) {
					published++
					t.Errorf("%s reads %q in %s (%d)", who, s, path, code)
				}
			}
		}
		if code, body := get(who, "/fonds/zqf"); code != http.StatusOK || !strings.Contains(body, "Zqpublicseries") || !strings.Contains(body, "Letters of the office.") {
			t.Errorf("%s does not read the public fonds: %d %s", who, code, body)
		}
	}
	if published != 0 {
		t.Errorf("%d internal texts published", published)
	}
	// The library's archivist: the internal units on the pages and in
	// search, marked; the internal texts in the export asked for them.
	if _, body := get("cmu-archivist", "/fonds/zqf?lang=en"); !strings.Contains(body, "Zqinternalseries") || !strings.Contains(body, `<strong class="badge">internal</strong>`) {
		t.Errorf("the library's archivist does not see the internal series, marked, on the unit page: %.2000s", body)
	}
	if _, body := get("cmu-archivist", "/api/v1/search?q=zqinternalitem"); !strings.Contains(body, "Zqinternalitem") {
		t.Errorf("the library's archivist does not find the item of the internal series")
	}
	// The desk's unit form: the internal texts, marked, in Thai and English.
	for lang, mark := range map[string]string{"en": "internal", "th": "ภายใน"} {
		code, body := get("cmu-archivist", "/desk/units/zqf?lang="+lang)
		for _, s := range []string{"Zqinternaltitle", "Zqinternalnote", "Zqinternalprocessing", "Zqinternalemph", `<strong class="badge">` + mark + `</strong>`} {
			if !strings.Contains(body, s) {
				t.Errorf("the desk's unit form (%s) lacks %q: %d %.300s", lang, s, code, body)
			}
		}
	}
	if code, body := get("cmu-archivist", "/desk/units/zqi?lang=en"); !strings.Contains(body, `id="internal" name="internal" type="checkbox" value="1" checked`) {
		t.Errorf("the desk's form of the internal series does not show it internal: %d %.300s", code, body)
	}
	for _, who := range []string{"anonymous", "cmu-reader", "tu-archivist"} {
		code, body := get(who, "/desk/units/zqf")
		for _, s := range internalSecrets {
			if strings.Contains(body, s) {
				t.Errorf("%s reads %q on the desk's unit form (%d)", who, s, code)
			}
		}
	}
	_, full := get("cmu-archivist", "/api/v1/fonds/zqf/ead.xml?internal=1")
	for _, s := range internalSecrets[:len(internalSecrets)-1] { // the item is a link, by its title
		if !strings.Contains(full, s) {
			t.Errorf("the export the library's archivist asked internal texts of lacks %q:\n%s", s, full)
		}
	}
	for _, want := range []string{`<unittitle audience="internal" lang="eng">Zqinternaltitle</unittitle>`, `<c level="series" id="unit-zqi" audience="internal">`,
		`<processinfo audience="internal" lang="eng">`} {
		if !strings.Contains(full, want) {
			t.Errorf("the export does not mark %s:\n%s", want, full)
		}
	}
	_, plain := get("cmu-archivist", "/api/v1/fonds/zqf/ead.xml")
	for _, s := range internalSecrets {
		if strings.Contains(plain, s) {
			t.Errorf("the export the library's archivist did not ask internal texts of holds %q", s)
		}
	}
}
