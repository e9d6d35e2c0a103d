package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// entryPrefix begins the index's id of a harvested catalogue entry: an
// item's id never holds a colon.
const entryPrefix = "entry:"

// EntryOf reports whether a hit is a harvested catalogue entry, and its id.
func EntryOf(hit string) (string, bool) { return strings.CutPrefix(hit, entryPrefix) }

// entryKey is the index's id of entry id.
func entryKey(id string) string { return entryPrefix + id }

// newEntryDocument builds the index's document of a harvested entry, or
// nil when it is deleted. An entry is a public description of another
// repository's material: every visitor may find it.
func newEntryDocument(l *lookups, e *repository.Entry, now time.Time) (*document, error) {
	aud := access.Audience(access.EntryResource(e), now)
	if len(aud) == 0 {
		return nil, nil
	}
	d := &document{
		Title:       values(e.Title),
		Summary:     values(e.Summary),
		Creator:     e.Creators,
		Identifier:  append([]string{e.Identifier}, e.Identifiers...),
		Audience:    aud,
		Closed:      closed(aud),
		SortTitleTH: sortKey(e.Title, "th"),
		SortTitleEN: sortKey(e.Title, "en"),
	}
	d.facet("library", e.Institution)
	d.facet("source", e.Source)
	d.facet("type", e.Type)
	for _, lang := range e.Language {
		d.facet("language", lang)
	}
	for _, s := range e.Subjects {
		d.Subjects = append(d.Subjects, values(s)...)
	}
	if in, err := l.Institution(e.Institution); err == nil {
		d.Library = values(in.Name)
	} else if !errors.Is(err, fault.NotFound) {
		return nil, err
	}
	for _, w := range [][]string{d.Title, d.Summary, d.Creator, d.Subjects} {
		d.Words = append(d.Words, w...)
	}
	if err := d.setDates(e.Date); err != nil {
		return nil, fmt.Errorf("entry %s: %w", e.ID, err)
	}
	return d, nil
}

// applyEntry puts entry id's document in batch b, or its removal.
func (x *Index) applyEntry(l *lookups, b *bleve.Batch, id string) error {
	e, err := x.src.Entry(id)
	if errors.Is(err, fault.NotFound) {
		b.Delete(entryKey(id))
		return nil
	}
	if err != nil {
		return err
	}
	d, err := newEntryDocument(l, e, x.opts.Now())
	if err != nil {
		return err
	}
	if d == nil {
		b.Delete(entryKey(id))
		return nil
	}
	d.pair()
	if err := b.Index(entryKey(id), d); err != nil {
		return fmt.Errorf("indexing entry %s: %w", id, err)
	}
	return nil
}

// fillEntries indexes every library's harvested entries into idx after
// its n items, a batch at a time.
func (x *Index) fillEntries(ctx context.Context, idx bleve.Index, insts []*repository.Institution, n int) (int, error) {
	for _, in := range insts {
		ids, err := x.src.EntryIDsOf(in.ID)
		if err != nil {
			return n, err
		}
		for start := 0; start < len(ids); start += batchSize {
			if err := ctx.Err(); err != nil {
				return n, err
			}
			part := ids[start:min(start+batchSize, len(ids))]
			keys := make([]string, len(part))
			for i, id := range part {
				keys[i] = entryKey(id)
			}
			if err := x.apply(idx, keys); err != nil {
				return n, err
			}
			n += len(part)
		}
	}
	return n, nil
}
