package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/repository"
)

// The machine misread ค as ด: กรุงเทพมหานดร for กรุงเทพมหานคร.
const (
	misread   = "กรุงเทพมหานดร"
	corrected = "กรุงเทพมหานคร"
)

var misreadPages = [][]string{
	{"ประกาศ " + misread, "เรื่อง การรับสมัคร"},
	{"The council met on Tuesday."},
}

// send makes a request with a token (and a body).
func send(e *iiifEnv, tok, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/ld+json")
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

// lineTranscription is a transcription of the region xywh of canvas 1.
func lineTranscription(item, xywh, text string) string {
	return fmt.Sprintf(`{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "motivation": "supplementing",
 "body": {"type": "TextualBody", "value": %q, "language": "th"},
 "target": {"source": "http://example.com/iiif/3/manifest/%s/canvas/1",
  "selector": {"type": "FragmentSelector", "conformsTo": "http://www.w3.org/TR/media-frags/", "value": %q}}}`, text, item, xywh)
}

// finds reports what the catalogue and Content Search find of q: the
// catalogue's pages of item that hold it, and Content Search's hits.
func finds(t testing.TB, e *iiifEnv, item, q string) (pages []int, within int) {
	t.Helper()
	w := e.do(t, "GET", "/api/v1/search?q="+url.QueryEscape(q))
	var api struct {
		Hits []struct {
			ID    string
			Pages []struct{ Page int }
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &api); err != nil {
		t.Fatalf("search %q: %d %s", q, w.Code, w.Body)
	}
	for _, h := range api.Hits {
		if h.ID == item {
			for _, p := range h.Pages {
				pages = append(pages, p.Page)
			}
			if len(pages) == 0 {
				pages = []int{0}
			}
		}
	}
	w = e.do(t, "GET", "/iiif/search/2/"+item+"?q="+url.QueryEscape(q))
	var cs struct{ Items []struct{ Target any } }
	if err := json.Unmarshal(w.Body.Bytes(), &cs); err != nil {
		t.Fatalf("content search %q: %d %s", q, w.Code, w.Body)
	}
	return pages, len(cs.Items)
}

// untilFinds polls until the catalogue finds q on page 1 of item and
// returns how long that took.
func untilFinds(t *testing.T, e *iiifEnv, item, q string) time.Duration {
	t.Helper()
	start := time.Now()
	for deadline := start.Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if pages, _ := finds(t, e, item, q); len(pages) == 1 && pages[0] == 1 {
			return time.Since(start)
		}
	}
	t.Fatalf("the catalogue never found %q on page 1 of %s", q, item)
	return 0
}

// A Thai line the machine misread, corrected by the holding library's
// staff, is found by the corrected word through the catalogue and
// through Content Search, with its box, and no longer by the wrong one;
// the page's ALTO, text annotations, the item's text and its PDF's text
// layer say the corrected word, and the machine's text is kept. Deleting the correction brings the machine's
// text back.
func TestACorrectedThaiLineIsFoundByTheCorrectWordAndNotTheWrongOne(t *testing.T) {
	e := newIIIFEnv(t)
	it := textItem(t, e, misreadPages...)
	staff := tokenFor(t, e.store, "arch@cmu.example", "cmu", "archivist", "write")
	untilFinds(t, e, it.ID, misread)
	if pages, within := finds(t, e, it.ID, corrected); len(pages) != 0 || within != 0 {
		t.Fatalf("before the correction, %s is found: pages %v, %d hits inside", corrected, pages, within)
	}

	w := send(e, staff, "POST", "/annotations/"+it.ID+"/1/", lineTranscription(it.ID, "xywh=95,95,610,40", "ประกาศ "+corrected))
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"review":"approved"`) {
		t.Fatalf("the staff's transcription: %d %s", w.Code, w.Body)
	}
	loc, etag := strings.TrimPrefix(w.Header().Get("Location"), "http://example.com"), w.Header().Get("ETag")
	took := untilFinds(t, e, it.ID, corrected)
	t.Logf("an approved correction was found by the catalogue %v after it was saved", took)
	if pages, within := finds(t, e, it.ID, misread); len(pages) != 0 || within != 0 {
		t.Errorf("after the correction, %s is still found: pages %v, %d hits inside", misread, pages, within)
	}
	for _, v := range []string{"2", "1"} {
		w = e.do(t, "GET", "/iiif/search/"+v+"/"+it.ID+"?q="+url.QueryEscape(corrected))
		var x, y, bw, bh int
		_, after, _ := strings.Cut(w.Body.String(), "/canvas/1#xywh=")
		if n, _ := fmt.Sscanf(after, "%d,%d,%d,%d", &x, &y, &bw, &bh); n != 4 || x < 95 || y < 95 || x+bw > 705 || y+bh > 135 {
			t.Errorf("Content Search %s does not find the corrected word in its line's box: %s", v, w.Body)
		}
		w = e.do(t, "GET", "/iiif/search/"+v+"/"+it.ID+"?q="+url.QueryEscape(misread))
		if strings.Contains(w.Body.String(), "#xywh=") {
			t.Errorf("Content Search %s still finds the wrong word: %s", v, w.Body)
		}
	}
	for _, p := range []string{"/api/v1/items/" + it.ID + "/files/1/alto", "/iiif/text/" + it.ID + "/1"} {
		w = e.do(t, "GET", p)
		if w.Code != 200 || !strings.Contains(w.Body.String(), corrected) || strings.Contains(w.Body.String(), misread) ||
			!strings.Contains(w.Body.String(), "การรับสมัคร") {
			t.Errorf("%s: %d %.400s", p, w.Code, w.Body)
		}
	}
	// The downloads: the item's text whole and its PDF's text layer.
	if w := e.do(t, "GET", "/api/v1/items/"+it.ID+"/text"); w.Code != 200 || !strings.Contains(w.Body.String(), corrected) || strings.Contains(w.Body.String(), misread) {
		t.Errorf("the item's text: %d %s", w.Code, w.Body)
	}
	if w := e.do(t, "GET", "/api/v1/items/"+it.ID+"/pdf"); w.Code != 200 {
		t.Errorf("the item's PDF: %d %s", w.Code, w.Body)
	} else if text, _ := pdftotextOf(t, w.Body.Bytes(), 1); !strings.Contains(text, corrected) || strings.Contains(text, misread) {
		t.Errorf("the text layer of the PDF's page 1: %q", text)
	}
	got, err := e.store.Item(it.ID)
	if err != nil {
		t.Fatal(err)
	}
	f := got.Files[0]
	if !f.Transcribed || f.Derivatives["machine-alto"] != it.Files[0].Derivatives["alto"] || f.Digests["alto"] == "" {
		t.Fatalf("page 1 after the correction: %+v", f)
	}
	rc, err := e.blobs.Get(context.Background(), f.Derivatives["machine-text"], 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	machine, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.Contains(string(machine), misread) {
		t.Errorf("the machine's text is not kept: %q", machine)
	}

	// Deleted, the correction leaves the machine's text as it was.
	if w = send(e, staff, "DELETE", loc, "", "If-Match", etag); w.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	untilFinds(t, e, it.ID, misread)
	if got, _ = e.store.Item(it.ID); got.Files[0].Transcribed || got.Files[0].Derivatives["alto"] != it.Files[0].Derivatives["alto"] {
		t.Errorf("page 1 after the correction was deleted: %+v", got.Files[0])
	}
}

// A person the library invited as a transcriber transcribes; the line
// waits for the staff's review, seen by them and its author only, and
// search does not find it until the staff approve it. Nobody else
// transcribes, and a transcriber does not approve.
func TestATranscribersLineWaitsForTheStaffsReview(t *testing.T) {
	e := newIIIFEnv(t)
	it := textItem(t, e, misreadPages...)
	staff := tokenFor(t, e.store, "arch@cmu.example", "cmu", "archivist", "write")
	scholar := tokenFor(t, e.store, "scholar@tu.example", "tu", "reader", "write")
	body := lineTranscription(it.ID, "xywh=95,95,610,40", "ประกาศ "+corrected)

	w := send(e, scholar, "POST", "/annotations/"+it.ID+"/1/", body)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "invite") {
		t.Fatalf("an uninvited reader transcribes: %d %s", w.Code, w.Body)
	}
	arch, err := e.store.UserByEmail("arch@cmu.example")
	if err != nil {
		t.Fatal(err)
	}
	reqs := &desk.Requests{Store: e.store}
	staffP := principal(arch, "")
	if _, err := reqs.Invite(context.Background(), staffP, it.ID, "nobody@tu.example", desk.Decision{}); err == nil || !strings.Contains(err.Error(), "no account") {
		t.Fatalf("inviting an unknown address: %v", err)
	}
	if _, err := reqs.Invite(context.Background(), staffP, it.ID, "scholar@tu.example", desk.Decision{}); err != nil {
		t.Fatal(err)
	}

	w = send(e, scholar, "POST", "/annotations/"+it.ID+"/1/", body)
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"review":"pending"`) || w.Header().Get("Cache-Control") == "" ||
		!strings.Contains(w.Header().Get("Cache-Control"), "private") {
		t.Fatalf("the transcriber's line: %d %s %v", w.Code, w.Body, w.Header())
	}
	loc := strings.TrimPrefix(w.Header().Get("Location"), "http://example.com")
	etag := w.Header().Get("ETag")
	for who, tok := range map[string]string{"anonymous": "", "another reader": tokenFor(t, e.store, "r@cmu.example", "cmu", "reader", "read")} {
		if w := send(e, tok, "GET", loc, ""); w.Code != http.StatusNotFound {
			t.Errorf("%s reads a transcription under review: %d", who, w.Code)
		}
		if w := send(e, tok, "GET", "/annotations/"+it.ID+"/1/?page=0", ""); strings.Contains(w.Body.String(), corrected) {
			t.Errorf("%s sees a transcription under review in the container", who)
		}
	}
	if w := send(e, staff, "GET", "/annotations/"+it.ID+"/1/?page=0", ""); !strings.Contains(w.Body.String(), corrected) ||
		!strings.Contains(w.Header().Get("Cache-Control"), "private") {
		t.Errorf("the staff do not see the line they review: %s %v", w.Body, w.Header())
	}
	if pages, within := finds(t, e, it.ID, corrected); len(pages) != 0 || within != 0 {
		t.Fatalf("a line under review is found: pages %v, %d hits inside", pages, within)
	}

	if w := send(e, scholar, "POST", loc+"/review?decision=approve", "", "If-Match", etag); w.Code != http.StatusForbidden {
		t.Errorf("the transcriber approves their own line: %d %s", w.Code, w.Body)
	}
	if w := send(e, staff, "POST", loc+"/review?decision=maybe", "", "If-Match", etag); w.Code != http.StatusBadRequest {
		t.Errorf("decision=maybe: %d %s", w.Code, w.Body)
	}
	if w := send(e, staff, "POST", loc+"/review?decision=approve", "", "If-Match", `"v9"`); w.Code != http.StatusPreconditionFailed {
		t.Errorf("a stale approval: %d %s", w.Code, w.Body)
	}
	w = send(e, staff, "POST", loc+"/review?decision=approve", "", "If-Match", etag)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"review":"approved"`) {
		t.Fatalf("approve: %d %s", w.Code, w.Body)
	}
	untilFinds(t, e, it.ID, corrected)
	if w := send(e, "", "GET", loc, ""); w.Code != 200 || !strings.Contains(w.Body.String(), corrected) {
		t.Errorf("an approved transcription, the page's text, is not shown to all: %d %s", w.Code, w.Body)
	}
	if w := e.do(t, "GET", "/iiif/3/manifest/"+it.ID); strings.Contains(w.Body.String(), "/annotations/"+it.ID+"/1/") {
		t.Errorf("the manifest lists the transcription as an annotation page beside the page's text")
	}
}

// sessionOf signs a user in and returns the cookie header's value.
func sessionOf(t *testing.T, e *iiifEnv, email string) string {
	t.Helper()
	u, err := e.store.UserByEmail(email)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.store.CreateSession(u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return sessionCookie + "=" + v
}

// formFrom posts a form from the archive's own pages with a session.
func formFrom(e *iiifEnv, cookie, path string, v url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Cookie", cookie)
	r.Header.Set("Origin", "http://example.com")
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	return w
}

// The transcription page, in Thai and English: the staff correct a line
// beside its picture and it is used at once; they invite a scholar of
// another university, whose whole-page transcription waits until the
// staff approve it from the page's history; a visitor reads the text and
// who changed which line when, without a form; a closed item's page is
// not shown to whom may not read it.
func TestTheTranscriptionPageCorrectsReviewsAndShowsTheHistory(t *testing.T) {
	e := newIIIFEnv(t)
	it := textItem(t, e, misreadPages...)
	tokenFor(t, e.store, "arch@cmu.example", "cmu", "archivist", "write")
	tokenFor(t, e.store, "scholar@tu.example", "tu", "reader", "write")
	staff, scholar := sessionOf(t, e, "arch@cmu.example"), sessionOf(t, e, "scholar@tu.example")
	page := "/items/" + it.ID + "/transcribe/1"

	w := e.do(t, "GET", page+"?lang=en", "Cookie", staff)
	body := w.Body.String()
	for _, want := range []string{`name="text_0" value="ประกาศ ` + misread + `"`, `name="box_0" value="100,100,600,30"`,
		"/iiif/3/" + it.ID + "-1/100,100,600,30/!1200,160/0/default.jpg", "Save the changed lines", "Invite a transcriber", `rel="next"`} {
		if w.Code != 200 || !strings.Contains(body, want) {
			t.Fatalf("the staff's page lacks %q: %d %s", want, w.Code, body)
		}
	}
	if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "private") {
		t.Errorf("the page's Cache-Control: %q", cc)
	}
	lines := url.Values{"mode": {"lines"}, "lang": {"th"},
		"box_0": {"100,100,600,30"}, "was_0": {"ประกาศ " + misread}, "text_0": {"ประกาศ " + corrected},
		"box_1": {"100,160,600,30"}, "was_1": {"เรื่อง การรับสมัคร"}, "text_1": {"เรื่อง การรับสมัคร"}}
	w = formFrom(e, staff, page, lines)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != page+"?saved=approved" {
		t.Fatalf("saving the lines: %d %s %v", w.Code, w.Body, w.Header())
	}
	untilFinds(t, e, it.ID, corrected)
	w = e.do(t, "GET", page+"?lang=th&saved=approved", "Cookie", staff)
	body = w.Body.String()
	for _, want := range []string{"การค้นหาพบข้อความนี้ได้ทันที", "<del>ประกาศ " + misread + "</del>", "<ins>ประกาศ " + corrected + "</ins>", "อนุมัติแล้ว", "arch@cmu.example"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page after the correction lacks %q", want)
		}
	}
	if strings.Count(body, `<tr id="change-`) != 1 {
		t.Errorf("an unchanged line made a change: %d rows", strings.Count(body, `<tr id="change-`))
	}

	// The scholar is not a transcriber until invited.
	if w := e.do(t, "GET", page+"?lang=en", "Cookie", scholar); strings.Contains(w.Body.String(), `name="text_0"`) || !strings.Contains(w.Body.String(), "ask the library to invite you") {
		t.Errorf("an uninvited reader's page: %s", w.Body)
	}
	until := time.Now().In(desk.Zone).Add(48 * time.Hour).Format(time.DateOnly)
	if w := formFrom(e, scholar, page+"/invite", url.Values{"email": {"scholar@tu.example"}, "scope": {"item"}, "until": {until}}); w.Code != http.StatusForbidden {
		t.Errorf("a reader invites themself: %d", w.Code)
	}
	if w := formFrom(e, staff, page+"/invite", url.Values{"email": {"scholar@tu.example"}, "scope": {"item"}, "until": {until}}); w.Code != http.StatusSeeOther {
		t.Fatalf("inviting: %d %s", w.Code, w.Body)
	}
	w = formFrom(e, scholar, page, url.Values{"mode": {"page"}, "lang": {"en"}, "whole": {"Zqfirst line\r\nZqsecond line"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != page+"?saved=pending" {
		t.Fatalf("the scholar's whole page: %d %s", w.Code, w.Body)
	}
	if pages, _ := finds(t, e, it.ID, "Zqsecond"); len(pages) != 0 {
		t.Fatalf("a page waiting for review is found")
	}
	body = e.do(t, "GET", page+"?lang=en", "Cookie", staff).Body.String()
	i := strings.Index(body, `name="anno" value="`)
	if i < 0 || !strings.Contains(body, "Waiting for review") || !strings.Contains(body, "Whole page") {
		t.Fatalf("the staff's page shows no line to review: %s", body)
	}
	anno := body[i+len(`name="anno" value="`) : i+len(`name="anno" value="`)+36]
	w = formFrom(e, staff, page+"/review", url.Values{"anno": {anno}, "version": {"1"}, "decision": {"approve"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != page+"?saved=approved" {
		t.Fatalf("approving: %d %s", w.Code, w.Body)
	}
	untilFinds(t, e, it.ID, "Zqsecond")
	if pages, within := finds(t, e, it.ID, corrected); len(pages) != 0 || within != 0 {
		t.Errorf("the whole page replaced the corrected line, which is still found")
	}

	// A visitor reads the text and the history, without forms or addresses.
	w = e.do(t, "GET", page+"?lang=th")
	body = w.Body.String()
	if w.Code != 200 || strings.Contains(body, `name="text_0"`) || strings.Contains(body, "arch@cmu.example") ||
		!strings.Contains(body, "<li>Zqfirst line</li>") || !strings.Contains(body, "ผู้ถอดความ") || !strings.Contains(body, "โปรดเข้าสู่ระบบเพื่อถอดความ") {
		t.Errorf("a visitor's page: %d %s", w.Code, body)
	}
	got, _ := e.store.Item(it.ID)
	got.Access.Level = "restricted"
	if err := e.store.SaveItem(context.Background(), got, "t"); err != nil {
		t.Fatal(err)
	}
	if w := e.do(t, "GET", page); w.Code < 400 || strings.Contains(w.Body.String(), "Zqfirst") {
		t.Errorf("a closed item's page to a visitor: %d", w.Code)
	}
}

// BenchmarkApprovedCorrectionFoundBySearch: the time from the staff's
// saving a correction of a Thai line to the catalogue's finding the
// corrected word on its page, in an archive of ARCHIVE_BENCH_RECORDS
// other items (1,000 unless set), the index following the store as it
// does when serving.
func BenchmarkApprovedCorrectionFoundBySearch(b *testing.B) {
	e := newIIIFEnv(b)
	e.srv.cfg.Annotations.PerMinute = 1 << 30
	others := 1000
	if n, err := strconv.Atoi(os.Getenv("ARCHIVE_BENCH_RECORDS")); err == nil && n > 0 {
		others = n
	}
	ctx := context.Background()
	for i := range others {
		it := &repository.Item{Institution: "cmu", Title: repository.Text{"th": fmt.Sprintf("หนังสือราชการ ฉบับที่ %d", i), "en": fmt.Sprintf("Letter %d", i)}}
		if err := e.store.SaveItem(ctx, it, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	it := textItem(b, e, misreadPages...)
	staff := tokenFor(b, e.store, "arch@cmu.example", "cmu", "archivist", "write")
	words := []string{"กรุงเทพมหานคร", "เชียงใหม่", "พระนครศรีอยุธยา", "ลำปาง"}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		word := words[i%len(words)]
		start := time.Now()
		w := send(e, staff, "POST", "/annotations/"+it.ID+"/1/", lineTranscription(it.ID, "xywh=95,95,610,40", "ประกาศ "+word))
		if w.Code != http.StatusCreated {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
		for {
			if time.Since(start) > 30*time.Second {
				b.Fatalf("%s never found", word)
			}
			if pages, _ := finds(b, e, it.ID, word); len(pages) == 1 && pages[0] == 1 {
				break
			}
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
}
