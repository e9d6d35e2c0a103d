package search

import (
	"testing"

	"github.com/thaiarchives/archive/search/searchtest"
)

// A rebuild of the index says after each batch how many of how many items
// it has indexed, from none up to every one, never going back.
func TestRebuildSaysHowManyItemsItHasIndexed(t *testing.T) {
	words, err := searchtest.Words()
	if err != nil {
		t.Fatal(err)
	}
	const n = 1300
	src := searchtest.Generate(n, words, nil)
	var seen [][2]int
	x, err := Open("", src, Options{Progress: func(done, total int) { seen = append(seen, [2]int{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	got, err := x.Rebuild(ctx)
	if err != nil || got != n {
		t.Fatalf("indexed %d items (%v), want %d", got, err, n)
	}
	if len(seen) < n/batchSize+1 || seen[0] != [2]int{0, n} || seen[len(seen)-1] != [2]int{n, n} {
		t.Fatalf("progress %v", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i][0] < seen[i-1][0] || seen[i][1] != n {
			t.Fatalf("progress went back or changed its total: %v", seen)
		}
	}
}
