package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeItemRecords puts n item records into a local data folder's
// storage, as the store writes them, with no metadata store beside them:
// an archive whose database file was lost.
func writeItemRecords(t *testing.T, data string, n int) {
	t.Helper()
	now := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		id := fmt.Sprintf("it%07d", i)
		dir := filepath.Join(data, "blobs", "records", "items", id)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		rec := map[string]any{"schema": 5, "kind": "item", "item": map[string]any{"id": id, "institution": "cmu", "version": 1,
			"title": map[string]string{"th": "เอกสาร " + id, "en": "Document " + id}, "access": map[string]any{},
			"created": now, "modified": now.Add(time.Duration(i) * time.Second)}}
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "v000001.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A service started on an archive that lost its metadata store answers at
// once: /healthz is alive, /readyz is 503 and says it is rebuilding and how
// far it has come, other requests are 503 with Retry-After; then it is
// ready and serves what it rebuilt.
func TestServeSaysItIsRebuildingALostStoreThenIsReady(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	const n = 20000
	writeItemRecords(t, data, n)
	s := &server{addr: freeAddr(t), logs: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(binary, "serve", "--addr", s.addr)
	s.cmd.Env = append(cleanEnv(), "ARCHIVE_DATA="+data)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.cmd.Process.Kill(); <-s.done })
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(path string) (*http.Response, string, error) {
		resp, err := client.Get("http://" + s.addr + path)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, string(b), err
	}
	var rebuilding, alive, refused bool
	var progress []int
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case <-s.done:
			t.Fatalf("serve exited: %v\n%s", s.err, s.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within two minutes (rebuilding seen: %v)\n%s", rebuilding, s.logs)
		}
		resp, body, err := get("/readyz")
		if err != nil {
			continue // not listening yet
		}
		if resp.StatusCode == 200 {
			break
		}
		var ready struct {
			Metadata, Stage string
			Done, Total     int
		}
		if err := json.Unmarshal([]byte(body), &ready); err != nil || resp.StatusCode != 503 {
			t.Fatalf("readyz while starting: %d %q", resp.StatusCode, body)
		}
		if ready.Metadata == "rebuilding" {
			if ready.Stage == "records" && (ready.Total < n || ready.Done > ready.Total) {
				t.Fatalf("readyz: %d of %d records", ready.Done, ready.Total)
			}
			if ready.Stage == "records" {
				progress = append(progress, ready.Done)
			}
			if !rebuilding {
				rebuilding = true
				if resp, body, err := get("/healthz"); err != nil || resp.StatusCode != 200 {
					t.Fatalf("healthz while rebuilding: %v %q", err, body)
				}
				alive = true
				resp, body, err := get("/api/v1/institutions")
				if err != nil || resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "rebuilding") {
					t.Fatalf("a request while rebuilding: %v %v %q", err, resp, body)
				}
				refused = true
			}
		}
	}
	if !rebuilding || !alive || !refused {
		t.Fatalf("never seen rebuilding (%v), alive (%v) and refusing (%v) before ready\n%s", rebuilding, alive, refused, s.logs)
	}
	for i := 1; i < len(progress); i++ {
		if progress[i] < progress[i-1] {
			t.Fatalf("the rebuild went back: %v", progress)
		}
	}
	if !strings.Contains(s.logs.String(), fmt.Sprintf("of %d records read and registered (100%%)", n)) {
		t.Fatalf("the log does not say the records were all read:\n%s", s.logs)
	}
	resp, body, err := get("/api/v1/institutions")
	if err != nil || resp.StatusCode != 200 || !strings.Contains(body, "มหาวิทยาลัยเชียงใหม่") {
		t.Fatalf("institutions once ready: %v %v %q", err, resp, body)
	}
}

// archive rebuild says on the command line how far it has come, stage by
// stage, up to every record, and so does archive reindex, item by item.
func TestRebuildAndReindexSayHowFarTheyHaveCome(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	writeItemRecords(t, data, 3000)
	out, errOut, code := archive(t, []string{"ARCHIVE_DATA=" + data}, "rebuild")
	if code != 0 || !strings.Contains(out, "3000 items") {
		t.Fatalf("rebuild: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"rebuild: listing the records in storage\n", "rebuild: 0 of 3000 records read and registered (0%)\n", "rebuild: 3000 of 3000 records read and registered (100%)\n", "rebuild: 0 activity entries indexed\n"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("rebuild does not say %q:\n%s", want, errOut)
		}
	}
	out, errOut, code = archive(t, []string{"ARCHIVE_DATA=" + data}, "reindex")
	if code != 0 || !strings.Contains(out, "indexed 3000 items") || !strings.Contains(errOut, "reindex: 0 of 3000 items indexed (0%)\n") || !strings.Contains(errOut, "reindex: 3000 of 3000 items indexed (100%)\n") {
		t.Fatalf("reindex: exit %d\n%s\n%s", code, out, errOut)
	}
}
