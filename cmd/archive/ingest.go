package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	var c common
	c.register(fs)
	var d ingest.Defaults
	fs.StringVar(&d.Collection, "collection", "", "collection `id` the items go into (its library holds them)")
	fs.StringVar(&d.Institution, "institution", "", "library holding the items: cmu, tu or chula (implied by --collection)")
	fs.StringVar(&d.Access, "access", "", "access level of the items: public (default), reduced, metadata or restricted")
	fs.StringVar(&d.Rights, "rights", "", "rights `URI` (RightsStatements.org or Creative Commons) for items that have none")
	group := fs.Bool("group", false, "make each folder one multi-page item (files in natural name order) instead of one item per file")
	asJSON := fs.Bool("json", false, "print one JSON object per file on stdout: file, status, item, images, error")
	report := fs.String("report", "", "write every file's outcome to this `file` (.csv or .json)")
	dry := fs.Bool("dry-run", false, "check everything (sheets, bags, checksums, image headers) and write nothing")
	keep := fs.Bool("keep-mismatched", false, "keep a file whose content does not match its name (scan.tif that is text) as what it really is, instead of refusing it")
	workers := fs.Int("workers", 2*runtime.NumCPU(), "items processed at once (two per core: one's storage writes overlap another's decoding)")
	addr := fs.String("addr", "", "address of the running service when it has not recorded one in the data folder; it is handed the files when it holds the store and proves to be this archive (env ARCHIVE_ADDR)")
	maxMP := fs.Int64("max-megapixels", ingest.DefaultMaxPixels/1_000_000, "refuse images declaring more megapixels (decompression bombs)")
	maxSize := fs.Int64("max-file-size", ingest.DefaultMaxFileSize>>20, "refuse files larger than this many `MiB`")
	fileTimeout := fs.Duration("file-timeout", ingest.DefaultFileTimeout, "refuse a file whose access copies take longer to make than this (one file may not hold a worker) (env ARCHIVE_INGEST_FILE_TIMEOUT)")
	paths, err := parse(fs, args, stderr, "[flags] PATH...",
		"Ingests folders, BagIt bags (folder, .zip, .tar, .tar.gz), metadata sheets (.csv, .xlsx) and single files.\n"+
			"Every file is checksummed and stored once; images get a tiled pyramid and a thumbnail;\n"+
			"audio and video get their duration (and a poster frame), and the service (archive serve)\n"+
			"then makes in the background the copies browsers play and the waveforms. Running the same ingest again\n"+
			"finishes an interrupted one and reports what is already in as duplicates.")
	if err != nil {
		return err
	}
	if len(paths) == 0 {
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
	if cfg.FileTimeout > 0 && !isSet(fs, "file-timeout") {
		*fileTimeout = cfg.FileTimeout
	}
	blobs, store, err := cfg.open(ctx)
	var remote *service
	switch {
	case errors.Is(err, repository.ErrLocked) && *dry:
		// A dry run checks against a copy of the running service's store.
		if blobs, err = cfg.openBlobs(ctx); err != nil {
			return err
		}
		var done func()
		if store, done, err = snapshot(ctx, cfg, blobs); err != nil {
			return err
		}
		defer done()
	case errors.Is(err, repository.ErrLocked):
		if remote, err = findService(ctx, cfg); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "the service at %s holds the archive: handing it the files\n", strings.TrimPrefix(remote.base, "http://"))
	case err != nil:
		return err
	default:
		defer store.Close()
	}
	if d.Collection != "" && remote == nil {
		col, err := store.Collection(d.Collection)
		if err != nil {
			return fmt.Errorf("collection %q does not exist", d.Collection)
		}
		if d.Institution != "" && d.Institution != col.Institution {
			return fmt.Errorf("collection %q belongs to %s, not %s", d.Collection, col.Institution, d.Institution)
		}
		d.Institution = col.Institution
	}
	agent := "archive ingest"
	if u, err := user.Current(); err == nil {
		agent += " (" + u.Username + ")"
	}
	var p *ingest.Pipeline
	if remote == nil {
		p = ingest.New(ingest.Config{Store: store, Blobs: blobs, Agent: agent, MaxPixels: *maxMP * 1_000_000,
			MaxFileSize: *maxSize << 20, Workers: *workers, DryRun: *dry, KeepMismatched: *keep, FileTimeout: *fileTimeout})
	}

	var units []ingest.Unit
	var outcomes []ingest.Outcome
	for _, path := range paths {
		if isEAD(path) {
			us, err := ingestEAD(ctx, store, path, d, *dry, agent, cfg.BaseURL, stderr)
			if err != nil {
				return err
			}
			units = append(units, us...)
			continue
		}
		us, problems, cleanup, err := gather(path, d, *group, *maxSize<<20)
		defer cleanup()
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			fmt.Fprintf(stderr, "%s refused whole: %d problem(s):\n", path, len(problems))
			for _, pr := range problems {
				fmt.Fprintf(stderr, "  - %s\n", pr)
				outcomes = append(outcomes, ingest.Outcome{File: pr.Where, Status: ingest.Refused, Error: pr.What})
			}
			if isBag(path) {
				continue // a bag is all or nothing
			}
		}
		units = append(units, us...)
	}
	for _, u := range units {
		if u.Meta.Institution == "" {
			return errors.New("say which library holds these items: --institution cmu|tu|chula, or --collection ID")
		}
	}
	bar := newProgress(stderr, units)
	enc := json.NewEncoder(stdout)
	for _, o := range outcomes {
		if *asJSON {
			enc.Encode(o)
		}
	}
	record := func(o ingest.Outcome) {
		outcomes = append(outcomes, o)
		if *asJSON {
			enc.Encode(o)
		}
		bar.add(o)
	}
	if remote != nil {
		for _, u := range units {
			outs, err := remote.ingest(ctx, u)
			if err != nil {
				return err
			}
			for _, o := range outs {
				record(o)
			}
		}
	} else {
		p.Run(ctx, units, record)
	}
	bar.done()
	summary(stderr, outcomes, *dry)
	if *report != "" {
		if err := writeReport(*report, outcomes); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return errors.New("interrupted; run the same command again to finish")
	}
	for _, o := range outcomes {
		if o.Status == ingest.Refused || o.Status == ingest.Failed {
			return errSilent
		}
	}
	return nil
}

// errSilent fails the command without another message: the summary said it.
var errSilent = errors.New("some files were not ingested (see above)")

func isBag(path string) bool {
	if ingest.LooksLikeBag(path) {
		return true
	}
	l := strings.ToLower(path)
	return strings.HasSuffix(l, ".zip") || strings.HasSuffix(l, ".tar") || strings.HasSuffix(l, ".tar.gz") || strings.HasSuffix(l, ".tgz")
}

// gather turns one command-line path into units.
func gather(path string, d ingest.Defaults, group bool, maxBytes int64) ([]ingest.Unit, []ingest.Problem, func(), error) {
	none := func() {}
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, none, fmt.Errorf("%s cannot be read: %v", path, unwrap(err))
	}
	switch {
	case isBag(path):
		return ingest.Bag(path, d, maxBytes)
	case st.IsDir():
		us, ps, err := ingest.Folder(path, d, group)
		return us, ps, none, err
	case strings.HasSuffix(strings.ToLower(path), ".csv"), strings.HasSuffix(strings.ToLower(path), ".xlsx"):
		us, ps, err := ingest.Sheet(path, d)
		return us, ps, none, err
	}
	u := ingest.Unit{Files: []ingest.Input{{Path: path, Name: filepath.Base(path)}}, Meta: d.Item()}
	return []ingest.Unit{u}, nil, none, nil
}

func writeReport(path string, outs []ingest.Outcome) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report %s cannot be written: %v", path, unwrap(err))
	}
	defer f.Close()
	if strings.HasSuffix(strings.ToLower(path), ".json") {
		e := json.NewEncoder(f)
		e.SetIndent("", "  ")
		return e.Encode(outs)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"file", "status", "item", "images", "bytes", "error"})
	for _, o := range outs {
		w.Write([]string{safeCell(o.File), o.Status, o.Item, safeCell(strings.Join(o.Images, " ")), strconv.FormatInt(o.Bytes, 10), safeCell(o.Error)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

// safeCell keeps a spreadsheet from reading a cell as a formula: a cell
// starting with = + - @, a tab or a carriage return (a file's name, an
// error quoting one) gets a leading apostrophe, as OWASP advises against
// CSV injection (https://owasp.org/www-community/attacks/CSV_Injection).
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func summary(w io.Writer, outs []ingest.Outcome, dry bool) {
	count := map[string]int{}
	for _, o := range outs {
		count[o.Status]++
	}
	fmt.Fprintf(w, "\n%-10s %6s\n", "status", "files")
	for _, s := range []string{ingest.Ingested, ingest.Checked, ingest.Duplicate, ingest.Refused, ingest.Failed} {
		if count[s] > 0 || s == ingest.Ingested && !dry {
			fmt.Fprintf(w, "%-10s %6d\n", s, count[s])
		}
	}
	var bad []ingest.Outcome
	for _, o := range outs {
		if o.Status == ingest.Refused || o.Status == ingest.Failed {
			bad = append(bad, o)
		}
	}
	if len(bad) > 0 {
		slices.SortFunc(bad, func(a, b ingest.Outcome) int { return strings.Compare(a.File, b.File) })
		fmt.Fprintf(w, "\nnot ingested:\n")
		for _, o := range bad {
			fmt.Fprintf(w, "  %s: %s\n", o.File, o.Error)
		}
	}
	if dry {
		fmt.Fprintln(w, "\ndry run: no file was stored or registered")
	}
}

// progress shows files, bytes, rate and time left: a bar on a terminal,
// a plain line per file otherwise.
type progress struct {
	w                  io.Writer
	tty                bool
	files, doneFiles   int
	bytes, doneBytes   int64
	start, lastPainted time.Time
}

func newProgress(w io.Writer, units []ingest.Unit) *progress {
	p := &progress{w: w, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	for _, u := range units {
		for _, in := range u.Files {
			p.files++
			if st, err := os.Stat(in.Path); err == nil {
				p.bytes += st.Size()
			}
		}
	}
	return p
}

func (p *progress) add(o ingest.Outcome) {
	p.doneFiles++
	p.doneBytes += o.Bytes
	el := time.Since(p.start).Seconds()
	rate := float64(p.doneBytes) / max(el, 0.001)
	eta := "–"
	if rate > 0 && p.bytes > p.doneBytes {
		eta = (time.Duration(float64(p.bytes-p.doneBytes)/rate) * time.Second / time.Second).Round(time.Second).String()
	}
	line := fmt.Sprintf("%d/%d files  %s/%s  %s/s  ETA %s", p.doneFiles, p.files, mib(p.doneBytes), mib(p.bytes), mib(int64(rate)), eta)
	if !p.tty {
		fmt.Fprintf(p.w, "[%d/%d] %s %s %s\n", p.doneFiles, p.files, o.Status, o.File, o.Error)
		return
	}
	if time.Since(p.lastPainted) < 100*time.Millisecond && p.doneFiles < p.files {
		return
	}
	p.lastPainted = time.Now()
	width := 30
	filled := width * p.doneFiles / max(p.files, 1)
	fmt.Fprintf(p.w, "\r[%s%s] %s ", strings.Repeat("#", filled), strings.Repeat(" ", width-filled), line)
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// isSet reports whether the command line gave flag name.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
