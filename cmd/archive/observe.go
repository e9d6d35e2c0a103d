package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/thaiarchives/archive/metrics"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/search"
	"github.com/thaiarchives/archive/web"
)

// newMetrics makes the service's registry, with the Go runtime's and the
// process's own collectors beside the archive's.
func newMetrics() (*prometheus.Registry, *metrics.Metrics) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg, metrics.New(reg)
}

// adminHandler answers /metrics (Prometheus) and /debug/pprof/ (Go's
// profiles): for the people who run the service, on a listener of their
// own that the public never reaches.
func adminHandler(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "archive administration: /metrics, /debug/pprof/")
	})
	return mux
}

// serveAdmin listens on addr for the admin handler until ctx ends. It
// returns once listening, or the reason it cannot.
func serveAdmin(l *loops, addr string, reg *prometheus.Registry, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s for metrics and profiles: %v", addr, unwrapNet(err))
	}
	// No write deadline: a CPU profile or a trace takes as long as asked.
	srv := &http.Server{Handler: adminHandler(reg), ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
	l.run("the admin listener stopped", func(context.Context) error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	l.run("the admin listener", func(ctx context.Context) error {
		<-ctx.Done()
		return srv.Close()
	})
	log.Info("metrics and profiles", "url", "http://"+ln.Addr().String()+"/metrics")
	if a, ok := ln.Addr().(*net.TCPAddr); ok && !a.IP.IsLoopback() {
		log.Warn("the admin listener answers anyone who can reach "+ln.Addr().String()+
			" (profiles and metrics show what the service is doing): keep it to a private network or behind a firewall, or give --admin-addr 127.0.0.1:PORT", "addr", ln.Addr().String())
	}
	return nil
}

// observe starts what the metrics follow in the background (the change
// feed, the caches, the search index's lag) and the admin listener when
// one is asked for.
func observe(l *loops, cfg *Config, reg *prometheus.Registry, obs *metrics.Metrics, handler *web.Server, index *search.Index, store *bolt.Store, log *slog.Logger) error {
	obs.Caches(handler.CacheStats)
	obs.Lag("archive_index_lag_changes", "Changes announced by the repository that the search index has yet to apply.", func() float64 {
		n, err := index.Lag()
		if err != nil {
			return -1
		}
		return float64(n)
	})
	l.run("metrics", func(ctx context.Context) error { obs.Follow(ctx, store); return nil })
	if cfg.AdminAddr == "" {
		return nil
	}
	return serveAdmin(l, cfg.AdminAddr, reg, log)
}
