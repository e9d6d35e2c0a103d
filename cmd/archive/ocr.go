package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/thaiarchives/archive/ocr"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
)

// runOCR reads the text of the pages of the items named (or of every item
// with pages still unread, whatever its type), now. While the service holds
// the metadata store, the items are handed to its background reader.
func runOCR(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ocr", flag.ContinueOnError)
	var c common
	c.register(fs)
	all := fs.Bool("all", false, "every item with pages whose text is not read yet, whatever its type")
	workers := fs.Int("workers", 0, "pages read at once (default the number of cores)")
	ids, err := parse(fs, args, stderr, "ITEM...|--all", "Reads the text of items' pages (Tesseract, Thai and English; a PDF's own text layer where it has one) and keeps it for search.")
	if err != nil {
		return err
	}
	if *all == (len(ids) > 0) {
		fmt.Fprintln(stderr, "archive ocr: name the items whose pages to read, or give --all")
		fs.Usage()
		return errUsage
	}
	cfg, err := c.resolve()
	if err != nil {
		return err
	}
	blobs, store, err := cfg.open(ctx)
	if errors.Is(err, repository.ErrLocked) {
		if *all {
			return inUse(cfg, "the service reads the pages of items of type Text by itself; ask it for others with archive ocr ITEM")
		}
		return ocrRemote(ctx, cfg, ids, stdout, stderr)
	}
	if err != nil {
		return err
	}
	defer store.Close()
	tmp := filepath.Join(cfg.Data, "ocr")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	r := ocr.NewRunner(ocr.Config{Store: store, Blobs: blobs, Workers: *workers, TempDir: tmp, Agent: "archive ocr"})
	if *all {
		if ids, err = unreadItems(store); err != nil {
			return err
		}
	}
	start := time.Now()
	var (
		mu     sync.Mutex
		failed int
		wg     sync.WaitGroup
		pages  int
	)
	// Items side by side: the runner bounds the pages read at once.
	sem := make(chan struct{}, 4)
	for _, id := range ids {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			n := 0
			err := r.Item(ctx, id, func(done, total int) { n = done })
			mu.Lock()
			defer mu.Unlock()
			pages += n
			if err != nil {
				failed++
				fmt.Fprintf(stderr, "%s: %v\n", id, err)
				if rerr := store.Record(ctx, repository.Event{Type: "derivation", Object: id, Agent: "archive ocr", Outcome: "failure", Detail: "text of the pages not read: " + err.Error()}); rerr != nil {
					fmt.Fprintf(stderr, "%s: recording the failure: %v\n", id, rerr)
				}
				return
			}
			fmt.Fprintf(stdout, "%s: %s read\n", id, pagesOf(n))
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	fmt.Fprintf(stdout, "%s of %d items read in %.0f s (%.1f pages a minute)\n", pagesOf(pages), len(ids), secs, float64(pages)*60/max(secs, 1e-3))
	if failed > 0 {
		return fmt.Errorf("%d items not read (recorded in their history; run again to retry)", failed)
	}
	return nil
}

func pagesOf(n int) string {
	if n == 1 {
		return "1 page"
	}
	return fmt.Sprintf("%d pages", n)
}

// unreadItems lists every item with pages whose text is not read.
func unreadItems(store *bolt.Store) ([]string, error) {
	ins, err := store.Institutions()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, in := range ins {
		after := ""
		for {
			page, err := store.ItemsOfInstitution(in.ID, after, 500)
			if err != nil {
				return nil, err
			}
			for _, id := range page.IDs {
				it, err := store.Item(id)
				if err != nil {
					return nil, err
				}
				if !it.Deleted && len(ocr.Unread(it)) > 0 {
					out = append(out, id)
				}
			}
			if page.Next == "" {
				break
			}
			after = page.Next
		}
	}
	return out, nil
}

// ocrRemote hands the items to the running service's background reader.
func ocrRemote(ctx context.Context, cfg *Config, ids []string, stdout, stderr io.Writer) error {
	svc, err := findService(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "the service at %s holds the archive: asking it to read the pages\n", strings.TrimPrefix(svc.base, "http://"))
	for _, id := range ids {
		resp, err := svc.do(ctx, http.MethodPost, "/api/v1/items/"+id+"/ocr", nil, nil)
		if err != nil {
			return err
		}
		var got struct{ Unread int }
		if err := answer(resp, http.StatusAccepted, &got); err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		fmt.Fprintf(stdout, "%s: %s to read, in the background (see the desk)\n", id, pagesOf(got.Unread))
	}
	return nil
}

// startOCR starts reading the text of pages in the background, with half
// the cores; without Tesseract the service runs on, saying why no text is
// read (nil runner).
func startOCR(l *loops, cfg *Config, store *bolt.Store, blobs storage.Blobs, log *slog.Logger) (*ocr.Runner, error) {
	tess := &ocr.Tesseract{}
	if err := tess.Check(); err != nil {
		log.Warn("the text of pages is not read", "err", err)
		return nil, nil
	}
	// What a stop left there is of no use: pages are read again.
	tmp := filepath.Join(cfg.Data, "ocr")
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, err
	}
	workers := cfg.OCRWorkers
	if workers == 0 {
		workers = max(1, runtime.NumCPU()/2)
	}
	r := ocr.NewRunner(ocr.Config{Store: store, Blobs: blobs, Workers: workers, Log: log, TempDir: tmp, Tesseract: tess})
	l.run("the text of pages is not read", r.Run)
	return r, nil
}
