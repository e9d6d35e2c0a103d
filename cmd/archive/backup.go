package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/thaiarchives/archive/backup"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/storage/s3"
)

// openOther opens a second store: a folder (laid out as local storage
// is) or s3://BUCKET[/PREFIX] on the configured S3 server.
func (cfg *Config) openOther(ctx context.Context, where string) (storage.Blobs, error) {
	if rest, ok := strings.CutPrefix(where, "s3://"); ok {
		bucket, prefix, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return nil, fmt.Errorf("%s names no bucket: write s3://BUCKET or s3://BUCKET/PREFIX", where)
		}
		if cfg.S3.Endpoint == "" {
			return nil, fmt.Errorf("%s is on the S3 server named by ARCHIVE_S3_ENDPOINT (with ARCHIVE_S3_ACCESS_KEY and ARCHIVE_S3_SECRET_KEY), which is not set", where)
		}
		c := cfg.S3
		c.Bucket, c.Prefix, c.CreateBucket = bucket, prefix, true
		return s3.Open(ctx, c)
	}
	return local.Open(where)
}

// fullBackup copies the metadata store and every blob not yet in the
// backup to dst (a folder or a bucket).
func fullBackup(ctx context.Context, cfg *Config, to string, stdout io.Writer) error {
	dst, err := cfg.openOther(ctx, to)
	if err != nil {
		return err
	}
	src, err := cfg.openBlobs(ctx)
	if err != nil {
		return err
	}
	if err := cfg.openData(); err != nil {
		return err
	}
	start := time.Now()
	// The metadata store first: every record it knows is stored before it
	// is registered, so the blobs copied next include them all.
	tmp, n, err := stageMetadata(ctx, cfg)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := dst.Put(ctx, "metadata/archive.db", tmp, storage.PutOptions{Size: n}); err != nil {
		return err
	}
	c, err := backup.Copy(ctx, dst, src, nil)
	for _, e := range c.Failed {
		fmt.Fprintf(stdout, "not copied: %v\n", e)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup in %s: metadata (%d bytes), %d blobs copied (%d bytes), %d already there, %.1fs\n",
		to, n, c.Copied, c.Bytes, c.Kept, time.Since(start).Seconds())
	if len(c.Failed) > 0 {
		fmt.Fprintf(stdout, "%d blobs were not copied: run archive fixity, mend them with archive repair, and back up again\n", len(c.Failed))
		return errSilent
	}
	return nil
}

// runRestore fills an empty data folder (or bucket) from a backup, then
// rebuilds the metadata store from the records: a new store with a new
// change feed, so the search index and other followers start again.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	var c common
	c.register(fs)
	from := fs.String("from", "", "the backup: a `folder` written by archive backup --to, or s3://BUCKET[/PREFIX]")
	if _, err := parse(fs, args, stderr, "--from DIR|s3://BUCKET", "Copies a backup into the configured storage, which must hold no archive yet, and rebuilds the metadata store from it."); err != nil {
		return err
	}
	if *from == "" {
		fs.Usage()
		return errUsage
	}
	cfg, err := c.resolve()
	if err != nil {
		return err
	}
	if err := cfg.openData(); err != nil {
		return err
	}
	if _, err := os.Stat(cfg.dbPath()); err == nil {
		return fmt.Errorf("%s holds a metadata store: restore goes onto an empty data folder (move it aside first)", cfg.Data)
	}
	src, err := cfg.openOther(ctx, *from)
	if err != nil {
		return err
	}
	if empty, err := backup.Empty(ctx, src); err != nil {
		return err
	} else if empty {
		return fmt.Errorf("%s holds no archive records: is it a backup made by archive backup --to?", *from)
	}
	dst, err := cfg.openBlobs(ctx)
	if err != nil {
		return err
	}
	if empty, err := backup.Empty(ctx, dst); err != nil {
		return err
	} else if !empty {
		return fmt.Errorf("the %s storage already holds an archive's records: restore goes onto empty storage", cfg.Storage)
	}
	start := time.Now()
	n, err := backup.Copy(ctx, dst, src, nil)
	for _, e := range n.Failed {
		fmt.Fprintf(stdout, "not copied: %v\n", e)
	}
	if err != nil {
		return err
	}
	counts, err := bolt.RebuildWith(ctx, cfg.dbPath(), dst, false, bolt.Options{Progress: progressLines(stderr, progressEvery)})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored from %s in %.1fs: %d blobs (%d bytes); %d institutions, %d collections, %d items, %d users, %d events\n",
		*from, time.Since(start).Seconds(), n.Copied, n.Bytes, counts.Institutions, counts.Collections, counts.Items, counts.Users, counts.Events)
	if len(n.Failed) > 0 {
		return errSilent
	}
	return nil
}
