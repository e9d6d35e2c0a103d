package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/search"
	"github.com/thaiarchives/archive/storage/local"
)

// counts are what the store says each library holds.
func counts(t *testing.T, store *bolt.Store) (items, cols map[string]int) {
	t.Helper()
	items, cols = map[string]int{}, map[string]int{}
	for _, lib := range libraries {
		_, n, err := store.ItemsOfInstitutionAt(lib, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := store.Collections(lib)
		if err != nil {
			t.Fatal(err)
		}
		items[lib], cols[lib] = n, len(cs)
	}
	return items, cols
}

// The generator's archive holds N records spread over the three libraries
// in sets of twenty, some restricted and some under embargo, each titled in
// Thai and English, and `archive rebuild` brings back the same counts from
// storage alone.
func TestMakeFillsEveryLibraryAndRebuildGivesTheSameCounts(t *testing.T) {
	const n = 200
	ctx := context.Background()
	dir := t.TempDir()
	blobs, err := local.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "archive.db")
	store, err := bolt.Open(ctx, path, blobs)
	if err != nil {
		t.Fatal(err)
	}
	made, err := Make(ctx, store, n, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	items, cols := counts(t, store)
	total := 0
	for _, lib := range libraries {
		if items[lib] == 0 || items[lib] != made.Items[lib] || cols[lib] != made.Collections[lib] {
			t.Errorf("%s holds %d items in %d collections; made %d in %d", lib, items[lib], cols[lib], made.Items[lib], made.Collections[lib])
		}
		total += items[lib]
		c := made.Sets[lib][len(lib)+1:]
		if _, inSet, err := store.ItemsInCollectionAt(c, 0, 1); err != nil || inSet != perCollection {
			t.Errorf("set %s holds %d items (%v), want %d", made.Sets[lib], inSet, err, perCollection)
		}
	}
	if total != n {
		t.Errorf("the libraries hold %d items together, want %d", total, n)
	}
	restricted, embargoed := 0, 0
	for i := range n {
		it, err := store.Item(itemID(i))
		if err != nil {
			t.Fatal(err)
		}
		if it.Title["th"] == "" || it.Title["en"] == "" || it.Summary["th"] == "" || it.Summary["en"] == "" || it.Date == "" {
			t.Fatalf("item %s is not described in both languages with a date: %+v", it.ID, it)
		}
		if it.Access.Level == repository.Restricted {
			restricted++
		} else if it.Access.Embargo != "" && !it.Access.OpenAt(store.Now()) {
			embargoed++
		}
	}
	if restricted == 0 || embargoed == 0 || restricted != made.Restricted || embargoed != made.Embargoed {
		t.Errorf("%d restricted and %d under embargo; made says %d and %d", restricted, embargoed, made.Restricted, made.Embargoed)
	}
	for _, id := range made.Samples {
		it, err := store.Item(id)
		if err != nil || !it.Access.OpenAt(store.Now()) {
			t.Errorf("sample %s is not open to everyone (%v)", id, err)
		}
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	got, err := bolt.Rebuild(ctx, path, blobs, true)
	if err != nil {
		t.Fatal(err)
	}
	if got.Items != n || got.Collections != sum(made.Collections) {
		t.Errorf("rebuild found %d items and %d collections, want %d and %d", got.Items, got.Collections, n, sum(made.Collections))
	}
	store, err = bolt.Open(ctx, path, blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	again, againCols := counts(t, store)
	for _, lib := range libraries {
		if again[lib] != items[lib] || againCols[lib] != cols[lib] {
			t.Errorf("after rebuild %s holds %d items in %d collections, before %d in %d", lib, again[lib], againCols[lib], items[lib], cols[lib])
		}
	}
}

// "search" finds every word of the generator in the index of its archive.
func TestSearchFindsEveryWordOfTheGenerator(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	blobs, err := local.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(ctx, filepath.Join(dir, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := runSearch([]string{"-data", dir, "-rounds", "1"}); err == nil {
		t.Error("an archive without an index was searched")
	}
	if _, err := Make(ctx, store, 300, 1, 4); err != nil {
		t.Fatal(err)
	}
	x, err := search.Open(filepath.Join(dir, "index"), store, search.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	x.Close()
	if err := runSearch([]string{"-data", dir, "-rounds", "1"}); err != nil {
		t.Error(err)
	}
}
