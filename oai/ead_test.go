package oai

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

func TestFindingAidsAreHarvestedAsEAD3(t *testing.T) {
	ctx := context.Background()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, c := range []*repository.Collection{
		{ID: "tu-law", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"th": "คณะนิติศาสตร์", "en": "Faculty of Law"}},
		{ID: "tu-law-minutes", Institution: "tu", Parent: "tu-law", Level: repository.Series, Title: repository.Text{"en": "Minutes"}},
		{ID: "tu-law-secret", Institution: "tu", Parent: "tu-law", Level: repository.Series, Title: repository.Text{"en": "Zqsecret"}, Access: repository.Access{Level: repository.Restricted}},
		{ID: "tu-closed", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Zqclosed"}},
		{ID: "cmu-maps", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Maps"}},
	} {
		if err := store.SaveCollection(ctx, c, "t"); err != nil {
			t.Fatal(err)
		}
	}
	// tu-closed was public before it closed: a deleted record.
	closed, err := store.Collection("tu-closed")
	if err != nil {
		t.Fatal(err)
	}
	closed.Access.Level = repository.Restricted
	if err := store.SaveCollection(ctx, closed, "t"); err != nil {
		t.Fatal(err)
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
	if got := ask("verb=ListMetadataFormats"); !strings.Contains(got, "<metadataPrefix>ead</metadataPrefix>") {
		t.Fatalf("ead is not offered: %s", got)
	}
	if got := ask("verb=ListMetadataFormats&identifier=" + FondsIdentifier("tu-law")); strings.Contains(got, "oai_dc") || !strings.Contains(got, "ead3") {
		t.Fatalf("formats of a fonds: %s", got)
	}
	list := ask("verb=ListRecords&metadataPrefix=ead&set=tu")
	if strings.Count(list, "<record>") != 2 || !strings.Contains(list, `<header status="deleted">`) || strings.Contains(list, "Zq") || strings.Contains(list, "cmu-maps") {
		t.Fatalf("ListRecords of tu's finding aids: %s", list)
	}
	if !strings.Contains(list, "Minutes") || !strings.Contains(list, `<ead xmlns="http://ead3.archivists.org/schema/">`) {
		t.Fatalf("the open fonds' finding aid is missing: %s", list)
	}
	if got := ask("verb=ListIdentifiers&metadataPrefix=ead"); strings.Count(got, "<identifier>") != 3 {
		t.Fatalf("ListIdentifiers: %s", got)
	}
	// A series on its own, as a valid EAD3 document.
	rec := ask("verb=GetRecord&metadataPrefix=ead&identifier=" + FondsIdentifier("tu-law-minutes"))
	doc := regexp.MustCompile(`(?s)<ead .*</ead>`).FindString(rec)
	if !strings.Contains(doc, `<archdesc level="series" id="unit-tu-law-minutes">`) {
		t.Fatalf("GetRecord of a series: %s", rec)
	}
	if _, err := exec.LookPath("xmllint"); err == nil || os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
		f := filepath.Join(t.TempDir(), "ead.xml")
		os.WriteFile(f, []byte(doc), 0o600)
		if out, err := exec.Command("xmllint", "--noout", "--schema", "../ead/testdata/official/ead3.xsd", f).CombinedOutput(); err != nil {
			t.Fatalf("the harvested finding aid is not valid EAD3: %v %s", err, out)
		}
	}
	for q, code := range map[string]string{
		"verb=GetRecord&metadataPrefix=ead&identifier=oai:archive:anitem":                         "cannotDisseminateFormat",
		"verb=GetRecord&metadataPrefix=ead&identifier=" + FondsIdentifier("nosuch"):               "idDoesNotExist",
		"verb=ListRecords&metadataPrefix=ead&set=chula":                                           "noRecordsMatch",
		"verb=GetRecord&metadataPrefix=ead&identifier=" + FondsIdentifier("tu-law-secret") + "&x": "badArgument",
	} {
		if got := ask(q); !strings.Contains(got, `code="`+code+`"`) {
			t.Errorf("%s: want %s, got %s", q, code, got)
		}
	}
	// A series that was never public does not exist for harvesters.
	if got := ask("verb=GetRecord&metadataPrefix=ead&identifier=" + FondsIdentifier("tu-law-secret")); !strings.Contains(got, `code="idDoesNotExist"`) || strings.Contains(got, "Zqsecret") {
		t.Errorf("a restricted series harvested: %s", got)
	}
}

// A finding aid's datestamp moves with every change a harvester must take
// again: a unit below edited, moved out to another fonds or withdrawn, an
// item in it edited. (The units left behind by a move or a withdrawal, and
// the item, are not themselves changed: their fonds is.)
func TestAFindingAidIsRedatedByChangesBelowIt(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	for _, c := range []*repository.Collection{
		{ID: "cmu-a", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "A"}},
		{ID: "cmu-a-s1", Institution: "cmu", Parent: "cmu-a", Level: repository.Series, Title: repository.Text{"en": "S1"}},
		{ID: "cmu-a-s1-f", Institution: "cmu", Parent: "cmu-a-s1", Level: repository.FileLevel, Title: repository.Text{"en": "F"}},
		{ID: "cmu-a-s2", Institution: "cmu", Parent: "cmu-a", Level: repository.Series, Title: repository.Text{"en": "S2"}},
		{ID: "cmu-b", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "B"}},
	} {
		saveCollection(t, s, c)
	}
	item := &repository.Item{Institution: "cmu", Collection: "cmu-a-s1-f", Title: repository.Text{"en": "Letter"}}
	saveItem(t, s, item)
	p := &Provider{Store: s}
	stamp := func(unit string) string {
		t.Helper()
		args, _ := url.ParseQuery("verb=GetRecord&metadataPrefix=ead&identifier=" + FondsIdentifier(unit))
		b, err := p.Answer(ctx, "http://a.example/oai", "http://a.example", args)
		if err != nil {
			t.Fatal(err)
		}
		return regexp.MustCompile(`<datestamp>([^<]*)</datestamp>`).FindStringSubmatch(string(b))[1]
	}
	change := func(what string, do func() error, units ...string) {
		t.Helper()
		before := map[string]string{}
		for _, u := range units {
			before[u] = stamp(u)
		}
		if err := do(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, u := range units {
			if after := stamp(u); after <= before[u] {
				t.Errorf("%s: the datestamp of %s stays %s (now %s)", what, u, before[u], after)
			}
		}
	}
	change("an item edited", func() error {
		item.Title = repository.Text{"en": "Letter of 1932"}
		return s.SaveItem(ctx, item, "t")
	}, "cmu-a", "cmu-a-s1", "cmu-a-s1-f")
	change("a file moved to another fonds", func() error {
		f, _ := s.Collection("cmu-a-s1-f")
		return s.MoveCollection(ctx, f.ID, f.Version, "cmu-b", 0, "t")
	}, "cmu-a", "cmu-a-s1", "cmu-b")
	change("a series withdrawn", func() error {
		c, _ := s.Collection("cmu-a-s2")
		c.Deleted = true
		return s.SaveCollection(ctx, c, "t")
	}, "cmu-a")
	change("a series closed", func() error {
		c, _ := s.Collection("cmu-a-s1")
		c.Access.Level = repository.Restricted
		return s.SaveCollection(ctx, c, "t")
	}, "cmu-a")
	// Changes elsewhere, or that an anonymous visitor cannot see (in the
	// closed series, or of a closed item), leave it alone.
	before := stamp("cmu-a")
	saveItem(t, s, &repository.Item{Institution: "cmu", Collection: "cmu-b", Title: repository.Text{"en": "Elsewhere"}})
	hidden := &repository.Item{Institution: "cmu", Collection: "cmu-a", Title: repository.Text{"en": "Closed"}, Access: repository.Access{Level: repository.Restricted}}
	saveItem(t, s, hidden)
	hidden.Title = repository.Text{"en": "Closed, renamed"}
	saveItem(t, s, hidden)
	s1, _ := s.Collection("cmu-a-s1")
	s1.Title = repository.Text{"en": "S1 renamed"}
	saveCollection(t, s, s1)
	saveItem(t, s, &repository.Item{Institution: "cmu", Collection: "cmu-a-s1", Title: repository.Text{"en": "In the closed series"}})
	if after := stamp("cmu-a"); after != before {
		t.Errorf("changes an anonymous visitor cannot see redated cmu-a: %s → %s", before, after)
	}
}
