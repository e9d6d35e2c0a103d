package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// undescribed puts items titled only with their file names into the store
// at data, as uploads leave them, and returns them by file name.
func undescribed(t *testing.T, data string, files map[string]string) map[string]*repository.Item {
	t.Helper()
	out := map[string]*repository.Item{}
	withStore(t, data, func(store *bolt.Store) {
		i := 0
		for name, inst := range files {
			i++
			it := &repository.Item{Institution: inst, Title: repository.Text{"none": name},
				Files: []repository.File{{Name: name, SHA256: strings.Repeat(string(rune('0'+i)), 64), MediaType: "image/tiff"}}}
			if err := store.SaveItem(context.Background(), it, "upload"); err != nil {
				t.Fatal(err)
			}
			out[name] = it
		}
	})
	return out
}

// stored reads an item from the store at data (with no service running).
func stored(t *testing.T, data, id string) *repository.Item {
	t.Helper()
	var it *repository.Item
	withStore(t, data, func(store *bolt.Store) {
		var err error
		if it, err = store.Item(id); err != nil {
			t.Fatal(err)
		}
	})
	return it
}

func TestDescribeCommandDryRunShowsChangesThenDescribes(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	items := undescribed(t, data, map[string]string{"scan-0042.tif": "cmu", "tu-0001.tif": "tu"})
	sheet := filepath.Join(root, "describe.csv")
	os.WriteFile(sheet, []byte("files,title.th,title.en,date,access\n"+
		"scan-0042.tif,จดหมาย,Letter to the rector,2505,restricted\n"+
		"tu-0001.tif,ของผู้อื่น,Not ours,,\n"+
		"nowhere.tif,ไม่มี,Nothing,,\n"), 0o644)
	env := []string{"ARCHIVE_DATA=" + data}
	cmu, tu := items["scan-0042.tif"], items["tu-0001.tif"]

	out, errOut, code := archive(t, env, "describe", "--dry-run", "--institution", "cmu", sheet)
	if code != 1 {
		t.Fatalf("dry run with refused rows: exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"row 2 item " + cmu.ID + ": would describe", `title.en: "" → "Letter to the rector"`, `title: "scan-0042.tif" → ""`,
		`date: "" → "1962"`, `access: "public" → "restricted"`, "Buddhist Era", "row 3: unknown: no item in the archive holds tu-0001.tif", "row 4: unknown"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "dry run: no item was changed") {
		t.Errorf("dry run summary: %s", errOut)
	}
	if got := stored(t, data, cmu.ID); got.Version != 1 {
		t.Fatalf("the dry run changed the item: %+v", got)
	}

	out, _, code = archive(t, env, "describe", "--institution", "cmu", sheet)
	if code != 1 || !strings.Contains(out, "row 2 item "+cmu.ID+": described") {
		t.Fatalf("describe: exit %d\n%s", code, out)
	}
	if got := stored(t, data, cmu.ID); got.Version != 2 || got.Title["en"] != "Letter to the rector" || got.Title["none"] != "" || got.Date != "1962" || got.Access.Level != "restricted" {
		t.Fatalf("described item: %+v", got)
	}
	if got := stored(t, data, tu.ID); got.Version != 1 {
		t.Fatalf("another library's item was changed: %+v", got)
	}

	// Without --institution, whoever holds the data folder edits every
	// library; a sheet with nothing wrong succeeds.
	os.WriteFile(sheet, []byte("item,title.en\n"+tu.ID+",Thammasat's own\n"), 0o644)
	if out, errOut, code := archive(t, env, "describe", sheet); code != 0 || !strings.Contains(out, "described") {
		t.Fatalf("describe every library: exit %d\n%s\n%s", code, out, errOut)
	}
	if got := stored(t, data, tu.ID); got.Title["en"] != "Thammasat's own" {
		t.Fatalf("item: %+v", got)
	}
	if _, errOut, code := archive(t, env, "describe", "--institution", "mit", sheet); code != 1 || !strings.Contains(errOut, `no library "mit"`) {
		t.Fatalf("an unknown library: exit %d %s", code, errOut)
	}
	os.WriteFile(sheet, []byte("files,titel.en\nscan-0042.tif,x\n"), 0o644)
	if _, errOut, code := archive(t, env, "describe", sheet); code != 1 || !strings.Contains(errOut, `unknown columns "titel.en"`) {
		t.Fatalf("a sheet with a misspelt column: exit %d %s", code, errOut)
	}
}
