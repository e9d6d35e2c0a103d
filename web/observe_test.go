package web

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/thaiarchives/archive/metrics"
)

// syncBuffer is a log destination several requests may write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// observed is the IIIF test archive served with metrics, its log (at
// level) written into a buffer.
func observed(t testing.TB, level slog.Level) (*iiifEnv, *prometheus.Registry, *syncBuffer) {
	t.Helper()
	e := newIIIFEnv(t)
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	logs := &syncBuffer{}
	srv, err := New(withServices(t, Config{Store: e.store, Blobs: m.Blobs(e.blobs), Hosts: testHosts, Observer: m,
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: level}))}))
	if err != nil {
		t.Fatal(err)
	}
	m.Caches(srv.CacheStats)
	e.fixture = &fixture{srv: srv}
	return e, reg, logs
}

func scrape(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	w := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	return w.Body.String()
}

func TestEveryAnswerCarriesARequestIDThatTheLogsCarryToo(t *testing.T) {
	e, _, logs := observed(t, slog.LevelDebug)
	a := e.do(t, "GET", "/iiif/3/"+e.image+"/info.json")
	b := e.do(t, "GET", "/no/such/page")
	ida, idb := a.Header().Get(RequestIDHeader), b.Header().Get(RequestIDHeader)
	if ida == "" || idb == "" || ida == idb {
		t.Fatalf("request ids %q and %q: want two different ones", ida, idb)
	}
	if !strings.Contains(logs.String(), "request="+idb) {
		t.Fatalf("the log does not name request %s:\n%s", idb, logs)
	}
	if w := e.do(t, "GET", "/healthz", RequestIDHeader, "nginx-4f2a9c"); w.Header().Get(RequestIDHeader) != "nginx-4f2a9c" {
		t.Fatalf("a proxy's request id was not kept: %q", w.Header().Get(RequestIDHeader))
	}
	if w := e.do(t, "GET", "/healthz", RequestIDHeader, "bad id\x7f"); strings.ContainsAny(w.Header().Get(RequestIDHeader), " \x7f") {
		t.Fatalf("a malformed request id was passed on: %q", w.Header().Get(RequestIDHeader))
	}
}

func TestMetricsCountRequestsByRouteStatusCacheAndStorage(t *testing.T) {
	e, reg, _ := observed(t, slog.LevelInfo)
	tile := "/iiif/3/" + e.image + "/0,0,256,256/256,/0/default.jpg"
	for range 3 {
		if w := e.do(t, "GET", tile); w.Code != 200 {
			t.Fatalf("tile: %d", w.Code)
		}
	}
	e.do(t, "GET", "/iiif/3/nosuchimage-1/info.json")
	text := scrape(t, reg)
	for _, want := range []string{
		`archive_http_requests_total{method="GET",route="/iiif/3/:id/*rest",status="200"} 3`,
		`archive_http_requests_total{method="GET",route="/iiif/3/:id/*rest",status="404"} 1`,
		`archive_http_request_duration_seconds_count{route="/iiif/3/:id/*rest"} 4`,
		`archive_storage_operations_total{op="get",result="ok"}`,
		// The same tile three times: the answers' cache had it the last two.
		`archive_cache_hits_total{cache="responses"} 2`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}

// BenchmarkTileMetrics measures a canonical tile request through the whole
// handler without metrics and with them (the request middleware's
// observer and the storage wrapper), one after the other in each
// iteration so that the machine's other load falls on both alike; the
// difference of the medians is what the metrics cost (overhead-%).
func BenchmarkTileMetrics(b *testing.B) {
	tileOverhead(b, func(e *iiifEnv, path string) int { return e.do(b, "GET", path).Code })
}

// BenchmarkTileMetricsOverHTTP is the same as a client sees it: each server
// on its own loopback port, asked over a kept-alive connection.
func BenchmarkTileMetricsOverHTTP(b *testing.B) {
	urls := map[*iiifEnv]string{}
	client := &http.Client{}
	tileOverhead(b, func(e *iiifEnv, path string) int {
		u, ok := urls[e]
		if !ok {
			ts := httptest.NewServer(e.srv)
			b.Cleanup(ts.Close)
			u, urls[e] = ts.URL, ts.URL
		}
		resp, err := client.Get(u + path)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	})
}

func tileOverhead(b *testing.B, get func(e *iiifEnv, path string) int) {
	paths := []string{"0,0,256,256/256,/0/default.jpg", "256,256,256,256/256,/0/default.jpg", "768,512,232,188/232,/0/default.jpg"}
	// Both servers answer from the same store, with the same kind of logger.
	measured, _, _ := observed(b, slog.LevelInfo)
	srv, err := New(withServices(b, Config{Store: measured.store, Blobs: measured.blobs, Hosts: testHosts,
		Log: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))}))
	if err != nil {
		b.Fatal(err)
	}
	plain := &iiifEnv{fixture: &fixture{srv: srv}, image: measured.image}
	for _, e := range []*iiifEnv{plain, measured} { // both caches hold the tiles
		for _, p := range paths {
			get(e, "/iiif/3/"+e.image+"/"+p)
		}
	}
	var without, with []time.Duration
	b.ReportAllocs()
	runtime.GC()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		for k, e := range []*iiifEnv{plain, measured} {
			if i%2 == 1 {
				e = []*iiifEnv{measured, plain}[k]
			}
			start := time.Now()
			code := get(e, "/iiif/3/"+e.image+"/"+paths[i%len(paths)])
			d := time.Since(start)
			if code != 200 {
				b.Fatal(code)
			}
			if e == plain {
				without = append(without, d)
			} else {
				with = append(with, d)
			}
		}
		i++
	}
	// Medians: the machine's other work preempts some requests of either
	// kind for milliseconds, which would swamp a mean.
	median := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2])
	}
	mw, mo := median(with), median(without)
	b.ReportMetric(mo, "median-ns/tile-without")
	b.ReportMetric(mw, "median-ns/tile-with")
	b.ReportMetric(100*(mw-mo)/mo, "overhead-%")
}
