package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/fixity"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/web"
)

// fixityPath is where the audit keeps where it stands and what it found.
func (cfg *Config) fixityPath() string { return filepath.Join(cfg.Data, "fixity.json") }

// fixitySettings reads ARCHIVE_FIXITY_RATE and ARCHIVE_FIXITY_EVERY.
func (cfg *Config) fixitySettings(st settings) error {
	cfg.FixityRate, cfg.FixityEvery = 16<<20, 30*24*time.Hour
	if v := st["ARCHIVE_FIXITY_RATE"]; v != "" {
		n, err := parseRate(v)
		if err != nil {
			return fmt.Errorf("ARCHIVE_FIXITY_RATE=%q: %v", v, err)
		}
		cfg.FixityRate = n
	}
	if v := st["ARCHIVE_FIXITY_EVERY"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return fmt.Errorf("ARCHIVE_FIXITY_EVERY=%q is not a duration of a minute or more, such as 720h", v)
		}
		cfg.FixityEvery = d
	}
	return nil
}

// parseRate reads bytes per second: a number, optionally followed by KiB,
// MiB or GiB (per second understood).
func parseRate(v string) (int64, error) {
	num, mult := strings.TrimSpace(v), int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if s, ok := strings.CutSuffix(num, suffix); ok {
			num, mult = strings.TrimSpace(s), m
		}
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 || n*float64(mult) > 1<<40 {
		return 0, errors.New("not a number of bytes per second such as 16MiB, 512KiB or 0")
	}
	return int64(n * float64(mult)), nil
}

// rateFlag is a flag of bytes per second.
type rateFlag struct{ n *int64 }

func (r rateFlag) String() string {
	if r.n == nil || *r.n == 0 {
		return "0"
	}
	return strconv.FormatInt(*r.n, 10)
}

func (r rateFlag) Set(v string) error {
	n, err := parseRate(v)
	*r.n = n
	return err
}

// runFixity runs one audit pass (or finishes the one a stop interrupted):
// every master and derivative re-read and held to its registered SHA-256,
// an event per item; it exits 1 when anything is damaged or missing.
func runFixity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fixity", flag.ContinueOnError)
	var c common
	c.register(fs)
	var rate int64
	fs.Var(rateFlag{&rate}, "rate", "read at most this many `bytes` per second (such as 50MiB; default 0: as fast as storage answers)")
	restart := fs.Bool("restart", false, "begin a new pass instead of finishing one that was interrupted")
	if _, err := parse(fs, args, stderr, "[flags]", "Re-reads every stored master and derivative, checks each against its registered SHA-256, and records a fixity event for each item. Exits 1 when a blob is damaged or missing (mend it with archive repair)."); err != nil {
		return err
	}
	cfg, blobs, store, err := c.openArchive(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	if *restart {
		if err := os.Remove(cfg.fixityPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := fixity.New(fixity.Config{Store: store, Blobs: blobs, Rate: rate, StatePath: cfg.fixityPath(), Agent: "archive fixity", Log: log})
	if err != nil {
		return err
	}
	rep, err := a.Pass(ctx)
	if ctx.Err() != nil {
		return errors.New("interrupted; run it again to go on from where it stopped")
	}
	if err != nil {
		return err
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(stdout, "item %s: %s %s (%s) %s: %s\n", f.Item, f.File, f.Role, f.Key, f.Outcome, f.Problem)
	}
	secs := max(rep.Ended.Sub(rep.Started).Seconds(), 0.001)
	fmt.Fprintf(stdout, "%d items, %d blobs, %d bytes re-read in %.1fs (%.1f MiB/s): %d damaged or missing", rep.Items, rep.Blobs, rep.Bytes, secs, float64(rep.Bytes)/secs/(1<<20), rep.Damaged)
	if rep.Unrecorded > 0 {
		fmt.Fprintf(stdout, ", %d derivatives without a registered digest (read, not checked)", rep.Unrecorded)
	}
	fmt.Fprintln(stdout)
	if rep.Damaged > 0 {
		fmt.Fprintln(stdout, "mend them from a backup or another bucket with: archive repair --from DIR|s3://BUCKET")
		return errSilent
	}
	return nil
}

// runRepair restores damaged or missing blobs from a second store.
func runRepair(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("repair", flag.ContinueOnError)
	var c common
	c.register(fs)
	from := fs.String("from", "", "the second store: a backup `folder` (archive backup --to) or s3://BUCKET[/PREFIX] on the configured S3 server")
	all := fs.Bool("all", false, "check every item now and mend what is wrong, instead of what the audits found")
	items, err := parse(fs, args, stderr, "--from DIR|s3://BUCKET [--all | ITEM...]", "Restores blobs that fixity audits found damaged or missing (or those of the named items, or of every item with --all) from a second store, after checking the copy's SHA-256.")
	if err != nil {
		return err
	}
	if *from == "" {
		fs.Usage()
		return errUsage
	}
	cfg, blobs, store, err := c.openArchive(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	src, err := cfg.openOther(ctx, *from)
	if err != nil {
		return err
	}
	a, err := fixity.New(fixity.Config{StatePath: cfg.fixityPath()})
	if err != nil {
		return err
	}
	var findings []fixity.Finding
	switch {
	case *all || len(items) > 0:
		if *all {
			if items, err = store.ItemIDs(); err != nil {
				return err
			}
		}
		var its []*repository.Item
		for _, id := range items {
			it, err := store.Item(id)
			if err != nil {
				return fmt.Errorf("item %s: %w", id, err)
			}
			if it.Withdrawal != nil && it.Withdrawal.Purged {
				continue // its files were removed on purpose: not brought back
			}
			its = append(its, it)
		}
		if findings, err = fixity.Problems(ctx, blobs, its); err != nil {
			return err
		}
	default:
		findings = a.Unmended()
	}
	if len(findings) == 0 {
		fmt.Fprintln(stdout, "nothing to repair")
		return nil
	}
	mended, failed := map[string]bool{}, 0
	for _, m := range fixity.Repair(ctx, blobs, src, *from, findings, store, "archive repair") {
		if m.Err != nil {
			failed++
			fmt.Fprintf(stdout, "item %s: %s %s (%s): not repaired: %v\n", m.Item, m.File, m.Role, m.Key, m.Err)
			continue
		}
		mended[m.Key] = true
		fmt.Fprintf(stdout, "item %s: %s %s (%s): restored from %s, sha256 checked\n", m.Item, m.File, m.Role, m.Key, *from)
	}
	if err := a.Forget(mended); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d repaired, %d not\n", len(mended), failed)
	if failed > 0 {
		return errSilent
	}
	return nil
}

// startAudits runs the scheduled fixity audits in the background, unless
// ARCHIVE_FIXITY_RATE is 0 (then it returns nil). A pass a stop
// interrupted goes on at once; a new one waits a minute, so a start is
// not slowed.
func startAudits(l *loops, cfg *Config, store *bolt.Store, blobs storage.Blobs, obs fixity.Observer, log *slog.Logger) (web.FixityStatus, error) {
	if cfg.FixityRate <= 0 {
		return nil, nil
	}
	a, err := fixity.New(fixity.Config{Store: store, Blobs: blobs, Rate: cfg.FixityRate, StatePath: cfg.fixityPath(), Every: cfg.FixityEvery,
		Delay: time.Minute, Log: log, Observer: obs})
	if err != nil {
		return nil, err
	}
	l.run("fixity audits", func(ctx context.Context) error { a.Run(ctx); return nil })
	return a, nil
}
