package thai

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
)

// DefaultPaths lists the dictionaries of a tokenizer configured without
// any: libthai's, as Debian's libthai-data installs it (about 25,000 words,
// LGPL-2.1+). It segments closer to ICU than hunspell-th's larger list or
// the union of both (see the package documentation).
var DefaultPaths = []string{LibthaiPath}

// Where Debian installs the dictionaries this package can read.
const (
	LibthaiPath  = "/usr/share/libthai/thbrk.tri"  // libthai-data
	HunspellPath = "/usr/share/hunspell/th_TH.dic" // hunspell-th
)

// Dict is a set of Thai words held as a trie over the characters of the
// Thai block, for finding every word that starts at a position of a text.
// A Dict is read-only and safe for concurrent use; the zero Dict has no
// words.
type Dict struct {
	// Node s has an edge labels[i] (a character's offset in the Thai
	// block) to node kids[i] for i in [off, off+n); node 0 is the root.
	nodes  []node
	labels []byte
	kids   []uint32
	root   [128]uint32 // the root's edges by label, 0 for none
	words  int
	pool   sync.Pool // of *segmenter, scratch space for Segment
}

type node struct {
	off   uint32
	n     uint8
	final bool // a word ends here
}

// NewDict returns a dictionary of the given words, normalised as text is.
// Words that cannot occur inside a Thai run (with Latin letters, digits,
// spaces or hyphens) are left out, as the segmenter never looks them up.
func NewDict(words ...string) *Dict {
	b := newBuilder()
	for _, w := range words {
		b.add(w)
	}
	return b.dict()
}

// LoadDict reads word lists into one dictionary, recognising three forms:
//   - a libdatrie trie (libthai's thbrk.tri), by its signature;
//   - a hunspell .dic file, by a first line that is a number: each entry
//     loses its /FLAGS and any morphological fields;
//   - otherwise a plain list: the first field of each line (up to a space or
//     tab, so that `trietool thbrk list` output loads as is), skipping blank
//     lines and lines starting with #.
func LoadDict(paths ...string) (*Dict, error) {
	b := newBuilder()
	for _, p := range paths {
		if err := b.load(p); err != nil {
			return nil, err
		}
	}
	return b.dict(), nil
}

// Len reports the number of distinct words in d.
func (d *Dict) Len() int { return d.words }

// Contains reports whether w, normalised, is a word of d.
func (d *Dict) Contains(w string) bool {
	rs := thaiWord(w, nil)
	if rs == nil {
		return false
	}
	s := uint32(0)
	for _, r := range rs {
		var ok bool
		if s, ok = d.step(s, r); !ok {
			return false
		}
	}
	return d.nodes[s].final
}

// step follows the edge for the Thai letter r from node s.
func (d *Dict) step(s uint32, r rune) (uint32, bool) {
	if s == 0 {
		t := d.root[(r-0x0e00)&0x7f]
		return t, t != 0
	}
	n := d.nodes[s]
	c := byte(r - 0x0e00)
	for i, l := range d.labels[n.off : n.off+uint32(n.n)] {
		if l == c {
			return d.kids[n.off+uint32(i)], true
		}
	}
	return 0, false
}

// builder collects words into a trie that is easy to grow, then lays it
// out as a Dict.
type builder struct {
	next  map[uint32]uint32 // node<<7 | label → node
	final []bool
	words int
	buf   []unit
}

func newBuilder() *builder {
	return &builder{next: make(map[uint32]uint32), final: []bool{false}}
}

func (b *builder) dict() *Dict {
	d := &Dict{nodes: make([]node, len(b.final)), words: b.words}
	for k := range b.next {
		d.nodes[k>>7].n++
	}
	off := uint32(0)
	for s := range d.nodes {
		d.nodes[s].off = off
		d.nodes[s].final = b.final[s]
		off += uint32(d.nodes[s].n)
	}
	d.labels = make([]byte, off)
	d.kids = make([]uint32, off)
	fill := make([]uint8, len(d.nodes))
	for k, t := range b.next {
		s := k >> 7
		i := d.nodes[s].off + uint32(fill[s])
		fill[s]++
		d.labels[i], d.kids[i] = byte(k&0x7f), t
		if s == 0 {
			d.root[k&0x7f] = t
		}
	}
	return d
}

func (b *builder) load(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("thai dictionary %s: no such file; %s: %w", path, remedy(path), fs.ErrNotExist)
	}
	if err != nil {
		return fmt.Errorf("thai dictionary: %w", err)
	}
	if isTri(data) {
		err = readTri(data, b.add)
	} else {
		err = b.read(bytes.NewReader(data))
	}
	if err != nil {
		return fmt.Errorf("thai dictionary %s: %w", path, err)
	}
	return nil
}

func remedy(path string) string {
	switch path {
	case LibthaiPath:
		return "install Debian's libthai-data or set the thai tokenizer's \"dictionaries\""
	case HunspellPath:
		return "install Debian's hunspell-th or set the thai tokenizer's \"dictionaries\""
	}
	return "check the thai tokenizer's \"dictionaries\""
}

func (b *builder) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	hunspell := false
	for n := 0; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 0 {
			line = strings.TrimPrefix(line, "\ufeff")
			if line != "" && strings.Trim(line, "0123456789") == "" {
				hunspell = true
				continue
			}
		}
		if line == "" || line[0] == '#' {
			continue
		}
		if i := strings.IndexAny(line, "\t "); i >= 0 {
			line = line[:i]
		}
		if hunspell {
			line = stripFlags(line)
		}
		b.add(line)
	}
	return sc.Err()
}

// stripFlags removes a hunspell /FLAGS suffix. Flags are ASCII; a slash
// followed by anything else is part of the word (th_TH.dic has the
// abbreviations บ/ช and ว/ด/ป, which then cannot match a Thai run).
func stripFlags(w string) string {
	i := strings.LastIndexByte(w, '/')
	if i < 0 {
		return w
	}
	for _, c := range w[i+1:] {
		if c >= 0x80 {
			return w
		}
	}
	return w[:i]
}

// add inserts w into the trie.
func (b *builder) add(w string) {
	b.buf = normalize(w, b.buf[:0])
	rs := thaiWord(w, b.buf)
	if len(rs) == 0 {
		return
	}
	s := uint32(0)
	for _, r := range rs {
		k := s<<7 | uint32(r-0x0e00)
		t, ok := b.next[k]
		if !ok {
			t = uint32(len(b.final))
			b.final = append(b.final, false)
			b.next[k] = t
		}
		s = t
	}
	if !b.final[s] {
		b.final[s] = true
		b.words++
	}
}

// thaiWord returns the characters of a dictionary entry as the segmenter
// sees them, or nil if the entry cannot occur in a Thai run. The ฯ of an
// abbreviation is dropped (กรุงเทพฯ is found as กรุงเทพ), as in text.
// Given nil units, it normalises w itself.
func thaiWord(w string, units []unit) []rune {
	if units == nil {
		units = normalize(w, nil)
	}
	if w == "ฯลฯ" {
		return nil
	}
	rs := make([]rune, 0, len(units))
	for _, u := range units {
		switch {
		case u.r == paiyannoi:
		case isThaiLetter(u.r):
			rs = append(rs, u.r)
		default:
			return nil
		}
	}
	if len(rs) == 0 {
		return nil
	}
	return rs
}
