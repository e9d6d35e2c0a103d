package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// runLibrary shows a library's settings, or changes whether anonymous
// visitors learn that its restricted items exist.
func runLibrary(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("library", flag.ContinueOnError)
	var c common
	c.register(fs)
	inst := fs.String("institution", "", "the `library` (cmu, tu, chula)")
	reveal := fs.String("reveal-restricted", "", "`true`: visitors who may not see a restricted item are told it exists and asked to sign in; false: it does not exist for them")
	if _, err := parse(fs, args, stderr, "--institution ID [--reveal-restricted=true|false]", "Shows or changes a library's settings."); err != nil {
		return err
	}
	if *inst == "" {
		fs.Usage()
		return errUsage
	}
	cfg, _, store, err := c.openArchive(ctx)
	if errors.Is(err, repository.ErrLocked) {
		return inUse(cfg, "") // a library's settings are changed only here
	}
	if err != nil {
		return err
	}
	defer store.Close()
	in, err := store.Institution(*inst)
	if errors.Is(err, fault.NotFound) {
		return fmt.Errorf("no library %q (the libraries are cmu, tu and chula)", *inst)
	}
	if err != nil {
		return err
	}
	if *reveal != "" {
		b, err := strconv.ParseBool(*reveal)
		if err != nil {
			return fmt.Errorf("--reveal-restricted=%q is not true or false", *reveal)
		}
		in.RevealRestricted = b
		if err := store.SaveInstitution(ctx, in); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%s (%s / %s): reveal restricted items: %v\n", in.ID, in.Name.Get("en"), in.Name.Get("th"), in.RevealRestricted)
	return nil
}
