package web

import (
	"strings"
	"testing"
)

// TestCatalogReads: the words the pages use come from messages.tsv, every
// line of which has a key, Thai and English; a broken line stops the
// program at start with its line number rather than showing a key.
func TestCatalogReads(t *testing.T) {
	if len(messages) < 400 || messages["site"][0] != "คลังสารสนเทศร่วม" || messages["site"][1] != "Shared Archive" {
		t.Fatalf("the catalog read %d words, site = %q", len(messages), messages["site"])
	}
	for _, bad := range []struct{ text, want string }{
		{"# a note\nsite\tคลัง\n", "line 2"},
		{"site\tคลัง\tArchive\nsite\tคลัง\tArchive\n", "line 2: site is there twice"},
		{"site\t\tArchive\n", "line 1"},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), bad.want) {
					t.Errorf("%q: %v, want a stop naming %s", bad.text, r, bad.want)
				}
			}()
			parseCatalog(bad.text)
		}()
	}
}
