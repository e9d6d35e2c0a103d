package harvest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

var (
	ctx   = context.Background()
	admin = access.Principal{User: "cli", Email: "admin@example.org", Role: access.SystemAdmin}
)

// fixture is a store and a service over it whose waits are short.
func fixture(t testing.TB) (*Service, *bolt.Store) {
	t.Helper()
	blobs, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := New(st, nil)
	s.Pause, s.Backoff, s.Retries = 0, 10*time.Millisecond, 3
	return s, st
}

func addSource(t testing.TB, s *Service, base, set string) *repository.Source {
	t.Helper()
	src := &repository.Source{Institution: "cmu", OAI: base, Set: set}
	if err := s.Add(ctx, admin, src); err != nil {
		t.Fatal(err)
	}
	return src
}

func theses(n int) []fakeRecord {
	out := make([]fakeRecord, n)
	for i := range out {
		out[i] = thesis(i+1, fmt.Sprintf("การศึกษาประวัติศาสตร์ล้านนา เล่ม %d", i+1))
	}
	return out
}

// versions is every entry's version by record identifier.
func versions(t *testing.T, st *bolt.Store, src string) map[string]int {
	t.Helper()
	ids, err := st.EntryIdentifiers(src)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, id := range ids {
		e, err := st.EntryOf(src, id)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = e.Version
	}
	return out
}

func TestHarvestFollowsTokensMapsThaiRecordsAndAReharvestRewritesNothing(t *testing.T) {
	s, st := fixture(t)
	p := &provider{records: theses(7), page: 3}
	p.records = append(p.records, fakeRecord{id: "oai:other:1", datestamp: "2026-01-01T00:00:00Z", set: "other", dc: "<dc:title>Not this set</dc:title>"})
	srv := startProvider(t, p)
	src := addSource(t, s, srv.URL, "col_6653943832_1")
	got, err := s.Run(ctx, admin, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Run; r.Read != 7 || r.Added != 7 || r.Token != "" || r.Finished.IsZero() || r.From != "2026-12-07T10:00:00Z" || r.Granularity != secondGranularity {
		t.Fatalf("the first run: %+v", r)
	}
	asked := p.asked()
	if len(asked) != 4 || !strings.Contains(asked[0], "verb=Identify") || !strings.Contains(asked[1], "set=col_6653943832_1") || !strings.Contains(asked[1], "metadataPrefix=oai_dc") ||
		strings.Contains(asked[1], "from=") || !strings.Contains(asked[2], "resumptionToken=3") || !strings.Contains(asked[3], "resumptionToken=6") {
		t.Fatalf("the requests of the first run: %q", asked)
	}
	e, err := st.EntryOf(src.ID, "oai:cmudc.library.cmu.ac.th:6653943832/2")
	if err != nil {
		t.Fatal(err)
	}
	if e.Title.Get("th") != "การศึกษาประวัติศาสตร์ล้านนา เล่ม 2" || e.Summary.Get("en") != "A thesis." || e.Date != "2007" || e.Type != "Text" ||
		!slices.Equal(e.Language, []string{"th"}) || e.Link != "http://hdl.handle.net/6653943832/2" || e.Thumbnail != "http://cmudc.library.cmu.ac.th/thumb/2.jpg" ||
		!slices.Equal(e.Creators, []string{"สมชาย ใจดี"}) || len(e.Subjects) != 2 || e.Subjects[0].Get("th") != "ประวัติศาสตร์ล้านนา" || e.Subjects[1]["en"] != "Lanna history" ||
		e.Institution != "cmu" || e.Source != src.ID {
		t.Fatalf("the mapped entry: %+v", e)
	}
	before := versions(t, st, src.ID)
	// The provider's records are touched without a change: a full re-harvest
	// (the set's From cleared) reads them all and writes none.
	fresh, _ := st.Source(src.ID)
	fresh.Run.From = ""
	if err := st.SaveSource(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	_, last, _ := st.FeedEpoch()
	again, err := s.Run(ctx, admin, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := again.Run; r.Read != 7 || r.Unchanged != 7 || r.Added+r.Changed+r.Removed != 0 {
		t.Fatalf("the re-harvest: %+v", r)
	}
	if after := versions(t, st, src.ID); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("a re-harvest that changed nothing rewrote entries: %v then %v", before, after)
	}
	feed, err := st.Feed(last, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range feed {
		if f.Kind == "entry" {
			t.Fatalf("a re-harvest that changed nothing announced %+v", f)
		}
	}
	// The next run asks from the last run's start, in the provider's granularity.
	if _, err := s.Run(ctx, admin, src.ID); err != nil {
		t.Fatal(err)
	}
	if asked := p.asked(); !strings.Contains(asked[len(asked)-1], "from=2026-12-07T10%3A00%3A00Z") {
		t.Fatalf("an incremental run asked %q", asked[len(asked)-1])
	}
}

func TestADeletedRecordLeavesTheCatalogueAndAChangedOneIsWrittenOnce(t *testing.T) {
	s, st := fixture(t)
	p := &provider{records: theses(4), page: 10}
	srv := startProvider(t, p)
	src := addSource(t, s, srv.URL, "")
	if _, err := s.Run(ctx, admin, src.ID); err != nil {
		t.Fatal(err)
	}
	p.set(func(p *provider) {
		p.records[1] = fakeRecord{id: p.records[1].id, datestamp: "2026-12-08T00:00:00Z", set: p.records[1].set, deleted: true}
		p.records[2] = thesis(3, "ชื่อเรื่องที่แก้ไขแล้ว")
		p.records[2].datestamp = "2026-12-08T00:00:00Z"
	})
	got, err := s.Run(ctx, admin, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Run; r.Read != 2 || r.Removed != 1 || r.Changed != 1 {
		t.Fatalf("the incremental run: %+v", r)
	}
	ids, _ := st.EntryIdentifiers(src.ID)
	if len(ids) != 3 || slices.Contains(ids, p.records[1].id) {
		t.Fatalf("the catalogue after a deletion: %v", ids)
	}
	if e, err := st.EntryOf(src.ID, p.records[2].id); err != nil || e.Version != 2 || e.Title.Get("th") != "ชื่อเรื่องที่แก้ไขแล้ว" {
		t.Fatalf("the changed entry %+v, %v", e, err)
	}
	if lib, err := st.EntryIDsOf("cmu"); err != nil || len(lib) != 3 {
		t.Fatalf("the library's entries %v, %v", lib, err)
	}
}

func TestABadRecordIsNamedAndSkippedAndTheRunGoesOn(t *testing.T) {
	s, st := fixture(t)
	p := &provider{records: theses(3), page: 10}
	p.records[1].dc = "<dc:creator>nobody</dc:creator>"
	srv := startProvider(t, p)
	src := addSource(t, s, srv.URL, "")
	got, err := s.Run(ctx, admin, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Run; r.Read != 3 || r.Added != 2 || r.Failed != 1 || len(r.Errors) != 1 || r.Errors[0].Identifier != p.records[1].id || !strings.Contains(r.Errors[0].Error, "has no title") {
		t.Fatalf("the run: %+v", r)
	}
	if ids, _ := st.EntryIdentifiers(src.ID); len(ids) != 2 {
		t.Fatalf("entries %v", ids)
	}
}

func TestAMalformedPageStopsTheRunWhichTheNextResumesFromItsToken(t *testing.T) {
	s, st := fixture(t)
	p := &provider{records: theses(7), page: 3}
	p.fault = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.RawQuery, "resumptionToken=3") && n < 5 {
			fmt.Fprint(w, `<?xml version="1.0"?><OAI-PMH><ListRecords><record><header><identifier>oai:x:4</identifier></header><metadata>`)
			return true
		}
		return false
	}
	srv := startProvider(t, p)
	src := addSource(t, s, srv.URL, "")
	got, err := s.Run(ctx, admin, src.ID)
	if !errors.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "not well-formed") {
		t.Fatalf("a malformed page: %v", err)
	}
	saved, _ := st.Source(src.ID)
	if saved.Run.Token == "" || !strings.HasPrefix(saved.Run.Token, "3|") || saved.Run.Read != 3 || saved.Run.Error == "" || !saved.Run.Finished.IsZero() || got.Run.Token != saved.Run.Token {
		t.Fatalf("the stopped run's state: %+v", saved.Run)
	}
	if ids, _ := st.EntryIdentifiers(src.ID); len(ids) != 3 {
		t.Fatalf("entries after the first page: %v", ids)
	}
	got, err = s.Run(ctx, admin, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	asked := p.asked()
	if !strings.Contains(asked[len(asked)-2], "resumptionToken=3") || got.Run.Read != 7 || got.Run.Added != 7 || got.Run.Error != "" || got.Run.Token != "" {
		t.Fatalf("the resumed run asked %q and ended %+v", asked, got.Run)
	}
}

func TestAProviderThatDiesMidListIsResumedFromTheLastTokenAfterACrash(t *testing.T) {
	s, st := fixture(t)
	s.Retries = 0
	p := &provider{records: theses(9), page: 3}
	var dead atomic.Bool
	dead.Store(true)
	p.fault = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if dead.Load() && strings.Contains(r.URL.RawQuery, "resumptionToken=6") {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return true
		}
		return false
	}
	srv := startProvider(t, p)
	src := addSource(t, s, srv.URL, "")
	if _, err := s.Run(ctx, admin, src.ID); !errors.Is(err, fault.Unavailable) {
		t.Fatalf("a provider that died: %v", err)
	}
	saved, _ := st.Source(src.ID)
	if !strings.HasPrefix(saved.Run.Token, "6|") || saved.Run.Read != 6 {
		t.Fatalf("the state after the provider died: %+v", saved.Run)
	}
	// A crash: the service goes away in the middle of the next page; a new
	// one over the same store goes on from the token saved last.
	dead.Store(false)
	crash, cancel := context.WithCancel(ctx)
	second := New(st, nil)
	second.Pause = 0
	var calls atomic.Int32
	p.set(func(p *provider) {
		p.fault = func(n int, w http.ResponseWriter, r *http.Request) bool {
			if strings.Contains(r.URL.RawQuery, "resumptionToken=6") {
				if calls.Add(1) == 1 {
					cancel()
					<-r.Context().Done() // the harvester went away with the page unread
					return true
				}
			}
			return false
		}
	})
	if _, err := second.Run(crash, admin, src.ID); err == nil {
		t.Fatal("a run cut short by its context reported no error")
	}
	third := New(st, nil)
	third.Pause = 0
	got, err := third.Run(ctx, admin, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Run.Read != 9 || got.Run.Added != 9 || got.Run.Token != "" {
		t.Fatalf("the resumed run: %+v", got.Run)
	}
	if ids, _ := st.EntryIdentifiers(src.ID); len(ids) != 9 {
		t.Fatalf("entries %d, want 9", len(ids))
	}
}

func TestA503RetryAfterIsWaitedForUpToItsBound(t *testing.T) {
	for _, c := range []struct {
		name       string
		retryAfter string
		maxWait    time.Duration
		least      time.Duration
	}{
		{"one second", "1", time.Minute, time.Second},
		{"an hour, bounded", "3600", 200 * time.Millisecond, 200 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, st := fixture(t)
			s.MaxWait = c.maxWait
			p := &provider{records: theses(2), page: 10}
			var asked503 time.Time
			p.fault = func(n int, w http.ResponseWriter, r *http.Request) bool {
				if n == 2 {
					asked503 = time.Now()
					w.Header().Set("Retry-After", c.retryAfter)
					w.WriteHeader(http.StatusServiceUnavailable)
					return true
				}
				if n == 3 && time.Since(asked503) < c.least {
					t.Errorf("asked again %v after a 503, want at least %v", time.Since(asked503), c.least)
				}
				return false
			}
			srv := startProvider(t, p)
			src := addSource(t, s, srv.URL, "")
			got, err := s.Run(ctx, admin, src.ID)
			if err != nil || got.Run.Added != 2 || len(p.asked()) != 3 {
				t.Fatalf("after a 503: %+v, %v, asked %q", got, err, p.asked())
			}
			if ids, _ := st.EntryIdentifiers(src.ID); len(ids) != 2 {
				t.Fatalf("entries %v", ids)
			}
		})
	}
}

func TestA5xxIsTriedAgainWithBackOffAndAPersistentOneEndsTheRunUntilTheHourIsOut(t *testing.T) {
	s, st := fixture(t)
	p := &provider{records: theses(2), page: 10}
	p.fault = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("verb") == "ListRecords" {
			w.WriteHeader(http.StatusBadGateway)
			return true
		}
		return false
	}
	srv := startProvider(t, p)
	src := addSource(t, s, srv.URL, "")
	start := time.Now()
	_, err := s.Run(ctx, admin, src.ID)
	if !errors.Is(err, fault.Unavailable) || !strings.Contains(err.Error(), "502") {
		t.Fatalf("a provider that answers 502: %v", err)
	}
	// One Identify, then the first try and three more after 10, 20, 40 ms.
	if n := len(p.asked()); n != 5 || time.Since(start) < 70*time.Millisecond {
		t.Fatalf("asked %d times in %v", n, time.Since(start))
	}
	// The source is due again within the hour, not in a day.
	if saved, err := st.Source(src.ID); err != nil || !strings.Contains(saved.Run.Error, "502") || saved.Run.Next.After(time.Now().Add(time.Hour)) {
		t.Fatalf("the stopped run's state: %+v, %v", saved.Run, err)
	}
}

func TestOnlyTheLibrarysAdministratorsAndSystemAdministratorsManageItsSources(t *testing.T) {
	s, _ := fixture(t)
	for _, c := range []struct {
		p    access.Principal
		want error
	}{
		{access.Principal{User: "a", Email: "a@cmu", Institution: "cmu", Role: access.LibraryAdmin}, nil},
		{access.Principal{User: "b", Email: "b@tu", Institution: "tu", Role: access.LibraryAdmin}, fault.Forbidden},
		{access.Principal{User: "c", Email: "c@cmu", Institution: "cmu", Role: access.Archivist}, fault.Forbidden},
		{access.Principal{}, fault.Unauthenticated},
	} {
		src := &repository.Source{Institution: "cmu", OAI: "http://127.0.0.1:9/oai"}
		err := s.Add(ctx, c.p, src)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s adding a source of cmu: %v, want %v", c.p.Email, err, c.want)
		}
	}
	if err := s.Add(ctx, admin, &repository.Source{Institution: "nowhere", OAI: "http://127.0.0.1:9/oai"}); !errors.Is(err, fault.NotFound) {
		t.Fatalf("a source of no library: %v", err)
	}
	tu := access.Principal{User: "b", Email: "b@tu", Institution: "tu", Role: access.LibraryAdmin}
	if list, err := s.List(ctx, tu); err != nil || len(list) != 0 {
		t.Fatalf("tu's administrator sees %v, %v", list, err)
	}
	all, err := s.List(ctx, admin)
	if err != nil || len(all) != 1 {
		t.Fatalf("every source: %v, %v", all, err)
	}
	if _, err := s.Run(ctx, tu, all[0].ID); !errors.Is(err, fault.Forbidden) {
		t.Fatalf("tu's administrator ran cmu's source: %v", err)
	}
	if err := s.Remove(ctx, tu, all[0].ID); !errors.Is(err, fault.Forbidden) {
		t.Fatalf("tu's administrator removed cmu's source: %v", err)
	}
}

func TestRemovingASourceTakesItsEntriesOutOfTheCatalogue(t *testing.T) {
	s, st := fixture(t)
	srv := startProvider(t, &provider{records: theses(3), page: 10})
	src := addSource(t, s, srv.URL, "")
	if _, err := s.Run(ctx, admin, src.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, admin, src.ID); err != nil {
		t.Fatal(err)
	}
	if ids, err := st.EntryIDsOf("cmu"); err != nil || len(ids) != 0 {
		t.Fatalf("entries left: %v, %v", ids, err)
	}
	if list, _ := s.List(ctx, admin); len(list) != 0 {
		t.Fatalf("sources left: %v", list)
	}
	if _, err := s.Run(ctx, admin, src.ID); !errors.Is(err, fault.NotFound) {
		t.Fatalf("running a removed source: %v", err)
	}
}

func TestDueMakesASourceRunOnTheServicesNextLook(t *testing.T) {
	s, _ := fixture(t)
	p := &provider{records: theses(2), page: 10}
	srv := startProvider(t, p)
	src := addSource(t, s, srv.URL, "")
	if err := s.RunDue(ctx, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if n := len(p.asked()); n != 2 {
		t.Fatalf("a new source is due at once: asked %d times", n)
	}
	if err := s.RunDue(ctx, slog.New(slog.DiscardHandler)); err != nil || len(p.asked()) != 2 {
		t.Fatalf("a source run a moment ago ran again: %v, asked %d times", err, len(p.asked()))
	}
	tu := access.Principal{User: "b", Email: "b@tu", Institution: "tu", Role: access.LibraryAdmin}
	if _, err := s.Due(ctx, tu, src.ID); !errors.Is(err, fault.Forbidden) {
		t.Fatalf("another library's administrator: %v", err)
	}
	if _, err := s.Due(ctx, admin, src.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RunDue(ctx, slog.New(slog.DiscardHandler)); err != nil || len(p.asked()) != 4 {
		t.Fatalf("a source made due did not run: %v, asked %d times", err, len(p.asked()))
	}
}

func TestRequestsToASourceKeepAPoliteDistance(t *testing.T) {
	s, _ := fixture(t)
	s.Pause = 150 * time.Millisecond
	var times []time.Time
	var mu sync.Mutex
	p := &provider{records: theses(6), page: 2}
	p.fault = func(n int, w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		return false
	}
	srv := startProvider(t, p)
	src := addSource(t, s, srv.URL, "")
	if _, err := s.Run(ctx, admin, src.ID); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(times) != 4 {
		t.Fatalf("%d requests, want Identify and three pages", len(times))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 100*time.Millisecond { // 150ms less what the loaded machine may delay one arrival by
			t.Errorf("request %d came %v after the one before, want at least 150ms", i+1, gap)
		}
	}
}

func TestQualifiedDublinCoreIsHarvestedWithItsIssuedDateAndAbstract(t *testing.T) {
	s, st := fixture(t)
	p := &provider{page: 10, records: []fakeRecord{{id: "oai:dspace:1/1", datestamp: "2026-01-01T00:00:00Z", qdc: `<dc:title>ผ้าทอไทลื้อ</dc:title><dcterms:alternative xml:lang="en">Tai Lue weaving</dcterms:alternative>` +
		`<dcterms:abstract>การศึกษาลวดลายผ้า</dcterms:abstract><dcterms:available>2012-01-01T00:00:00Z</dcterms:available><dc:date>2011</dc:date><dcterms:issued>2553</dcterms:issued>` +
		`<dc:identifier>hdl:1/1</dc:identifier>`}}}
	srv := startProvider(t, p)
	src := &repository.Source{Institution: "cmu", OAI: srv.URL, Format: "qdc"}
	if err := s.Add(ctx, admin, src); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(ctx, admin, src.ID); err != nil {
		t.Fatal(err)
	}
	if asked := p.asked(); !strings.Contains(asked[1], "metadataPrefix=qdc") {
		t.Fatalf("asked %q", asked)
	}
	e, err := st.EntryOf(src.ID, "oai:dspace:1/1")
	if err != nil || e.Title["th"] != "ผ้าทอไทลื้อ" || e.Title["en"] != "Tai Lue weaving" || e.Summary["th"] != "การศึกษาลวดลายผ้า" || e.Date != "2010" || e.Link != "https://hdl.handle.net/1/1" {
		t.Fatalf("the qdc entry: %+v, %v", e, err)
	}
}

func TestASourceBeingHarvestedIsNeitherMadeDueNorRemovedNorRunTwice(t *testing.T) {
	s, st := fixture(t)
	release := make(chan struct{})
	p := &provider{records: theses(2), page: 10}
	p.fault = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("verb") == "ListRecords" {
			<-release
		}
		return false
	}
	srv := startProvider(t, p)
	src := addSource(t, s, srv.URL, "")
	done := make(chan error, 1)
	go func() { _, err := s.Run(ctx, admin, src.ID); done <- err }()
	deadline := time.Now().Add(30 * time.Second)
	for len(p.asked()) < 2 { // the run waits in ListRecords
		if time.Now().After(deadline) {
			t.Fatal("the run did not reach ListRecords within 30s")
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}
	if _, err := s.Due(ctx, admin, src.ID); !errors.Is(err, fault.Conflict) {
		t.Errorf("made due while running: %v", err)
	}
	if err := s.Remove(ctx, admin, src.ID); !errors.Is(err, fault.Conflict) {
		t.Errorf("removed while running: %v", err)
	}
	if _, err := s.Run(ctx, admin, src.ID); !errors.Is(err, fault.Conflict) {
		t.Errorf("run twice at once: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Source(src.ID); got.Run.Added != 2 || got.Run.Error != "" {
		t.Fatalf("the run's state: %+v", got.Run)
	}
}

func TestAnAnswerThatIsNotOAIPMHIsAnErrorNotAnEmptyLastPage(t *testing.T) {
	s, st := fixture(t)
	p := &provider{records: theses(4), page: 2}
	p.fault = func(n int, w http.ResponseWriter, r *http.Request) bool {
		return strings.Contains(r.URL.RawQuery, "resumptionToken=2") // answers 200 with nothing
	}
	srv := startProvider(t, p)
	src := addSource(t, s, srv.URL, "")
	if _, err := s.Run(ctx, admin, src.ID); !errors.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "not OAI-PMH") {
		t.Fatalf("an empty answer: %v", err)
	}
	if saved, _ := st.Source(src.ID); !strings.HasPrefix(saved.Run.Token, "2|") || !saved.Run.Finished.IsZero() {
		t.Fatalf("an empty answer ended the list: %+v", saved.Run)
	}
}
