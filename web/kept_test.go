package web

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// TestFindingAidPageShowsWhatTheFindingAidSaidThatNoFieldHolds: a Thai
// finding aid's custodial history, related material and preferred
// citation, which the archive keeps as written, are on its page under
// their names in Thai and English, a digital object elsewhere is a link
// to it, and its note kept for staff is not there.
func TestFindingAidPageShowsWhatTheFindingAidSaidThatNoFieldHolds(t *testing.T) {
	ctx := context.Background()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	seedAdmin(t, store)
	doc, err := os.Open("../ead/testdata/real/thai-cmu-fonds.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	f, err := ead.Read(doc)
	if err != nil {
		t.Fatal(err)
	}
	made, _, err := f.Build(ctx, store, "cmu", "", "importer")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts, UploadDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	for lang, labels := range map[string][]string{
		"th": {"ประวัติการครอบครอง", "เอกสารที่เกี่ยวข้อง", "รูปแบบการอ้างอิงที่แนะนำ", "วัตถุดิจิทัลที่อื่น"},
		"en": {"Custodial history", "Related units of description", "Preferred citation", "Digital object elsewhere"},
	} {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/fonds/"+made[0].ID+"?lang="+lang, nil))
		body := html.UnescapeString(w.Body.String())
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d", lang, w.Code)
		}
		for _, want := range append(labels, "เก็บรักษาไว้ที่บ้านพักของครอบครัวในอำเภอเมืองเชียงใหม่จนถึง พ.ศ. 2548",
			"เอกสารคณะมนุษยศาสตร์ (CMUL-A-0007)", `<a href="https://www.example.org/lanna/tamnan-chiang-mai-2510.pdf">ฉบับดิจิทัลที่เว็บไซต์ภายนอก</a>`) {
			if !strings.Contains(body, want) {
				t.Errorf("the %s page lacks %q", lang, want)
			}
		}
		if strings.Contains(body, "053-000-000") || strings.Contains(body, "ead_el_") {
			t.Errorf("the %s page shows the note kept for staff, or an element without its name", lang)
		}
	}
}
