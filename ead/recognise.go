package ead

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// NamespaceUndeprecated is the namespace of EAD3's undeprecated schema,
// which keeps EAD 2002's deprecated elements.
const NamespaceUndeprecated = "http://ead3.archivists.org/schema/undeprecated/"

// namespaces are those a finding aid's <ead> may be in ("" is EAD 2002
// written without one).
var namespaces = []string{"", Namespace, NamespaceUndeprecated, Namespace2002}

// bom is UTF-8's byte-order mark, which some tools write before the
// declaration.
var bom = []byte("\ufeff")

// charsetReader reads the encodings older finding aids declare besides
// UTF-8.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	case "iso-8859-1", "latin1", "latin-1":
		return charmap.ISO8859_1.NewDecoder().Reader(r), nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder().Reader(r), nil
	case "windows-874", "tis-620", "iso-8859-11":
		return charmap.Windows874.NewDecoder().Reader(r), nil
	}
	return nil, fmt.Errorf("encoding %q is not one a finding aid is read in (UTF-8, ISO-8859-1, windows-1252, TIS-620)", label)
}
