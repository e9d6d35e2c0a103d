package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ead"
)

// datePaths are the ways a date comes into the archive, each storing what
// it read and returning it (or failing the test).
func (e *deskEnv) datePaths() map[string]func(t *testing.T, date string) (int, string) {
	item := func(t *testing.T) (string, int) {
		t.Helper()
		it, err := e.store.Item(e.bare.ID)
		if err != nil {
			t.Fatal(err)
		}
		return it.ID, it.Version
	}
	stored := func(t *testing.T) string {
		t.Helper()
		it, _ := e.store.Item(e.bare.ID)
		return it.Date
	}
	return map[string]func(*testing.T, string) (int, string){
		"sheet": func(t *testing.T, date string) (int, string) {
			id, _ := item(t)
			sheet := "item,date\n" + id + "," + strconv.Quote(date) + "\n"
			code, body := e.postSheet(t, "dates.csv", sheet, map[string]string{"csrf": e.csrf, "institution": "cmu"})
			if !strings.Contains(body, `data-status="described"`) && !strings.Contains(body, `data-status="unchanged"`) {
				code = http.StatusBadRequest
			}
			return code, stored(t)
		},
		"item form": func(t *testing.T, date string) (int, string) {
			id, v := item(t)
			code, _ := e.post(t, "/desk/items/"+id, url.Values{"csrf": {e.csrf}, "version": {strconv.Itoa(v)}, "title_en": {"Bare"}, "date": {date}, "access": {"public"}})
			return code, stored(t)
		},
		"unit form": func(t *testing.T, date string) (int, string) {
			resp, err := e.client.PostForm(e.base+"/desk/units", url.Values{"csrf": {e.csrf}, "institution": {"cmu"}, "level": {"fonds"},
				"title_th": {"กอง"}, "title_en": {"Fonds"}, "date": {date}, "access": {"public"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			_, id, _ := strings.Cut(resp.Header.Get("Location"), "#unit-")
			col, err := e.store.Collection(id)
			if err != nil || col.Description == nil {
				return resp.StatusCode, ""
			}
			return resp.StatusCode, col.Description.Date
		},
		"JSON API": func(t *testing.T, date string) (int, string) {
			id, v := item(t)
			body, _ := json.Marshal(map[string]any{"version": v, "date": date})
			req, _ := http.NewRequest(http.MethodPost, e.base+"/api/v1/items/"+id, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", e.csrf)
			resp, err := e.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode, stored(t)
		},
		"EAD import": func(t *testing.T, date string) (int, string) {
			doc := `<ead><archdesc level="fonds"><did><unittitle>F</unittitle><unitdate>` + html.EscapeString(date) + `</unitdate></did></archdesc></ead>`
			f, err := ead.Read(strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			if f.Root.Collection.Description == nil || f.Root.Collection.Description.Date == "" {
				return http.StatusBadRequest, ""
			}
			return http.StatusOK, f.Root.Collection.Description.Date
		},
	}
}

// TestEveryPathReadsADateTheSameWay: a date typed at the desk (item or
// unit form), in a sheet, sent through the JSON API or found in an EAD
// finding aid is stored as the same EDTF: a bare year of 2400–2700 is the
// Buddhist Era, an era named is honoured, Thai digits and month names read.
func TestEveryPathReadsADateTheSameWay(t *testing.T) {
	e := newDeskEnv(t)
	cases := []struct{ in, want string }{
		{"2501/2510", "1958/1967"},
		{"2500~", "1957~"},
		{"2500", "1957"},
		{"พ.ศ. 2501/2510", "1958/1967"},
		{"พ.ศ. ๒๕๐๐", "1957"},
		{"ค.ศ. 2500", "2500"},
		{"2500 CE", "2500"},
		{"AD 1932", "1932"},
		{"2475 BE", "1932"},
		{"18 มิถุนายน ๒๕๖๒", "2019-06-18"},
		{"มิ.ย. 2562", "2019-06"},
		{"18 June 1934", "1934-06-18"},
		{"1962-06-18", "1962-06-18"},
		{"1932/1945", "1932/1945"},
		{"พ.ศ. 2501–2510", "1958/1967"},
		{"1932-1945", "1932/1945"},
	}
	for name, path := range e.datePaths() {
		for i, c := range cases {
			// Between cases, a date none of them stores, so that each is seen to change it.
			if code, got := path(t, fmt.Sprintf("18%02d", i)); got != fmt.Sprintf("18%02d", i) && name != "EAD import" && name != "unit form" {
				t.Fatalf("%s: resetting the date: %d %q", name, code, got)
			}
			code, got := path(t, c.in)
			if code >= 400 || got != c.want {
				t.Errorf("%s: %q stored as %q (%d); want %q", name, c.in, got, code, c.want)
			}
		}
	}
}

// TestEveryPathRefusesAnAmbiguousDateInThePagesLanguage: a two-digit year
// is refused with 400 by every form and the API, in Thai on a Thai page,
// and nothing is stored.
func TestEveryPathRefusesAnAmbiguousDateInThePagesLanguage(t *testing.T) {
	e := newDeskEnv(t)
	before, _ := e.store.Item(e.bare.ID)
	fondsBefore, _ := e.store.Children("")
	code, body := e.post(t, "/desk/units?lang=th", url.Values{"csrf": {e.csrf}, "institution": {"cmu"}, "level": {"fonds"},
		"title_th": {"กอง"}, "title_en": {"Fonds"}, "date": {"62"}, "access": {"public"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "วันที่ &#34;62&#34; อ่านได้มากกว่าหนึ่งแบบ") || strings.Contains(body, "two-digit") {
		t.Errorf("unit form, Thai page: %d, refusal in Thai: %v", code, strings.Contains(body, "อ่านได้มากกว่าหนึ่งแบบ"))
	}
	if fonds, _ := e.store.Children(""); len(fonds) != len(fondsBefore) {
		t.Errorf("a refused unit was stored: %d fonds, %d before", len(fonds), len(fondsBefore))
	}
	body2, _ := json.Marshal(map[string]any{"version": before.Version, "date": "62"})
	req, _ := http.NewRequest(http.MethodPost, e.base+"/api/v1/items/"+before.ID, bytes.NewReader(body2))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", e.csrf)
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(msg), `"62"`) {
		t.Errorf("JSON API: %d %s; want 400 saying why", resp.StatusCode, msg)
	}
	if after, _ := e.store.Item(e.bare.ID); after.Version != before.Version {
		t.Errorf("a refused date changed the item")
	}
}

// TestUnitFormSaysABuddhistEraYearWasRead: a unit dated 2505 is stored as
// 1962 and the outline it returns to says how the date was read.
func TestUnitFormSaysABuddhistEraYearWasRead(t *testing.T) {
	e := newDeskEnv(t)
	resp, err := e.client.PostForm(e.base+"/desk/units?lang=th", url.Values{"csrf": {e.csrf}, "institution": {"cmu"}, "level": {"fonds"},
		"title_th": {"กอง"}, "title_en": {"Fonds"}, "date": {"2505"}, "access": {"public"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	to, _, _ := strings.Cut(resp.Header.Get("Location"), "#")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(to, "date_read=2505") {
		t.Fatalf("save: %d to %q", resp.StatusCode, to)
	}
	for lang, want := range map[string]string{"th": "อ่าน 2505 เป็นปี พ.ศ. 2505 = ค.ศ. 1962", "en": "2505 was read as B.E. 2505 = 1962 CE"} {
		if _, body := e.get(t, to+"&lang="+lang); !strings.Contains(body, want) {
			t.Errorf("%s: the outline does not say %q", lang, want)
		}
	}
}

// TestJSONAPISaysABuddhistEraYearWasRead: a bare 2500 sent through the JSON
// API is stored as 1957 and the answer says so, in the language asked for.
func TestJSONAPISaysABuddhistEraYearWasRead(t *testing.T) {
	e := newDeskEnv(t)
	it, err := e.store.Item(e.bare.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "th"} {
		body, _ := json.Marshal(map[string]any{"version": it.Version, "date": "2500"})
		req, _ := http.NewRequest(http.MethodPost, e.base+"/api/v1/items/"+it.ID+"?lang="+lang, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", e.csrf)
		resp, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Date    string   `json:"date"`
			Version int      `json:"version"`
			Notes   []string `json:"notes"`
		}
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %v", lang, resp.StatusCode, err)
		}
		if got.Date != "1957" || len(got.Notes) != 1 || !strings.Contains(got.Notes[0], "2500") || !strings.Contains(got.Notes[0], "1957") {
			t.Errorf("%s: date %q, notes %q; want 1957 and a note naming 2500 and 1957", lang, got.Date, got.Notes)
		}
		if want := map[string]string{"en": "B.E.", "th": "พ.ศ."}[lang]; len(got.Notes) == 1 && !strings.Contains(got.Notes[0], want) {
			t.Errorf("%s: note %q is not in the language asked for", lang, got.Notes)
		}
		it.Version = got.Version
	}
}
