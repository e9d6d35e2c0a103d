package ead

import (
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// SourceDao is the key of an item's Source that holds the href of the
// <dao> an import made it or attached it from: the export writes the item
// in that dao's place, once.
const SourceDao = "ead-dao"

// itemPaths are the addresses of an item in this archive: its page and
// its IIIF manifests.
var itemPaths = []string{"/items/", "/iiif/3/manifest/", "/iiif/2/manifest/"}

// ItemAddress is the item a link names when it is an address of an item
// in this archive (its page, or its IIIF manifest in either version): on
// base, the archive's own address (scheme, host and path), or relative
// to the host ("/items/x"). A link to another host is not.
func ItemAddress(href, base string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil || u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	p := u.Path
	if u.Scheme != "" || u.Host != "" {
		b, err := url.Parse(base)
		if base == "" || err != nil || !strings.EqualFold(u.Scheme, b.Scheme) || !strings.EqualFold(u.Host, b.Host) {
			return "", false
		}
		prefix := strings.TrimSuffix(b.Path, "/")
		if !strings.HasPrefix(p, prefix+"/") {
			return "", false
		}
		p = strings.TrimPrefix(p, prefix)
	} else if !strings.HasPrefix(p, "/") {
		return "", false
	}
	for _, at := range itemPaths {
		if id, ok := strings.CutPrefix(p, at); ok && repository.ValidID(id) {
			return id, true
		}
	}
	return "", false
}

// daoEnglish is the command line's sentence for what became of each
// <dao> of an import: {1} is the unit, {2} the link, {3} the item.
var daoEnglish = map[string]string{
	"dao_ingested":      "unit {1}: the file {2} is ingested as a new item of the unit",
	"dao_attached":      "unit {1}: the digital object {2} is item {3}, already in the archive: attached to the unit",
	"dao_same_file":     "unit {1}: the file {2} is item {3}, already in the archive (same SHA-256): attached to the unit, not ingested again",
	"dao_refused":       "unit {1}: the digital object {2} is item {3}, of another library or not yours to change: not attached; kept as a link",
	"dao_no_item":       "unit {1}: the digital object {2} names item {3}, which the archive does not hold: kept as written",
	"dao_elsewhere":     "unit {1}: the digital object {2} is elsewhere on the web: kept as a link, shown on the unit's page and written back out",
	"dao_missing":       "unit {1}: the file {2} named by a <dao> is not beside the finding aid; put it there and import again, or attach it in the desk",
	"dao_folder_unread": "the folder of the finding aid cannot be read; no file beside it was looked for",
	"dao_not_found":     "unit {1}: the digital object {2} is neither a file beside the finding aid nor an address of the archive; kept as written",
}

// itemDaos writes, in place of a kept <dao> that became one of the unit's
// items (it names the item, by identifier, by its manifest's address, or
// is the dao the item came from), that item's link, once; a kept dao of
// an item the reader may not see is left out. done holds the items
// written.
func (e *Export) itemDaos(listed []access.Listed, hidden []*repository.Item, done map[string]bool) func(x *writer, m repository.Markup) bool {
	names := func(m repository.Markup, it *repository.Item) bool {
		href := m.Attr("href")
		return m.Attr("identifier") == it.ID || href != "" && (href == e.Manifest(it.ID) || href == it.Source[SourceDao])
	}
	return func(x *writer, m repository.Markup) bool {
		if m.Name != "dao" {
			return false
		}
		for _, l := range listed {
			if names(m, l.Item) {
				if !done[l.Item.ID] {
					done[l.Item.ID] = true
					e.itemDao(x, l.Item)
				}
				return true
			}
		}
		return slices.ContainsFunc(hidden, func(it *repository.Item) bool { return names(m, it) })
	}
}

// itemDao writes an item of the unit as a link to its IIIF manifest.
func (e *Export) itemDao(x *writer, it *repository.Item) {
	x.empty("dao", "daotype", "derived", "identifier", it.ID, "href", e.Manifest(it.ID), "linktitle", it.Title.Get("th"), "localtype", "iiif-manifest")
}

// unitItems are the unit's items the reader may see (listed), and, when
// the unit keeps daos, those it may not (hidden: their kept daos are left
// out too).
func (e *Export) unitItems(n *repository.Node, d *repository.Description) (listed []access.Listed, hidden []*repository.Item, err error) {
	if e.Items == nil || len(n.Items) == 0 {
		return nil, nil, nil
	}
	if listed, err = access.Listing(lookup{e.Tree, e.Items}, e.Principal, n.Items, e.at()); err != nil {
		return nil, nil, err
	}
	if !slices.ContainsFunc(d.Kept, func(m repository.Markup) bool { return m.Name == "dao" }) {
		return listed, nil, nil
	}
	shown := map[string]bool{}
	for _, l := range listed {
		shown[l.Item.ID] = true
	}
	for _, id := range n.Items {
		if shown[id] {
			continue
		}
		it, err := e.Items.Item(id)
		if errors.Is(err, fault.NotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		hidden = append(hidden, it)
	}
	return listed, hidden, nil
}
