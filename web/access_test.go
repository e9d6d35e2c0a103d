package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// The model this test holds the archive to, written out rather than
// computed: which role may read an item's description, see its reduced
// images, and see it whole, at each access level. Items are held by
// Chiang Mai (cmu), which reveals that its restricted items exist, except
// "hidden", held by Thammasat (tu), which does not.
var roles = []string{"anonymous", "cmu-reader", "tu-reader", "cmu-archivist", "tu-archivist", "cmu-admin", "system-admin"}

type rights struct{ meta, reduced, full bool }

var (
	all     = rights{true, true, true}
	none    = rights{}
	metaOn  = rights{meta: true}
	reduced = rights{meta: true, reduced: true}
)

// model[item][role]
var model = map[string]map[string]rights{
	"public":     {"anonymous": all, "cmu-reader": all, "tu-reader": all, "cmu-archivist": all, "tu-archivist": all, "cmu-admin": all, "system-admin": all},
	"metadata":   {"anonymous": metaOn, "cmu-reader": all, "tu-reader": metaOn, "cmu-archivist": all, "tu-archivist": metaOn, "cmu-admin": all, "system-admin": all},
	"reduced":    {"anonymous": reduced, "cmu-reader": all, "tu-reader": reduced, "cmu-archivist": all, "tu-archivist": reduced, "cmu-admin": all, "system-admin": all},
	"restricted": {"anonymous": none, "cmu-reader": all, "tu-reader": none, "cmu-archivist": all, "tu-archivist": none, "cmu-admin": all, "system-admin": all},
	"embargoed":  {"anonymous": none, "cmu-reader": all, "tu-reader": none, "cmu-archivist": all, "tu-archivist": none, "cmu-admin": all, "system-admin": all},
	"inherited":  {"anonymous": none, "cmu-reader": all, "tu-reader": none, "cmu-archivist": all, "tu-archivist": none, "cmu-admin": all, "system-admin": all},
	"withdrawn":  {"anonymous": none, "cmu-reader": none, "tu-reader": none, "cmu-archivist": none, "tu-archivist": none, "cmu-admin": none, "system-admin": none},
	"hidden":     {"anonymous": none, "cmu-reader": none, "tu-reader": all, "cmu-archivist": none, "tu-archivist": all, "cmu-admin": none, "system-admin": all},
	// Public, in a unit cmu keeps internal: its staff only.
	"internal": {"anonymous": none, "cmu-reader": none, "tu-reader": none, "cmu-archivist": all, "tu-archivist": none, "cmu-admin": all, "system-admin": all},
}

// editors[item] are the roles that may change it.
func mayEdit(item, role string) bool {
	if role == "system-admin" {
		return true
	}
	if item == "hidden" {
		return role == "tu-archivist"
	}
	return role == "cmu-archivist" || role == "cmu-admin"
}

type accessEnv struct {
	srv    *Server
	store  *bolt.Store
	items  map[string]*repository.Item // by level name
	tokens map[string]string           // by role
	secret map[string]string           // the title word of each item
}

func picture(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 600, 400))
	for y := range 400 {
		for x := range 600 {
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x*seed), uint8(y+seed*40), uint8(seed*30), 255
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
	return b.Bytes()
}

func newAccessEnv(t *testing.T) *accessEnv {
	t.Helper()
	ctx := context.Background()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	seedAdmin(t, store)
	reveal(t, store, "cmu")
	e := &accessEnv{store: store, items: map[string]*repository.Item{}, tokens: map[string]string{}, secret: map[string]string{}}
	closed := &repository.Collection{ID: "cmu-closed", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Closedfonds"},
		Access: repository.Access{Level: repository.Restricted}}
	if err := store.SaveCollection(ctx, closed, "t"); err != nil {
		t.Fatal(err)
	}
	internal := &repository.Collection{ID: "cmu-internal", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Internalfonds"},
		Access: repository.Access{Level: repository.Public, Internal: true}}
	if err := store.SaveCollection(ctx, internal, "t"); err != nil {
		t.Fatal(err)
	}
	p := ingest.New(ingest.Config{Store: store, Blobs: blobs})
	dir := t.TempDir()
	levels := []string{"public", "metadata", "reduced", "restricted", "embargoed", "inherited", "withdrawn", "hidden", "internal"}
	for i, lvl := range levels {
		meta := repository.Item{Institution: "cmu", Title: repository.Text{"en": "Zq" + lvl + "title"}, Subjects: []repository.Text{{"en": "zq"}}, Access: repository.Access{Level: lvl}}
		switch lvl {
		case "embargoed":
			meta.Access = repository.Access{Level: repository.Public, Embargo: time.Now().AddDate(1, 0, 0).Format("2006-01-02")}
		case "inherited", "withdrawn", "internal":
			meta.Access.Level = repository.Public
			if lvl == "inherited" {
				meta.Collection = closed.ID
			}
			if lvl == "internal" {
				meta.Collection = internal.ID
			}
		case "hidden":
			meta.Institution, meta.Access.Level = "tu", repository.Restricted
		}
		path := filepath.Join(dir, lvl+".jpg")
		os.WriteFile(path, picture(i+1), 0o644)
		outs := p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{{Path: path, Name: lvl + ".jpg"}}, Meta: meta})
		if outs[0].Status != ingest.Ingested {
			t.Fatalf("ingest %s: %+v", lvl, outs[0])
		}
		it, err := store.Item(outs[0].Item)
		if err != nil {
			t.Fatal(err)
		}
		// Each master stands in as its own copy for browsers, so that the
		// route serving such copies is held to the same model as masters.
		it.Files[0].Web = &repository.WebCopy{MediaType: "image/jpeg"}
		if err := store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
		e.items[lvl], e.secret[lvl] = it, "Zq"+lvl+"title"
	}
	if err := store.Withdraw(ctx, e.items["withdrawn"].ID, "t", "a duplicate record"); err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, lvl := range levels {
		all = append(all, e.items[lvl].ID)
	}
	shared := &repository.Collection{ID: "shared-all", Institution: "cmu", Level: repository.Curated, Title: repository.Text{"en": "Sharedall"}, Members: all}
	if err := store.SaveCollection(ctx, shared, "t"); err != nil {
		t.Fatal(err)
	}
	for _, r := range roles[1:] {
		inst, role, _ := strings.Cut(r, "-")
		if r == "system-admin" {
			inst, role = "chula", "system-admin"
		}
		if role == "admin" {
			role = "library-admin"
		}
		e.tokens[r] = tokenFor(t, store, r+"@example.org", inst, role, "write")
	}
	e.srv, err = New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts, ReducedEdge: 100, UploadDir: t.TempDir(), Ingest: p, Batches: runBatches(t, store, p)}))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *accessEnv) do(role, method, path, body string) *httptest.ResponseRecorder {
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if strings.HasPrefix(body, "{") {
			r.Header.Set("Content-Type", "application/json")
		}
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	if tok := e.tokens[role]; tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	return w
}

// kinds of check a route gets.
const (
	itemMeta       = "item description"         // 2xx only with rights.meta; never the title otherwise
	oaiRecordCheck = "OAI record"               // always answered; the title only if anyone may read it
	manifest       = "manifest"                 // as itemMeta, but a revealed restricted item gets a stub
	itemReduced    = "reduced image"            // 2xx only with rights.reduced
	itemFull       = "full content"             // 2xx only with rights.full
	listing        = "listing"                  // titles exactly of what rights.meta allows
	anonListing    = "public listing"           // titles exactly of what an anonymous visitor may read
	itemEdit       = "edit an item"             // past the access decision only for editors
	libEdit        = "edit the library"         // past it only for cmu's archivists and administrators
	manageUsers    = "manage users"             // only cmu's administrator and the system administrator
	administer     = "administer"               // only the system administrator
	probeRoute     = "probe"                    // status 200 in the body only with rights.reduced
	uploadRoute    = "upload"                   // tested by TestCrossLibraryEditsAreRefused
	noContent      = "names nothing restricted" // health, static files, sign-in, CORS preflights
	treeListing    = "archival tree"            // the restricted fonds cmu-closed: 2xx and its item's title exactly for those who may read it
	treeMeta       = "archival unit"            // as treeListing, by status only (a viewer page, a PDF)
	anonAddresses  = "public addresses"         // the addresses exactly of the items an anonymous visitor may read, whoever asks
)

// Kinds of check of access requests (requests.go).
const (
	askRoute  = "ask for access" // the JSON: 201 only for a signed-in person who may know of the item but not read it whole; the form, sent without a purpose: 400 for whoever may know of it
	personal  = "personal"       // for every signed-in person, never to a shared cache; sign in first otherwise
	staffPage = "library staff"  // the archivists and administrators of a library, and the system administrator
	annotate  = "annotate"       // past the access decision (the item's pictures, reduced at least) only for a signed-in person: then 400 for the empty annotation sent
)

// routeChecks: every route of the server, and the requests that check it
// ("%s" is the item's identifier). A route missing here fails the test.
var routeChecks = map[string][]struct {
	kind, method, path, body string
}{
	"GET /healthz":                               {{noContent, "GET", "/healthz", ""}},
	"GET /readyz":                                {{noContent, "GET", "/readyz", ""}},
	"GET /static/*file":                          {{noContent, "GET", "/static/style.css", ""}},
	"HEAD /static/*file":                         {{noContent, "HEAD", "/static/style.css", ""}},
	"GET /assets/logo/:file":                     {{noContent, "GET", "/assets/logo/cmu.png", ""}},
	"GET /favicon.ico":                           {{noContent, "GET", "/favicon.ico", ""}},
	"GET /robots.txt":                            {{noContent, "GET", "/robots.txt", ""}},
	"GET /sitemap.xml":                           {{anonAddresses, "GET", "/sitemap.xml", ""}},
	"GET /sitemap/:n":                            {{anonAddresses, "GET", "/sitemap/1.xml", ""}},
	"GET /":                                      {{listing, "GET", "/", ""}},
	"GET /libraries/:id":                         {{listing, "GET", "/libraries/cmu", ""}, {listing, "GET", "/libraries/tu", ""}},
	"GET /collections/:id":                       {{listing, "GET", "/collections/shared-all", ""}},
	"GET /items/:id":                             {{itemMeta, "GET", "/items/%s", ""}},
	"GET /fonds/:id":                             {{treeListing, "GET", "/fonds/cmu-closed", ""}},
	"GET /fonds/:id/print":                       {{treeListing, "GET", "/fonds/cmu-closed/print", ""}},
	"GET /fonds/:id/print.pdf":                   {{treeMeta, "GET", "/fonds/cmu-closed/print.pdf", ""}},
	"GET /fonds/:id/view/:unit":                  {{treeMeta, "GET", "/fonds/cmu-closed/view/cmu-closed", ""}},
	"GET /api/v1/fonds/:id/ead.xml":              {{treeListing, "GET", "/api/v1/fonds/cmu-closed/ead.xml", ""}},
	"GET /desk/fonds":                            {{noContent, "GET", "/desk/fonds", ""}},
	"GET /desk/fonds/:id":                        {{libEdit, "GET", "/desk/fonds/cmu-closed", ""}},
	"POST /desk/fonds/:id/move":                  {{libEdit, "POST", "/desk/fonds/cmu-closed/move", "unit=cmu-closed&parent="}},
	"GET /desk/find-items":                       {{libEdit, "GET", "/desk/find-items?institution=cmu&q=x", ""}},
	"GET /desk/units/new":                        {{libEdit, "GET", "/desk/units/new?parent=cmu-closed", ""}},
	"GET /desk/units/:id":                        {{libEdit, "GET", "/desk/units/cmu-closed", ""}},
	"POST /desk/units":                           {{libEdit, "POST", "/desk/units", "parent=cmu-closed&level=Not+a+level"}},
	"POST /desk/units/:id":                       {{libEdit, "POST", "/desk/units/cmu-closed", "version=x"}},
	"POST /desk/ead":                             {{libEdit, "POST", "/desk/ead", "institution=cmu"}},
	"GET /search":                                {{listing, "GET", "/search?q=zq", ""}},
	"GET /api/v1/search":                         {{listing, "GET", "/api/v1/search?q=zq&limit=100", ""}},
	"GET /embed/:id":                             {{itemMeta, "GET", "/embed/%s", ""}},
	"GET /oembed":                                {{itemMeta, "GET", "/oembed?url=http%%3A%%2F%%2Fexample.com%%2Fitems%%2F%s", ""}},
	"GET /login":                                 {{noContent, "GET", "/login", ""}},
	"POST /login":                                {{noContent, "POST", "/login", "email=x"}},
	"GET /logout":                                {{noContent, "GET", "/logout", ""}},
	"POST /logout":                               {{noContent, "POST", "/logout", "csrf=x"}},
	"GET /login/callback":                        {{noContent, "GET", "/login/callback?state=x&code=y", ""}},
	"GET /login/:library":                        {{noContent, "GET", "/login/cmu", ""}},
	"POST /login/:library/link":                  {{noContent, "POST", "/login/cmu/link", "csrf=x"}},
	"GET /saml/metadata":                         {{noContent, "GET", "/saml/metadata", ""}},
	"POST /saml/acs":                             {{noContent, "POST", "/saml/acs", "RelayState=x"}},
	"GET /saml/slo":                              {{noContent, "GET", "/saml/slo?SAMLResponse=x&RelayState=y", ""}},
	"GET /api/v1/me":                             {{noContent, "GET", "/api/v1/me", ""}},
	"GET /iiif/auth/probe/:id":                   {{probeRoute, "GET", "/iiif/auth/probe/%s-1", ""}},
	"GET /iiif/auth/token":                       {{noContent, "GET", "/iiif/auth/token?messageId=1&origin=https%3A%2F%2Fviewer.example", ""}},
	"GET /iiif/auth/kiosk":                       {{noContent, "GET", "/iiif/auth/kiosk", ""}},
	"GET /iiif/discovery/collection":             {{noContent, "GET", "/iiif/discovery/collection", ""}},
	"GET /iiif/discovery/page/:n":                {{anonListing, "GET", "/iiif/discovery/page/0", ""}},
	"GET /oai":                                   {{anonListing, "GET", "/oai?verb=ListRecords&metadataPrefix=oai_dc", ""}, {oaiRecordCheck, "GET", "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:archive:%s", ""}},
	"POST /oai":                                  {{anonListing, "POST", "/oai", "verb=ListRecords&metadataPrefix=oai_dc"}},
	"GET /api/v1/institutions":                   {{noContent, "GET", "/api/v1/institutions", ""}},
	"GET /api/v1/items/:id":                      {{itemMeta, "GET", "/api/v1/items/%s", ""}},
	"GET /api/v1/items/:id/citation":             {{itemMeta, "GET", "/api/v1/items/%s/citation?format=ris", ""}},
	"GET /api/v1/units/:id/citation":             {{treeMeta, "GET", "/api/v1/units/cmu-closed/citation", ""}},
	"POST /api/v1/items/:id":                     {{itemEdit, "POST", "/api/v1/items/%s", "{not json"}},
	"POST /api/v1/items/:id/withdraw":            {{itemEdit, "POST", "/api/v1/items/%s/withdraw", "reason="}},
	"POST /api/v1/items/:id/purge":               {{administer, "POST", "/api/v1/items/%s/purge", "confirm=no"}},
	"GET /api/v1/items/:id/files/:n":             {{itemFull, "GET", "/api/v1/items/%s/files/1", ""}},
	"HEAD /api/v1/items/:id/files/:n":            {{itemFull, "HEAD", "/api/v1/items/%s/files/1", ""}},
	"GET /api/v1/items/:id/files/:n/:derivative": {{itemFull, "GET", "/api/v1/items/%s/files/1/thumb", ""}},
	"GET /api/v1/items/:id/files/:n/web":         {{itemFull, "GET", "/api/v1/items/%s/files/1/web", ""}, {itemFull, "HEAD", "/api/v1/items/%s/files/1/web", ""}}, // 400 px: more than this test's reduced edge of 100,
	"GET /iiif/search/2/:id":                     {{itemFull, "GET", "/iiif/search/2/%s?q=zq", ""}},
	"GET /iiif/search/1/:id":                     {{itemFull, "GET", "/iiif/search/1/%s?q=zq", ""}},
	"GET /iiif/autocomplete/2/:id":               {{itemFull, "GET", "/iiif/autocomplete/2/%s?q=z", ""}},
	"GET /iiif/autocomplete/1/:id":               {{itemFull, "GET", "/iiif/autocomplete/1/%s?q=z", ""}},
	"GET /iiif/text/:id/:n":                      {{itemFull, "GET", "/iiif/text/%s/1", ""}},
	"OPTIONS /iiif/search/*any":                  {{noContent, "OPTIONS", "/iiif/search/1/x", ""}},
	"OPTIONS /iiif/autocomplete/*any":            {{noContent, "OPTIONS", "/iiif/autocomplete/1/x", ""}},
	"OPTIONS /iiif/text/*any":                    {{noContent, "OPTIONS", "/iiif/text/x/1", ""}},
	"GET /api/v1/items/:id/files/:n/alto":        {{itemFull, "GET", "/api/v1/items/%s/files/1/alto", ""}},
	"GET /api/v1/items/:id/text":                 {{itemFull, "GET", "/api/v1/items/%s/text", ""}, {itemFull, "HEAD", "/api/v1/items/%s/text", ""}},
	"GET /api/v1/items/:id/pdf":                  {{itemFull, "GET", "/api/v1/items/%s/pdf", ""}, {itemFull, "HEAD", "/api/v1/items/%s/pdf", ""}},
	"POST /api/v1/items/:id/ocr":                 {{itemEdit, "POST", "/api/v1/items/%s/ocr", "x=1"}},
	"POST /desk/items/:id/ocr":                   {{itemEdit, "POST", "/desk/items/%s/ocr", "x=1"}},
	"GET /api/v1/admin/backup":                   {{administer, "GET", "/api/v1/admin/backup", ""}},
	"GET /api/v1/admin/stats":                    {{administer, "GET", "/api/v1/admin/stats", ""}},
	"GET /desk":                                  {{noContent, "GET", "/desk", ""}},
	"GET /desk/items":                            {{libEdit, "GET", "/desk/items?institution=cmu", ""}},
	"POST /desk/items":                           {{libEdit, "POST", "/desk/items", "institution=cmu&field=nothing"}},
	"POST /desk/describe":                        {{libEdit, "POST", "/desk/describe", "institution=cmu"}},
	"GET /desk/items/:id":                        {{itemEdit, "GET", "/desk/items/%s", ""}},
	"POST /desk/items/:id":                       {{itemEdit, "POST", "/desk/items/%s", "version=x"}},
	"POST /desk/items/:id/restore":               {{itemEdit, "POST", "/desk/items/%s/restore", "v=0&version=1"}},
	"POST /desk/items/:id/withdraw":              {{itemEdit, "POST", "/desk/items/%s/withdraw", "reason="}},
	"GET /desk/collections/new":                  {{libEdit, "GET", "/desk/collections/new?institution=cmu", ""}},
	"GET /desk/collections/:id":                  {{libEdit, "GET", "/desk/collections/cmu-closed", ""}},
	"POST /desk/collections":                     {{libEdit, "POST", "/desk/collections", "institution=cmu&level=fonds"}},
	"POST /desk/collections/:id":                 {{libEdit, "POST", "/desk/collections/cmu-closed", "version=x"}},
	"GET /desk/users":                            {{manageUsers, "GET", "/desk/users", ""}},
	"GET /desk/fixity":                           {{administer, "GET", "/desk/fixity", ""}},
	"POST /desk/users":                           {{manageUsers, "POST", "/desk/users", "institution=cmu&role=emperor"}},
	"GET /desk/sources":                          {{manageUsers, "GET", "/desk/sources", ""}},
	"POST /desk/sources":                         {{manageUsers, "POST", "/desk/sources", "action=add&institution=cmu&oai=ftp://bad"}},
	"GET /api/v1/sources":                        {{manageUsers, "GET", "/api/v1/sources", ""}},
	"POST /api/v1/sources":                       {{manageUsers, "POST", "/api/v1/sources", `{"institution": "cmu", "oai": "ftp://bad"}`}},
	"POST /api/v1/sources/:id/run":               {{noContent, "POST", "/api/v1/sources/no-such/run", ""}}, // who may: harvest's TestOnlyTheLibrarysAdministratorsAndSystemAdministratorsManageItsSources
	"DELETE /api/v1/sources/:id":                 {{noContent, "DELETE", "/api/v1/sources/no-such", ""}},
	// Access points (points_test.go checks what their pages show)
	"GET /points/:id": {{noContent, "GET", "/points/no-such", ""}},
	// A harvested entry is a public description of someone else's material
	// (access.EntryResource): it names nothing restricted.
	"GET /entries/:id":            {{noContent, "GET", "/entries/no-such", ""}},
	"GET /desk/points":            {{libEdit, "GET", "/desk/points?institution=cmu", ""}},
	"GET /desk/points/:id":        {{noContent, "GET", "/desk/points/no-such", ""}},
	"POST /desk/points/:id":       {{noContent, "POST", "/desk/points/no-such", "version=1"}},
	"POST /desk/points/:id/merge": {{noContent, "POST", "/desk/points/no-such/merge", "into=other"}},
	// Access requests and grants
	"POST /api/v1/items/:id/requests": {{askRoute, "POST", "/api/v1/items/%s/requests", `{"purpose": "a thesis"}`}},
	"POST /items/:id/requests":        {{askRoute, "POST", "/items/%s/requests", "purpose="}},
	"GET /api/v1/requests":            {{personal, "GET", "/api/v1/requests", ""}},
	"POST /api/v1/requests/:id":       {{noContent, "POST", "/api/v1/requests/no-such", `{"decision": "refuse", "reason": "x"}`}},
	"GET /desk/requests":              {{staffPage, "GET", "/desk/requests", ""}},
	"GET /desk/boxes":                 {{staffPage, "GET", "/desk/boxes", ""}},
	"GET /desk/boxes/:id":             {{noContent, "GET", "/desk/boxes/no-such", ""}},
	"POST /desk/boxes/:id/move":       {{noContent, "POST", "/desk/boxes/no-such/move", "version=1&location=x"}},
	"POST /desk/requests/:id":         {{noContent, "POST", "/desk/requests/no-such", "decision=refuse&reason=x"}},
	"GET /account/requests":           {{personal, "GET", "/account/requests", ""}},
	// Web annotations (annotations_test.go checks the protocol and who sees what)
	"GET /annotations/:item/":               {{itemMeta, "GET", "/annotations/%s/", ""}},
	"HEAD /annotations/:item/":              {{itemMeta, "HEAD", "/annotations/%s/", ""}},
	"GET /annotations/:item/:n/":            {{itemMeta, "GET", "/annotations/%s/1/", ""}},
	"HEAD /annotations/:item/:n/":           {{itemMeta, "HEAD", "/annotations/%s/1/", ""}},
	"GET /annotations/:item/export":         {{itemMeta, "GET", "/annotations/%s/export?format=tei", ""}},
	"HEAD /annotations/:item/export":        {{itemMeta, "HEAD", "/annotations/%s/export", ""}},
	"POST /annotations/:item/:n/":           {{annotate, "POST", "/annotations/%s/1/", "{}"}},
	"POST /annotations/:item/import":        {{itemEdit, "POST", "/annotations/%s/import", "{}"}},
	"GET /annotations/:item/:n/:id":         {{noContent, "GET", "/annotations/no-such/1/x", ""}},
	"POST /annotations/:item/:n/:id/review": {{noContent, "POST", "/annotations/no-such/1/x/review", ""}},
	"GET /items/:id/transcribe/:n":          {{itemFull, "GET", "/items/%s/transcribe/1", ""}},
	"POST /items/:id/transcribe/:n":         {{itemEdit, "POST", "/items/%s/transcribe/1", "mode=lines"}},
	"POST /items/:id/transcribe/:n/review":  {{noContent, "POST", "/items/%s/transcribe/1/review", "decision=approve"}},
	"POST /items/:id/transcribe/:n/invite":  {{itemEdit, "POST", "/items/%s/transcribe/1/invite", "email="}},
	"GET /ark/*name":                        {{noContent, "GET", "/ark/99999/c1nothing", ""}},
	"HEAD /annotations/:item/:n/:id":        {{noContent, "HEAD", "/annotations/no-such/1/x", ""}},
	"PUT /annotations/:item/:n/:id":         {{noContent, "PUT", "/annotations/no-such/1/x", "{}"}},
	"DELETE /annotations/:item/:n/:id":      {{noContent, "DELETE", "/annotations/no-such/1/x", ""}},
	"OPTIONS /annotations/*any":             {{noContent, "OPTIONS", "/annotations/x/1/", ""}},
	"GET /account/data":                     {{personal, "GET", "/account/data", ""}},
	"POST /account/remove":                  {{personal, "POST", "/account/remove", "x=1"}},
	"OPTIONS /iiif/2/*any":                  {{noContent, "OPTIONS", "/iiif/2/x/info.json", ""}},
	"OPTIONS /iiif/3/*any":                  {{noContent, "OPTIONS", "/iiif/3/x/info.json", ""}},
	"GET /iiif/2/:id":                       {{noContent, "GET", "/iiif/2/%s-1", ""}},
	"GET /iiif/3/:id":                       {{noContent, "GET", "/iiif/3/%s-1", ""}},
	"GET /iiif/2/:id/*rest": {{itemReduced, "GET", "/iiif/2/%s-1/info.json", ""}, {itemFull, "GET", "/iiif/2/%s-1/full/600,/0/default.jpg", ""},
		{itemReduced, "GET", "/iiif/2/%s-1/full/50,/0/default.jpg", ""}, {manifest, "GET", "/iiif/2/manifest/%s", ""},
		{itemFull, "GET", "/iiif/2/search/%s?q=zq", ""}, {itemFull, "GET", "/iiif/2/autocomplete/%s?q=z", ""}},
	"GET /iiif/3/:id/*rest": {{itemReduced, "GET", "/iiif/3/%s-1/info.json", ""}, {itemFull, "GET", "/iiif/3/%s-1/full/600,/0/default.jpg", ""},
		{itemFull, "GET", "/iiif/3/%s-1/0,0,256,256/256,/0/default.jpg", ""}, {itemReduced, "GET", "/iiif/3/%s-1/full/!50,50/0/default.png", ""},
		{manifest, "GET", "/iiif/3/manifest/%s", ""}, {listing, "GET", "/iiif/3/collection/shared-all", ""},
		{listing, "GET", "/iiif/3/collection/cmu/page/1", ""}, {listing, "GET", "/iiif/3/collection/tu/page/1", ""},
		{treeListing, "GET", "/iiif/3/collection/cmu-closed/tree", ""}, {treeListing, "GET", "/iiif/3/collection/cmu-closed/manifest", ""}},
	"HEAD /iiif/2/:id/*rest":     {{itemFull, "HEAD", "/iiif/2/%s-1/full/600,/0/default.jpg", ""}},
	"HEAD /iiif/3/:id/*rest":     {{itemFull, "HEAD", "/iiif/3/%s-1/full/600,/0/default.jpg", ""}},
	"POST /api/v1/uploads/":      {{uploadRoute, "", "", ""}},
	"HEAD /api/v1/uploads/:id":   {{uploadRoute, "", "", ""}},
	"PATCH /api/v1/uploads/:id":  {{uploadRoute, "", "", ""}},
	"DELETE /api/v1/uploads/:id": {{uploadRoute, "", "", ""}},
	"OPTIONS /api/v1/uploads/":   {{uploadRoute, "", "", ""}},
	"POST /api/v1/batches":       {{uploadRoute, "", "", ""}},
	"GET /api/v1/batches/:id":    {{uploadRoute, "", "", ""}},

	// Groups to share annotations with (groups_test.go checks who sees what)
	"GET /account/groups":      {{personal, "GET", "/account/groups", ""}},
	"POST /account/groups":     {{personal, "POST", "/account/groups", "name_en=Team"}},
	"POST /account/groups/:id": {{noContent, "POST", "/account/groups/no-such", "action=leave"}},
	"GET /api/v1/groups":       {{personal, "GET", "/api/v1/groups", ""}},
	"POST /api/v1/groups":      {{personal, "POST", "/api/v1/groups", `{"name": {"th": "ทีม"}}`}},
	"POST /api/v1/groups/:id":  {{noContent, "POST", "/api/v1/groups/no-such", `{"action": "leave"}`}},
}

func TestEveryRouteIsInTheAccessTable(t *testing.T) {
	e := newAccessEnv(t)
	var missing []string
	for _, r := range e.srv.Routes() {
		if get, ok := strings.CutPrefix(r, "HEAD "); ok && routeChecks["GET "+get] != nil {
			continue // HEAD runs the GET handlers
		}
		if _, ok := routeChecks[r]; !ok {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("routes with no access checks in routeChecks: %v", missing)
	}
}

func ok(code int) bool { return code >= 200 && code < 300 }

// TestEveryRouteWithEveryRoleAtEveryLevel walks every route with every role
// against items at every access level and proves nothing leaks.
func TestEveryRouteWithEveryRoleAtEveryLevel(t *testing.T) {
	e := newAccessEnv(t)
	levels := make([]string, 0, len(model))
	for l := range model {
		levels = append(levels, l)
	}
	sort.Strings(levels)
	for route, checks := range routeChecks {
		for _, c := range checks {
			for _, role := range roles {
				switch c.kind {
				case itemMeta, manifest, oaiRecordCheck, itemReduced, itemFull, itemEdit, administer, probeRoute, askRoute, annotate:
					for _, lvl := range levels {
						path := c.path
						if strings.Contains(path, "%s") {
							path = fmt.Sprintf(path, e.items[lvl].ID)
						}
						e.checkItem(t, route, c.kind, c.method, path, c.body, role, lvl)
					}
				case listing, anonListing:
					w := e.do(role, c.method, c.path, c.body)
					if !ok(w.Code) {
						t.Errorf("%s %s as %s: %d", c.method, c.path, role, w.Code)
						continue
					}
					if c.kind == listing && role != "anonymous" && sharedCacheable(w.Header()) {
						t.Errorf("%s %s as %s: a listing built for a signed-in person a shared cache may keep: %q", c.method, c.path, role, w.Header().Get("Cache-Control"))
					}
					for _, lvl := range levels {
						viewer := role
						if c.kind == anonListing {
							viewer = "anonymous"
						}
						if strings.Contains(w.Body.String(), e.secret[lvl]) && !model[lvl][viewer].meta {
							t.Errorf("%s %s as %s lists the %s item's title", c.method, c.path, role, lvl)
						}
					}
					if c.kind == anonListing || c.path == "/" || strings.Contains(c.path, "/tu") {
						continue // these list only some items (public ones, recent ones, one library)
					}
					for _, lvl := range levels {
						if model[lvl][role].meta && !strings.Contains(w.Body.String(), e.secret[lvl]) && !(lvl == "hidden" && strings.Contains(c.path, "cmu")) {
							t.Errorf("%s %s as %s does not list the %s item it may see", c.method, c.path, role, lvl)
						}
					}
				case anonAddresses:
					w := e.do(role, c.method, c.path, c.body)
					if !ok(w.Code) {
						t.Errorf("%s %s as %s: %d", c.method, c.path, role, w.Code)
						continue
					}
					for _, lvl := range levels {
						if listed := strings.Contains(w.Body.String(), "/items/"+e.items[lvl].ID+"<"); listed != model[lvl]["anonymous"].meta {
							t.Errorf("%s %s as %s: the %s item listed %v, anonymous visitors may read it %v", c.method, c.path, role, lvl, listed, model[lvl]["anonymous"].meta)
						}
					}
				case treeListing, treeMeta:
					w := e.do(role, c.method, c.path, c.body)
					may := model["inherited"][role].meta
					if ok(w.Code) != may || c.kind == treeListing && strings.Contains(w.Body.String(), e.secret["inherited"]) != may {
						t.Errorf("%s %s as %s: %d, may read %v: %.200s", c.method, c.path, role, w.Code, may, w.Body)
					}
					if role != "anonymous" && sharedCacheable(w.Header()) {
						t.Errorf("%s %s as %s: a tree with a restricted unit a shared cache may keep: %q", c.method, c.path, role, w.Header().Get("Cache-Control"))
					}
					if may && role != "anonymous" && !strings.Contains(w.Header().Get("Cache-Control"), "private") {
						t.Errorf("%s %s as %s: built for a signed-in person but cacheable: %q", c.method, c.path, role, w.Header().Get("Cache-Control"))
					}
				case personal, staffPage:
					w := e.do(role, c.method, c.path, c.body)
					if role != "anonymous" && sharedCacheable(w.Header()) {
						t.Errorf("%s %s as %s: a personal answer a shared cache may keep: %q", c.method, c.path, role, w.Header().Get("Cache-Control"))
					}
					allowed := role != "anonymous" && (c.kind == personal || strings.Contains(role, "archivist") || strings.Contains(role, "admin"))
					if allowed != (ok(w.Code) || w.Code == http.StatusSeeOther && !strings.HasPrefix(w.Header().Get("Location"), "/login")) {
						t.Errorf("%s %s as %s: %d (allowed %v): %.200s", c.method, c.path, role, w.Code, allowed, w.Body)
					}
				case libEdit, manageUsers:
					w := e.do(role, c.method, c.path, c.body)
					if role != "anonymous" && sharedCacheable(w.Header()) {
						t.Errorf("%s %s as %s: a personal page a shared cache may keep: %q", c.method, c.path, role, w.Header().Get("Cache-Control"))
					}
					allowed := role == "system-admin" || role == "cmu-admin" || c.kind == libEdit && role == "cmu-archivist"
					refused := w.Code == 401 || w.Code == 403 || w.Code == 303
					if allowed == refused {
						t.Errorf("%s %s as %s: %d (allowed %v): %.200s", c.method, c.path, role, w.Code, allowed, w.Body)
					}
				}
			}
		}
	}
}

// checkItem holds one request about one item to the model.
func (e *accessEnv) checkItem(t *testing.T, route, kind, method, path, body, role, lvl string) {
	t.Helper()
	w := e.do(role, method, path, body)
	r := model[lvl][role]
	var allowed bool
	switch kind {
	case itemMeta:
		allowed = r.meta
	case manifest:
		// Visitors who may not read a restricted item of a library that
		// reveals them get a stub with the sign-in services, naming nothing.
		allowed = r.meta || lvl == "restricted" || lvl == "embargoed" || lvl == "inherited"
	case itemReduced, probeRoute:
		allowed = r.reduced
	case itemFull:
		allowed = r.full
	case itemEdit:
		allowed = mayEdit(lvl, role)
	case administer:
		allowed = role == "system-admin"
	}
	// Only what anonymous visitors may read in full may reach a shared
	// cache from a signed-in request (access.CachePolicy).
	if role != "anonymous" && !model[lvl]["anonymous"].full && sharedCacheable(w.Header()) {
		t.Errorf("%s %s as %s (%s): %d a shared cache may keep: %q", method, path, role, lvl, w.Code, w.Header().Get("Cache-Control"))
	}
	leak := strings.Contains(w.Body.String(), e.secret[lvl])
	switch kind {
	case oaiRecordCheck:
		if w.Code != 200 || leak != model[lvl]["anonymous"].meta {
			t.Errorf("%s as %s (%s): %d, title shown %v", path, role, lvl, w.Code, leak)
		}
		return
	case askRoute:
		// Past the access decision: the form (no purpose) is invalid; the
		// JSON is taken when the item is not readable whole already.
		allowed = role != "anonymous" && lvl != "withdrawn" && (r.meta || lvl == "restricted" || lvl == "embargoed" || lvl == "inherited")
		want := http.StatusBadRequest
		if strings.HasPrefix(body, "{") {
			allowed, want = allowed && !r.full, http.StatusCreated
		}
		if allowed != (w.Code == want) || lvl == "withdrawn" && w.Code != http.StatusGone || !r.meta && leak {
			t.Errorf("%s %s as %s (%s): %d, allowed %v: %.200s", method, path, role, lvl, w.Code, allowed, w.Body)
		}
		return
	case annotate:
		allowed = role != "anonymous" && r.reduced
		if allowed != (w.Code == http.StatusBadRequest) || !allowed && ok(w.Code) || !r.meta && leak {
			t.Errorf("%s %s as %s (%s): %d, allowed %v: %.200s", method, path, role, lvl, w.Code, allowed, w.Body)
		}
		return
	case probeRoute:
		var res struct{ Status int }
		json.Unmarshal(w.Body.Bytes(), &res)
		if w.Code != 200 || (res.Status == 200) != allowed {
			t.Errorf("probe %s as %s (%s): HTTP %d, status %d, allowed %v", path, role, lvl, w.Code, res.Status, allowed)
		}
		return
	case itemEdit, administer:
		// The requests carry bad input: past the access decision they are
		// refused as invalid (or, for a withdrawn item, gone), never done.
		refused := w.Code == 401 || w.Code == 403 || w.Code == 404 || w.Code == 303
		if allowed == refused || ok(w.Code) != (allowed && method == "GET") {
			t.Errorf("%s %s as %s (%s): %d, allowed %v: %.200s", method, path, role, lvl, w.Code, allowed, w.Body)
		}
		return
	}
	if lvl == "withdrawn" && w.Code != http.StatusGone {
		t.Errorf("%s %s as %s: %d for a withdrawn item, want 410", method, path, role, w.Code)
	}
	if ok(w.Code) != allowed {
		t.Errorf("%s %s as %s (%s): %d, allowed %v: %.200s", method, path, role, lvl, w.Code, allowed, w.Body)
	}
	if !r.meta && leak && !(method == "GET" && strings.HasPrefix(path, "/desk/") && ok(w.Code)) {
		t.Errorf("%s %s as %s (%s): the title leaks (%d)", method, path, role, lvl, w.Code)
	}
	if !allowed && ok(w.Code) {
		return
	}
	if !allowed && w.Code != http.StatusGone && w.Header().Get("Cache-Control") != "" && !strings.Contains(w.Header().Get("Cache-Control"), "no-store") && !strings.Contains(w.Header().Get("Cache-Control"), "private") {
		t.Errorf("%s %s as %s (%s): a refusal may be cached: %q", method, path, role, lvl, w.Header().Get("Cache-Control"))
	}
	if allowed && role != "anonymous" && model[lvl]["anonymous"] != r && !strings.Contains(w.Header().Get("Cache-Control"), "private") && !strings.Contains(w.Header().Get("Cache-Control"), "no-store") {
		t.Errorf("%s %s as %s (%s): built for a signed-in person but cacheable: %q", method, path, role, lvl, w.Header().Get("Cache-Control"))
	}
}

// TestReducedImagesHoldTheirLimitAtEverySize: an anonymous visitor sees a
// reduced image at most 100 pixels long (the configured edge) and no
// sharper, whichever way the size is asked for; info.json says so.
func TestReducedImagesHoldTheirLimitAtEverySize(t *testing.T) {
	e := newAccessEnv(t)
	img := e.items["reduced"].ID + "-1"
	w := e.do("anonymous", "GET", "/iiif/3/"+img+"/info.json", "")
	var info struct {
		MaxWidth, MaxHeight int
		Sizes               []struct{ Width, Height int }
		Tiles               []struct{ ScaleFactors []int }
		Service             []map[string]any
	}
	json.Unmarshal(w.Body.Bytes(), &info)
	if w.Code != 200 || info.MaxWidth != 100 || info.MaxHeight != 100 || len(info.Service) == 0 || info.Service[0]["type"] != "AuthProbeService2" {
		t.Fatalf("info.json of a reduced image: %d %s", w.Code, w.Body)
	}
	for _, s := range info.Sizes {
		if s.Width > 100 || s.Height > 100 {
			t.Errorf("info.json offers %dx%d", s.Width, s.Height)
		}
	}
	for _, sf := range info.Tiles[0].ScaleFactors {
		if 600/sf > 100 && sf != info.Tiles[0].ScaleFactors[len(info.Tiles[0].ScaleFactors)-1] {
			t.Errorf("info.json offers tiles at scale factor %d, sharper than the limit", sf)
		}
	}
	for size, want := range map[string]int{
		"max": 200, "100,": 200, ",66": 200, "pct:10": 200, "!100,100": 200, "!90,90": 200,
		"101,": 401, ",80": 401, "pct:50": 401, "!200,200": 401, "^200,": 401, "^max": 200, "600,400": 401, "^!300,300": 401,
	} {
		w := e.do("anonymous", "GET", "/iiif/3/"+img+"/full/"+size+"/0/default.jpg", "")
		if w.Code != want {
			t.Errorf("size %s: %d, want %d", size, w.Code, want)
			continue
		}
		if w.Code == 200 {
			got, _, err := image.DecodeConfig(bytes.NewReader(w.Body.Bytes()))
			if err != nil || got.Width > 100 || got.Height > 100 {
				t.Errorf("size %s gave %dx%d", size, got.Width, got.Height)
			}
		}
	}
	// A small region at full resolution is as sharp as the whole: refused.
	for _, region := range []string{"0,0,100,100/max", "0,0,100,100/100,", "pct:0,0,10,10/max", "0,0,256,256/256,"} {
		w := e.do("anonymous", "GET", "/iiif/3/"+img+"/"+region+"/0/default.jpg", "")
		if w.Code == 200 {
			if got, _, _ := image.DecodeConfig(bytes.NewReader(w.Body.Bytes())); got.Width > 100*100/600+1 {
				t.Errorf("region %s gave %dx%d, sharper than the reduced image", region, got.Width, got.Height)
			}
		}
	}
	// Nor is a region of a pixel or a few, which a crawler would ask for
	// over and over to put the image together at full resolution.
	for _, region := range []string{"300,300,1,1/max", "300,300,1,1/1,", "10,10,2,1/2,1", "0,0,5,5/5,5", "0,0,1,50/1,9"} {
		if w := e.do("anonymous", "GET", "/iiif/3/"+img+"/"+region+"/0/default.jpg", ""); w.Code == 200 {
			t.Errorf("region %s at full resolution: %d", region, w.Code)
		}
	}
	// The library's own reader sees it whole.
	if w := e.do("cmu-reader", "GET", "/iiif/3/"+img+"/full/max/0/default.jpg", ""); w.Code != 200 {
		t.Errorf("reader of the library: %d", w.Code)
	} else if got, _, _ := image.DecodeConfig(bytes.NewReader(w.Body.Bytes())); got.Width != 600 {
		t.Errorf("reader of the library got %d pixels wide", got.Width)
	}
}

// sharedCacheable: a shared cache may keep an answer with these headers
// unless it says private or no-store and does not say public.
func sharedCacheable(h http.Header) bool {
	cc := h.Get("Cache-Control")
	return strings.Contains(cc, "public") || !strings.Contains(cc, "private") && !strings.Contains(cc, "no-store")
}
