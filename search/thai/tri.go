package thai

import (
	"encoding/binary"
	"errors"
)

// libdatrie's file format (libdatrie 0.2, as in Debian's libthai-data
// /usr/share/libthai/thbrk.tri), all integers big-endian:
//
//	alpha map: 0xD9FCD9FC, n, then n ranges [begin, end] of Unicode
//	           characters; the k-th character of the ranges is trie char k.
//	double array: 0xDAFCDAFC, cell count, then (base, check) per cell from
//	           cell 1; the root is cell 2. Cell t is a child of s by trie
//	           char c when t = base[s]+c and check[t] = s; trie char 0 ends a
//	           word. A negative base -i sends the rest of the word to tail i.
//	tail:      0xDFFCDFFC, first free, count, then per tail block: next
//	           free, data, a 16-bit length and that many trie chars.
const (
	triAlphaMagic = 0xD9FCD9FC
	triArrayMagic = 0xDAFCDAFC
	triTailMagic  = 0xDFFCDFFC
	triRoot       = 2
	triMaxDepth   = 256
)

var errTri = errors.New("malformed libdatrie file")

func isTri(b []byte) bool {
	return len(b) >= 4 && binary.BigEndian.Uint32(b) == triAlphaMagic
}

type triReader struct {
	b   []byte
	err error
}

func (r *triReader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = errTri
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *triReader) u32() uint32 {
	if p := r.take(4); p != nil {
		return binary.BigEndian.Uint32(p)
	}
	return 0
}

// count reads a length and checks it against the bytes left, each element
// taking at least size bytes.
func (r *triReader) count(size int) int {
	n := int(int32(r.u32()))
	if n < 0 || n > len(r.b)/size {
		r.err = errTri
		return 0
	}
	return n
}

// readTri calls add with every word of a libdatrie trie file.
func readTri(b []byte, add func(string)) error {
	r := &triReader{b: b}
	if r.u32() != triAlphaMagic {
		return errTri
	}
	alpha := []rune{0} // trie char 0 ends a word
	for range r.count(8) {
		lo, hi := rune(r.u32()), rune(r.u32())
		for c := lo; c <= hi && len(alpha) < 256; c++ {
			alpha = append(alpha, c)
		}
	}
	if r.u32() != triArrayMagic {
		return errTri
	}
	cells := int(int32(r.u32()))
	if cells <= triRoot || cells-1 > len(r.b)/8 {
		return errTri
	}
	base, check := make([]int32, cells), make([]int32, cells)
	for i := 1; i < cells; i++ {
		base[i], check[i] = int32(r.u32()), int32(r.u32())
	}
	if r.u32() != triTailMagic {
		return errTri
	}
	r.u32() // first free tail block
	tails := make([][]byte, r.count(10))
	for i := range tails {
		r.take(8) // next free, data
		n := r.take(2)
		if n == nil {
			break
		}
		tails[i] = r.take(int(binary.BigEndian.Uint16(n)))
	}
	if r.err != nil {
		return r.err
	}

	var walk func(s int32, path []rune, depth int)
	walk = func(s int32, path []rune, depth int) {
		if depth > triMaxDepth {
			return
		}
		if base[s] < 0 {
			t := int(-base[s]) - 1
			if t >= len(tails) {
				return
			}
			for _, c := range tails[t] {
				if c == 0 {
					break
				}
				if int(c) >= len(alpha) {
					return
				}
				path = append(path, alpha[c])
			}
			add(string(path))
			return
		}
		for c := range len(alpha) {
			t := int(base[s]) + c
			if t <= triRoot || t >= cells || check[t] != s {
				continue
			}
			if c == 0 {
				walk(int32(t), path, depth+1)
			} else {
				walk(int32(t), append(path, alpha[c]), depth+1)
			}
		}
	}
	walk(triRoot, make([]rune, 0, 64), 0)
	return nil
}
