// Command archive is the shared digital archive of Chiang Mai, Thammasat and
// Chulalongkorn universities' libraries: one binary whose subcommands serve,
// fill and look after it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

type command struct {
	name, args, summary string
	run                 func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "[flags]", "run the web service: IIIF, pages and the API", runServe},
		{"ingest", "[flags] PATH...", "put folders, BagIt bags, metadata sheets and files into the archive", runIngest},
		{"describe", "[--dry-run] [--institution ID] SHEET", "describe items already in the archive from a metadata sheet, as new versions", runDescribe},
		{"fixity", "[flags]", "re-read every master and derivative and check its SHA-256 (exit 1 when one is damaged)", runFixity},
		{"repair", "--from DIR|s3://BUCKET [ITEM...]", "restore damaged or missing blobs from a backup or another bucket, after checking the copy", runRepair},
		{"gc", "[--dry-run]", "remove blobs that no item refers to (left by interrupted ingests)", runGC},
		{"rebuild", "[--force]", "recreate the metadata store from blob storage alone", runRebuild},
		{"reindex", "", "rebuild the search index from the metadata store", runReindex},
		{"arks", "", "give an ARK to every item and collection made before the archive minted them", runARKs},
		{"ocr", "ITEM...|--all", "read the text of items' pages (Tesseract, Thai and English) for search inside them", runOCR},
		{"backup", "--to DIR|s3://BUCKET|FILE.db", "back up metadata and every blob not yet in the backup (or the metadata store alone), also while serving", runBackup},
		{"restore", "--from DIR|s3://BUCKET", "fill empty storage from a backup and rebuild the metadata store", runRestore},
		{"user", "add|list|disable|passwd", "manage the people who sign in, their library and role", runUser},
		{"token", "create|revoke|list", "manage API tokens for scripts (shown once, kept hashed)", runToken},
		{"harvest", "add|list|run|remove", "register the libraries' own repositories (OAI-PMH) and harvest their records into the catalogue", runHarvest},
		{"library", "--institution ID [--reveal-restricted=true|false]", "show or change a library's settings", runLibrary},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `archive — the shared digital archive of Chiang Mai, Thammasat and Chulalongkorn universities' libraries.

Usage: archive COMMAND [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `
Run "archive COMMAND --help" for a command's flags. Every command reads the same
settings: flags, then ARCHIVE_* environment variables, then a config file
(--config or ARCHIVE_CONFIG); with none, data lives in ./data on local disk.
`)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes a command line and returns the exit status: 0 done, 1 failed,
// 2 misused.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		case errors.Is(err, errSilent):
			return 1
		}
		fmt.Fprintf(stderr, "archive %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "archive: unknown command %q; run \"archive --help\" for the list\n", args[0])
	return 2
}

var errUsage = errors.New("usage")

// parse parses flags that may come before, between or after positional
// arguments, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer, argsUsage, summary string) ([]string, error) {
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: archive %s %s\n\n%s\n\nFlags:\n", fs.Name(), argsUsage, summary)
		fs.PrintDefaults()
	}
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}
