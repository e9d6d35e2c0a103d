// Package metrics counts what the service does, for Prometheus: requests
// by route and status and their latency, the image service's caches,
// storage calls by operation, the changes the repository announces (ingest
// throughput), how far the search index lags behind them, and fixity
// audits. Every collector is registered on a registry the caller passes in;
// nothing is global.
package metrics

import (
	"maps"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics holds the collectors. Its methods are safe for concurrent use.
type Metrics struct {
	reg prometheus.Registerer

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// series keeps each route's counter and histogram once looked up, so
	// counting a request hashes no label values; the map is replaced, never
	// changed, so reading it takes no lock.
	seriesMu sync.Mutex
	series   atomic.Pointer[map[seriesKey]*series]

	storageCalls   *prometheus.CounterVec
	storageLatency *prometheus.HistogramVec
	storageBytes   *prometheus.CounterVec

	changes *prometheus.CounterVec

	fixityChecks  *prometheus.CounterVec
	fixityBytes   prometheus.Counter
	fixityDamaged prometheus.Gauge
	fixityPasses  prometheus.Counter
	fixityLast    prometheus.Gauge
}

// latencyBuckets span a cached tile (a fraction of a millisecond) to a
// large render or a slow upload (tens of seconds).
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// New makes the collectors and registers them on reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "archive_http_requests_total", Help: "HTTP requests answered, by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "archive_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route.", Buckets: latencyBuckets,
		}, []string{"route"}),
		storageCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "archive_storage_operations_total", Help: "Blob storage calls, by operation and result (ok, not_found, invalid, checksum, unavailable, canceled).",
		}, []string{"op", "result"}),
		storageLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "archive_storage_operation_duration_seconds", Help: "Time a blob storage call took to answer (for get: to the first byte), by operation.", Buckets: latencyBuckets,
		}, []string{"op"}),
		storageBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "archive_storage_bytes_total", Help: "Bytes read from (get) and written to (put) blob storage.",
		}, []string{"op"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "archive_changes_total", Help: "Changes announced by the repository's change feed, by kind (item, collection, institution, user, token) and operation (create, update, withdraw); the rate of item creations is ingest throughput.",
		}, []string{"kind", "op"}),
		fixityChecks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "archive_fixity_checks_total", Help: "Blobs re-read by the fixity audit, by role (master or derivative) and outcome (ok, damaged, missing, unrecorded, error).",
		}, []string{"role", "outcome"}),
		fixityBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "archive_fixity_bytes_total", Help: "Bytes the fixity audit has re-read.",
		}),
		fixityDamaged: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "archive_fixity_damaged_blobs", Help: "Blobs the fixity audits found damaged, missing or unreadable and no repair has mended: from the saved state at start, then as the current pass finds them.",
		}),
		fixityPasses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "archive_fixity_passes_total", Help: "Fixity audit passes completed over the whole archive.",
		}),
		fixityLast: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "archive_fixity_last_pass_end_timestamp_seconds", Help: "When the last complete fixity audit pass ended (Unix time; 0: none yet since start).",
		}),
	}
	reg.MustRegister(m.requests, m.latency, m.storageCalls, m.storageLatency, m.storageBytes, m.changes,
		m.fixityChecks, m.fixityBytes, m.fixityDamaged, m.fixityPasses, m.fixityLast)
	return m
}

type seriesKey struct {
	method, route string
	status        int
}

type series struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

// Request counts an answered request: route is the route's pattern
// (/iiif/3/:id/*rest), never the path, so the number of series stays
// bounded.
func (m *Metrics) Request(method, route string, status int, elapsed time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	k := seriesKey{method, route, status}
	var s *series
	if all := m.series.Load(); all != nil {
		s = (*all)[k]
	}
	if s == nil {
		s = m.addSeries(k)
	}
	s.count.Inc()
	s.latency.Observe(elapsed.Seconds())
}

// addSeries looks up a route's series and keeps it in a new map.
func (m *Metrics) addSeries(k seriesKey) *series {
	m.seriesMu.Lock()
	defer m.seriesMu.Unlock()
	next := map[seriesKey]*series{}
	if all := m.series.Load(); all != nil {
		if s := (*all)[k]; s != nil {
			return s
		}
		maps.Copy(next, *all)
	}
	code := "other"
	if k.status >= 100 && k.status < 600 {
		code = strconv.Itoa(k.status)
	}
	s := &series{count: m.requests.WithLabelValues(k.method, k.route, code), latency: m.latency.WithLabelValues(k.route)}
	next[k] = s
	m.series.Store(&next)
	return s
}
