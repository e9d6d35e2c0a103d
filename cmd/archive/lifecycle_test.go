package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// ourGoroutines are the stacks of the goroutines running code of this
// module, other than the tests' own.
func ourGoroutines() []string {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "github.com/thaiarchives/archive/") && !strings.Contains(g, "testing.tRunner") && !strings.Contains(g, "testing.(*M)") && !strings.Contains(g, "_test.go") {
			out = append(out, g)
		}
	}
	return out
}

// TestServeUnderLoadStopsEveryLoopBeforeTheStoreCloses starts the service
// in this process, with its demo collections, asks it for pages, IIIF
// documents, searches and harvests from eight clients at once while it
// ingests a batch of large scans, and stops it in the middle: when serve returns, no goroutine of the archive runs any
// more (every loop was waited for before the index and the store closed),
// nothing was refused for a closed store, and the process is soon back to
// the goroutines it had before.
func TestServeUnderLoadStopsEveryLoopBeforeTheStoreCloses(t *testing.T) {
	before := runtime.NumGoroutine()
	data := filepath.Join(t.TempDir(), "data")
	addr := freeAddr(t)
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- runServe(ctx, []string{"--data", data, "--addr", addr, "--demo"}, io.Discard, logs) }()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	base := "http://" + addr
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if starting, err := isStarting(base); err == nil && !starting {
			break
		}
		select {
		case err := <-served:
			t.Fatalf("serve returned before answering: %v\n%s", err, logs)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer within two minutes\n%s", logs)
		}
	}
	// The demo items' manifests: opening one starts a read of its text.
	resp, err := client.Get(base + "/api/v1/search?q=*")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	paths := []string{"/", "/api/v1/institutions", "/search?q=letter", "/oai?verb=ListRecords&metadataPrefix=oai_dc", "/iiif/discovery/collection", "/readyz"}
	for _, id := range regexp.MustCompile(`"id":\s*"([^"/]+)"`).FindAllStringSubmatch(string(body), 6) {
		paths = append(paths, "/iiif/3/"+id[1]+"/manifest", "/api/v1/items/"+id[1], "/items/"+id[1])
	}
	var answered atomic.Int64
	stop := make(chan struct{})
	var load sync.WaitGroup
	for i := range 8 {
		load.Go(func() {
			for n := i; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(base + paths[n%len(paths)])
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				answered.Add(1)
			}
		})
	}
	// Meanwhile a batch of large scans is handed to the service, which is
	// stopped while it ingests them.
	dir := t.TempDir()
	makeImages(t, filepath.Join(dir, "scans"), 4, 4000, 3000)
	sheet := "files,title.en,title.th\nscans/scan000.jpg;scans/scan001.jpg;scans/scan002.jpg;scans/scan003.jpg,Letters,จดหมาย\n"
	os.WriteFile(filepath.Join(dir, "metadata.csv"), []byte(sheet), 0o644)
	ing := exec.Command(binary, "ingest", "--institution", "tu", filepath.Join(dir, "metadata.csv"))
	ing.Env = append(cleanEnv(), "ARCHIVE_DATA="+data)
	if err := ing.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ing.Process.Kill(); ing.Wait() })
	ingesting := func() bool {
		batches, _ := filepath.Glob(filepath.Join(data, "uploads", "batches", "*.json"))
		for _, b := range batches {
			if j, err := os.ReadFile(b); err == nil && strings.Contains(string(j), `"ingesting"`) {
				return true
			}
		}
		return false
	}
	for (answered.Load() < 200 || !ingesting()) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling the load's progress, not waiting for an event
	}
	if !ingesting() {
		t.Fatalf("the scans were not being ingested within two minutes\n%s", logs)
	}
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("serve returned %v\n%s", err, logs)
		}
	case <-time.After(time.Minute):
		t.Fatalf("serve did not return within a minute of its context ending\n%s", logs)
	}
	// At this moment: serve has closed the index and the store.
	left := ourGoroutines()
	close(stop)
	load.Wait()
	if len(left) > 0 {
		t.Fatalf("%d goroutines of the archive still ran when serve returned:\n\n%s", len(left), strings.Join(left, "\n\n"))
	}
	t.Logf("%d answers under load before the stop", answered.Load())
	for _, bad := range []string{"database not open", "closed", "level=ERROR"} {
		if i := strings.Index(logs.String(), "shutting down"); i >= 0 && strings.Contains(logs.String()[i:], bad) {
			t.Errorf("after the stop, the log says %q:\n%s", bad, logs.String()[i:])
		}
	}
	client.CloseIdleConnections()
	var now int
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if now = runtime.NumGoroutine(); now <= before {
			return
		}
	}
	buf := make([]byte, 1<<22)
	t.Fatalf("%d goroutines run, %d before serve started:\n%s", now, before, buf[:runtime.Stack(buf, true)])
}
