package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// itemJSONFiles reads the files of an item's JSON record as anyone sees it.
func itemJSONFiles(t *testing.T, e *iiifEnv, id string) (string, []map[string]any) {
	t.Helper()
	w := e.do(t, "GET", "/api/v1/items/"+id)
	if w.Code != http.StatusOK {
		t.Fatalf("item %s: %d %s", id, w.Code, w.Body)
	}
	var rec struct {
		Files []map[string]any `json:"files"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	return w.Body.String(), rec.Files
}

func TestItemJSONNamesStoredCopiesByGuardedURLsNotStorageKeys(t *testing.T) {
	e := newIIIFEnv(t)
	// Another library's recording, whose description anyone may read but
	// whose files only its readers may hear.
	sha := strings.Repeat("ab", 32)
	web, thumb := ingest.DerivativeKey(sha, "web.m4a"), ingest.DerivativeKey(sha, "waveform.jpg")
	rec := &repository.Item{Institution: "tu", Type: ingest.KindSound, Title: repository.Text{"en": "Interview"}, Access: repository.Access{Level: repository.MetadataOnly},
		Files: []repository.File{{Name: "interview.wav", SHA256: sha, Size: 100, MediaType: "audio/wav", Duration: 3,
			Derivatives: map[string]string{"web": web, "thumb": thumb}, Web: &repository.WebCopy{MediaType: "audio/mp4", Duration: 3}}}}
	if err := e.store.SaveItem(context.Background(), rec, "t"); err != nil {
		t.Fatal(err)
	}
	body, files := itemJSONFiles(t, e, rec.ID)
	for _, secret := range []string{"derivatives/", web, thumb, sha} {
		if strings.Contains(body, secret) {
			t.Errorf("a metadata-only item's JSON shows %q: %s", secret, body)
		}
	}
	derived, _ := files[0]["derivatives"].(map[string]any)
	for role, want := range map[string]string{"web": "/api/v1/items/" + rec.ID + "/files/1/web", "thumb": "/api/v1/items/" + rec.ID + "/files/1/thumb"} {
		u, _ := derived[role].(string)
		if p, err := url.Parse(u); err != nil || p.Path != want {
			t.Errorf("%s: %q; want a URL with path %s", role, u, want)
		} else if w := e.do(t, "GET", p.Path); w.Code != http.StatusUnauthorized && w.Code != http.StatusForbidden {
			t.Errorf("%s of a metadata-only recording, asked anonymously: %d; want it refused", role, w.Code)
		}
	}

	// A public image: its URLs serve, and its digest is there to check it.
	id := strings.TrimSuffix(e.image, "-1")
	it, err := e.store.Item(id)
	if err != nil {
		t.Fatal(err)
	}
	body, files = itemJSONFiles(t, e, id)
	if strings.Contains(body, "derivatives/") || strings.Contains(body, it.Files[0].Derivatives["access"]) {
		t.Errorf("a public item's JSON shows storage keys: %s", body)
	}
	if files[0]["sha256"] != it.Files[0].SHA256 {
		t.Errorf("a public file's digest: %v; want %s", files[0]["sha256"], it.Files[0].SHA256)
	}
	derived, _ = files[0]["derivatives"].(map[string]any)
	for role, want := range map[string]string{"access": "/iiif/3/" + e.image, "thumb": "/api/v1/items/" + id + "/files/1/thumb"} {
		u, _ := derived[role].(string)
		p, err := url.Parse(u)
		if err != nil || p.Path != want {
			t.Errorf("%s: %q; want a URL with path %s", role, u, want)
			continue
		}
		if w := e.do(t, "GET", p.Path); w.Code != http.StatusOK && w.Code != http.StatusSeeOther && w.Code != http.StatusFound {
			t.Errorf("%s of a public image: %d", role, w.Code)
		}
	}
}
