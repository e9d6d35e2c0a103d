package ingest

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Bounds of a file's name as the record keeps it, in bytes: a part (a
// folder's or the file's own name) as most file systems allow, the whole.
const (
	maxNamePart = 255
	maxName     = 1024
)

// DisplayName is a file's name as the record keeps it and pages show it:
// its parts (separated by / or \) in Unicode NFC, without control
// characters (NUL, CR, LF…) or the invisible marks that turn text right to
// left (which can make "gpj.exe" read as "exe.jpg"), without the parts
// that are empty, "." or "..", each part and the whole bounded in length.
// A name that has nothing left is "unnamed". The original name, when it
// differs, is kept escaped in the ingestion event.
func DisplayName(name string) string {
	var parts []string
	size := 0
	for part := range strings.FieldsFuncSeq(norm.NFC.String(name), func(r rune) bool { return r == '/' || r == '\\' }) {
		part = strings.TrimSpace(strings.Map(func(r rune) rune {
			if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
				return -1
			}
			return r
		}, part))
		if part == "" || part == "." || part == ".." {
			continue
		}
		part = cut(part, maxNamePart)
		if size+len(part)+1 > maxName {
			break
		}
		size += len(part) + 1
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return "unnamed"
	}
	return strings.Join(parts, "/")
}

// cut shortens s to at most n bytes at a character's boundary, keeping its
// extension when it has a short one.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	ext := ""
	if i := strings.LastIndexByte(s, '.'); i > 0 && len(s)-i <= 16 {
		s, ext = s[:i], s[i:]
	}
	s = s[:n-len(ext)]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + ext
}
