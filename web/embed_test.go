package web

import (
	"html/template"
	"strings"
	"testing"
)

// TestRestrictedEmbedInAnotherSitesFrameSendsThePersonToTheItemPage: a
// restricted item's embed requested from another site's frame (where the
// browser sends no session cookie) says, in Thai and English, that signing
// in cannot reach it there and links to the item page; the same embed
// opened on its own or in a same-site frame does not.
func TestRestrictedEmbedInAnotherSitesFrameSendsThePersonToTheItemPage(t *testing.T) {
	e := newIIIFEnv(t)
	closed := strings.TrimSuffix(e.closed, "-1")
	for _, lang := range []struct {
		code string
		n    int // the language's column in messages
	}{{"th", 0}, {"en", 1}} {
		w := e.do(t, "GET", "/embed/"+closed+"?lang="+lang.code, "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Dest", "iframe")
		body := w.Body.String()
		note := template.HTMLEscapeString(messages["embed_cross_site"][lang.n])
		link := `/items/` + closed + `" target="_blank" rel="noopener">` + template.HTMLEscapeString(messages["embed_open_item"][lang.n]) + `</a>`
		if w.Code != 401 || !strings.Contains(body, note) || !strings.Contains(body, link) || strings.Contains(body, "Closed") {
			t.Errorf("%s embed in another site's frame: %d, want 401 with the note %q and the link %q: %.1500s", lang.code, w.Code, note, link, body)
		}
		if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("the embed depends on the frame's site but a cache may keep it: %q", cc)
		}
	}
	for _, site := range []string{"", "same-site", "same-origin", "none"} {
		w := e.do(t, "GET", "/embed/"+closed+"?lang=en", "Sec-Fetch-Site", site)
		if strings.Contains(w.Body.String(), `id="frame-note"`) {
			t.Errorf("the embed with Sec-Fetch-Site %q says signing in cannot reach it", site)
		}
		if !strings.Contains(w.Body.String(), `data-reload-on-token="1"`) {
			t.Errorf("the restricted embed (Sec-Fetch-Site %q) has no viewer that asks for access", site)
		}
	}
}
