package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/search"
)

// runSearch searches the index of -data in this process, as an anonymous
// visitor, for each of the generator's words in turn, -rounds times with
// no result cache, and prints each word's hits, wall time and CPU (the
// process's, so the index's own work counts, the garbage collector's
// included) in the last round, then p50, p95 and the most of all rounds.
func runSearch(args []string) error {
	fs := flag.NewFlagSet("search", flag.ExitOnError)
	data := fs.String("data", "", "the archive's data `folder` (its index is searched)")
	rounds := fs.Int("rounds", 3, "times each word is searched")
	fs.Parse(args)
	if *data == "" {
		return fmt.Errorf("-data is required")
	}
	x, err := search.Open(filepath.Join(*data, "index"), nil, search.Options{Results: -1})
	if err != nil {
		return err
	}
	defer x.Close()
	var walls, cpus []time.Duration
	fmt.Printf("%-16s %9s %9s %9s\n", "word", "hits", "wall ms", "cpu ms")
	for round := range *rounds {
		for _, w := range slices.Concat(thai, english) {
			start, cpu0 := time.Now(), processCPU()
			res, err := x.Search(context.Background(), access.Principal{}, search.Query{Text: w})
			if err != nil {
				return fmt.Errorf("%s: %w", w, err)
			}
			if res.Total == 0 {
				return fmt.Errorf("%s: nothing found; every word of the generator is in its records", w)
			}
			wall, cpu := time.Since(start), processCPU()-cpu0
			walls, cpus = append(walls, wall), append(cpus, cpu)
			if round == *rounds-1 {
				fmt.Printf("%-16s %9d %9.1f %9.1f\n", w, res.Total, ms(wall), ms(cpu))
			}
		}
	}
	for _, s := range []struct {
		name string
		d    []time.Duration
	}{{"wall", walls}, {"cpu", cpus}} {
		slices.Sort(s.d)
		fmt.Printf("%s: p50 %.1f ms, p95 %.1f ms, most %.1f ms (%d searches)\n", s.name, ms(pct(s.d, 50)), ms(pct(s.d, 95)), ms(s.d[len(s.d)-1]), len(s.d))
	}
	return nil
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
