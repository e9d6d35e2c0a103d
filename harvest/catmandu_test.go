package harvest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
)

// startCatmandu runs LibreCat's Catmandu OAI-PMH provider (Debian
// libdancer-plugin-catmandu-oai-perl) on 127.0.0.1 over a copy of
// testdata/catmandu, and returns its base URL and the folder whose
// records.yml it serves.
func startCatmandu(t *testing.T) (string, string) {
	t.Helper()
	if err := exec.Command("perl", "-MDancer::Plugin::Catmandu::OAI", "-MYAML::XS", "-e1").Run(); err != nil {
		t.Fatalf("the Catmandu OAI-PMH provider is not installed (Debian libdancer-plugin-catmandu-oai-perl, libyaml-libyaml-perl; test.sh installs them): %v", err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/catmandu")); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("perl", "app.pl", fmt.Sprintf("--port=%d", port))
	cmd.Dir = dir
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	base := fmt.Sprintf("http://127.0.0.1:%d/oai", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "?verb=Identify")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, dir
			}
		}
		select {
		case <-done:
			t.Fatalf("the Catmandu provider stopped: %s", logs.String())
		case <-time.After(50 * time.Millisecond): // polling with a deadline
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Catmandu provider did not answer within 30s: %s", logs.String())
		}
	}
}

const catmanduID = "oai:cmudc.library.cmu.ac.th:123456789/"

func TestHarvestsACatmanduProviderWithItsSetTokensAndDeletions(t *testing.T) {
	s, st := fixture(t)
	base, dir := startCatmandu(t)
	src := addSource(t, s, base, "com_123456789_1")
	got, err := s.Run(ctx, admin, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Seven records in the set, three to a page; one of them deleted.
	if r := got.Run; r.Read != 7 || r.Added != 6 || r.Failed != 0 || r.Token != "" || r.Deleted != "persistent" || r.Finished.IsZero() {
		t.Fatalf("the first run: %+v", r)
	}
	want := map[string]func(*repository.Entry) bool{
		"1": func(e *repository.Entry) bool {
			return e.Title.Get("th") == "การศึกษาประวัติศาสตร์ล้านนาจากเอกสารใบลาน" && e.Date == "2007" && e.Type == "Text" &&
				e.Link == "http://hdl.handle.net/123456789/1" && len(e.Language) == 1 && e.Language[0] == "th" && len(e.Subjects) == 2
		},
		"2": func(e *repository.Entry) bool {
			return e.Title.Get("en") == "Water management in the Ping river basin" && e.Date == "2007-05-01" &&
				e.Thumbnail == "http://cmuir.cmu.ac.th/bitstream/123456789/2/thumbnail.jpg" && e.Link == "http://hdl.handle.net/123456789/2"
		},
		"3": func(e *repository.Entry) bool { return e.Date == "2002" && e.Title["th"] != "" },
	}
	for n, ok := range want {
		e, err := st.EntryOf(src.ID, catmanduID+n)
		if err != nil || !ok(e) {
			t.Errorf("record %s: %+v, %v", n, e, err)
		}
	}
	if _, err := st.EntryOf(src.ID, catmanduID+"8"); err == nil {
		t.Error("a record outside the set was harvested")
	}
	before := versions(t, st, src.ID)
	// A full re-harvest of the same records writes nothing.
	fresh, _ := st.Source(src.ID)
	fresh.Run.From = ""
	if err := st.SaveSource(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	again, err := s.Run(ctx, admin, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := again.Run; r.Read != 7 || r.Unchanged != 6 || r.Added+r.Changed+r.Removed != 0 {
		t.Fatalf("the re-harvest: %+v", r)
	}
	if after := versions(t, st, src.ID); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("a re-harvest that changed nothing rewrote entries: %v then %v", before, after)
	}
	// The provider deletes record 5 and changes record 7, later than the
	// last run began: the incremental run asks from then and sees only those.
	records, err := os.ReadFile(filepath.Join(dir, "records.yml"))
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04:05Z")
	text := strings.Replace(string(records), "_id: 123456789/5\ndatestamp: 2026-01-14T08:00:00Z\n", "_id: 123456789/5\ndatestamp: "+later+"\ndeleted: true\n", 1)
	text = strings.Replace(text, "datestamp: 2026-01-16T08:00:00Z\nsetSpec: [com_123456789_1]\ntitle: [ผ้าทอไทลื้อ]", "datestamp: "+later+"\nsetSpec: [com_123456789_1]\ntitle: [ผ้าทอไทลื้อ เมืองน่าน]", 1)
	if err := os.WriteFile(filepath.Join(dir, "records.yml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	third, err := s.Run(context.Background(), admin, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := third.Run; r.Read != 2 || r.Removed != 1 || r.Changed != 1 {
		t.Fatalf("the incremental run: %+v", r)
	}
	if e, err := st.EntryOf(src.ID, catmanduID+"5"); err != nil || !e.Deleted {
		t.Fatalf("the deleted record: %+v, %v", e, err)
	}
	if e, err := st.EntryOf(src.ID, catmanduID+"7"); err != nil || e.Title.Get("th") != "ผ้าทอไทลื้อ เมืองน่าน" || e.Version != 2 {
		t.Fatalf("the changed record: %+v, %v", e, err)
	}
	if ids, _ := st.EntryIDsOf("cmu"); len(ids) != 5 {
		t.Fatalf("the library's entries: %d, want 5", len(ids))
	}
}

func TestACatmanduProviderInMODSMARCXMLAndEADGivesTheEntriesItsDublinCoreGives(t *testing.T) {
	base, _ := startCatmandu(t)
	entries := func(format string) map[string]*repository.Entry {
		s, st := fixture(t)
		src := &repository.Source{Institution: "cmu", OAI: base, Set: "com_123456789_1", Format: format}
		if err := s.Add(ctx, admin, src); err != nil {
			t.Fatal(err)
		}
		got, err := s.Run(ctx, admin, src.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r := got.Run; r.Read != 7 || r.Added != 6 || r.Failed != 0 {
			t.Fatalf("%s: the run %+v", format, r)
		}
		ids, err := st.EntryIdentifiers(src.ID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]*repository.Entry{}
		for _, id := range ids {
			if out[id], err = st.EntryOf(src.ID, id); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	dc := entries("oai_dc")
	for _, format := range []string{"mods", "marcxml", "ead"} {
		got := entries(format)
		if len(got) != len(dc) {
			t.Fatalf("%s: %d entries, oai_dc %d", format, len(got), len(dc))
		}
		for id, want := range dc {
			e := got[id]
			same := e != nil && fmt.Sprint(e.Title, e.Creators, e.Subjects, e.Summary, e.Date, e.Language, e.Link, e.Thumbnail, e.Deleted) ==
				fmt.Sprint(want.Title, want.Creators, want.Subjects, want.Summary, want.Date, want.Language, want.Link, want.Thumbnail, want.Deleted)
			if !same {
				t.Errorf("%s %s: %+v\noai_dc: %+v", format, id, e, want)
			}
		}
	}
}
