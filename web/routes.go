package web

import (
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"
)

type route struct {
	method, path string
	handlers     []gin.HandlerFunc
}

// routes is every address of the archive but the resumable uploads (see
// mountUploads). The test that walks every route with every role fails
// when a route here is missing from its table.
func (s *Server) routes() []route {
	get := func(path string, h ...gin.HandlerFunc) route { return route{http.MethodGet, path, h} }
	head := func(path string, h ...gin.HandlerFunc) route { return route{http.MethodHead, path, h} }
	post := func(path string, h ...gin.HandlerFunc) route { return route{http.MethodPost, path, h} }
	static, _ := fs.Sub(assets, "static")
	files := http.StripPrefix("/static", http.FileServer(http.FS(static)))
	serveStatic := func(c *gin.Context) {
		s.cache(c, publicStatic)
		files.ServeHTTP(c.Writer, c.Request)
	}
	signedIn := s.requireSignIn
	rs := []route{
		get("/healthz", s.healthz),
		get("/readyz", s.readyz),
		get("/static/*file", serveStatic),
		head("/static/*file", serveStatic),
		get("/assets/logo/:file", s.logo),
		get("/favicon.ico", s.favicon),
		// What search engines are given and kept from (sitemap.go)
		get("/robots.txt", s.robots),
		get("/sitemap.xml", s.sitemapIndex),
		get("/sitemap/:n", s.sitemapPage),
		// Pages
		get("/", s.home),
		get("/libraries/:id", s.libraryPage),
		get("/collections/:id", s.collectionPage),
		get("/items/:id", s.itemPage),
		get("/entries/:id", s.entryPage),
		get("/ark/*name", s.resolveARK),
		get("/items/:id/transcribe/:n", s.transcribe),
		post("/items/:id/transcribe/:n", s.fromOwnPages, s.saveTranscription),
		post("/items/:id/transcribe/:n/review", s.fromOwnPages, s.reviewTranscription),
		post("/items/:id/transcribe/:n/invite", s.fromOwnPages, s.inviteTranscriber),
		get("/fonds/:id", s.findingAid),
		get("/fonds/:id/print", s.printAid),
		get("/fonds/:id/print.pdf", s.printPDF),
		get("/fonds/:id/view/:unit", s.unitViewer),
		get("/search", s.searchPage),
		get("/points/:id", s.pointPublic),
		get("/embed/:id", s.embedPage),
		get("/oembed", s.oembed),
		// Sign-in, also the IIIF access and logout services
		get("/login", s.loginForm),
		post("/login", s.login),
		get("/logout", s.logout),
		// Sign-in with a university account
		get("/login/callback", s.oidcCallback),
		get("/login/:library", s.universityLogin),
		post("/login/:library/link", signedIn, s.linkUniversity),
		get("/saml/metadata", s.samlMetadata),
		post("/saml/acs", s.samlACS),
		get("/saml/slo", s.samlSLO),
		get("/api/v1/me", s.me),
		post("/logout", s.logout),
		// IIIF
		get("/iiif/auth/probe/:id", cors, s.probe),
		get("/iiif/auth/token", s.tokenPage),
		get("/iiif/auth/kiosk", s.kioskPage),
		get("/iiif/discovery/collection", cors, s.discovery),
		get("/iiif/discovery/page/:n", cors, s.discovery),
		// IIIF Content Search inside an item, and the text of its pages
		get("/iiif/search/2/:id", cors, s.searchWithin(2)),
		get("/iiif/search/1/:id", cors, s.searchWithin(1)),
		get("/iiif/autocomplete/2/:id", cors, s.autocomplete(2)),
		get("/iiif/autocomplete/1/:id", cors, s.autocomplete(1)),
		get("/iiif/text/:id/:n", cors, s.textPage),
		{http.MethodOptions, "/iiif/search/*any", []gin.HandlerFunc{cors}},
		{http.MethodOptions, "/iiif/autocomplete/*any", []gin.HandlerFunc{cors}},
		{http.MethodOptions, "/iiif/text/*any", []gin.HandlerFunc{cors}},
		// OAI-PMH
		get("/oai", s.oaiPMH),
		post("/oai", s.oaiPMH),
		// JSON API
		get("/api/v1/institutions", s.institutions),
		get("/api/v1/search", cors, s.apiSearch),
		get("/api/v1/fonds/:id/ead.xml", s.eadExport),
		get("/api/v1/items/:id", s.item),
		get("/api/v1/items/:id/citation", s.itemCitation),
		get("/api/v1/units/:id/citation", s.unitCitation),
		post("/api/v1/items/:id", signedIn, s.updateItem),
		post("/api/v1/items/:id/withdraw", signedIn, s.withdrawItem),
		post("/api/v1/items/:id/purge", signedIn, s.purgeItem),
		get("/api/v1/items/:id/files/:n", s.file),
		head("/api/v1/items/:id/files/:n", s.file),
		get("/api/v1/items/:id/files/:n/:derivative", s.derivative),
		get("/api/v1/items/:id/files/:n/web", s.webCopy),
		get("/api/v1/items/:id/files/:n/alto", s.alto),
		get("/api/v1/items/:id/text", s.itemText),
		get("/api/v1/items/:id/pdf", s.itemPDF),
		post("/api/v1/items/:id/ocr", signedIn, s.requestOCR),
		head("/api/v1/items/:id/files/:n/web", s.webCopy),
		get("/api/v1/admin/backup", signedIn, s.backup),
		get("/api/v1/admin/stats", signedIn, s.stats),
		// The archivists' desk
		get("/desk", signedIn, s.desk),
		get("/desk/items", signedIn, s.deskItems),
		post("/desk/items", signedIn, s.batchEdit),
		post("/desk/describe", signedIn, s.describeSheet),
		get("/desk/items/:id", signedIn, s.editItem),
		post("/desk/items/:id", signedIn, s.saveItem),
		post("/desk/items/:id/restore", signedIn, s.restoreItem),
		post("/desk/items/:id/withdraw", signedIn, s.withdrawItem),
		post("/desk/items/:id/ocr", signedIn, s.requestOCR),
		get("/desk/collections/new", signedIn, s.editCollection),
		get("/desk/collections/:id", signedIn, s.editCollection),
		post("/desk/collections", signedIn, s.saveCollection),
		post("/desk/collections/:id", signedIn, s.saveCollection),
		get("/desk/fonds", signedIn, s.deskFonds),
		get("/desk/fonds/:id", signedIn, s.outline),
		post("/desk/fonds/:id/move", signedIn, s.moveUnit),
		get("/desk/find-items", signedIn, s.findItems),
		get("/desk/units/new", signedIn, s.editUnit),
		get("/desk/units/:id", signedIn, s.editUnit),
		post("/desk/units", signedIn, s.saveUnit),
		post("/desk/units/:id", signedIn, s.saveUnit),
		post("/desk/ead", signedIn, s.importEAD),
		get("/desk/boxes", signedIn, s.deskBoxes),
		get("/desk/boxes/:id", signedIn, s.deskBox),
		post("/desk/boxes/:id/move", signedIn, s.moveBox),
		get("/desk/points", signedIn, s.deskPoints),
		get("/desk/points/:id", signedIn, s.pointForm),
		post("/desk/points/:id", signedIn, s.savePoint),
		post("/desk/points/:id/merge", signedIn, s.mergePoint),
		get("/desk/users", signedIn, s.usersPage),
		get("/desk/fixity", signedIn, s.fixity),
		post("/desk/users", signedIn, s.saveUser),
		get("/desk/sources", signedIn, s.sourcesDesk),
		post("/desk/sources", signedIn, s.sourcesPost),
		get("/api/v1/sources", signedIn, s.apiSources),
		post("/api/v1/sources", signedIn, s.fromOwnPages, s.apiSourceAdd),
		post("/api/v1/sources/:id/run", signedIn, s.fromOwnPages, s.apiSourceRun),
		{http.MethodDelete, "/api/v1/sources/:id", []gin.HandlerFunc{signedIn, s.fromOwnPages, s.apiSourceRemove}},
		// Access requests and grants (requests.go, requestpages.go)
		post("/api/v1/items/:id/requests", s.fromOwnPages, s.apiAsk),
		get("/api/v1/requests", signedIn, s.apiRequests),
		post("/api/v1/requests/:id", s.fromOwnPages, s.apiDecide),
		post("/items/:id/requests", s.fromOwnPages, s.askForm),
		get("/desk/requests", signedIn, s.deskRequests),
		post("/desk/requests/:id", signedIn, s.deskDecide),
		// Web annotations (annotations.go)
		// (read by viewers anywhere, as IIIF is; changed from here only)
		get("/annotations/:item/", cors, s.annoContainer),
		head("/annotations/:item/", cors, s.annoContainer),
		get("/annotations/:item/:n/", cors, s.annoContainer),
		head("/annotations/:item/:n/", cors, s.annoContainer),
		get("/annotations/:item/export", cors, s.annoExport),
		head("/annotations/:item/export", cors, s.annoExport),
		post("/annotations/:item/:n/", s.fromOwnPages, s.annoCreate),
		post("/annotations/:item/import", s.fromOwnPages, s.annoImport),
		get("/annotations/:item/:n/:id", cors, s.annoGet),
		head("/annotations/:item/:n/:id", cors, s.annoGet),
		{http.MethodOptions, "/annotations/*any", []gin.HandlerFunc{annoOptions, cors}},
		{http.MethodPut, "/annotations/:item/:n/:id", []gin.HandlerFunc{s.fromOwnPages, s.annoPut}},
		{http.MethodDelete, "/annotations/:item/:n/:id", []gin.HandlerFunc{s.fromOwnPages, s.annoDelete}},
		post("/annotations/:item/:n/:id/review", s.fromOwnPages, s.annoReview),
		get("/account/requests", signedIn, s.accountRequests),
		get("/account/data", signedIn, s.accountData),
		post("/account/remove", signedIn, s.accountRemove),
		// Groups to share annotations with (groups.go)
		get("/account/groups", signedIn, s.accountGroups),
		post("/account/groups", signedIn, s.accountGroupCreate),
		post("/account/groups/:id", signedIn, s.accountGroupChange),
		get("/api/v1/groups", signedIn, s.apiGroups),
		post("/api/v1/groups", s.fromOwnPages, s.apiGroupCreate),
		post("/api/v1/groups/:id", s.fromOwnPages, s.apiGroupChange),
	}
	for _, v := range []int{2, 3} {
		prefix := "/iiif/2"
		if v == 3 {
			prefix = "/iiif/3"
		}
		rs = append(rs,
			route{http.MethodOptions, prefix + "/*any", []gin.HandlerFunc{cors}},
			get(prefix+"/:id", cors, func(c *gin.Context) { s.iiifBase(c, v) }),
			get(prefix+"/:id/*rest", cors, func(c *gin.Context) { s.iiifImage(c, v) }),
			head(prefix+"/:id/*rest", cors, func(c *gin.Context) { s.iiifImage(c, v) }),
		)
	}
	return rs
}
