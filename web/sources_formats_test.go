package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestTheDeskAddsASourceInEachMetadataFormatAndShowsItsOwnMapping(t *testing.T) {
	e := newAccessEnv(t)
	w := e.do("cmu-admin", "GET", "/desk/sources?lang=th", "")
	for _, want := range []string{`<select id="format" name="format">`, `<option value="marcxml">MARC 21 (marcxml)</option>`, "เครื่องมือช่วยค้น (EAD) (ead)", "รูปแบบเมทาดาทา"} {
		if !strings.Contains(w.Body.String(), want) {
			t.Fatalf("the form in Thai lacks %q: %s", want, w.Body)
		}
	}
	for format, row := range map[string]string{
		"mods":    "<code>originInfo: keyDate, dateIssued, dateCreated</code></dt><dd>Date",
		"marcxml": "<code>264 $c, 260 $c, 008/07-10</code></dt><dd>Date",
		"ead":     "<code>archdesc/did/unittitle</code></dt><dd>Title",
	} {
		add := url.Values{"action": {"add"}, "institution": {"cmu"}, "oai": {"http://127.0.0.1:9/" + format}, "format": {format}, "every": {"24h"}}
		w := e.do("cmu-admin", "POST", "/desk/sources?lang=en", add.Encode())
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "OAI-PMH "+format) || !strings.Contains(w.Body.String(), row) {
			t.Fatalf("adding a %s source: %d %s", format, w.Code, w.Body)
		}
	}
	srcs, err := e.store.Sources()
	if err != nil || len(srcs) != 3 {
		t.Fatalf("sources: %v, %v", srcs, err)
	}
	bad := url.Values{"action": {"add"}, "institution": {"cmu"}, "oai": {"http://127.0.0.1:9/oai"}, "format": {"dublin"}, "every": {"24h"}}
	if w := e.do("cmu-admin", "POST", "/desk/sources?lang=en", bad.Encode()); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "the metadata format &#34;dublin&#34; is not one of oai_dc, qdc, mods, marcxml, ead") {
		t.Fatalf("an unknown format: %d %s", w.Code, w.Body)
	}
}
