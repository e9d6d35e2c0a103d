package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// memDir is a temporary folder in memory where the system has one, so
// tests that write thousands of records do not wait on fsync.
func memDir(t testing.TB) string {
	t.Helper()
	parent := ""
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		parent = "/dev/shm"
	}
	dir, err := os.MkdirTemp(parent, "archive-test-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

type harvestEnv struct {
	*fixture
	store *bolt.Store
	start time.Time
	ids   []string
}

// newHarvestEnv makes n items, one second apart from start, alternating
// between two libraries; every tenth of Chiang Mai's is in a collection.
func newHarvestEnv(t testing.TB, n int) *harvestEnv {
	t.Helper()
	dir := memDir(t)
	blobs, _ := local.Open(filepath.Join(dir, "blobs"))
	store, err := bolt.Open(context.Background(), filepath.Join(dir, "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := start
	store.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	col := &repository.Collection{ID: "cmu-photos", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Photographs"}}
	if err := store.SaveCollection(context.Background(), col, "t"); err != nil {
		t.Fatal(err)
	}
	e := &harvestEnv{store: store, start: start}
	for i := range n {
		it := &repository.Item{Institution: []string{"cmu", "tu"}[i%2], Title: repository.Text{"th": fmt.Sprintf("ภาพที่ %d", i), "en": fmt.Sprintf("Photograph %d <&>", i)},
			Date: "2019-06-18", Rights: "http://rightsstatements.org/vocab/InC/1.0/"}
		if i%20 == 0 {
			it.Collection = "cmu-photos"
		}
		if err := store.SaveItem(context.Background(), it, "t"); err != nil {
			t.Fatal(err)
		}
		e.ids = append(e.ids, it.ID)
	}
	seedAdmin(t, store)
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts}))
	if err != nil {
		t.Fatal(err)
	}
	e.fixture = &fixture{srv: srv}
	return e
}

// oaiResponse is what the tests read of an OAI-PMH response.
type oaiResponse struct {
	XMLName xml.Name `xml:"http://www.openarchives.org/OAI/2.0/ OAI-PMH"`
	Error   *struct {
		Code string `xml:"code,attr"`
	} `xml:"error"`
	Headers []struct {
		Status     string `xml:"status,attr"`
		Identifier string `xml:"identifier"`
		Datestamp  string `xml:"datestamp"`
	} `xml:"ListIdentifiers>header"`
	Records   []oaiRecord `xml:"ListRecords>record"`
	GetRecord []oaiRecord `xml:"GetRecord>record"`
	Tokens    []oaiTok    `xml:"ListRecords>resumptionToken"`
	Tokens2   []oaiTok    `xml:"ListIdentifiers>resumptionToken"`
	Identify  struct {
		Granularity string `xml:"granularity"`
		Deleted     string `xml:"deletedRecord"`
	} `xml:"Identify"`
}

type oaiRecord struct {
	Header struct {
		Status     string `xml:"status,attr"`
		Identifier string `xml:"identifier"`
	} `xml:"header"`
	Titles []string `xml:"metadata>dc>title"`
}

type oaiTok struct {
	Value  string `xml:",chardata"`
	Cursor string `xml:"cursor,attr"`
}

func (e *harvestEnv) oai(t testing.TB, query string) oaiResponse {
	t.Helper()
	w := e.do(t, "GET", "/oai?"+query)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/xml") {
		t.Fatalf("%s: %d %s", query, w.Code, w.Header().Get("Content-Type"))
	}
	var r oaiResponse
	if err := xml.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatalf("%s: not well-formed OAI-PMH XML: %v\n%s", query, err, w.Body)
	}
	return r
}

// harvest follows resumption tokens and returns identifier → status.
func (e *harvestEnv) harvest(t testing.TB, verb, query string) map[string]string {
	t.Helper()
	seen := map[string]string{}
	q := "verb=" + verb + "&" + query
	for pages := 0; ; pages++ {
		r := e.oai(t, q)
		if r.Error != nil {
			if r.Error.Code == "noRecordsMatch" && pages == 0 {
				return seen
			}
			t.Fatalf("%s: error %s", q, r.Error.Code)
		}
		n := len(r.Headers) + len(r.Records)
		if n > 100 {
			t.Fatalf("page of %d records", n)
		}
		for _, h := range r.Headers {
			seen[h.Identifier] = h.Status
		}
		for _, rec := range r.Records {
			if _, dup := seen[rec.Header.Identifier]; dup {
				t.Fatalf("%s harvested twice", rec.Header.Identifier)
			}
			seen[rec.Header.Identifier] = rec.Header.Status
			if rec.Header.Status == "" && len(rec.Titles) != 2 {
				t.Fatalf("record %s has titles %v", rec.Header.Identifier, rec.Titles)
			}
		}
		toks := append(r.Tokens, r.Tokens2...)
		if len(toks) == 0 || toks[0].Value == "" {
			return seen
		}
		q = "verb=" + verb + "&resumptionToken=" + url.QueryEscape(toks[0].Value)
	}
}

func TestOAIHarvestOfTenThousandRecords(t *testing.T) {
	e := newHarvestEnv(t, 10_000)
	all := e.harvest(t, "ListRecords", "metadataPrefix=oai_dc")
	if len(all) != 10_000 {
		t.Fatalf("harvested %d records, want 10000", len(all))
	}
	for _, id := range e.ids[:50] {
		if _, ok := all["oai:archive:"+id]; !ok {
			t.Fatalf("%s not harvested", id)
		}
	}
	if got := e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc&set=tu"); len(got) != 5000 {
		t.Errorf("set tu: %d", len(got))
	}
	if got := e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc&set=cmu:cmu-photos"); len(got) != 500 {
		t.Errorf("set cmu:cmu-photos: %d", len(got))
	}
	// A window of seconds selects exactly the items modified inside it
	// (until is inclusive to the second).
	first, _ := e.store.Item(e.ids[100])
	last, _ := e.store.Item(e.ids[299])
	from, until := first.Modified, last.Modified
	got := e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc&from="+from.Format(time.RFC3339)+"&until="+until.Format(time.RFC3339))
	if len(got) != 200 || got["oai:archive:"+e.ids[100]] != "" || got["oai:archive:"+e.ids[299]] != "" {
		t.Errorf("date range: %d records, want items 100 to 299", len(got))
	}
	if _, ok := got["oai:archive:"+e.ids[300]]; ok {
		t.Error("date range includes an item after until")
	}
	if got := e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc&from=2024-01-01&until=2024-01-01"); len(got) != 10_000 {
		t.Errorf("day granularity: %d", len(got))
	}
	// Withdrawn and closed items stay as deleted records.
	e.store.Withdraw(context.Background(), e.ids[3], "t", "withdrawn")
	closed, _ := e.store.Item(e.ids[5])
	closed.Access.Level = repository.Restricted
	e.store.SaveItem(context.Background(), closed, "t")
	newest, _ := e.store.Item(e.ids[len(e.ids)-1])
	after := e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc&from="+newest.Modified.Add(time.Second).Format(time.RFC3339))
	if after["oai:archive:"+e.ids[3]] != "deleted" || after["oai:archive:"+e.ids[5]] != "deleted" || len(after) != 2 {
		t.Errorf("changes after withdrawal: %d records, want the 2 changed, both deleted", len(after))
	}
	r := e.oai(t, "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:archive:"+e.ids[5])
	if len(r.GetRecord) != 1 || r.GetRecord[0].Header.Status != "deleted" || len(r.GetRecord[0].Titles) != 0 {
		t.Errorf("a restricted item's record shows metadata: %+v", r.GetRecord)
	}
}

func TestOAIErrorsAndVerbs(t *testing.T) {
	e := newHarvestEnv(t, 3)
	id := "oai:archive:" + e.ids[0]
	for query, code := range map[string]string{
		"":                                       "badVerb",
		"verb=Harvest":                           "badVerb",
		"verb=Identify&verb=Identify":            "badVerb",
		"verb=Identify&foo=bar":                  "badArgument",
		"verb=ListRecords":                       "badArgument",
		"verb=ListRecords&metadataPrefix=marc21": "cannotDisseminateFormat",
		"verb=GetRecord&metadataPrefix=oai_dc":   "badArgument",
		"verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:archive:nosuch1":                   "idDoesNotExist",
		"verb=GetRecord&metadataPrefix=oai_dc&identifier=../../etc":                             "idDoesNotExist",
		"verb=GetRecord&metadataPrefix=mods&identifier=" + id:                                   "cannotDisseminateFormat",
		"verb=ListIdentifiers&resumptionToken=garbage":                                          "badResumptionToken",
		"verb=ListIdentifiers&resumptionToken=x&metadataPrefix=oai_dc":                          "badArgument",
		"verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-13-01":                            "badArgument",
		"verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-02-01&until=2024-01-01":           "badArgument",
		"verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-01-01&until=2024-01-02T00:00:00Z": "badArgument",
		"verb=ListIdentifiers&metadataPrefix=oai_dc&set=mit":                                    "noRecordsMatch",
		"verb=ListIdentifiers&metadataPrefix=oai_dc&from=2030-01-01":                            "noRecordsMatch",
		"verb=ListSets&resumptionToken=abc":                                                     "badResumptionToken",
		"verb=ListMetadataFormats&identifier=oai:archive:nosuch1":                               "idDoesNotExist",
		"verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc":                          "badArgument",
	} {
		r := e.oai(t, query)
		if r.Error == nil || r.Error.Code != code {
			t.Errorf("%q: %+v, want %s", query, r.Error, code)
		}
	}
	for _, q := range []string{"verb=Identify", "verb=ListMetadataFormats", "verb=ListSets", "verb=ListMetadataFormats&identifier=" + id,
		"verb=GetRecord&metadataPrefix=oai_dc&identifier=" + id} {
		if r := e.oai(t, q); r.Error != nil {
			t.Errorf("%s: error %s", q, r.Error.Code)
		}
	}
	if r := e.oai(t, "verb=Identify"); r.Identify.Granularity != "YYYY-MM-DDThh:mm:ssZ" || r.Identify.Deleted != "persistent" {
		t.Errorf("Identify: %+v", r.Identify)
	}
}

// BenchmarkOAIHarvest10k harvests 10,000 records with ListRecords.
func BenchmarkOAIHarvest10k(b *testing.B) {
	e := newHarvestEnv(b, 10_000)
	for b.Loop() {
		if n := len(e.harvest(b, "ListRecords", "metadataPrefix=oai_dc")); n != 10_000 {
			b.Fatal(n)
		}
	}
}
