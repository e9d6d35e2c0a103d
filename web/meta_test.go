package web

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/thaiarchives/archive/ark"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// metaEnv is a server with a fonds and a series of Chulalongkorn's, each
// with a reference code, and items filed in the series.
type metaEnv struct {
	*fixture
	store *bolt.Store
}

func newMetaEnv(t *testing.T, items ...*repository.Item) *metaEnv {
	t.Helper()
	store, blobs := emptyStore(t)
	store.ARKs, _ = ark.NewMinter(ark.TestNAAN, map[string]string{"chula": "k1"})
	ctx := context.Background()
	cols := []*repository.Collection{
		{ID: "rama7", Institution: "chula", Level: repository.Fonds, Title: repository.Text{"th": "เอกสารรัชกาลที่ 7", "en": "Papers of King Prajadhipok"},
			Description: &repository.Description{ReferenceCode: "TH-CU-R7"}},
		{ID: "rama7-letters", Institution: "chula", Parent: "rama7", Level: repository.Series, Title: repository.Text{"th": "จดหมาย", "en": "Letters"},
			Description: &repository.Description{ReferenceCode: "S2"}},
	}
	if err := store.AddCollections(ctx, cols, "t"); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if err := store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	seedAdmin(t, store)
	reveal(t, store, "chula")
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts}))
	if err != nil {
		t.Fatal(err)
	}
	return &metaEnv{fixture: &fixture{srv: srv}, store: store}
}

// headOf parses a page and returns its meta tags (name or property, and
// content, as a browser's DOM gives them) and its JSON-LD scripts.
func headOf(t *testing.T, body string) (metas [][2]string, ld []string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, k string) string {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val
			}
		}
		return ""
	}
	var walk func(n *html.Node, inHead bool)
	walk = func(n *html.Node, inHead bool) {
		if n.Type == html.ElementNode {
			inHead = inHead || n.Data == "head"
			switch {
			case n.Data == "meta" && inHead:
				name := attr(n, "name")
				if name == "" {
					name = attr(n, "property")
				}
				if name != "" {
					metas = append(metas, [2]string{name, attr(n, "content")})
				}
			case n.Data == "script" && attr(n, "type") == "application/ld+json" && n.FirstChild != nil:
				ld = append(ld, n.FirstChild.Data)
			}
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			walk(k, inHead)
		}
	}
	walk(doc, false)
	return metas, ld
}

// zoteroItem is what Zotero's Embedded Metadata translator saves of a
// page, read with its rules: meta names are split on white space; a name
// whose prefix (before the first '.', ':' or '_', any case) is a known
// namespace (dc, dcterms, z…) becomes an RDF statement that its RDF import
// reads (dc:title, dc:creator, dc:date, dc:publisher, dc:language,
// dc:rights, dc:coverage as the archive location, z:itemType as the item
// type and every other z: property as the Zotero field of that name);
// then the Highwire tags (matched by the end of their name) override
// title, date, publisher, language and URL, and citation_author tags,
// each split on semicolons (or on commas between multi-word names),
// replace the creators, a comma-less name split at its last space into
// first and last names; citation_pdf_url becomes a PDF attachment; the URL
// falls back to the page's address.
type zoteroItem struct {
	ItemType, Title, Date, Publisher, Language, Rights, URL string
	Archive, ArchiveLocation, CallNumber, PDF               string
	Creators                                                [][2]string // first, last
}

func zoteroRead(metas [][2]string, pageURL string) zoteroItem {
	rdf := map[string][]string{}
	prefixes := map[string]bool{"dc": true, "dcterms": true, "z": true, "og": true, "prism": true, "eprints": true, "bibo": true}
	delim := regexp.MustCompile(`[.:_]`)
	for _, m := range metas {
		if m[1] == "" {
			continue
		}
		for _, tag := range strings.Fields(m[0]) {
			loc := delim.FindStringIndex(tag)
			if loc == nil || !prefixes[strings.ToLower(tag[:loc[0]])] || loc[1] >= len(tag) {
				continue
			}
			prop := strings.ToLower(tag[loc[1]:loc[1]+1]) + tag[loc[1]+1:]
			key := strings.ToLower(tag[:loc[0]]) + ":" + prop
			rdf[key] = append(rdf[key], m[1])
		}
	}
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := rdf[k]; len(v) > 0 {
				return v[0]
			}
		}
		return ""
	}
	var it zoteroItem
	it.ItemType = first("z:itemType")
	if it.ItemType == "" {
		it.ItemType = "journalArticle" // a citation_title makes Zotero guess a journal article
	}
	it.Title = first("dc:title", "dcterms:title")
	it.Date = first("dc:date", "dcterms:date")
	it.Publisher = first("dc:publisher", "dcterms:publisher")
	it.Language = first("dc:language", "dcterms:language")
	it.Rights = first("dc:rights", "dcterms:rights")
	it.ArchiveLocation = first("dc:coverage", "dcterms:coverage")
	for _, c := range append(rdf["dc:creator"], rdf["dcterms:creator"]...) {
		it.Creators = append(it.Creators, cleanAuthor(c))
	}
	if v := first("z:archive"); v != "" {
		it.Archive = v
	}
	if v := first("z:archiveLocation"); v != "" {
		it.ArchiveLocation = v
	}
	it.CallNumber = first("z:callNumber")
	// Highwire: the tag whose name ends with the key, joined when several.
	hw := func(key string) string {
		var vs []string
		for _, m := range metas {
			if strings.HasSuffix(m[0], key) && strings.TrimSpace(m[1]) != "" {
				vs = append(vs, m[1])
			}
		}
		return strings.Join(vs, ", ")
	}
	for key, set := range map[string]*string{"citation_title": &it.Title, "citation_publisher": &it.Publisher,
		"citation_public_url": &it.URL, "citation_language": &it.Language} {
		if v := hw(key); v != "" {
			*set = strings.Join(strings.Fields(v), " ")
		}
	}
	for _, key := range []string{"citation_publication_date", "citation_date"} { // in the translator's order
		if v := hw(key); v != "" {
			it.Date = v
		}
	}
	var authors [][2]string
	for _, m := range metas {
		if !strings.HasSuffix(m[0], "citation_author") {
			continue
		}
		names := regexp.MustCompile(`\s*;\s*`).Split(m[1], -1)
		if len(names) == 1 {
			if byComma := regexp.MustCompile(`\s*,\s*`).Split(names[0], -1); len(byComma) > 1 && strings.Contains(byComma[0], " ") && strings.Contains(byComma[1], " ") {
				names = byComma
			}
		}
		for _, n := range names {
			if n = strings.TrimSpace(n); n != "" {
				authors = append(authors, cleanAuthor(n))
			}
		}
	}
	if len(authors) > 0 {
		it.Creators = authors
	}
	it.PDF = hw("citation_pdf_url")
	if it.URL == "" {
		it.URL = pageURL
	}
	return it
}

// cleanAuthor is Zotero's split of a name: "last, first", or else the
// last word is the last name.
func cleanAuthor(n string) [2]string {
	if last, first, ok := strings.Cut(n, ","); ok {
		return [2]string{strings.TrimSpace(first), strings.TrimSpace(last)}
	}
	if i := strings.LastIndex(n, " "); i >= 0 {
		return [2]string{n[:i], n[i+1:]}
	}
	return [2]string{"", n}
}

func TestZoteroSavesAnItemWithItsTitleCreatorsDateArchiveCallNumberURLAndARK(t *testing.T) {
	th := &repository.Item{Institution: "chula", Collection: "rama7-letters", Type: "Text",
		Title: repository.Text{"th": "พระราชหัตถเลขาเรื่องการศึกษา", "en": "Royal letter on education"}, Creator: repository.Text{"th": "สมชาย ใจดี"},
		Date: "1932-06-18", Language: []string{"th"}, Rights: "http://rightsstatements.org/vocab/InC/1.0/"}
	en := &repository.Item{Institution: "chula", Collection: "rama7-letters", Type: "Image",
		Title: repository.Text{"en": "Photograph of the Bangkok waterfront"}, Creator: repository.Text{"en": "Robert Lenz; Damrong Rajanubhab"},
		Date: "1899~", Language: []string{"en"}}
	e := newMetaEnv(t, th, en)
	cases := []struct {
		it             *repository.Item
		lang, itemType string
		title, date    string
		archive        string
		creators       [][2]string
	}{
		{th, "th", "manuscript", "พระราชหัตถเลขาเรื่องการศึกษา", "1932/06/18", "จุฬาลงกรณ์มหาวิทยาลัย", [][2]string{{"สมชาย", "ใจดี"}}},
		{en, "en", "artwork", "Photograph of the Bangkok waterfront", "1899", "Chulalongkorn University", [][2]string{{"Robert", "Lenz"}, {"Damrong", "Rajanubhab"}}},
	}
	in, err := e.store.Institution("chula")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		page := "http://example.com/items/" + c.it.ID
		w := e.do(t, "GET", "/items/"+c.it.ID+"?lang="+c.lang)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d", c.it.ID, w.Code)
		}
		metas, _ := headOf(t, w.Body.String())
		got := zoteroRead(metas, page)
		want := zoteroItem{ItemType: c.itemType, Title: c.title, Date: c.date, Publisher: in.Name.Get(c.lang), Language: c.it.Language[0],
			Rights: c.it.Rights, URL: "http://example.com/" + c.it.ARK, Archive: in.Name.Get(c.lang), ArchiveLocation: "TH-CU-R7/S2", CallNumber: "TH-CU-R7/S2", Creators: c.creators}
		if in.Name.Get(c.lang) != c.archive {
			t.Errorf("%s: the library is named %q, the test expects %q", c.lang, in.Name.Get(c.lang), c.archive)
		}
		if !slices.Equal(got.Creators, want.Creators) || got.Creators == nil {
			t.Errorf("%s creators: %q, want %q", c.lang, got.Creators, want.Creators)
		}
		got.Creators, want.Creators = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Zotero reads\n%+v\nwant\n%+v", c.lang, got, want)
		}
		// The page's own address stays an identifier beside the ARK's.
		var ids []string
		for _, m := range metas {
			if m[0] == "DC.identifier" {
				ids = append(ids, m[1])
			}
		}
		if !slices.Equal(ids, []string{"http://example.com/" + c.it.ARK, page}) {
			t.Errorf("%s: DC.identifier %q", c.lang, ids)
		}
	}
}

func TestItemPageJSONLDNamesTheArchiveItsUnitsAndItsARK(t *testing.T) {
	it := &repository.Item{Institution: "chula", Collection: "rama7-letters",
		Title: repository.Text{"th": "แผนที่พระนคร", "en": "Map of Bangkok"}, Summary: repository.Text{"en": "A hand-drawn map."}, Date: "1907"}
	e := newMetaEnv(t, it)
	_, lds := headOf(t, e.do(t, "GET", "/items/"+it.ID+"?lang=en").Body.String())
	if len(lds) != 1 {
		t.Fatalf("%d JSON-LD scripts", len(lds))
	}
	var doc struct {
		Type  string `json:"@type"`
		ID    string `json:"@id"`
		URL   string
		Name  []map[string]string
		Date  string              `json:"dateCreated"`
		Desc  []map[string]string `json:"description"`
		Holds struct {
			Type string `json:"@type"`
			Name []map[string]string
			URL  string
		} `json:"holdingArchive"`
		IsPartOf struct {
			Name       []map[string]string
			Identifier string
			URL        string
			IsPartOf   struct {
				Name       []map[string]string
				Identifier string
				URL        string
			}
		}
		Identifier []map[string]string
	}
	if err := json.Unmarshal([]byte(lds[0]), &doc); err != nil {
		t.Fatalf("JSON-LD %s: %v", lds[0], err)
	}
	ark := "http://example.com/" + it.ARK
	switch {
	case doc.Type != "ArchiveComponent", doc.ID != ark, doc.URL != "http://example.com/items/"+it.ID, doc.Date != "1907":
		t.Errorf("item: %+v", doc)
	case len(doc.Name) != 2:
		t.Errorf("name in Thai and English: %v", doc.Name)
	case doc.Holds.Type != "ArchiveOrganization" || doc.Holds.URL != "http://example.com/libraries/chula" || len(doc.Holds.Name) != 2:
		t.Errorf("holding archive: %+v", doc.Holds)
	case doc.IsPartOf.Identifier != "S2" || doc.IsPartOf.URL != "http://example.com/collections/rama7-letters" || doc.IsPartOf.IsPartOf.Identifier != "TH-CU-R7" ||
		doc.IsPartOf.IsPartOf.URL != "http://example.com/fonds/rama7":
		t.Errorf("is part of: %+v", doc.IsPartOf)
	case len(doc.Identifier) == 0 || doc.Identifier[0]["@type"] != "PropertyValue" || doc.Identifier[0]["propertyID"] != "ARK" || doc.Identifier[0]["value"] != it.ARK || doc.Identifier[0]["url"] != ark:
		t.Errorf("identifier: %v", doc.Identifier)
	case len(doc.Desc) != 1 || doc.Desc[0]["@value"] != "A hand-drawn map.":
		t.Errorf("description: %v", doc.Desc)
	}
	for _, n := range doc.Name {
		if n["@language"] == "th" && n["@value"] != "แผนที่พระนคร" || n["@language"] == "en" && n["@value"] != "Map of Bangkok" {
			t.Errorf("name %v", n)
		}
	}
}

func TestAHostileTitleCannotCloseTheJSONLDScript(t *testing.T) {
	hostile := `</script><script>alert("x")</script><!-- & '`
	it := &repository.Item{Institution: "chula", Title: repository.Text{"en": hostile}, Creator: repository.Text{"en": `</ScRiPt><img src=x onerror=alert(1)>`}}
	e := newMetaEnv(t, it)
	body := e.do(t, "GET", "/items/"+it.ID+"?lang=en").Body.String()
	if strings.Contains(body, `<script>alert(`) || strings.Contains(body, `<img src=x`) {
		t.Fatalf("the title broke out of its element:\n%s", body)
	}
	metas, lds := headOf(t, body)
	if len(lds) != 1 {
		t.Fatalf("%d JSON-LD scripts (the title split it?)", len(lds))
	}
	var doc struct {
		Name    []map[string]string
		Creator []string
	}
	if err := json.Unmarshal([]byte(lds[0]), &doc); err != nil || len(doc.Name) != 1 || doc.Name[0]["@value"] != hostile || doc.Creator[0] != it.Creator["en"] {
		t.Errorf("JSON-LD does not read back the title as written: %v %+v", err, doc)
	}
	if got := zoteroRead(metas, "").Title; got != strings.Join(strings.Fields(hostile), " ") {
		t.Errorf("citation_title reads back %q", got)
	}
}

func TestARestrictedItemsPageDescribesNothingToWhomMayNotReadIt(t *testing.T) {
	closed := &repository.Item{Institution: "chula", Collection: "rama7-letters", Title: repository.Text{"en": "Sealed dossier"},
		Summary: repository.Text{"en": "Names of informants"}, Creator: repository.Text{"en": "Secret Police"}, Access: repository.Access{Level: repository.Restricted}}
	e := newMetaEnv(t, closed)
	w := e.do(t, "GET", "/items/"+closed.ID+"?lang=en")
	body := w.Body.String()
	metas, lds := headOf(t, body)
	if w.Code != http.StatusUnauthorized || len(lds) != 0 || len(metas) > 2 {
		t.Errorf("restricted page: %d, %d JSON-LD, meta %q", w.Code, len(lds), metas)
	}
	for _, secret := range []string{"Sealed dossier", "Names of informants", "Secret Police", closed.ARK, "citation_"} {
		if strings.Contains(body, secret) {
			t.Errorf("the restricted page tells %q", secret)
		}
	}
	// Its library's staff read it all, in a page no shared cache keeps.
	w = e.do(t, "GET", "/items/"+closed.ID+"?lang=en", "Authorization", "Bearer "+token)
	if metas, _ := headOf(t, w.Body.String()); w.Code != http.StatusOK || zoteroRead(metas, "").Title != "Sealed dossier" || !strings.Contains(w.Header().Get("Cache-Control"), "private") {
		t.Errorf("to the staff: %d %q", w.Code, w.Header().Get("Cache-Control"))
	}
}

func TestAnotherHostNameChangesNoARKAndOldItemLinksKeepWorking(t *testing.T) {
	it := &repository.Item{Institution: "chula", Title: repository.Text{"en": "Moved"}}
	e := newMetaEnv(t, it)
	arkOf := func() string {
		w := e.do(t, "GET", "/items/"+it.ID)
		if w.Code != http.StatusOK {
			t.Fatalf("old item link: %d", w.Code)
		}
		metas, _ := headOf(t, w.Body.String())
		u := zoteroRead(metas, "").URL
		i := strings.Index(u, "/ark:/")
		if i < 0 {
			t.Fatalf("no ARK in %q", u)
		}
		return u[i+1:]
	}
	before := arkOf()
	e.srv.cfg.BaseURL = "https://archive.example.ac.th/base"
	if after := arkOf(); before != it.ARK || after != before {
		t.Errorf("ARK %q before the move, %q after", before, after)
	}
}

func TestUnitAndFondsPagesCarryTheirCallNumberArchiveAndARKForZotero(t *testing.T) {
	e := newMetaEnv(t)
	ctx := context.Background()
	series, err := e.store.Collection("rama7-letters")
	if err != nil {
		t.Fatal(err)
	}
	series.Description.Creator = repository.Text{"en": "Prajadhipok"}
	series.Description.Date = "1925/1935"
	if err := e.store.SaveCollection(ctx, series, "t"); err != nil {
		t.Fatal(err)
	}
	closed := &repository.Collection{ID: "sealed", Institution: "chula", Level: repository.Fonds, Title: repository.Text{"en": "Sealed fonds"},
		Description: &repository.Description{ReferenceCode: "TH-CU-X", Scope: repository.Text{"en": "Secret scope"}}, Access: repository.Access{Level: repository.Restricted}}
	if err := e.store.AddCollections(ctx, []*repository.Collection{closed}, "t"); err != nil {
		t.Fatal(err)
	}
	fonds, err := e.store.Collection("rama7")
	if err != nil || fonds.ARK == "" {
		t.Fatalf("the fonds: %+v %v", fonds, err)
	}
	for path, want := range map[string]zoteroItem{
		"/collections/rama7-letters?lang=en": {ItemType: "manuscript", Title: "Letters", Date: "1925", Publisher: "Chulalongkorn University",
			URL: "http://example.com/" + series.ARK, Archive: "Chulalongkorn University", ArchiveLocation: "TH-CU-R7/S2", CallNumber: "TH-CU-R7/S2", Creators: [][2]string{{"", "Prajadhipok"}}},
		"/fonds/rama7?lang=th": {ItemType: "manuscript", Title: "เอกสารรัชกาลที่ 7", Publisher: "จุฬาลงกรณ์มหาวิทยาลัย",
			URL: "http://example.com/" + fonds.ARK, Archive: "จุฬาลงกรณ์มหาวิทยาลัย", ArchiveLocation: "TH-CU-R7", CallNumber: "TH-CU-R7"},
	} {
		w := e.do(t, "GET", path)
		metas, lds := headOf(t, w.Body.String())
		got := zoteroRead(metas, "")
		if w.Code != http.StatusOK || len(lds) != 1 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %d, %d JSON-LD, Zotero reads\n%+v\nwant\n%+v", path, w.Code, len(lds), got, want)
		}
	}
	for _, path := range []string{"/collections/sealed", "/fonds/sealed"} {
		body := e.do(t, "GET", path).Body.String()
		if metas, lds := headOf(t, body); len(lds) != 0 || strings.Contains(body, "Secret scope") || strings.Contains(body, "TH-CU-X") || len(metas) > 2 {
			t.Errorf("%s describes a restricted fonds: %q", path, metas)
		}
	}
}

func TestPicturesAndPDFAreNamedOnlyToWhomMaySeeThem(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	scan := repository.File{Name: "p1.tif", SHA256: sum, Size: 10, MediaType: "image/tiff", Width: 2000, Height: 1500, Derivatives: map[string]string{"access": "x"}}
	pdf := repository.File{Name: "letter.pdf", SHA256: sum, Size: 10, MediaType: "application/pdf"}
	open := &repository.Item{Institution: "chula", Title: repository.Text{"en": "Open"}, Files: []repository.File{scan, pdf}}
	described := &repository.Item{Institution: "chula", Title: repository.Text{"en": "Described only"}, Files: []repository.File{scan, pdf},
		Access: repository.Access{Level: repository.MetadataOnly}}
	e := newMetaEnv(t, open, described)
	type seen struct {
		PDF          string
		Image, Thumb string
	}
	read := func(id string, hdr ...string) seen {
		w := e.do(t, "GET", "/items/"+id+"?lang=en", hdr...)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d", id, w.Code)
		}
		metas, lds := headOf(t, w.Body.String())
		var doc struct{ Image, ThumbnailURL string }
		if len(lds) != 1 || json.Unmarshal([]byte(lds[0]), &doc) != nil {
			t.Fatalf("%s: JSON-LD %q", id, lds)
		}
		return seen{zoteroRead(metas, "").PDF, doc.Image, doc.ThumbnailURL}
	}
	base := "http://example.com"
	if got, want := read(open.ID), (seen{base + "/api/v1/items/" + open.ID + "/files/2", base + "/iiif/3/" + open.ID + "-1/full/!1200,1200/0/default.jpg",
		base + "/iiif/3/" + open.ID + "-1/full/400,300/0/default.jpg"}); got != want {
		t.Errorf("open item: %+v, want %+v", got, want)
	}
	if got := read(described.ID); got != (seen{}) {
		t.Errorf("an item described only names its files to anonymous visitors: %+v", got)
	}
	// Its library's staff may download the PDF; the pictures stay unnamed,
	// since anonymous visitors may not see them.
	if got := read(described.ID, "Authorization", "Bearer "+token); got != (seen{PDF: base + "/api/v1/items/" + described.ID + "/files/2"}) {
		t.Errorf("to the staff: %+v", got)
	}
}

func TestARecordsPageNamesItsThaiAndEnglishVersionsForSearchEngines(t *testing.T) {
	it := &repository.Item{Institution: "chula", Title: repository.Text{"th": "จดหมาย", "en": "Letter"}}
	e := newMetaEnv(t, it)
	page := "http://example.com/items/" + it.ID
	for _, lang := range []string{"th", "en"} {
		body := e.do(t, "GET", "/items/"+it.ID+"?lang="+lang).Body.String()
		for _, want := range []string{
			`<link rel="canonical" href="` + page + `?lang=` + lang + `">`,
			`<link rel="alternate" hreflang="th" href="` + page + `?lang=th">`,
			`<link rel="alternate" hreflang="en" href="` + page + `?lang=en">`,
			`<link rel="alternate" hreflang="x-default" href="` + page + `">`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s page lacks %s", lang, want)
			}
		}
	}
}

func TestALibrarysPageDescribesItAsAnArchiveOrganization(t *testing.T) {
	e := newMetaEnv(t)
	w := e.do(t, "GET", "/libraries/chula?lang=th")
	metas, lds := headOf(t, w.Body.String())
	var doc struct {
		Type string `json:"@type"`
		URL  string
		Name []map[string]string
		Logo string
	}
	if w.Code != http.StatusOK || len(lds) != 1 || json.Unmarshal([]byte(lds[0]), &doc) != nil {
		t.Fatalf("%d: %q", w.Code, lds)
	}
	in, err := e.store.Institution("chula")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Type != "ArchiveOrganization" || doc.URL != "http://example.com/libraries/chula" || len(doc.Name) != 2 ||
		doc.Name[0]["@value"] != in.Name["th"] || doc.Name[1]["@value"] != in.Name["en"] || doc.Logo != "http://example.com/assets/logo/chula.png" {
		t.Errorf("library: %+v", doc)
	}
	if e.do(t, "GET", "/assets/logo/chula.png").Code != http.StatusOK {
		t.Error("the logo it names does not answer")
	}
	if zoteroRead(metas, "").Title != "" {
		t.Error("a library's page gives a citation title, as if it were a work")
	}
}
