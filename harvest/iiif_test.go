package harvest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// iiifServer serves IIIF documents by path; base is filled in for "BASE".
type iiifServer struct {
	mu   sync.Mutex
	docs map[string]string
}

func (s *iiifServer) set(path, doc string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[path] = doc
}

func startIIIF(t *testing.T) (*iiifServer, string) {
	t.Helper()
	s := &iiifServer{docs: map[string]string{}}
	var base string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		doc, ok := s.docs[r.URL.Path]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/ld+json")
		fmt.Fprint(w, strings.ReplaceAll(doc, "BASE", base))
	}))
	t.Cleanup(srv.Close)
	base = srv.URL
	return s, base
}

func TestAIIIFCollectionIsWalkedToItsManifestsInBothVersions(t *testing.T) {
	s, st := fixture(t)
	srv, base := startIIIF(t)
	top := `{"@context":"http://iiif.io/api/presentation/3/context.json","id":"BASE/top","type":"Collection","label":{"en":["Top"]},"items":[
		{"id":"BASE/m/lanna","type":"Manifest"},{"id":"BASE/v2/coll","type":"Collection"},{"id":"BASE/m/missing","type":"Manifest"},{"id":"BASE/m/nolabel","type":"Manifest"}]}`
	srv.set("/top", top)
	srv.set("/m/lanna", `{"id":"BASE/m/lanna","type":"Manifest","label":{"th":["ใบลานล้านนา"],"en":["Lanna palm-leaf manuscript"]},"summary":{"none":["คัมภีร์ใบลาน"]},
		"navDate":"1850-01-01T00:00:00Z","thumbnail":[{"id":"BASE/iiif/lanna/full/200,/0/default.jpg","type":"Image"}],"homepage":[{"id":"BASE/items/lanna","type":"Text"}]}`)
	srv.set("/v2/coll", `{"@context":"http://iiif.io/api/presentation/2/context.json","@id":"BASE/v2/coll","@type":"sc:Collection","label":"Old","manifests":[{"@id":"BASE/v2/m1","@type":"sc:Manifest"}],
		"collections":[{"@id":"BASE/top","@type":"sc:Collection"}]}`)
	srv.set("/v2/m1", `{"@id":"BASE/v2/m1","@type":"sc:Manifest","label":[{"@value":"แผนที่เมืองเชียงใหม่","@language":"th"}],"description":"A map","thumbnail":{"@id":"BASE/t/m1.jpg"},"related":"BASE/page/m1"}`)
	srv.set("/m/nolabel", `{"id":"BASE/m/nolabel","type":"Manifest"}`)
	src := &repository.Source{Institution: "chula", IIIF: base + "/top", Every: "24h"}
	if err := s.Add(ctx, admin, src); err != nil {
		t.Fatal(err)
	}
	got, err := s.Run(ctx, admin, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Run; r.Read != 4 || r.Added != 2 || r.Failed != 2 || len(r.Errors) != 2 || r.Finished.IsZero() {
		t.Fatalf("the walk: %+v", r)
	}
	lanna, err := st.EntryOf(src.ID, base+"/m/lanna")
	if err != nil || lanna.Title["th"] != "ใบลานล้านนา" || lanna.Title["en"] != "Lanna palm-leaf manuscript" || lanna.Summary["th"] != "คัมภีร์ใบลาน" ||
		lanna.Manifest != base+"/m/lanna" || lanna.Link != base+"/items/lanna" || lanna.Thumbnail != base+"/iiif/lanna/full/200,/0/default.jpg" || lanna.Date != "1850" {
		t.Fatalf("the v3 manifest's entry: %+v, %v", lanna, err)
	}
	m1, err := st.EntryOf(src.ID, base+"/v2/m1")
	if err != nil || m1.Title["th"] != "แผนที่เมืองเชียงใหม่" || m1.Summary["en"] != "A map" || m1.Link != base+"/page/m1" || m1.Thumbnail != base+"/t/m1.jpg" {
		t.Fatalf("the v2 manifest's entry: %+v, %v", m1, err)
	}
	// The collection no longer lists the v2 collection: its manifest
	// leaves the catalogue; the other is not written again.
	srv.set("/top", strings.Replace(top, `{"id":"BASE/v2/coll","type":"Collection"},`, "", 1))
	again, err := s.Run(ctx, admin, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := again.Run; r.Unchanged != 1 || r.Removed != 1 || r.Added+r.Changed != 0 {
		t.Fatalf("the second walk: %+v", r)
	}
	if e, _ := st.EntryOf(src.ID, base+"/m/lanna"); e.Version != 1 {
		t.Fatalf("an unchanged manifest was written again: version %d", e.Version)
	}
}
