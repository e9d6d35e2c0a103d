package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/harvest"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/ingest/batch"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/search"
	"github.com/thaiarchives/archive/web"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var c common
	c.register(fs)
	addr := fs.String("addr", "", "listen `address` host:port (env ARCHIVE_ADDR, default 127.0.0.1:8080)")
	verbose := fs.Bool("v", false, "log every request")
	adminAddr := fs.String("admin-addr", "", "serve /metrics and /debug/pprof/ on this `address` host:port (env ARCHIVE_ADMIN_ADDR; off unless set)")
	demo := fs.Bool("demo", false, "on an empty archive, first ingest a small demo collection for each library")
	replica := fs.Bool("replica", false, "run as a read-only replica: follow the writer through the shared storage, answer reads, refuse changes")
	if _, err := parse(fs, args, stderr, "[flags]", "Runs the web service (IIIF Image and Presentation APIs, pages, JSON API) until SIGINT or SIGTERM."); err != nil {
		return err
	}
	cfg, err := c.resolve()
	if err != nil {
		return err
	}
	if *addr != "" {
		cfg.Addr = *addr
	}
	if *adminAddr != "" {
		cfg.AdminAddr = *adminAddr
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	limitMemory(cfg.CacheBytes)
	if *replica {
		return serveReplica(ctx, cfg, log)
	}
	// Every storage call is counted, the metadata store's own among them.
	reg, obs := newMetrics()
	cfg.wrapBlobs = obs.Blobs
	blobs, err := cfg.openBlobs(ctx)
	if err != nil {
		return err
	}
	if err := cfg.openData(); err != nil {
		return err
	}
	// The address answers at once: alive, and not ready (with how far a
	// rebuild of a lost metadata store has come) until the service is.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %v", cfg.Addr, unwrapNet(err))
	}
	gate := &web.Starting{}
	serveCtx, stopServing := context.WithCancel(ctx)
	served := make(chan struct{})
	var serveErr error
	go func() { serveErr = listen(serveCtx, ln, gate, nil); close(served) }()
	stop := func() error { stopServing(); <-served; return serveErr }
	// On a return before the service is ready, the starting answers end
	// last: they use nothing the other deferred calls close.
	defer stop()
	logProgress := progressLines(logWriter{log}, progressEvery)
	store, err := bolt.OpenWith(ctx, cfg.dbPath(), blobs, bolt.Options{Progress: func(p bolt.Progress) {
		gate.Rebuilding(p.Stage, p.Done, p.Total)
		logProgress(p)
	}})
	if err != nil {
		return err
	}
	defer store.Close()
	store.ARKs = cfg.ARKs
	if err := bootstrapAdmin(ctx, cfg, store, log); err != nil {
		return err
	}
	pipeline := ingest.New(ingest.Config{Store: store, Blobs: blobs, Agent: "web upload", FileTimeout: cfg.FileTimeout, Log: log})
	if *demo {
		n, err := ingest.Demo(ctx, pipeline)
		if err != nil {
			return fmt.Errorf("making the demo collections: %v", err)
		}
		if n > 0 {
			log.Info("demo collections ingested", "items", n)
		}
	}
	if err := cfg.openData(); err != nil {
		return err
	}
	index, err := search.Open(cfg.indexPath(), store, search.Options{Dictionaries: cfg.ThaiDictionaries, Log: log, Texts: blobs})
	if err != nil {
		return err
	}
	defer index.Close()
	// Every loop ends, and is waited for, before the index and the store close.
	l := newLoops(ctx, log)
	defer l.stop()
	ctx = l.ctx
	l.run("search index", func(ctx context.Context) error { index.Follow(ctx, store); return nil })
	if !store.ARKsMinted() { // records made before ARKs were minted get theirs, once
		l.run("ARK migration", func(ctx context.Context) error {
			n, err := store.MintARKs(ctx, "archive serve (ARK migration)", nil)
			log.Info("ARKs given to records made before", "records", n)
			return err
		})
	}
	// Recordings get their copies for browsers in the background; a stop
	// kills ffmpeg, and the next start makes what is missing.
	transcoder := ingest.NewTranscoder(ingest.TranscodeConfig{Store: store, Blobs: blobs, Workers: cfg.TranscodeWorkers,
		Log: log, TempDir: filepath.Join(cfg.Data, "transcode")})
	// What a stop left there is of no use: masters are fetched again.
	os.RemoveAll(filepath.Join(cfg.Data, "transcode"))
	if err := os.MkdirAll(filepath.Join(cfg.Data, "transcode"), 0o700); err != nil {
		return err
	}
	l.run("recordings get no copies for browsers", func(ctx context.Context) error {
		if err := transcoder.Run(ctx); err != nil {
			return errors.New(ingest.MessageOf(err).String())
		}
		return nil
	})
	reader, err := startOCR(l, cfg, store, blobs, log)
	if err != nil {
		return err
	}
	audits, err := startAudits(l, cfg, store, blobs, obs, log)
	if err != nil {
		return err
	}
	// The data folder's token also signs the sign-in form's device cookies.
	token, err := cfg.token()
	if err != nil {
		return err
	}
	if err := checkRooms(store, cfg.Rooms); err != nil {
		return err
	}
	svc, err := newServices(l, cfg, store, blobs)
	if err != nil {
		return err
	}
	// Upload batches: what a stop interrupted is picked up here and
	// ingested under the loops, which a stop waits for.
	batches, err := batch.New(batch.Config{Store: store, Pipeline: pipeline, Dir: filepath.Join(cfg.Data, "uploads"),
		Expiry: cfg.UploadExpiry, Workers: runtime.NumCPU(), Log: log})
	if err != nil {
		return err
	}
	l.run("upload batches", batches.Run)
	signIn, err := newSignIn(cfg, store)
	if err != nil {
		return err
	}
	harvester := harvest.New(store, nil) // the desk's and the loop's: one run of a source at a time
	handler, err := web.New(web.Config{SignIn: signIn, DeviceKey: []byte(token), Store: store, Blobs: blobs, Log: log,
		Images: svc.images, Presentation: svc.pres, Within: svc.within, OAI: svc.oai, Harvest: harvester, Sitemap: svc.sitemap, Items: svc.items, Accounts: svc.accounts, Requests: svc.requests, Groups: svc.groups, Identifiers: svc.ids, Annotations: svc.annotations, Cite: svc.cite, FullText: svc.fullText, Points: &desk.Points{Store: store}, Units: &desk.Units{Store: store, Ingest: pipeline}, Containers: &desk.Containers{Store: store}, Ingest: pipeline, UploadDir: filepath.Join(cfg.Data, "uploads"), Batches: batches, UploadMax: cfg.UploadMax,
		BaseURL: cfg.BaseURL, Hosts: cfg.Hosts, TrustedProxies: cfg.TrustedProxies, Rooms: cfg.Rooms, FrameAncestors: cfg.FrameAncestors, PartnerOrigins: cfg.PartnerOrigins,
		ReducedEdge: cfg.ReducedEdge, PublicMaxAge: cfg.PublicMaxAge, Search: index, Transcoder: transcoder, Observer: obs, Fixity: audits, OCR: reader})
	if err != nil {
		return err
	}
	if err := observe(l, cfg, reg, obs, handler, index, store, log); err != nil {
		return err
	}
	// Commands run on this data folder find the service by this record
	// and check with the id that it is this archive (see service.go).
	id, err := archiveID(cfg.Data)
	if err != nil {
		return err
	}
	unrecord, err := recordService(cfg.Data, ln.Addr(), id)
	if err != nil {
		return err
	}
	defer unrecord()
	l.run("housekeeping", func(ctx context.Context) error { housekeeping(ctx, store, log); return nil })
	l.run("harvest", func(ctx context.Context) error { return harvester.Loop(ctx, harvestPoll, log) })
	l.run("access request retention", func(ctx context.Context) error { pruneRequests(ctx, cfg.Retention, store, blobs, log); return nil })
	l.run("replication: the writer stopped publishing its changes", func(ctx context.Context) error { return store.Publish(ctx, log) })
	log.Info("archive serving", "url", "http://"+ln.Addr().String()+"/", "storage", cfg.Storage, "data", cfg.Data)
	// handler also answers kept tiles on the connection (web.GatherListener).
	gate.Ready(identify(handler, id, token), handler)
	// The requests under way finish before the loops and the store end.
	select {
	case <-served:
	case <-ctx.Done():
		log.Info("shutting down: finishing requests under way")
	}
	return stop()
}

// logWriter writes each line it is given to the log.
type logWriter struct{ log *slog.Logger }

func (w logWriter) Write(b []byte) (int, error) {
	w.log.Info(strings.TrimSpace(string(b)))
	return len(b), nil
}

// listen serves handler on ln until ctx ends, then lets the requests under
// way finish (30 s at most), saying so in log unless it is nil. Bodies and
// answers have deadlines (a slow client cannot hold a connection forever);
// uploads and downloads extend theirs.
func listen(ctx context.Context, ln net.Listener, handler http.Handler, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ConnContext:       web.GatherContext,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(web.GatherListener(ln, srv)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if log != nil {
		log.Info("shutting down: finishing requests under way")
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func unwrapNet(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) {
		var se *os.SyscallError
		if errors.As(oe.Err, &se) {
			return se.Err
		}
		return oe.Err
	}
	return err
}

// housekeeping ends embargoes whose day has come (so harvesters hear of
// it) and removes expired sessions, at start and then every ten minutes.
func housekeeping(ctx context.Context, store *bolt.Store, log *slog.Logger) {
	for {
		if n, err := store.ReleaseEmbargoes(ctx, store.Now()); err != nil {
			log.Warn("releasing embargoes", "err", err)
		} else if n > 0 {
			log.Info("embargoes ended", "items", n)
		}
		if err := store.PruneSessions(); err != nil {
			log.Warn("pruning sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Minute):
		}
	}
}
