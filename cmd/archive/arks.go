package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/thaiarchives/archive/ark"
)

// arkSettings: ARCHIVE_ARK_NAAN (default the ARK test NAAN, 99999, until
// the libraries register one) and ARCHIVE_ARK_SHOULDERS, each library's
// shoulder as cmu=c1 tu=t1 cu=k1 (default ark.DefaultShoulder).
func arkSettings(st settings) (*ark.Minter, error) {
	naan := st["ARCHIVE_ARK_NAAN"]
	if naan == "" {
		naan = ark.TestNAAN
	}
	shoulders := map[string]string{}
	for _, f := range strings.Fields(strings.ReplaceAll(st["ARCHIVE_ARK_SHOULDERS"], ",", " ")) {
		lib, sh, ok := strings.Cut(f, "=")
		if !ok || lib == "" {
			return nil, fmt.Errorf("ARCHIVE_ARK_SHOULDERS: %q is not LIBRARY=SHOULDER, such as cmu=c1", f)
		}
		shoulders[lib] = sh
	}
	m, err := ark.NewMinter(naan, shoulders)
	if err != nil {
		return nil, fmt.Errorf("ARCHIVE_ARK_NAAN, ARCHIVE_ARK_SHOULDERS: %v", err)
	}
	return m, nil
}

// runARKs gives an ARK to every item and collection made before the
// archive minted them (the service does it by itself when it starts).
func runARKs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("arks", flag.ContinueOnError)
	var c common
	c.register(fs)
	if _, err := parse(fs, args, stderr, "", "Gives an ARK to every item and collection made before the archive minted them, as a new version of each (the service does it when it starts)."); err != nil {
		return err
	}
	_, _, store, err := c.openArchive(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	n, err := store.MintARKs(ctx, "archive arks", func(done int) { fmt.Fprintf(stderr, "arks: %d records given an ARK\n", done) })
	if err != nil {
		return fmt.Errorf("minting ARKs: %w", err)
	}
	fmt.Fprintf(stdout, "%d records given an ARK\n", n)
	return nil
}
