package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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
