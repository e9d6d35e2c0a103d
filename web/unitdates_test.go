package web

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// TestUnitPageShowsEveryDateAsWrittenWithBulkMarked: the public finding
// aid shows each of a unit's dates as the finding aid wrote it, the bulk
// one marked, in English and in Thai (with the Buddhist Era beside words
// in the Common Era).
func TestUnitPageShowsEveryDateAsWrittenWithBulkMarked(t *testing.T) {
	ctx := context.Background()
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	seedAdmin(t, store)
	f, err := ead.Read(strings.NewReader(`<ead><archdesc level="fonds" id="zqdates"><did><unittitle>Zqdated</unittitle>
	<unitdate type="inclusive">ca. 1945-1975</unitdate><unitdate type="bulk">1960-1970</unitdate><unitdate>undated</unitdate></did></archdesc></ead>`))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Build(ctx, store, "cmu", "", "importer"); err != nil {
		t.Fatal(err)
	}
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts, UploadDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{
		"en": `<span class="aid-date">ca. 1945-1975; bulk 1960-1970; undated</span>`,
		"th": `<span class="aid-date">ca. 1945-1975 (ประมาณ พ.ศ. 2488 – ประมาณ พ.ศ. 2518); ส่วนใหญ่ 1960-1970 (พ.ศ. 2503 – พ.ศ. 2513); undated</span>`,
	} {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/fonds/zqdates?lang="+lang, nil))
		if body := html.UnescapeString(w.Body.String()); w.Code != http.StatusOK || !strings.Contains(body, want) {
			i := strings.Index(body, `aid-date`)
			t.Errorf("%s: %d, want %s; page has %.200s", lang, w.Code, want, body[max(i, 0):])
		}
	}
}
