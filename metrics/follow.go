package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/repository"
)

// Caches reports the image service's caches at every scrape: hits, misses,
// bytes held and bytes allowed, by cache (indexes, tiles, renders,
// responses). The hit rate is hits / (hits + misses).
func (m *Metrics) Caches(stats func() map[string]imageapi.CacheStats) {
	m.reg.MustRegister(&cacheCollector{stats: stats})
}

var (
	descHits   = prometheus.NewDesc("archive_cache_hits_total", "Lookups a cache answered, by cache.", []string{"cache"}, nil)
	descMisses = prometheus.NewDesc("archive_cache_misses_total", "Lookups a cache could not answer, by cache.", []string{"cache"}, nil)
	descUsed   = prometheus.NewDesc("archive_cache_bytes", "Memory a cache holds, by cache.", []string{"cache"}, nil)
	descMax    = prometheus.NewDesc("archive_cache_max_bytes", "Memory a cache may hold, by cache.", []string{"cache"}, nil)
)

type cacheCollector struct {
	stats func() map[string]imageapi.CacheStats
}

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descHits
	ch <- descMisses
	ch <- descUsed
	ch <- descMax
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	for name, s := range c.stats() {
		ch <- prometheus.MustNewConstMetric(descHits, prometheus.CounterValue, float64(s.Hits), name)
		ch <- prometheus.MustNewConstMetric(descMisses, prometheus.CounterValue, float64(s.Misses), name)
		ch <- prometheus.MustNewConstMetric(descUsed, prometheus.GaugeValue, float64(s.Used), name)
		ch <- prometheus.MustNewConstMetric(descMax, prometheus.GaugeValue, float64(s.Max), name)
	}
}

// Feed is the part of the repository the metrics follow.
type Feed interface {
	FeedEpoch() (epoch string, last uint64, err error)
	Feed(after uint64, limit int) ([]repository.FeedEntry, error)
	FeedWait(ctx context.Context, after uint64) error
}

// Follow counts the changes the repository announces from now on, until
// ctx ends.
func (m *Metrics) Follow(ctx context.Context, feed Feed) {
	epoch, seq, err := feed.FeedEpoch()
	for ctx.Err() == nil {
		if err == nil {
			err = feed.FeedWait(ctx, seq)
		}
		var entries []repository.FeedEntry
		if err == nil {
			var now string
			if now, _, err = feed.FeedEpoch(); err == nil && now != epoch {
				epoch, seq = now, 0 // a rebuilt store: its feed starts again
			}
		}
		if err == nil {
			entries, err = feed.Feed(seq, 1000)
		}
		for _, e := range entries {
			m.changes.WithLabelValues(e.Kind, e.Op).Inc()
			seq = e.Seq
		}
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
			}
			err = nil
		}
	}
}

// Lag reports, at every scrape, how many changes the search index has yet
// to apply (archive_index_lag_changes).
func (m *Metrics) Lag(name, help string, lag func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, lag))
}

// FixityChecked counts one blob the audit re-read: role is master or
// derivative, outcome ok, damaged, missing, unrecorded or error.
func (m *Metrics) FixityChecked(role, outcome string, bytes int64) {
	m.fixityChecks.WithLabelValues(role, outcome).Inc()
	m.fixityBytes.Add(float64(bytes))
}

// FixityPass reports how many blobs the current pass has found damaged or
// missing, and whether the pass is complete.
func (m *Metrics) FixityPass(damaged int, complete bool) {
	m.fixityDamaged.Set(float64(damaged))
	if complete {
		m.fixityPasses.Inc()
		m.fixityLast.SetToCurrentTime()
	}
}
