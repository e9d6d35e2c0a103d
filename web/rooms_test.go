package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// roomEnv is an archive whose library cmu has reading rooms at
// 10.1.0.0/16 and 2001:db8:c00::/48, behind a proxy at 192.0.2.1, with
// one public image item readable only in the reading rooms.
type roomEnv struct {
	srv         *Server
	store       *bolt.Store
	item, image string
}

const (
	inside   = "10.1.2.3:40000"
	inside6  = "[2001:db8:c00::5]:40000"
	outside  = "203.0.113.9:40000"
	proxy    = "192.0.2.1:40000"
	roomNote = "This item can be read only in the reading room of Chiang Mai University Library."
	roomTh   = "รายการนี้อ่านได้ที่ห้องอ่านของห้องสมุดมหาวิทยาลัยเชียงใหม่เท่านั้น"
)

func newRoomEnv(t *testing.T) *roomEnv {
	t.Helper()
	store, blobs := emptyStore(t)
	dir := t.TempDir()
	var b bytes.Buffer
	png.Encode(&b, quadrants().SubImage(image.Rect(0, 0, 400, 300)))
	os.WriteFile(filepath.Join(dir, "q.png"), b.Bytes(), 0o644)
	p := ingest.New(ingest.Config{Store: store, Blobs: blobs})
	outs := p.Ingest(context.Background(), ingest.Unit{Files: []ingest.Input{{Path: filepath.Join(dir, "q.png"), Name: "q.png"}},
		Meta: repository.Item{Institution: "cmu", Title: repository.Text{"en": "Fragile letter", "th": "จดหมายเปราะบาง"},
			Access: repository.Access{Level: repository.Public, ReadingRoom: true}}})
	if outs[0].Status != ingest.Ingested {
		t.Fatalf("ingest: %+v", outs)
	}
	seedAdmin(t, store)
	rooms := access.Rooms{"cmu": {netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("2001:db8:c00::/48")}}
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts, Rooms: rooms, TrustedProxies: []string{"192.0.2.1"}}))
	if err != nil {
		t.Fatal(err)
	}
	return &roomEnv{srv: srv, store: store, item: outs[0].Item, image: outs[0].Images[0]}
}

// from asks path from the remote address, with headers in pairs.
func (e *roomEnv) from(remote, path string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = remote
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, req)
	return w
}

func TestReadingRoomContentIsGivenOnlyInsideTheLibrarysRanges(t *testing.T) {
	e := newRoomEnv(t)
	paths := []string{"/api/v1/items/" + e.item + "/files/1", "/iiif/3/" + e.image + "/full/max/0/default.jpg", "/iiif/3/" + e.image + "/full/120,/0/default.jpg"}
	for _, path := range paths {
		for _, remote := range []string{inside, inside6} {
			w := e.from(remote, path)
			if w.Code != http.StatusOK {
				t.Errorf("%s from %s: %d %s", path, remote, w.Code, w.Body)
			}
			if sharedCacheable(w.Header()) {
				t.Errorf("%s from %s may be kept by a shared cache: %q", path, remote, w.Header().Get("Cache-Control"))
			}
		}
		w := e.from(outside, path)
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), roomNote) {
			t.Errorf("%s from outside: %d %q, want 403 with the note", path, w.Code, w.Body)
		}
		if sharedCacheable(w.Header()) {
			t.Errorf("%s from outside may be kept by a shared cache: %q", path, w.Header().Get("Cache-Control"))
		}
	}
	w := e.from(outside, paths[0], "Accept-Language", "th")
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), roomTh) {
		t.Errorf("from outside in Thai: %d %q", w.Code, w.Body)
	}
}

func TestReadingRoomAddressIsTakenFromTheTrustedProxyOnly(t *testing.T) {
	e := newRoomEnv(t)
	path := "/api/v1/items/" + e.item + "/files/1"
	cases := []struct {
		name, remote, forwarded string
		want                    int
	}{
		{"the trusted proxy names a reader inside", proxy, "10.1.2.3", http.StatusOK},
		{"the trusted proxy names a reader inside, IPv6", proxy, "2001:db8:c00::77", http.StatusOK},
		{"the trusted proxy names a reader outside", proxy, "203.0.113.9", http.StatusForbidden},
		{"a client outside claims an address inside", outside, "10.1.2.3", http.StatusForbidden},
		{"a client inside claims an address outside", inside, "203.0.113.9", http.StatusOK},
	}
	for _, c := range cases {
		if w := e.from(c.remote, path, "X-Forwarded-For", c.forwarded); w.Code != c.want {
			t.Errorf("%s: %d, want %d", c.name, w.Code, c.want)
		}
	}
}

func TestReadingRoomItemPageShowsTheDescriptionAndSaysWhereToReadIt(t *testing.T) {
	e := newRoomEnv(t)
	path := "/items/" + e.item
	for lang, note := range map[string]string{"en": roomNote, "th": roomTh} {
		w := e.from(outside, path+"?lang="+lang, "Accept", "text/html")
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), note) || !strings.Contains(w.Body.String(), "จดหมายเปราะบาง") && lang == "th" {
			t.Errorf("outside, %s: %d, want the description and %q", lang, w.Code, note)
		}
		if strings.Contains(w.Body.String(), "/files/1") {
			t.Errorf("outside, %s: the page offers the file", lang)
		}
		if sharedCacheable(w.Header()) {
			t.Errorf("outside, %s: a shared cache may keep the page: %q", lang, w.Header().Get("Cache-Control"))
		}
	}
	w := e.from(inside, path+"?lang=en", "Accept", "text/html")
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), roomNote) || !strings.Contains(w.Body.String(), "/files/1") {
		t.Errorf("inside: %d, want the page with the file and without the note", w.Code)
	}
	if !strings.Contains(w.Body.String(), "Readable only in the library&#39;s reading rooms") {
		t.Errorf("inside: the page does not say the item is read in the reading rooms")
	}
	if w := e.from(inside, path+"?lang=th", "Accept", "text/html"); !strings.Contains(w.Body.String(), "อ่านได้เฉพาะในห้องอ่านของห้องสมุด") {
		t.Errorf("inside, in Thai: the page does not say the item is read in the reading rooms")
	}
	if sharedCacheable(w.Header()) {
		t.Errorf("inside: a shared cache may keep the page: %q", w.Header().Get("Cache-Control"))
	}
}

func TestReadingRoomContentIsGivenToTheLibrarysStaffAnywhere(t *testing.T) {
	e := newRoomEnv(t)
	path := "/api/v1/items/" + e.item + "/files/1"
	arch := tokenFor(t, e.store, "arch@cmu", "cmu", "archivist", "read")
	reader := tokenFor(t, e.store, "reader@cmu", "cmu", "reader", "read")
	other := tokenFor(t, e.store, "arch@tu", "tu", "archivist", "read")
	for who, want := range map[string]int{arch: http.StatusOK, reader: http.StatusForbidden, other: http.StatusForbidden} {
		if w := e.from(outside, path, "Authorization", "Bearer "+who); w.Code != want {
			t.Errorf("token %s… outside: %d, want %d", who[:4], w.Code, want)
		}
	}
}

// kioskOf finds the kiosk access service among the services of an image
// service or info.json, and the position it holds among the access services.
func kioskOf(services any) (kiosk map[string]any, at int) {
	list, _ := services.([]any)
	for _, s := range list {
		probe, _ := s.(map[string]any)
		if probe["type"] != "AuthProbeService2" {
			continue
		}
		access, _ := probe["service"].([]any)
		for i, a := range access {
			if d, _ := a.(map[string]any); d["profile"] == "kiosk" && d["type"] == "AuthAccessService2" {
				return d, i
			}
		}
	}
	return nil, -1
}

func TestReadingRoomInfoJSONAndManifestNameTheKioskService(t *testing.T) {
	e := newRoomEnv(t)
	for _, remote := range []string{inside, outside} {
		w := e.from(remote, "/iiif/3/"+e.image+"/info.json")
		var info map[string]any
		json.Unmarshal(w.Body.Bytes(), &info)
		kiosk, at := kioskOf(info["service"])
		if kiosk == nil || at != 0 || !strings.HasSuffix(kiosk["id"].(string), "/iiif/auth/kiosk") {
			t.Errorf("info.json from %s (%d) names no kiosk access service first: %v", remote, w.Code, info["service"])
		}
		if sharedCacheable(w.Header()) {
			t.Errorf("info.json from %s may be kept by a shared cache: %q", remote, w.Header().Get("Cache-Control"))
		}
	}
	w := e.from(outside, "/iiif/3/manifest/"+e.item)
	if w.Code != http.StatusOK || sharedCacheable(w.Header()) {
		t.Fatalf("manifest from outside: %d %q", w.Code, w.Header().Get("Cache-Control"))
	}
	if !strings.Contains(w.Body.String(), `"profile":"kiosk"`) {
		t.Errorf("the manifest names no kiosk service: %s", w.Body)
	}
	if w := e.from(outside, "/iiif/2/manifest/"+e.item); !strings.Contains(w.Body.String(), `"profile":"kiosk"`) {
		t.Errorf("the 2.1 manifest names no kiosk service: %s", w.Body)
	}
}

func TestReadingRoomProbeSaysWhereToReadOutsideAndOpensInside(t *testing.T) {
	e := newRoomEnv(t)
	probe := func(remote string) map[string]any {
		w := e.from(remote, "/iiif/auth/probe/"+e.image)
		var doc map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Code != http.StatusOK {
			t.Fatalf("probe from %s: %d %s", remote, w.Code, w.Body)
		}
		if sharedCacheable(w.Header()) {
			t.Errorf("probe from %s may be kept by a shared cache: %q", remote, w.Header().Get("Cache-Control"))
		}
		return doc
	}
	if doc := probe(inside); doc["status"] != 200.0 {
		t.Errorf("probe inside: %v", doc)
	}
	doc := probe(outside)
	note, _ := doc["note"].(map[string]any)
	if doc["status"] != 403.0 || fmt.Sprint(note["en"]) != fmt.Sprint([]any{roomNote}) || fmt.Sprint(note["th"]) != fmt.Sprint([]any{roomTh}) {
		t.Errorf("probe outside: %v, want 403 with the note in Thai and English", doc)
	}
	if h, _ := doc["heading"].(map[string]any); h["th"] == nil || h["en"] == nil {
		t.Errorf("probe outside: heading %v, want Thai and English", doc["heading"])
	}
}

func TestReadingRoomKioskFlowGivesATokenWithoutSignInOnlyInside(t *testing.T) {
	e := newRoomEnv(t)
	if w := e.from(inside, "/iiif/auth/kiosk?lang=th"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "ห้องอ่าน") || sharedCacheable(w.Header()) {
		t.Errorf("kiosk page: %d %q %s", w.Code, w.Header().Get("Cache-Control"), w.Body)
	}
	token := func(remote string) string {
		w := e.from(remote, "/iiif/auth/token?messageId=m-1&origin=http%3A%2F%2Fexample.com", "Host", "example.com")
		m := postMessage.FindStringSubmatch(w.Body.String())
		if w.Code != http.StatusOK || m == nil {
			t.Fatalf("token service from %s: %d %s", remote, w.Code, w.Body)
		}
		var msg map[string]any
		json.Unmarshal([]byte(m[1]), &msg)
		if msg["type"] == "AuthAccessToken2" {
			return msg["accessToken"].(string)
		}
		return ""
	}
	tok := token(inside)
	if tok == "" {
		t.Fatal("no token inside the reading room")
	}
	if token(outside) != "" {
		t.Error("a token without sign-in outside the reading rooms")
	}
	w := e.from(inside, "/iiif/auth/probe/"+e.image, "Authorization", "Bearer "+tok)
	if !strings.Contains(w.Body.String(), `"status":200`) {
		t.Errorf("probe inside with the kiosk token: %s", w.Body)
	}
	w = e.from(outside, "/iiif/auth/probe/"+e.image, "Authorization", "Bearer "+tok)
	if !strings.Contains(w.Body.String(), `"status":403`) {
		t.Errorf("the kiosk token carried outside opens the image: %s", w.Body)
	}
}
