package metrics_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/thaiarchives/archive/metrics"
)

// BenchmarkRequest is what counting one answered request costs.
func BenchmarkRequest(b *testing.B) {
	m := metrics.New(prometheus.NewRegistry())
	for b.Loop() {
		m.Request("GET", "/iiif/3/:id/*rest", 200, 130*time.Microsecond)
	}
}
