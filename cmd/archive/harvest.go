package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/harvest"
	"github.com/thaiarchives/archive/repository"
)

// runHarvest registers, lists, runs and removes the sources whose records
// are harvested into the catalogue. While the service runs (it holds the
// store), the command asks it (harvestRemote), and a run makes the source
// due: the service harvests it within a minute.
func runHarvest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args := subcommand(args)
	fs := flag.NewFlagSet("harvest", flag.ContinueOnError)
	var c common
	c.register(fs)
	inst := fs.String("institution", "", "add: the `library` the source belongs to (cmu, tu, chula)")
	oai := fs.String("oai", "", "add: the source's OAI-PMH base `URL`")
	iiif := fs.String("iiif", "", "add: or a IIIF Collection's `URL` (Presentation 2 or 3), walked to its manifests")
	set := fs.String("set", "", "add: harvest only this OAI-PMH `set`")
	format := fs.String("format", "oai_dc", "add: the metadata `format`: oai_dc, qdc (qualified Dublin Core, as DSpace gives it), mods (MODS 3), marcxml (MARC 21 slim) or ead (a finding aid, EAD 2002 or EAD3)")
	every := fs.String("every", "24h", "add: how often the service harvests it (a `duration`: 24h, 168h)")
	all := fs.Bool("all", false, "run: every source")
	rest, err := parse(fs, args, stderr, "add|list|run|remove [flags] [SOURCE...]",
		"Registers a library's own repositories (OAI-PMH, or IIIF Collections) and harvests their records into the shared catalogue.")
	if err != nil {
		return err
	}
	switch {
	case sub == "add" && (*inst == "" || (*oai == "") == (*iiif == "") || len(rest) > 0),
		sub == "list" && len(rest) > 0,
		sub == "run" && (len(rest) == 0) == !*all,
		sub == "remove" && len(rest) != 1,
		sub != "add" && sub != "list" && sub != "run" && sub != "remove":
		fs.Usage()
		return errUsage
	}
	cfg, _, store, err := c.openArchive(ctx)
	if errors.Is(err, repository.ErrLocked) {
		svc, serr := findService(ctx, cfg)
		if serr != nil {
			return serr
		}
		src := sourceJSON{Institution: *inst, OAI: *oai, IIIF: *iiif, Set: *set, Format: *format, Every: *every}
		return harvestRemote(ctx, svc, sub, rest, *all, src, stdout)
	}
	if err != nil {
		return err
	}
	defer store.Close()
	h := harvest.New(store, nil)
	p := desk.System(cliAgent())
	switch sub {
	case "add":
		src := &repository.Source{Institution: *inst, OAI: *oai, IIIF: *iiif, Set: *set, Format: *format, Every: *every}
		if err := h.Add(ctx, p, src); err != nil {
			return sentence(err)
		}
		fmt.Fprintf(stdout, "source %s of %s: %s%s\n", src.ID, src.Institution, src.OAI, src.IIIF)
	case "list":
		list, err := h.List(ctx, p)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SOURCE\tLIBRARY\tOAI-PMH OR IIIF\tSET\tFORMAT\tEVERY\tLAST RUN\tREAD\tADDED\tCHANGED\tREMOVED\tFAILED\tNEXT\tERROR")
		for _, s := range list {
			r := s.Run
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", s.ID, s.Institution, s.OAI+s.IIIF, dash(s.Set), s.Format, s.Every,
				when(r.Finished), r.Read, r.Added, r.Changed, r.Removed, r.Failed, when(r.Next), dash(r.Error))
		}
		return w.Flush()
	case "run":
		ids := rest
		if *all {
			list, err := h.List(ctx, p)
			if err != nil {
				return err
			}
			for _, s := range list {
				ids = append(ids, s.ID)
			}
		}
		failed := 0
		for _, id := range ids {
			src, err := h.Run(ctx, p, id)
			if errors.Is(err, fault.NotFound) {
				return sentence(err)
			}
			if src != nil {
				r := src.Run
				fmt.Fprintf(stdout, "source %s: read %d, added %d, changed %d, unchanged %d, removed %d, failed %d\n", id, r.Read, r.Added, r.Changed, r.Unchanged, r.Removed, r.Failed)
				for _, e := range r.Errors {
					fmt.Fprintf(stdout, "  %s: %s\n", e.Identifier, e.Error)
				}
			}
			if err != nil {
				fmt.Fprintf(stderr, "source %s: %v\n", id, sentence(err))
				failed++
			}
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d sources did not finish; the next run of each goes on from where it stopped", failed, len(ids))
		}
	case "remove":
		if err := h.Remove(ctx, p, rest[0]); err != nil {
			return sentence(err)
		}
		fmt.Fprintf(stdout, "source %s removed, and its entries taken out of the catalogue\n", rest[0])
	}
	return nil
}

// harvestPoll is how often the service looks for sources that are due.
const harvestPoll = time.Minute

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}
