package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The desk's page of harvested repositories, in Thai and English: a
// library's administrator adds one, makes it due and removes it; an
// archivist may not; a bad URL is refused with its reason.
func TestTheDeskAddsRunsAndRemovesALibrarysHarvestedRepositories(t *testing.T) {
	e := newAccessEnv(t)
	if w := e.do("cmu-admin", "GET", "/desk?lang=en", ""); !strings.Contains(w.Body.String(), `<a href="/desk/sources">Harvested repositories</a>`) {
		t.Fatalf("the desk does not lead to the harvested repositories: %s", w.Body)
	}
	w := e.do("cmu-admin", "GET", "/desk/sources?lang=th", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "คลังต้นทางที่เก็บเกี่ยวข้อมูล") || !strings.Contains(w.Body.String(), "ยังไม่มีคลังต้นทาง") {
		t.Fatalf("the empty page in Thai: %d %s", w.Code, w.Body)
	}
	if w := e.do("cmu-archivist", "GET", "/desk/sources", ""); w.Code != http.StatusForbidden {
		t.Fatalf("an archivist: %d", w.Code)
	}
	add := url.Values{"action": {"add"}, "institution": {"cmu"}, "oai": {"http://127.0.0.1:9/oai"}, "set": {"com_1"}, "every": {"168h"}}
	w = e.do("cmu-admin", "POST", "/desk/sources?lang=en", add.Encode())
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, "Repository added") || !strings.Contains(body, "127.0.0.1:9") || !strings.Contains(body, "com_1") || !strings.Contains(body, "168h") {
		t.Fatalf("adding a source: %d %s", w.Code, body)
	}
	if !strings.Contains(body, "How records become entries") || !strings.Contains(body, "<code>dcterms:issued, dc:date</code></dt><dd>Date (EDTF; years 2400–2700 and พ.ศ. are read as the Buddhist Era)") {
		t.Fatalf("the page does not show how the source's records are mapped: %s", body)
	}
	srcs, err := e.store.Sources()
	if err != nil || len(srcs) != 1 {
		t.Fatalf("sources: %v, %v", srcs, err)
	}
	id := srcs[0].ID
	bad := url.Values{"action": {"add"}, "institution": {"cmu"}, "oai": {"ftp://example.org/oai"}, "every": {"24h"}}
	if w := e.do("cmu-admin", "POST", "/desk/sources", bad.Encode()); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "is not an http or https URL") {
		t.Fatalf("a bad URL: %d %s", w.Code, w.Body)
	}
	if w := e.do("cmu-admin", "POST", "/desk/sources?lang=th", url.Values{"action": {"run"}, "source": {id}}.Encode()); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "จะเริ่มเก็บเกี่ยวภายในหนึ่งนาที") {
		t.Fatalf("harvest now: %d %s", w.Code, w.Body)
	}
	if w := e.do("cmu-archivist", "POST", "/desk/sources", url.Values{"action": {"remove"}, "source": {id}}.Encode()); w.Code != http.StatusForbidden {
		t.Fatalf("an archivist removing: %d", w.Code)
	}
	if w := e.do("cmu-admin", "POST", "/desk/sources?lang=en", url.Values{"action": {"remove"}, "source": {id}}.Encode()); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "No repositories yet") {
		t.Fatalf("removing: %d %s", w.Code, w.Body)
	}
}
