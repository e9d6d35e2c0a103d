package oai

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

const (
	base = "https://archive.example/oai"
	site = "https://archive.example"
)

// now is the provider's clock: after the store's, before the embargo.
var now = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// Titles that must never be harvested: of closed items and hidden collections.
var secrets = []string{"Restricted Secret Title", "Withdrawn Secret Title", "Embargoed Secret Title",
	"Item Of Hidden Fonds", "Hidden Fonds Title", "Hidden Series Title", "Removed Collection Title"}

type env struct {
	store *bolt.Store
	p     *Provider
	ids   map[string]string // name → item id
}

// openStore opens a real store on local storage in a temporary folder, its
// clock one second a call from 2024-01-01.
func openStore(t testing.TB) *bolt.Store {
	t.Helper()
	dir := t.TempDir()
	blobs, err := local.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(dir, "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clock := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	store.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	return store
}

func saveCollection(t testing.TB, s *bolt.Store, c *repository.Collection) {
	t.Helper()
	if err := s.SaveCollection(context.Background(), c, "t"); err != nil {
		t.Fatal(err)
	}
}

func saveItem(t testing.TB, s *bolt.Store, it *repository.Item) string {
	t.Helper()
	if it.Rights == "" {
		it.Rights = "http://rightsstatements.org/vocab/InC/1.0/"
	}
	if err := s.SaveItem(context.Background(), it, "t"); err != nil {
		t.Fatal(err)
	}
	return it.ID
}

// closeItem saves a public item, then files it in collection (if not "")
// with access a: an item harvesters may have copied before it closed.
func closeItem(t testing.TB, s *bolt.Store, it *repository.Item, collection string, a repository.Access) string {
	t.Helper()
	saveItem(t, s, it)
	if collection != "" {
		it.Collection = collection
	}
	it.Access = a
	return saveItem(t, s, it)
}

// newEnv is a small archive with an item at each access level, a withdrawn
// one, and public, restricted and deleted collections.
func newEnv(t testing.TB) *env {
	t.Helper()
	s := openStore(t)
	saveCollection(t, s, &repository.Collection{ID: "cmu-lanna", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Lanna documents", "th": "เอกสารล้านนา"}})
	saveCollection(t, s, &repository.Collection{ID: "cmu-letters", Institution: "cmu", Parent: "cmu-lanna", Level: repository.Series, Title: repository.Text{"en": "Letters"}})
	saveCollection(t, s, &repository.Collection{ID: "cmu-secret", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Hidden Fonds Title"},
		Access: repository.Access{Level: repository.Restricted}})
	saveCollection(t, s, &repository.Collection{ID: "cmu-secret-series", Institution: "cmu", Parent: "cmu-secret", Level: repository.Series, Title: repository.Text{"en": "Hidden Series Title"}})
	old := &repository.Collection{ID: "tu-old", Institution: "tu", Level: repository.Fonds, Title: repository.Text{"en": "Removed Collection Title"}}
	saveCollection(t, s, old)
	e := &env{store: s, p: &Provider{Store: s, Name: "Test archive", AdminEmail: "oai@archive.example", Now: func() time.Time { return now }}, ids: map[string]string{}}
	digest := strings.Repeat("a", 64)
	e.ids["public"] = saveItem(t, s, &repository.Item{Institution: "cmu", Collection: "cmu-letters", Type: "Text",
		Title: repository.Text{"th": "จดหมาย", "en": "Letter <&> \"one\""}, Creator: repository.Text{"none": "Nai Kham"},
		Subjects: []repository.Text{{"en": "Letters", "th": "จดหมาย"}}, Summary: repository.Text{"en": "A letter."},
		Date: "2019-06-18", Language: []string{"th", "en"},
		Files: []repository.File{{Name: "p1.tif", SHA256: digest, MediaType: "image/tiff; compression=lzw"}, {Name: "p2.tif", SHA256: digest, MediaType: "image/tiff"}}})
	e.ids["metadata"] = saveItem(t, s, &repository.Item{Institution: "tu", Title: repository.Text{"en": "Metadata-only map"}, Access: repository.Access{Level: repository.MetadataOnly}})
	e.ids["reduced"] = saveItem(t, s, &repository.Item{Institution: "chula", Title: repository.Text{"en": "Reduced photograph"}, Access: repository.Access{Level: repository.Reduced}})
	// The closed items were public first, so harvesters may hold them.
	e.ids["restricted"] = closeItem(t, s, &repository.Item{Institution: "cmu", Collection: "cmu-lanna", Title: repository.Text{"en": "Restricted Secret Title"}}, "", repository.Access{Level: repository.Restricted})
	e.ids["embargoed"] = closeItem(t, s, &repository.Item{Institution: "tu", Title: repository.Text{"en": "Embargoed Secret Title"}}, "", repository.Access{Level: repository.Public, Embargo: "2030-01-01"})
	e.ids["hidden"] = closeItem(t, s, &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Item Of Hidden Fonds"}}, "cmu-secret-series", repository.Access{})
	e.ids["in-removed"] = saveItem(t, s, &repository.Item{Institution: "tu", Collection: "tu-old", Title: repository.Text{"en": "Item of a removed collection"}})
	e.ids["withdrawn"] = saveItem(t, s, &repository.Item{Institution: "chula", Title: repository.Text{"en": "Withdrawn Secret Title"}})
	if err := s.Withdraw(context.Background(), e.ids["withdrawn"], "t", "withdrawn"); err != nil {
		t.Fatal(err)
	}
	old.Deleted = true
	saveCollection(t, s, old)
	return e
}

// The parts of a response the tests read, with the namespaces they must have.
type envelope struct {
	XMLName        xml.Name `xml:"http://www.openarchives.org/OAI/2.0/ OAI-PMH"`
	SchemaLocation string   `xml:"http://www.w3.org/2001/XMLSchema-instance schemaLocation,attr"`
	ResponseDate   string   `xml:"responseDate"`
	Request        struct {
		Attrs []xml.Attr `xml:",any,attr"`
		URL   string     `xml:",chardata"`
	} `xml:"request"`
	Error *struct {
		Code string `xml:"code,attr"`
		Text string `xml:",chardata"`
	} `xml:"error"`
	Identify *struct {
		Name        string `xml:"repositoryName"`
		BaseURL     string `xml:"baseURL"`
		Version     string `xml:"protocolVersion"`
		Email       string `xml:"adminEmail"`
		Earliest    string `xml:"earliestDatestamp"`
		Deleted     string `xml:"deletedRecord"`
		Granularity string `xml:"granularity"`
	} `xml:"Identify"`
	Formats []struct {
		Prefix    string `xml:"metadataPrefix"`
		Namespace string `xml:"metadataNamespace"`
	} `xml:"ListMetadataFormats>metadataFormat"`
	Sets []struct {
		Spec string `xml:"setSpec"`
		Name string `xml:"setName"`
	} `xml:"ListSets>set"`
	GetRecord   []rec     `xml:"GetRecord>record"`
	Headers     []hdr     `xml:"ListIdentifiers>header"`
	Records     []rec     `xml:"ListRecords>record"`
	IDsToken    *tokenXML `xml:"ListIdentifiers>resumptionToken"`
	RecordToken *tokenXML `xml:"ListRecords>resumptionToken"`
}

type hdr struct {
	Status     string   `xml:"status,attr"`
	Identifier string   `xml:"identifier"`
	Datestamp  string   `xml:"datestamp"`
	Sets       []string `xml:"setSpec"`
}

type rec struct {
	Header   hdr `xml:"header"`
	Metadata *struct {
		DC *dcXML `xml:"http://www.openarchives.org/OAI/2.0/oai_dc/ dc"`
	} `xml:"metadata"`
}

type dcXML struct {
	Title      []langValue `xml:"http://purl.org/dc/elements/1.1/ title"`
	Creator    []langValue `xml:"http://purl.org/dc/elements/1.1/ creator"`
	Subject    []langValue `xml:"http://purl.org/dc/elements/1.1/ subject"`
	Publisher  []langValue `xml:"http://purl.org/dc/elements/1.1/ publisher"`
	Date       []langValue `xml:"http://purl.org/dc/elements/1.1/ date"`
	Format     []string    `xml:"http://purl.org/dc/elements/1.1/ format"`
	Identifier []string    `xml:"http://purl.org/dc/elements/1.1/ identifier"`
	Relation   []langValue `xml:"http://purl.org/dc/elements/1.1/ relation"`
}

type langValue struct {
	Lang  string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Value string `xml:",chardata"`
}

type tokenXML struct {
	Cursor string `xml:"cursor,attr"`
	Value  string `xml:",chardata"`
}

func (e envelope) token() *tokenXML {
	if e.IDsToken != nil {
		return e.IDsToken
	}
	return e.RecordToken
}

// answer asks query and parses the answer, which must be OAI-PMH XML.
func (e *env) answer(t testing.TB, query string) (envelope, string) {
	t.Helper()
	args, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	body, err := e.p.Answer(context.Background(), base, site, args)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return parse(t, query, body), string(body)
}

func parse(t testing.TB, query string, body []byte) envelope {
	t.Helper()
	if !bytes.HasPrefix(body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Fatalf("%s: no XML declaration:\n%s", query, body)
	}
	var r envelope
	if err := xml.Unmarshal(body, &r); err != nil {
		t.Fatalf("%s: not OAI-PMH XML: %v\n%s", query, err, body)
	}
	if r.SchemaLocation != "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd" || r.ResponseDate != "2025-06-01T00:00:00Z" || r.Request.URL != base {
		t.Fatalf("%s: envelope %q %q %q", query, r.SchemaLocation, r.ResponseDate, r.Request.URL)
	}
	return r
}

func oaiID(id string) string { return "oai:archive:" + id }

func TestEveryVerbAnswers(t *testing.T) {
	e := newEnv(t)
	public := oaiID(e.ids["public"])
	for _, tc := range []struct {
		query string
		check func(envelope) error
	}{
		{"verb=Identify", func(r envelope) error {
			id := r.Identify
			if id == nil || id.Name != "Test archive" || id.BaseURL != base || id.Version != "2.0" || id.Email != "oai@archive.example" ||
				id.Deleted != "persistent" || id.Granularity != "YYYY-MM-DDThh:mm:ssZ" {
				return fmt.Errorf("Identify: %+v", id)
			}
			if want := datestamp(e.earliest(t)); id.Earliest != want {
				return fmt.Errorf("earliestDatestamp %s, want %s", id.Earliest, want)
			}
			return nil
		}},
		{"verb=ListMetadataFormats", func(r envelope) error {
			if len(r.Formats) != 2 || r.Formats[0].Prefix != "oai_dc" || r.Formats[0].Namespace != "http://www.openarchives.org/OAI/2.0/oai_dc/" || r.Formats[1].Prefix != "ead" {
				return fmt.Errorf("formats %+v", r.Formats)
			}
			return nil
		}},
		{"verb=ListMetadataFormats&identifier=" + public, func(r envelope) error {
			if len(r.Formats) != 1 {
				return fmt.Errorf("formats %+v", r.Formats)
			}
			return nil
		}},
		{"verb=ListSets", func(r envelope) error {
			var specs []string
			for _, s := range r.Sets {
				specs = append(specs, s.Spec)
			}
			if want := []string{"chula", "cmu", "cmu:cmu-lanna", "cmu:cmu-letters", "tu"}; !slices.Equal(specs, want) {
				return fmt.Errorf("sets %v, want %v", specs, want)
			}
			if r.Sets[1].Name != "Chiang Mai University / มหาวิทยาลัยเชียงใหม่" || r.Sets[2].Name != "Lanna documents" {
				return fmt.Errorf("set names %+v", r.Sets)
			}
			return nil
		}},
		{"verb=GetRecord&metadataPrefix=oai_dc&identifier=" + public, func(r envelope) error {
			if len(r.GetRecord) != 1 || r.GetRecord[0].Header.Identifier != public || r.GetRecord[0].Metadata == nil {
				return fmt.Errorf("GetRecord %+v", r.GetRecord)
			}
			return nil
		}},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc", func(r envelope) error {
			if len(r.Headers) != len(e.ids) || r.token() != nil {
				return fmt.Errorf("%d headers, token %+v; want %d and none", len(r.Headers), r.token(), len(e.ids))
			}
			return nil
		}},
		{"verb=ListRecords&metadataPrefix=oai_dc&set=cmu:cmu-lanna", func(r envelope) error {
			if len(r.Records) != 2 || r.Records[0].Header.Identifier != public || r.Records[1].Header.Identifier != oaiID(e.ids["restricted"]) {
				return fmt.Errorf("set cmu:cmu-lanna: %+v", r.Records)
			}
			return nil
		}},
		{"verb=ListRecords&metadataPrefix=oai_dc&set=tu", func(r envelope) error {
			if len(r.Records) != 3 {
				return fmt.Errorf("set tu: %d records, want 3", len(r.Records))
			}
			return nil
		}},
	} {
		r, _ := e.answer(t, tc.query)
		if r.Error != nil {
			t.Errorf("%s: error %s %s", tc.query, r.Error.Code, r.Error.Text)
			continue
		}
		if err := tc.check(r); err != nil {
			t.Errorf("%s: %v", tc.query, err)
		}
	}
}

// earliest is the oldest modification among the env's items.
func (e *env) earliest(t testing.TB) time.Time {
	var min time.Time
	for _, id := range e.ids {
		it, err := e.store.Item(id)
		if err != nil {
			t.Fatal(err)
		}
		if min.IsZero() || it.Modified.Before(min) {
			min = it.Modified
		}
	}
	return min
}

// forge makes a resumption token from its raw text.
func forge(raw string) string { return base64.RawURLEncoding.EncodeToString([]byte(raw)) }

func TestErrorCodes(t *testing.T) {
	e := newEnv(t)
	id := oaiID(e.ids["public"])
	it, _ := e.store.Item(e.ids["public"])
	nanos := strconv.FormatInt(it.Modified.UnixNano(), 10)
	good := forge("ListRecords||||" + nanos + "|" + it.ID + "|0")
	for _, tc := range []struct{ query, code string }{
		{"", "badVerb"},
		{"verb=Harvest", "badVerb"},
		{"verb=Identify&verb=Identify", "badVerb"},
		{"verb=Identify&foo=bar", "badArgument"},
		{"verb=ListRecords", "badArgument"},
		{"verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"},
		{"verb=GetRecord&metadataPrefix=oai_dc", "badArgument"},
		{"verb=GetRecord&identifier=" + id, "badArgument"},
		{"verb=ListIdentifiers&resumptionToken=x&metadataPrefix=oai_dc", "badArgument"},
		{"verb=ListRecords&resumptionToken=" + good + "&set=cmu", "badArgument"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-13-01", "badArgument"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&until=yesterday", "badArgument"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-02-01&until=2024-01-01", "badArgument"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-01-01&until=2024-01-02T00:00:00Z", "badArgument"},
		{"verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"},
		{"verb=GetRecord&metadataPrefix=mods&identifier=" + id, "cannotDisseminateFormat"},
		{"verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:archive:nosuch1", "idDoesNotExist"},
		{"verb=GetRecord&metadataPrefix=oai_dc&identifier=../../etc", "idDoesNotExist"},
		{"verb=GetRecord&metadataPrefix=oai_dc&identifier=" + e.ids["public"], "idDoesNotExist"},
		{"verb=ListMetadataFormats&identifier=oai:archive:nosuch1", "idDoesNotExist"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&set=mit", "noRecordsMatch"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&set=tu:cmu-lanna", "noRecordsMatch"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&set=cmu:cmu-secret", "noRecordsMatch"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&set=cmu:cmu-secret-series", "noRecordsMatch"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&set=tu:tu-old", "noRecordsMatch"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&set=cmu:", "noRecordsMatch"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&from=2030-01-01", "noRecordsMatch"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&from=3000-01-01", "noRecordsMatch"},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&from=2608-01-01", "noRecordsMatch"}, // its nanoseconds since 1970 overflow int64 to 2023
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&until=1960-01-01", "noRecordsMatch"},
		{"verb=ListSets&resumptionToken=abc", "badResumptionToken"},
		{"verb=ListIdentifiers&resumptionToken=garbage!", "badResumptionToken"},
		{"verb=ListIdentifiers&resumptionToken=" + good, "badResumptionToken"}, // issued for ListRecords
		{"verb=ListRecords&resumptionToken=" + forge("ListRecords||||"+nanos+"|"+it.ID+"|99999999999999999999999"), "badResumptionToken"},
		{"verb=ListRecords&resumptionToken=" + forge("ListRecords||||"+nanos+"|"+it.ID+"|9223372036854775807"), "badResumptionToken"},
		{"verb=ListRecords&resumptionToken=" + forge("ListRecords||||"+nanos+"|"+it.ID+"|-100"), "badResumptionToken"},
		{"verb=ListRecords&resumptionToken=" + forge("ListRecords||||"+nanos+"|"+it.ID+"|+100"), "badResumptionToken"},
		{"verb=ListRecords&resumptionToken=" + forge("ListRecords||||"+nanos+"|"+it.ID+"|100x"), "badResumptionToken"},
		{"verb=ListRecords&resumptionToken=" + forge("ListRecords||||"+nanos+"|"+it.ID+"|"), "badResumptionToken"},
		{"verb=ListRecords&resumptionToken=" + forge("ListRecords||||99999999999999999999999|"+it.ID+"|0"), "badResumptionToken"},
		{"verb=ListRecords&resumptionToken=" + forge("ListRecords||||-1|"+it.ID+"|0"), "badResumptionToken"},
		{"verb=ListRecords&resumptionToken=" + forge("ListRecords||||"+nanos+"|../x|0"), "badResumptionToken"},
		{"verb=ListRecords&resumptionToken=" + forge("ListRecords||||"+nanos+"||0"), "badResumptionToken"},
		{"verb=ListRecords&resumptionToken=" + forge("ListRecords||2024-13-01||"+nanos+"|"+it.ID+"|0"), "badResumptionToken"},
		{"verb=ListRecords&resumptionToken=" + forge("ListRecords||2024-02-01|2024-01-01|"+nanos+"|"+it.ID+"|0"), "badResumptionToken"},
		{"verb=ListRecords&resumptionToken=" + forge("ListRecords||||"+nanos+"|"+it.ID+"|0|extra"), "badResumptionToken"},
	} {
		r, _ := e.answer(t, tc.query)
		if r.Error == nil || r.Error.Code != tc.code {
			t.Errorf("%q: %+v, want %s", tc.query, r.Error, tc.code)
			continue
		}
		// §3.2: the request's arguments are echoed except after badVerb and badArgument.
		echoed := len(r.Request.Attrs) > 0
		if want := tc.code != "badVerb" && tc.code != "badArgument"; echoed != want {
			t.Errorf("%q: arguments echoed %v, want %v", tc.query, echoed, want)
		}
	}
	// The well-formed token itself is good.
	if r, _ := e.answer(t, "verb=ListRecords&resumptionToken="+good); r.Error != nil {
		t.Errorf("a well-formed token: %s", r.Error.Code)
	}
}

// harvest lists every record or header for verb, following resumption
// tokens, and returns the bodies it read and the records by identifier.
func (e *env) harvest(t testing.TB, verb, query string) (map[string]rec, []string) {
	t.Helper()
	out := map[string]rec{}
	var bodies []string
	q := "verb=" + verb + "&" + query
	for page := 0; ; page++ {
		r, body := e.answer(t, q)
		bodies = append(bodies, body)
		if r.Error != nil {
			if r.Error.Code == "noRecordsMatch" && page == 0 {
				return out, bodies
			}
			t.Fatalf("%s: %s", q, r.Error.Code)
		}
		recs := r.Records
		for _, h := range r.Headers {
			recs = append(recs, rec{Header: h})
		}
		if len(recs) > pageSize {
			t.Fatalf("a page of %d", len(recs))
		}
		for _, x := range recs {
			if _, dup := out[x.Header.Identifier]; dup {
				t.Fatalf("%s harvested twice", x.Header.Identifier)
			}
			out[x.Header.Identifier] = x
		}
		tok := r.token()
		if tok != nil && tok.Cursor != strconv.Itoa(page*pageSize) {
			t.Fatalf("page %d: cursor %s", page, tok.Cursor)
		}
		if tok == nil || tok.Value == "" {
			return out, bodies
		}
		q = "verb=" + verb + "&resumptionToken=" + url.QueryEscape(tok.Value)
	}
}

func TestClosedItemsAreDeletedRecordsWhoseTitlesAreNeverShown(t *testing.T) {
	e := newEnv(t)
	records, bodies := e.harvest(t, "ListRecords", "metadataPrefix=oai_dc")
	headers, more := e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc")
	bodies = append(bodies, more...)
	for _, q := range []string{"verb=ListSets", "verb=Identify"} {
		_, body := e.answer(t, q)
		bodies = append(bodies, body)
	}
	for _, name := range []string{"restricted", "withdrawn", "embargoed", "hidden"} {
		id := oaiID(e.ids[name])
		r, body := e.answer(t, "verb=GetRecord&metadataPrefix=oai_dc&identifier="+id)
		bodies = append(bodies, body)
		if len(r.GetRecord) != 1 || r.GetRecord[0].Header.Status != "deleted" || r.GetRecord[0].Metadata != nil {
			t.Errorf("GetRecord of the %s item: %+v, want a deleted record", name, r.GetRecord)
		}
		if x, ok := records[id]; !ok || x.Header.Status != "deleted" || x.Metadata != nil {
			t.Errorf("ListRecords: the %s item is %+v, want a deleted record", name, x)
		}
		if x, ok := headers[id]; !ok || x.Header.Status != "deleted" {
			t.Errorf("ListIdentifiers: the %s item is %+v, want a deleted record", name, x)
		}
	}
	for _, body := range bodies {
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("%q harvested:\n%s", s, body)
			}
		}
	}
	// When the embargo is over, the record comes back in full.
	e.p.Now = func() time.Time { return time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC) }
	args := url.Values{"verb": {"GetRecord"}, "metadataPrefix": {"oai_dc"}, "identifier": {oaiID(e.ids["embargoed"])}}
	body, err := e.p.Answer(context.Background(), base, site, args)
	if err != nil || !strings.Contains(string(body), "Embargoed Secret Title") || strings.Contains(string(body), `status="deleted"`) {
		t.Errorf("after the embargo: %v\n%s", err, body)
	}
}

func TestMetadataOnlyAndReducedItemsAreFullRecords(t *testing.T) {
	e := newEnv(t)
	records, _ := e.harvest(t, "ListRecords", "metadataPrefix=oai_dc")
	for name, title := range map[string]string{"metadata": "Metadata-only map", "reduced": "Reduced photograph", "public": "Letter <&> \"one\"", "in-removed": "Item of a removed collection"} {
		id := oaiID(e.ids[name])
		r, _ := e.answer(t, "verb=GetRecord&metadataPrefix=oai_dc&identifier="+id)
		for how, x := range map[string]rec{"GetRecord": r.GetRecord[0], "ListRecords": records[id]} {
			if x.Header.Status != "" || x.Metadata == nil || x.Metadata.DC == nil || !slices.ContainsFunc(x.Metadata.DC.Title, func(v langValue) bool { return v.Value == title }) {
				t.Errorf("%s of the %s item: %+v, want its full record", how, name, x)
			}
		}
	}
}

func TestHiddenAndDeletedCollectionsAreNotSets(t *testing.T) {
	e := newEnv(t)
	r, _ := e.answer(t, "verb=ListSets")
	for _, s := range r.Sets {
		if strings.Contains(s.Spec, "secret") || strings.Contains(s.Spec, "tu-old") {
			t.Errorf("ListSets lists %s (%s)", s.Spec, s.Name)
		}
	}
	headers, _ := e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc")
	for name, want := range map[string][]string{
		"public":     {"cmu", "cmu:cmu-letters", "cmu:cmu-lanna"},
		"restricted": {"cmu", "cmu:cmu-lanna"},
		"hidden":     {"cmu"},
		"in-removed": {"tu"},
		"withdrawn":  {"chula"},
	} {
		if got := headers[oaiID(e.ids[name])].Header.Sets; !slices.Equal(got, want) {
			t.Errorf("the %s item is in sets %v, want %v", name, got, want)
		}
	}
	got, _ := e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc&set=cmu")
	if _, ok := got[oaiID(e.ids["hidden"])]; !ok || len(got) != 3 {
		t.Errorf("set cmu: %d records; the item of a hidden collection is still its library's", len(got))
	}
}

func TestDublinCore(t *testing.T) {
	e := newEnv(t)
	id := e.ids["public"]
	r, body := e.answer(t, "verb=GetRecord&metadataPrefix=oai_dc&identifier="+oaiID(id))
	dc := r.GetRecord[0].Metadata.DC
	for _, tc := range []struct {
		what      string
		got, want any
	}{
		{"titles", dc.Title, []langValue{{"en", "Letter <&> \"one\""}, {"th", "จดหมาย"}}},
		{"creator", dc.Creator, []langValue{{"", "Nai Kham"}}},
		{"subjects", dc.Subject, []langValue{{"en", "Letters"}, {"th", "จดหมาย"}}},
		{"publisher", dc.Publisher, []langValue{{"en", "Chiang Mai University"}, {"th", "มหาวิทยาลัยเชียงใหม่"}}},
		{"dates", dc.Date, []langValue{{"", "2019-06-18"}, {"th", "18 มิถุนายน 2562"}}},
		{"formats", dc.Format, []string{"image/tiff"}},
		{"identifiers", dc.Identifier, []string{site + "/items/" + id, site + "/iiif/3/manifest/" + id}},
		{"relation", dc.Relation, []langValue{{"en", "Letters"}}},
	} {
		if fmt.Sprint(tc.got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, want %v", tc.what, tc.got, tc.want)
		}
	}
	if !strings.Contains(body, `xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd"`) {
		t.Errorf("no oai_dc schema location:\n%s", body)
	}
}

func TestDateWindowsIncludeTheirBounds(t *testing.T) {
	e := newEnv(t)
	first, _ := e.store.Item(e.ids["metadata"])
	last, _ := e.store.Item(e.ids["embargoed"])
	got, _ := e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc&from="+datestamp(first.Modified)+"&until="+datestamp(last.Modified))
	var ids []string
	for id := range got {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	want := []string{oaiID(e.ids["metadata"]), oaiID(e.ids["reduced"]), oaiID(e.ids["restricted"]), oaiID(e.ids["embargoed"])}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("window: %v, want %v", ids, want)
	}
	if got, _ := e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc&from=1900-01-01&until=2024-01-01"); len(got) != len(e.ids) {
		t.Errorf("day window: %d records, want %d", len(got), len(e.ids))
	}
}

func TestResumptionOverManyRecords(t *testing.T) {
	s := openStore(t)
	e := &env{store: s, p: &Provider{Store: s, Now: func() time.Time { return now }}, ids: map[string]string{}}
	const n = 250
	for i := range n {
		inst := []string{"cmu", "tu"}[i%2]
		e.ids[strconv.Itoa(i)] = saveItem(t, s, &repository.Item{Institution: inst, Title: repository.Text{"en": fmt.Sprintf("Photograph %d", i)}})
	}
	all, _ := e.harvest(t, "ListRecords", "metadataPrefix=oai_dc")
	if len(all) != n {
		t.Fatalf("ListRecords harvested %d, want %d", len(all), n)
	}
	for _, id := range e.ids {
		if x, ok := all[oaiID(id)]; !ok || x.Metadata == nil {
			t.Fatalf("%s: %+v", id, x)
		}
	}
	if got, _ := e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc&set=tu"); len(got) != n/2 {
		t.Errorf("ListIdentifiers set=tu harvested %d, want %d", len(got), n/2)
	}
	// Pages: 100, 100, 50; the last token is empty with the cursor of its page.
	r, _ := e.answer(t, "verb=ListIdentifiers&metadataPrefix=oai_dc")
	r2, _ := e.answer(t, "verb=ListIdentifiers&resumptionToken="+url.QueryEscape(r.token().Value))
	r3, _ := e.answer(t, "verb=ListIdentifiers&resumptionToken="+url.QueryEscape(r2.token().Value))
	if len(r.Headers) != 100 || len(r2.Headers) != 100 || len(r3.Headers) != 50 || r3.token() == nil || r3.token().Value != "" || r3.token().Cursor != "200" {
		t.Errorf("pages of %d, %d, %d; last token %+v", len(r.Headers), len(r2.Headers), len(r3.Headers), r3.token())
	}
	// A list of exactly one page has no token.
	if r, _ := e.answer(t, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=cmu&until="+r.Headers[99].Datestamp); len(r.Headers) != 50 || r.token() != nil {
		t.Errorf("one page: %d headers, token %+v", len(r.Headers), r.token())
	}
}

// countingStore counts the changes read, of the whole archive or of a set.
type countingStore struct {
	Store
	changes *int
}

func (c countingStore) Changes(from, until time.Time, after string, limit int) ([]repository.Change, string, error) {
	*c.changes++
	return c.Store.Changes(from, until, after, limit)
}

func (c countingStore) SetChanges(inst, unit string, from, until time.Time, after string, limit int) ([]repository.Change, string, error) {
	*c.changes++
	return c.Store.SetChanges(inst, unit, from, until, after, limit)
}

func TestSetsThatAreNotShownAreRefusedWithoutScanning(t *testing.T) {
	e := newEnv(t)
	n := 0
	e.p.Store = countingStore{Store: e.store, changes: &n}
	for _, set := range []string{"mit", "tu:cmu-lanna", "cmu:cmu-secret", "cmu:cmu-secret-series", "tu:tu-old", "cmu:nosuch", "cmu:cmu-lanna:x", "CMU"} {
		r, _ := e.answer(t, "verb=ListRecords&metadataPrefix=oai_dc&set="+url.QueryEscape(set))
		if r.Error == nil || r.Error.Code != "noRecordsMatch" || n != 0 {
			t.Errorf("set %q: %+v after reading the changes %d times", set, r.Error, n)
		}
	}
	if r, _ := e.answer(t, "verb=ListRecords&metadataPrefix=oai_dc&set=cmu:cmu-letters"); len(r.Records) != 1 || n == 0 {
		t.Errorf("set cmu:cmu-letters: %d records after reading the changes %d times", len(r.Records), n)
	}
}

var errBroken = fmt.Errorf("metadata store unreachable: %w", fault.Unavailable)

// brokenStore is a real store whose method named fail does not answer.
type brokenStore struct {
	Store
	fail string
}

func (b brokenStore) err(method string) error {
	if b.fail == method {
		return errBroken
	}
	return nil
}

func (b brokenStore) Item(id string) (*repository.Item, error) {
	if err := b.err("Item"); err != nil {
		return nil, err
	}
	return b.Store.Item(id)
}

func (b brokenStore) Collection(id string) (*repository.Collection, error) {
	if err := b.err("Collection"); err != nil {
		return nil, err
	}
	return b.Store.Collection(id)
}

func (b brokenStore) Institution(id string) (*repository.Institution, error) {
	if err := b.err("Institution"); err != nil {
		return nil, err
	}
	return b.Store.Institution(id)
}

func (b brokenStore) Institutions() ([]*repository.Institution, error) {
	if err := b.err("Institutions"); err != nil {
		return nil, err
	}
	return b.Store.Institutions()
}

func (b brokenStore) Collections(inst string) ([]*repository.Collection, error) {
	if err := b.err("Collections"); err != nil {
		return nil, err
	}
	return b.Store.Collections(inst)
}

func (b brokenStore) Changes(from, until time.Time, after string, limit int) ([]repository.Change, string, error) {
	if err := b.err("Changes"); err != nil {
		return nil, "", err
	}
	return b.Store.Changes(from, until, after, limit)
}

func (b brokenStore) SetChanges(inst, unit string, from, until time.Time, after string, limit int) ([]repository.Change, string, error) {
	if err := b.err("SetChanges"); err != nil {
		return nil, "", err
	}
	return b.Store.SetChanges(inst, unit, from, until, after, limit)
}

func TestAStoreThatDoesNotAnswerIsAnError(t *testing.T) {
	e := newEnv(t)
	get := "verb=GetRecord&metadataPrefix=oai_dc&identifier=" + oaiID(e.ids["public"])
	for _, tc := range []struct{ fail, query string }{
		{"Changes", "verb=Identify"},
		{"Item", "verb=ListMetadataFormats&identifier=" + oaiID(e.ids["public"])},
		{"Institutions", "verb=ListSets"},
		{"Collections", "verb=ListSets"},
		{"Collection", "verb=ListSets"},
		{"Institution", "verb=ListSets"},
		{"Item", get},
		{"Collection", get},
		{"Institution", get},
		{"Changes", "verb=ListIdentifiers&metadataPrefix=oai_dc"},
		{"Item", "verb=ListIdentifiers&metadataPrefix=oai_dc"},
		{"Collection", "verb=ListIdentifiers&metadataPrefix=oai_dc"},
		{"Institution", "verb=ListIdentifiers&metadataPrefix=oai_dc"},
		{"Changes", "verb=ListRecords&metadataPrefix=oai_dc"},
		{"Item", "verb=ListRecords&metadataPrefix=oai_dc"},
		{"Institution", "verb=ListRecords&metadataPrefix=oai_dc&set=cmu"},
		{"Collection", "verb=ListRecords&metadataPrefix=oai_dc&set=cmu:cmu-lanna"},
		{"SetChanges", "verb=ListRecords&metadataPrefix=oai_dc&set=cmu"},
		{"SetChanges", "verb=ListIdentifiers&metadataPrefix=oai_dc&set=cmu:cmu-lanna"},
	} {
		p := *e.p
		p.Store = brokenStore{Store: e.store, fail: tc.fail}
		args, _ := url.ParseQuery(tc.query)
		body, err := p.Answer(context.Background(), base, site, args)
		if !errors.Is(err, errBroken) || !errors.Is(err, fault.Unavailable) || body != nil {
			t.Errorf("%s failing, %s: %v\n%s", tc.fail, tc.query, err, body)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.p.Answer(ctx, base, site, url.Values{"verb": {"ListRecords"}, "metadataPrefix": {"oai_dc"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("a harvester that went away: %v", err)
	}
}

// FuzzResumptionToken: no token, however forged, panics or breaks the XML.
func FuzzResumptionToken(f *testing.F) {
	e := newEnv(f)
	f.Add(forge("ListRecords||||1|abc|0"))
	f.Add(forge("ListRecords|cmu|2024-01-01|2024-01-02|1704067201000000000|abc|99"))
	f.Add(forge("ListRecords||||9223372036854775807|zz|1099511627776"))
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, tok string) {
		body, err := e.p.Answer(context.Background(), base, site, url.Values{"verb": {"ListRecords"}, "resumptionToken": {tok}})
		if err != nil {
			t.Fatal(err)
		}
		parse(t, tok, body)
	})
}

func TestNeverPublicRecordsAreAnsweredAsIdentifiersThatDoNotExist(t *testing.T) {
	s := openStore(t)
	e := &env{store: s, p: &Provider{Store: s, Now: func() time.Time { return now }}, ids: map[string]string{}}
	saveCollection(t, s, &repository.Collection{ID: "tu-hidden-fonds", Institution: "tu", Level: repository.Fonds,
		Title: repository.Text{"en": "Hidden Fonds Title"}, Access: repository.Access{Level: repository.Restricted}})
	e.ids["hidden"] = saveItem(t, s, &repository.Item{Institution: "tu", Title: repository.Text{"en": "Restricted Secret Title"}, Access: repository.Access{Level: repository.Restricted}})
	e.ids["in-hidden"] = saveItem(t, s, &repository.Item{Institution: "tu", Collection: "tu-hidden-fonds", Title: repository.Text{"en": "Item Of Hidden Fonds"}})
	e.ids["closed"] = closeItem(t, s, &repository.Item{Institution: "tu", Title: repository.Text{"en": "Closed later"}}, "", repository.Access{Level: repository.Restricted})
	e.ids["open"] = saveItem(t, s, &repository.Item{Institution: "tu", Title: repository.Text{"en": "Open"}})

	// The answer with the identifier, and the id in it, made the same.
	answer := func(q, identifier string) string {
		_, body := e.answer(t, q+identifier)
		body = strings.ReplaceAll(body, identifier, "IDENTIFIER")
		return strings.ReplaceAll(body, identifier[strings.LastIndex(identifier, ":")+1:], "ID")
	}
	for _, q := range []string{"verb=GetRecord&metadataPrefix=oai_dc&identifier=", "verb=ListMetadataFormats&identifier="} {
		missing := answer(q, oaiID("nosuchitem"))
		if !strings.Contains(missing, `code="idDoesNotExist"`) {
			t.Fatalf("%s of no item: %s", q, missing)
		}
		for _, name := range []string{"hidden", "in-hidden"} {
			if got := answer(q, oaiID(e.ids[name])); got != missing {
				t.Errorf("%s of the %s item:\n%s\nwant as for no item:\n%s", q, name, got, missing)
			}
		}
	}
	missing := answer("verb=GetRecord&metadataPrefix=ead&identifier=", FondsIdentifier("nosuchunit"))
	if got := answer("verb=GetRecord&metadataPrefix=ead&identifier=", FondsIdentifier("tu-hidden-fonds")); got != missing || !strings.Contains(got, `code="idDoesNotExist"`) {
		t.Errorf("GetRecord of the hidden fonds:\n%s\nwant as for no unit:\n%s", got, missing)
	}

	for _, verb := range []string{"ListIdentifiers", "ListRecords"} {
		for _, set := range []string{"", "&set=tu"} {
			got, _ := e.harvest(t, verb, "metadataPrefix=oai_dc"+set)
			if len(got) != 2 || got[oaiID(e.ids["open"])].Header.Status != "" || got[oaiID(e.ids["closed"])].Header.Status != "deleted" {
				t.Errorf("%s%s: %+v, want the open item and the item closed after it was public (deleted), no more", verb, set, got)
			}
		}
	}
	if r, body := e.answer(t, "verb=ListIdentifiers&metadataPrefix=ead"); r.Error == nil || r.Error.Code != "noRecordsMatch" || strings.Contains(body, "tu-hidden-fonds") {
		t.Errorf("ListIdentifiers of finding aids lists the hidden fonds:\n%s", body)
	}
}

// TestItemSeenThroughAnOpenedCollectionIsDeletedWhenItCloses: an item of
// its own open, seen only while its fonds was open (never saved in that
// time), is a deleted record once the fonds closes again, so that
// harvesters drop it; an item closed of its own stays unknown.
func TestItemSeenThroughAnOpenedCollectionIsDeletedWhenItCloses(t *testing.T) {
	s := openStore(t)
	e := &env{store: s, p: &Provider{Store: s, Now: func() time.Time { return now }}, ids: map[string]string{}}
	fonds := &repository.Collection{ID: "tu-fonds", Institution: "tu", Level: repository.Fonds,
		Title: repository.Text{"en": "Fonds"}, Access: repository.Access{Level: repository.Restricted}}
	saveCollection(t, s, fonds)
	e.ids["open"] = saveItem(t, s, &repository.Item{Institution: "tu", Collection: "tu-fonds", Title: repository.Text{"en": "Open of its own"}})
	e.ids["own"] = saveItem(t, s, &repository.Item{Institution: "tu", Collection: "tu-fonds", Title: repository.Text{"en": "Closed of its own"}, Access: repository.Access{Level: repository.Restricted}})
	// The fonds opens, a harvester may take the open item, and it closes.
	for _, level := range []string{repository.Public, repository.Restricted} {
		c, err := s.Collection("tu-fonds")
		if err != nil {
			t.Fatal(err)
		}
		c.Access.Level = level
		saveCollection(t, s, c)
	}
	got, _ := e.harvest(t, "ListIdentifiers", "metadataPrefix=oai_dc")
	if len(got) != 1 || got[oaiID(e.ids["open"])].Header.Status != "deleted" {
		t.Errorf("after the fonds closed again: %+v, want the item it showed as deleted, no more", got)
	}
}
