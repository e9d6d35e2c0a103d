package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// batchSize is how many feed entries (or, rebuilding, items) one index
// batch takes.
const batchSize = 500

// Waiter is the part of the repository that wakes a follower.
type Waiter interface {
	FeedWait(ctx context.Context, after uint64) error
}

// Follow keeps the index in step with the repository until ctx ends:
// it catches up, waits for the next change, and catches up again. A
// failure is logged and retried; it never stops following.
func (x *Index) Follow(ctx context.Context, w Waiter) {
	delay := time.Second
	for ctx.Err() == nil {
		n, err := x.CatchUp(ctx)
		if errors.Is(err, errClosed) {
			return
		}
		if err != nil {
			if ctx.Err() == nil {
				x.opts.Log.Warn("search index could not catch up with the archive", "err", err, "retry", delay)
			}
			select {
			case <-ctx.Done():
			case <-time.After(delay):
			}
			delay = min(2*delay, time.Minute)
			continue
		}
		delay = time.Second
		if n > 0 {
			x.opts.Log.Debug("search index caught up", "changes", n)
		}
		if err := w.FeedWait(ctx, x.position().Seq); err != nil && ctx.Err() == nil {
			x.opts.Log.Warn("waiting for changes", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(delay):
			}
		}
	}
}

// position is how far into which feed the index has read.
func (x *Index) position() cursor {
	x.stateMu.Lock()
	defer x.stateMu.Unlock()
	return x.cursor
}

// WaitFor returns when the index has applied every change the repository
// had made when it was called, or when ctx ends: a search that waits
// finds what its asker has just saved.
func (x *Index) WaitFor(ctx context.Context) error {
	epoch, last, err := x.src.FeedEpoch()
	if err != nil {
		return err
	}
	for {
		x.stateMu.Lock()
		c, ch := x.cursor, x.applied
		x.stateMu.Unlock()
		if c.Epoch == epoch && c.Seq >= last {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// CatchUp applies every change the index has not seen and returns how many
// it applied. An index of another feed (a rebuilt repository), or none, is
// rebuilt from the records.
func (x *Index) CatchUp(ctx context.Context) (int, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.isClosed() {
		return 0, errClosed
	}
	epoch, last, err := x.src.FeedEpoch()
	if err != nil {
		return 0, err
	}
	c := x.position()
	if c.Epoch != epoch || c.Seq > last || x.index() == nil {
		return x.rebuild(ctx, epoch, last)
	}
	n := 0
	for ctx.Err() == nil {
		entries, err := x.src.Feed(c.Seq, batchSize)
		if err != nil || len(entries) == 0 {
			return n, err
		}
		ids, err := x.affected(entries)
		if err != nil {
			return n, err
		}
		c.Seq = entries[len(entries)-1].Seq
		idx := x.index()
		if err := x.apply(idx, ids); err != nil {
			return n, err
		}
		if err := x.commit(idx, c); err != nil {
			return n, err
		}
		n += len(entries)
	}
	return n, ctx.Err()
}

// affected lists the items a run of changes touches: the items themselves,
// every item below a changed collection (its title and access are theirs
// too), and every item of a changed library.
func (x *Index) affected(entries []repository.FeedEntry) ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	add := func(list []string) {
		for _, id := range list {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	for _, e := range entries {
		switch e.Kind {
		case "item":
			add([]string{e.ID})
		case "entry":
			add([]string{entryKey(e.ID)})
		case "collection":
			list, err := x.itemsBelow(e.ID)
			if err != nil {
				return nil, err
			}
			add(list)
		case "institution":
			// Its name is in its items' and its harvested entries' documents.
			list, _, err := x.src.ItemsOfInstitutionAt(e.ID, 0, 1<<30)
			if err != nil {
				return nil, err
			}
			add(list)
			entries, err := x.src.EntryIDsOf(e.ID)
			if err != nil {
				return nil, err
			}
			for i, id := range entries {
				entries[i] = entryKey(id)
			}
			add(entries)
		}
	}
	return ids, nil
}

func (x *Index) itemsBelow(collection string) ([]string, error) {
	var out []string
	todo := []string{collection}
	for len(todo) > 0 && len(todo) < 100000 {
		id := todo[0]
		todo = todo[1:]
		items, _, err := x.src.ItemsInCollectionAt(id, 0, 1<<30)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		children, err := x.src.Children(id)
		if err != nil {
			return nil, err
		}
		for _, c := range children {
			todo = append(todo, c.ID)
		}
	}
	return out, nil
}

// apply indexes (or removes) the items ids into idx, in batches.
func (x *Index) apply(idx bleve.Index, ids []string) error {
	l := newLookups(x.src)
	now := x.opts.Now()
	b := idx.NewBatch()
	for _, id := range ids {
		if entry, ok := EntryOf(id); ok {
			if err := x.applyEntry(l, b, entry); err != nil {
				return err
			}
			continue
		}
		it, err := x.src.Item(id)
		switch {
		case errors.Is(err, fault.NotFound):
			b.Delete(id)
		case err != nil:
			return err
		default:
			d, err := newDocument(l, it, now)
			if err != nil {
				return err
			}
			// The text of the pages is content: an item whose description
			// anyone may read but whose pages only its library may see
			// whole (metadata only, or reduced images) keeps its page text
			// out of the index, as searching inside it is refused too.
			if d != nil && !slices.Contains(d.Facet, "access:"+repository.MetadataOnly) && !slices.Contains(d.Facet, "access:"+repository.Reduced) {
				if d.Text, err = x.pageTexts(context.Background(), it); err != nil {
					return err
				}
			}
			if d == nil {
				b.Delete(id)
				break
			}
			d.pair()
			if err := b.Index(id, d); err != nil {
				return fmt.Errorf("indexing item %s: %w", id, err)
			}
		}
		if b.Size() >= batchSize {
			if err := idx.Batch(b); err != nil {
				return fmt.Errorf("writing to the search index: %w", err)
			}
			b.Reset()
		}
	}
	if err := idx.Batch(b); err != nil {
		return fmt.Errorf("writing to the search index: %w", err)
	}
	return nil
}

// commit records how far the index has read, after the changes it read
// are written: a crash in between repeats some work, which is harmless,
// and never skips any.
func (x *Index) commit(idx bleve.Index, c cursor) error {
	if err := idx.SetInternal(keyCursor, cursorBytes(c)); err != nil {
		return fmt.Errorf("writing to the search index: %w", err)
	}
	x.setCursor(c)
	return nil
}

// cursorBytes is how a cursor is kept: two plain fields, which always encode.
func cursorBytes(c cursor) []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // a string and a number
	}
	return b
}

func (x *Index) setCursor(c cursor) {
	x.stateMu.Lock()
	x.cursor = c
	close(x.applied)
	x.applied = make(chan struct{})
	x.stateMu.Unlock()
}

// rebuild indexes every item from the records into a new index beside the
// current one, which goes on answering until the new one takes its place.
// The cursor is where the feed stood before it began: changes made
// meanwhile are applied again by the next CatchUp.
func (x *Index) rebuild(ctx context.Context, epoch string, last uint64) (int, error) {
	x.opts.Log.Info("search index: indexing every record", "feed", epoch)
	tmp := ""
	if x.path != "" {
		tmp = x.path + ".rebuilding"
	}
	idx, err := x.create(tmp)
	if err != nil {
		return 0, err
	}
	n, err := x.fill(ctx, idx)
	if err == nil {
		err = compact(ctx, idx)
	}
	if err == nil {
		err = idx.SetInternal(keyCursor, cursorBytes(cursor{Epoch: epoch, Seq: last}))
	}
	if err == nil && tmp == "" { // in memory: the new index takes the old one's place
		err = x.swap(func() (bleve.Index, error) { return idx, nil })
	} else {
		if cerr := idx.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = x.swap(func() (bleve.Index, error) { return x.replace(tmp) })
		}
	}
	if err != nil {
		if tmp != "" {
			if rerr := os.RemoveAll(tmp); rerr != nil {
				x.opts.Log.Warn("removing a failed search index", "err", rerr)
			}
		}
		return n, err
	}
	x.setCursor(cursor{Epoch: epoch, Seq: last})
	x.opts.Log.Info("search index: rebuilt", "items", n)
	return n, nil
}

// swap closes the live index and puts next's in its place, unless the
// index was closed meanwhile. When next fails, the old index answers
// again if it can; if not, searches are told the index is being rebuilt
// (never a nil index, never a second close).
func (x *Index) swap(next func() (bleve.Index, error)) error {
	x.idxMu.Lock()
	defer x.idxMu.Unlock()
	if x.closed {
		return ErrRebuilding
	}
	if x.idx != nil {
		if err := x.idx.Close(); err != nil {
			x.opts.Log.Warn("closing the replaced search index", "err", err)
		}
		x.idx = nil
	}
	idx, err := next()
	if err != nil {
		if x.path != "" {
			if old, oerr := bleve.Open(x.path); oerr == nil {
				x.idx = old
			}
		}
		return err
	}
	x.idx, x.fresh = idx, false
	return nil
}

// replace moves the index built at tmp to the index's path and opens it;
// on failure the old folder is put back.
func (x *Index) replace(tmp string) (bleve.Index, error) {
	old := x.path + ".old"
	if err := os.RemoveAll(old); err != nil {
		return nil, err
	}
	if err := os.Rename(x.path, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	idx, err := func() (bleve.Index, error) {
		if err := os.Rename(tmp, x.path); err != nil {
			return nil, err
		}
		return bleve.Open(x.path)
	}()
	if err != nil {
		os.RemoveAll(x.path)
		if rerr := os.Rename(old, x.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			x.opts.Log.Error("putting the old search index back", "err", rerr)
		}
		return nil, fmt.Errorf("opening the rebuilt search index: %w", err)
	}
	if err := os.RemoveAll(old); err != nil {
		x.opts.Log.Warn("removing the replaced search index", "err", err)
	}
	return idx, nil
}

// fill indexes every item into idx, reading each library's identifiers a
// page at a time, the libraries' pages together in each batch: what it
// holds is a batch, however large the archive, and the records first in the
// index's order (which facet estimates count) are every library's alike.
func (x *Index) fill(ctx context.Context, idx bleve.Index) (int, error) {
	insts, err := x.src.Institutions()
	if err != nil {
		return 0, err
	}
	progress := x.opts.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	total := 0
	for _, in := range insts {
		_, count, err := x.src.ItemsOfInstitutionAt(in.ID, 0, 0)
		if err != nil {
			return 0, err
		}
		total += count
	}
	progress(0, total)
	n := 0
	after := make([]string, len(insts))
	finished := make([]bool, len(insts))
	per := max(1, batchSize/max(1, len(insts)))
	for {
		var ids []string
		for i, in := range insts {
			if finished[i] {
				continue
			}
			page, err := x.src.ItemsOfInstitution(in.ID, after[i], per)
			if err != nil {
				return n, err
			}
			ids = append(ids, page.IDs...)
			after[i], finished[i] = page.Next, page.Next == ""
		}
		if len(ids) == 0 {
			return x.fillEntries(ctx, idx, insts, n)
		}
		if err := ctx.Err(); err != nil {
			return n, err
		}
		if err := x.apply(idx, ids); err != nil {
			return n, err
		}
		n += len(ids)
		progress(n, max(n, total))
	}
}

// compact merges a freshly filled index into one segment, so queries
// need not visit the hundreds of small ones its batches made.
func compact(ctx context.Context, idx bleve.Index) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	if sc, ok := adv.(*scorch.Scorch); ok {
		return sc.ForceMerge(ctx, nil)
	}
	return nil
}

// Rebuild indexes everything again from the records (archive reindex).
func (x *Index) Rebuild(ctx context.Context) (int, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	epoch, last, err := x.src.FeedEpoch()
	if err != nil {
		return 0, err
	}
	return x.rebuild(ctx, epoch, last)
}
