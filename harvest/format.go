package harvest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// formatRoots are the root elements of each metadata format's records
// (a record's one element; a collection of one is read as its record).
var formatRoots = map[string][]string{
	"oai_dc":  {"dc", "qualifieddc"},
	"qdc":     {"qualifieddc", "dc"},
	"mods":    {"mods"},
	"marcxml": {"record"},
	"ead":     {"ead"},
}

// mapRecord maps a record to a catalogue entry of src (without its id,
// version and times) as src's metadata format reads. A record whose
// metadata is not of that format, or that has no title, is refused.
func mapRecord(src *repository.Source, rec *record) (*repository.Entry, error) {
	e := &repository.Entry{
		Source:      src.ID,
		Institution: src.Institution,
		Identifier:  strings.TrimSpace(rec.Header.Identifier),
		Datestamp:   strings.TrimSpace(rec.Header.Datestamp),
		Sets:        rec.Header.Sets,
	}
	root := rec.Metadata.Root
	if rec.Cut {
		return nil, tooLarge(e.Identifier)
	}
	if root == nil {
		return nil, fmt.Errorf("record %s has no metadata: %w", e.Identifier, fault.Invalid)
	}
	roots := formatRoots[src.Format]
	if len(roots) == 0 {
		roots = formatRoots["oai_dc"]
	}
	if len(root.Nodes) == 1 && root.XMLName.Local != roots[0] && root.Nodes[0].XMLName.Local == roots[0] {
		root = root.Nodes[0] // modsCollection, marc:collection
	}
	if !slices.Contains(roots, root.XMLName.Local) {
		return nil, fmt.Errorf("record %s is not in %s: its metadata is %s: %w", e.Identifier, src.Format, root.XMLName.Local, fault.Invalid)
	}
	switch src.Format {
	case "mods":
		mapMODS(e, root)
	case "marcxml":
		mapMARC(e, root)
	case "ead":
		mapEAD(e, root)
	default:
		mapDC(e, root)
	}
	if strings.TrimSpace(e.Title.Get("")) == "" {
		return nil, fmt.Errorf("record %s has no title: %w", e.Identifier, fault.Invalid)
	}
	e.Digest = digest(e)
	return e, nil
}
