package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/user"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// runDescribe gives items already in the archive the description a sheet
// holds for them, each as a new version.
func runDescribe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("describe", flag.ContinueOnError)
	var c common
	c.register(fs)
	inst := fs.String("institution", "", "describe only this `library`'s items (cmu, tu, chula), as its archivist: rows naming another library's items are refused")
	dry := fs.Bool("dry-run", false, "show, per row, the item and each field that would change (old → new), and write nothing")
	asJSON := fs.Bool("json", false, "print one JSON object per row on stdout: row, item, status, changes, error, notes")
	paths, err := parse(fs, args, stderr, "[--dry-run] [--institution ID] SHEET",
		"Describes items already in the archive from a metadata sheet (.csv, .xlsx) with the columns of\n"+
			"an ingest sheet (title.th, title.en, description.en, date, rights, access, embargo, collection,\n"+
			"subject.th, …). Each row names its item by a file it holds (column files: a file name or its\n"+
			"SHA-256) or by identifier (column item). Empty cells change nothing; every changed item gets a\n"+
			"new version. Rows naming nothing known, or an item you may not edit, are reported.")
	if err != nil {
		return err
	}
	if len(paths) != 1 {
		fs.Usage()
		return errUsage
	}
	rows, err := ingest.ReadDescribeSheet(paths[0], paths[0])
	if err != nil {
		return err
	}
	cfg, _, store, err := c.openArchive(ctx)
	switch {
	case errors.Is(err, repository.ErrLocked) && *dry:
		// A dry run checks against a copy of the running service's store.
		blobs, err := cfg.openBlobs(ctx)
		if err != nil {
			return err
		}
		var done func()
		if store, done, err = snapshot(ctx, cfg, blobs); err != nil {
			return err
		}
		defer done()
	case errors.Is(err, repository.ErrLocked):
		return inUse(cfg, "upload the sheet at the desk (“Describe from a sheet”, "+serviceURL(cfg.Addr)+"/desk#describe)")
	case err != nil:
		return err
	default:
		defer store.Close()
	}
	agent := "archive describe"
	if u, err := user.Current(); err == nil {
		agent += " (" + u.Username + ")"
	}
	// Whoever runs the command holds the data folder: a system
	// administrator, or with --institution, that library's archivist.
	who := access.Principal{User: "cli", Email: agent, Role: access.SystemAdmin}
	if *inst != "" {
		if _, err := store.Institution(*inst); errors.Is(err, fault.NotFound) {
			return fmt.Errorf("no library %q (the libraries are cmu, tu and chula)", *inst)
		} else if err != nil {
			return err
		}
		who.Institution, who.Role = *inst, access.Archivist
	}
	outs := ingest.Describe(ctx, ingest.DescribeConfig{Store: store, Principal: who, Agent: agent, Institution: *inst, DryRun: *dry}, rows)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, o := range outs {
			enc.Encode(o)
		}
	} else {
		printDescribed(stdout, outs)
	}
	count := map[string]int{}
	for _, o := range outs {
		count[o.Status]++
	}
	fmt.Fprintf(stderr, "\n%-15s %5s\n", "status", "rows")
	for _, s := range []string{ingest.Described, ingest.WouldDescribe, ingest.Unchanged, ingest.Unknown, ingest.Refused, ingest.Conflict, ingest.Failed} {
		if count[s] > 0 {
			fmt.Fprintf(stderr, "%-15s %5d\n", s, count[s])
		}
	}
	if *dry {
		fmt.Fprintln(stderr, "\ndry run: no item was changed")
	}
	if ctx.Err() != nil {
		return errors.New("interrupted; run the same command again to finish")
	}
	for _, o := range outs {
		switch o.Status {
		case ingest.Unknown, ingest.Refused, ingest.Conflict, ingest.Failed:
			return errSilent
		}
	}
	return nil
}

// printDescribed writes each row's outcome and changes for people.
func printDescribed(w io.Writer, outs []ingest.RowOutcome) {
	for _, o := range outs {
		fmt.Fprintf(w, "row %d", o.Row)
		if o.Item != "" {
			fmt.Fprintf(w, " item %s", o.Item)
		}
		fmt.Fprintf(w, ": %s", o.Status)
		if o.Error != "" {
			fmt.Fprintf(w, ": %s", o.Error)
		}
		fmt.Fprintln(w)
		for _, c := range o.Changes {
			fmt.Fprintf(w, "    %s: %q → %q\n", c.Field, c.Old, c.New)
		}
		for _, n := range o.Notes {
			fmt.Fprintf(w, "    note: %s\n", n)
		}
	}
}
