package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// oaiStandIn is a provider of two records in one page; lists counts the
// ListRecords it answered.
func oaiStandIn(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var lists atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-12-07T10:00:00Z</responseDate>`)
		switch r.URL.Query().Get("verb") {
		case "Identify":
			fmt.Fprint(w, `<Identify><granularity>YYYY-MM-DD</granularity><deletedRecord>no</deletedRecord></Identify>`)
		case "ListRecords":
			lists.Add(1)
			fmt.Fprint(w, `<ListRecords>`)
			for i, title := range []string{"จดหมายเหตุล้านนา", "Lanna manuscripts"} {
				fmt.Fprintf(w, `<record><header><identifier>oai:dspace:123456789/%d</identifier><datestamp>2026-01-01</datestamp></header><metadata>`+
					`<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>%s</dc:title><dc:identifier>http://hdl.handle.net/123456789/%d</dc:identifier></oai_dc:dc></metadata></record>`, i, title, i)
			}
			fmt.Fprint(w, `</ListRecords>`)
		}
		fmt.Fprint(w, `</OAI-PMH>`)
	}))
	t.Cleanup(srv.Close)
	return srv, &lists
}

func TestHarvestCommandAddsRunsListsAndRemovesASourceThatARebuildKeeps(t *testing.T) {
	srv, _ := oaiStandIn(t)
	data := filepath.Join(t.TempDir(), "data")
	env := []string{"ARCHIVE_DATA=" + data}
	out, errOut, code := archive(t, env, "harvest", "add", "--institution", "tu", "--oai", srv.URL+"/oai", "--every", "168h")
	if code != 0 || !strings.HasPrefix(out, "source ") {
		t.Fatalf("add: %d %q %q", code, out, errOut)
	}
	id := strings.Fields(out)[1]
	refused(t, nil, env, `no library "mit"`, "harvest", "add", "--institution", "mit", "--oai", srv.URL)
	refused(t, nil, env, `the OAI-PMH base URL "ftp://example.org/oai" is not an http or https URL`, "harvest", "add", "--institution", "tu", "--oai", "ftp://example.org/oai")
	refused(t, nil, env, `the schedule "daily" is not a duration`, "harvest", "add", "--institution", "tu", "--oai", srv.URL, "--every", "daily")
	refused(t, nil, env, `no source "nosuch"`, "harvest", "run", "nosuch")
	out, errOut, code = archive(t, env, "harvest", "run", id)
	if code != 0 || !strings.Contains(out, "read 2, added 2, changed 0, unchanged 0") {
		t.Fatalf("run: %d %q %q", code, out, errOut)
	}
	if out, _, code = archive(t, env, "harvest", "run", "--all"); code != 0 || !strings.Contains(out, "read 2, added 0, changed 0, unchanged 2") {
		t.Fatalf("run --all again: %d %q", code, out)
	}
	if _, errOut, code = archive(t, env, "rebuild", "--force"); code != 0 {
		t.Fatalf("rebuild: %d %q", code, errOut)
	}
	out, _, code = archive(t, env, "harvest", "list")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[1], id+" ") || !strings.Contains(lines[1], "tu ") || !strings.Contains(lines[1], "168h") {
		t.Fatalf("list after a rebuild: %d %q", code, out)
	}
	if out, _, code = archive(t, env, "harvest", "remove", id); code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("remove: %d %q", code, out)
	}
	if out, _, _ = archive(t, env, "harvest", "list"); strings.Contains(out, id) {
		t.Fatalf("a removed source is listed: %q", out)
	}
}

func TestTheServiceHarvestsADueSourceByItselfAndTheCommandAsksIt(t *testing.T) {
	srv, lists := oaiStandIn(t)
	data := filepath.Join(t.TempDir(), "data")
	env := []string{"ARCHIVE_DATA=" + data}
	out, errOut, code := archive(t, env, "harvest", "add", "--institution", "cmu", "--oai", srv.URL)
	if code != 0 {
		t.Fatalf("add: %d %q", code, errOut)
	}
	id := strings.Fields(out)[1]
	s := serve(t, env)
	env = append(env, "ARCHIVE_ADDR="+s.addr)
	// harvested is when a version of a source (its state after a run) in
	// storage says what the run did.
	harvested := func(id, did string) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			versions, _ := filepath.Glob(filepath.Join(data, "blobs", "records", "sources", id, "v*.json"))
			for _, v := range versions {
				if rec, err := os.ReadFile(v); err == nil && strings.Contains(string(rec), did) && strings.Contains(string(rec), `"finished"`) {
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("the service did not harvest source %s within a minute (ListRecords asked %d times)\n%s", id, lists.Load(), s.logs)
			}
			time.Sleep(50 * time.Millisecond) // polling with a deadline
		}
	}
	harvested(id, `"added": 2`)
	if n := lists.Load(); n != 1 {
		t.Fatalf("ListRecords asked %d times, want once", n)
	}
	// While the service runs, the command asks it.
	out, errOut, code = archive(t, env, "harvest", "add", "--institution", "tu", "--oai", srv.URL, "--set", "theses")
	if code != 0 || !strings.Contains(out, "through the running service") {
		t.Fatalf("add through the service: %d %q %q", code, out, errOut)
	}
	second := strings.Fields(out)[1]
	harvested(second, `"added": 2`) // a new source is due at once
	out, errOut, code = archive(t, env, "harvest", "list")
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, second) {
		t.Fatalf("list through the service: %d %q %q", code, out, errOut)
	}
	out, errOut, code = archive(t, env, "harvest", "run", second)
	if code != 0 || !strings.Contains(out, "harvests it within a minute") {
		t.Fatalf("run through the service: %d %q %q", code, out, errOut)
	}
	harvested(second, `"unchanged": 2`) // made due, then harvested again: nothing new
	out, errOut, code = archive(t, env, "harvest", "remove", second)
	if code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("remove through the service: %d %q %q", code, out, errOut)
	}
	if out, _, _ = archive(t, env, "harvest", "list"); strings.Contains(out, second) {
		t.Fatalf("the removed source is still listed: %s", out)
	}
	if _, errOut, code = archive(t, env, "harvest", "remove", "nosuchsource"); code == 0 || !strings.Contains(errOut, "refused") {
		t.Fatalf("removing an unknown source: %d %q", code, errOut)
	}
}

// TestOneArchiveHarvestsAnothersOAIPMH: this archive's own OAI-PMH and
// IIIF collections (its demo collections, served by the real binary) are
// sources like any other; the entries it gives another archive are that archive's
// catalogue entries, and none of them is offered again as a record of its
// own (no harvesting loops).
func TestOneArchiveHarvestsAnothersOAIPMH(t *testing.T) {
	provider := serve(t, []string{"ARCHIVE_DATA=" + filepath.Join(t.TempDir(), "provider")}, "--demo")
	code, body := provider.get(t, "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&set=cmu")
	if code != 200 || !strings.Contains(body, "<identifier>oai:archive:") {
		t.Fatalf("the provider's records: %d %s", code, body)
	}
	want := strings.Count(body, "<header>")
	data := filepath.Join(t.TempDir(), "data")
	env := []string{"ARCHIVE_DATA=" + data}
	out, errOut, code := archive(t, env, "harvest", "add", "--institution", "tu", "--oai", "http://"+provider.addr+"/oai", "--set", "cmu")
	if code != 0 {
		t.Fatalf("add: %d %q", code, errOut)
	}
	id := strings.Fields(out)[1]
	out, errOut, code = archive(t, env, "harvest", "run", id)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("read %d, added %d, changed 0, unchanged 0, removed 0, failed 0", want, want)) {
		t.Fatalf("run (want %d records): %d %q %q", want, code, out, errOut)
	}
	// Its IIIF collections too: the top collection walked to every
	// manifest an anonymous visitor may read.
	code, body = provider.get(t, "/iiif/3/collection/top")
	if code != 200 {
		t.Fatalf("the provider's top collection: %d %s", code, body)
	}
	out, errOut, code = archive(t, env, "harvest", "add", "--institution", "chula", "--iiif", "http://"+provider.addr+"/iiif/3/collection/top")
	if code != 0 {
		t.Fatalf("add a IIIF source: %d %q", code, errOut)
	}
	iiifID := strings.Fields(out)[1]
	out, errOut, code = archive(t, env, "harvest", "run", iiifID)
	if code != 0 || !strings.Contains(out, "changed 0, unchanged 0, removed 0, failed 0") || strings.Contains(out, "read 0,") {
		t.Fatalf("run the IIIF source: %d %q %q", code, out, errOut)
	}
	harvester := serve(t, env)
	code, body = harvester.get(t, "/api/v1/search?q=*&source="+id)
	if code != 200 || !strings.Contains(body, fmt.Sprintf(`"total":%d`, want)) || !strings.Contains(body, `"original":"http://`+provider.addr) {
		t.Fatalf("the harvested entries in search: %d %s", code, body)
	}
	code, body = harvester.get(t, "/api/v1/search?q=*&source="+iiifID)
	var found struct {
		Hits []struct{ ID, Original string }
	}
	if err := json.Unmarshal([]byte(body), &found); code != 200 || err != nil || len(found.Hits) == 0 || !strings.HasPrefix(found.Hits[0].Original, "http://"+provider.addr+"/items/") {
		t.Fatalf("the entries of the IIIF source in search: %d %v %s", code, err, body)
	}
	// The entry opens in this archive's viewer from the provider's manifest.
	if code, body = harvester.get(t, "/entries/"+found.Hits[0].ID); code != 200 || !strings.Contains(body, `data-manifest="http://`+provider.addr+`/iiif/3/manifest/`) {
		t.Fatalf("the entry of a manifest: %d %s", code, body)
	}
	if code, body = harvester.get(t, "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc"); strings.Contains(body, "<identifier>") {
		t.Fatalf("the harvester offers harvested entries as its own records: %d %s", code, body)
	}
}
