package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository/bolt"
)

// isEAD reports whether path is a file that reads as an EAD finding aid.
func isEAD(path string) bool {
	if !strings.EqualFold(filepath.Ext(path), ".xml") {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	return ead.Sniff(head[:n])
}

// ingestEAD builds the tree of the finding aid at path in the library (or
// inside the unit --collection names), names every unit it made, and
// returns the files its <dao> links name beside it, to be ingested as
// items at their places; a <dao> naming an item the archive holds (on
// base, the archive's address, or relative) attaches it. A dry run reads and reports without writing.
func ingestEAD(ctx context.Context, store *bolt.Store, path string, d ingest.Defaults, dry bool, agent, base string, stderr io.Writer) ([]ingest.Unit, error) {
	if store == nil {
		return nil, errors.New("the service holds the archive: import a finding aid at the desk (Fonds and finding aids), or stop the service and run this again")
	}
	if d.Institution == "" {
		return nil, errors.New("say which library the finding aid is for: --institution cmu|tu|chula, or --collection ID to put it inside a unit")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	found, err := ead.Read(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The command acts for whoever runs it on the data folder: every library.
	p := access.Principal{User: "cli", Email: agent, Role: access.SystemAdmin}
	units := &desk.Units{Store: store}
	r, err := units.ImportEAD(ctx, p, desk.EADImport{Finding: found, Institution: d.Institution, Parent: d.Collection, Dir: filepath.Dir(path),
		Base: base, Dry: dry, Access: d.Access, Rights: d.Rights, Agent: agent})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, n := range found.Report() {
		fmt.Fprintf(stderr, "%s: %s\n", path, n)
	}
	if dry {
		fmt.Fprintf(stderr, "%s: %s finding aid of %d units (dry run: nothing made)\n", path, found.Version, found.Count)
		return nil, nil
	}
	fmt.Fprintf(stderr, "%s: %s finding aid, %d units made:\n", path, found.Version, len(r.Made))
	for _, m := range r.Made {
		fmt.Fprintf(stderr, "  %s%s  %s (%s)\n", strings.Repeat("  ", m.Depth), m.ID, m.Path, m.Level)
	}
	for _, m := range r.Made {
		for _, n := range m.Notes {
			fmt.Fprintf(stderr, "  - %s\n", n)
		}
	}
	if pl := found.Placed; pl.Containers > 0 {
		fmt.Fprintf(stderr, "  %d containers in %d boxes (%d new)\n", pl.Containers, pl.Boxes, pl.New)
	}
	for _, n := range r.Daos {
		fmt.Fprintf(stderr, "  - %s\n", n)
	}
	if n := r.Points; n.Links > 0 {
		fmt.Fprintf(stderr, "  access points: %d named, %d already in the archive, %d made, %d named again\n", n.Links, n.Found, n.Made, n.Merged)
	}
	return r.Items, nil
}
