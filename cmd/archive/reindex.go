package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/thaiarchives/archive/search"
)

// runReindex rebuilds the search index from the metadata store. The
// service does this by itself when its index is lost or stale; the command
// is for an operator who wants it done now, with the service stopped.
func runReindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	var c common
	c.register(fs)
	if _, err := parse(fs, args, stderr, "", "Rebuilds the search index from the metadata store (the service keeps it up to date by itself)."); err != nil {
		return err
	}
	cfg, blobs, store, err := c.openArchive(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	index, err := search.Open(cfg.indexPath(), store, search.Options{Dictionaries: cfg.ThaiDictionaries, Texts: blobs,
		Progress: countLines(stderr, "reindex", "items indexed", progressEvery)})
	if err != nil {
		return err
	}
	defer index.Close()
	n, err := index.Rebuild(ctx)
	if err != nil {
		return fmt.Errorf("reindexing: %w", err)
	}
	fmt.Fprintf(stdout, "indexed %d items in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
