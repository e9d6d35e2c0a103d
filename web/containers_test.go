package web

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// withBoxes adds cmu's Box 12, shelved at A-1, holding a file of a public
// fonds in Folder 3.
func withBoxes(t *testing.T, store *bolt.Store) *repository.Container {
	t.Helper()
	ctx := context.Background()
	box := &repository.Container{Institution: "cmu", Type: "Box", Indicator: "12", Barcode: "CMU0012", Location: "A-1"}
	if err := store.AddContainers(ctx, []*repository.Container{box}, "t"); err != nil {
		t.Fatal(err)
	}
	cols := []*repository.Collection{
		{ID: "lanna", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"th": "จดหมายเหตุล้านนา", "en": "Lanna archives"}},
		{ID: "lanna-1957", Institution: "cmu", Parent: "lanna", Level: repository.FileLevel, Title: repository.Text{"th": "จดหมาย พ.ศ. 2500", "en": "Letters of 1957"},
			Description: &repository.Description{Containers: []repository.ContainerRef{
				{Top: box.ID, Type: "Box", Indicator: "12", ID: "b1", Barcode: "CMU0012"},
				{Top: box.ID, Type: "Folder", Indicator: "3", Parent: "b1"}}}},
	}
	if err := store.AddCollections(ctx, cols, "t"); err != nil {
		t.Fatal(err)
	}
	return box
}

func TestArchivistsSeeAndMoveTheirBoxesInThaiAndEnglishAndOthersCannot(t *testing.T) {
	e := newGrantEnv(t)
	box := withBoxes(t, e.store)
	tokenFor(t, e.store, "reader@cmu.example", "cmu", "reader", "write")
	arch, tuArch, reader := e.session(t, "arch@cmu.example"), e.session(t, "arch@tu.example"), e.session(t, "reader@cmu.example")
	for lang, words := range map[string][]string{
		"th": {"กล่องเอกสารของห้องสมุด", "กล่อง 12", "ที่ตั้งบนชั้น", "CMU0012", "A-1"},
		"en": {"The library&#39;s boxes", "Box 12", "Shelf location", "CMU0012", "A-1"},
	} {
		w := e.do("", "GET", "/desk/boxes?lang="+lang, "", "Cookie", arch)
		for _, want := range words {
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
				t.Errorf("the %s list of boxes lacks %q: %d", lang, want, w.Code)
			}
		}
		if strings.Contains(w.Header().Get("Cache-Control"), "public") {
			t.Errorf("the list of boxes is publicly cacheable: %s", w.Header().Get("Cache-Control"))
		}
	}
	w := e.do("", "GET", "/desk/boxes/"+box.ID+"?lang=th", "", "Cookie", arch)
	for _, want := range []string{"แฟ้ม 3", "จดหมาย พ.ศ. 2500", `action="/desk/boxes/` + box.ID + `/move"`, "ย้ายกล่อง"} {
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
			t.Errorf("box 12's page lacks %q: %d", want, w.Code)
		}
	}
	csrf := between(w.Body.String(), `name="csrf" value="`, `"`)
	for who, cookie := range map[string]string{"tu's archivist": tuArch, "cmu's reader": reader} {
		if w := e.do("", "GET", "/desk/boxes/"+box.ID, "", "Cookie", cookie); w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "A-1") {
			t.Errorf("%s opens cmu's box: %d", who, w.Code)
		}
		if w := e.do("", "GET", "/desk/boxes?library=cmu", "", "Cookie", cookie); w.Code != http.StatusForbidden {
			t.Errorf("%s lists cmu's boxes: %d", who, w.Code)
		}
	}
	if r := e.form("/desk/boxes/"+box.ID+"/move", "version=1&location=ชั้น+B-7&csrf="+csrf, "Cookie", arch); r.Code != http.StatusSeeOther {
		t.Fatalf("moving the box: %d %s", r.Code, r.Body)
	}
	if r := e.form("/desk/boxes/"+box.ID+"/move", "version=1&location=C-3&csrf="+csrf, "Cookie", arch); r.Code != http.StatusConflict {
		t.Fatalf("moving it again from the stale page: %d %s", r.Code, r.Body)
	}
	if r := e.form("/desk/boxes/"+box.ID+"/move", "version=x&location=C-3&csrf="+csrf, "Cookie", arch); r.Code != http.StatusBadRequest {
		t.Fatalf("a move without a version: %d %s", r.Code, r.Body)
	}
	if got, _ := e.store.Container(box.ID); got.Location != "ชั้น B-7" {
		t.Fatalf("the box is at %q", got.Location)
	}
}

func TestFindingAidPagesShowContainersToReadersAndShelvesOnlyToStaff(t *testing.T) {
	e := newDeskEnv(t)
	withBoxes(t, e.store)
	kept := &repository.Collection{ID: "lanna-staff", Institution: "cmu", Parent: "lanna", Level: repository.FileLevel, Order: 2, Title: repository.Text{"en": "Receipts"},
		Description: &repository.Description{Containers: []repository.ContainerRef{{Type: "Box", Indicator: "99", Attrs: map[string]string{"audience": "internal"}}}}}
	if err := e.store.SaveCollection(context.Background(), kept, "t"); err != nil {
		t.Fatal(err)
	}
	anonymous := func(path string) string {
		resp, err := http.Get(e.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	for path, want := range map[string]string{"/fonds/lanna?lang=th": "กล่อง 12, แฟ้ม 3", "/fonds/lanna?lang=en": "Box 12, Folder 3", "/fonds/lanna/print?lang=th": "กล่อง 12, แฟ้ม 3"} {
		body := anonymous(path)
		if !strings.Contains(body, want) || strings.Contains(body, "A-1") || strings.Contains(body, "CMU0012") || strings.Contains(body, "Box 99") || strings.Contains(body, "กล่อง 99") {
			t.Errorf("%s for anonymous visitors: wants %q and no shelf, barcode nor box kept for staff", path, want)
		}
	}
	if _, body := e.get(t, "/fonds/lanna?lang=en"); !strings.Contains(body, "Box 12: A-1") || !strings.Contains(body, "Shelf location") || !strings.Contains(body, "Box 99") {
		t.Errorf("cmu's archivist does not see where Box 12 is shelved, or the box kept for staff")
	}
	// A save of the unit at the desk keeps the containers the form does not show.
	c, _ := e.store.Collection("lanna-1957")
	form := url.Values{"csrf": {e.csrf}, "version": {"1"}, "level": {"file"}, "title_th": {"จดหมาย พ.ศ. 2500"}, "title_en": {"Letters, 1957"}, "access": {"public"}}
	if code, body := e.post(t, "/desk/units/lanna-1957", form); code != http.StatusSeeOther {
		t.Fatalf("saving the unit: %d %.300s", code, body)
	}
	after, _ := e.store.Collection("lanna-1957")
	if after.Version != c.Version+1 || after.Description == nil || len(after.Description.Containers) != 2 || after.Description.Containers[1].Indicator != "3" {
		t.Fatalf("after a desk save the unit is in %+v", after.Description)
	}
}

func TestTheDesksImportReportSaysHowManyBoxesInThaiAndEnglish(t *testing.T) {
	e := newDeskEnv(t)
	doc, err := os.ReadFile("../ead/testdata/containers-th.xml")
	if err != nil {
		t.Fatal(err)
	}
	st, page := e.postImport(t, "th", string(doc), nil)
	if st != http.StatusOK || !strings.Contains(html.UnescapeString(page), "หน่วยเอกสารระบุที่จัดเก็บ 8 รายการ ในกล่อง 3 กล่อง (สร้างใหม่ 3 กล่อง)") {
		t.Fatalf("the Thai report: %d %.2000s", st, page)
	}
	st, page = e.postImport(t, "en", string(doc), nil)
	if st != http.StatusOK || !strings.Contains(html.UnescapeString(page), "The units name 8 containers in 3 boxes (1 new)") {
		t.Fatalf("the English report of a second import: %d %.2000s", st, page)
	}
}
