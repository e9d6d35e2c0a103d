package oai

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// One request builds at most a page of finding aids (each may hold
// thousands of units): a harvest of every fonds goes on with resumption
// tokens and gets each fonds once, and a token of one list is refused by
// another.
func TestFindingAidsAreHarvestedAPageAtATime(t *testing.T) {
	ctx := context.Background()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	const fonds = 2*eadPageSize + 3
	for i := range fonds {
		c := &repository.Collection{ID: fmt.Sprintf("cmu-f%02d", i), Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": fmt.Sprint("Fonds ", i)}}
		if err := store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	p := &Provider{Store: store}
	ask := func(q string) string {
		t.Helper()
		args, _ := url.ParseQuery(q)
		b, err := p.Answer(ctx, "http://a.example/oai", "http://a.example", args)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tokenRE := regexp.MustCompile(`<resumptionToken[^>]*>([^<]*)</resumptionToken>`)
	seen := map[string]bool{}
	q := "verb=ListRecords&metadataPrefix=ead&set=cmu"
	var first string
	for pages := 0; ; pages++ {
		if pages > fonds {
			t.Fatal("the harvest never ends")
		}
		got := ask(q)
		if n := strings.Count(got, "<record>"); n > eadPageSize || n == 0 && pages == 0 {
			t.Fatalf("page %d holds %d finding aids: %.300s", pages, n, got)
		}
		for _, m := range regexp.MustCompile(`<identifier>oai:archive:fonds:([a-z0-9-]+)</identifier>`).FindAllStringSubmatch(got, -1) {
			if seen[m[1]] {
				t.Errorf("%s is harvested twice", m[1])
			}
			seen[m[1]] = true
		}
		m := tokenRE.FindStringSubmatch(got)
		if m == nil || m[1] == "" {
			break
		}
		if first == "" {
			first = m[1]
		}
		q = "verb=ListRecords&resumptionToken=" + url.QueryEscape(m[1])
	}
	if len(seen) != fonds {
		t.Errorf("the harvest got %d of %d finding aids", len(seen), fonds)
	}
	if got := ask("verb=ListIdentifiers&resumptionToken=" + url.QueryEscape(first)); !strings.Contains(got, `code="badResumptionToken"`) {
		t.Errorf("a ListRecords token continues ListIdentifiers: %.300s", got)
	}
	if got := ask("verb=ListIdentifiers&metadataPrefix=ead"); strings.Count(got, "<header>") != fonds || strings.Contains(got, "<resumptionToken") {
		t.Errorf("the identifiers of %d finding aids are not one page: %.300s", fonds, got)
	}
}

// A curated collection (a selection of items, not an archival unit) has no
// finding aid here, as it has none at /api/v1/fonds/{id}/ead.xml.
func TestACuratedCollectionHasNoFindingAid(t *testing.T) {
	ctx := context.Background()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.SaveCollection(ctx, &repository.Collection{ID: "cmu-best", Institution: "cmu", Level: repository.Curated, Title: repository.Text{"en": "Favourites"}}, "t"); err != nil {
		t.Fatal(err)
	}
	args, _ := url.ParseQuery("verb=GetRecord&metadataPrefix=ead&identifier=" + FondsIdentifier("cmu-best"))
	b, err := (&Provider{Store: store}).Answer(ctx, "http://a.example/oai", "http://a.example", args)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `code="idDoesNotExist"`) {
		t.Errorf("a curated collection's finding aid: %.400s", b)
	}
}
