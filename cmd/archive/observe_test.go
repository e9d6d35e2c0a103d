package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/thaiarchives/archive/fixity"
	"github.com/thaiarchives/archive/storage/local"
)

func TestAdminListenerServesMetricsAndProfiles(t *testing.T) {
	reg, m := newMetrics()
	m.Request("GET", "/iiif/3/:id/*rest", 200, time.Millisecond)
	h := adminHandler(reg)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{`archive_http_requests_total{method="GET",route="/iiif/3/:id/*rest",status="200"} 1`, "go_goroutines", "process_resident_memory_bytes"} {
		if w.Code != 200 || !strings.Contains(w.Body.String(), want) {
			t.Fatalf("/metrics: %d, lacks %s", w.Code, want)
		}
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/debug/pprof/goroutine?debug=1", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "goroutine profile") {
		t.Fatalf("/debug/pprof/goroutine: %d %.200s", w.Code, w.Body)
	}
}

func TestServeResumesAnInterruptedAuditAndReportsItOnTheAdminListener(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	env := []string{"ARCHIVE_DATA=" + data}
	makeImages(t, filepath.Join(root, "src"), 2, 300, 200)
	mustRun(t, nil, env, "ingest", "--institution", "tu", filepath.Join(root, "src"))
	blobs, err := local.Open(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	flipStored(t, blobs, firstKey(t, blobs, "blobs/sha256/", ""))
	// A pass that a stop interrupted before its first item: serve goes on
	// with it at once (a new pass would wait a minute).
	st, _ := json.Marshal(fixity.State{Report: fixity.Report{Started: time.Now().Add(-time.Hour)}})
	if err := os.WriteFile(filepath.Join(data, "fixity.json"), st, 0o600); err != nil {
		t.Fatal(err)
	}
	admin := freeAddr(t)
	s := serve(t, append(env, "ARCHIVE_ADMIN_ADDR="+admin, "ARCHIVE_FIXITY_RATE=64MiB"))
	var text string
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(text, "archive_fixity_passes_total 1") {
		if time.Now().After(deadline) {
			t.Fatalf("no audit pass ended within 30 s:\n%s\n%s", text, s.logs)
		}
		time.Sleep(100 * time.Millisecond)
		resp, err := http.Get("http://" + admin + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		text = string(b)
	}
	for _, want := range []string{`archive_fixity_checks_total{outcome="damaged",role="master"} 1`, `archive_fixity_checks_total{outcome="ok",role="derivative"}`,
		"archive_fixity_damaged_blobs 1", `archive_storage_operations_total{op="get",result="ok"}`, "archive_index_lag_changes"} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// The audit's events are written by the metadata store: its storage
	// calls are counted too.
	if !regexp.MustCompile(`archive_storage_operations_total\{op="put",result="ok"\} [1-9]`).MatchString(text) {
		t.Errorf("the metadata store's writes are not counted")
	}
	if !strings.Contains(s.logs.String(), "not as registered") {
		t.Errorf("the damaged master is not in the log:\n%s", s.logs)
	}
	resp, err := http.Get("http://" + s.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("public /metrics: %d, request id %q; want 404 with an id", resp.StatusCode, resp.Header.Get("X-Request-Id"))
	}
}

func TestFixitySettingsReadRatesAndRefuseNonsense(t *testing.T) {
	for v, want := range map[string]int64{"16MiB": 16 << 20, "512KiB": 512 << 10, "1.5GiB": 3 << 29, "1000": 1000, "0": 0, " 8 MiB": 8 << 20} {
		if got, err := parseRate(v); err != nil || got != want {
			t.Errorf("parseRate(%q) = %d, %v; want %d", v, got, err, want)
		}
	}
	for _, v := range []string{"fast", "-1MiB", "16MB", "2TiB", ""} {
		if _, err := parseRate(v); err == nil {
			t.Errorf("parseRate(%q) accepted", v)
		}
	}
	cfg := &Config{}
	if err := cfg.fixitySettings(settings{}); err != nil || cfg.FixityRate != 16<<20 || cfg.FixityEvery != 720*time.Hour {
		t.Fatalf("defaults: %d %v %v", cfg.FixityRate, cfg.FixityEvery, err)
	}
	if err := cfg.fixitySettings(settings{"ARCHIVE_FIXITY_EVERY": "30s"}); err == nil || !strings.Contains(err.Error(), "720h") {
		t.Fatalf("an audit every 30 s: %v", err)
	}
}

// An admin listener open beyond this machine is allowed (a scraper on
// another host needs one) but said aloud; on loopback it is not.
func TestAdminListenerBeyondLoopbackIsWarnedOf(t *testing.T) {
	for addr, warned := range map[string]bool{"127.0.0.1:0": false, "0.0.0.0:0": true} {
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		l := newLoops(context.Background(), log)
		if err := serveAdmin(l, addr, prometheus.NewRegistry(), log); err != nil {
			t.Fatal(err)
		}
		l.stop()
		if got := strings.Contains(logs.String(), "level=WARN") && strings.Contains(logs.String(), "firewall"); got != warned {
			t.Errorf("%s: warned %v, want %v:\n%s", addr, got, warned, &logs)
		}
	}
}
