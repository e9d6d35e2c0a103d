package web

import (
	"strings"
	"testing"
)

// TestAnnotationsAreOfferedOnlyWhereTheItemIsSeen: an item's page offers
// its annotations (and, to a visitor, a hint to sign in, in the page's
// language) beside the viewer; a restricted item's page, whose images the
// visitor may not see, offers none, nor the script that would draw them.
func TestAnnotationsAreOfferedOnlyWhereTheItemIsSeen(t *testing.T) {
	e := newIIIFEnv(t)
	open := strings.TrimSuffix(e.image, "-1")
	for lang, i := range map[string]int{"th": 0, "en": 1} {
		w := e.do(t, "GET", "/items/"+open+"?lang="+lang)
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, `id="annotations"`) || !strings.Contains(body, "/static/annotate.js") {
			t.Fatalf("%s: the item's page (%d) offers no annotations", lang, w.Code)
		}
		if !strings.Contains(body, messages["anno_sign_in"][i]) || strings.Contains(body, "data-user=") || strings.Contains(body, `id="anno-rect"`) {
			t.Errorf("%s: a visitor is not asked to sign in to annotate, or is offered to draw", lang)
		}
	}
	closed := strings.TrimSuffix(e.closed, "-1")
	w := e.do(t, "GET", "/items/"+closed+"?lang=en")
	if body := w.Body.String(); !strings.Contains(body, `id="restricted-note"`) || strings.Contains(body, `id="annotations"`) || strings.Contains(body, "annotate.js") {
		t.Errorf("the restricted item's page (%d) offers annotations", w.Code)
	}
}
