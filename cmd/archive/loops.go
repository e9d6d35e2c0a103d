package main

import (
	"context"
	"log/slog"

	"golang.org/x/sync/errgroup"
)

// loops is the service's background work (the search index following the
// store, transcoding, reading pages, audits, housekeeping, publishing,
// metrics, the admin listener, the web server's uploads): one group under
// the serve context. stop ends it and waits for every loop, which serve
// does before the search index and the metadata store close, so that
// nothing uses them after.
type loops struct {
	ctx    context.Context
	cancel context.CancelFunc
	g      errgroup.Group
	log    *slog.Logger
}

func newLoops(ctx context.Context, log *slog.Logger) *loops {
	ctx, cancel := context.WithCancel(ctx)
	return &loops{ctx: ctx, cancel: cancel, log: log}
}

// run starts f under the group with its context. An error f returns
// before the end is logged with what (the service goes on without it).
func (l *loops) run(what string, f func(ctx context.Context) error) {
	l.g.Go(func() error {
		if err := f(l.ctx); err != nil && l.ctx.Err() == nil {
			l.log.Error(what, "err", err)
		}
		return nil
	})
}

// stop ends the loops and returns once all have.
func (l *loops) stop() {
	l.cancel()
	l.g.Wait()
}
