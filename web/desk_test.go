package web

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// formToken reads the CSRF token of the form on a page.
func formToken(t *testing.T, client *http.Client, url string) string {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	i := strings.Index(string(b), `name="csrf" value="`)
	if i < 0 {
		t.Fatalf("%s has no form token (%d)", url, resp.StatusCode)
	}
	tok, _, _ := strings.Cut(string(b)[i+19:], `"`)
	return tok
}

// A page's form token is masked afresh each time (so that a compressed page
// does not repeat the same secret); any of them is accepted, and a token
// changed by one character, or the bare token unmasked, is not.
func TestFormTokensAreMaskedAfreshAndAllAccepted(t *testing.T) {
	e := newIIIFEnv(t)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	client, first := signedIn(t, ts.URL, "admin@example.org")
	second := formToken(t, client, ts.URL+"/desk")
	if first == second || len(first) != 64 {
		t.Fatalf("form tokens %q and %q: want two different masked ones", first, second)
	}
	b, _ := hex.DecodeString(first)
	for i := range 16 {
		b[i] ^= b[16+i]
	}
	bare := hex.EncodeToString(b[:16])
	flipped := []byte(second)
	flipped[40] ^= 1
	for tok, want := range map[string]int{second: http.StatusSeeOther, string(flipped): http.StatusForbidden, bare: http.StatusForbidden, first: http.StatusSeeOther} {
		c2 := &http.Client{Jar: client.Jar, CheckRedirect: client.CheckRedirect}
		req, _ := http.NewRequest("POST", ts.URL+"/desk/collections", strings.NewReader(url.Values{"csrf": {tok}, "institution": {"cmu"}, "level": {"series"}, "title_en": {"Series " + tok[:6]}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c2.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("token %q: %d, want %d", tok, resp.StatusCode, want)
		}
	}
}

// signedIn returns a client signed in as email (with the test password)
// and the desk's form token.
func signedIn(t *testing.T, base, email string) (*http.Client, string) {
	t.Helper()
	client := &http.Client{Jar: &cookieJar{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}, "csrf": {formToken(t, client, base+"/login")}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in of %s: %v %v", email, resp.StatusCode, err)
	}
	return client, formToken(t, client, base+"/desk")
}

func TestArchivistEditsAnItemAndNothingIsLost(t *testing.T) {
	e := newIIIFEnv(t)
	ctx := context.Background()
	it := &repository.Item{Institution: "cmu", Title: repository.Text{"none": "scan-0001.jpg"}, Files: []repository.File{
		{Name: "p1.jpg", SHA256: strings.Repeat("1", 64), MediaType: "image/jpeg"}, {Name: "p2.jpg", SHA256: strings.Repeat("2", 64), MediaType: "image/jpeg"}}}
	if err := e.store.SaveItem(ctx, it, "t"); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, _ := anon.Get(ts.URL + "/desk/items/" + it.ID); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("editing without signing in: %d", resp.StatusCode)
	}
	client, csrf := signedIn(t, ts.URL, "admin@example.org")
	form := url.Values{"csrf": {csrf}, "version": {"1"}, "title_th": {"จดหมายถึงอธิการบดี"}, "title_en": {"Letter to the rector"},
		"date": {"18 มิถุนายน 2562"}, "access": {"public"}, "rights": {"http://rightsstatements.org/vocab/InC/1.0/"}, "order_0": {"2"}, "order_1": {"1"}}
	if resp, _ := client.PostForm(ts.URL+"/desk/items/"+it.ID, url.Values{"version": {"1"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("save without the form token: %d", resp.StatusCode)
	}
	resp, _ := client.PostForm(ts.URL+"/desk/items/"+it.ID, form)
	if resp.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("save: %d %.300s", resp.StatusCode, b)
	}
	got, _ := e.store.Item(it.ID)
	// The filename an upload was titled with gives way to the real title.
	if got.Version != 2 || got.Title["en"] != "Letter to the rector" || got.Title["none"] != "" || got.Date != "2019-06-18" || got.Files[0].Name != "p2.jpg" {
		t.Fatalf("after save: %+v", got)
	}
	// A second archivist with the old version is told, and loses nothing.
	form.Set("title_en", "Stale edit")
	resp, _ = client.PostForm(ts.URL+"/desk/items/"+it.ID, form)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), "changed by someone else") {
		t.Fatalf("stale save: %d", resp.StatusCode)
	}
	if cur, _ := e.store.Item(it.ID); cur.Title["en"] != "Letter to the rector" {
		t.Fatal("a stale save overwrote the newer version")
	}
	// A bad date is refused with the reason.
	form.Set("version", "2")
	form.Set("date", "yesterday")
	resp, _ = client.PostForm(ts.URL+"/desk/items/"+it.ID, form)
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Thai date") || !strings.Contains(string(body), `name="date" value="yesterday"`) {
		t.Fatalf("bad date (refused, and kept in the form to correct): %d", resp.StatusCode)
	}
	// The first description comes back as a new version.
	resp, _ = client.PostForm(ts.URL+"/desk/items/"+it.ID+"/restore", url.Values{"csrf": {csrf}, "v": {"1"}, "version": {"2"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d", resp.StatusCode)
	}
	got, _ = e.store.Item(it.ID)
	if got.Version != 3 || got.Title["none"] != "scan-0001.jpg" || got.Files[0].Name != "p2.jpg" {
		t.Fatalf("after restore: %+v", got)
	}
	page, _ := client.Get(ts.URL + "/desk/items/" + it.ID)
	b, _ := io.ReadAll(page.Body)
	if !strings.Contains(string(b), "description of version 1 restored") || !strings.Contains(string(b), "v2") {
		t.Error("the edit page lacks the history or the versions")
	}
	page, _ = client.Get(ts.URL + "/desk/items/" + it.ID + "?lang=th")
	b, _ = io.ReadAll(page.Body)
	if !strings.Contains(string(b), "<td>แก้ไข<br>") || !strings.Contains(string(b), "<td>สำเร็จ</td>") {
		t.Error("the Thai edit page names the events in English")
	}
	// A collection made at the desk.
	resp, _ = client.PostForm(ts.URL+"/desk/collections", url.Values{"csrf": {csrf}, "id": {"cmu-letters"}, "institution": {"cmu"}, "level": {"series"},
		"title_th": {"จดหมาย"}, "title_en": {"Letters"}})
	if resp.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("new collection: %d %.300s", resp.StatusCode, b)
	}
	if col, err := e.store.Collection("cmu-letters"); err != nil || col.Title["en"] != "Letters" {
		t.Fatalf("collection: %+v %v", col, err)
	}
}

// deskEnv is a served archive with items of two libraries, some described
// and some not, and a Chiang Mai archivist signed in.
type deskEnv struct {
	*iiifEnv
	base             string
	client           *http.Client
	csrf             string
	bare, letter, tu *repository.Item
	old              *repository.Item // last changed two months ago
}

func newDeskEnv(t *testing.T) *deskEnv {
	t.Helper()
	e := &deskEnv{iiifEnv: newIIIFEnv(t)}
	ctx := context.Background()
	if err := e.store.SaveCollection(ctx, &repository.Collection{ID: "cmu-letters", Institution: "cmu", Level: repository.Series, Title: repository.Text{"en": "Letters"}}, "t"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SaveCollection(ctx, &repository.Collection{ID: "tu-maps", Institution: "tu", Level: repository.Series, Title: repository.Text{"en": "Maps"}}, "t"); err != nil {
		t.Fatal(err)
	}
	save := func(it *repository.Item) *repository.Item {
		t.Helper()
		it.Files = []repository.File{{Name: "box/" + it.ID + ".tif", SHA256: strings.Repeat(it.ID[:1], 64), MediaType: "image/tiff"}}
		it.ID = ""
		if err := e.store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
		return it
	}
	e.bare = save(&repository.Item{ID: "a-bare", Institution: "cmu", Type: "Image", Title: repository.Text{"none": "scan-0001"}})
	e.letter = save(&repository.Item{ID: "b-letter", Institution: "cmu", Type: "Text", Collection: "cmu-letters", Date: "1962",
		Rights: "http://rightsstatements.org/vocab/InC/1.0/", Title: repository.Text{"th": "จดหมาย", "en": "Zqletter"}})
	e.tu = save(&repository.Item{ID: "c-tu", Institution: "tu", Title: repository.Text{"en": "Zqtusecret"}, Access: repository.Access{Level: repository.Restricted}})
	now := e.store.Now
	e.store.Now = func() time.Time { return time.Now().AddDate(0, -2, 0) }
	e.old = save(&repository.Item{ID: "d-old", Institution: "cmu", Date: "1900", Title: repository.Text{"en": "Zqold"}})
	e.store.Now = now
	addUser(t, e.store, "archivist@cmu.example", "cmu", "archivist")
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	e.base = ts.URL
	e.client, e.csrf = signedIn(t, ts.URL, "archivist@cmu.example")
	return e
}

func (e *deskEnv) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := e.client.Get(e.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *deskEnv) post(t *testing.T, path string, form url.Values) (int, string) {
	t.Helper()
	resp, err := e.client.PostForm(e.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// listsItems reports which of the items a page lists (as links to their edit pages).
func listsItems(body string, items ...*repository.Item) []bool {
	var out []bool
	for _, it := range items {
		out = append(out, strings.Contains(body, `href="/desk/items/`+it.ID+`"`))
	}
	return out
}

func TestDeskListsTheLibrarysItemsWithFilters(t *testing.T) {
	e := newDeskEnv(t)
	all := []*repository.Item{e.bare, e.letter, e.old, e.tu}
	for query, want := range map[string][]bool{
		"":                        {true, true, true, false},
		"?problem=notitle":        {true, false, false, false},
		"?problem=nodate":         {true, false, false, false},
		"?problem=norights":       {true, false, true, false},
		"?problem=any":            {true, false, true, false},
		"?collection=cmu-letters": {false, true, false, false},
		"?type=Text":              {false, true, false, false},
		"?level=restricted":       {false, false, false, false},
		"?days=7":                 {true, true, false, false},
		"?days=365":               {true, true, true, false},
	} {
		code, body := e.get(t, "/desk/items"+query)
		if code != http.StatusOK {
			t.Errorf("%s: %d", query, code)
			continue
		}
		if got := listsItems(body, all...); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("/desk/items%s lists %v of bare, letter, old, tu; want %v", query, got, want)
		}
		if strings.Contains(body, "Zqtusecret") {
			t.Errorf("/desk/items%s shows Thammasat's restricted item to a Chiang Mai archivist", query)
		}
	}
	if code, _ := e.get(t, "/desk/items?institution=tu"); code != http.StatusForbidden {
		t.Errorf("another library's list: %d", code)
	}
	if code, _ := e.get(t, "/desk/items?days=soon"); code != http.StatusBadRequest {
		t.Errorf("a bad filter: %d", code)
	}
	// The problems are named on each row, in the reader's language.
	_, body := e.get(t, "/desk/items?problem=notitle&lang=th")
	if !strings.Contains(body, t2("th", "problem_notitle")) || !strings.Contains(body, `name="version_`+e.bare.ID+`" value="1"`) {
		t.Errorf("the list does not say what an item lacks, or the version it was read at")
	}
}

// t2 is a message in a language, for tests (t is the testing.T).
func t2(lang, key string) string { return messages[key][map[string]int{"th": 0, "en": 1}[lang]] }

func TestDeskListIsPaged(t *testing.T) {
	e := newDeskEnv(t)
	for i := range listPage + 5 {
		it := &repository.Item{Institution: "cmu", Title: repository.Text{"en": fmt.Sprintf("Zqpage%03d", i)},
			Files: []repository.File{{Name: "p.tif", SHA256: fmt.Sprintf("%064x", i+1000), MediaType: "image/tiff"}}}
		if err := e.store.SaveItem(context.Background(), it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	next, pages := "/desk/items", 0
	for next != "" && pages < 5 {
		code, body := e.get(t, next)
		if code != 200 {
			t.Fatalf("%s: %d", next, code)
		}
		pages++
		rows := strings.Count(body, `name="item"`)
		if rows > listPage {
			t.Fatalf("a page of %d rows", rows)
		}
		for _, m := range regexp.MustCompile(`name="item" value="([a-z0-9-]+)"`).FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Fatalf("item %s on two pages", m[1])
			}
			seen[m[1]] = true
		}
		next = ""
		if m := regexp.MustCompile(`rel="next" href="([^"]+)"`).FindStringSubmatch(body); m != nil {
			next = html.UnescapeString(m[1])
		}
	}
	// The quadrants, the closed item, bare, letter, old and the new ones.
	if pages != 2 || len(seen) != listPage+5+5 {
		t.Fatalf("%d pages listed %d items, want 2 pages of %d", pages, len(seen), listPage+10)
	}
}

func TestBatchEditSavesEachItemAtItsVersionAndReportsConflicts(t *testing.T) {
	e := newDeskEnv(t)
	// Someone edits the letter after the list was read at version 1.
	fresh, _ := e.store.Item(e.letter.ID)
	fresh.Summary = repository.Text{"en": "Edited meanwhile"}
	if err := e.store.SaveItem(context.Background(), fresh, "someone"); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"csrf": {e.csrf}, "institution": {"cmu"}, "field": {"access"}, "access": {"restricted"},
		"item": {e.bare.ID, e.letter.ID, e.tu.ID}, "version_" + e.bare.ID: {"1"}, "version_" + e.letter.ID: {"1"}, "version_" + e.tu.ID: {"1"}}
	if code, _ := e.post(t, "/desk/items", url.Values{"institution": {"cmu"}, "field": {"access"}, "access": {"restricted"}, "item": {e.bare.ID}, "version_" + e.bare.ID: {"1"}}); code != http.StatusForbidden {
		t.Fatalf("a batch edit without the form token: %d", code)
	}
	code, body := e.post(t, "/desk/items", form)
	if code != http.StatusOK {
		t.Fatalf("batch edit: %d %.300s", code, body)
	}
	// Another library's hidden item is one the desk does not know.
	if strings.Contains(body, "Zqtusecret") {
		t.Error("the batch edit's report names another library's hidden item")
	}
	for id, want := range map[string]string{e.bare.ID: ingest.Described, e.letter.ID: ingest.Conflict, e.tu.ID: ingest.Unknown} {
		if !regexp.MustCompile(`href="/desk/items/` + id + `">[^<]*</a></td>\s*<td data-status="` + want + `"`).MatchString(body) {
			t.Errorf("item %s is not reported as %s", id, want)
		}
	}
	if got, _ := e.store.Item(e.bare.ID); got.Version != 2 || got.Access.Level != repository.Restricted {
		t.Errorf("the ticked item: %+v", got)
	}
	if got, _ := e.store.Item(e.letter.ID); got.Version != 2 || got.Access.Level != repository.Public || got.Summary["en"] != "Edited meanwhile" {
		t.Errorf("the item changed meanwhile was overwritten: %+v", got)
	}
	if got, _ := e.store.Item(e.tu.ID); got.Version != 1 || got.Access.Level != repository.Restricted {
		t.Errorf("another library's item was changed: %+v", got)
	}
	// A subject is added once; the same again changes nothing.
	for i, want := range []string{ingest.Described, ingest.Unchanged} {
		code, body := e.post(t, "/desk/items", url.Values{"csrf": {e.csrf}, "institution": {"cmu"}, "field": {"subject"}, "subject_th": {"จดหมาย"}, "subject_en": {"Letters"},
			"item": {e.bare.ID}, "version_" + e.bare.ID: {fmt.Sprint(2 + i)}})
		if code != 200 || !strings.Contains(body, `data-status="`+want+`"`) {
			t.Errorf("adding a subject (%d): %d, want %s", i, code, want)
		}
	}
	if got, _ := e.store.Item(e.bare.ID); got.Version != 3 || len(got.Subjects) != 1 || got.Subjects[0]["en"] != "Letters" {
		t.Errorf("after adding a subject twice: %+v", got)
	}
	for name, bad := range map[string]url.Values{
		"another library's collection": {"field": {"collection"}, "collection": {"tu-maps"}},
		"rights that are no URI":       {"field": {"rights"}, "rights": {"all mine"}},
		"no field":                     {"field": {"colour"}},
		"nothing ticked":               {"field": {"access"}, "access": {"public"}, "item": nil},
	} {
		f := url.Values{"csrf": {e.csrf}, "institution": {"cmu"}, "item": {e.bare.ID}, "version_" + e.bare.ID: {"3"}}
		for k, v := range bad {
			f[k] = v
		}
		if code, _ := e.post(t, "/desk/items", f); code != http.StatusBadRequest {
			t.Errorf("%s: %d", name, code)
		}
	}
	if got, _ := e.store.Item(e.bare.ID); got.Version != 3 {
		t.Errorf("a refused batch changed the item: version %d", got.Version)
	}
}

// postSheet uploads a sheet to the desk's describe form.
func (e *deskEnv) postSheet(t *testing.T, name, content string, fields map[string]string) (int, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if name != "" {
		fw, _ := w.CreateFormFile("sheet", name)
		io.WriteString(fw, content)
	}
	w.Close()
	where := "/desk/describe"
	if l := fields["lang"]; l != "" {
		where += "?lang=" + l // the page's language, as the form's address carries it
	}
	req, _ := http.NewRequest("POST", e.base+where, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestDescribeSheetUploadedAtTheDesk(t *testing.T) {
	e := newDeskEnv(t)
	quadrants := strings.TrimSuffix(e.image, "-1")
	sheet := "files,item,title.th,title.en,date\n" +
		"q.png,,จตุภาค,Four quarters,2505\n" + // the quadrants, by the name it was uploaded with
		"," + e.tu.ID + ",ของผู้อื่น,Not ours,\n" +
		"nowhere.tif,,ไม่มี,Nothing,\n"
	form := map[string]string{"csrf": e.csrf, "institution": "cmu", "dry_run": "1"}
	code, body := e.postSheet(t, "describe.csv", sheet, form)
	if code != http.StatusOK {
		t.Fatalf("check: %d %.400s", code, body)
	}
	for _, want := range []string{`data-status="would describe"`, `<code>title.en</code>: <del>Quadrants</del> → <ins>Four quarters</ins>`,
		`<code>date</code>: <del>—</del> → <ins>1962</ins>`, "read as B.E. 2505 = 1962 CE", `data-status="unknown"`, t2("en", "describe_checked")} {
		if !strings.Contains(body, want) {
			t.Errorf("the check's report lacks %q", want)
		}
	}
	// Another library's item is not found, as the file nothing holds.
	if n := strings.Count(body, `data-status="unknown"`); n != 2 || strings.Contains(body, `data-status="refused"`) {
		t.Errorf("%d rows unknown, want 2 and none refused", n)
	}
	if got, _ := e.store.Item(quadrants); got.Version != 1 {
		t.Fatalf("a check changed the item: %+v", got)
	}
	delete(form, "dry_run")
	if code, body = e.postSheet(t, "describe.csv", sheet, form); code != 200 || !strings.Contains(body, `data-status="described"`) {
		t.Fatalf("describe: %d %.400s", code, body)
	}
	if got, _ := e.store.Item(quadrants); got.Version != 2 || got.Title["en"] != "Four quarters" || got.Date != "1962" {
		t.Fatalf("described item: %+v", got)
	}
	if got, _ := e.store.Item(e.tu.ID); got.Version != 1 {
		t.Fatalf("another library's item: %+v", got)
	}

	for name, c := range map[string]struct {
		file, content string
		fields        map[string]string
		want          int
	}{
		"no form token":       {"d.csv", sheet, map[string]string{"institution": "cmu"}, http.StatusForbidden},
		"another library":     {"d.csv", sheet, map[string]string{"csrf": e.csrf, "institution": "tu"}, http.StatusForbidden},
		"no sheet":            {"", "", map[string]string{"csrf": e.csrf, "institution": "cmu"}, http.StatusBadRequest},
		"not a sheet":         {"d.txt", sheet, map[string]string{"csrf": e.csrf, "institution": "cmu"}, http.StatusBadRequest},
		"an unknown column":   {"d.csv", "files,titel\nq.png,x\n", map[string]string{"csrf": e.csrf, "institution": "cmu"}, http.StatusBadRequest},
		"over the body limit": {"d.csv", "files,title.en\n" + strings.Repeat("q.png,x\n", 150_000), map[string]string{"csrf": e.csrf, "institution": "cmu"}, http.StatusRequestEntityTooLarge},
	} {
		code, body := e.postSheet(t, c.file, c.content, c.fields)
		if code != c.want {
			t.Errorf("%s: %d, want %d: %.200s", name, code, c.want, body)
		}
		if name == "an unknown column" && !strings.Contains(body, `unknown columns &#34;titel&#34;`) {
			t.Errorf("an unknown column is not named: %.400s", body)
		}
	}
	if got, _ := e.store.Item(quadrants); got.Version != 2 {
		t.Fatalf("a refused upload changed the item: version %d", got.Version)
	}
}

func TestEditFormGroupsFieldsWithHelpInBothLanguages(t *testing.T) {
	e := newDeskEnv(t)
	for _, lang := range []string{"th", "en"} {
		code, body := e.get(t, "/desk/items/"+e.bare.ID+"?lang="+lang)
		if code != 200 {
			t.Fatalf("%s: %d", lang, code)
		}
		for _, key := range []string{"group_description", "group_access", "group_place"} {
			if !strings.Contains(body, "<legend>"+t2(lang, key)+"</legend>") {
				t.Errorf("%s: no group %q", lang, key)
			}
		}
		for _, field := range []string{"date", "rights", "access", "embargo"} {
			help := html.EscapeString(t2(lang, "help_"+field))
			if !regexp.MustCompile(`id="`+field+`"[^>]*aria-describedby="`+field+`_help"`).MatchString(body) ||
				!strings.Contains(body, `<small id="`+field+`_help" class="help">`+help+`</small>`) {
				t.Errorf("%s: the %s field has no help line tied to it", lang, field)
			}
		}
	}
	// The desk offers the list and the describe form.
	_, body := e.get(t, "/desk?lang=en")
	if !strings.Contains(body, `href="/desk/items"`) || !strings.Contains(body, `action="/desk/describe" enctype="multipart/form-data"`) ||
		!strings.Contains(body, `name="dry_run" value="1" checked`) {
		t.Error("the desk lacks the item list link or the describe form with its check-only box")
	}
}

// TestDeskPagesWorkOnAPhoneAndPassAxe: the desk, the library's items, the
// item form and a sheet's report, at a phone's and a desktop's size in both
// languages, in headless Chromium: axe-core finds nothing serious or
// critical and no page scrolls sideways; a sheet uploaded with "check
// only" ticked reports what would change and changes nothing.
func TestDeskPagesWorkOnAPhoneAndPassAxe(t *testing.T) {
	e, base := serveEnv(t)
	addUser(t, e.store, "archivist@cmu.example", "cmu", "archivist")
	item := strings.TrimSuffix(e.image, "-1")
	sheet := filepath.Join(t.TempDir(), "describe.csv")
	os.WriteFile(sheet, []byte("files,title.en,date,rights\nq.png,Four quarters,2505,http://rightsstatements.org/vocab/InC/1.0/\nnowhere.tif,Nothing,,\n"), 0o644)
	for _, size := range [][2]int{{360, 640}, {1366, 900}} {
		ctx := browserAt(t, size[0], size[1])
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/desk?lang=en"),
			chromedp.WaitVisible(chromedp.ID("password")),
			chromedp.SendKeys(chromedp.ID("email"), "archivist@cmu.example"),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.ID("describe_sheet")),
		); err != nil {
			t.Fatal(err)
		}
		check := func(name, lang string) {
			t.Helper()
			where := fmt.Sprintf("%s (%s) at %dx%d", name, lang, size[0], size[1])
			checkAccessibility(t, ctx, where)
			wide, err := sideways(ctx, size[0])
			if err != nil || wide {
				t.Errorf("%s scrolls sideways", where)
			}
			screenshot(t, ctx, fmt.Sprintf("%dx%d-%s-%s", size[0], size[1], name, lang))
		}
		for _, lang := range []string{"en", "th"} {
			for name, p := range map[string]string{"desk": "/desk", "desk-items": "/desk/items?problem=any", "desk-edit": "/desk/items/" + item} {
				if err := chromedp.Do(ctx, chromedp.Navigate(base+p+sep(p)+"lang="+lang), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
					t.Fatal(err)
				}
				check(name, lang)
			}
			if err := chromedp.Do(ctx,
				chromedp.Navigate(base+"/desk?lang="+lang),
				chromedp.WaitVisible(chromedp.ID("describe_sheet")),
				chromedp.SetUploadFiles(chromedp.ID("describe_sheet"), []string{sheet}),
				chromedp.Submit(chromedp.ID("describe_sheet")),
				chromedp.WaitVisible(chromedp.CSS(`td[data-status="would describe"]`)),
			); err != nil {
				t.Fatalf("describing from a sheet with check only (%s): %v", lang, err)
			}
			check("desk-describe", lang)
		}
	}
	if got, _ := e.store.Item(item); got.Version != 1 {
		t.Errorf("a sheet checked only changed the item: %+v", got)
	}
}

// TestDescribeSheetSaysWhyInThePagesLanguage: on a Thai desk, a sheet's
// refused rows, its warnings and a sheet that cannot be read are said in
// Thai, with their rows and columns; the English desk says them in English.
func TestDescribeSheetSaysWhyInThePagesLanguage(t *testing.T) {
	e := newDeskEnv(t)
	sheet := "item,title.en,date\n" +
		e.bare.ID + ",Bare,2505\n" + // read in the Buddhist Era: a warning
		e.letter.ID + ",Letter,62\n" + // a two-digit year: refused
		"zz-none,Nothing,\n" // no such item
	form := map[string]string{"csrf": e.csrf, "institution": "cmu", "dry_run": "1", "lang": "th"}
	code, body := e.postSheet(t, "describe.csv", sheet, form)
	if code != http.StatusOK {
		t.Fatalf("check: %d %.400s", code, body)
	}
	for _, want := range []string{"แถว 2 คอลัมน์ date: อ่าน 2505 เป็นปี พ.ศ. 2505 = ค.ศ. 1962", "แถว 3 คอลัมน์ date: วันที่ &#34;62&#34; อ่านได้มากกว่าหนึ่งแบบ",
		"ไม่มีรายการ zz-none ในคลัง"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Thai report lacks %q", want)
		}
	}
	for _, english := range []string{"Buddhist Era", "two-digit", "no item zz-none"} {
		if strings.Contains(body, english) {
			t.Errorf("the Thai report says %q in English", english)
		}
	}
	form["lang"] = "en"
	_, body = e.postSheet(t, "describe.csv", sheet, form)
	for _, want := range []string{"row 2, column date: 2505 was read as B.E. 2505 = 1962 CE", "row 3, column date: &#34;62&#34; has a two-digit year", "no item zz-none in the archive"} {
		if !strings.Contains(body, want) {
			t.Errorf("the English report lacks %q", want)
		}
	}
	form["lang"] = "th"
	code, body = e.postSheet(t, "describe.csv", "files,titel\nq.png,x\n", form)
	if code != http.StatusBadRequest || !strings.Contains(body, "ตาราง describe.csv มีคอลัมน์ที่ไม่รู้จัก &#34;titel&#34;") {
		t.Errorf("a sheet with an unknown column on a Thai page: %d %.600s", code, body)
	}
}

// TestEditFormSaysABuddhistEraYearWasRead: a bare year of 2400–2700 typed
// in the desk's date field is stored in the Common Era, and the form shown
// after saving says how it was read, in the page's language; a date that
// cannot be read is refused in the page's language.
func TestEditFormSaysABuddhistEraYearWasRead(t *testing.T) {
	e := newDeskEnv(t)
	for _, c := range []struct{ lang, want string }{
		{"th", "อ่าน 2505 เป็นปี พ.ศ. 2505 = ค.ศ. 1962"},
		{"en", "2505 was read as B.E. 2505 = 1962 CE"},
	} {
		it, _ := e.store.Item(e.bare.ID)
		form := url.Values{"csrf": {e.csrf}, "version": {strconv.Itoa(it.Version)}, "title_en": {"Bare"}, "date": {"2505"}, "access": {"public"}}
		resp, err := e.client.PostForm(e.base+"/desk/items/"+e.bare.ID+"?lang="+c.lang, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: save: %d", c.lang, resp.StatusCode)
		}
		code, body := e.get(t, resp.Header.Get("Location")+"&lang="+c.lang)
		if code != http.StatusOK || !strings.Contains(body, t2(c.lang, "saved")) {
			t.Fatalf("%s: the form after saving: %d %.300s", c.lang, code, body)
		}
		if got, _ := e.store.Item(e.bare.ID); got.Date != "1962" {
			t.Fatalf("%s: stored date %q; want 1962", c.lang, got.Date)
		}
		if !strings.Contains(body, c.want) || !strings.Contains(body, `id="date_note"`) || !strings.Contains(body, `aria-describedby="date_help date_note"`) {
			t.Errorf("%s: the form after saving does not say how 2505 was read (want %q)", c.lang, c.want)
		}
		// An address kept from that save says nothing once the date is another.
		it, _ = e.store.Item(e.bare.ID)
		it.Date = "1970"
		if err := e.store.SaveItem(context.Background(), it, "t"); err != nil {
			t.Fatal(err)
		}
		if _, body := e.get(t, "/desk/items/"+e.bare.ID+"?saved=1&date_read=2505&lang="+c.lang); strings.Contains(body, `id="date_note"`) {
			t.Errorf("%s: a stale note is shown for a date the item no longer has", c.lang)
		}
	}
	// A date that cannot be read one way only is refused in Thai on a Thai page.
	it, _ := e.store.Item(e.bare.ID)
	form := url.Values{"csrf": {e.csrf}, "version": {strconv.Itoa(it.Version)}, "title_en": {"Bare"}, "date": {"62"}, "access": {"public"}}
	code, body := e.post(t, "/desk/items/"+e.bare.ID+"?lang=th", form)
	if code != http.StatusBadRequest || !strings.Contains(body, "วันที่ &#34;62&#34; อ่านได้มากกว่าหนึ่งแบบ") || strings.Contains(body, "two-digit") {
		t.Errorf("an ambiguous date on a Thai page: %d", code)
	}
}
