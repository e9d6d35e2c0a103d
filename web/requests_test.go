package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// grantEnv: cmu holds a restricted picture and reveals that it exists; a
// reader of tu, an archivist of tu and one of cmu have tokens; the image
// service, the requests and the store share a clock the test moves.
type grantEnv struct {
	srv                      *Server
	store                    *bolt.Store
	item                     string
	tuReader, tuArch, cmuArc string
	mu                       sync.Mutex
	now                      time.Time
}

func (e *grantEnv) clock() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
func (e *grantEnv) set(t time.Time)  { e.mu.Lock(); defer e.mu.Unlock(); e.now = t }

func newGrantEnv(t testing.TB) *grantEnv {
	t.Helper()
	ctx := context.Background()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e := &grantEnv{store: store, now: time.Now().UTC()}
	store.Now = e.clock
	reveal(t, store, "cmu")
	p := ingest.New(ingest.Config{Store: store, Blobs: blobs})
	path := filepath.Join(t.TempDir(), "palm.jpg")
	os.WriteFile(path, picture(3), 0o644)
	outs := p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{{Path: path, Name: "palm.jpg"}},
		Meta: repository.Item{Institution: "cmu", Title: repository.Text{"en": "Palm-leaf law"}, Access: repository.Access{Level: repository.Restricted}}})
	if outs[0].Status != ingest.Ingested {
		t.Fatalf("ingest: %+v", outs[0])
	}
	e.item = outs[0].Item
	e.tuReader = tokenFor(t, store, "reader@tu.example", "tu", "reader", "write")
	e.tuArch = tokenFor(t, store, "arch@tu.example", "tu", "archivist", "write")
	e.cmuArc = tokenFor(t, store, "arch@cmu.example", "cmu", "archivist", "write")
	cfg := Config{Store: store, Blobs: blobs, Hosts: testHosts, ReducedEdge: 100,
		Images:   imageapi.NewService(imageapi.Config{Items: store, Blobs: blobs, ReducedEdge: 100, Workers: 1, Now: e.clock}),
		Requests: &desk.Requests{Store: store, Now: e.clock}}
	if e.srv, err = New(withServices(t, cfg)); err != nil {
		t.Fatal(err)
	}
	return e
}

// do sends a request with a token ("" for none) and a JSON body ("" for none).
func (e *grantEnv) do(tok, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	return w
}

func (e *grantEnv) ask(t testing.TB, tok string) string {
	t.Helper()
	w := e.do(tok, "POST", "/api/v1/items/"+e.item+"/requests", `{"purpose": "a thesis on Lanna law"}`)
	var out struct{ ID, Status string }
	if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &out) != nil || out.ID == "" || out.Status != "asked" {
		t.Fatalf("asking: %d %s", w.Code, w.Body)
	}
	return out.ID
}

func TestGrantedReaderSeesTheFullImageUntilTheGrantEndsWithoutRestart(t *testing.T) {
	e := newGrantEnv(t)
	image := "/iiif/3/" + e.item + "-1/full/max/0/default.jpg"
	if w := e.do(e.tuReader, "GET", image, ""); w.Code != http.StatusForbidden {
		t.Fatalf("before any grant: %d, want 403", w.Code)
	}
	id := e.ask(t, e.tuReader)
	day := e.clock().In(desk.Zone).AddDate(0, 0, 2).Format(time.DateOnly)
	approve := `{"decision": "approve", "until": "` + day + `", "scope": "item"}`
	if w := e.do(e.tuArch, "POST", "/api/v1/requests/"+id, approve); w.Code != http.StatusForbidden {
		t.Fatalf("another library's archivist approves: %d %s, want 403", w.Code, w.Body)
	}
	w := e.do(e.cmuArc, "GET", "/api/v1/requests", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"id":"`+id+`"`) || !strings.Contains(w.Body.String(), "reader@tu.example") {
		t.Fatalf("cmu's queue: %d %s", w.Code, w.Body)
	}
	if w := e.do(e.tuArch, "GET", "/api/v1/requests", ""); w.Code != 200 || strings.Contains(w.Body.String(), id) {
		t.Fatalf("tu's queue shows cmu's request: %d %s", w.Code, w.Body)
	}
	w = e.do(e.cmuArc, "POST", "/api/v1/requests/"+id, approve)
	var decided struct{ Status, Until string }
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &decided) != nil || decided.Status != "approved" || decided.Until != day {
		t.Fatalf("approving: %d %s", w.Code, w.Body)
	}
	w = e.do(e.tuReader, "GET", image, "")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "image/jpeg") {
		t.Fatalf("with the grant: %d %s", w.Code, w.Body)
	}
	if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "private") || strings.Contains(cc, "public") {
		t.Fatalf("an image read through a grant has Cache-Control %q, want private", cc)
	}
	evs, err := e.store.Events(e.item)
	if err != nil {
		t.Fatal(err)
	}
	views := 0
	for _, ev := range evs {
		if ev.Type == repository.GrantView && ev.Agent == "reader@tu.example" {
			views++
		}
	}
	if views != 1 {
		t.Fatalf("%d views through the grant recorded, want 1", views)
	}
	var stored *repository.Request
	if stored, err = e.store.Request(id); err != nil {
		t.Fatal(err)
	}
	e.set(stored.Until)
	if w := e.do(e.tuReader, "GET", image, ""); w.Code != http.StatusForbidden {
		t.Fatalf("at the grant's end: %d, want 403", w.Code)
	}
	w = e.do(e.tuReader, "GET", "/api/v1/requests", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"status":"ended"`) {
		t.Fatalf("the reader's requests after the end: %d %s", w.Code, w.Body)
	}
}

func TestAskingForAnItemTheAskerMayNotKnowOfIsNotFound(t *testing.T) {
	e := newGrantEnv(t)
	hidden := &repository.Item{Institution: "chula", Title: repository.Text{"en": "Closed"}, Access: repository.Access{Level: repository.Restricted}}
	if err := e.store.SaveItem(context.Background(), hidden, "t"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{hidden.ID, "no-such-item"} {
		w := e.do(e.tuReader, "POST", "/api/v1/items/"+id+"/requests", `{"purpose": "x"}`)
		if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "Closed") {
			t.Errorf("asking for %s: %d %s, want 404", id, w.Code, w.Body)
		}
	}
	if w := e.do("", "POST", "/api/v1/items/"+e.item+"/requests", `{"purpose": "x"}`); w.Code != http.StatusUnauthorized {
		t.Errorf("asking without signing in: %d, want 401", w.Code)
	}
	if w := e.do(e.tuReader, "POST", "/api/v1/items/"+e.item+"/requests", `{"purpose": ""}`); w.Code != http.StatusBadRequest {
		t.Errorf("asking without a purpose: %d, want 400", w.Code)
	}
	if w := e.do(e.tuReader, "POST", "/api/v1/requests/no-such", `{"decision": "refuse", "reason": "x"}`); w.Code != http.StatusNotFound {
		t.Errorf("deciding an unknown request: %d, want 404", w.Code)
	}
}

func TestAskingWithASessionNeedsTheArchivesOwnOrigin(t *testing.T) {
	e := newGrantEnv(t)
	u, err := e.store.UserByEmail("reader@tu.example")
	if err != nil {
		t.Fatal(err)
	}
	cookie, err := e.store.CreateSession(u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	path, body := "/api/v1/items/"+e.item+"/requests", `{"purpose": "a thesis"}`
	for _, origin := range []string{"", "https://evil.example", "http://example.com.evil.example"} {
		hdr := []string{"Cookie", sessionCookie + "=" + cookie}
		if origin != "" {
			hdr = append(hdr, "Origin", origin)
		}
		if w := e.do("", "POST", path, body, hdr...); w.Code != http.StatusForbidden {
			t.Errorf("a session asking with Origin %q: %d, want 403", origin, w.Code)
		}
	}
	if w := e.do("", "POST", path, body, "Cookie", sessionCookie+"="+cookie, "Origin", "http://example.com"); w.Code != http.StatusCreated {
		t.Fatalf("a session asking from the archive's own origin: %d %s", w.Code, w.Body)
	}
}

func TestProbeTellsASignedInPersonWhereToAskInThaiAndEnglish(t *testing.T) {
	e := newGrantEnv(t)
	w := e.do(e.tuReader, "GET", "/iiif/auth/probe/"+e.item+"-1", "")
	var doc struct {
		Status int
		Note   map[string][]string
	}
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &doc) != nil || doc.Status != 403 {
		t.Fatalf("probe: %d %s", w.Code, w.Body)
	}
	want := "http://example.com/items/" + e.item + "#request"
	for _, lang := range []string{"th", "en"} {
		if len(doc.Note[lang]) != 1 || !strings.Contains(doc.Note[lang][0], want) || doc.Note[lang][0] == want {
			t.Errorf("the %s note %q does not say where to ask (%s)", lang, doc.Note[lang], want)
		}
	}
}

func TestDownloadThroughAGrantIsRecordedForTheHoldingLibrary(t *testing.T) {
	e := newGrantEnv(t)
	id := e.ask(t, e.tuReader)
	if w := e.do(e.cmuArc, "POST", "/api/v1/requests/"+id, `{"decision": "approve"}`); w.Code != 200 {
		t.Fatalf("approving: %d %s", w.Code, w.Body)
	}
	if w := e.do(e.cmuArc, "GET", "/api/v1/items/"+e.item+"/files/1", ""); w.Code != 200 {
		t.Fatalf("the archivist's download: %d", w.Code)
	}
	if w := e.do(e.tuReader, "GET", "/api/v1/items/"+e.item+"/files/1", "", "Range", "bytes=0-99"); w.Code != http.StatusPartialContent {
		t.Fatalf("the granted reader's download: %d %s", w.Code, w.Body)
	}
	evs, err := e.store.Events(e.item)
	if err != nil {
		t.Fatal(err)
	}
	var who []string
	for _, ev := range evs {
		if ev.Type == repository.GrantView {
			who = append(who, ev.Agent)
		}
	}
	if len(who) != 1 || who[0] != "reader@tu.example" {
		t.Fatalf("views through a grant recorded by %v, want the reader's one", who)
	}
}
