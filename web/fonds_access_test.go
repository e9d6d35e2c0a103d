package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
)

// The viewer of a unit's pages names, in its crumbs, the fonds in its
// address: a fonds the reader may not see is not named, whatever unit
// follows it.
func TestUnitViewerNamesNoFondsTheReaderMayNotSee(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	for _, c := range []*repository.Collection{
		{ID: "tu-secret", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Zqhiddenfonds"}, Access: repository.Access{Level: repository.Restricted}},
		{ID: "open-fonds", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Openfonds"}},
	} {
		if err := e.store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	w := e.do(t, "GET", "/fonds/tu-secret/view/open-fonds")
	if strings.Contains(w.Body.String(), "Zqhiddenfonds") {
		t.Errorf("the viewer names Thammasat's hidden fonds to an anonymous visitor (%d, %s)", w.Code, w.Header().Get("Cache-Control"))
	}
}

// A finding aid is decided at the moment it is asked for: a unit whose
// embargo ended after the tree last changed is in it (the export decided
// embargoes at the tree's newest change, so it stayed hidden until someone
// edited the tree).
func TestFindingAidShowsAUnitWhoseEmbargoHasEnded(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	now := e.store.Now
	e.store.Now = func() time.Time { return time.Now().AddDate(0, -2, 0) }
	ended := time.Now().AddDate(0, -1, 0).Format("2006-01-02")
	for _, c := range []*repository.Collection{
		{ID: "open-fonds", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Openfonds"}},
		{ID: "was-shut", Institution: "cmu", Parent: "open-fonds", Level: repository.Series, Title: repository.Text{"en": "Zqreleased"}, Access: repository.Access{Embargo: ended}},
	} {
		if err := e.store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	e.store.Now = now
	for _, path := range []string{"/fonds/open-fonds", "/api/v1/fonds/open-fonds/ead.xml", "/iiif/3/collection/open-fonds/tree",
		"/oai?verb=GetRecord&metadataPrefix=ead&identifier=oai:archive:fonds:open-fonds"} {
		if w := e.do(t, "GET", path); !strings.Contains(w.Body.String(), "Zqreleased") {
			t.Errorf("%s (%d) leaves out a series whose embargo ended on %s", path, w.Code, ended)
		}
	}
}
