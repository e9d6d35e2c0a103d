package ead

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// header are the parts of a finding aid about the finding aid itself: its
// header is kept (readHeader) and written back in the export's <control>;
// its front matter, which EAD3 does not have, is not kept.
var header = map[string]string{"eadheader": "header_kept", "control": "header_kept", "frontmatter": "header_not_kept"}

// countElements counts the document's elements by name.
func countElements(root *node) map[string]int {
	counts := map[string]int{}
	var walk func(*node)
	walk = func(n *node) {
		counts[n.name]++
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(root)
	return counts
}

// noteHeader notes what became of the finding aid's own header.
func (f *Finding) noteHeader(root *node) {
	for _, k := range root.kids {
		if kind := header[k.name]; kind != "" && !internal(k) {
			f.Notes = append(f.Notes, Note{Kind: kind, Args: []string{strconv.Itoa(k.line), k.name}})
		}
	}
}

// Report says what the import read and kept as written: a note of the
// totals with a count per kind of element (read → kept, by name; EAD
// 2002's names are kept under EAD3's), then what it says of the finding
// aid as a whole. What it could not keep of a unit is in that unit's
// notes (Made.Notes), each with its line.
func (f *Finding) Report() []Note {
	read, kept := 0, 0
	for _, n := range f.Read {
		read += n
	}
	for _, n := range f.Kept {
		kept += n
	}
	names := slices.Sorted(maps.Keys(f.Read))
	for name := range f.Kept {
		if _, ok := f.Read[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var kinds []string
	for _, name := range names {
		kinds = append(kinds, fmt.Sprintf("%s %d→%d", name, f.Read[name], f.Kept[name]))
	}
	out := []Note{{Kind: "read", Args: []string{f.Version, strconv.Itoa(read), strconv.Itoa(kept), strings.Join(kinds, ", ")}}}
	return append(out, f.Notes...)
}
