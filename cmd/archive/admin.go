package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
)

func runRebuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rebuild", flag.ContinueOnError)
	var c common
	c.register(fs)
	force := fs.Bool("force", false, "replace an existing metadata store (kept as archive.db.before-rebuild)")
	if _, err := parse(fs, args, stderr, "[--force]", "Recreates the metadata store from the records in blob storage alone."); err != nil {
		return err
	}
	cfg, err := c.resolve()
	if err != nil {
		return err
	}
	blobs, err := cfg.openBlobs(ctx)
	if err != nil {
		return err
	}
	if err := cfg.openData(); err != nil {
		return err
	}
	start := time.Now()
	n, err := bolt.RebuildWith(ctx, cfg.dbPath(), blobs, *force, bolt.Options{Progress: progressLines(stderr, progressEvery)})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rebuilt %s in %.1fs: %d institutions, %d collections, %d items, %d events\n",
		cfg.dbPath(), time.Since(start).Seconds(), n.Institutions, n.Collections, n.Items, n.Events)
	return nil
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	var c common
	c.register(fs)
	to := fs.String("to", "", "back up into this `folder` or s3://BUCKET[/PREFIX]: the metadata and every blob not yet there; or, when it ends in .db, write only a copy of the metadata store to that file")
	toStore := fs.Bool("to-store", false, "write the copy into blob storage under backups/")
	addr := fs.String("addr", "", "address of the running service, asked for the copy when it holds the store (env ARCHIVE_ADDR)")
	if _, err := parse(fs, args, stderr, "--to DIR|s3://BUCKET|FILE.db | --to-store", "Backs up the archive (metadata, users, and every blob not yet in the backup) into a folder or a bucket, or writes a consistent copy of the metadata store alone. While the service runs, the metadata copy is taken through it."); err != nil {
		return err
	}
	if (*to == "") == !*toStore {
		fs.Usage()
		return errUsage
	}
	cfg, err := c.resolve()
	if err != nil {
		return err
	}
	if *addr != "" {
		cfg.Addr = *addr
	}
	if *to != "" && !strings.HasSuffix(*to, ".db") {
		return fullBackup(ctx, cfg, *to, stdout)
	}
	tmp, n, err := stageMetadata(ctx, cfg)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := tmp.Sync(); err != nil {
		return err
	}
	if *to != "" {
		if err := tmp.Close(); err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), *to); err != nil {
			return copyFile(tmp.Name(), *to)
		}
		fmt.Fprintf(stdout, "backup of %d bytes written to %s\n", n, *to)
		return nil
	}
	blobs, err := cfg.openBlobs(ctx)
	if err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	key := "backups/archive-" + time.Now().UTC().Format("20060102T150405Z") + ".db"
	if _, err := blobs.Put(ctx, key, tmp, storage.PutOptions{Size: n}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup of %d bytes stored as %s\n", n, key)
	return nil
}

// backupFromService asks the running service for the copy.
func backupFromService(ctx context.Context, cfg *Config, w io.Writer) (int64, error) {
	svc, err := findService(ctx, cfg)
	if err != nil {
		return 0, err
	}
	svc.client.Timeout = 0 // a backup takes as long as the store is large
	resp, err := svc.do(ctx, "GET", "/api/v1/admin/backup", nil, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("the service at %s refused the backup: %s", svc.base, resp.Status)
	}
	n, err := io.Copy(w, resp.Body)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("backup from %s ended after %d of %d bytes", svc.base, n, resp.ContentLength)
	}
	return n, err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", dst, unwrap(err))
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// stageMetadata copies the metadata store into a file in the data folder
// (from the file, or through the running service that holds it), so no
// network I/O happens while the database is read. The caller removes it.
func stageMetadata(ctx context.Context, cfg *Config) (*os.File, int64, error) {
	tmp, err := os.CreateTemp(cfg.Data, "backup-*.db")
	if err != nil {
		return nil, 0, fmt.Errorf("cannot stage the metadata copy in %s: %v", cfg.Data, unwrap(err))
	}
	n, err := bolt.BackupFile(cfg.dbPath(), tmp)
	if errors.Is(err, repository.ErrLocked) {
		n, err = backupFromService(ctx, cfg, tmp)
	}
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, 0, err
	}
	return tmp, n, nil
}
