package ingest

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"hash"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

// bagAlgs are the checksum algorithms whose manifests are checked: the
// ones RFC 8493 §2.4 requires (sha256, sha512) and recommends for older
// bags (md5, sha1), and the other sizes of SHA-2.
var bagAlgs = map[string]func() hash.Hash{
	"md5": md5.New, "sha1": sha1.New, "sha224": sha256.New224,
	"sha256": sha256.New, "sha384": sha512.New384, "sha512": sha512.New,
}

// manifestName is a payload or tag manifest's file name (RFC 8493 §2.1.3,
// §2.2.1): its kind and the algorithm it names.
var manifestName = regexp.MustCompile(`^(manifest|tagmanifest)-([A-Za-z0-9]+)\.txt$`)

// declLine is a line of bagit.txt: RFC 8493 §2.1.1 allows these two
// labels only, each followed at once by a colon and one space.
var declLine = regexp.MustCompile(`^(BagIt-Version|Tag-File-Character-Encoding): (\S.*)$`)

// bagVersion is a BagIt version this archive reads (0.97 and 1.0 bags).
var bagVersion = regexp.MustCompile(`^(0\.9[0-9]|1\.[0-9]+)$`)

// readDeclaration reads bagit.txt (RFC 8493 §2.1.1): UTF-8 without a
// byte-order mark, a BagIt-Version and a Tag-File-Character-Encoding
// line and nothing else. It returns the encoding of the other tag files,
// UTF-8 when the declaration cannot say.
func readDeclaration(dir string, f *findings) encoding.Encoding {
	at := func(kind string, args ...string) { f.refuse(Message{Kind: kind, Args: args, File: "bagit.txt"}) }
	b, err := os.ReadFile(filepath.Join(dir, "bagit.txt"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		at("bag_no_bagit_txt")
		return unicode.UTF8
	case err != nil:
		at("bag_not_bagit")
		return unicode.UTF8
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")), bytes.HasPrefix(b, []byte("\xfe\xff")), bytes.HasPrefix(b, []byte("\xff\xfe")):
		at("bag_bom")
		return unicode.UTF8
	case !utf8.Valid(b):
		at("bag_decl_utf8")
		return unicode.UTF8
	}
	fields := map[string]string{}
	for n, line := range tagLines(string(b)) {
		if line == "" {
			continue
		}
		m := declLine.FindStringSubmatch(line)
		if m == nil || fields[m[1]] != "" {
			f.refuse(Message{Kind: "bag_decl_line", Args: []string{line}, File: "bagit.txt", Line: n + 1})
			continue
		}
		fields[m[1]] = strings.TrimRight(m[2], " \t")
	}
	if v, ok := fields["BagIt-Version"]; !ok {
		at("bag_no_version")
	} else if !bagVersion.MatchString(v) {
		at("bag_version", v)
	}
	name, ok := fields["Tag-File-Character-Encoding"]
	if !ok {
		at("bag_no_encoding")
		return unicode.UTF8
	}
	enc, err := ianaindex.IANA.Encoding(name)
	if err != nil || enc == nil {
		at("bag_encoding", name)
		return unicode.UTF8
	}
	return enc
}

// tagLines splits a tag file's text at any of the line endings RFC 8493
// allows: LF, CR LF or CR.
func tagLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Split(strings.ReplaceAll(s, "\r", "\n"), "\n")
}

// readTagText reads a tag file in the bag's declared encoding; ok is false
// when the bag has no such file.
func readTagText(dir, name string, enc encoding.Encoding) (text string, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", true, unwrapPath(err)
	}
	d, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return "", true, err
	}
	return strings.TrimPrefix(string(d), "\uFEFF"), true, nil
}

// findings are what checking a bag found: problems refuse it, warnings
// are reported with what it delivers.
type findings struct {
	problems []Problem
	warnings []Message
}

func (f *findings) refuse(m Message) { f.problems = append(f.problems, problem(m)) }
func (f *findings) warn(m Message)   { f.warnings = append(f.warnings, m) }

// entry is a line of a manifest or fetch.txt: a path in the bag, and its
// checksum (manifest) or URL (fetch.txt).
type entry struct {
	path, value string
	line        int
}

// parseManifest reads the "checksum path" lines of a manifest (RFC 8493
// §2.1.3), each path cleaned as bagPath says.
func parseManifest(name, text string, f *findings) []entry {
	var out []entry
	for n, line := range tagLines(text) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		sum, p, ok := strings.Cut(strings.Replace(line, "\t", " ", 1), " ")
		p = strings.TrimLeft(p, " \t")
		if star, found := strings.CutPrefix(p, "*"); found && star != "" {
			// md5sum and sha256sum write "checksum *path" for a file read
			// in binary mode: the star is theirs, not the path's.
			f.warn(Message{Kind: "bag_md5sum_star", Args: []string{p, star}, File: name, Line: n + 1})
			p = star
		}
		if !ok || sum == "" || p == "" {
			f.refuse(Message{Kind: "manifest_line", File: name, Line: n + 1})
			continue
		}
		if clean, ok := bagPath(p, name, n+1, f); ok {
			out = append(out, entry{path: clean, value: strings.ToLower(sum), line: n + 1})
		}
	}
	return out
}

// parseFetch reads the "url length path" lines of fetch.txt (RFC 8493
// §2.2.3).
func parseFetch(text string, f *findings) []entry {
	var out []entry
	for n, line := range tagLines(text) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 3 {
			f.refuse(Message{Kind: "fetch_line", File: "fetch.txt", Line: n + 1})
			continue
		}
		p := strings.Join(fields[2:], " ")
		if clean, ok := bagPath(p, "fetch.txt", n+1, f); ok {
			out = append(out, entry{path: clean, value: fields[0], line: n + 1})
		}
	}
	return out
}

// bagPath reads a path written in a manifest or fetch.txt as the clean
// path it names inside the bag: "./data/a.txt" is data/a.txt (RFC 8493
// §2.1.3: paths are relative to the bag's base directory). A path that is
// absolute or climbs out of the bag is refused.
func bagPath(p, name string, line int, f *findings) (string, bool) {
	// RFC 8493 §2.1.3: CR, LF and % in paths are percent-encoded.
	p = strings.NewReplacer("%0A", "\n", "%0a", "\n", "%0D", "\r", "%0d", "\r", "%25", "%").Replace(p)
	clean := path.Clean(p)
	if path.IsAbs(p) || clean == ".." || strings.HasPrefix(clean, "../") || clean == "." {
		f.refuse(Message{Kind: "path_leaves_bag", Args: []string{p}, File: name, Line: line})
		return "", false
	}
	if clean != strings.TrimPrefix(p, "./") {
		f.warn(Message{Kind: "bag_path_form", Args: []string{p, clean}, File: name, Line: line})
	}
	return clean, true
}
