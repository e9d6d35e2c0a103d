package oai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
)

// recordArchive is a store of these units and items, made the way a
// rebuild brings an archive back: records in storage, then a store opened
// on them (quicker than saving each).
func recordArchive(tb testing.TB, units []repository.Collection, items []repository.Item) *bolt.Store {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	blobs, err := local.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		tb.Fatal(err)
	}
	put := func(kind, id string, v any) {
		body, err := json.Marshal(map[string]any{"schema": repository.SchemaVersion, "kind": kind, kind: v})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := blobs.Put(ctx, repository.RecordKey(kind+"s", id, 1), bytes.NewReader(body), storage.PutOptions{Size: int64(len(body))}); err != nil {
			tb.Fatal(err)
		}
	}
	for _, c := range units {
		put("collection", c.ID, c)
	}
	for _, it := range items {
		put("item", it.ID, it)
	}
	store, err := bolt.Open(ctx, filepath.Join(dir, "a.db"), blobs)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

// t0 is when the archives of recordArchive begin.
var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// recordItem is item i of a record archive, saved i seconds after t0 and
// public since then.
func recordItem(i int, unit string) repository.Item {
	at := t0.Add(time.Duration(i+1) * time.Second)
	return repository.Item{ID: fmt.Sprintf("item%07d", i), Institution: "cmu", Collection: unit, Version: 1, Type: "Text",
		Title:  repository.Text{"en": fmt.Sprintf("Item %d", i), "th": fmt.Sprintf("รายการ %d", i)},
		Rights: "http://rightsstatements.org/vocab/InC/1.0/", Access: repository.Access{Level: repository.Public},
		Created: at, Modified: at, Published: at}
}

// smallSetArchive has n items of one library, 20 of them in unit
// "small-set", spread over the whole change history.
func smallSetArchive(tb testing.TB, n int) *bolt.Store {
	unit := repository.Collection{ID: "small-set", Institution: "cmu", Level: repository.Fonds, Version: 1,
		Title: repository.Text{"en": "Small set"}, Created: t0, Modified: t0, Published: t0}
	items := make([]repository.Item, n)
	for i := range items {
		items[i] = recordItem(i, "")
		if i%(n/20) == 0 {
			items[i].Collection = unit.ID
		}
	}
	return recordArchive(tb, []repository.Collection{unit}, items)
}

// BenchmarkListRecordsOfASmallSet harvests a 20-item set whole in archives
// of 10,000 and 100,000 items: its cost must follow the set, not the archive.
func BenchmarkListRecordsOfASmallSet(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		store := smallSetArchive(b, n)
		p := &Provider{Store: store, Now: func() time.Time { return now }}
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			args := url.Values{"verb": {"ListRecords"}, "metadataPrefix": {"oai_dc"}, "set": {"cmu:small-set"}}
			for b.Loop() {
				body, err := p.Answer(context.Background(), base, site, args)
				if err != nil {
					b.Fatal(err)
				}
				if got := bytes.Count(body, []byte("<record>")); got != 20 {
					b.Fatalf("%d records, want the set's 20", got)
				}
			}
		})
	}
}
