package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/thaiarchives/archive/storage"
)

// runGC removes blobs no item refers to: what an interrupted ingest left
// behind (design principle 2). Records and backups are never touched, nor
// anything younger than --min-age, which an ingest under way may be about
// to register.
func runGC(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gc", flag.ContinueOnError)
	var c common
	c.register(fs)
	dry := fs.Bool("dry-run", false, "list what would be removed, remove nothing")
	minAge := fs.Duration("min-age", 24*time.Hour, "leave blobs younger than this")
	if _, err := parse(fs, args, stderr, "[--dry-run] [--min-age 24h]", "Removes masters and derivatives that no item (withdrawn ones included) refers to."); err != nil {
		return err
	}
	_, blobs, store, err := c.openArchive(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	keep := map[string]bool{}
	changes, _, err := store.Changes(time.Time{}, time.Time{}, "", 1<<31-1)
	if err != nil {
		return err
	}
	for _, ch := range changes {
		it, err := store.Item(ch.ID)
		if err != nil {
			return err
		}
		for _, f := range it.Files {
			keep[storage.DigestKey(f.SHA256)] = true
			for _, k := range f.Derivatives {
				keep[k] = true
			}
		}
	}
	cutoff := time.Now().Add(-*minAge)
	var removed, bytes int64
	for _, prefix := range []string{"blobs/", "derivatives/"} {
		var orphans []storage.Info
		if err := blobs.List(ctx, prefix, func(i storage.Info) error {
			if !keep[i.Key] && i.Modified.Before(cutoff) {
				orphans = append(orphans, i)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, o := range orphans {
			fmt.Fprintf(stdout, "unreferenced: %s (%d bytes)\n", o.Key, o.Size)
			if !*dry {
				if err := blobs.Delete(ctx, o.Key); err != nil {
					return err
				}
			}
			removed++
			bytes += o.Size
		}
	}
	verb := "removed"
	if *dry {
		verb = "would remove"
	}
	fmt.Fprintf(stdout, "%s %d unreferenced blobs (%d bytes); %d referenced kept\n", verb, removed, bytes, len(keep))
	return nil
}
