package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestIngestWhileTheServiceRuns: with the store held by "archive serve",
// "archive ingest" hands the files to the service, and a dry run checks
// against a copy of its store; the public site stays up throughout.
func TestIngestWhileTheServiceRuns(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := []string{"ARCHIVE_DATA=" + data}
	s := serve(t, env)
	env = append(env, "ARCHIVE_ADDR="+s.addr)
	dir := t.TempDir()
	makeImages(t, filepath.Join(dir, "scans"), 2, 300, 200)
	sheet := "files,title.en,title.th,access,date\nscans/scan000.jpg;scans/scan001.jpg,Letters of 1932,จดหมาย พ.ศ. 2475,restricted,2475\n"
	os.WriteFile(filepath.Join(dir, "metadata.csv"), []byte(sheet), 0o644)

	out, errOut, code := archive(t, env, "ingest", "--dry-run", "--json", "--institution", "tu", filepath.Join(dir, "metadata.csv"))
	if code != 0 || !strings.Contains(out, "scan000.jpg") {
		t.Fatalf("dry run while serving: %d %q %q", code, out, errOut)
	}
	if _, body := s.get(t, "/api/v1/institutions"); !strings.Contains(body, "tu") {
		t.Fatalf("the service stopped answering: %s", body)
	}
	out, errOut, code = archive(t, env, "ingest", "--json", "--institution", "tu", filepath.Join(dir, "metadata.csv"))
	if code != 0 || !strings.Contains(errOut, "handing it the files") {
		t.Fatalf("ingest while serving: %d %q %q", code, out, errOut)
	}
	var first struct {
		Item, Status string
	}
	if err := json.Unmarshal([]byte(strings.Split(out, "\n")[0]), &first); err != nil || first.Item == "" {
		t.Fatalf("outcome %q: %v", out, err)
	}
	if !strings.Contains(out, "Buddhist Era") {
		t.Errorf("the sheet's warning (a year read in the Buddhist Era) is not reported: %s", out)
	}
	// The item is registered by the service, described as the sheet says,
	// restricted (so it does not exist for an anonymous visitor).
	if code, _ := s.get(t, "/api/v1/items/"+first.Item); code != 404 {
		t.Fatalf("the restricted item for an anonymous visitor: %d", code)
	}
	rec, err := os.ReadFile(filepath.Join(data, "blobs", "records", "items", first.Item, "v000001.json"))
	if err != nil || !strings.Contains(string(rec), "Letters of 1932") || !strings.Contains(string(rec), `"restricted"`) || !strings.Contains(string(rec), `"date": "1932"`) || strings.Count(string(rec), `"sha256"`) != 2 {
		t.Fatalf("the item's record: %v %s", err, rec)
	}
	s.cmd.Process.Kill()
	<-s.done
	_, errOut, code = archive(t, env[:1], "user", "list")
	if code != 0 {
		t.Fatalf("the store after the service stopped: %d %q", code, errOut)
	}
	_, errOut, code = archive(t, env[:1], "ingest", "--json", "--institution", "tu", filepath.Join(dir, "metadata.csv"))
	if code != 0 && !strings.Contains(errOut, "duplicate") {
		t.Fatalf("ingesting again, the store itself: %d %q", code, errOut)
	}
}

// TestCommandsSayWhatToDoWhileTheServiceRuns: the commands that need the
// metadata store the running service holds say, in one line, what to do
// instead (the desk's page for it, or stopping the service); a describe
// dry run checks against a copy of the service's store.
func TestCommandsSayWhatToDoWhileTheServiceRuns(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	items := undescribed(t, data, map[string]string{"scan-0042.tif": "cmu"})
	env := []string{"ARCHIVE_DATA=" + data}
	s := serve(t, env)
	env = append(env, "ARCHIVE_ADDR="+s.addr)
	desk := "http://" + s.addr
	sheet := filepath.Join(t.TempDir(), "describe.csv")
	os.WriteFile(sheet, []byte("files,title.en\nscan-0042.tif,Letter to the rector\n"), 0o644)
	for _, c := range []struct {
		args  []string
		wants []string
	}{
		{[]string{"user", "list"}, []string{"running service (archive serve, " + desk + ")", "at the desk, " + desk + "/desk/users", "stop the service, run this command again"}},
		{[]string{"token", "list"}, []string{"running service", "stop the service, run this command again"}},
		{[]string{"library", "--institution", "tu"}, []string{"running service", "stop the service, run this command again"}},
		{[]string{"describe", sheet}, []string{"upload the sheet at the desk", desk + "/desk#describe", "stop the service, run this command again"}},
	} {
		for _, want := range c.wants {
			refused(t, nil, env, want, c.args...)
		}
	}
	out, errOut, code := archive(t, env, "describe", "--dry-run", sheet)
	if code != 0 || !strings.Contains(out, "item "+items["scan-0042.tif"].ID+": would describe") || !strings.Contains(errOut, "dry run: no item was changed") {
		t.Fatalf("describe --dry-run while serving: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestIngestHandsFilesOnlyToTheServiceThatHoldsTheArchive: with the
// service on its own port and something else answering on the address
// ARCHIVE_ADDR names, "archive ingest" finds the service by what it
// recorded in the data folder; a record that leads elsewhere is refused
// before anything (the token included) is sent; a record left by a service
// that is gone is passed over and the files are ingested here.
func TestIngestHandsFilesOnlyToTheServiceThatHoldsTheArchive(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.Path+" auth="+r.Header.Get("Authorization"))
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer other.Close()
	otherAddr := strings.TrimPrefix(other.URL, "http://")
	sent := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(asked)
	}

	data := filepath.Join(t.TempDir(), "data")
	env := []string{"ARCHIVE_DATA=" + data, "ARCHIVE_ADDR=" + otherAddr}
	s := serve(t, env[:1])
	dir := t.TempDir()
	makeImages(t, dir, 3, 120, 80)
	out, errOut, code := archive(t, env, "ingest", "--json", "--institution", "tu", filepath.Join(dir, "scan000.jpg"))
	if code != 0 || !strings.Contains(errOut, "the service at "+s.addr+" holds the archive") || !strings.Contains(out, `"ingested"`) {
		t.Fatalf("ingest while serving: %d %q %q", code, out, errOut)
	}
	if got := sent(); len(got) != 0 {
		t.Fatalf("the other service was sent %v", got)
	}

	// The record says the other service: it is asked who it is, without
	// the token, and sent nothing more.
	rec, err := os.ReadFile(filepath.Join(data, "service.json"))
	if err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(string(rec), s.addr, otherAddr, 1)
	if err := os.WriteFile(filepath.Join(data, "service.json"), []byte(forged), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = archive(t, env, "ingest", "--institution", "tu", filepath.Join(dir, "scan001.jpg"))
	if code == 0 || !strings.Contains(errOut, "is not this archive's") || !strings.Contains(errOut, "nothing was sent") {
		t.Fatalf("ingest with a record leading elsewhere: %d %q", code, errOut)
	}
	got := sent()
	if len(got) != 1 || !strings.HasPrefix(got[0], "GET /api/v1/archive-id auth=") || !strings.HasSuffix(got[0], "auth=") {
		t.Fatalf("the other service was sent %v", got)
	}

	// The service is gone (killed: its record stays): work here.
	s.cmd.Process.Kill()
	<-s.done
	if err := os.WriteFile(filepath.Join(data, "service.json"), rec, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = archive(t, env, "ingest", "--json", "--institution", "tu", filepath.Join(dir, "scan002.jpg"))
	if code != 0 || strings.Contains(errOut, "holds the archive") || !strings.Contains(out, `"ingested"`) {
		t.Fatalf("ingest with a stale record: %d %q %q", code, out, errOut)
	}
	if got := sent(); len(got) != 1 {
		t.Fatalf("the other service was sent %v", got)
	}
}
