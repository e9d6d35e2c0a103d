// Package ark mints and reads the archive's persistent identifiers: ARKs
// (Archival Resource Keys, https://arks.org; the ARK Identifier Scheme,
// draft-kunze-ark). An ARK is ark:/NAAN/name, where the NAAN names the
// organisation that promises to keep it and the name is a library's
// shoulder, the record's identifier and a check character computed as
// NOID computes it, so that a mistyped character or two characters
// swapped are caught.
package ark

import (
	"fmt"
	"regexp"
	"strings"
)

// Alphabet is NOID's betanumeric alphabet, the one the archive's
// identifiers are made of: digits and consonants but l, so that no word
// and no 1-for-l mistake is made by chance.
const Alphabet = "0123456789bcdfghjkmnpqrstvwxz"

// TestNAAN is the NAAN the ARK Alliance sets aside for testing and
// examples (https://arks.org/about/testing-arks/): ARKs under it promise
// nothing. The archive mints under it until the libraries register a NAAN
// of their own.
const TestNAAN = "99999"

var (
	naanPattern    = regexp.MustCompile(`^[0-9bcdfghjkmnpqrstvwxz]{5,}$`)
	shoulderFormat = regexp.MustCompile(`^[bcdfghjkmnpqrstvwxz]+[0-9]$`)
	namePattern    = regexp.MustCompile(`^[0-9A-Za-z=~*+@_$.-]+$`)
)

// Check is the check character of s (NAAN/name without "ark:/"): each
// character's place in Alphabet (0 for others) times its position from 1,
// summed, modulo the alphabet's length.
func Check(s string) byte {
	sum := 0
	for i := range len(s) {
		if v := strings.IndexByte(Alphabet, s[i]); v > 0 {
			sum += (i + 1) * v
		}
	}
	return Alphabet[sum%len(Alphabet)]
}

// Minter makes ARKs under NAAN, each library's under its shoulder (a
// "primordinal" shoulder: consonants and one digit, e.g. c1).
type Minter struct {
	NAAN      string
	Shoulders map[string]string // library id → shoulder
}

// NewMinter checks naan and the shoulders: well formed, and no shoulder
// the start of another, so that no name can be read as two libraries'.
func NewMinter(naan string, shoulders map[string]string) (*Minter, error) {
	if !naanPattern.MatchString(naan) {
		return nil, fmt.Errorf("the NAAN %q is not five or more digits or betanumeric characters", naan)
	}
	for lib, sh := range shoulders {
		if !shoulderFormat.MatchString(sh) {
			return nil, fmt.Errorf("the shoulder %q of library %s is not consonants and one digit (as c1)", sh, lib)
		}
		for other, sh2 := range shoulders {
			if other != lib && strings.HasPrefix(sh2, sh) {
				return nil, fmt.Errorf("the shoulders of libraries %s (%s) and %s (%s) overlap: give each its own", lib, sh, other, sh2)
			}
		}
	}
	return &Minter{NAAN: naan, Shoulders: shoulders}, nil
}

// DefaultShoulder is a library's shoulder when none is set: the
// consonants of its id that the alphabet has, and 1 (cmu: cm1, tu: t1).
func DefaultShoulder(library string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(library) {
		if r >= 'a' && r <= 'z' && strings.ContainsRune(Alphabet, r) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		b.WriteString("x")
	}
	return b.String() + "1"
}

// Mint is the ARK of record id of library: ark:/NAAN/{shoulder}{id}{check},
// without the id's hyphens, which ARKs do not count (a-b and ab are one
// ARK: the store refuses the second record that would have it).
func (m *Minter) Mint(library, id string) string {
	sh, ok := m.Shoulders[library]
	if !ok {
		sh = DefaultShoulder(library)
	}
	base := m.NAAN + "/" + sh + strings.ReplaceAll(id, "-", "")
	return "ark:/" + base + string(Check(base))
}

// Parse reads an ARK as a person may give it: ark:/NAAN/name or the
// newer ark:NAAN/name, with hyphens (which ARKs ignore) anywhere in the
// name; it returns the ARK in the form the archive keeps, and refuses a
// name whose check character is wrong.
func Parse(s string) (string, error) {
	rest, ok := strings.CutPrefix(s, "ark:")
	if !ok {
		return "", fmt.Errorf("%q is not an ARK (ark:/NAAN/name)", s)
	}
	naan, name, ok := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	name = strings.ReplaceAll(name, "-", "")
	if !ok || !naanPattern.MatchString(naan) || len(name) < 2 || !namePattern.MatchString(name) {
		return "", fmt.Errorf("%q is not an ARK (ark:/NAAN/name)", s)
	}
	base := naan + "/" + name[:len(name)-1]
	if Check(base) != name[len(name)-1] {
		return "", fmt.Errorf("%q is not an ARK of this archive: its check character is wrong (a character mistyped?)", s)
	}
	return "ark:/" + naan + "/" + name, nil
}
