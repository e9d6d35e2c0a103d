package harvest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeRecord is a record of the stand-in provider.
type fakeRecord struct {
	id, datestamp, set string
	deleted            bool
	dc                 string // the oai_dc elements
	qdc                string // or the qualified Dublin Core elements
	meta               string // or the metadata's own element (mods, marc:record…)
}

// provider is a small OAI-PMH provider for the faults a real one cannot
// be made to show: its records, a page size, and a hook that may answer a
// request in its place.
type provider struct {
	mu      sync.Mutex
	records []fakeRecord
	// theses, when records is nil, is how many theses it serves, made as
	// they are asked for: its memory does not grow with them.
	theses int
	page   int
	// fault, when set, may answer the n-th request (from 1) itself and
	// report that it did.
	fault    func(n int, w http.ResponseWriter, r *http.Request) bool
	requests []string // the query of each request, in order
}

func startProvider(t testing.TB, p *provider) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv
}

func (p *provider) asked() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

func (p *provider) set(f func(*provider)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.requests = append(p.requests, r.URL.RawQuery)
	n := len(p.requests)
	fault := p.fault
	records := append([]fakeRecord(nil), p.records...)
	page := p.page
	p.mu.Unlock()
	if fault != nil && fault(n, w, r) {
		return
	}
	q := r.URL.Query()
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-12-07T10:00:00Z</responseDate>`)
	defer fmt.Fprint(w, `</OAI-PMH>`)
	switch q.Get("verb") {
	case "Identify":
		fmt.Fprint(w, `<Identify><repositoryName>stand-in</repositoryName><granularity>YYYY-MM-DDThh:mm:ssZ</granularity><earliestDatestamp>2000-01-01T00:00:00Z</earliestDatestamp><deletedRecord>persistent</deletedRecord></Identify>`)
		return
	case "ListRecords":
	default:
		fmt.Fprint(w, `<error code="badVerb">no such verb</error>`)
		return
	}
	set, from, start := q.Get("set"), q.Get("from"), 0
	if tok := q.Get("resumptionToken"); tok != "" {
		parts := strings.Split(tok, "|")
		if len(parts) != 3 {
			fmt.Fprint(w, `<error code="badResumptionToken">unknown token</error>`)
			return
		}
		start, _ = strconv.Atoi(parts[0])
		set, from = parts[1], parts[2]
	} else if f := q.Get("metadataPrefix"); f != "oai_dc" && f != "qdc" && f != "mods" && f != "marcxml" && f != "ead" {
		fmt.Fprint(w, `<error code="cannotDisseminateFormat">oai_dc, qdc, mods, marcxml and ead only</error>`)
		return
	}
	var match []fakeRecord
	for _, rec := range records {
		if (set == "" || rec.set == set) && rec.datestamp >= from {
			match = append(match, rec)
		}
	}
	total, at := len(match), func(i int) fakeRecord { return match[i] }
	if p.theses > 0 {
		total, at = p.theses, func(i int) fakeRecord {
			return thesis(i+1, fmt.Sprintf("การศึกษาประวัติศาสตร์ล้านนา เล่ม %d", i+1))
		}
	}
	if total == 0 {
		fmt.Fprint(w, `<error code="noRecordsMatch">none</error>`)
		return
	}
	fmt.Fprint(w, `<ListRecords>`)
	end := min(start+page, total)
	for i := start; i < end; i++ {
		rec := at(i)
		status := ""
		if rec.deleted {
			status = ` status="deleted"`
		}
		fmt.Fprintf(w, `<record><header%s><identifier>%s</identifier><datestamp>%s</datestamp><setSpec>%s</setSpec></header>`, status, rec.id, rec.datestamp, rec.set)
		switch {
		case rec.meta != "" && !rec.deleted:
			fmt.Fprintf(w, `<metadata>%s</metadata>`, rec.meta)
		case rec.qdc != "":
			fmt.Fprintf(w, `<metadata><qdc:qualifieddc xmlns:qdc="http://dspace.org/qualifieddc/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">%s</qdc:qualifieddc></metadata>`, rec.qdc)
		case !rec.deleted:
			fmt.Fprintf(w, `<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">%s</oai_dc:dc></metadata>`, rec.dc)
		}
		fmt.Fprint(w, `</record>`)
	}
	if end < total {
		fmt.Fprintf(w, `<resumptionToken completeListSize="%d" cursor="%d">%d|%s|%s</resumptionToken>`, total, start, end, set, from)
	} else if start > 0 {
		fmt.Fprintf(w, `<resumptionToken completeListSize="%d" cursor="%d"/>`, total, start)
	}
	fmt.Fprint(w, `</ListRecords>`)
}

// thesis is a record as DSpace and the Thai Digital Collection send one: a
// Thai title, a handle, the times it was accessioned and made available
// beside the year it was issued (here in the Buddhist Era).
func thesis(n int, title string) fakeRecord {
	return fakeRecord{
		id:        fmt.Sprintf("oai:cmudc.library.cmu.ac.th:6653943832/%d", n),
		datestamp: "2026-01-01T00:00:00Z",
		set:       "col_6653943832_1",
		dc: fmt.Sprintf(`<dc:title>%s</dc:title><dc:creator>สมชาย ใจดี</dc:creator><dc:subject>ประวัติศาสตร์ล้านนา</dc:subject><dc:subject xml:lang="en">Lanna history</dc:subject>`+
			`<dc:description xml:lang="en">A thesis.</dc:description><dc:date>2010-05-03T04:05:06Z</dc:date><dc:date>2010-05-03T04:05:06Z</dc:date><dc:date>2550</dc:date>`+
			`<dc:type>Thesis</dc:type><dc:language>tha</dc:language><dc:identifier>http://cmudc.library.cmu.ac.th/frontend/Info/item/dc:%d</dc:identifier><dc:identifier>http://hdl.handle.net/6653943832/%d</dc:identifier>`+
			`<dc:relation>http://cmudc.library.cmu.ac.th/thumb/%d.jpg</dc:relation>`, title, n, n, n),
	}
}
