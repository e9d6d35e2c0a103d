package contentsearch

import (
	"testing"

	"github.com/thaiarchives/archive/search/thai"
)

// A query that repeats one word (or phrase) up to its 256 bytes costs one
// pass over the places the word occurs, not one per repetition: "the the
// the …" over a 500-page book was 13 times the work of "the".
func TestRepeatedWordsOfAQueryAreLookedForOnce(t *testing.T) {
	dict, err := thai.Shared()
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{
		"การ การ การ การ การ": 1,
		"the THE The the": 1,
		`"สำนัก หอสมุด" "สำนัก หอสมุด" สำนัก`: 2,
		"ห้องสมุด มหาวิทยาลัย ห้องสมุด":       2,
	} {
		if got := phrases(dict, q); len(got) != want {
			t.Errorf("%q: %d phrases %q, want %d", q, len(got), got, want)
		}
	}
}
