package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

func TestARKSettingsTakeANAANAndShoulders(t *testing.T) {
	c := common{}
	t.Setenv("ARCHIVE_ARK_NAAN", "")
	cfg, err := c.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ARKs.NAAN != "99999" {
		t.Fatalf("default NAAN: %+v", cfg.ARKs)
	}
	t.Setenv("ARCHIVE_ARK_NAAN", "12345")
	t.Setenv("ARCHIVE_ARK_SHOULDERS", "cmu=c1, tu=t1 cu=k1")
	if cfg, err = c.resolve(); err != nil {
		t.Fatal(err)
	}
	if a := cfg.ARKs.Mint("cu", "pvt37h3v9d"); !strings.HasPrefix(a, "ark:/12345/k1pvt37h3v9d") {
		t.Fatalf("settings mint %s", a)
	}
	for env, bad := range map[string]string{"ARCHIVE_ARK_NAAN": "12", "ARCHIVE_ARK_SHOULDERS": "cmu=c1 cu=c1"} {
		t.Setenv(env, bad)
		if _, err := c.resolve(); err == nil || !strings.Contains(err.Error(), "ARCHIVE_ARK") {
			t.Errorf("%s=%s: %v", env, bad, err)
		}
		t.Setenv(env, "")
	}
}

// archive arks gives records made before ARKs were minted theirs.
func TestTheARKsCommandGivesOlderRecordsTheirs(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(ctx, filepath.Join(data, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	it := &repository.Item{Institution: "tu", Title: repository.Text{"en": "Made before"}}
	if err := store.SaveItem(ctx, it, "test"); err != nil || it.ARK != "" {
		t.Fatalf("%+v %v", it, err)
	}
	store.Close()
	env := []string{"ARCHIVE_DATA=" + data, "ARCHIVE_ARK_SHOULDERS=tu=t9"}
	out, errOut, code := archive(t, env, "arks")
	if code != 0 || !strings.Contains(out, "records given an ARK") {
		t.Fatalf("archive arks: %d %s %s", code, out, errOut)
	}
	store, err = bolt.Open(ctx, filepath.Join(data, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	got, _ := store.Item(it.ID)
	if !strings.HasPrefix(got.ARK, "ark:/99999/t9"+it.ID) || !store.ARKsMinted() {
		t.Fatalf("after archive arks: %q, minted %v", got.ARK, store.ARKsMinted())
	}
}
