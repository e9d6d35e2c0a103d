package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// runFixity re-reads every master and checks it against the SHA-256 it was
// registered with, and that its derivatives are there; each item's result
// goes into its event trail.
func runFixity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fixity", flag.ContinueOnError)
	var c common
	c.register(fs)
	if _, err := parse(fs, args, stderr, "[flags]", "Re-reads every stored master, checks its SHA-256 and its derivatives, and records a fixity event for each item."); err != nil {
		return err
	}
	_, blobs, store, err := c.openArchive(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	ins, err := store.Institutions()
	if err != nil {
		return err
	}
	checked, failed := 0, 0
	for _, in := range ins {
		ids, _, err := store.ItemsOfInstitutionAt(in.ID, 0, 1<<30)
		if err != nil {
			return err
		}
		for _, id := range ids {
			it, err := store.Item(id)
			if err != nil {
				return err
			}
			problems := checkItem(ctx, blobs, it)
			if ctx.Err() != nil {
				return errors.New("interrupted")
			}
			ev := repository.Event{Object: it.ID, Type: "fixity check", Outcome: "success", Detail: fmt.Sprintf("%d files re-read, sha256 as registered", len(it.Files))}
			if len(problems) > 0 {
				failed++
				ev.Outcome, ev.Detail = "failure", fmt.Sprint(problems)
				for _, p := range problems {
					fmt.Fprintf(stdout, "item %s: %s\n", it.ID, p)
				}
			}
			if err := store.Record(ctx, ev); err != nil {
				return err
			}
			checked++
		}
	}
	fmt.Fprintf(stdout, "%d items checked, %d with problems\n", checked, failed)
	if failed > 0 {
		return errSilent
	}
	return nil
}

func checkItem(ctx context.Context, blobs storage.Blobs, it *repository.Item) []string {
	var problems []string
	seen := map[string]bool{}
	for _, f := range it.Files {
		if !seen[f.SHA256] {
			seen[f.SHA256] = true
			if err := checkBlob(ctx, blobs, storage.DigestKey(f.SHA256), f.SHA256, f.Size); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", f.Name, err))
			}
		}
		for role, key := range f.Derivatives {
			if _, err := blobs.Stat(ctx, key); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %s derivative: %v", f.Name, role, err))
			}
		}
	}
	return problems
}

func checkBlob(ctx context.Context, blobs storage.Blobs, key, want string, size int64) error {
	rc, err := blobs.Get(ctx, key, 0, -1)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, rc, make([]byte, 1<<20))
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want || n != size {
		return fmt.Errorf("stored copy has sha256 %s and %d bytes, registered %s and %d bytes: it is damaged", got, n, want, size)
	}
	return nil
}
