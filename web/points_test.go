package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/repository"
)

// TestAccessPointPagesShowWhatTheVisitorMayReadAndTheDeskEditsAndMerges:
// an access point's page lists in Thai and English the open unit that
// names it, cacheable by all; a point only a restricted item names is not
// found by a visitor and shown, privately, to the holding library's
// archivist; the desk's form saves a point for cmu's archivist and
// refuses a reader; a merged point's page leads to the kept one.
func TestAccessPointPagesShowWhatTheVisitorMayReadAndTheDeskEditsAndMerges(t *testing.T) {
	e := newGrantEnv(t)
	ctx := context.Background()
	point := func(kind repository.PointKind, th, en string) *repository.Point {
		p := &repository.Point{Kind: kind, Heading: repository.Text{"th": th, "en": en}, Source: "local"}
		if err := e.store.SavePoint(ctx, p, "tester"); err != nil {
			t.Fatal(err)
		}
		return p
	}
	open := point(repository.SubjectPoint, "การศึกษา", "Education")
	twin := point(repository.SubjectPoint, "การศึกษาไทย", "Thai education")
	secret := point(repository.PersonPoint, "นายลับ", "Mr Secret")
	for _, c := range []*repository.Collection{
		{ID: "cmu-schools", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "School records", "th": "เอกสารโรงเรียน"},
			Description: &repository.Description{Points: []repository.PointRef{{Point: open.ID, Role: "subject", Element: "subject", Heading: repository.Text{"th": "การศึกษา"}}},
				PointGroups: map[string]repository.PointGroup{"1": {Head: repository.Text{"en": "Subjects"}}}}},
		{ID: "cmu-teachers", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"en": "Teachers"},
			Description: &repository.Description{Points: []repository.PointRef{{Point: twin.ID, Role: "subject", Element: "subject"}}}},
	} {
		if err := e.store.SaveCollection(ctx, c, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	photo := &repository.Item{Institution: "cmu", Collection: "cmu-schools", Title: repository.Text{"en": "Class photograph"}, Rights: "http://rightsstatements.org/vocab/InC/1.0/"}
	if err := e.store.SaveItem(ctx, photo, "tester"); err != nil {
		t.Fatal(err)
	}
	if page := e.do("", "GET", "/fonds/cmu-schools?lang=th", "").Body.String(); !strings.Contains(page, `<a href="/points/`+open.ID+`">การศึกษา</a>`) || !strings.Contains(page, "หัวเรื่อง") {
		t.Errorf("the finding aid does not lead to its subject's page:\n%s", page)
	}
	photo.Subjects = []repository.Text{{"th": "การศึกษา", "en": "Education"}}
	if _, _, err := e.srv.cfg.Items.Save(ctx, access.Principal{User: "u", Email: "arch@cmu.example", Institution: "cmu", Role: access.Archivist}, photo.ID,
		desk.Edit{Version: photo.Version, Subjects: photo.Subjects, Via: "desk"}); err != nil {
		t.Fatal(err)
	}
	if page := e.do("", "GET", "/items/"+photo.ID+"?lang=en", "").Body.String(); !strings.Contains(page, `<a href="/points/`+open.ID+`">Education</a>`) ||
		!strings.Contains(page, `rel="license"`) {
		t.Errorf("the item's page does not lead to its subject's page, or its rights are no longer its license link:\n%s", page)
	}
	it, err := e.store.Item(e.item)
	if err != nil {
		t.Fatal(err)
	}
	it.Points = []repository.PointRef{{Point: secret.ID, Role: "origination", Element: "persname"}}
	if err := e.store.SaveItem(ctx, it, "tester"); err != nil {
		t.Fatal(err)
	}

	for lang, want := range map[string][]string{"th": {"หัวเรื่อง", "เอกสารโรงเรียน", "หน่วยเอกสารที่เกี่ยวข้อง"}, "en": {"Subject", "School records", "Units that name it"}} {
		w := e.do("", "GET", "/points/"+open.ID+"?lang="+lang, "")
		for _, s := range want {
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), s) {
				t.Errorf("the point's page in %s: %d, lacks %q", lang, w.Code, s)
			}
		}
		if cc := w.Header().Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
			t.Errorf("the open point's page: Cache-Control %q, want public", cc)
		}
	}
	if w := e.do("", "GET", "/points/"+secret.ID, ""); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "Palm-leaf") || strings.Contains(w.Body.String(), "Secret") {
		t.Errorf("a visitor on a point only a restricted item names: %d %s", w.Code, w.Body)
	}
	w := e.do(e.cmuArc, "GET", "/points/"+secret.ID, "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Palm-leaf law") || !strings.HasPrefix(w.Header().Get("Cache-Control"), "private") {
		t.Errorf("cmu's archivist on the restricted item's point: %d %q", w.Code, w.Header().Get("Cache-Control"))
	}

	if w := e.form("/desk/points/"+open.ID, "version=1&heading_th=การศึกษา&heading_en=Schooling&source=lcsh&identifier=sh85040989", "Authorization", "Bearer "+e.tuReader); w.Code != http.StatusForbidden {
		t.Errorf("tu's reader saves a cmu point: %d, want 403", w.Code)
	}
	if w := e.form("/desk/points/"+open.ID, "version=1&heading_th=การศึกษา&heading_en=Schooling&source=lcsh&identifier=sh85040989", "Authorization", "Bearer "+e.cmuArc); w.Code != http.StatusSeeOther {
		t.Fatalf("cmu's archivist saves the point: %d %s", w.Code, w.Body)
	}
	if p, err := e.store.Point(open.ID); err != nil || p.Heading["en"] != "Schooling" || p.Identifier != "sh85040989" {
		t.Errorf("the saved point: %+v %v", p, err)
	}
	if w := e.do(e.cmuArc, "GET", "/desk/points?lang=th", ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "จุดเข้าถึงของห้องสมุด") ||
		!strings.Contains(w.Body.String(), `href="/desk/points/`+twin.ID+`"`) || !strings.Contains(w.Body.String(), `href="/desk/points/`+secret.ID+`"`) {
		t.Errorf("cmu's list of its access points in Thai: %d", w.Code)
	}
	schools, err := e.store.Collection("cmu-schools")
	if err != nil {
		t.Fatal(err)
	}
	if w := e.form("/desk/units/cmu-schools", fmt.Sprintf("version=%d&level=fonds&title_en=School+records&title_th=เอกสารโรงเรียน&isad_scope_en=Registers", schools.Version),
		"Authorization", "Bearer "+e.cmuArc); w.Code != http.StatusSeeOther {
		t.Fatalf("saving the unit at the desk: %d %s", w.Code, w.Body)
	}
	if c, err := e.store.Collection("cmu-schools"); err != nil || len(c.Description.Points) != 1 || c.Description.Points[0].Point != open.ID || c.Description.Scope["en"] != "Registers" || c.Description.PointGroups["1"].Head["en"] != "Subjects" {
		t.Errorf("the unit saved at the desk lost its access point: %+v %v", c.Description, err)
	}
	if w := e.do(e.cmuArc, "GET", "/desk", ""); !strings.Contains(w.Body.String(), `href="/desk/points"`) {
		t.Errorf("the desk does not lead to the library's access points")
	}
	if w := e.do(e.tuArch, "GET", "/desk/points?institution=cmu", ""); w.Code != http.StatusForbidden {
		t.Errorf("tu's archivist on cmu's list: %d, want 403", w.Code)
	}
	if w := e.do(e.cmuArc, "GET", "/desk/points/"+open.ID+"?lang=th", ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "ชื่อภาษาอังกฤษ") || !strings.Contains(w.Body.String(), `value="Schooling"`) {
		t.Errorf("the desk's form in Thai: %d", w.Code)
	}
	if w := e.form("/desk/points/"+open.ID, "version=2&heading_th=&heading_en=", "Authorization", "Bearer "+e.cmuArc); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "an access point needs a heading") {
		t.Errorf("a point saved without a heading: %d, want 400 saying why", w.Code)
	}
	if w := e.form("/desk/points/"+twin.ID+"/merge", "into=no-such-point", "Authorization", "Bearer "+e.cmuArc); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `no access point "no-such-point" to merge into`) {
		t.Errorf("a merge into a point that does not exist: %d %s, want 400 saying why", w.Code, w.Body)
	}
	if w := e.form("/desk/points/"+twin.ID+"/merge", "into="+open.ID, "Authorization", "Bearer "+e.tuArch); w.Code != http.StatusForbidden {
		t.Errorf("tu's archivist merges cmu points: %d, want 403", w.Code)
	}
	if w := e.form("/desk/points/"+twin.ID+"/merge", "into=https://archive.example/points/"+open.ID, "Authorization", "Bearer "+e.cmuArc); w.Code != http.StatusSeeOther {
		t.Fatalf("cmu's archivist merges: %d %s", w.Code, w.Body)
	}
	if w := e.do("", "GET", "/points/"+twin.ID, ""); w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/points/"+open.ID {
		t.Errorf("the merged point's page: %d %q", w.Code, w.Header().Get("Location"))
	}
	if w := e.do("", "GET", "/points/"+open.ID+"?lang=en", ""); !strings.Contains(w.Body.String(), "Teachers") {
		t.Errorf("the kept point's page does not list the merged point's unit")
	}
	// The search page counts and narrows by the point, named by its
	// heading and kind in the page's language.
	for deadline := time.Now().Add(10 * time.Second); ; {
		page := e.do("", "GET", "/search?lang=th&point=subject/"+open.ID, "").Body.String()
		if strings.Contains(page, "การศึกษา (หัวเรื่อง)") && strings.Contains(page, "/items/"+photo.ID) && strings.Contains(page, "จุดเข้าถึง") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the search page has no access point facet for the photograph:\n%s", page)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
