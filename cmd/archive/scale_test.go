package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/storage/s3/miniotest"
)

// call makes one request to a node and returns the status, body and headers.
func call(t *testing.T, method, u, token, contentType string, body []byte) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, u, err)
	}
	return resp.StatusCode, string(b), resp.Header
}

// eventually polls check until it holds, or fails the test after the deadline.
func eventually(t *testing.T, within time.Duration, what string, check func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, last := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v (last: %s)", what, within, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ingestInto hands a folder of images to a serving writer and returns the
// new items, failing on any outcome but ingested.
func ingestInto(t *testing.T, env []string, src string) []string {
	t.Helper()
	out, errOut, code := archive(t, env, "ingest", "--institution", "cmu", "--json", src)
	if code != 0 {
		t.Fatalf("ingest: exit %d\n%s", code, errOut)
	}
	var items []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var o ingest.Outcome
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatalf("ingest output %q: %v", sc.Text(), err)
		}
		if o.Status != ingest.Ingested {
			t.Fatalf("ingest of %s: %s %s", o.File, o.Status, o.Error)
		}
		items = append(items, o.Item)
	}
	return items
}

// readPaths are what a reader asks of an item: its manifest, its image
// service's description, a tile and a rendered view.
func readPaths(item string) []string {
	return []string{"/iiif/3/manifest/" + item, "/iiif/3/" + item + "-1/info.json",
		"/iiif/3/" + item + "-1/0,0,256,256/256,/0/default.jpg", "/iiif/3/" + item + "-1/full/200,/0/default.jpg"}
}

func newToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// A writer and two replicas on one MinIO, with no connection between the
// nodes: an ingest, an edit and a withdrawal on the writer show on both
// replicas within seconds, in pages, IIIF, search and OAI-PMH; a replica
// refuses changes with a clear answer; and a third replica started from
// nothing afterwards holds everything at once.
func TestReplicasFollowTheWriterThroughSharedStorage(t *testing.T) {
	minio := miniotest.Start(t)
	root := t.TempDir()
	token := newToken()
	node := func(name string) []string {
		return append(minio.Env("shared"), "ARCHIVE_DATA="+filepath.Join(root, name))
	}
	w := serve(t, append(node("writer"), "ARCHIVE_TOKEN="+token))
	admin := freeAddr(t)
	replicas := []*server{serve(t, append(node("replica1"), "ARCHIVE_ADMIN_ADDR="+admin), "--replica"), serve(t, node("replica2"), "--replica")}
	// How stale a replica may be is a metric: seconds, small while it follows.
	_, metrics, _ := call(t, "GET", "http://"+admin+"/metrics", "", "", nil)
	var stale float64
	if _, err := fmt.Sscanf(metrics[strings.Index(metrics, "\narchive_replica_staleness_seconds ")+1:], "archive_replica_staleness_seconds %g", &stale); err != nil || stale < 0 || stale > 60 {
		t.Fatalf("replica staleness %g (%v) in:\n%.2000s", stale, err, metrics)
	}

	src := filepath.Join(root, "src")
	makeImages(t, src, 2, 600, 400)
	items := ingestInto(t, append(node("writer"), "ARCHIVE_ADDR="+w.addr, "ARCHIVE_TOKEN="+token), src)
	if len(items) != 2 {
		t.Fatalf("ingested %v", items)
	}
	want := map[string]string{}
	for _, it := range items {
		for _, p := range readPaths(it) {
			code, body, _ := call(t, "GET", "http://"+w.addr+p, "", "", nil)
			if code != 200 {
				t.Fatalf("writer %s: %d", p, code)
			}
			want[p] = body
		}
	}
	same := func(r *server, p string) func() (bool, string) {
		return func() (bool, string) {
			code, body, _ := call(t, "GET", "http://"+r.addr+p, "", "", nil)
			// Documents name the node that answers them.
			return code == 200 && body == strings.ReplaceAll(want[p], w.addr, r.addr), fmt.Sprintf("%d, %d bytes", code, len(body))
		}
	}
	for i, r := range replicas {
		for p := range want {
			eventually(t, 10*time.Second, fmt.Sprintf("replica %d: the ingest's %s", i+1, p), same(r, p))
		}
	}

	// An edit: the new title in the item's JSON and in search, on both.
	it := items[0]
	_, body, _ := call(t, "GET", "http://"+w.addr+"/api/v1/items/"+it, token, "", nil)
	var rec struct{ Version int }
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		t.Fatalf("item JSON: %v\n%s", err, body)
	}
	edit, _ := json.Marshal(map[string]any{"version": rec.Version, "title": map[string]string{"en": "Quartermaster ledger", "th": "บัญชีเสบียง"}})
	if code, body, _ := call(t, "POST", "http://"+w.addr+"/api/v1/items/"+it, token, "application/json", edit); code != 200 {
		t.Fatalf("edit on the writer: %d %s", code, body)
	}
	for i, r := range replicas {
		eventually(t, 10*time.Second, fmt.Sprintf("replica %d: the edit", i+1), func() (bool, string) {
			_, body, _ := call(t, "GET", "http://"+r.addr+"/api/v1/items/"+it, "", "", nil)
			return strings.Contains(body, "Quartermaster ledger"), body
		})
		eventually(t, 10*time.Second, fmt.Sprintf("replica %d: the edit in search", i+1), func() (bool, string) {
			_, body, _ := call(t, "GET", "http://"+r.addr+"/api/v1/search?q=quartermaster", "", "", nil)
			return strings.Contains(body, it), body
		})
	}

	// A withdrawal: gone (410) from IIIF, a deleted record for harvesters.
	form := []byte(url.Values{"reason": {"a duplicate of another scan"}}.Encode())
	if code, body, _ := call(t, "POST", "http://"+w.addr+"/api/v1/items/"+it+"/withdraw", token, "application/x-www-form-urlencoded", form); code != 200 {
		t.Fatalf("withdrawal on the writer: %d %s", code, body)
	}
	for i, r := range replicas {
		eventually(t, 10*time.Second, fmt.Sprintf("replica %d: the withdrawal", i+1), func() (bool, string) {
			code, _, _ := call(t, "GET", "http://"+r.addr+"/iiif/3/manifest/"+it, "", "", nil)
			return code == http.StatusGone, fmt.Sprint(code)
		})
		eventually(t, 10*time.Second, fmt.Sprintf("replica %d: the withdrawal in OAI-PMH", i+1), func() (bool, string) {
			_, body, _ := call(t, "GET", "http://"+r.addr+"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:archive:"+it, "", "", nil)
			return strings.Contains(body, `status="deleted"`), body
		})
	}

	// Changes asked of a replica are refused, saying where to make them.
	code, body, h := call(t, "POST", "http://"+replicas[0].addr+"/api/v1/items/"+items[1], token, "application/json", edit)
	if code != http.StatusMethodNotAllowed || !strings.Contains(body, "read-only copy") || !strings.Contains(h.Get("Allow"), "GET") {
		t.Fatalf("an edit asked of a replica: %d %q, Allow %q", code, body, h.Get("Allow"))
	}
	if code, body, _ := call(t, "GET", "http://"+replicas[0].addr+"/api/v1/items/"+items[1], "", "", nil); code != 200 || strings.Contains(body, "Quartermaster") {
		t.Fatalf("the refused edit changed something: %d %s", code, body)
	}

	// A replica from nothing, started after all this, holds it before it answers.
	late := serve(t, node("replica3"), "--replica")
	for _, p := range readPaths(items[1]) {
		if ok, last := same(late, p)(); !ok {
			t.Fatalf("late replica: %s: %s", p, last)
		}
	}
	if code, _, _ := call(t, "GET", "http://"+late.addr+"/iiif/3/manifest/"+it, "", "", nil); code != http.StatusGone {
		t.Fatalf("late replica: the withdrawn item answers %d", code)
	}
	for _, r := range append(replicas, late) {
		if strings.Contains(r.logs.String(), "level=ERROR") {
			t.Errorf("a replica logged an error:\n%s", r.logs)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "replica1", "uploads")); err == nil {
		t.Error("a replica made an upload folder")
	}
}

// The archive on a four-node distributed, erasure-coded MinIO loses the node
// it talks to first: ingest, tiles and manifests go on with no error, what
// was there before is still whole, and when the node comes back and another
// dies, what was written meanwhile is there too.
func TestServingGoesOnWhenAMinIONodeDies(t *testing.T) {
	cluster := miniotest.StartCluster(t, 4)
	root := t.TempDir()
	token := newToken()
	env := append(cluster.Env("dist"), "ARCHIVE_DATA="+filepath.Join(root, "data"), "ARCHIVE_TOKEN="+token)
	s := serve(t, env)
	ingestEnv := append(env, "ARCHIVE_ADDR="+s.addr)
	makeImages(t, filepath.Join(root, "a"), 3, 700, 500)
	items := ingestInto(t, ingestEnv, filepath.Join(root, "a"))
	want := map[string]string{}
	read := func(when string, record bool) {
		t.Helper()
		for _, it := range items {
			for _, p := range readPaths(it) {
				code, body, _ := call(t, "GET", "http://"+s.addr+p, "", "", nil)
				if code != 200 {
					t.Fatalf("%s: %s answered %d: %s", when, p, code, body)
				}
				if w, ok := want[p]; ok && w != body {
					t.Fatalf("%s: %s differs from before", when, p)
				}
				if record {
					want[p] = body
				}
			}
		}
	}
	read("all nodes up", true)
	cluster.Nodes[0].Stop()
	read("node 1 down", false)
	// The pyramid of each new image is sent while the node is away.
	makeImages(t, filepath.Join(root, "b"), 3, 500, 700)
	items = append(items, ingestInto(t, ingestEnv, filepath.Join(root, "b"))...)
	read("node 1 down, after an ingest", true)
	cluster.Nodes[0].Restart(t)
	cluster.WaitSafeToStop(t, 1)
	cluster.Nodes[1].Stop()
	read("node 1 back, node 2 down", false)
	cluster.Nodes[1].Restart(t)
	if strings.Contains(s.logs.String(), "level=ERROR") {
		t.Fatalf("the service logged an error:\n%s", s.logs)
	}
}
