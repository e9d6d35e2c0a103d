// Command scaleload is the archive side of bench/scale.sh: "make" fills a
// data folder with N generated bilingual records through the store's own
// API (no files), and "time" asks a serving archive the request paths of
// the scale benchmark again and again and prints their p50 and p95; "run"
// runs a command and prints its time and peak memory; "search" times
// searches of the generator's words in process, CPU beside wall time.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: scaleload make|time|run|search [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "make":
		err = runMake(os.Args[2:])
	case "time":
		err = runTime(os.Args[2:])
	case "run":
		err = runCommand(os.Args[2:])
	case "search":
		err = runSearch(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q: make, time, run or search", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scaleload:", err)
		os.Exit(1)
	}
}

// runMake fills -data (laid out as the archive lays out its data folder:
// archive.db and blobs/) and writes what it made as JSON to -out.
func runMake(args []string) error {
	fs := flag.NewFlagSet("make", flag.ExitOnError)
	data := fs.String("data", "", "empty data `folder` to fill")
	n := fs.Int("n", 10000, "items to make")
	workers := fs.Int("workers", 4, "saves at once")
	out := fs.String("out", "", "write what was made, as JSON, to this `file`")
	fs.Parse(args)
	if *data == "" {
		return fmt.Errorf("-data is required")
	}
	ctx := context.Background()
	blobs, err := local.Open(filepath.Join(*data, "blobs"))
	if err != nil {
		return err
	}
	store, err := bolt.Open(ctx, filepath.Join(*data, "archive.db"), blobs)
	if err != nil {
		return err
	}
	start := time.Now()
	made, err := Make(ctx, store, *n, 1, *workers)
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Printf("made %d items in %d collections in %.1f s (%.0f items/s): %d restricted, %d under embargo\n",
		*n, sum(made.Collections), took.Seconds(), float64(*n)/took.Seconds(), made.Restricted, made.Embargoed)
	if *out == "" {
		return nil
	}
	b, err := json.Marshal(made)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, b, 0o644)
}

func sum(m map[string]int) (n int) {
	for _, v := range m {
		n += v
	}
	return n
}
