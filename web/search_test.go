package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

func TestSearchAPIAndPageShareOneSearch(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	mou := &repository.Item{Institution: "cmu", Type: "Text", Title: repository.Text{"th": "บันทึกข้อตกลงความร่วมมือห้องสมุด", "en": "Memorandum on library cooperation"},
		Summary: repository.Text{"th": "สามมหาวิทยาลัยลงนามความร่วมมือแบ่งปันทรัพยากรสารสนเทศ"}, Date: "2019-06-18"}
	closed := &repository.Item{Institution: "cmu", Type: "Sound", Title: repository.Text{"th": "บันทึกเสียงการประชุมลับ"}, Access: repository.Access{Level: repository.Restricted}}
	for _, it := range []*repository.Item{mou, closed} {
		if err := e.store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	w := e.do(t, "GET", "/api/v1/search?q="+url.QueryEscape("บันทึก")+"&limit=5")
	if w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var res struct {
		Total int `json:"total"`
		Hits  []struct {
			ID      string          `json:"id"`
			Title   repository.Text `json:"title"`
			Snippet string          `json:"snippet"`
		} `json:"hits"`
		Facets map[string][]struct {
			Value string `json:"value"`
			Count int    `json:"count"`
		} `json:"facets"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].ID != mou.ID || res.Hits[0].Title["en"] != mou.Title["en"] {
		t.Fatalf("anonymous search: %s", w.Body)
	}
	if !strings.HasPrefix(res.Hits[0].Snippet, "สามมหาวิทยาลัย") {
		t.Errorf("snippet %q: the title matched, so the description's start", res.Hits[0].Snippet)
	}
	for _, v := range res.Facets["type"] {
		if v.Value == "Sound" {
			t.Errorf("the type facet counts the restricted recording: %+v", res.Facets["type"])
		}
	}
	if strings.Contains(w.Body.String(), closed.ID) || w.Header().Get("Cache-Control") != "public, max-age=60" {
		t.Errorf("restricted item in the answer, or not cacheable: %s", w.Header().Get("Cache-Control"))
	}

	// The page: the same hit, a count, facets as links, Buddhist Era years.
	page := e.do(t, "GET", "/search?q="+url.QueryEscape("ความร่วมมือ")+"&from=2560&to=2563&lang=th").Body.String()
	for _, want := range []string{`id="result-count">1 `, "/items/" + mou.ID, "<mark>ร่วมมือ</mark>", `aria-current="true" class="on">ความเกี่ยวข้อง`, "library=cmu", "มหาวิทยาลัยเชียงใหม่", "ห้องสมุด"} {
		if !strings.Contains(page, want) {
			t.Errorf("Thai search page lacks %q", want)
		}
	}
	if page := e.do(t, "GET", "/search?q="+url.QueryEscape("ความร่วมมือ")+"&to=2500").Body.String(); strings.Contains(page, "/items/"+mou.ID) {
		t.Error("a range ending in 2500 BE (1957) finds a record of 2019")
	}
	for _, bad := range []string{"/api/v1/search?q=x&limit=1000", "/api/v1/search?q=x&page=0", "/search?q=x&from=abc", "/api/v1/search?q=x&sort=colour", "/api/v1/search?q=" + strings.Repeat("x+", 600)} {
		if w := e.do(t, "GET", bad); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, w.Code)
		}
	}
}
