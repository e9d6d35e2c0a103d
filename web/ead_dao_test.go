package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// TestEADImportAttachesTheLibrarysItemAndSaysSoInThaiAndEnglish: a <dao>
// naming an item's manifest on the archive's own address attaches that
// item to its unit, one naming another library's item does not, and the
// report says which in Thai and in English.
func TestEADImportAttachesTheLibrarysItemAndSaysSoInThaiAndEnglish(t *testing.T) {
	e := newDeskEnv(t)
	ctx := context.Background()
	ours := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "ours"}}
	theirs := &repository.Item{Institution: "tu", Title: repository.Text{"en": "theirs"}}
	for _, it := range []*repository.Item{ours, theirs} {
		if err := e.store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	doc := `<ead xmlns="http://ead3.archivists.org/schema/"><control/><archdesc level="fonds"><did><unittitle>Zqdaofonds</unittitle>` +
		`<dao href="` + e.base + `/iiif/3/manifest/` + ours.ID + `"/><dao href="` + e.base + `/iiif/3/manifest/` + theirs.ID + `"/></did></archdesc></ead>`
	wants := map[string][]string{
		"en": {"is item " + ours.ID + ", already in the archive: attached to the unit", "is item " + theirs.ID + ", of another library or not yours to change: not attached"},
		"th": {"คือรายการ " + ours.ID + " ที่มีอยู่แล้วในคลัง จึงผูกรายการนั้นเข้ากับหน่วยนี้", "คือรายการ " + theirs.ID + " ของห้องสมุดอื่นหรือที่คุณแก้ไขไม่ได้"},
	}
	for _, lang := range []string{"en", "th"} {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("csrf", e.csrf)
		w.WriteField("institution", "cmu")
		part, _ := w.CreateFormFile("ead", "daos.xml")
		part.Write([]byte(doc))
		w.Close()
		req, _ := http.NewRequest(http.MethodPost, e.base+"/desk/ead?lang="+lang, &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		resp, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("import: %d %.500s", resp.StatusCode, page)
		}
		for _, want := range wants[lang] {
			if !strings.Contains(string(page), want) {
				t.Errorf("the %s report does not say %q", lang, want)
			}
		}
	}
	got, err := e.store.Item(ours.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := e.store.Collection(got.Collection); err != nil || c.Title.Get("en") != "Zqdaofonds" {
		t.Errorf("our item is in %q (%v), want the fonds imported", got.Collection, err)
	}
	resp, err := e.client.Get(e.base + "/fonds/" + got.Collection + "?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if n := strings.Count(string(page), "Digital object elsewhere"); n != 1 || !strings.Contains(string(page), "/iiif/3/manifest/"+theirs.ID) {
		t.Errorf("the fonds page shows %d digital objects elsewhere, want only the other library's item as a link: %.3000s", n, page)
	}
	if got, err := e.store.Item(theirs.ID); err != nil || got.Collection != "" {
		t.Errorf("another library's item: %+v, %v; want it left where it was", got, err)
	}
}
